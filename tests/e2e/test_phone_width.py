"""Every page on a phone: at 390 px wide the main column never scrolls sideways and every chart
fits the column (wide tables scroll inside themselves). Screenshots to look at are left in
tests/e2e/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytics import areas, demo
from tests.e2e.conftest import TIMEOUT_MS

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}  # an iPhone 12–15's CSS viewport

# What overflows, measured in the page: the document and the main area (which scrolls on its
# own), the main block's width, the widest chart, and the first few elements that reach past
# the screen's right edge without a scrolling or clipping box of their own around them.
MEASURE = """() => {
  const vw = window.innerWidth;
  const se = document.scrollingElement;
  const main = document.querySelector('[data-testid="stMain"]');
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg')];
  const past = [];
  for (const el of block ? block.querySelectorAll('*') : []) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 1) continue;
    let box = el.parentElement, inside = false;
    while (box && box !== block && !inside) {
      const ox = getComputedStyle(box).overflowX;
      inside = ['auto', 'scroll', 'hidden', 'clip'].includes(ox)
        && box.getBoundingClientRect().right <= vw + 1;
      box = box.parentElement;
    }
    if (!inside) past.push(el.getAttribute('data-testid') || el.tagName.toLowerCase());
  }
  return {
    viewport: vw,
    document: [se.scrollWidth, se.clientWidth],
    main: main ? [main.scrollWidth, main.clientWidth] : null,
    block: block ? block.getBoundingClientRect().width : null,
    widest_chart: Math.max(0, ...charts.map(c => c.getBoundingClientRect().width)),
    charts: charts.length,
    past_the_edge: past.slice(0, 5),
  };
}"""


@pytest.fixture
def app_db(demo_app_db: Path) -> Path:
    """The served store: a copy of the demo business (overrides the empty store)."""
    return demo_app_db


def _open(owner: Any, page: areas.Page) -> None:
    owner.open(f"/{page.url_path}?ws={demo.DEMO_WORKSPACE}")
    owner.wait_for(demo.DEMO_DISPLAY_NAME if page.default else page.shown_heading)
    if page.charts:
        owner.page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=TIMEOUT_MS)


def _shot(owner: Any, page: areas.Page) -> None:
    """The whole page at phone width: the viewport made as tall as the main area, then back."""
    tall = owner.page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
    )
    owner.page.set_viewport_size({"width": PHONE["width"], "height": min(int(tall), 12_000)})
    owner.shot(page.id)
    owner.page.set_viewport_size(PHONE)


# A block 600 px wide put into the main column: what the measure must catch.
TOO_WIDE = """() => {
  const div = document.createElement('div');
  div.id = 'too-wide'; div.style.width = '600px'; div.textContent = 'too wide';
  document.querySelector('[data-testid="stMainBlockContainer"]').appendChild(div);
}"""


def test_every_page_fits_a_phone(owner: Any) -> None:
    owner.page.set_viewport_size(PHONE)
    # The measure itself catches a block wider than the screen.
    _open(owner, areas.PAGES[0])
    owner.page.evaluate(TOO_WIDE)
    caught = owner.page.evaluate(MEASURE)
    assert caught["main"][0] > caught["main"][1] and caught["past_the_edge"] == ["div"], caught
    owner.page.evaluate("() => document.getElementById('too-wide').remove()")
    problems = {}
    for page in areas.PAGES:
        _open(owner, page)
        m = owner.page.evaluate(MEASURE)
        assert m["viewport"] == PHONE["width"]
        assert m["main"] is not None and m["block"] is not None, page.id
        if (
            m["document"][0] > m["document"][1]
            or m["main"][0] > m["main"][1]
            or m["block"] > PHONE["width"]
            or m["widest_chart"] > m["block"]
            or m["past_the_edge"]
        ):
            problems[page.id] = m
        if page.charts:
            assert m["charts"] > 0, page.id
        _shot(owner, page)
    assert problems == {}, problems
