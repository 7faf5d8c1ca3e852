"""The "as of" rule in words: which day each source runs to, and what a page says about it.

Each figure counts up to the last real date of the entity it reads (`store.ENTITY_DATE`:
never an open deal's forecast close, never a day after today) unless the owner picks a
day. When a page reads sources that end on different days, it says so in one line; Home
flags a source that ends long before the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics import format as fmt
from analytics.store import Connection, entity_last_day

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


@dataclass(frozen=True)
class SourceEnd:
    entity: str
    last: date


def source_ends(con: Connection, workspace_id: int, entities: Iterable[str]) -> list[SourceEnd]:
    """Each dated source's own last real day, latest first (sources without dates left out)."""
    ends = []
    for entity in dict.fromkeys(entities):
        last = entity_last_day(con, workspace_id, entity)
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
