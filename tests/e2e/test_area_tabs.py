"""An area page's sections as tabs, in a real browser: only the open tab is drawn, the open
tab is in the URL, and a copied link (or a reload) reopens it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from analytics import demo
from tests.e2e.conftest import TIMEOUT_MS

pytestmark = pytest.mark.e2e

CHART = '[data-testid="stPlotlyChart"]'
# The chart titles of the Customer fit page's first two tabs on the demo business.
PARETO = ["Revenue: the 80/20 curve", "Complaints: the 80/20 curve"]
WHALE = "The profit whale"


@pytest.fixture
def app_db(demo_app_db: Path) -> Path:
    """The served store: a copy of the demo business (overrides the empty store)."""
    return demo_app_db


def chart_titles(page: Any, drawn: int) -> list[str]:
    """The titles of the Plotly charts on the page (the open tab's), once `drawn` are drawn
    (Streamlit's theme wraps each title in <b>: unwrapped here)."""
    page.wait_for_function(
        f"document.querySelectorAll('{CHART} .main-svg').length >= {drawn}", timeout=TIMEOUT_MS
    )
    titles = page.eval_on_selector_all(
        f"{CHART} .js-plotly-plot",
        "els => els.map(e => JSON.stringify((e.layout.title || {}).text || ''))",
    )
    return [re.sub(r"</?b>", "", json.loads(t)) for t in titles]


def test_a_tab_draws_alone_and_its_link_reopens_it(owner: Any) -> None:
    page = owner.page
    owner.open(f"/fit?ws={demo.DEMO_WORKSPACE}")
    owner.wait_for("Customer fit")
    tabs = page.get_by_role("tab")
    assert tabs.count() == 8
    assert tabs.first.inner_text().strip() == "The top 20%"
    # the first tab is open and only its two charts were drawn: no chart of another tab
    assert chart_titles(page, 2) == PARETO
    assert page.locator(CHART).count() == 2
    assert "section" not in parse_qs(urlparse(page.url).query)  # the first needs no link
    owner.shot("first-tab")

    page.get_by_role("tab", name="Profit whale peak").click()
    page.wait_for_url(re.compile(r"section=Profit"), timeout=TIMEOUT_MS)
    owner.wait_idle()
    page.get_by_text("Which customers eat your profit?").first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(
        f"[...document.querySelectorAll('{CHART} .js-plotly-plot')].some("
        f"e => ((e.layout.title || {{}}).text || '').includes('{WHALE}'))",
        timeout=TIMEOUT_MS,
    )
    query = parse_qs(urlparse(page.url).query)
    assert query["section"] == ["Profit whale peak"]
    assert query["ws"] == [demo.DEMO_WORKSPACE]  # the business stays in the link
    owner.shot("whale-tab")

    # the copied link, opened again: the same tab, its chart, and the first tab's not drawn
    page.goto(page.url)
    owner.wait_for("Customer fit")
    assert page.get_by_role("tab", name="Profit whale peak").get_attribute("aria-selected") == (
        "true"
    )
    titles = chart_titles(page, 1)
    assert len(titles) == 1 and titles[0].startswith(WHALE)
    assert not set(PARETO) & set(titles)


def test_a_scoreboard_card_opens_its_figures_tab(owner: Any) -> None:
    page = owner.page
    owner.open(f"/scoreboard?ws={demo.DEMO_WORKSPACE}")
    owner.wait_for("Scoreboard")
    # the whale card's link goes to Customer fit with the whale's tab open
    whale = page.locator('a[data-testid="stPageLink-NavLink"][href*="section=Profit+whale+peak"]')
    whale.first.wait_for(timeout=TIMEOUT_MS)
    owner.wait_idle()
    assert whale.count() == 1 and "Open Customer fit" in whale.inner_text()
    # every Customer fit card links to its own tab
    links = page.locator('a[data-testid="stPageLink-NavLink"]').filter(has_text="Open Customer fit")
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    assert len(hrefs) >= 8 and all("section=" in h for h in hrefs), hrefs
    whale.click()
    owner.wait_for("Customer fit")
    page.wait_for_url(re.compile(r"section=Profit"), timeout=TIMEOUT_MS)
    assert page.get_by_role("tab", name="Profit whale peak").get_attribute("aria-selected") == (
        "true"
    )
    page.get_by_text("Which customers eat your profit?").first.wait_for(timeout=TIMEOUT_MS)
    assert parse_qs(urlparse(page.url).query)["ws"] == [demo.DEMO_WORKSPACE]
