"""A note on the timeline in a real browser: the owner adds one on Pace, sees it drawn on the
page's chart (as plain text: its tags are characters, not a link), shares the page, and the
snapshot link shows the note in its list and on its chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from analytics import demo
from tests.e2e.conftest import TIMEOUT_MS, wait_idle

pytestmark = pytest.mark.e2e

NOTE = 'Raised prices 8 % <a href="http://evil.example">click</a>'
LABEL = "Raised prices 8 % <a hr…"  # the chart's short label: 23 characters and "…"
ORDER_BOOK = "Order book cover (next 2 months)"  # the Pace tab whose chart shows the note


@pytest.fixture
def app_db(demo_app_db: Path) -> Path:
    """The served store: a copy of the demo business (overrides the empty store)."""
    return demo_app_db


# The first chart of a page can take a while on a loaded 2-core machine (Plotly draws in the
# browser after the run ends): waited for, with a longer bound than a single step's.
CHART_WAIT_MS = 3 * TIMEOUT_MS


def first_chart(page: Any) -> None:
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=CHART_WAIT_MS)


def note_labels(page: Any) -> Any:
    """The charts' annotation texts that read as the note's label."""
    return page.locator('[data-testid="stPlotlyChart"] .annotation-text', has_text=LABEL)


def test_a_note_added_on_a_page_shows_on_its_chart_and_in_a_new_snapshot(
    owner: Any, stranger: Any
) -> None:
    page = owner.page
    # the order book's tab: its monthly chart runs to the page's day, where the note goes
    owner.open("/pace?" + urlencode({"ws": demo.DEMO_WORKSPACE, "section": ORDER_BOOK}))
    owner.wait_for("Pace")
    first_chart(page)
    assert note_labels(page).count() == 0

    page.locator('[data-testid="stExpander"] summary', has_text="Notes on the timeline").click()
    owner.fill(page.get_by_label("What happened"), NOTE)
    owner.fill(page.get_by_label("Your name"), "Ann Owner")
    page.get_by_role("button", name="Add the note").click()
    owner.wait_idle()
    page.get_by_text("Note added", exact=False).first.wait_for(timeout=TIMEOUT_MS)
    first_chart(page)
    note_labels(page).first.wait_for(timeout=CHART_WAIT_MS)
    # Drawn as the characters typed: no link inside any chart's annotations.
    assert page.locator('[data-testid="stPlotlyChart"] .annotation a').count() == 0
    # Listed as plain text in the expander, with no link either.
    listed = page.locator('[data-testid="stText"]', has_text=NOTE)
    listed.first.wait_for(timeout=TIMEOUT_MS)
    assert page.locator('a[href="http://evil.example"]').count() == 0
    owner.shot("added")

    page.get_by_role("button", name="Share snapshot").click()
    owner.fill(page.get_by_label("Title"), "Pace with our notes")
    owner.fill(page.get_by_label("Your name, shown on the snapshot"), "Ann Owner")
    page.get_by_role("button", name="Create link").click()
    owner.wait_idle()
    code = page.locator('[data-testid="stCode"]').filter(has_text="?snapshot=").first
    code.wait_for()
    link = code.inner_text().strip()

    stranger.goto(link)
    stranger.get_by_role("heading", name="Pace with our notes").first.wait_for()
    wait_idle(stranger)
    stranger.get_by_text("Notes on the timeline", exact=True).first.wait_for()
    stranger.get_by_text("Raised prices 8 %", exact=False).first.wait_for()
    first_chart(stranger)
    note_labels(stranger).first.wait_for(timeout=CHART_WAIT_MS)
    assert stranger.locator('a[href="http://evil.example"]').count() == 0
    stranger.screenshot(path=str(owner.shots / f"{owner.test_name}-link.png"), full_page=True)
