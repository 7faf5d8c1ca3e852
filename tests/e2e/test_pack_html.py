"""The review pack's HTML in Debian chromium with the network refused: every chosen page,
"What changed" and the notes are there, the charts draw, no request leaves the file, the
owner's hostile text stays text, and it reads at a phone's 390 px without sideways scrolling."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from analytics import notes, store
from analytics.pack import PAGES
from tests.e2e.conftest import CHROMIUM_ARGS, TIMEOUT_MS
from tests.test_cli import run_cli

pytestmark = pytest.mark.e2e

WS = "Demo - Harbour IT"
PLAIN = "Lost our second tech in September"
HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> <a href="https://evil.example/">prices up 8 %</a>'


@pytest.fixture(scope="module")
def pack_file(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pack of every page, made once for this module on a copy of the demo with notes."""
    tmp_path = tmp_path_factory.mktemp("pack")
    demo_app_db = tmp_path / "store.duckdb"
    shutil.copy(demo_file, demo_app_db)
    con = store.connect(demo_app_db)
    try:
        ws = store.get_workspace(con, WS).id
        notes.add_note(con, ws, day=date(2026, 9, 15), text=PLAIN, concerns="pace")
        notes.add_note(con, ws, day=date(2026, 10, 1), text=HOSTILE)
    finally:
        con.close()
    out = tmp_path / "pack.html"
    ran = run_cli("pack", "--db", demo_app_db, "--workspace", WS, "--out", out, "--json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["from_registry"] == []
    return out


@contextmanager
def offline(pw: Any, chromium: str, pack: Path, width: int) -> Iterator[tuple[Any, list[str]]]:
    """The file in a fresh browser whose every request but the file itself is refused, its
    charts drawn; the page, and every address asked for (checked to be the file's alone)."""
    url = pack.as_uri()
    browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
    asked: list[str] = []

    def refuse(route: Any) -> None:
        asked.append(route.request.url)
        if route.request.url == url:
            route.continue_()
        else:
            route.abort()

    try:
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.route("**/*", refuse)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url, wait_until="load")
        page.wait_for_selector(".plotly-graph-div .main-svg")
        yield page, asked
        assert asked == [url], asked
    finally:
        browser.close()


def test_the_pack_opens_offline_with_every_page_and_note(
    pw: Any, chromium_path: str, pack_file: Path
) -> None:
    with offline(pw, chromium_path, pack_file, 1200) as (page, _):
        text = page.inner_text("body")
        for title in ("What changed", *PAGES.values(), "Definitions", "Filters in effect"):
            assert page.locator("h1, h2", has_text=title).count() >= 1, title
        assert PLAIN in text and "prices up 8 %" in text
        assert "<script>window.pwned=2</script>" in text  # shown as typed, never run
        assert page.evaluate("window.pwned") is None
        assert page.locator('a[href^="http"], img[src="x"]').count() == 0
        # Plotly drew every chart from the script inside the file.
        assert page.locator(".plotly-graph-div .main-svg").count() > 20


def test_the_pack_reads_on_a_phone(
    pw: Any, chromium_path: str, pack_file: Path, tmp_path: Path
) -> None:
    with offline(pw, chromium_path, pack_file, 390) as (page, _):
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        widest = page.evaluate(
            "Math.max(...[...document.querySelectorAll('.plotly-graph-div')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert widest <= 390
        page.screenshot(path=str(tmp_path / "pack-390.png"))
