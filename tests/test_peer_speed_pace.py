"""Prospecting hours' streaks and gaps found with numpy (`_runs`), and the activity types
listed only when neither activities nor time entries gave any hours."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest

from analytics import indicators, store
from analytics.indicators.pace import selling
from tests.conftest import insert_rows

MONDAY = date(2025, 1, 6)


def weeks(flags: str) -> tuple[pd.Series, pd.Series]:
    """'MM..M' → met flags and the Mondays they start on."""
    days = [MONDAY + timedelta(weeks=i) for i in range(len(flags))]
    return pd.Series([f == "M" for f in flags]), pd.Series(days, dtype=object)


def test_runs_by_hand() -> None:
    runs = selling._runs(*weeks("MM...M..M"))
    assert runs["met"].tolist() == [True, False, True, False, True]
    assert runs["length"].tolist() == [2, 3, 1, 2, 1]
    assert runs["start"].tolist() == [MONDAY + timedelta(weeks=w) for w in (0, 2, 5, 6, 8)]
    assert runs["end"].tolist() == [MONDAY + timedelta(weeks=w) for w in (1, 4, 5, 7, 8)]
    one = selling._runs(*weeks("."))
    assert (one["met"].tolist(), one["length"].tolist()) == ([False], [1])
    assert selling._runs(*weeks("")).empty


@pytest.fixture
def ws(con: store.Connection, workspace: store.Workspace) -> int:
    # cold calls (they count) in 13 complete weeks to Sun 6 Apr 2025: 60 min in weeks 1–3,
    # none in 4–5, 60 in 6, none in 7–8, 60 in 9–13 (gaps of 2 weeks twice: the later wins)
    met = [1, 2, 3, 6, 9, 10, 11, 12, 13]
    rows = [
        {"date": MONDAY + timedelta(weeks=w - 1, days=1), "type": "Cold call", "minutes": 60}
        for w in met
    ]
    insert_rows(con, "activities", rows, workspace.id)
    return workspace.id


def test_streaks_and_the_latest_of_equal_gaps(
    con: store.Connection, ws: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed: list[int] = []
    real = selling.activity_types

    def counting(*args: Any) -> pd.DataFrame:
        listed.append(1)
        return real(*args)

    monkeypatch.setattr(selling, "activity_types", counting)
    ctx = indicators.context(con, ws, date(2025, 4, 6))
    assert ctx is not None
    r = indicators.compute(indicators.get("prospecting_hours"), ctx)
    d = r.details
    assert r.value == pytest.approx(9 / 13)  # 9 hours over 13 weeks
    assert (d["weeks_met"], d["current_streak"], d["longest_streak"]) == (9, 5, 5)
    # the gaps in weeks 4–5 and 7–8 are both 2 weeks long: the later one, ending Sun 2 Mar
    assert d["longest_gap_weeks"] == 2
    assert d["longest_gap_ended"] == MONDAY + timedelta(weeks=7, days=6) == date(2025, 3, 2)
    # activities gave hours, so no type list was needed to explain a zero
    assert listed == []
