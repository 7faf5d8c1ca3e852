"""The parts the warm-up leans on: a figure being built is waited for, not built twice, and
the store's idle closing is one thread while the store is open, not one per script run."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest

from ui import figure_cache


@pytest.fixture
def empty_cache() -> Any:
    figure_cache.clear()
    yield figure_cache
    figure_cache.clear()


def test_a_second_caller_waits_for_the_figure_under_way(empty_cache: Any) -> None:
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def bars(n: int) -> go.Figure:
        calls.append(n)
        started.set()
        release.wait(10)
        return go.Figure(go.Bar(y=list(range(n))))

    build = figure_cache.once(bars)
    got: dict[str, go.Figure] = {}
    first = threading.Thread(target=lambda: got.update(warm_up=build(3)))
    first.start()
    assert started.wait(10)  # the warm-up is building it …
    second = threading.Thread(target=lambda: got.update(visit=build(3)))
    second.start()
    time.sleep(0.2)  # … a visit asks for the same figure meanwhile, and waits
    assert "visit" not in got
    release.set()
    first.join(10)
    second.join(10)
    assert calls == [3]  # built once
    assert got["visit"] is got["warm_up"]
    assert list(got["visit"].data[0].y) == [0, 1, 2]
    assert empty_cache.kept() == 1


def test_a_build_that_fails_lets_the_waiting_caller_build_it(empty_cache: Any) -> None:
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def bars(n: int) -> go.Figure:
        calls.append(threading.current_thread().name)
        if len(calls) == 1:
            started.set()
            release.wait(10)
            raise RuntimeError("the store went away")
        return go.Figure(go.Bar(y=[n]))

    build = figure_cache.once(bars)
    failed: list[Exception] = []

    def first() -> None:
        try:
            build(7)
        except RuntimeError as exc:
            failed.append(exc)

    one = threading.Thread(target=first, name="warm-up")
    one.start()
    assert started.wait(10)
    got: list[go.Figure] = []
    two = threading.Thread(target=lambda: got.append(build(7)), name="visit")
    two.start()
    time.sleep(0.2)
    release.set()
    one.join(10)
    two.join(10)
    assert [str(e) for e in failed] == ["the store went away"]
    assert calls == ["warm-up", "visit"]
    assert list(got[0].data[0].y) == [7]
    assert build(7) is got[0]  # and it is kept now
    assert calls == ["warm-up", "visit"]


def _idle_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "opening-day-store-idle"]


def test_twenty_runs_arm_one_idle_thread_that_ends_with_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.store

    monkeypatch.setattr(ui.store, "IDLE_SECONDS", 0.3)
    handle = ui.store.StoreHandle(str(tmp_path / "store.duckdb"))
    before = set(_idle_threads())
    for _ in range(20):
        handle.enter()
        handle.connection()
        handle.leave()
    assert handle.is_open()
    ours = set(_idle_threads()) - before
    assert len(ours) == 1  # one for the open store, not one per run
    assert handle.runs == 0
    deadline = time.monotonic() + 5
    while handle.is_open() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not handle.is_open()  # let go once idle, as before
    ours.pop().join(2)
    assert set(_idle_threads()) - before == set()  # and its thread ended with it
    handle.enter()  # a later run opens it again: a new thread for that opening
    handle.connection()
    handle.leave()
    assert len(set(_idle_threads()) - before) == 1
    handle.close()


@pytest.mark.parametrize(
    ("mode", "headless", "opened"),
    [
        ("starlette-app", False, ["http://127.0.0.1:8501"]),  # `streamlit run serve.py`
        ("starlette-app", True, []),  # --server.headless true (the tests, the benchmarks)
        ("asgi-server", False, []),  # served by uvicorn directly: not ours to open
    ],
)
def test_the_browser_opens_as_streamlit_run_app_py_opened_it(
    monkeypatch: pytest.MonkeyPatch, mode: str, headless: bool, opened: list[str]
) -> None:
    from streamlit import cli_util, config

    from ui import warmup

    options = {
        "server.headless": headless,
        "server.address": "127.0.0.1",
        "server.port": 8501,
        "browser.serverPort": 8501,
        "server.baseUrlPath": "",
        "server.sslCertFile": None,
        "global.developmentMode": False,
    }
    urls: list[str] = []
    monkeypatch.setattr(config, "_server_mode", mode)
    monkeypatch.setattr(config, "get_option", options.__getitem__)
    monkeypatch.setattr(config, "is_manually_set", lambda key: key == "server.address")
    monkeypatch.setattr(cli_util, "open_browser", urls.append)
    warmup.open_browser()
    assert urls == opened


def test_the_middleware_notes_the_pages_asked_for_and_passes_every_request_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio

    from ui import warmup

    monkeypatch.setattr(warmup, "report", warmup.Report())
    monkeypatch.setattr(warmup, "_asked", [])
    answered: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        answered.append(scope["path"])

    async def ask(path: str, query: bytes = b"", method: str = "GET", root: str = "") -> None:
        scope = {"type": "http", "method": method, "path": path, "query_string": query}
        await warmup.PageRequests(app)({**scope, "root_path": root}, None, None)

    async def requests() -> None:
        await ask("/")  # Home
        await ask("/pace", b"ws=Harbour+IT&weeks=all")  # the sidebar's deep link
        await ask("/static/js/index.DormvYxC.js")  # a script: no page
        await ask("/_stcore/health")
        await ask("/data")  # a page the warm-up does not run
        await ask("/fit", method="POST")
        await ask("/od/niche", root="/od")  # served under a base path
        warmup.report.done.set()
        await ask("/friction")  # after the warm-up: nothing to note

    asyncio.run(requests())
    assert answered == [
        "/",
        "/pace",
        "/static/js/index.DormvYxC.js",
        "/_stcore/health",
        "/data",
        "/fit",
        "/od/niche",
        "/friction",
    ]
    assert warmup._asked == [("", ""), ("pace", "Harbour IT"), ("niche", "")]


def test_the_page_asked_for_is_taken_for_its_workspace_once() -> None:
    from types import SimpleNamespace

    from ui import warmup

    one, two = SimpleNamespace(id=1, name="Acme"), SimpleNamespace(id=2, name="Harbour IT")
    warmup._asked[:] = [("pace", "Harbour IT"), ("pace", "Nobody"), ("fit", "Acme")]
    done = {(1, "fit")}
    assert warmup._next_asked([one, two], done) == (two, "pace")
    assert warmup._other_asked("pace")  # fit is still asked for
    assert warmup._next_asked([one, two], done) == (one, "pace")  # an unknown name: the first
    assert not warmup._other_asked("fit")
    assert warmup._next_asked([one, two], done) is None  # Acme's fit is done already
    assert warmup._asked == []


def test_after_a_page_asked_for_the_warm_up_waits_for_its_visit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio

    from ui import store as ui_store
    from ui import warmup

    monkeypatch.setattr(warmup, "QUIET_S", 0.3)
    monkeypatch.setattr(warmup, "ASKED_VISIT_S", 0.6)
    monkeypatch.setattr(warmup, "YIELD_POLL_S", 0.01)

    async def visit(after: float, lasting: float) -> None:
        await asyncio.sleep(after)
        ui_store._count_visit(1)
        await asyncio.sleep(lasting)
        ui_store._count_visit(-1)

    async def waited(*visits: tuple[float, float]) -> float:
        await asyncio.sleep(warmup.QUIET_S)  # no visit ended lately
        since = ui_store.visits_started()
        started = time.monotonic()
        await asyncio.gather(warmup._await_visit(since), *(visit(*v) for v in visits))
        return time.monotonic() - started

    # the browser that asked comes after 0.2 s and its run lasts 0.1 s: the warm-up goes on
    # once the browser has had QUIET_S to draw (0.2 + 0.1 + 0.3 s), not sooner
    assert 0.55 < asyncio.run(waited((0.2, 0.1))) < 0.9
    # it never comes: the warm-up goes on after ASKED_VISIT_S
    assert 0.55 < asyncio.run(waited()) < 0.9
    # it came while the page was being warmed (before `since`): no waiting for another one
    before = ui_store.visits_started()
    ui_store._count_visit(1)
    ui_store._count_visit(-1)
    assert ui_store.visits_started() == before + 1

    async def already() -> float:
        await asyncio.sleep(warmup.QUIET_S)
        started = time.monotonic()
        await warmup._await_visit(before)
        return time.monotonic() - started

    assert asyncio.run(already()) < 0.1
