"""The server warms itself at start, so that the first visit is as quick as the later ones.

On a fresh server the first visit used to pay for the whole process's warm-up: importing
pandas, DuckDB, Plotly and Streamlit's elements, opening the store, and computing the page's
figures into empty caches (1.7–2.2 CPU s on the large demo, against 0.1–0.3 s later).
`serve.py` wraps app.py in `st.App(…, lifespan=lifespan)`, and at server start `lifespan`
does steps 1 and 2 (about a second; a visit that comes meanwhile waits in the socket's queue
rather than share the CPU with them), then starts step 3 in the background, the server
taking visits at once:

1. import every module app.py and the pages import (read from their source),
2. open the store (without waiting: a store a command holds is left to the first visit,
   which waits for it with a note, as always),
3. owner's server: run app.py headless, once per page in `PAGES` for every workspace that
   holds data (up to `MAX_WORKSPACES`, and as many as the figure cache keeps: the first, the
   one the sidebar opens, always), through Streamlit's own runtime, as a visit by URL
   does; each run fills the very caches a visit reads (Streamlit's `st.cache_data`, the
   figures in ui/figure_cache.py, the store's kept Scoreboard), and draws to no one.
   Shared server (`OPENING_DAY_SHARED`): a headless run shows only the passphrase gate, so
   each workspace's indicator results and cached reads are computed directly instead.
   Either way every cached value is keyed by its workspace id and shown only to a session
   that may see that workspace, as for any visit: warming shows nothing to anyone.

The page a browser asks for goes first: serve.py's middleware (`PageRequests`) notes every
request for a page's HTML while the warm-up runs, and the warm-up runs that page next,
stopping a run of another page for it (tried again afterwards). The browser then spends the
second or so it takes to start Streamlit's frontend while the other core computes the page's
figures, and the visit's own run finds them cached. That first run draws only the tab the
visit opens on: every tab takes 1.5–2.5 times as long (Customer fit: 0.45 s against 0.9–1.1 s
on the large demo), and a visit that came meanwhile would wait for them or compute beside
them. Then the warm-up waits for that visit to come and draw (`ASKED_VISIT_S` at most), and
only then warms every tab of the page, and the other pages.

A visit that arrives meanwhile is served as ever: it computes what is not there yet, and a
value being computed by the warm-up is waited for, not computed twice (Streamlit's per-key
compute lock; ui/figure_cache.py's builds under way). The warm-up gives way to visits (on
two cores it would slow them down): a headless run is stopped as soon as a visit's run
starts, and tried again (what it computed stays cached) once no visit is running. Whatever goes wrong
(an empty or damaged store, one a command holds, a page that fails) is logged and ends that
step or the warm-up; it never stops the server from serving.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import gc
import importlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from streamlit.logger import get_logger
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import Runtime
from streamlit.runtime.session_manager import ClientContext, SessionClient

ROOT = Path(__file__).resolve().parent.parent
# The pages warmed, by their URL path ("" is Home), in the order an owner most often opens
# them: the default page first, then the Scoreboard and the indicator pages.
PAGES = ("", "scoreboard", "pace", "niche", "fit", "friction")
MAX_WORKSPACES = 8  # a store with more: the first ones (the sidebar's order) are warmed
RUN_TIMEOUT_S = 300.0  # one headless run (the large demo takes seconds; a busy machine more)
YIELD_POLL_S = 0.05  # how often a waiting warm-up looks whether the visits are done
YIELD_MAX_S = 30.0  # …and how long at most, before it goes on beside them
QUIET_S = 2.0  # after a visit's run, the warm-up waits this long before it goes on
# after warming a page a browser asked for, how long the warm-up waits for that browser's
# visit (it opens its session about a second after asking, on two cores)
ASKED_VISIT_S = 5.0
RUN_TRIES = 3  # a page run stopped this often for visits is left to the visits

_LOG = get_logger(__name__)


@dataclass
class Report:
    """What the last warm-up did (the server logs it; tests read it)."""

    imported: int = 0
    store_open: bool = False
    runs: list[str] = field(default_factory=list)  # "page?query" of each headless run
    prefilled: list[int] = field(default_factory=list)  # workspace ids computed directly
    gave_way: int = 0  # page runs stopped half-way for a visit (and tried again after it)
    asked: list[str] = field(default_factory=list)  # pages run first: a browser asked for them
    problems: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0  # from `started` until the warm-up was done
    done: threading.Event = field(default_factory=threading.Event)


report = Report()
# Pages a browser asked for while the warm-up runs, oldest first: (URL path, workspace name
# from the query or ""); `PageRequests` adds, `warm` takes.
_asked: list[tuple[str, str]] = []
_asked_lock = threading.Lock()


# ---------------------------------------------------------------- steps


def page_modules(root: Path = ROOT) -> list[str]:
    """Every module app.py and the files in pages/ import, in the order they first appear."""
    names: list[str] = []
    for path in [root / "app.py", *sorted((root / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
                # `from ui import store`: the names may be modules themselves
                names += [f"{node.module}.{alias.name}" for alias in node.names]
    return [n for n in dict.fromkeys(names) if n.split(".")[0] != "__future__"]


def import_all(names: Iterable[str]) -> int:
    """Import each module that exists (a name that is a class or function is skipped)."""
    done = 0
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        done += 1
    return done


def open_store() -> list[Any]:
    """Open the store for this process (not waiting for a command that holds it: that raises)
    and hand back the workspaces worth warming: those holding data, in the sidebar's order."""
    from ui import store as ui_store

    ui_store.handle().connection(wait=0)
    workspaces = ui_store.workspaces()
    return [ws for ws in workspaces if any(ui_store.entity_counts(ws.id).values())][:MAX_WORKSPACES]


def prefill(workspace_id: int) -> None:
    """Compute what a workspace's pages read first, at its default day (each figure to its own
    last day), into the same caches: the reads every page makes, every area's indicator
    results and the Scoreboard's. The store is held as by a script run while it does."""
    from analytics import indicators
    from ui import indicators as ui_ind
    from ui import store as ui_store

    handle = ui_store.handle()
    handle.enter()
    try:
        ui_store.settings(workspace_id)
        ui_store.entity_counts(workspace_id)
        ui_store.data_range(workspace_id)
        ui_store.last_data_date(workspace_id)
        ui_store.data_checks(workspace_id)
        for area in indicators.AREAS:
            ui_ind.results(workspace_id, None, area)
        ui_ind.scoreboard(workspace_id, None)
        ui_ind.scoreboard_pictures(workspace_id, None)
    finally:
        handle.leave()


def visited() -> bool:
    """True while a visit's script run is under way, or ended less than `QUIET_S` ago (its
    browser is drawing what it sent: on two cores the warm-up would slow that down too)."""
    from ui import store as ui_store

    return ui_store.visits_running() > 0 or ui_store.since_last_visit() < QUIET_S


# ---------------------------------------------------------------- the page asked for first


def page_asked(path: str, query: str = "") -> str | None:
    """The warmed page (its URL path) a request's path is for, None for anything else (a
    script, a font, Streamlit's own endpoints). `query` is the raw query string; a
    workspace named in it (the sidebar's deep link) is noted with the page."""
    from urllib.parse import parse_qs

    from ui.access import WS_PARAM

    page = path.strip("/")
    if page not in PAGES:
        return None
    with _asked_lock:
        if not report.done.is_set():
            _asked.append((page, (parse_qs(query).get(WS_PARAM) or [""])[0]))
    return page


class PageRequests:
    """ASGI middleware (serve.py's st.App): notes each page a browser asks for (`page_asked`),
    then hands the request on unchanged."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("method") == "GET":
            path = scope.get("path", "")
            root = scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root) :]
            page_asked(path, scope.get("query_string", b"").decode("latin-1"))
        await self.app(scope, receive, send)


def _next_asked(workspaces: list[Any], done: set[tuple[int, str]]) -> tuple[Any, str] | None:
    """The oldest page asked for and not warmed yet: (workspace, page), or None."""
    with _asked_lock:
        while _asked:
            page, name = _asked.pop(0)
            ws = next((w for w in workspaces if w.name == name), workspaces[0])
            if (ws.id, page) not in done:
                return ws, page
    return None


def _other_asked(page: str) -> bool:
    """A browser asked for another page than `page` (the run under way gives way to it)."""
    with _asked_lock:
        return any(asked != page for asked, _ in _asked)


# ---------------------------------------------------------------- headless runs


class Headless(SessionClient):
    """The client of a headless run: draws nothing, notes when the run is over and whether
    it raised."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.finished = asyncio.Event()
        self.failures: list[str] = []

    def write_forward_msg(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "script_finished":
            if msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                self._loop.call_soon_threadsafe(self.finished.set)
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "exception":
                self.failures.append(f"{element.exception.type}: {element.exception.message}")

    @property
    def client_context(self) -> ClientContext | None:
        return None  # no request behind it: nobody reached this run over a network


# Streamlit's logger for "Thread …: missing ScriptRunContext! This warning can be ignored …"
_RUN_CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


@contextlib.contextmanager
def _outside_a_run() -> Iterator[None]:
    """Set a session's state before its run starts, from outside any run, without Streamlit
    logging that there is no run: the warm-up does it on purpose, and an owner starting the
    app would otherwise read that warning twice for every page warmed. Only this thread's
    warnings of that one kind are left out, and only meanwhile."""
    thread = threading.current_thread().name

    def keep(record: logging.LogRecord) -> bool:
        return not (
            record.threadName == thread and "missing ScriptRunContext" in record.getMessage()
        )

    logger = logging.getLogger(_RUN_CONTEXT_LOGGER)
    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


async def run_headless(
    runtime: Runtime,
    page: str,
    query: dict[str, str],
    client: Headless | None = None,
    *,
    give_way: Callable[[], bool] | None = None,
    whole: bool = True,
) -> list[str] | None:
    """Run app.py once for `page` (its URL path) with `query`, as a visit by URL does, in a
    session of its own that is closed afterwards: every tab of an area page, or with
    `whole=False` only the one a visit opens on. Returns the exceptions the run showed, or
    None when it was stopped half-way because `give_way()` said a visit needs the CPU (what
    it computed so far stays cached)."""
    from ui import capture
    from ui.store import BACKGROUND_KEY

    loop = asyncio.get_running_loop()
    client = client or Headless(loop)
    session_id = runtime.connect_session(client=client, user_info={})
    try:
        session = runtime.get_app_session(session_id)
        with _outside_a_run():
            if session is not None and whole:
                # every tab of an area page, so that whichever the owner opens is cached
                session.session_state[capture.WHOLE_PAGE_KEY] = True
            if give_way is not None and session is not None:
                session.session_state[BACKGROUND_KEY] = True  # not a visit: others give way
        msg = BackMsg()
        msg.rerun_script.page_name = page
        msg.rerun_script.query_string = urlencode(query)
        runtime.handle_backmsg(session_id, msg)
        deadline = loop.time() + RUN_TIMEOUT_S
        while not client.finished.is_set():
            if give_way is not None and give_way():
                return None  # closing the session stops the run at its next step
            if loop.time() > deadline:
                raise TimeoutError(f"/{page} did not finish in {RUN_TIMEOUT_S:.0f} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(client.finished.wait(), YIELD_POLL_S)
    finally:
        runtime.close_session(session_id)
    return client.failures


async def _await_visit(since: int) -> None:
    """Wait until a visit has begun since `visits_started()` was `since` (at most
    `ASKED_VISIT_S`: a browser that asked for a page and never came), then until no visit
    needs the CPU."""
    from ui import store as ui_store

    deadline = time.monotonic() + ASKED_VISIT_S
    while ui_store.visits_started() <= since and time.monotonic() < deadline:
        await asyncio.sleep(YIELD_POLL_S)
    await _give_way(visited)


async def _give_way(busy: Callable[[], bool]) -> None:
    """Wait (a while at most) until `busy()` says no visit is running."""
    deadline = time.monotonic() + YIELD_MAX_S
    while busy() and time.monotonic() < deadline:
        await asyncio.sleep(YIELD_POLL_S)


# ---------------------------------------------------------------- the whole warm-up


def prepare(out: Report) -> list[Any] | None:
    """Steps 1 and 2: import what the pages use and open the store. The workspaces worth
    warming, or None when the store could not be opened (noted in `out`); never raises."""
    try:
        out.imported = import_all(page_modules())
    except Exception as exc:  # noqa: BLE001 - a page that cannot be read: its visit says why
        out.problems.append(f"imports: {type(exc).__name__}: {exc}")
    try:
        workspaces = open_store()
    except Exception as exc:  # noqa: BLE001 - locked, damaged, unreadable: a visit says so
        out.problems.append(f"store: {type(exc).__name__}: {exc}")
        return None
    out.store_open = True
    return workspaces


async def warm(
    runtime: Runtime, out: Report, workspaces: list[Any] | None, *, shared: bool | None = None
) -> Report:
    """Step 3 for the `workspaces` `prepare` found (see the module's docstring), noted in
    `out` and logged; never raises."""
    from analytics.access import shared_mode
    from ui import figure_cache
    from ui import store as ui_store
    from ui.access import WS_PARAM

    shared = shared_mode() if shared is None else shared
    try:
        if workspaces is None:
            return out
        if shared:
            # the gate: app.py and the sidebar's code (stopped for a visit: not tried again)
            await run_headless(runtime, "", {}, give_way=visited)
            for ws in workspaces:
                await _give_way(visited)
                await asyncio.to_thread(prefill, ws.id)
                out.prefilled.append(ws.id)
            return out
        kept_before = figure_cache.kept()
        done: set[tuple[int, str]] = set()  # (workspace id, page) run to the end, or given up

        async def warm_page(ws: Any, page: str, *, first: bool = False) -> None:
            query = {WS_PARAM: ws.name} if len(workspaces) > 1 else {}
            if first:
                # A browser asked for it and opens its session within a second or so: the
                # tab it opens on first, then nothing until that visit has come and drawn,
                # then every tab as for any page (see the module's docstring).
                since = ui_store.visits_started()
                failures = await run_headless(runtime, page, query, give_way=visited, whole=False)
                if failures is not None:
                    out.runs.append(f"{page}?{urlencode(query)}#open tab")
                    out.problems += [f"/{page}: {failure}" for failure in failures]
                await _await_visit(since)
            tries = 0
            while tries < RUN_TRIES:
                if not first:  # a page asked for goes first, before this one
                    while (job := _next_asked(workspaces, done)) is not None:
                        out.asked.append(job[1])
                        await warm_page(*job, first=True)
                await _give_way(visited)
                asked_other = False

                def give_way() -> bool:
                    nonlocal asked_other
                    asked_other = not first and _other_asked(page)
                    return asked_other or visited()

                failures = await run_headless(runtime, page, query, give_way=give_way)
                if failures is not None:
                    out.runs.append(f"{page}?{urlencode(query)}")
                    out.problems += [f"/{page}: {failure}" for failure in failures]
                    break
                out.gave_way += 1
                tries += 0 if asked_other else 1  # stopped for a page asked for: not a try
            done.add((ws.id, page))

        for n, ws in enumerate(workspaces):
            # The figures kept are few (figure_cache.MAX_FIGURES, oldest dropped first): the
            # next workspace is warmed only if its figures fit beside those already warmed.
            per_workspace = (figure_cache.kept() - kept_before) / max(n, 1)
            if figure_cache.kept() + per_workspace > figure_cache.MAX_FIGURES:
                break
            for page in PAGES:
                if (ws.id, page) not in done:
                    await warm_page(ws, page)
    except asyncio.CancelledError:  # the server stops
        out.problems.append("stopped with the server")
        raise
    except Exception as exc:  # noqa: BLE001 - the warm-up is a favour, never a failure
        out.problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        out.seconds = round(time.monotonic() - out.started, 2)
        with _asked_lock:
            out.done.set()
            _asked.clear()
        _LOG.info(
            "Warm-up: %d modules, store %s, %d page runs (%d stopped for visits, %d run "
            "first as asked for), %d workspaces computed, %.1f s%s",
            out.imported,
            "open" if out.store_open else "not opened",
            len(out.runs),
            out.gave_way,
            len(out.asked),
            len(out.prefilled),
            out.seconds,
            "".join(f"; {p}" for p in out.problems),
        )
    return out


def open_browser() -> None:
    """Open the app in the browser, as `streamlit run app.py` does on start and Streamlit's
    server for an st.App does not: only when started by `streamlit run serve.py`, and not
    when headless or listening on a socket file."""
    from streamlit import cli_util, config
    from streamlit.web.server import server_address_is_unix_socket, server_util

    if config._server_mode != "starlette-app" or config.get_option("server.headless"):
        return
    if config.is_manually_set("browser.serverAddress"):
        address = config.get_option("browser.serverAddress")
    elif config.is_manually_set("server.address"):
        if server_address_is_unix_socket():
            return
        address = server_util.get_display_address(config.get_option("server.address"))
    else:
        address = "localhost"
    cli_util.open_browser(server_util.get_url(address))


def _freeze() -> None:
    """Leave what the imports made out of Python's full garbage collections from now on.

    Streamlit collects every generation after each script run (`runner.postScriptGC`), and
    a full collection walks every object the process tracks: about 175,000 once pandas,
    DuckDB, Plotly, Streamlit and the app are imported, 70–195 ms a run on the large demo,
    holding the interpreter lock while a visit's run or the warm-up waits for it (about
    0.4 s of a first visit after start, benchmarks/README.md). The imported modules,
    classes and functions live as long as the process, so walking them finds nothing:
    `gc.freeze()` moves them to a generation no collection walks, and a collection then
    walks only what the runs made. The collections the imports would have triggered
    themselves (about 0.25 s of the start) are skipped by collecting nothing until then.
    """
    gc.freeze()
    gc.enable()


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """st.App's lifespan: `prepare`, then start `warm` beside the server (what they did in
    `report`), and stop it with the server; and look for other programs' writes to the
    store from then on (ui/refill.py's `watch_outside`)."""
    from ui import refill

    global report
    report = Report()
    # Imports and the store before the server takes its first visit (a visit that comes
    # meanwhile waits in the socket's queue): then no visit shares a CPU with them.
    gc.disable()
    try:
        workspaces = await asyncio.to_thread(prepare, report)
    finally:
        _freeze()
    task = asyncio.get_running_loop().create_task(warm(Runtime.instance(), report, workspaces))
    refill.watch_outside()  # another program's writes (a command-line import) refill too
    try:
        open_browser()
    except Exception as exc:  # noqa: BLE001 - no browser to open is no reason not to serve
        _LOG.warning("Could not open the browser: %s", exc)
    try:
        yield
    finally:
        task.cancel()
