"""Load on a served store: N sessions over the indicator pages while an import runs.

One `streamlit run serve.py` (app.py, warmed up at start) serves a scratch copy of the large demo. With the browser client
one Debian chromium (driven by Playwright, never a downloaded browser) opens N contexts, each
its own Streamlit session; with the protocol client each session is a websocket speaking
Streamlit's own messages, nothing drawn, so the server's limit shows without the browsers'
CPU (on a small machine the browsers take most of it). Every session visits the five indicator pages for a few rounds, the first by URL and
the rest from the sidebar as an owner would, each starting at a different page. When every
session has settled its first page, `python -m analytics import` adds a CSV of new invoice
lines to the same store. Afterwards the server is stopped and the store is checked: the
import's rows are there exactly once, or (if it failed) not at all.

"Settled" in a browser: the page's own heading, Streamlit's script state back to
notRunning, and the first Plotly chart drawn; over the protocol: the heading sent and the
script finished. An error is a visit that does not settle within 60 s, shows an exception
or an st.error, or (in a browser) logs a console error that is not benign.

Run through the harness (`python -m benchmarks.run --only load --sessions 20`) or directly
on a store you already have (`python -m benchmarks.load --db STORE --sessions 5`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.async_api import ViewportSize

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python benchmarks/load.py` as well as `-m benchmarks.load`
    sys.path.insert(0, str(ROOT))

SESSIONS_ENV = "OPENING_DAY_LOAD_SESSIONS"
# browser: real chromium contexts (what an owner gets, drawing included); protocol: Streamlit's
# websocket messages only, so the server's own limit shows without the browsers' CPU.
CLIENTS = ("browser", "protocol")
DEFAULT_SESSIONS = 20
DEFAULT_ROUNDS = 3
IMPORT_LINES = 50_000
VISIT_TIMEOUT_S = 60.0  # per visit; 30 s is the e2e tests' figure for one session on 2 cores
VIEWPORT: ViewportSize = {
    "width": 1400,
    "height": 900,
}  # a laptop screen: below-the-fold charts still draw
CHROMIUM_ARGS = [  # the same flags as tests/e2e/conftest.py
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The indicator pages by their file in pages/; titles (and so headings) come from app.py.
INDICATOR_PAGES = ("scoreboard", "pace", "niche", "fit", "friction")
# Console errors a healthy page logs (matched against "message url"); any other counts.
BENIGN_CONSOLE = (
    # Opened at /pace, the frontend first looks for the server under /pace/_stcore/… (404),
    # then finds it at the root: Streamlit's way of working out its base path.
    re.compile(r"status of 404 .*:\d+/[\w-]+/_stcore/(health|host-config)$"),
    re.compile(r"net::ERR_ABORTED"),  # a request cut short by our own navigation
)
CLK_TCK = os.sysconf("SC_CLK_TCK")
MB = 1024 * 1024


def indicator_pages(pages: Sequence[str] = INDICATOR_PAGES) -> list[tuple[str, str]]:
    """(url path, title) of the indicator pages (or of `pages`, by id), read from the page
    registry app.py navigates by (analytics/areas.py)."""
    from analytics import areas

    titles = {page.id: page.title for page in areas.PAGES}
    missing = [p for p in pages if p not in titles]
    if missing:
        raise RuntimeError(f"the page registry has no page {missing}")
    return [(p, titles[p]) for p in pages]


# ---------------------------------------------------------------- /proc readings


def _stat(pid: int) -> tuple[str, list[str]] | None:
    """The command name and the fields after it in /proc/<pid>/stat (state [0], ppid [1], …)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    return text[text.find("(") + 1 : text.rfind(")")], text[text.rfind(")") + 2 :].split()


def _stat_fields(pid: int) -> list[str] | None:
    stat = _stat(pid)
    return None if stat is None else stat[1]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of one process (all its threads), plus its reaped children's."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    return sum(int(x) for x in fields[11:15]) / CLK_TCK


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU of every live process in a process group (the served app started
    with its own session), plus the children each has reaped."""
    total = 0.0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and int(fields[2]) == pgid:
                total += sum(int(x) for x in fields[11:15]) / CLK_TCK
    return total


def status_mb(pid: int, key: str) -> float | None:
    """A memory line of /proc/<pid>/status (VmRSS now, VmHWM the peak so far), in MB."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent not idle since boot (/proc/stat), everyone's work."""
    with open("/proc/stat", encoding="ascii") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / CLK_TCK


def descendants(root: int) -> dict[int, tuple[str, list[str]]]:
    """Every live process below `root`: its command name and stat fields."""
    table: dict[int, tuple[str, list[str]]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                table[int(entry.name)] = stat
    children: dict[int, list[int]] = {}
    for pid, (_, fields) in table.items():
        children.setdefault(int(fields[1]), []).append(pid)
    found: dict[int, tuple[str, list[str]]] = {}
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found[child] = table[child]
            stack.append(child)
    return found


class Sampler(threading.Thread):
    """Every 0.2 s: the server's resident memory; every second: the browser's CPU.

    Browser processes come and go (a renderer per context), so each one's last CPU reading
    is kept and summed at the end.
    """

    def __init__(self, server_pid: int) -> None:
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.peak_rss_mb = 0.0
        self.rss_samples: list[float] = []
        self.browser_cpu: dict[int, float] = {}
        self.load_samples: list[float] = []
        self._halt = threading.Event()

    def run(self) -> None:
        tick = 0
        while not self._halt.is_set():
            rss = status_mb(self.server_pid, "VmRSS")
            if rss is not None:
                self.rss_samples.append(rss)
                self.peak_rss_mb = max(self.peak_rss_mb, rss)
            if tick % 5 == 0:
                self.load_samples.append(os.getloadavg()[0])
                for pid, (name, fields) in descendants(os.getpid()).items():
                    # chromium's processes and Playwright's node driver; not the server, not
                    # the import (python)
                    if int(fields[2]) == self.server_pid or name.startswith("python"):
                        continue
                    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
                    self.browser_cpu[pid] = max(self.browser_cpu.get(pid, 0.0), cpu)
            tick += 1
            self._halt.wait(0.2)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


# ---------------------------------------------------------------- the served app


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    ready_s: float = 0.0  # from the process's start until /_stcore/health answered

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


# What `make run` starts: app.py wrapped in st.App, warmed up at start (ui/warmup.py).
ENTRY = "serve.py"
ENTRIES = ("serve.py", "app.py")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    db: Path,
    log: Path,
    *,
    timeout: float = 60.0,
    store_idle: str | None = None,
    entry: str = ENTRY,
    root: Path = ROOT,
    port: int | None = None,
) -> Server:
    """`streamlit run serve.py` on a free port in its own process group, once healthy.

    `store_idle` sets OPENING_DAY_STORE_IDLE (seconds the app keeps the store after a run;
    benchmarks.reopen times the app holding it for good); None: the app as shipped.
    `entry` "app.py" starts the app without the warm-up (to time what the warm-up saves);
    `root` serves the app of another tree (a worktree of the code before a change); `port`
    (default: a free one) lets servers started one after another share an address, so a
    browser's cache of the app's scripts, which is kept per address, serves them all.

    The same command as tests/e2e/conftest.py's start_app (benchmarks do not import tests).
    """
    port = port or free_port()
    env = {**os.environ, "OPENING_DAY_DB": str(db), "PYTHONUNBUFFERED": "1"}
    env.pop("OPENING_DAY_SHARED", None)  # the owner's own server: no passphrase gate
    env.pop("OPENING_DAY_STORE_IDLE", None)  # the app as shipped: it lets go of the store
    if store_idle is not None:
        env["OPENING_DAY_STORE_IDLE"] = store_idle
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        entry,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    started = time.monotonic()
    deadline = started + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{server.log_text()}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    server.ready_s = round(time.monotonic() - started, 2)
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)  # polling a socket, not waiting on a page
    stop_server(server)
    raise RuntimeError(f"streamlit did not answer within {timeout:.0f} s:\n{server.log_text()}")


def stop_server(server: Server) -> None:
    """Stop the server's whole process group."""
    if server.process.poll() is not None:
        return
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=15)
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------- the import and the store


# New lines for customers the demo already has, dated the month after its data ends, with
# invoice numbers the demo never uses: none is a duplicate of a stored row or of another line.
IMPORT_CSV_SQL = """
copy (
    with paying as (
        select customer, row_number() over (order by customer) as k
        from (select distinct customer from invoices where workspace_id = $w)
    ),
    lines as (
        select
            i,
            (select max(date) from invoices where workspace_id = $w)
                + 1 + (hash(i, 'day') % 30)::integer as invoice_date,
            1 + hash(i, 'customer') % (select count(*) from paying) as k,
            round(20 + (hash(i, 'amount') % 400000) / 100.0, 2) as amount,
            ['Managed services', 'Projects', 'Hardware', 'Cloud licences', 'Security']
                [1 + (hash(i, 'service') % 5)::integer] as service
        from range(1, $rows + 1) as t (i)
    )
    select
        strftime(invoice_date, '%-m/%-d/%Y') as "Invoice Date",
        paying.customer as "Customer Name",
        format('${:,.2f}', amount) as "Amount",
        'LOAD-' || lpad(i::varchar, 7, '0') as "Invoice No",
        service as "Service"
    from lines join paying using (k)
    order by i
) to '{path}' (header, delimiter ',')
"""


def store_facts(db: Path) -> dict[str, Any]:
    """The demo workspace, its invoice count and how many lines carry our invoice numbers."""
    from analytics import store

    con = store.connect(db, read_only=True)
    try:
        ws = store.list_workspaces(con)[0]
        invoices = store.entity_counts(con, ws.id)["invoices"]
        ours, distinct_ours = (
            con.cursor()
            .execute(
                "SELECT count(*), count(DISTINCT invoice_no) FROM invoices "
                "WHERE workspace_id = $w AND invoice_no LIKE 'LOAD-%'",
                {"w": ws.id},
            )
            .fetchall()[0]
        )
        return {
            "workspace_id": ws.id,
            "workspace": ws.name,
            "invoices": invoices,
            "load_lines": int(ours),
            "load_distinct": int(distinct_ours),
        }
    finally:
        con.close()


def write_import_csv(db: Path, workspace_id: int, path: Path, lines: int) -> None:
    import duckdb

    con = duckdb.connect(
        str(db),
        read_only=True,
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    try:
        # the path is ours (a scratch folder), not user input; COPY cannot take it as a parameter
        con.execute(
            IMPORT_CSV_SQL.replace("{path}", str(path).replace("'", "''")),
            {"rows": lines, "w": workspace_id},
        ).fetchall()
    finally:
        con.close()


def import_command(db: Path, workspace: str, csv: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "analytics",
        "import",
        "--db",
        str(db),
        "--workspace",
        workspace,
        "--entity",
        "invoices",
        str(csv),
        "--json",
    ]


# ---------------------------------------------------------------- the sessions


@dataclass
class Visit:
    session: int
    round: int
    page: str
    how: str  # "url" (typed/reloaded) or "sidebar" (clicked)
    started: float  # seconds since the load began
    seconds: float  # to settled: the chart drawn
    heading_s: float | None = None  # to the page's heading (the script has started drawing)
    script_s: float | None = None  # to the script run finished on the server
    error: str | None = None
    kb: float | None = None  # what the server sent for the page (protocol client only)


@dataclass
class LoadState:
    """What the sessions share: visits so far, console errors, the signal to start the import."""

    sessions: int
    visits: list[Visit] = field(default_factory=list)
    first_visits_done: int = 0
    all_started: asyncio.Event = field(default_factory=asyncio.Event)
    console_errors: list[str] = field(default_factory=list)

    def record(self, visit: Visit) -> None:
        self.visits.append(visit)
        if visit.round == 0 and not any(v.session == visit.session for v in self.visits[:-1]):
            self.first_visits_done += 1
            if self.first_visits_done >= self.sessions:
                self.all_started.set()


def _visit(
    index: int,
    r: int,
    slug: str,
    how: str,
    t0: float,
    started: float,
    ended: float,
    marks: list[float],
    error: str | None,
    kb: float | None = None,
) -> Visit:
    """A visit from loop times: `marks` holds when the heading and the end of the run came."""
    heading_s = round(marks[0] - started, 3) if marks else None
    script_s = round(marks[1] - started, 3) if len(marks) > 1 else None
    return Visit(
        index,
        r,
        slug,
        how,
        round(started - t0, 3),
        round(ended - started, 3),
        heading_s,
        script_s,
        error,
        kb,
    )


# ---- in a browser

FAILED = '[data-testid="stException"], [data-testid="stAlertContentError"]'


async def _settle(page: Any, title: str, left: Callable[[], float], marks: list[float]) -> None:
    """Heading (or a failure), then the script run finished, then the first chart drawn.

    Each wait gets what is `left` (ms) of the visit's time; the moments the heading and the
    end of the run were seen (loop time) go into `marks`.
    """
    loop = asyncio.get_running_loop()
    await page.wait_for_selector('[data-testid="stApp"]', timeout=left())
    heading = page.get_by_role("heading", name=title, exact=True, level=1)
    await heading.or_(page.locator(FAILED)).first.wait_for(timeout=left())
    marks.append(loop.time())
    await page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=left()
    )
    marks.append(loop.time())
    if not await page.locator(FAILED).count():
        await page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=left())


async def _page_error(page: Any) -> str | None:
    """An exception or st.error on the page, in a few words."""
    exceptions = page.locator('[data-testid="stException"]')
    if await exceptions.count():
        return "exception: " + (await exceptions.first.inner_text())[:200].replace("\n", " ")
    alerts = page.locator('[data-testid="stAlertContainer"]')
    for k in range(await alerts.count()):
        alert = alerts.nth(k)
        text = await alert.inner_text()
        is_error = await alert.locator('[data-testid="stAlertContentError"]').count()
        if is_error or "⛔" in text:
            return "st.error: " + text[:200].replace("\n", " ")
    return None


async def _browser_session(
    index: int,
    browser: Any,
    url: str,
    pages: list[tuple[str, str]],
    rounds: int,
    state: LoadState,
    t0: float,
) -> None:
    """One browser context: the first page by URL, the others from the sidebar."""
    from playwright.async_api import Error as PlaywrightError

    context = await browser.new_context(viewport=VIEWPORT, locale="en-US")
    console: list[str] = []

    def on_console(msg: Any) -> None:
        said = f"{msg.text} {msg.location.get('url', '')}"
        if msg.type == "error" and not any(p.search(said) for p in BENIGN_CONSOLE):
            console.append(said[:300])

    async def watched_page() -> Any:
        page = await context.new_page()
        page.set_default_timeout(VISIT_TIMEOUT_S * 1000)
        page.on("console", on_console)
        page.on("pageerror", lambda exc: console.append(f"page error: {str(exc)[:300]}"))
        return page

    page = await watched_page()
    loop = asyncio.get_running_loop()
    reload_next = True  # the first visit, and the one after a failed visit, go by URL
    try:
        for r in range(rounds):
            for k in range(len(pages)):
                slug, title = pages[(index + k) % len(pages)]
                how = "url" if reload_next else "sidebar"
                console.clear()
                started = loop.time()
                marks: list[float] = []
                error: str | None = None

                def left(started: float = started) -> float:
                    return max(1.0, (started + VISIT_TIMEOUT_S - loop.time()) * 1000)

                try:
                    if reload_next:
                        await page.goto(f"{url}/{slug}", timeout=left())
                    else:
                        link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{slug}"]')
                        await link.first.click(timeout=left())
                    await _settle(page, title, left, marks)
                    error = await _page_error(page)
                except PlaywrightError as exc:
                    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                    error = f"{type(exc).__name__}: {first_line[:200]}"
                    if "Timeout" in first_line:
                        waited = ["heading", "script end", "chart"][len(marks)]
                        error = (
                            f"not settled within {VISIT_TIMEOUT_S:g} s (waiting for the {waited})"
                        )
                ended = loop.time()
                if error is None and console:
                    error = "console: " + console[0]
                state.record(_visit(index, r, slug, how, t0, started, ended, marks, error))
                state.console_errors += console
                reload_next = error is not None and not error.startswith("console")
                if reload_next:
                    # a new tab for the next URL, as a person would open one: the old one
                    # may still be busy (a navigation that never ended would cut short the
                    # next one)
                    with contextlib.suppress(PlaywrightError):
                        await page.close()
                    page = await watched_page()
    finally:
        await context.close()


# ---- over Streamlit's own protocol


async def _until_finished(
    ws: Any, title: str, marks: list[float], hashes: dict[str, str], received: list[int]
) -> str | None:
    """Read ForwardMsgs until this page's script run has finished; what went wrong, if anything.

    Notes the heading's arrival in `marks` (then the run's end), the page hashes the
    navigation message gives (what a sidebar click sends) and the bytes in `received`.
    """
    from streamlit.proto.Alert_pb2 import Alert
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    loop = asyncio.get_running_loop()
    error: str | None = None
    while True:
        msg = ForwardMsg()
        raw = await ws.recv()
        received.append(len(raw))
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            what = element.WhichOneof("type")
            if what == "heading" and element.heading.body == title and not marks:
                marks.append(loop.time())
            elif what == "exception" and error is None:
                error = f"exception: {element.exception.type}: {element.exception.message[:200]}"
            elif what == "alert" and error is None:
                alert = element.alert
                if alert.format == Alert.ERROR or "⛔" in alert.icon + alert.body:
                    error = "st.error: " + alert.body[:200].replace("\n", " ")
        elif kind == "navigation":
            hashes.update({p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages})
        elif kind == "page_not_found":
            error = error or "page not found"
        elif kind == "script_finished":
            if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                marks.clear()  # st.rerun(): the page starts again
                error = None
                continue
            if not marks:
                marks.append(loop.time())
                error = error or "the page's heading never came"
            marks.append(loop.time())
            return error


async def _protocol_session(
    index: int,
    url: str,
    pages: list[tuple[str, str]],
    rounds: int,
    state: LoadState,
    t0: float,
) -> None:
    """One websocket session, sending what the browser sends (first a page by name, then the
    page hashes a sidebar click sends) and reading the reply, with nothing drawn."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from websockets.asyncio.client import connect
    from websockets.typing import Origin, Subprotocol

    loop = asyncio.get_running_loop()
    hashes: dict[str, str] = {}
    ws_url = "ws" + url.removeprefix("http") + "/_stcore/stream"
    async with connect(
        ws_url,
        subprotocols=[Subprotocol("streamlit")],
        origin=Origin(url),
        max_size=None,
        open_timeout=VISIT_TIMEOUT_S,
    ) as ws:
        for r in range(rounds):
            for k in range(len(pages)):
                slug, title = pages[(index + k) % len(pages)]
                back = BackMsg()
                state_ = back.rerun_script
                state_.query_string = ""
                if slug in hashes:
                    how = "sidebar"
                    state_.page_script_hash = hashes[slug]
                else:
                    how = "url"
                    state_.page_name = slug
                state_.context_info.url = f"{url}/{slug}"
                state_.context_info.timezone = "UTC"
                state_.context_info.locale = "en-US"
                marks: list[float] = []
                received: list[int] = []
                started = loop.time()
                try:
                    await ws.send(back.SerializeToString())
                    error = await asyncio.wait_for(
                        _until_finished(ws, title, marks, hashes, received), VISIT_TIMEOUT_S
                    )
                except TimeoutError:
                    error = f"no answer within {VISIT_TIMEOUT_S:g} s"
                ended = loop.time()
                kb = round(sum(received) / 1024, 1)
                state.record(_visit(index, r, slug, how, t0, started, ended, marks, error, kb))
                if error and error.startswith("no answer"):
                    return  # the session is in an unknown state; the rest are not counted


# ---- both


async def _drive(
    url: str,
    client: str,
    sessions: int,
    rounds: int,
    start_import: Callable[[], Any],
    sampler: Sampler,
) -> tuple[LoadState, float, float, float]:
    """Run every session; start the import once each has one page. Returns the sessions'
    account, when they began (monotonic), their wall time and the browser's CPU seconds."""
    from playwright.async_api import async_playwright

    pages = indicator_pages()
    state = LoadState(sessions)
    loop = asyncio.get_running_loop()

    async def with_the_import(tasks: list[asyncio.Task[None]]) -> tuple[float, Any]:
        everyone = asyncio.gather(*tasks)
        all_started = asyncio.create_task(state.all_started.wait())
        waiters: set[asyncio.Future[Any]] = {all_started, everyone}
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        all_started.cancel()
        import_future = loop.run_in_executor(None, start_import)
        await everyone
        return loop.time(), import_future

    if client == "protocol":
        t0 = loop.time()
        tasks = [
            asyncio.create_task(_protocol_session(i, url, pages, rounds, state, t0))
            for i in range(sessions)
        ]
        ended, import_future = await with_the_import(tasks)
        await import_future
        return state, t0, ended - t0, 0.0

    chromium = shutil.which("chromium")
    if chromium is None:
        raise RuntimeError("Debian chromium is not installed (apt-get install chromium)")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        t0 = loop.time()
        tasks = [
            asyncio.create_task(_browser_session(i, browser, url, pages, rounds, state, t0))
            for i in range(sessions)
        ]
        ended, import_future = await with_the_import(tasks)
        # the browser's CPU is read before it closes (its renderers go with it)
        await asyncio.sleep(1.2)
        browser_cpu = sum(sampler.browser_cpu.values())
        await browser.close()
        await import_future
    state.console_errors = sorted(set(state.console_errors))
    return state, t0, ended - t0, browser_cpu


# ---------------------------------------------------------------- the report


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), interpolated between the nearest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _spread(values: Sequence[float]) -> dict[str, float | int]:
    """How many, p50, p95 and max (no figures when there is nothing to measure)."""
    if not values:
        return {"visits": 0}
    return {
        "visits": len(values),
        "p50": round(percentile(values, 50), 2),
        "p95": round(percentile(values, 95), 2),
        "max": round(max(values), 2),
    }


@dataclass
class LoadReport:
    client: str
    sessions: int
    rounds: int
    pages: list[str]
    visits_planned: int
    visits_done: int
    wall_seconds: float
    settle: dict[str, dict[str, float | int]]  # "all", each page, "during import"
    page_kb: dict[str, float]  # median bytes the server sent per page (protocol client)
    errors: list[str]  # one line per failed visit: session, page, what
    error_count: int
    console_errors: list[str]
    server_log_errors: list[str]
    server_cpu_seconds: float
    server_peak_rss_mb: float
    server_rss_mb_median: float
    browser_cpu_seconds: float
    harness_cpu_seconds: float
    machine_busy_seconds: float
    load_average: dict[str, float]
    import_: dict[str, Any]
    nothing_lost: bool
    lost_check: dict[str, Any]
    visits: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run(
    demo_store: Path,
    workdir: Path,
    *,
    sessions: int = DEFAULT_SESSIONS,
    rounds: int = DEFAULT_ROUNDS,
    import_lines: int = IMPORT_LINES,
    client: str = "browser",
    run_child: Callable[[Sequence[str]], Any] | None = None,
) -> LoadReport:
    """Serve a copy of `demo_store`, drive the sessions and the import, check the store.

    `run_child` runs a command and returns benchmarks.run's ChildRun (wall, CPU and peak
    memory of that child alone); by default the harness's own.
    """
    if run_child is None:
        from benchmarks.run import run_child as harness_run_child

        run_child = harness_run_child
    runner: Callable[[Sequence[str]], Any] = run_child
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "served.duckdb"
    for suffix in ("", ".wal", ".waiting"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(demo_store, db)
    before = store_facts(db)
    csv = workdir / f"new-invoices-{import_lines}.csv"
    write_import_csv(db, before["workspace_id"], csv, import_lines)

    imported: dict[str, Any] = {}

    def start_import() -> None:
        imported["started"] = time.monotonic()
        imported["child"] = runner(import_command(db, before["workspace"], csv))
        imported["ended"] = time.monotonic()

    load_start = os.getloadavg()[0]
    server = start_server(db, workdir / "streamlit.log")
    sampler = Sampler(server.process.pid)
    try:
        busy_before = machine_busy_seconds()
        server_cpu_before = cpu_seconds(server.process.pid) or 0.0
        harness_before = time.process_time()
        sampler.start()
        state, t0, wall, browser_cpu = asyncio.run(
            _drive(server.url, client, sessions, rounds, start_import, sampler)
        )
        server_cpu = (cpu_seconds(server.process.pid) or 0.0) - server_cpu_before
        peak_hwm = status_mb(server.process.pid, "VmHWM") or 0.0
        harness_cpu = time.process_time() - harness_before
        busy = machine_busy_seconds() - busy_before
        load_end = os.getloadavg()[0]
    finally:
        sampler.stop()
        stop_server(server)

    imp = _import_account(imported, t0, csv, import_lines)
    nothing_lost, lost_check = _store_check(db, before, csv, imp, runner)
    window = (imp["started_at"], imp["ended_at"]) if "exit_code" in imp else None
    visits = state.visits
    errors = [f"session {v.session} {v.page} ({v.how}): {v.error}" for v in visits if v.error]
    if imp.get("exit_code", 0) != 0:
        errors.append(f"import exit {imp['exit_code']}: {imp['message']}")
    if not nothing_lost:
        errors.append(f"store check failed: {lost_check}")
    log_errors = server_tracebacks(server.log_text())
    return LoadReport(
        client=client,
        sessions=sessions,
        rounds=rounds,
        pages=list(INDICATOR_PAGES),
        visits_planned=sessions * rounds * len(INDICATOR_PAGES),
        visits_done=sum(v.error is None for v in visits),
        wall_seconds=round(wall, 1),
        settle=_settle_spreads(visits, window),
        page_kb={
            slug: statistics.median(kbs)
            for slug in INDICATOR_PAGES
            if (kbs := [v.kb for v in visits if v.page == slug and v.kb and not v.error])
        },
        errors=errors,
        error_count=len(errors),
        console_errors=state.console_errors[:20],
        server_log_errors=log_errors[:20],
        server_cpu_seconds=round(server_cpu, 1),
        server_peak_rss_mb=round(max(peak_hwm, sampler.peak_rss_mb)),
        server_rss_mb_median=round(statistics.median(sampler.rss_samples or [0.0])),
        browser_cpu_seconds=round(browser_cpu, 1),
        harness_cpu_seconds=round(harness_cpu, 1),
        machine_busy_seconds=round(busy, 1),
        load_average={
            "start": round(load_start, 2),
            "end": round(load_end, 2),
            "mean": round(statistics.mean(sampler.load_samples or [load_end]), 2),
        },
        import_=imp,
        nothing_lost=nothing_lost,
        lost_check=lost_check,
        visits=[asdict(v) for v in visits],
    )


def server_tracebacks(log: str) -> list[str]:
    """Each traceback in the server's log as one line: the error, where in the project it
    was raised, and the thread when it was not a script run."""
    found: list[str] = []
    thread = ""
    where = ""
    inside = False
    for line in log.splitlines():
        if line.startswith("Exception in thread"):
            thread = line.removeprefix("Exception in thread ").rstrip(":")
        elif line.startswith("Traceback (most recent call last)"):
            inside, where = True, ""
        elif inside and line.startswith("  File "):
            match = re.match(r'  File "([^"]+)", line (\d+), in (.+)', line)
            ours = match and "site-packages" not in match.group(1)
            if match and ours and match.group(1).startswith(str(ROOT)):
                path = Path(match.group(1)).relative_to(ROOT)
                where = f"{path}:{match.group(2)} in {match.group(3)}"
        elif inside and line and not line[0].isspace():
            inside = False
            context = f" (thread {thread})" if thread else ""
            found.append(f"{line.strip()[:240]} at {where or '?'}{context}")
            thread = ""
    return found


def _import_account(imported: dict[str, Any], t0: float, csv: Path, lines: int) -> dict[str, Any]:
    """What the import command said: exit code, times (from the load's start), its message."""
    imp: dict[str, Any] = {"lines": lines, "file_mb": round(csv.stat().st_size / MB, 1)}
    child = imported.get("child")
    if child is None:
        return imp
    try:
        report = json.loads(child.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        report = None
    imp.update(
        exit_code=child.returncode,
        wall_seconds=round(child.seconds, 2),
        cpu_seconds=round(child.cpu_seconds, 2),
        peak_mb=round(child.peak_mb),
        started_at=round(imported["started"] - t0, 1),
        ended_at=round(imported["ended"] - t0, 1),
        report=report,
        message=(child.stderr.strip().splitlines() or [""])[-1][:400],
    )
    return imp


def _store_check(
    db: Path,
    before: dict[str, Any],
    csv: Path,
    imp: dict[str, Any],
    run_child: Callable[[Sequence[str]], Any],
) -> tuple[bool, dict[str, Any]]:
    """Nothing lost: a finished import's lines are in the store exactly once (one batch, the
    invoice count up by the lines), a failed one left nothing behind."""
    after = store_facts(db)
    listed = run_child(
        [sys.executable, "-m", "analytics", "batches", "--db", str(db)]
        + ["--workspace", before["workspace"], "--json"]
    )
    ours = [b for b in json.loads(listed.stdout or "[]") if b["file_name"] == csv.name]
    expected = imp["lines"] if imp.get("exit_code") == 0 else 0
    check = {
        "invoices_before": before["invoices"],
        "invoices_after": after["invoices"],
        "added": after["invoices"] - before["invoices"],
        "expected": expected,
        "lines_with_load_numbers": after["load_lines"],
        "distinct_load_numbers": after["load_distinct"],
        "batches_for_file": [{k: b[k] for k in ("batch_id", "rows_imported")} for b in ours],
    }
    ok = (
        check["added"] == expected
        and after["load_lines"] == expected
        and after["load_distinct"] == expected
        and len(ours) == (1 if expected else 0)
        and all(b["rows_imported"] == expected for b in ours)
    )
    return ok, check


def _settle_spreads(
    visits: list[Visit], import_window: tuple[float, float] | None
) -> dict[str, dict[str, float | int]]:
    """p50/p95/max time to settle of the visits that did: all, per page, and cut other ways."""
    good = [v for v in visits if v.error is None]
    spreads = {"all": _spread([v.seconds for v in good])}
    for slug in INDICATOR_PAGES:
        spreads[slug] = _spread([v.seconds for v in good if v.page == slug])
    # how much of it is the server's script run (the rest is the browser drawing)
    spreads["script end"] = _spread([v.script_s for v in good if v.script_s is not None])
    # the first round computes (Streamlit's cache is empty); later ones mostly read the cache
    spreads["round 1"] = _spread([v.seconds for v in good if v.round == 0])
    spreads["later rounds"] = _spread([v.seconds for v in good if v.round > 0])
    if import_window is not None:
        start, end = import_window
        spreads["during import"] = _spread(
            [v.seconds for v in good if v.started < end and v.started + v.seconds > start]
        )
    return spreads


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    parser.add_argument("--db", type=Path, required=True, help="a store holding the large demo")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/opening-day-load"))
    parser.add_argument("--sessions", type=int, default=default_sessions())
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--lines", type=int, default=IMPORT_LINES, help="invoice lines imported")
    parser.add_argument("--client", choices=CLIENTS, default="browser")
    args = parser.parse_args(argv)
    report = run(
        args.db,
        args.workdir,
        sessions=args.sessions,
        rounds=args.rounds,
        import_lines=args.lines,
        client=args.client,
    )
    out = report.as_dict()
    out.pop("visits")
    print(json.dumps(out, indent=2, ensure_ascii=False))
    (args.workdir / "report.json").write_text(json.dumps(report.as_dict(), indent=2) + "\n")
    return 0


def default_sessions() -> int:
    return int(os.environ.get(SESSIONS_ENV, DEFAULT_SESSIONS))


if __name__ == "__main__":
    raise SystemExit(main())
