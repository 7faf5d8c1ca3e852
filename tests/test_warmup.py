"""The server's warm-up at start (ui/warmup.py, started by serve.py's st.App lifespan).

Each served case runs in a child process of its own (Streamlit's runtime is one per process):
`probe` builds serve.py's `st.App` around app.py, drives its ASGI lifespan as uvicorn does
(the warm-up starts), waits for the warm-up's report, then opens pages in new headless
sessions, as visits by URL, through the same runtime. Work is counted through hooks, not
timed: every `analytics.indicators.compute_all` call, and every figure built by a
`figure_cache.once` builder.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from analytics import indicators, store
from tests.conftest import ROOT

WARM_TIMEOUT_S = 240.0
DEMO_NAME = "Harbour IT"  # the demo business (its name, as any page shows it)


# ---------------------------------------------------------------- the child process


def probe(
    pages: list[str], hold_store: bool = False, asked: tuple[str, ...] = ()
) -> dict[str, Any]:
    """In a child process: serve app.py as serve.py does, let it warm up, then visit `pages`.

    `hold_store`: another program holds the store file while the server starts (as a command
    would), and lets go once the warm-up has given up on it, before the visits. `asked`: the
    paths a browser asked for (through serve.py's middleware) as the server started.
    """
    import streamlit as st
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime import Runtime

    from analytics.indicators import stored
    from ui import figure_cache, warmup
    from ui import store as ui_store

    computed: list[str] = []  # per call: the area, or who asked for every area
    original = indicators.compute_all
    # Streamlit's "missing ScriptRunContext" warnings, as an owner starting the app reads them
    no_run = CountedWarnings()
    logging.getLogger(warmup._RUN_CONTEXT_LOGGER).addHandler(no_run)

    def counter(caller: str) -> Any:
        def counting(*args: Any, **kwargs: Any) -> Any:
            computed.append(kwargs.get("area") or caller)
            return original(*args, **kwargs)

        return counting

    indicators.compute_all = counter("every area")  # type: ignore[assignment]
    stored.compute_all = counter("stored scoreboard")  # type: ignore[assignment]
    many = stored.compute_many
    areas = stored.area_results
    in_area = threading.local()  # the area whose kept whole results are being made

    def counting_many(chosen: Any, ctx: Any) -> Any:
        computed.append(getattr(in_area, "name", None) or "stored scoreboard")
        return many(chosen, ctx)

    def counting_areas(con: Any, workspace_id: int, area: str, settings: Any = None) -> Any:
        in_area.name = area
        try:
            return areas(con, workspace_id, area, settings)
        finally:
            in_area.name = None

    stored.compute_many = counting_many  # type: ignore[assignment]
    stored.area_results = counting_areas  # type: ignore[assignment]

    class Seen(warmup.Headless):
        """A headless visit that also keeps the text of everything it was sent."""

        def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
            super().__init__(loop)
            self.text: list[str] = []

        def write_forward_msg(self, msg: ForwardMsg) -> None:
            if msg.WhichOneof("type") == "delta":
                self.text.append(str(msg.delta))
            super().write_forward_msg(msg)

    holder = None
    if hold_store:
        holder = subprocess.Popen(
            [sys.executable, "-c", _HOLD.format(db=os.environ[store.DB_ENV])],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"

    async def serve() -> dict[str, Any]:
        app = st.App(str(ROOT / "app.py"), lifespan=warmup.lifespan)
        for path in asked:
            await warmup.PageRequests(_answered)(
                {"type": "http", "method": "GET", "path": path, "query_string": b""}, None, None
            )
        inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        started = asyncio.Event()

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.complete":
                started.set()
            elif message["type"] == "lifespan.startup.failed":
                raise RuntimeError(message.get("message"))

        await inbox.put({"type": "lifespan.startup"})
        server = asyncio.create_task(app({"type": "lifespan"}, inbox.get, send))
        await asyncio.wait_for(started.wait(), 60)
        # what the imports made, left out of every full collection from then on (_freeze)
        collector = {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}
        report = warmup.report
        await asyncio.to_thread(report.done.wait, WARM_TIMEOUT_S)
        if holder is not None:
            holder.kill()
            holder.wait()
        out: dict[str, Any] = {
            "done": report.done.is_set(),
            "store_open": report.store_open,
            "runs": report.runs,
            "asked": report.asked,
            "prefilled": report.prefilled,
            "problems": report.problems,
            "imported": report.imported,
            "gc": collector,
            "computed": sorted(computed),
            "figures": figure_cache.kept(),
            "builds": figure_cache.builds,
            "run_context_warnings": no_run.count,
            "visits": {},
        }
        for page in pages:
            before, builds = len(computed), figure_cache.builds
            seen = Seen(asyncio.get_running_loop())
            failures = await warmup.run_headless(Runtime.instance(), page, {}, seen)
            out["visits"][page] = {
                "computed": len(computed) - before,
                "builds": figure_cache.builds - builds,
                "failures": failures,
                "charts": sum(t.count("plotly_chart {") for t in seen.text),
                "names_business": any(DEMO_NAME in t for t in seen.text),
                "welcome": any("Welcome to Opening Day" in t for t in seen.text),
            }
        # a run that must give way (a visit is running) is stopped, not waited for
        out["given_way"] = await warmup.run_headless(
            Runtime.instance(), "friction", {}, give_way=lambda: True
        )
        out["visits_running"] = ui_store.visits_running()
        await inbox.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(server, 60)
        return out

    return asyncio.run(serve())


class CountedWarnings(logging.Handler):
    """Counts the records it is handed that say a thread has no script run."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "missing ScriptRunContext" in record.getMessage():
            self.count += 1


async def _answered(scope: Any, receive: Any, send: Any) -> None:
    """The app behind the middleware, in `probe`: the request is answered (nothing to do)."""


_HOLD = "import duckdb, time; c = duckdb.connect({db!r}); print('ok', flush=True); time.sleep(120)"


def served(
    db: Path,
    pages: list[str],
    *,
    shared: bool = False,
    hold: bool = False,
    asked: tuple[str, ...] = (),
) -> Any:
    """`probe` in a child process on the store `db`; its findings."""
    env = {**os.environ, store.DB_ENV: str(db), "PYTHONUNBUFFERED": "1"}
    env.pop("OPENING_DAY_SHARED", None)
    if shared:
        env["OPENING_DAY_SHARED"] = "1"
    code = (
        "import json, os, sys; from tests.test_warmup import probe; "
        f"print('PROBE' + json.dumps(probe({pages!r}, {hold!r}, {asked!r}))); sys.stdout.flush(); "
        # Leave without Python's shutdown: Streamlit's and DuckDB's own threads are still
        # alive there, and DuckDB can abort the process as they are stopped (seen in CI).
        "os._exit(0)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=WARM_TIMEOUT_S + 120,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("PROBE")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    return json.loads(lines[-1][len("PROBE") :])


# ---------------------------------------------------------------- what is imported


def test_the_modules_warmed_are_those_app_and_pages_import(tmp_path: Path) -> None:
    from ui.warmup import page_modules

    (tmp_path / "pages").mkdir()
    (tmp_path / "app.py").write_text(
        "from __future__ import annotations\nimport streamlit as st\nfrom ui import store\n"
    )
    (tmp_path / "pages" / "b.py").write_text("import pandas as pd, duckdb\nfrom . import x\n")
    (tmp_path / "pages" / "a.py").write_text("from ui.format import plain\nimport streamlit\n")
    assert page_modules(tmp_path) == [
        "streamlit",
        "ui",
        "ui.store",
        "ui.format",  # pages in name order: a.py before b.py
        "ui.format.plain",
        "pandas",
        "duckdb",
    ]


def test_the_real_pages_need_pandas_duckdb_plotly_and_every_page_helper() -> None:
    from ui.warmup import import_all, page_modules

    names = page_modules()
    assert {"pandas", "streamlit", "ui.store", "ui.indicators", "ui.sidebar"} <= set(names)
    assert import_all(["json", "json.no_such_module", "ui.format.plain"]) == 1


# ---------------------------------------------------------------- served


PAGES = ["", "scoreboard", "pace", "niche", "fit", "friction"]
# every area once (the Scoreboard's kept results now take the areas' own), and the
# Scoreboard's kept results once more on the day "What changed" compares with
EVERY_AREA_AND_THE_KEPT_SCOREBOARD = sorted([*indicators.AREAS, "stored scoreboard"])


def test_the_warm_up_computes_every_page_so_the_first_visits_compute_nothing(
    demo_db: Path,
) -> None:
    found = served(demo_db, PAGES)
    assert found["done"] and found["store_open"] and found["problems"] == []
    # Python's collector is on again once the imports are done, and what they made (pandas,
    # DuckDB, Plotly, Streamlit, the app: 250,000 objects here) is no more walked by it
    assert found["gc"]["enabled"] and found["gc"]["frozen"] > 100_000
    # one workspace: each page once, by its URL path, with no query
    assert found["runs"] == ["?", "scoreboard?", "pace?", "niche?", "fit?", "friction?"]
    # each area's indicators computed once (the Scoreboard's kept results and the area pages
    # read the same entries), and every indicator once more for the day "What changed"
    # compares with (a fresh store keeps none yet)
    assert found["computed"] == EVERY_AREA_AND_THE_KEPT_SCOREBOARD
    assert found["figures"] > 0 and found["builds"] == found["figures"]
    # warming says nothing an owner starting the app would take for a fault
    assert found["run_context_warnings"] == 0
    for page, visit in found["visits"].items():
        assert visit["failures"] == [], page
        assert (visit["computed"], visit["builds"]) == (0, 0), page
        assert visit["names_business"], page
    # a warm-up run stopped for a visit ends at once; no visit is left counted as running
    assert found["given_way"] is None and found["visits_running"] == 0
    # the pages really drew their charts from what the warm-up kept
    assert found["visits"]["scoreboard"]["charts"] > 0
    assert found["visits"]["friction"]["charts"] > 0


def test_the_page_a_browser_asks_for_is_warmed_first(demo_db: Path) -> None:
    # the browser asks for Sales vs tech (and a script file, which is no page) as the server
    # starts: that page is run first, the tab it opens on alone, then (its visit not coming
    # here) every tab of it, then the others in their order, each once
    found = served(demo_db, ["friction"], asked=("/friction", "/static/js/index.js"))
    assert found["done"] and found["problems"] == []
    assert found["asked"] == ["friction"]
    assert found["runs"] == [
        "friction?#open tab",
        "friction?",
        "?",
        "scoreboard?",
        "pace?",
        "niche?",
        "fit?",
    ]
    assert found["computed"] == EVERY_AREA_AND_THE_KEPT_SCOREBOARD
    assert found["visits"]["friction"]["failures"] == []
    assert (found["visits"]["friction"]["computed"], found["visits"]["friction"]["builds"]) == (
        0,
        0,
    )


def test_an_empty_store_warms_nothing_and_home_still_welcomes(db_file: Path) -> None:
    store.connect(db_file).close()
    found = served(db_file, [""])
    assert found["done"] and found["store_open"] and found["problems"] == []
    assert found["runs"] == [] and found["computed"] == []
    assert found["visits"][""]["failures"] == []
    assert found["visits"][""]["welcome"]


def test_a_store_a_command_holds_stops_the_warm_up_not_the_server(demo_db: Path) -> None:
    found = served(demo_db, ["scoreboard"], hold=True)
    assert found["done"] and not found["store_open"]
    assert len(found["problems"]) == 1 and found["problems"][0].startswith("store: StoreLocked")
    assert found["runs"] == [] and found["computed"] == []
    # once the command let go, the first visit opens the store and computes its own page:
    # the Scoreboard, every area's indicators (then kept in the store), and every indicator
    # again on the day "What changed" compares with
    visit = found["visits"]["scoreboard"]
    assert visit["failures"] == [] and visit["names_business"] and visit["charts"] > 0
    assert (visit["computed"], visit["builds"]) == (len(indicators.AREAS) + 1, visit["charts"])


@pytest.mark.parametrize("page", ["scoreboard"])
def test_a_shared_server_computes_each_workspace_but_shows_it_to_no_one(
    demo_db: Path, page: str
) -> None:
    con = store.connect(demo_db)
    try:
        demo_id = store.list_workspaces(con)[0].id
    finally:
        con.close()
    found = served(demo_db, [page], shared=True)
    assert found["done"] and found["store_open"] and found["problems"] == []
    assert found["runs"] == [] and found["prefilled"] == [demo_id]
    # computed directly, not by running the pages: each area once (the kept Scoreboard takes
    # the areas' results), and no earlier day for "What changed"
    assert found["computed"] == sorted(indicators.AREAS)
    # a new session is at the gate: nothing of the business, nothing computed for it
    visit = found["visits"][page]
    assert visit["failures"] == [] and not visit["names_business"]
    assert (visit["computed"], visit["charts"]) == (0, 0)


def test_several_workspaces_are_warmed_while_their_figures_fit(demo_db: Path) -> None:
    from analytics import demo
    from ui.figure_cache import MAX_FIGURES

    con = store.connect(demo_db)
    try:
        for n, name in enumerate(["Second Shop", "Third Shop", "Fourth Shop"], start=1):
            demo.load_demo(con, name, seed=42 + n)  # other data: figures of their own
        names = [ws.name for ws in store.list_workspaces(con)]
    finally:
        con.close()
    found = served(demo_db, [])
    assert found["done"] and found["problems"] == []
    per_workspace = found["figures"] / 3
    # the small demo's pages keep 30 figures (the Scoreboard's trends are pictures, not
    # figures): three workspaces (90) fit in 96, a fourth would not
    assert (MAX_FIGURES, per_workspace) == (96, 30)
    warmed = [f"{page}?ws={name.replace(' ', '+')}" for name in names[:3] for page in PAGES]
    assert found["runs"] == warmed
    # each workspace's areas once, and its kept Scoreboard
    assert found["computed"] == sorted(EVERY_AREA_AND_THE_KEPT_SCOREBOARD * 3)
