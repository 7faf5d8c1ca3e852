"""Scorecard goals that change with the season, and the season pace, worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from analytics import period_goals, scorecard, store
from analytics.period_goals import PeriodGoalError
from analytics.settings import defaults

AS_OF = date(2025, 3, 10)  # a Monday: the 13 weeks shown are Mon 9 Dec 2024 … Mon 3 Mar 2025
WEEKS = [
    date(2024, 12, 9),
    date(2024, 12, 16),
    date(2024, 12, 23),
    date(2024, 12, 30),  # its Thursday is 2 Jan: a January week
    date(2025, 1, 6),
    date(2025, 1, 13),
    date(2025, 1, 20),
    date(2025, 1, 27),  # Thursday 30 Jan: January
    date(2025, 2, 3),
    date(2025, 2, 10),
    date(2025, 2, 17),
    date(2025, 2, 24),  # Thursday 27 Feb: February
    date(2025, 3, 3),
]
SETTINGS = {**defaults(), "goal:hours_logged": 15}


@pytest.fixture
def ws(con: store.Connection, workspace: store.Workspace) -> int:
    # One entry each Wednesday, 11 Dec 2024 – 5 Mar 2025: 12 h, but 25 h in the week of 10 Feb.
    con.execute(
        """INSERT INTO time_entries (workspace_id, date, person, hours, billable)
        SELECT $w, d::DATE, 'Tech', CASE WHEN d = DATE '2025-02-12' THEN 25 ELSE 12 END, true
        FROM generate_series(DATE '2024-12-11', DATE '2025-03-05', INTERVAL 7 DAY) t(d)""",
        {"w": workspace.id},
    )
    store.refresh_facts(con, workspace.id)
    return workspace.id


def jan_feb(con: store.Connection, ws: int) -> None:
    period_goals.add_period_goal(con, ws, "hours_logged", 1, 1, 10, by="Sam")
    period_goals.add_period_goal(con, ws, "hours_logged", 2, 2, "20", name="ramp-up", by="Sam")


def test_each_week_is_judged_against_the_goal_of_its_thursdays_month(
    con: store.Connection, ws: int
) -> None:
    jan_feb(con, ws)
    sc = scorecard.weekly_scorecard(con, ws, AS_OF, SETTINGS)
    assert sc.weeks == WEEKS
    goals = sc.goals.set_index("measurable").loc["hours_logged"]
    # Dec ×3 everyday 15; Jan ×5 (30 Dec counts as January) 10; Feb ×4 20; Mar everyday 15.
    assert [goals[w] for w in WEEKS] == [15] * 3 + [10] * 5 + [20] * 4 + [15]
    met = sc.met.set_index("measurable").loc["hours_logged"]
    # 12 h a week: short of 15 and 20, over 10; 25 h in the week of 10 Feb beats 20.
    want = [False] * 3 + [True] * 5 + [False, True, False, False] + [False]
    assert [met[w] for w in WEEKS] == want
    row = sc.table.set_index("measurable").loc["hours_logged"]
    assert row["goal"] == 15  # in force in the latest week (March: the everyday goal)
    assert row["goal_source"] == "Jan; ramp-up (Feb); otherwise set by you"

    frame, marks = scorecard.display(sc, "USD")
    values = frame.set_index("Measurable").loc["Hours logged"]
    assert values["30 Dec"] == "12.0 ✓" and values["3 Feb"] == "12.0 ✗"
    assert values["10 Feb"] == "25.0 ✓" and values["9 Dec"] == "12.0 ✗"
    per_week = frame.set_index("Measurable").loc["Hours logged: goal that week"]
    assert [per_week[c] for c in frame.columns[2:15]] == (
        ["15.0"] * 3 + ["10.0"] * 5 + ["20.0"] * 4 + ["15.0"]
    )
    assert marks.iloc[list(frame["Measurable"]).index("Hours logged: goal that week")].isna().all()


def test_without_period_goals_the_scorecard_is_as_before(con: store.Connection, ws: int) -> None:
    before = scorecard.display(scorecard.weekly_scorecard(con, ws, AS_OF, SETTINGS), "USD")
    # A period none of the 13 weeks falls in (Jun–Aug) changes nothing shown.
    period_goals.add_period_goal(con, ws, "hours_logged", 6, 8, 99)
    sc = scorecard.weekly_scorecard(con, ws, AS_OF, SETTINGS)
    after = scorecard.display(sc, "USD")
    assert after[0].equals(before[0]) and after[1].equals(before[1])
    assert sc.goals.empty
    assert list(before[0]["Measurable"]) == ["Hours logged", "Billable share of hours"]
    row = sc.table.set_index("measurable").loc["hours_logged"]
    assert (row["goal"], row["goal_source"]) == (15, "set by you")
    assert all(sc.met.set_index("measurable").loc["hours_logged", w] == False for w in WEEKS[:9])  # noqa: E712


def test_goal_to_date_sums_each_elapsed_weeks_goal(con: store.Connection, ws: int) -> None:
    jan_feb(con, ws)
    settings = {**SETTINGS, "season_start": "2025-01-15"}
    start, source = scorecard.season_start(settings, AS_OF)
    assert (start, source) == (date(2025, 1, 15), "your season start")
    sc = scorecard.weekly_scorecard(con, ws, AS_OF, settings)
    paces, left_out = scorecard.season_pace(sc, start)
    p = paces["hours_logged"]
    # Weeks 13 Jan … 3 Mar (the week holding Wed 15 Jan counts whole): goals 10, 10, 10,
    # 20, 20, 20, 20, 15 → 125; actual 7 × 12 + 25 = 109.
    assert p.since == date(2025, 1, 13)
    assert list(p.weeks["goal"]) == [10, 10, 10, 20, 20, 20, 20, 15]
    assert list(p.weeks["cum_goal"]) == [10, 20, 30, 50, 70, 90, 110, 125]
    assert list(p.weeks["cum_actual"])[-2:] == [97, 109]
    assert (p.actual, p.goal_to_date, p.gap, p.on_pace) == (109, 125, -16, False)
    assert p.share == pytest.approx(109 / 125)
    assert scorecard.pace_line(p, start, "USD") == (
        "Hours logged: 109.0 since 15 Jan 2025 against 125.0 to date — 16.0 behind (87.2%)"
    )
    # 16 behind over four weeks: 4 a week on top of this week's 15.
    assert "aim for 19.0 a week" in scorecard.next_step(p, "USD")
    assert left_out == {
        "Billable share of hours": "a share does not add up week by week: see its weekly row"
    }


def test_a_season_longer_than_a_year_shows_its_last_53_weeks(
    con: store.Connection, ws: int
) -> None:
    sc = scorecard.weekly_scorecard(con, ws, AS_OF, SETTINGS)
    p = scorecard.season_pace(sc, date(2020, 1, 1))[0]["hours_logged"]
    assert len(p.weeks) == 53 and p.since == date(2024, 3, 4)  # 3 Mar 2025 − 52 weeks
    # Hours from the week of 9 Dec: 12 × 12 + 25 = 169 against 53 × 15 = 795.
    assert (p.actual, p.goal_to_date) == (169, 795)
    assert scorecard.pace_line(p, date(2020, 1, 1), "USD").startswith(
        "Hours logged: 169.0 since 4 Mar 2024 against 795.0 to date — 626.0 behind"
    )


def test_season_start_falls_back_to_the_fiscal_year() -> None:
    assert scorecard.season_start({"fiscal_year_start": 4}, date(2025, 3, 10)) == (
        date(2024, 4, 1),
        "the start of your fiscal year (no season start set)",
    )
    later = {"season_start": "2025-06-01", "fiscal_year_start": 1}
    assert scorecard.season_start(later, date(2025, 3, 10))[0] == date(2025, 1, 1)


def test_on_pace_for_a_lower_is_better_measurable(con: store.Connection, ws: int) -> None:
    # Tickets: 1 in the week of 3 Mar, none before; allowance 1 a week from 24 Feb → 2 to date.
    con.execute(
        "INSERT INTO tickets (workspace_id, opened, customer) VALUES ($w, DATE '2025-03-04', 'A')",
        {"w": ws},
    )
    store.refresh_facts(con, ws)
    sc = scorecard.weekly_scorecard(con, ws, AS_OF, {**SETTINGS, "goal:tickets": 1})
    p = scorecard.season_pace(sc, date(2025, 2, 24))[0]["tickets"]
    assert (p.actual, p.goal_to_date, p.gap, p.on_pace) == (1, 2, 1, True)
    assert scorecard.pace_line(p, date(2025, 2, 24), "USD").endswith("— 1 under (50.0%)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("churn", 1, 1, 5), "No scorecard measurable is called 'churn'"),
        (("hours_logged", 1, 1, -1), "cannot be negative"),
        (("hours_logged", 1, 1, "lots"), "must be a number, 0 or more"),
        (("hours_logged", 1, 1, float("nan")), "must be a number, 0 or more"),
        (("hours_logged", 1, 1, None), "Give the goal"),
        (("hours_logged", 0, 1, 5), "first month must be a month number from 1 to 12"),
        (("hours_logged", 1, 13, 5), "last month must be a month number from 1 to 12"),
        (("hours_logged", 1.5, 2, 5), "first month must be"),
        # Nov–Feb wraps the new year, so it holds January: two goals for one month.
        (("hours_logged", 11, 2, 5), "already has a goal for Jan: Jan would have two goals"),
    ],
)
def test_bad_period_goals_are_refused(
    con: store.Connection, ws: int, args: tuple[object, ...], message: str
) -> None:
    period_goals.add_period_goal(con, ws, "hours_logged", 1, 1, 10)
    with pytest.raises(PeriodGoalError, match=message):
        period_goals.add_period_goal(con, ws, *args)  # type: ignore[arg-type]
    assert len(period_goals.list_period_goals(con, ws)) == 1


def test_periods_wrap_the_year_and_other_measurables_may_overlap(
    con: store.Connection, ws: int
) -> None:
    busy = period_goals.add_period_goal(con, ws, "deals_won", 10, 12, 3, name=" busy  quarter ")
    assert (busy.label, busy.months) == ("busy quarter (Oct–Dec)", [10, 11, 12])
    assert period_goals.months_between(11, 2) == [11, 12, 1, 2]
    period_goals.add_period_goal(con, ws, "revenue", 11, 2, 5000)  # another measurable: fine
    assert period_goals.week_month(date(2024, 1, 29)) == 2  # Thu 1 Feb 2024


def test_edits_and_removals_keep_revisions(con: store.Connection, ws: int) -> None:
    jan_feb(con, ws)
    jan, feb = period_goals.list_period_goals(con, ws)
    with pytest.raises(PeriodGoalError, match="ramp-up \\(Feb\\): Feb would have two goals"):
        period_goals.edit_period_goal(con, ws, jan.id, 1, 2, 10, by="Ann")
    period_goals.edit_period_goal(con, ws, jan.id, 12, 1, 12, name="winter", by="Ann")
    period_goals.edit_period_goal(con, ws, jan.id, 12, 1, 12, name="winter", by="Ann")  # no-op
    period_goals.remove_period_goal(con, ws, feb.id, by="Ann")
    assert [(p.label, p.goal) for p in period_goals.list_period_goals(con, ws)] == [
        ("winter (Dec–Jan)", 12.0)
    ]
    revs = period_goals.revisions(con, ws)
    assert [(r["period_goal_id"], r["what"], r["changed_by"]) for r in revs] == [
        (jan.id, "added", "Sam"),
        (feb.id, "added", "Sam"),
        (jan.id, "edited", "Ann"),
        (feb.id, "removed", "Ann"),
    ]
    assert revs[2]["old"] == {
        "measurable": "hours_logged",
        "name": "",
        "from_month": 1,
        "to_month": 1,
        "goal": 10.0,
    }
    assert revs[2]["new"]["goal"] == 12.0 and revs[2]["new"]["from_month"] == 12
    assert revs[3]["new"] is None and revs[3]["old"]["name"] == "ramp-up"
    assert all(r["changed_at"] is not None for r in revs)
    with pytest.raises(PeriodGoalError, match="No period goal"):
        period_goals.remove_period_goal(con, ws, feb.id)
    # December's weeks now count against the winter goal of 12: 12 h meets it.
    sc = scorecard.weekly_scorecard(con, ws, AS_OF, SETTINGS)
    assert sc.met.set_index("measurable").loc["hours_logged", WEEKS[0]] == True  # noqa: E712


def test_one_save_adds_or_replaces_and_a_period_keeps_its_measurable(
    con: store.Connection, ws: int
) -> None:
    draft = period_goals.PeriodGoalDraft("deals_won", 10, 12, "3", name="busy quarter")
    busy = period_goals.save_period_goal(con, ws, draft, by="Sam")
    assert (busy.from_month, busy.to_month, busy.goal) == (10, 12, 3.0)
    # Replacing it with Nov–Dec at 4 a week: same id, one "edited" revision.
    again = period_goals.PeriodGoalDraft("deals_won", 11, 12, 4, name="busy quarter")
    edited = period_goals.save_period_goal(con, ws, again, by="Ann", replacing=busy.id)
    assert (edited.id, edited.label, edited.goal) == (busy.id, "busy quarter (Nov–Dec)", 4.0)
    other = period_goals.PeriodGoalDraft("revenue", 11, 12, 4)
    with pytest.raises(PeriodGoalError, match="a period keeps its measurable"):
        period_goals.save_period_goal(con, ws, other, replacing=busy.id)
    assert period_goals.list_period_goals(con, ws) == [edited]
    assert [r["what"] for r in period_goals.revisions(con, ws)] == ["added", "edited"]
