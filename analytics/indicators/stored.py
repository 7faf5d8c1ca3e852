"""Indicator results kept in the store per data version, so the Scoreboard opens at once.

A result depends on the workspace's batches (imports, the demo, undos), its settings and
the indicator code itself. A kept row's version (`base_version`) names the batches, the code
and the day: any import or undo gives a new one, so a kept result is never served stale; an
old one is simply replaced the next time it is computed. Settings are checked per result:
each remembers the settings it read (settings_read.py) and holds while they keep their
values, so a new weekly goal or one figure's thresholds recompute only the figures that
read them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from analytics import asof, store
from analytics.indicators import (
    REGISTRY,
    Indicator,
    Result,
    compute_all,
    compute_many,
    context,
    result_json,
    settings_read,
)
from analytics.settings import get_settings

# Everything a kept result can depend on: the whole analytics package (indicators, their SQL,
# settings defaults, formatting, the as-of rule…), not only the indicator modules — a change
# to a default or a message must never keep serving yesterday's results.
_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def code_version() -> str:
    """A hash of every Python and SQL file in the analytics package: new code, new results."""
    digest = hashlib.sha256()
    files = sorted(
        p
        for p in _PACKAGE.rglob("*")
        if p.suffix in (".py", ".sql") and "__pycache__" not in p.parts
    )
    for path in files:
        digest.update(str(path.relative_to(_PACKAGE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def data_version(con: store.Connection, workspace_id: int) -> str:
    """What the workspace's figures depend on, as one string."""
    return _version(asof.version_row(con, workspace_id))


def _version(row: tuple[Any, ...]) -> str:
    # Today too: a row dated after today becomes real data the day it arrives (the as-of rule).
    return f"{store.SCHEMA_VERSION}:{code_version()}:{store.today()}:" + ":".join(
        str(v) for v in row
    )


def base_version(con: store.Connection, workspace_id: int) -> str:
    """`data_version` without the settings' part: what a kept result's row is keyed on (the
    settings it read are checked one by one, see `scoreboard_results`)."""
    batches_last, batches_undone, *_settings = asof.version_row(con, workspace_id)
    return _version((batches_last, batches_undone))


def _spark_points(result: Result) -> list[list[Any]]:
    ind = REGISTRY[result.id]
    if ind.spark is None or result.status == "unknown":
        return []
    try:
        series = ind.spark(result)
    except (KeyError, ValueError):
        return []
    clean = series.dropna()
    days = pd.to_datetime(pd.Series(clean.index)).dt.date
    return [
        [d.isoformat(), float(v)] for d, v in zip(days, clean.to_numpy(dtype=float), strict=True)
    ]


def _payload(result: Result, settings: dict[str, Any]) -> str:
    return json.dumps(
        {
            **result_json(result),
            "spark": _spark_points(result),
            "settings": settings_read.recorded(result.settings_read, settings),
        }
    )


def _from_payload(indicator_id: str, data: dict[str, Any]) -> Result:
    spark = pd.DataFrame(data.get("spark") or [], columns=["date", "value"])
    return Result(
        indicator_id,
        data["value"],
        data["status"],
        data["message"],
        data["details"],
        spark.assign(date=pd.to_datetime(spark["date"]).dt.date),
        # the settings it read, as it was kept (every one for a row kept before they were)
        frozenset(data.get("settings", {settings_read.EVERY: None})),
    )


def stored_spark(result: Result) -> pd.Series:
    """The sparkline kept with a stored result (its frame holds only the series)."""
    frame = result.frame
    if list(frame.columns) != ["date", "value"]:
        return pd.Series(dtype=float)
    return pd.Series(frame["value"].to_numpy(dtype=float), index=frame["date"])


# Works out the figures a kept Scoreboard lacks, under the given settings (a caller's own
# cached results, say); None when it cannot, and they are computed here.
Compute = Callable[[list[Indicator], dict[str, Any]], dict[str, Result] | None]


def scoreboard_results(
    con: store.Connection,
    workspace_id: int,
    as_of: date | None = None,
    *,
    compute: Compute | None = None,
) -> dict[str, Result]:
    """Every indicator's value, status, message, details and sparkline for the Scoreboard.

    Read from the store when this data version has them and the settings each one read
    still have the values it read; the others are computed (only those) and kept. The
    results' frames hold only the sparkline series (see `stored_spark`): pages that draw
    an indicator's charts compute it themselves. `compute` may hand over figures the
    caller already has (the app's area pages' cached results: ui/indicators.py).
    """
    key = as_of.isoformat() if as_of else "latest"
    version = base_version(con, workspace_id)
    settings = get_settings(con, workspace_id)
    rows = (
        con.cursor()
        .execute(
            "SELECT indicator_id, payload FROM indicator_results "
            "WHERE workspace_id = $w AND as_of_key = $k AND version = $v",
            {"w": workspace_id, "k": key, "v": version},
        )
        .fetchall()
    )
    kept = {i: json.loads(p) for i, p in rows if i in REGISTRY}
    payloads = {
        i: data
        for i, data in kept.items()
        if settings_read.still_holds(data.get("settings", {}), settings)
    }
    stale = [ind for i, ind in REGISTRY.items() if i not in payloads]
    if stale:
        fresh = compute(stale, settings) if compute is not None else None
        if fresh is None:
            ctx = context(con, workspace_id, as_of, settings)
            fresh = (
                compute_many(stale, ctx)
                if ctx is not None
                else compute_all(con, workspace_id, as_of, settings=settings)
            )
        made = {ind.id: _payload(fresh[ind.id], settings) for ind in stale}
        with store.transaction(con) as tx:
            # this day's rows of older versions, and the figures made again
            tx.execute(
                "DELETE FROM indicator_results WHERE workspace_id = $w AND as_of_key = $k "
                "AND (version <> $v OR list_contains($ids, indicator_id))",
                {"w": workspace_id, "k": key, "v": version, "ids": list(made)},
            )
            tx.executemany(
                "INSERT INTO indicator_results (workspace_id, as_of_key, indicator_id, version, "
                "payload) VALUES (?, ?, ?, ?, ?)",
                [[workspace_id, key, i, version, p] for i, p in made.items()],
            )
        payloads.update({i: json.loads(p) for i, p in made.items()})
    return {i: _from_payload(i, payloads[i]) for i in REGISTRY}
