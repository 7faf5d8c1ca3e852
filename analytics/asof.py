"""The "as of" rule in words: which day each source runs to, and what a page says about it.

Each figure counts up to the last real date of the entity it reads (`store.ENTITY_DATE`:
never an open deal's forecast close, never a day after today) unless the owner picks a
day. When a page reads sources that end on different days, it says so in one line; Home
flags a source that ends long before the others.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from analytics import format as fmt
from analytics import store
from analytics.queries import parsed
from analytics.store import Connection

# How an owner calls each dated entity in a sentence.
WORDS: dict[str, str] = {
    "invoices": "invoices",
    "deals": "deals",
    "time_entries": "time entries",
    "activities": "activities",
    "tickets": "tickets",
}

# A source that ends this many days before the latest one is stale (Home says so).
STALE_DAYS = 90


def words(entities: Iterable[str]) -> str:
    """'invoices', 'invoices and tickets', 'invoices, deals and tickets'."""
    names = [WORDS[e] for e in entities]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# What a workspace's figures depend on in the store, as one row: its batches (every import,
# the demo and every undo record one; deleting the workspace deletes them) and its settings.
# `indicators.stored.data_version` keys the kept Scoreboard results on it.
VERSION_SQL = """SELECT * FROM
  (SELECT coalesce(max(id), 0), count(undone_at) FROM batches WHERE workspace_id = $w),
  (SELECT coalesce(max(saved_at)::VARCHAR, ''), count(*) FROM settings WHERE workspace_id = $w)"""


def version_row(con: Connection, workspace_id: int) -> tuple[Any, ...]:
    """The workspace's data version as `VERSION_SQL` reads it (one small query)."""
    row = store.reader(con).execute(parsed(VERSION_SQL), {"w": workspace_id}).fetchall()[0]
    return tuple(row)


# `VERSION_SQL`'s four parts for every workspace at once, by workspace id.
VERSIONS_SQL = """SELECT w.id, coalesce(b.last, 0), coalesce(b.undone, 0),
  coalesce(s.saved, ''), coalesce(s.n, 0)
FROM workspaces AS w
LEFT JOIN (SELECT workspace_id, max(id) AS last, count(undone_at) AS undone
           FROM batches GROUP BY workspace_id) AS b ON b.workspace_id = w.id
LEFT JOIN (SELECT workspace_id, max(saved_at)::VARCHAR AS saved, count(*) AS n
           FROM settings GROUP BY workspace_id) AS s ON s.workspace_id = w.id"""


def versions(con: Connection) -> dict[int, tuple[Any, ...]]:
    """Every workspace's data version (`version_row`'s parts), by id, in one small query: two
    readings differ for exactly the workspaces an import, undo or settings change touched in
    between (or that were made meanwhile)."""
    rows = store.reader(con).execute(parsed(VERSIONS_SQL)).fetchall()
    return {int(row[0]): tuple(row[1:]) for row in rows}


# Each open store's last real days per workspace, kept with the day (`store.today`) and the
# key they were read at: the data version and how many rows each dated table holds for the
# workspace (rows written without a batch, as a test's hand-made ones, change the counts). A
# new indicator context on unchanged data reads them from here instead of scanning every
# dated table again. Forgotten with the connection.
_LAST_DAYS: weakref.WeakKeyDictionary[Any, dict[int, tuple[tuple[Any, ...], dict[str, Any]]]]
_LAST_DAYS = weakref.WeakKeyDictionary()
_LAST_DAYS_LOCK = threading.Lock()


def _key_sql() -> str:
    # the counts as one list from a union of the scans: a fifth cheaper to plan than a
    # scalar subquery each
    counts = " UNION ALL ".join(
        f"SELECT {i} AS part, count(*) AS n FROM {name} WHERE workspace_id = $w"
        for i, name in enumerate(store.ENTITY_DATE)
    )
    return (
        f"SELECT v.*, c.counts FROM ({VERSION_SQL}) AS v, "
        f"(SELECT list(n ORDER BY part) AS counts FROM ({counts})) AS c"
    )


def _key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The key as `_key_sql` reads it, hashable (its counts a tuple, not a list)."""
    return tuple(tuple(v) if isinstance(v, list) else v for v in row)


def _read_last_days(
    con: Connection, workspace_id: int, today: date
) -> tuple[tuple[Any, ...], dict[str, date | None]]:
    """The key (`_key_sql`) and every dated entity's last real day, in one statement, so
    both come from the same moment of the store."""
    days = ", ".join(
        f"(SELECT max({expr}) FROM {name} WHERE workspace_id = $w AND {expr} <= $today)"
        for name, expr in store.ENTITY_DATE.items()
    )
    text = f"SELECT k.*, {days} FROM ({_key_sql()}) AS k"
    result = store.reader(con).execute(parsed(text), {"w": workspace_id, "today": today})
    row = result.fetchall()[0]
    parts = len(row) - len(store.ENTITY_DATE)
    last = {name: _as_day(v) for name, v in zip(store.ENTITY_DATE, row[parts:], strict=True)}
    return _key(tuple(row[:parts])), last


def _as_day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def last_days(con: Connection, workspace_id: int) -> dict[str, date | None]:
    """Every dated entity's own last real day (what `store.entity_last_day` gives for each),
    kept per store, workspace, data version, row counts and day: an import, an undo, the
    demo, a settings change or deleting the workspace changes the key, so a kept day is
    never served stale. Costs one small query (the key) when nothing changed. Inside an
    open transaction the days are read afresh and not kept (what it wrote may roll back)."""
    today = store.today()
    if store.in_transaction(con):
        return _read_last_days(con, workspace_id, today)[1]
    with _LAST_DAYS_LOCK:
        try:
            kept = _LAST_DAYS.get(con, {}).get(workspace_id)
        except TypeError:  # a connection that takes no weak reference: nothing is kept
            kept = None
    if kept is not None and kept[0][0] == today:
        found = con.cursor().execute(parsed(_key_sql()), {"w": workspace_id}).fetchall()[0]
        key = _key(tuple(found))
        if kept[0][1] == key:
            return dict(kept[1])
    key, days = _read_last_days(con, workspace_id, today)
    with _LAST_DAYS_LOCK, contextlib.suppress(TypeError):
        _LAST_DAYS.setdefault(con, {})[workspace_id] = ((today, key), days)
    return dict(days)


def last_data_day(con: Connection, workspace_id: int) -> date | None:
    """The latest of `last_days` (`store.last_data_date`, from the kept days): the default
    as-of day."""
    known = [d for d in last_days(con, workspace_id).values() if d is not None]
    return max(known) if known else None


@dataclass(frozen=True)
class SourceEnd:
    entity: str
    last: date


def source_ends(con: Connection, workspace_id: int, entities: Iterable[str]) -> list[SourceEnd]:
    """Each dated source's own last real day, latest first (sources without dates left out)."""
    ends = []
    days = last_days(con, workspace_id)
    for entity in dict.fromkeys(entities):
        last = days[entity]
        if last is not None:
            ends.append(SourceEnd(entity, last))
    return sorted(ends, key=lambda s: (s.last, s.entity), reverse=True)


def ends_from_range(frame: pd.DataFrame, entities: Iterable[str]) -> list[SourceEnd]:
    """`source_ends` from a `store.data_range` frame the caller already has."""
    wanted = set(entities)
    ends = [
        SourceEnd(str(entity), pd.Timestamp(last).date())
        for entity, last in zip(frame["entity"], frame["last"], strict=True)
        if entity in wanted and last is not None and not pd.isna(last)
    ]
    return sorted(ends, key=lambda s: (s.last, s.entity), reverse=True)


def sources_line(ends: list[SourceEnd], picked: date | None = None) -> str:
    """One line on the days a page's figures run to.

    Sources on one day: "Figures as of 30 Dec 2019, the last day of your invoices."
    On different days: "Each figure counts to its own data's last day: invoices run to
    30 Dec 2019, tickets to 15 Mar 2020." A picked day: "Figures as of 1 Jun 2019, a day you
    picked." (plus the sources that end before it).
    """
    if picked is not None:
        line = f"Figures as of {fmt.day(picked)}, a day you picked."
        before = [s for s in ends if s.last < picked]
        if before:
            parts = [f"{WORDS[s.entity]} end on {fmt.day(s.last)}" for s in before]
            line += " Your " + "; ".join(parts) + "."
        return line
    if not ends:
        return "No dated data yet."
    days = {s.last for s in ends}
    if len(days) == 1:
        return f"Figures as of {fmt.day(ends[0].last)}, the last day of your {words(s.entity for s in ends)}."
    by_day = sorted(ends, key=lambda s: (s.last, s.entity))
    parts = [f"{WORDS[by_day[0].entity]} run to {fmt.day(by_day[0].last)}"]
    parts += [f"{WORDS[s.entity]} to {fmt.day(s.last)}" for s in by_day[1:]]
    return "Each figure counts to its own data's last day: " + ", ".join(parts) + "."


def stale(ends: list[SourceEnd], days: int = STALE_DAYS) -> list[tuple[SourceEnd, int]]:
    """Sources that end more than `days` days before the latest one, with the gap in days."""
    if not ends:
        return []
    latest = max(s.last for s in ends)
    return [(s, (latest - s.last).days) for s in ends if (latest - s.last).days > days]
