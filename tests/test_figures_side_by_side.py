"""A page's figures run side by side on the figure threads (indicators.compute_many): the same
results as one after the other, each shared frame made once, and never a thread waiting on the
pool it runs in."""

from __future__ import annotations

import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from analytics import indicators, store
from analytics.indicators import Context, Indicator, Result, common


@pytest.fixture
def ctx(demo_read: store.Connection, demo_ws: int) -> Context:
    """A fresh context on the demo business (a new memo of shared frames)."""
    made = indicators.context(demo_read, demo_ws)
    assert made is not None
    return made


def _same(a: Result, b: Result) -> None:
    assert (a.id, a.value, a.status, a.message) == (b.id, b.value, b.status, b.message)
    assert indicators.result_json(a) == indicators.result_json(b)
    assert a.frame.equals(b.frame)


def test_side_by_side_gives_what_one_after_the_other_gives(
    demo_read: store.Connection, demo_ws: int, ctx: Context
) -> None:
    alone = indicators.context(demo_read, demo_ws)  # its own memo: nothing shared with ctx
    assert alone is not None
    chosen = list(indicators.REGISTRY.values())
    together = indicators.compute_many(chosen, ctx)
    assert list(together) == [i.id for i in chosen]  # the registry's order, whoever finished first
    for ind in chosen:
        _same(together[ind.id], indicators.compute(ind, alone))


def test_compute_all_runs_its_figures_on_the_figure_threads(
    demo_read: store.Connection, demo_ws: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    if indicators.FIGURE_THREADS < 2:
        pytest.skip("a one-core machine computes one figure after the other")
    threads: set[str] = set()
    compute = indicators.compute

    def noting(ind: Indicator, ctx: Context) -> Result:
        threads.add(threading.current_thread().name)
        return compute(ind, ctx)

    monkeypatch.setattr(indicators, "compute", noting)
    results = indicators.compute_all(demo_read, demo_ws, area="fit")
    assert list(results) == [i.id for i in indicators.in_area("fit")]
    assert threads and all(t.startswith("opening-day-figures") for t in threads)


def test_a_shared_frame_is_made_once_when_two_figures_want_it_at_once(ctx: Context) -> None:
    made: list[int] = []
    started = threading.Event()

    def make() -> dict[str, Any]:
        started.set()
        time.sleep(0.2)  # long enough for the second caller to arrive while this one makes it
        made.append(1)
        return {"rows": 3}

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(common.shared, ctx, ("slow fact",), make)
        started.wait(5)
        second = pool.submit(common.shared, ctx, ("slow fact",), make)
        a, b = first.result(5), second.result(5)
    assert made == [1]
    assert a is b


def test_a_shared_frame_that_fails_is_made_by_the_next_caller(ctx: Context) -> None:
    calls: list[int] = []

    def make() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the store was busy")
        return 42

    with pytest.raises(RuntimeError, match="busy"):
        common.shared(ctx, ("flaky",), make)
    assert common.shared(ctx, ("flaky",), make) == 42
    assert common.shared(ctx, ("flaky",), make) == 42
    assert len(calls) == 2


def test_a_figure_that_computes_others_does_not_wait_on_its_own_pool(ctx: Context) -> None:
    """Every figure thread busy with a figure that itself asks for two more: run from a figure
    thread, compute_many works them out in that thread (queued on the pool, they would wait
    for threads that are all waiting for them)."""
    pareto, growth = indicators.get("revenue_pareto"), indicators.get("segment_growth")

    def asks_for_two(ctx: Context) -> Result:
        inner = indicators.compute_many([pareto, growth], ctx)
        return Result("asks", inner["revenue_pareto"].value, "unknown", "two inside")

    asking = [
        dataclasses.replace(pareto, id=f"asks_{n}", compute=asks_for_two)
        for n in range(indicators.FIGURE_THREADS + 1)
    ]
    with ThreadPoolExecutor(1) as outside:
        done = outside.submit(indicators.compute_many, asking, ctx)
        results = done.result(timeout=60)
    expected = indicators.compute(pareto, ctx).value
    assert [r.value for r in results.values()] == [expected] * len(asking)


def test_an_error_in_one_figure_is_raised_once_every_figure_has_stopped(ctx: Context) -> None:
    """As `compute` raises it, and only when the slow figure beside it is done too: none
    still reads the store when the page run that asked ends."""
    finished: list[str] = []

    def broken(ctx: Context) -> Result:
        raise ZeroDivisionError("a bug in one figure")

    def slow(ctx: Context) -> Result:
        time.sleep(0.3)
        finished.append("slow")
        return Result("slow", 1.0, "green", "done")

    pareto = indicators.get("revenue_pareto")
    chosen = [
        dataclasses.replace(pareto, id="broken", compute=broken),
        dataclasses.replace(pareto, id="slow", compute=slow),
    ]
    with pytest.raises(ZeroDivisionError, match="a bug in one figure"):
        indicators.compute_many(chosen, ctx)
    assert finished == ["slow"]
