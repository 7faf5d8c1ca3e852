"""The weekly scorecard on a hand-made store: goals, weekly cells, averages, what is missing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from analytics import scorecard, store
from analytics.settings import defaults

AS_OF = date(2025, 6, 30)  # a Monday: the last complete week starts Mon 23 Jun


@pytest.fixture
def ws(con: store.Connection, workspace: store.Workspace) -> int:
    # Weekdays 1 Jan – 30 Jun 2025, 8 h a day; Mondays are not billable.
    con.execute(
        """INSERT INTO time_entries (workspace_id, date, person, hours, billable)
        SELECT $w, d::DATE, 'Tech', 8, dayofweek(d) <> 1
        FROM generate_series(DATE '2025-01-01', DATE '2025-06-30', INTERVAL 1 DAY) t(d)
        WHERE dayofweek(d) BETWEEN 1 AND 5""",
        {"w": workspace.id},
    )
    # Two tickets in the week of 16 Jun, none otherwise.
    con.execute(
        "INSERT INTO tickets (workspace_id, opened, customer) VALUES ($w, DATE '2025-06-17', 'A'), "
        "($w, DATE '2025-06-18', 'B')",
        {"w": workspace.id},
    )
    store.refresh_facts(con, workspace.id)  # what an import does after writing rows
    return workspace.id


def test_weeks_goals_and_averages_by_hand(con: store.Connection, ws: int) -> None:
    sc = scorecard.weekly_scorecard(con, ws, AS_OF, defaults())
    assert len(sc.weeks) == 13
    assert sc.weeks[-1] == date(2025, 6, 23) and sc.weeks[0] == date(2025, 3, 31)
    rows = sc.table.set_index("measurable")
    # Goal = own average of the weeks before the 13 shown, from the first week with data:
    # 30 Dec (Wed–Fri, 24 h) then 12 full weeks of 40 h → (24 + 480) / 13.
    assert rows.loc["hours_logged", "goal"] == pytest.approx((24 + 12 * 40) / 13)
    assert rows.loc["hours_logged", "goal_source"] == "your 13-week average"
    # Billable: the first week is all billable (no Monday), then 32 of 40 h.
    assert rows.loc["billable_share", "goal"] == pytest.approx((1 + 12 * 0.8) / 13)
    assert rows.loc["billable_share", "avg_4"] == pytest.approx(0.8)
    assert rows.loc["hours_logged", date(2025, 6, 23)] == 40
    # Tickets: lower is better; no history before the 13 weeks → no goal to judge against.
    assert (
        rows.loc["tickets", "goal"] is None
        or rows.loc["tickets", "goal"] != rows.loc["tickets", "goal"]
    )
    assert rows.loc["tickets", date(2025, 6, 16)] == 2
    assert rows.loc["tickets", "avg_13"] == pytest.approx(2 / 13)
    assert set(sc.missing) == {
        "Prospecting hours",
        "Sales activities",
        "Deals won",
        "Value won",
        "Revenue invoiced",
        "New customers",
    }


def test_goals_set_by_the_owner_decide_the_cells(con: store.Connection, ws: int) -> None:
    settings = {**defaults(), "goal:tickets": 1, "goal:hours_logged": 40}
    sc = scorecard.weekly_scorecard(con, ws, AS_OF, settings)
    met = sc.met.set_index("measurable")
    assert met.loc["tickets", date(2025, 6, 16)] == False  # noqa: E712 - 2 tickets > goal 1
    assert met.loc["tickets", date(2025, 6, 23)] == True  # noqa: E712 - 0 ≤ 1
    assert all(met.loc["hours_logged", w] == True for w in sc.weeks)  # noqa: E712 - 40 ≥ 40
    assert sc.table.set_index("measurable").loc["tickets", "goal_source"] == "set by you"


def test_a_sunday_closes_its_own_week(con: store.Connection, ws: int) -> None:
    sunday = scorecard.weekly_scorecard(con, ws, date(2025, 6, 29), defaults())
    saturday = scorecard.weekly_scorecard(con, ws, date(2025, 6, 28), defaults())
    assert sunday.weeks[-1] == date(2025, 6, 23)
    assert saturday.weeks[-1] == date(2025, 6, 23) - timedelta(days=7)


def test_prospecting_hours_are_the_pace_weeks_against_the_weekly_target(
    con: store.Connection, ws: int
) -> None:
    # 90 minutes of prospecting in the week of 23 Jun, 30 in the week of 16 Jun.
    con.execute(
        "INSERT INTO activities (workspace_id, date, type, minutes) VALUES "
        "($w, DATE '2025-06-24', 'prospecting', 90), ($w, DATE '2025-06-17', 'prospecting', 30)",
        {"w": ws},
    )
    store.refresh_facts(con, ws)  # what an import does after writing rows
    settings = {**defaults(), "prospecting_target_hours": 1.0}
    sc = scorecard.weekly_scorecard(con, ws, AS_OF, settings)
    rows = sc.table.set_index("measurable")
    # its goal is the weekly target in Settings, not a goal of its own or an average
    assert rows.loc["prospecting_hours", "goal"] == 1.0
    assert rows.loc["prospecting_hours", "goal_source"] == "your weekly target"
    assert rows.loc["prospecting_hours", date(2025, 6, 23)] == pytest.approx(1.5)
    assert rows.loc["prospecting_hours", date(2025, 6, 16)] == pytest.approx(0.5)
    met = sc.met.set_index("measurable")
    assert met.loc["prospecting_hours", date(2025, 6, 23)] == True  # noqa: E712 - 1.5 ≥ 1
    assert met.loc["prospecting_hours", date(2025, 6, 16)] == False  # noqa: E712 - 0.5 < 1
    # the two weeks of activity: (1.5 + 0.5) / 13 over the 13 weeks shown
    assert rows.loc["prospecting_hours", "avg_13"] == pytest.approx(2 / 13)
    assert "Prospecting hours" not in sc.missing
    assert [m.id for m in scorecard.MEASURABLES if m.goal_setting] == ["prospecting_hours"]
