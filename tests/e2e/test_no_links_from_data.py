"""In a real browser: customers named like addresses (and a name holding an <a> tag) are text
on every page, in a snapshot link's view and in its HTML export; nothing there links to them.
And a server others can reach, without shared mode, shows only why it does not serve."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, TIMEOUT_MS, AppServer, _free_port, stop_app, wait_idle
from tests.test_links_from_data import EVIL, SEGMENT, TAGGED, WORKSPACE, build_store

pytestmark = pytest.mark.e2e

WS = urllib.parse.quote(WORKSPACE)
# Every link in the page's HTML and in Plotly's SVG (whose <a> carry xlink:href).
LINKS_JS = """() => Array.from(document.querySelectorAll('a')).map(
    a => a.getAttribute('href') || a.getAttribute('xlink:href') || '')"""


@pytest.fixture
def app_db(tmp_path: Path) -> Path:
    """The served store: the business with the address-like names (overrides the empty one)."""
    db = tmp_path / "names.duckdb"
    build_store(db)
    return db


def evil_links(page: Any) -> list[str]:
    """Links that lead to the names (a heading's own "#slug" anchor stays on the page)."""
    return [h for h in page.evaluate(LINKS_JS) if "evil" in h.lower() and not h.startswith("#")]


def shown_text(page: Any) -> str:
    """What a reader sees (the invisible word joiners taken out)."""
    return str(page.locator("body").inner_text()).replace("\u2060", "")


def wait_for_charts(page: Any) -> None:
    wait_idle(page)
    if page.locator('[data-testid="stPlotlyChart"]').count():
        page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()


@pytest.mark.parametrize(
    ("path", "heading", "names"),
    [
        ("/scoreboard", "Scoreboard", EVIL[:3]),
        ("/fit", "Customer fit", EVIL[:3]),
        (f"/fit?segment={urllib.parse.quote(SEGMENT)}", "Customer fit", [SEGMENT]),
        ("/niche", "Niche growth", []),
        ("/pace", "Pace", []),
        ("/friction", "Sales vs tech", []),
    ],
)
def test_names_like_addresses_are_text_on_the_pages(
    owner: Any, path: str, heading: str, names: list[str]
) -> None:
    sep = "&" if "?" in path else "?"
    owner.open(f"{path}{sep}ws={WS}")
    owner.wait_for(heading)
    wait_for_charts(owner.page)
    text = shown_text(owner.page)
    for name in names:
        assert name in text
    assert evil_links(owner.page) == []


def test_a_snapshot_of_them_links_nothing_in_the_view_or_the_html(
    owner: Any, stranger: Any, tmp_path: Path
) -> None:
    page = owner.page
    owner.open(f"/fit?ws={WS}")
    owner.wait_for("Customer fit")
    wait_for_charts(page)
    page.get_by_role("button", name="Share snapshot").click()
    owner.fill(page.get_by_label("Title"), "www.evil.example report")
    owner.fill(page.get_by_label("Your name, shown on the snapshot"), "x@evil.example")
    page.get_by_role("button", name="Create link").click()
    owner.wait_idle()
    code = page.locator('[data-testid="stCode"]').filter(has_text="?snapshot=").first
    code.wait_for()
    link = code.inner_text().strip()
    assert evil_links(page) == []  # the "ready" note names the title

    stranger.goto(link)
    stranger.get_by_text("Read-only snapshot").first.wait_for(timeout=TIMEOUT_MS)
    wait_for_charts(stranger)
    text = shown_text(stranger)
    assert "www.evil.example report" in text and "by x@evil.example" in text
    for name in EVIL[:3]:
        assert name in text
    assert evil_links(stranger) == []

    owner.open(f"/sharing?ws={WS}")
    owner.wait_for("Shared links")
    # the run over: a button clicked while the page still runs may name a download that
    # run has already replaced (Streamlit drops a deferred file no session refers to)
    owner.wait_idle()
    assert evil_links(page) == []
    with page.expect_download() as download:
        page.get_by_role("button", name="Download HTML").click()
    html = tmp_path / "snapshot.html"
    download.value.save_as(str(html))
    assert 'href="http://evil' not in html.read_text(encoding="utf-8")
    stranger.goto(html.as_uri())
    stranger.get_by_text("Read-only snapshot: www").wait_for()
    stranger.locator(".main-svg").first.wait_for()
    assert "http://evil.example/p.png" in shown_text(stranger)
    assert evil_links(stranger) == []


def test_a_tag_in_a_name_is_text_in_the_charts(owner: Any) -> None:
    owner.open(f"/niche?ws={WS}")
    owner.wait_for("Niche growth")
    wait_for_charts(owner.page)
    # The legend names the segment as written, tag and all.
    legend = owner.page.locator('[data-testid="stPlotlyChart"] .legendtext')
    legend.filter(has_text=TAGGED).first.wait_for()
    assert evil_links(owner.page) == []


# ---------------------------------------------------------------- a server others can reach


@pytest.fixture
def open_server(tmp_path: Path) -> Iterator[AppServer]:
    """The app listening on every interface (0.0.0.0), not in shared mode; reached here over
    loopback. It must not serve anything, so the store stays empty."""
    port = _free_port()
    db, log = tmp_path / "open.duckdb", tmp_path / "streamlit.log"
    env = {**os.environ, "OPENING_DAY_DB": str(db), "PYTHONUNBUFFERED": "1"}
    env.pop("OPENING_DAY_SHARED", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "streamlit", "run", "app.py"),
                *("--server.port", str(port), "--server.address", "0.0.0.0"),
                *("--server.fileWatcherType", "none", "--server.headless", "true"),
                *("--browser.gatherUsageStats", "false"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = AppServer(f"http://127.0.0.1:{port}", db, log, process)
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(server.log_text()) from None
                time.sleep(0.2)  # polling a socket, not waiting on the page
        yield server
    finally:
        stop_app(server)


def refused(server: AppServer, browser: Any, path: str) -> None:
    """Open `path` as the server's first request and check it shows only why it refuses."""
    browser.goto(server.url + path)
    browser.get_by_role("heading", name="Not served here").wait_for(timeout=TIMEOUT_MS)
    wait_idle(browser)
    text = shown_text(browser)
    assert "make run-shared" in text and "127.0.0.1" in text and "0.0.0.0" in text
    assert browser.locator('[data-testid="stSidebar"]').count() == 0
    assert "not valid" not in text and "Your data" not in text


@pytest.mark.parametrize("path", ["/", "/?snapshot=" + "A" * 43])
def test_a_server_others_can_reach_shows_only_why(
    open_server: AppServer, stranger: Any, path: str
) -> None:
    refused(open_server, stranger, path)
    assert not open_server.db.exists()  # nothing reached the store


def test_a_first_deep_link_to_such_a_server_is_refused_too(
    open_server: AppServer, stranger: Any
) -> None:
    # The first request a server gets may run a page file before app.py (see ui.boot).
    refused(open_server, stranger, "/data")


def test_a_first_deep_link_to_such_a_server_opens_no_store(
    open_server: AppServer, stranger: Any
) -> None:
    refused(open_server, stranger, "/data")
    assert not open_server.db.exists()
