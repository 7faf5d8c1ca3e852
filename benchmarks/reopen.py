"""What letting go of the store between runs costs a page, as the owner meets it in the browser.

The app holds the store only while it runs a page and for `IDLE_SECONDS` after (ui/store.py),
so the command line can use it beside the app. A page opened after a pause therefore opens
the store again first. This times the same visits two ways on the large demo, one browser
session, the five indicator pages: with the store held for good (OPENING_DAY_STORE_IDLE set to
a day: the app as it was before) and as shipped, each visit after a pause longer than the
idle time, so every visit of the shipped app pays the reopening. Each page is visited once
first (its figures computed and cached), then `repeats` times; the figure is the median time
to settle (heading, script run finished, first chart drawn).

`python -m benchmarks.run --only reopen`, or directly: `python -m benchmarks.reopen --db STORE`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import load  # noqa: E402

PAUSE_SECONDS = 3.0  # longer than ui.store.IDLE_SECONDS (2 s): the store is closed by then
HELD_FOR_GOOD = "86400"


@dataclass
class ReopenReport:
    repeats: int
    held: dict[str, list[float]] = field(default_factory=dict)  # page -> seconds per visit
    let_go: dict[str, list[float]] = field(default_factory=dict)
    load_average: list[float] = field(default_factory=list)

    def median(self, which: dict[str, list[float]], page: str | None = None) -> float:
        values = which[page] if page else [v for vs in which.values() for v in vs]
        return statistics.median(values)


def _settle(page: Any, title: str) -> None:
    page.wait_for_selector('[data-testid="stApp"]')
    page.get_by_role("heading", name=title, exact=True, level=1).first.wait_for()
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')


def _visits(db: Path, workdir: Path, idle: str | None, repeats: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise RuntimeError("Debian chromium is not installed (apt-get install chromium)")
    server = load.start_server(db, workdir / f"streamlit-{idle or 'shipped'}.log", store_idle=idle)
    out: dict[str, list[float]] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium, args=load.CHROMIUM_ARGS, headless=True
            )
            page = browser.new_page(viewport=load.VIEWPORT, locale="en-US")
            page.set_default_timeout(60_000)
            for slug, title in load.indicator_pages():
                page.goto(f"{server.url}/{slug}")  # first visit: figures computed and cached
                _settle(page, title)
                for _ in range(repeats):
                    time.sleep(PAUSE_SECONDS)
                    started = time.perf_counter()
                    page.goto(f"{server.url}/{slug}")
                    _settle(page, title)
                    out.setdefault(slug, []).append(time.perf_counter() - started)
            browser.close()
    finally:
        load.stop_server(server)
    return out


def run(demo_store: Path, workdir: Path, *, repeats: int = 5) -> ReopenReport:
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "reopen.duckdb"
    report = ReopenReport(repeats)
    report.load_average.append(round(os.getloadavg()[0], 2))
    for idle, target in ((HELD_FOR_GOOD, report.held), (None, report.let_go)):
        shutil.copy(demo_store, db)
        target.update(_visits(db, workdir, idle, repeats))
        report.load_average.append(round(os.getloadavg()[0], 2))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reopen", description=__doc__)
    parser.add_argument("--db", required=True, help="a store holding the large demo")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        r = run(Path(args.db), Path(tmp), repeats=args.repeats)
    print(f"{'page':<10} {'held s':>8} {'let go s':>9}")
    for slug in r.held:
        print(f"{slug:<10} {r.median(r.held, slug):>8.2f} {r.median(r.let_go, slug):>9.2f}")
    print(f"{'all':<10} {r.median(r.held):>8.2f} {r.median(r.let_go):>9.2f}")
    print(f"load average: {r.load_average}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
