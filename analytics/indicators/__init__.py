"""The indicator registry: one entry per indicator; pages, scoreboard, CLI and cards loop over it."""

from __future__ import annotations

import importlib
import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from analytics import areas, asof, store
from analytics import format as fmt
from analytics.indicators import entries, settings_read
from analytics.indicators.base import (
    STATUS_ICON,
    STATUS_ORDER,
    STATUS_WORD,
    Context,
    Indicator,
    NotEnoughData,
    Result,
    Status,
    Thresholds,
)
from analytics.settings import get_settings

__all__ = [
    "AREAS",
    "REGISTRY",
    "STATUS_ICON",
    "STATUS_ORDER",
    "STATUS_WORD",
    "Context",
    "Indicator",
    "NotEnoughData",
    "Result",
    "Status",
    "Thresholds",
    "compute",
    "compute_all",
    "compute_many",
    "effective_thresholds",
    "get",
    "jsonable",
    "register",
    "register_entry",
    "result_json",
]

# Area id → label (its page's title), in the order pages show them (`analytics.areas`).
AREAS: dict[str, str] = areas.labels()

REGISTRY: dict[str, Indicator] = {}

# Modules that register indicators when imported (one per area).
_AREA_MODULES = tuple(a.module for a in areas.AREAS)


def register(indicator: Indicator) -> Indicator:
    if indicator.id in REGISTRY:
        raise ValueError(f"indicator {indicator.id!r} registered twice")
    if indicator.area not in AREAS:
        raise ValueError(f"indicator {indicator.id!r} has unknown area {indicator.area!r}")
    REGISTRY[indicator.id] = indicator
    return indicator


def register_entry(
    indicator_id: str,
    *,
    compute: Callable[[Context], Result],
    spark: Callable[[Result], pd.Series] | None = None,
    thresholds: Thresholds | Callable[[dict[str, Any]], Thresholds] | None = None,
) -> Indicator:
    """Register the entry whose plain fields are in its area's indicators.toml, with its code
    parts: the compute function, a sparkline, and thresholds when they are code (a function
    of the settings, or a constant the code also uses) rather than numbers in the file."""
    return register(
        entries.indicator(indicator_id, compute=compute, spark=spark, thresholds=thresholds)
    )


def _load() -> None:
    for module in _AREA_MODULES:
        importlib.import_module(module)
    missing = entries.unregistered(set(REGISTRY))
    if missing:
        raise entries.EntryError(
            f"entries no module registers (call register_entry for each): {', '.join(missing)}"
        )


def get(indicator_id: str) -> Indicator:
    try:
        return REGISTRY[indicator_id]
    except KeyError:
        raise KeyError(f"no indicator {indicator_id!r}") from None


def in_area(area: str) -> list[Indicator]:
    return [i for i in REGISTRY.values() if i.area == area]


def effective_thresholds(indicator: Indicator, settings: dict[str, Any]) -> Thresholds:
    """The owner's thresholds for an indicator, else its defaults."""
    return indicator.thresholds_for(settings)


def context(
    con: store.Connection,
    workspace_id: int,
    as_of: date | None = None,
    settings: dict[str, Any] | None = None,
) -> Context | None:
    """The compute context; as_of defaults to the last date in the data. None when no data."""
    # each source's last real day, kept while the data is unchanged (one small check)
    days = asof.last_days(con, workspace_id) if as_of is None else {}
    day = as_of or max((d for d in days.values() if d is not None), default=None)
    if day is None:
        return None
    return Context(
        con,
        workspace_id,
        day,
        settings_read.Settings(settings or get_settings(con, workspace_id)),
        explicit=as_of is not None,
        last_days=days,
    )


# A picked day may run this many days past the data's end before a figure says it would
# count empty days: a month, so an export taken mid-month still reads to the month end.
PICKED_DAY_GRACE_DAYS = 31


def after_the_data(indicator: Indicator, ctx: Context) -> Result | None:
    """ "Not enough data" when the owner picked a day well after every source the indicator
    reads ends, instead of a figure that counts the days in between as empty."""
    if not ctx.explicit or not indicator.counts_days:
        return None
    days = {e: ctx.last_day(e) for e in indicator.reads}
    known = {e: d for e, d in days.items() if d is not None}
    if not known:
        return None
    last = max(known.values())
    gap = (ctx.as_of - last).days
    if gap <= PICKED_DAY_GRACE_DAYS:
        return None
    names = asof.words(known)
    return indicator.unknown(
        f"Your {names} end on {fmt.day(last)}, {gap:,} days before the day you picked "
        f"({fmt.day(ctx.as_of)}): the days in between would count as empty. Pick a day on or "
        f"before {fmt.day(last)}, or load {names} up to {fmt.day(ctx.as_of)}.",
        details={"data_ends": last, "picked": ctx.as_of},
    )


def compute(indicator: Indicator, ctx: Context) -> Result:
    """Compute one indicator and apply the owner's thresholds to its value.

    A figure that can be computed but would count the empty days after its data ends (a
    picked day well past it) becomes "not enough data" saying so; a figure that cannot be
    computed keeps its own reason (what to load comes first). The result notes which of the
    owner's settings it read (`settings_read`: all of them when the context's settings do
    not note reads).
    """
    with settings_read.reading() as keys:
        if not isinstance(ctx.settings, settings_read.Settings):
            keys.add(settings_read.EVERY)
        result = _compute(indicator, ctx)
    result.settings_read = frozenset(keys)
    return result


def _compute(indicator: Indicator, ctx: Context) -> Result:
    try:
        result = indicator.compute(ctx)
    except NotEnoughData as stop:
        result = stop.result
    # The day this figure counts to, for the page's line, the CLI and snapshots.
    result.details.setdefault("as_of", ctx.day_for(indicator.reads, indicator.anchor))
    if result.value is None or result.status == "unknown":
        return result
    late = after_the_data(indicator, ctx)
    if late is not None:
        # The figure's details and table stay (a page can still show them); its value and
        # colour do not.
        late.details = {**result.details, **late.details, "value": result.value}
        late.frame = result.frame
        return late
    result.status = indicator.judge(result.value, ctx.settings)
    return result


def compute_all(
    con: store.Connection,
    workspace_id: int,
    as_of: date | None = None,
    *,
    area: str | None = None,
    settings: dict[str, Any] | None = None,
) -> dict[str, Result]:
    """Every registered indicator (or one area's) for a workspace, keyed by id."""
    ctx = context(con, workspace_id, as_of, settings)
    chosen = [i for i in REGISTRY.values() if area is None or i.area == area]
    if ctx is None:
        return {
            i.id: i.unknown("No data yet: load invoices, deals, time entries or activities first.")
            for i in chosen
        }
    return compute_many(chosen, ctx)


# Figures of one context run side by side, on as many threads as the machine has cores (at
# most 4): most of a figure's time is DuckDB's, which runs outside Python's lock, so two
# figures' queries use two cores. The frames they share (`common.shared`) are still made once.
FIGURE_THREADS = min(os.cpu_count() or 1, 4)
_POOL: list[ThreadPoolExecutor] = []
_POOL_LOCK = threading.Lock()
_IN_POOL = threading.local()


def _pool() -> ThreadPoolExecutor:
    with _POOL_LOCK:
        if not _POOL:
            _POOL.append(
                ThreadPoolExecutor(FIGURE_THREADS, thread_name_prefix="opening-day-figures")
            )
        return _POOL[0]


def _compute_in_pool(indicator: Indicator, ctx: Context) -> Result:
    _IN_POOL.active = True
    try:
        return compute(indicator, ctx)
    finally:
        _IN_POOL.active = False


def compute_many(chosen: list[Indicator], ctx: Context) -> dict[str, Result]:
    """`compute` for each of `chosen` on one context, keyed by id in their order: side by
    side on the figure threads, or one after the other on a one-core machine or when called
    from a figure thread itself (no thread ever waits on the pool it runs in). An error in
    one figure is raised as `compute` would raise it, the first in `chosen`'s order, once
    every figure has stopped (none still reads the store when the page run ends)."""
    if FIGURE_THREADS < 2 or len(chosen) < 2 or getattr(_IN_POOL, "active", False):
        return {i.id: compute(i, ctx) for i in chosen}
    pool = _pool()
    running = [(i.id, pool.submit(_compute_in_pool, i, ctx)) for i in chosen]
    wait([future for _, future in running])
    return {ident: future.result() for ident, future in running}


def jsonable(value: Any) -> Any:
    """Plain JSON types all the way down: numbers stay numbers, NaN becomes null, dates ISO."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def result_json(result: Result) -> dict[str, Any]:
    """One indicator's result as the CLI and snapshots print it (no frame)."""
    return {
        "value": jsonable(result.value),
        "status": result.status,
        "message": result.message,
        "details": jsonable(result.details),
    }


_load()
