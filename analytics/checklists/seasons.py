"""Season reset ("opening day"): freeze the closing season's figures, start counting afresh."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from analytics import indicators, store
from analytics.errors import ChecklistError
from analytics.settings import SETTINGS, get_settings, save_settings
from analytics.store import Connection, transaction


@dataclass(frozen=True)
class Season:
    id: int
    started_on: date | None
    ended_on: date
    figures: dict[str, dict[str, Any]]
    closed_by: str
    closed_at: datetime

    @property
    def label(self) -> str:
        start = self.started_on.isoformat() if self.started_on else "the beginning"
        return f"{start} to {self.ended_on.isoformat()}"


def current_start(con: Connection, workspace_id: int) -> date | None:
    value = get_settings(con, workspace_id).get("season_start")
    return date.fromisoformat(value) if value else None


def start_season(
    con: Connection, workspace_id: int, new_start: date, closed_by: str = ""
) -> Season:
    """Freeze the closing season's indicator values, then move the season start to `new_start`.

    The figures are computed up to the day before the new season (or each indicator's own
    last day when the data ends earlier) and stored as JSON: later imports cannot change them.
    """
    SETTINGS["season_start"].validate(new_start.isoformat())
    old_start = current_start(con, workspace_id)
    if old_start is not None and new_start <= old_start:
        raise ChecklistError(
            f"The new season must start after the current one (which began {old_start.isoformat()})."
        )
    closing_day = new_start - timedelta(days=1)
    last = store.last_data_date(con, workspace_id)
    last_day = pd.Timestamp(last).date() if last is not None else None
    as_of = closing_day if last_day is not None and closing_day < last_day else None
    results = indicators.compute_all(con, workspace_id, as_of)
    figures = {ind_id: indicators.result_json(r) for ind_id, r in results.items()}
    with transaction(con) as tx:  # one write: the season closes and the next starts, or neither
        season_id = int(
            tx.execute(
                "INSERT INTO seasons (workspace_id, started_on, ended_on, figures, closed_by) "
                "VALUES ($w, $s, $e, $f, $b) RETURNING id",
                {
                    "w": workspace_id,
                    "s": old_start,
                    "e": closing_day,
                    "f": json.dumps(figures),
                    "b": closed_by.strip(),
                },
            ).fetchall()[0][0]
        )
        save_settings(tx, workspace_id, {"season_start": new_start.isoformat()})
    return [s for s in list_seasons(con, workspace_id) if s.id == season_id][0]


def list_seasons(con: Connection, workspace_id: int) -> list[Season]:
    """Closed seasons, oldest first."""
    rows = (
        con.cursor()
        .execute(
            "SELECT id, started_on, ended_on, figures, closed_by, closed_at FROM seasons "
            "WHERE workspace_id = $w ORDER BY ended_on, id",
            {"w": workspace_id},
        )
        .fetchall()
    )
    return [Season(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows]


def side_by_side(
    seasons: list[Season], current: dict[str, indicators.Result] | None = None
) -> pd.DataFrame:
    """Long table for a side-by-side view: indicator_id, season, value, status (season order kept).

    `current` adds the season under way as the last column.
    """
    records: list[dict[str, Any]] = [
        {
            "indicator_id": ind_id,
            "season": s.label,
            "value": fig.get("value"),
            "status": fig.get("status"),
        }
        for s in seasons
        for ind_id, fig in s.figures.items()
    ]
    if current is not None:
        records += [
            {"indicator_id": ind_id, "season": "This season", "value": r.value, "status": r.status}
            for ind_id, r in current.items()
        ]
    return pd.DataFrame(records, columns=["indicator_id", "season", "value", "status"])
