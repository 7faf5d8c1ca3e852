"""Driving the app headless with AppTest: open a page, read what it shows, check it ran clean.

The fixtures these rely on (`fresh_streamlit`, `demo_db`, …) are in tests/conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from streamlit.testing.v1 import AppTest

from analytics import areas, store
from tests.conftest import ROOT

APP = str(ROOT / "app.py")
# The pages in the navigation, from the page registry (test_architecture checks that this is
# every file in pages/).
PAGE_FILES = [p.file for p in areas.PAGES]
TIMEOUT = 60  # seconds per script run: the first run imports pandas, duckdb and plotly


def app() -> AppTest:
    # The app opens $OPENING_DAY_DB, else the owner's data/opening_day.duckdb: a page test
    # without `fresh_streamlit` (which points it at the test's own store) would read and write
    # the real one, and share it with every other such test.
    assert os.environ.get(store.DB_ENV), "page tests need the fresh_streamlit fixture"
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def run_page(page: str, **query: str) -> AppTest:
    """`page` opened by its link, with `query` in the URL (an area page's tab: `section`, the
    tab's label, as a copied link holds it)."""
    at = app()
    at.query_params.update(query)
    at.run()
    if page != "pages/home.py":
        at.switch_page(page).run()
    return at


def texts(at: AppTest) -> str:
    """Everything readable on the page, in one string, for `in` checks."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text"):
        parts += [str(e.value) for e in getattr(at, kind)]
    for kind in ("success", "info", "warning", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts).replace("\\", "")


def no_failure(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def each_tab(at: AppTest) -> Iterator[AppTest]:
    """An area page with each of its tabs opened in turn by its link (`?section=<label>`), as
    an owner clicks through them: the same AppTest, run again for each, so read what each
    step shows before taking the next. Ends with the last tab open. A page without tabs is
    yielded once, as it stands."""
    from ui.sections import SECTION_PARAM

    labels = [t.label for t in at.tabs]
    if not labels:  # a page without tabs (or one stopped before them): as it stands
        yield at
    for label in labels:
        # by its link, and in the session too: a link naming the tab the page opens on is
        # cleaned of it, and the session's open tab (the last one) would stay
        at.query_params[SECTION_PARAM] = at.session_state[SECTION_PARAM] = label
        at.run()
        no_failure(at)
        yield at


def every_tab(page: str, **query: str) -> tuple[AppTest, str, list[str]]:
    """An area page with each of its tabs opened in turn: the AppTest (left at its last tab),
    everything readable on every tab, and the Plotly specs of every chart drawn (as JSON)."""
    at = run_page(page, **query)
    no_failure(at)
    shown, specs = [], []
    for step in each_tab(at):
        shown.append(texts(step))
        specs += [c.proto.spec for c in step.get("plotly_chart")]
    return at, "\n".join(shown), specs
