"""Every page of the navigation, in a real browser, on the demo business: it opens, shows its
heading and charts, and leaves a screenshot to look at."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from analytics import areas, demo
from tests.e2e.conftest import TIMEOUT_MS
from ui import plotly_chunk

pytestmark = pytest.mark.e2e

# (file, title in the sidebar) for every page, from the page registry app.py navigates by.
PAGES = [(p.file, p.title) for p in areas.PAGES]
# The heading each page shows; Home shows the business's name once there is one.
HEADINGS = {p.title: p.shown_heading for p in areas.PAGES} | {"Home": demo.DEMO_DISPLAY_NAME}
# The trace types Plotly has set up in the page, and the type asked for by any trace of a
# chart shown that Plotly could not draw: it makes such a trace an invisible scatter, without
# a word.
REGISTERED = "() => Object.keys(window.Plotly.PlotSchema.get().traces)"
UNDRAWN = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap((gd) =>
    (gd._fullData || []).map((t) => gd.data[t.index].type || 'scatter')
        .filter((asked, i) => asked !== gd._fullData[i].type))"""
# Pages that draw charts on the demo business (Peers draws them once a group has cards).
CHARTED = {p.title for p in areas.PAGES if p.charts}


@pytest.fixture
def app_db(demo_app_db: Path) -> Path:
    """The served store: a copy of the demo business (overrides the empty store)."""
    return demo_app_db


def test_every_page_opens_from_the_sidebar(owner: Any) -> None:
    page = owner.page
    owner.open("/")
    owner.wait_for(demo.DEMO_DISPLAY_NAME)
    assert len(PAGES) >= 6
    # every area page draws charts on the demo; the Scoreboard none, its trends are pictures
    assert {areas.page(a.id).title for a in areas.AREAS} <= CHARTED
    assert "Scoreboard" not in CHARTED
    for _file, title in PAGES:
        nav = page.locator('[data-testid="stSidebarNav"]')
        nav.get_by_role("link", name=re.compile(re.escape(title))).first.click()
        owner.wait_for(HEADINGS[title])
        if title in CHARTED:
            page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=TIMEOUT_MS)
            # Plotly as serve.py serves it: only the app's trace types set up (ui/plotly_chunk.py)
            assert set(page.evaluate(REGISTERED)) == plotly_chunk.TRACES
            # and every trace of every chart on the page is drawn by one of them
            assert page.evaluate(UNDRAWN) == [], f"{title}: traces of a kind Plotly lacks"
        if title == "Scoreboard":
            trend = page.locator('[data-testid="stImage"] img[src^="data:image/svg+xml"]')
            trend.first.wait_for(timeout=TIMEOUT_MS)
            assert trend.count() >= 5 and trend.first.bounding_box()["height"] > 20
            assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
        assert page.locator('[data-testid="stException"]').count() == 0, f"{title} raised"
        assert "ws=" in page.url, f"{title}: the business should stay in the URL"
        owner.shot(re.sub(r"\W+", "-", title.lower()))


def test_a_deep_link_opened_first_keeps_the_navigation(owner: Any) -> None:
    # A copied link to a page, opened on a server nobody has visited yet.
    page = owner.page
    owner.open(f"/pace?ws={demo.DEMO_WORKSPACE}")
    owner.wait_for("Pace")
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.get_by_role("link", name=re.compile("Scoreboard")).count() == 1
    # app.py's sidebar ran too: its business picker shows (waited for, not raced).
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Business", exact=True).first.wait_for(state="visible", timeout=TIMEOUT_MS)
    sidebar.locator('[data-testid="stDateInput"]').first.wait_for(timeout=TIMEOUT_MS)
    assert sidebar.locator('[data-testid="stDateInput"]').count() == 1
