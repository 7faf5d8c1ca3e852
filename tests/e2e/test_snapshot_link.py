"""A snapshot link in real browsers: the owner shares the Scoreboard, someone else opens the
link and sees the frozen numbers and nothing else, the HTML export opens with no network,
and after the owner revokes it the same link says it is not valid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytics import demo
from tests.e2e.conftest import TIMEOUT_MS, wait_idle

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_db(demo_app_db: Path) -> Path:
    """The served store: a copy of the demo business (overrides the empty store)."""
    return demo_app_db


def metric_values(page: Any) -> list[str]:
    return [v.strip() for v in page.locator('[data-testid="stMetricValue"]').all_inner_texts()]


def wait_for_text(page: Any, text: str) -> None:
    page.get_by_text(text, exact=False).first.wait_for(timeout=TIMEOUT_MS)


def test_share_open_export_and_revoke_a_snapshot(owner: Any, stranger: Any, tmp_path: Path) -> None:
    page = owner.page
    owner.open(f"/scoreboard?ws={demo.DEMO_WORKSPACE}")
    owner.wait_for("Scoreboard")
    page.locator('[data-testid="stImage"] img').first.wait_for()  # the cards' trends
    # The four status counts lead the page; wait for them (a run may still be replacing the
    # elements of the one before), then read them.
    page.wait_for_function(
        """() => {
            const v = [...document.querySelectorAll('[data-testid="stMetricValue"]')]
                .slice(0, 4).map(e => e.innerText.trim());
            return v.length === 4 && v.every(x => /^\\d+$/.test(x));
        }""",
        timeout=TIMEOUT_MS,
    )
    tally = metric_values(page)[:4]
    assert len(tally) == 4 and all(v.isdigit() for v in tally)

    page.get_by_role("button", name="Share snapshot").click()
    owner.fill(page.get_by_label("Title"), "Scoreboard for Alex")
    owner.fill(page.get_by_label("Your name, shown on the snapshot"), "Sam Owner")
    page.get_by_role("button", name="Create link").click()
    owner.wait_idle()
    code = page.locator('[data-testid="stCode"]').filter(has_text="?snapshot=").first
    code.wait_for()
    link = code.inner_text().strip()
    assert link.startswith(owner.server.url + "/?snapshot=")
    owner.shot("shared")

    # Someone else, in a browser of their own, opens the link.
    stranger.goto(link)
    stranger.wait_for_selector('[data-testid="stApp"]')
    stranger.get_by_role("heading", name="Scoreboard for Alex").first.wait_for()
    wait_idle(stranger)
    stranger.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    wait_for_text(stranger, "Read-only snapshot")
    wait_for_text(stranger, "by Sam Owner")
    assert metric_values(stranger)[:4] == tally
    assert stranger.locator('[data-testid="stSidebar"]').count() == 0
    assert stranger.locator('[data-testid="stSidebarNav"]').count() == 0
    stranger.screenshot(path=str(owner.shots / f"{owner.test_name}-link.png"), full_page=True)

    # The owner saves it as one HTML file from the Shared links page...
    owner.open(f"/sharing?ws={demo.DEMO_WORKSPACE}")
    owner.wait_for("Shared links")
    # the run over: a button clicked while the page still runs may name a download that
    # run has already replaced (Streamlit drops a deferred file no session refers to)
    owner.wait_idle()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download HTML").click()
    html = tmp_path / "snapshot.html"
    download.value.save_as(str(html))
    assert html.stat().st_size > 1_000_000  # Plotly's JavaScript is inside

    # ... which opens with every network request refused.
    fetched: list[str] = []

    def offline(route: Any) -> None:
        if not route.request.url.startswith("file:"):
            fetched.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    stranger.context.route("**/*", offline)
    stranger.goto(html.as_uri())
    stranger.get_by_text("Read-only snapshot: Scoreboard for Alex").wait_for()
    stranger.locator(".main-svg").first.wait_for()
    assert stranger.locator(".js-plotly-plot").count() >= 5
    assert fetched == []
    stranger.screenshot(path=str(owner.shots / f"{owner.test_name}-html.png"), full_page=True)
    stranger.context.unroute("**/*")

    # The owner revokes it; the same link now shows only "not valid".
    page.get_by_text("Yes, turn this link off").click()
    owner.wait_idle()
    page.get_by_role("button", name="Revoke link").click()
    owner.wait_idle()
    wait_for_text(page, "is revoked")
    owner.shot("revoked")

    stranger.goto(link)
    stranger.get_by_role("heading", name="This link is not valid").wait_for()
    wait_idle(stranger)
    assert stranger.locator('[data-testid="stMetricValue"]').count() == 0
    assert stranger.get_by_text("Scoreboard for Alex").count() == 0
    stranger.screenshot(path=str(owner.shots / f"{owner.test_name}-invalid.png"), full_page=True)
