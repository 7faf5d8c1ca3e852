"""Indicator results kept in the store per data version, so the Scoreboard opens at once.

A version names everything a result depends on: the workspace's batches (imports, the
demo, undos), its settings, and the indicator code itself. Any import, undo or settings
change gives a new version, so a kept result is never served stale; an old one is simply
replaced the next time it is computed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from analytics import asof, store
from analytics.indicators import REGISTRY, Result, compute_all, result_json

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
    row = asof.version_row(con, workspace_id)
    # Today too: a row dated after today becomes real data the day it arrives (the as-of rule).
    return f"{store.SCHEMA_VERSION}:{code_version()}:{store.today()}:" + ":".join(
        str(v) for v in row
    )


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


def _payload(result: Result) -> str:
    return json.dumps({**result_json(result), "spark": _spark_points(result)})


def _from_payload(indicator_id: str, text: str) -> Result:
    data = json.loads(text)
    spark = pd.DataFrame(data.get("spark") or [], columns=["date", "value"])
    return Result(
        indicator_id,
        data["value"],
        data["status"],
        data["message"],
        data["details"],
        spark.assign(date=pd.to_datetime(spark["date"]).dt.date),
    )


def stored_spark(result: Result) -> pd.Series:
    """The sparkline kept with a stored result (its frame holds only the series)."""
    frame = result.frame
    if list(frame.columns) != ["date", "value"]:
        return pd.Series(dtype=float)
    return pd.Series(frame["value"].to_numpy(dtype=float), index=frame["date"])


def scoreboard_results(
    con: store.Connection, workspace_id: int, as_of: date | None = None
) -> dict[str, Result]:
    """Every indicator's value, status, message, details and sparkline for the Scoreboard.

    Read from the store when this data version has them, else computed and kept. The
    results' frames hold only the sparkline series (see `stored_spark`): pages that draw
    an indicator's charts compute it themselves.
    """
    key = as_of.isoformat() if as_of else "latest"
    version = data_version(con, workspace_id)
    rows = (
        con.cursor()
        .execute(
            "SELECT indicator_id, payload FROM indicator_results "
            "WHERE workspace_id = $w AND as_of_key = $k AND version = $v",
            {"w": workspace_id, "k": key, "v": version},
        )
        .fetchall()
    )
    kept = {i: _from_payload(i, p) for i, p in rows if i in REGISTRY}
    if len(kept) == len(REGISTRY):
        return {i: kept[i] for i in REGISTRY}
    fresh = compute_all(con, workspace_id, as_of)
    payloads = {i: _payload(r) for i, r in fresh.items()}
    with store.transaction(con) as tx:
        tx.execute(
            "DELETE FROM indicator_results WHERE workspace_id = $w AND as_of_key = $k",
            {"w": workspace_id, "k": key},
        )
        tx.executemany(
            "INSERT INTO indicator_results (workspace_id, as_of_key, indicator_id, version, payload) "
            "VALUES (?, ?, ?, ?, ?)",
            [[workspace_id, key, i, version, p] for i, p in payloads.items()],
        )
    return {i: _from_payload(i, p) for i, p in payloads.items()}
