"""Indicator results kept in the store per data version, so the Scoreboard opens at once, and
an area page's first visit after a restart reads its figures instead of computing them.

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
    in_area,
    result_json,
    settings_read,
    whole,
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
    # The points as _spark_points wrote them ([ISO day, value]), read without pandas'
    # date parsing: it guessed the format for every figure, most of a kept Scoreboard's read.
    points = data.get("spark") or []
    spark = pd.DataFrame(
        {
            "date": pd.Series([date.fromisoformat(d) for d, _ in points], dtype=object),
            "value": pd.Series([float(v) for _, v in points], dtype=float if points else object),
        }
    )
    return Result(
        indicator_id,
        data["value"],
        data["status"],
        data["message"],
        data["details"],
        spark,
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
    key = as_of.isoformat() if as_of else LATEST
    version = base_version(con, workspace_id)
    settings = get_settings(con, workspace_id)
    payloads = {i: p for i, (p, _) in _kept(con, workspace_id, key, version, settings).items()}
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
        # The area pages keep their figures whole as they compute them (`area_results`, which
        # `compute` may have called): those rows are there now, and stay as they are.
        payloads.update(
            {i: p for i, (p, _) in _kept(con, workspace_id, key, version, settings).items()}
        )
        missing = {ind.id: fresh[ind.id] for ind in stale if ind.id not in payloads}
        payloads.update(_keep(con, workspace_id, key, version, missing, settings, wholes=False))
    return {i: _from_payload(i, payloads[i]) for i in REGISTRY}


# The day whole results are kept for: the one every page opens on (no day picked), so a first
# visit after a restart finds them. One set per workspace (about 3 MB at a million invoice
# lines); a picked day's figures are computed as before.
LATEST = "latest"


def _kept(
    con: store.Connection,
    workspace_id: int,
    key: str,
    version: str,
    settings: dict[str, Any],
    *,
    wholes: list[str] | None = None,
) -> dict[str, tuple[dict[str, Any], bytes | None]]:
    """The rows kept for this day and data version whose figures still hold under `settings`
    (each read settings keep the values it read): id → (payload, None); with `wholes`, only
    those figures', each with its whole bytes (None when not kept whole)."""
    if wholes is None:
        sql = "SELECT indicator_id, payload, NULL FROM indicator_results WHERE "
        params: dict[str, Any] = {}
    else:
        sql = (
            "SELECT indicator_id, payload, whole FROM indicator_results "
            "WHERE list_contains($ids, indicator_id) AND "
        )
        params = {"ids": wholes}
    rows = (
        con.cursor()
        .execute(
            sql + "workspace_id = $w AND as_of_key = $k AND version = $v",
            {**params, "w": workspace_id, "k": key, "v": version},
        )
        .fetchall()
    )
    out: dict[str, tuple[dict[str, Any], bytes | None]] = {}
    for indicator_id, payload, blob in rows:
        data = json.loads(payload)
        if indicator_id in REGISTRY and settings_read.still_holds(
            data.get("settings", {}), settings
        ):
            out[indicator_id] = (data, blob)
    return out


def _keep(
    con: store.Connection,
    workspace_id: int,
    key: str,
    version: str,
    fresh: dict[str, Result],
    settings: dict[str, Any],
    *,
    wholes: bool,
) -> dict[str, dict[str, Any]]:
    """Keep `fresh` results for this day and version (replacing this day's rows of older
    versions, and these figures' own), each whole too when `wholes` (and it comes back exact:
    whole.encode); returns their payloads."""
    if not fresh:
        return {}
    made = {i: _payload(r, settings) for i, r in fresh.items()}
    blobs = {i: whole.encode(r) for i, r in fresh.items()} if wholes else {}
    with store.transaction(con) as tx:
        tx.execute(
            "DELETE FROM indicator_results WHERE workspace_id = $w AND as_of_key = $k "
            "AND (version <> $v OR list_contains($ids, indicator_id))",
            {"w": workspace_id, "k": key, "v": version, "ids": list(made)},
        )
        tx.executemany(
            "INSERT INTO indicator_results (workspace_id, as_of_key, indicator_id, version, "
            "payload, whole) VALUES (?, ?, ?, ?, ?, ?)",
            [[workspace_id, key, i, version, p, blobs.get(i)] for i, p in made.items()],
        )
    return {i: json.loads(p) for i, p in made.items()}


def area_results(
    con: store.Connection, workspace_id: int, area: str, settings: dict[str, Any] | None = None
) -> dict[str, Result]:
    """Every indicator of `area` at the data's last day, whole (details and frames as
    computed), as an area page reads them: the kept ones read back (whole.decode), the
    others (none kept for this data version, a setting they read changed, bytes another
    version of the libraries wrote) computed and kept, whole, with the Scoreboard's row."""
    settings = settings if settings is not None else get_settings(con, workspace_id)
    chosen = in_area(area)
    version = base_version(con, workspace_id)
    out: dict[str, Result] = {}
    ids = [ind.id for ind in chosen]
    for i, (data, blob) in _kept(con, workspace_id, LATEST, version, settings, wholes=ids).items():
        read = frozenset(data.get("settings", {settings_read.EVERY: None}))
        result = whole.decode(blob, i, read) if blob is not None else None
        if result is not None:
            out[i] = result
    stale = [ind for ind in chosen if ind.id not in out]
    if stale:
        ctx = context(con, workspace_id, None, settings)
        if ctx is None:  # no dated data at all: nothing worth keeping
            return compute_all(con, workspace_id, None, area=area, settings=settings)
        fresh = compute_many(stale, ctx)
        _keep(con, workspace_id, LATEST, version, fresh, settings, wholes=True)
        out.update(fresh)
    return {ind.id: out[ind.id] for ind in chosen}
