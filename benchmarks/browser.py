"""Each page as the owner gets it: Debian chromium on the large demo, until its charts are drawn.

For every page (Home and the five indicator pages, titles and URLs from app.py) a fresh
`streamlit run serve.py` (app.py, warmed up at start: ui/warmup.py; `--entry app.py` for the
app without it) serves a scratch copy of the large demo and chromium opens it with the
profile of the priming round (an owner's browser that has been here before, holding
Streamlit's and Plotly's scripts in its cache): the first visit after the server started (by
URL), then `later` visits from the
sidebar as an owner moves between pages (each after leaving for another page; the figures are
in the server's cache by then), then `by_url` visits by URL (a new Streamlit session each, as
a new tab or a reload: the frontend starts again), then, on an area page, a click on each of
its other tabs in turn ("tab": the run it starts, until its charts are drawn), and last one
visit in a browser that has never been here (a fresh profile: every script downloaded and
compiled). A visit is timed from navigation until
the page settled: its own heading shown, Streamlit's script state back to notRunning, no
element still loading (Streamlit shows an `stSkeleton` while a chart's code loads, after the
run has finished) and as many Plotly charts drawn as the run sent (each `stPlotlyChart`
holds a `.main-svg`). Before the first visits the store is primed by one untimed visit to each page,
so what the app keeps in the store (the Scoreboard's results) is there, as on an owner's
second day; the first view after a data change is what `pages` calls cold. The first visit
comes as soon as the server answers, while its warm-up may still run (as when `make run`
opens the browser; `--after-warmup`: once it is done); `warmup` keeps, per page, the server's warm-up line from its log and
whether it was written before that visit began.

Per visit also: the server's CPU seconds (every process in its group, from /proc, read before
the navigation and after the page settled), chromium's (its processes below this one), which
say more than wall time on a busy machine, and the chart JSON the page received, read from
the websocket frames: each Streamlit message (ForwardMsg) is parsed and the Plotly specs of
its charts summed. A chart the browser already holds comes as a reference to its hash; it is
counted at the size of the spec it stands for (`chart_refs` says how many did), so the
figure is what each run of the page draws, whatever the message cache saved on the wire.

`python -m benchmarks.run --only browser`, or directly: `python -m benchmarks.browser --db STORE`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import load  # noqa: E402

PAGES = ("home", "scoreboard", "pace", "niche", "fit", "friction")
LATER_VISITS = 5
URL_VISITS = 2
# Where a sidebar visit leaves for first (settled, untimed): a page with its own heading.
PARK = {"home": "niche"}  # every other page: Home
KB = 1024
# The targets (large demo, 2 cores).
TARGET_LATER_S = 1.5
TARGET_FIRST_S = 3.0
TARGET_CHART_KB = 300
WARMUP_TIMEOUT_S = 180.0  # --after-warmup: how long to wait for the server's warm-up line

# Settled: the run finished, nothing still loading (Streamlit shows a skeleton while a chart's
# code loads) and every chart the server sent drawn (Plotly adds .main-svg).
SETTLED_JS = """expected => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  return charts.length >= expected && charts.every(c => c.querySelector('.main-svg') !== null);
}"""
FAILED_EXCEPTION = '[data-testid="stException"]'
FAILED_ALERT = '[data-testid="stAlertContentError"]'


@dataclass
class Visit:
    page: str
    # "first" (by URL, after the server started, in a browser that has been here before),
    # "sidebar", "url" (a new tab) or "new-browser" (a browser with an empty cache)
    how: str
    seconds: float | None  # navigation to settled; None when it did not settle
    script_s: float | None  # navigation to the script run finished (the rest is drawing)
    server_cpu_s: float
    browser_cpu_s: float  # chromium's processes (steadier than wall time on a busy machine)
    charts: int  # Plotly charts the (last) script run sent
    chart_bytes: int  # their specs, references resolved
    chart_refs: int  # specs sent as a reference to one the browser already had
    received_bytes: int  # every websocket message of the visit (after decompression)
    load_average: float
    error: str | None = None
    tab: str | None = None  # "tab" visits: the tab of the page's sections that was clicked


@dataclass
class BrowserReport:
    later: int
    visits: list[Visit] = field(default_factory=list)
    load_average: dict[str, float] = field(default_factory=dict)
    entry: str = load.ENTRY
    # page → (the warm-up's log line or None, whether it was logged before the first visit)
    warmup: dict[str, tuple[str | None, bool]] = field(default_factory=dict)
    ready_s: dict[str, float] = field(default_factory=dict)  # page → its server's start

    def pages(self) -> list[str]:
        return list(dict.fromkeys(v.page for v in self.visits))

    def first(self, page: str) -> Visit:
        return next(v for v in self.visits if v.page == page and v.how == "first")

    def new_browser(self, page: str) -> Visit | None:
        return next((v for v in self.visits if v.page == page and v.how == "new-browser"), None)

    def later_visits(self, page: str, how: str = "sidebar") -> list[Visit]:
        return [v for v in self.visits if v.page == page and v.how == how and v.error is None]

    def later_median(self, page: str, what: str = "seconds", how: str = "sidebar") -> float:
        values = [getattr(v, what) for v in self.later_visits(page, how)]
        return statistics.median(values) if values else float("nan")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Frames:
    """The Streamlit messages a browser tab receives over its websocket, tallied per visit:
    the charts of the visit's last script run (a run that ends in st.rerun is drawn over),
    and every byte received.

    `sizes` (message hash → spec bytes) outlives the visits, so a chart sent later as a
    reference to a message the browser cached is counted at its spec's size.
    """

    def __init__(self, page: Any) -> None:
        self.sizes: dict[str, int] = {}
        self.charts = self.chart_bytes = self.refs = self.received = 0
        self.finished = 0  # script runs finished since the tab opened
        page.on("websocket", self._on_socket)

    def _on_socket(self, ws: Any) -> None:
        if ws.url.endswith("/_stcore/stream"):
            ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload: str | bytes) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if not isinstance(payload, bytes):
            return
        self.received += len(payload)
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        kind = msg.WhichOneof("type")
        if kind == "new_session":  # a script run starts (again, after st.rerun): its charts
            self.charts = self.chart_bytes = self.refs = 0
        elif kind == "script_finished":
            self.finished += 1
        elif kind == "ref_hash" and msg.ref_hash in self.sizes:
            self.charts += 1
            self.refs += 1
            self.chart_bytes += self.sizes[msg.ref_hash]
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "plotly_chart":
                size = len(element.plotly_chart.spec.encode("utf-8"))
                self.charts += 1
                self.chart_bytes += size
                if msg.hash:
                    self.sizes[msg.hash] = size

    def take(self) -> tuple[int, int, int, int]:
        """Charts, their spec bytes, references among them, all bytes; since the last take."""
        out = (self.charts, self.chart_bytes, self.refs, self.received)
        self.charts = self.chart_bytes = self.refs = self.received = 0
        return out


def _headings(db: Path) -> dict[str, str]:
    """The heading each page shows: its title, except Home's, which is the business's name."""
    from analytics import store

    con = store.connect(db, read_only=True)
    try:
        ws = store.list_workspaces(con)[0]
    finally:
        con.close()
    titles = dict(load.indicator_pages(PAGES))
    return titles | {"home": ws.display_name or ws.name}


def _path(slug: str) -> str:
    return "/" if slug == "home" else f"/{slug}"


def _go(page: Any, server: load.Server, slug: str, how: str) -> None:
    """By URL (typed, a new tab, a reload) or by the page's link in the sidebar."""
    if how == "sidebar":
        page.locator(f'[data-testid="stSidebarNav"] a[href$="{_path(slug)}"]').first.click()
    else:
        page.goto(server.url + _path(slug))


def _settle(page: Any, heading: str, frames: Frames, marks: list[float]) -> None:
    """The page's own heading, then the script run finished, then every chart drawn."""
    page.get_by_role("heading", name=heading, exact=True, level=1).first.wait_for()
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    marks.append(time.perf_counter())
    # the run's messages are all in by now: as many charts as it sent must be drawn
    page.wait_for_function(SETTLED_JS, arg=frames.charts, polling=50)


def _page_error(page: Any) -> str | None:
    """An exception or st.error on the page, in a few words."""
    for selector, what in ((FAILED_EXCEPTION, "exception"), (FAILED_ALERT, "st.error")):
        found = page.locator(selector)
        if found.count():
            return f"{what}: " + found.first.inner_text()[:200].replace("\n", " ")
    return None


def browser_cpu_seconds(server: load.Server) -> float:
    """User + system CPU of chromium's live processes: everything below this process except
    the served app's group and the Python and node (Playwright's driver) processes."""
    total = 0.0
    for name, fields in load.descendants(os.getpid()).values():
        if int(fields[2]) == server.process.pid or name.startswith(("python", "node")):
            continue
        total += (int(fields[11]) + int(fields[12])) / load.CLK_TCK
    return total


def _visit(
    page: Any, server: load.Server, slug: str, heading: str, frames: Frames, how: str
) -> Visit:
    """Go to the page (by URL or from the sidebar) and time it until it settled."""

    def act(marks: list[float]) -> None:
        _go(page, server, slug, how)
        _settle(page, heading, frames, marks)

    return _timed(page, server, slug, how, frames, act)


def _tab_visit(page: Any, server: load.Server, slug: str, label: str, frames: Frames) -> Visit:
    """Click the tab `label` of the page's sections (the page is open and settled) and time it
    until the run it starts has finished and its charts are drawn."""

    def act(marks: list[float]) -> None:
        finished = frames.finished
        page.get_by_role("tab", name=label, exact=True).click()
        deadline = time.perf_counter() + load.VISIT_TIMEOUT_S
        while frames.finished <= finished:  # the rerun the click asked for has finished
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the {label!r} tab's run did not finish")
            page.wait_for_timeout(10)
        marks.append(time.perf_counter())
        page.wait_for_function(SETTLED_JS, arg=frames.charts, polling=50)

    return _timed(page, server, slug, "tab", frames, act, tab=label)


def _timed(
    page: Any,
    server: load.Server,
    slug: str,
    how: str,
    frames: Frames,
    act: Callable[[list[float]], None],
    tab: str | None = None,
) -> Visit:
    """`act(marks)` timed from its start until it returns (it appends the moment the script
    run finished to `marks`), with the server's and chromium's CPU and what was received."""
    from playwright.sync_api import Error as PlaywrightError

    frames.take()  # whatever arrived since the last visit is not this one's
    cpu_before = load.group_cpu_seconds(server.process.pid)
    browser_before = browser_cpu_seconds(server)
    marks: list[float] = []
    error = None
    started = time.perf_counter()
    try:
        act(marks)
        seconds: float | None = time.perf_counter() - started
        error = _page_error(page)
    except (PlaywrightError, TimeoutError) as exc:
        seconds = None
        error = f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0][:200]}"
    cpu = load.group_cpu_seconds(server.process.pid) - cpu_before
    browser_cpu = browser_cpu_seconds(server) - browser_before
    charts, chart_bytes, refs, received = frames.take()
    return Visit(
        page=slug,
        how=how,
        seconds=None if seconds is None else round(seconds, 3),
        script_s=round(marks[0] - started, 3) if marks else None,
        server_cpu_s=round(cpu, 2),
        browser_cpu_s=round(browser_cpu, 2),
        charts=charts,
        chart_bytes=chart_bytes,
        chart_refs=refs,
        received_bytes=received,
        load_average=round(os.getloadavg()[0], 2),
        error=error,
        tab=tab,
    )


def _chromium() -> str:
    chromium = shutil.which("chromium")
    if chromium is None:
        raise RuntimeError("Debian chromium is not installed (apt-get install chromium)")
    return chromium


def _tab(pw: Any, profile: Path) -> tuple[Any, Any]:
    """A chromium with a fresh profile (its own user-data-dir) and its one tab."""
    context = pw.chromium.launch_persistent_context(
        str(profile),
        executable_path=_chromium(),
        args=load.CHROMIUM_ARGS,
        headless=True,
        viewport=load.VIEWPORT,
        locale="en-US",
    )
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(load.VISIT_TIMEOUT_S * 1000)
    return context, page


def warmup_line(server: load.Server) -> str | None:
    """The server's warm-up line (ui/warmup.py logs one when it is done), if logged yet."""
    lines = [line for line in server.log_text().splitlines() if "Warm-up:" in line]
    return lines[-1].split("Warm-up:", 1)[1].strip() if lines else None


def _wait_for_warmup(server: load.Server, timeout: float = WARMUP_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while warmup_line(server) is None and time.monotonic() < deadline:
        time.sleep(0.2)  # polling the server's log, not waiting on a page


def _prime(
    pw: Any, db: Path, workdir: Path, headings: dict[str, str], serving: dict[str, Any]
) -> None:
    """One untimed visit to every page, so what the app keeps in the store is there."""
    server = load.start_server(db, workdir / "streamlit-prime.log", **serving)
    try:
        context, page = _tab(pw, workdir / "profile-prime")
        frames = Frames(page)
        for slug in headings:
            _visit(page, server, slug, headings[slug], frames, "url")
        context.close()
    finally:
        load.stop_server(server)


def run(
    demo_store: Path,
    workdir: Path,
    *,
    later: int = LATER_VISITS,
    by_url: int = URL_VISITS,
    pages: Sequence[str] = PAGES,
    entry: str = load.ENTRY,
    after_warmup: bool = False,
    root: Path = ROOT,
) -> BrowserReport:
    from playwright.sync_api import sync_playwright

    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "browser.duckdb"
    for suffix in ("", ".wal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(demo_store, db)  # the harness's store stays as it was
    all_headings = _headings(db)
    headings = {slug: heading for slug, heading in all_headings.items() if slug in pages}
    report = BrowserReport(later, entry=entry)
    report.load_average["start"] = round(os.getloadavg()[0], 2)
    with sync_playwright() as pw:
        # One address for every server: a browser keeps scripts (and their compiled code) per
        # address, so the primed profile holds them for the servers after it, as an owner's
        # browser holds them for `make run`'s fixed port.
        serving: dict[str, Any] = {"entry": entry, "root": root, "port": load.free_port()}
        _prime(pw, db, workdir, headings, serving)
        for slug, heading in headings.items():
            server = load.start_server(db, workdir / f"streamlit-{slug}.log", **serving)
            try:
                # The owner's browser has been here before (the primed profile holds
                # Streamlit's and Plotly's scripts in its cache): only the server is new.
                context, page = _tab(pw, workdir / "profile-prime")
                frames = Frames(page)
                plan = ["first"] + ["sidebar"] * later + ["url"] * by_url
                if after_warmup:  # the owner opens the page once the server has warmed up
                    _wait_for_warmup(server)
                warmed_before = warmup_line(server) is not None
                for how in plan:
                    if how == "sidebar":  # leave for another page first, as an owner would
                        park = PARK.get(slug, "home")
                        _visit(page, server, park, all_headings[park], frames, "sidebar")
                    visit = _visit(page, server, slug, heading, frames, how)
                    report.visits.append(visit)
                    if visit.error is not None:  # a new tab: the old one may still be busy
                        page.close()
                        page = context.new_page()
                        page.set_default_timeout(load.VISIT_TIMEOUT_S * 1000)
                        frames = Frames(page)
                        page.goto(server.url + _path(slug))
                # Then each other tab of an area page's sections, clicked once in turn.
                labels = [t.strip() for t in page.get_by_role("tab").all_inner_texts()]
                for label in labels[1:]:
                    report.visits.append(_tab_visit(page, server, slug, label, frames))
                context.close()
                report.warmup[slug] = (warmup_line(server), warmed_before)
                report.ready_s[slug] = server.ready_s
                # A browser that has never been here: every script downloaded and compiled.
                context, page = _tab(pw, workdir / f"profile-new-{slug}")
                report.visits.append(
                    _visit(page, server, slug, heading, Frames(page), "new-browser")
                )
                context.close()
            finally:
                load.stop_server(server)
    report.load_average["end"] = round(os.getloadavg()[0], 2)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.browser", description=__doc__)
    parser.add_argument("--db", type=Path, required=True, help="a store holding the large demo")
    parser.add_argument("--later", type=int, default=LATER_VISITS, help="sidebar visits per page")
    parser.add_argument("--by-url", type=int, default=URL_VISITS, help="visits by URL per page")
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=list(PAGES))
    parser.add_argument(
        "--entry",
        choices=load.ENTRIES,
        default=load.ENTRY,
        help="what `streamlit run` starts (app.py: the app without the warm-up)",
    )
    parser.add_argument(
        "--after-warmup",
        action="store_true",
        help="make the first visit once the server's warm-up is done (default: at once)",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="serve the app of another tree (e.g. a worktree of main, with --entry app.py)",
    )
    parser.add_argument("--json", type=Path, help="also write every visit to this JSON file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="opening-day-browser-") as tmp:
        r = run(
            args.db,
            Path(tmp),
            later=args.later,
            by_url=args.by_url,
            pages=args.pages,
            entry=args.entry,
            after_warmup=args.after_warmup,
            root=args.root,
        )
    print(
        f"{'page':<11} {'first s':>8} {'1st cpu':>7} {'sidebar s':>9} {'url s':>6} {'server cpu':>10} "
        f"{'browser cpu':>11} {'charts':>6} {'chart KB':>9} {'tabs: median s':>14} {'slowest s':>9}"
    )
    for slug in r.pages():
        first = r.first(slug)
        tabs = [v.seconds for v in r.visits if v.page == slug and v.how == "tab" and v.seconds]
        print(
            f"{slug:<11} {first.seconds or float('nan'):>8.2f} {first.server_cpu_s:>7.2f} "
            f"{r.later_median(slug):>9.2f} "
            f"{r.later_median(slug, how='url'):>6.2f} {r.later_median(slug, 'server_cpu_s'):>10.2f} "
            f"{r.later_median(slug, 'browser_cpu_s'):>11.2f} {first.charts:>6} "
            f"{first.chart_bytes / KB:>9.1f} "
            f"{statistics.median(tabs) if tabs else float('nan'):>14.2f} "
            f"{max(tabs, default=float('nan')):>9.2f}"
        )
    if args.json is not None:
        args.json.write_text(json.dumps(r.as_dict(), indent=1), encoding="utf-8")
    errors = [f"{v.page}: {v.error}" for v in r.visits if v.error]
    print(json.dumps({"load_average": r.load_average, "errors": errors}))
    for slug, (line, before) in r.warmup.items():
        print(
            f"{slug}: server answered {r.ready_s[slug]:.2f} s after its start; warm-up "
            f"{'done before' if before else 'not done at'} the first visit: {line}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
