"""Period goals and the season pace in the app, headless, on the demo: Settings adds a period
goal (and refuses a bad one with a clear message), the Scoreboard's weekly row shows the goal
in force each week, and the season pace renders with its table, chart and status."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analytics import period_goals, scorecard, store
from analytics.settings import get_settings
from tests.apptest import no_failure, run_page, texts

pytestmark = pytest.mark.usefixtures("fresh_streamlit")


def test_a_period_goal_set_in_settings_shows_on_the_scoreboard(demo_db: Path) -> None:
    con = store.connect(demo_db)
    try:
        ws = store.list_workspaces(con)[0].id
        last = store.last_data_date(con, ws)
        as_of = pd.Timestamp(last).date()
        weeks = scorecard.weekly_scorecard(con, ws, as_of, get_settings(con, ws)).weeks
    finally:
        con.close()
    month = period_goals.week_month(weeks[-1])  # the latest week's month: not all 13 weeks

    at = run_page("pages/settings.py")
    no_failure(at)
    add = f"pg_{ws}_add"
    at.selectbox(key=f"pg_{ws}_measurable").set_value("hours_logged")
    at.button(key=f"FormSubmitter:period_goal_add_{ws}-Add period goal").click().run()
    assert "Give the goal for the period" in [e.value for e in at.error][0]

    at.selectbox(key=f"pg_{ws}_measurable").set_value("hours_logged")
    at.text_input(key=f"{add}_name").input("crunch")
    at.selectbox(key=f"{add}_from").set_value(month)
    at.selectbox(key=f"{add}_to").set_value(month)
    at.number_input(key=f"{add}_goal").set_value(1234.0)
    at.text_input(key=f"{add}_by").input("Ann")
    at.button(key=f"FormSubmitter:period_goal_add_{ws}-Add period goal").click().run()
    no_failure(at)
    assert "Period goal added" in texts(at)
    con = store.connect(demo_db)
    try:
        (saved,) = period_goals.list_period_goals(con, ws)
        (rev,) = period_goals.revisions(con, ws)
    finally:
        con.close()
    assert (saved.measurable, saved.name, saved.months, saved.goal) == (
        "hours_logged",
        "crunch",
        [month],
        1234.0,
    )
    assert (rev["what"], rev["changed_by"]) == ("added", "Ann")

    board = run_page("pages/scoreboard.py")
    no_failure(board)
    frames = [d.value for d in board.dataframe]
    (weekly,) = [f for f in frames if "Goal from" in f.columns]
    rows = weekly.set_index("Measurable")
    per_week = rows.loc["Hours logged: goal that week"]
    in_month = [w for w in weeks if period_goals.week_month(w) == month]
    assert per_week.iloc[-4] == "1,234.0"  # the latest week (then two averages, goal from)
    assert sum(v == "1,234.0" for v in per_week) == len(in_month) < 13
    assert rows.loc["Hours logged", "Goal"] == "1,234.0"
    assert rows.loc["Hours logged", "Goal from"].startswith("crunch (")
    # Hours far short of 1,234 a week: the latest week is marked missed.
    assert rows.loc["Hours logged"].iloc[-4].endswith("✗")

    text = texts(board)
    assert "Season pace" in text
    (pace,) = [t.value for t in board.table if "Goal to date" in t.value.columns]
    assert "Hours logged" in list(pace.index)
    assert all(s.startswith(("✅", "🔻", "🔺")) for s in pace["Status"])
    assert board.selectbox(key=f"season_pace_{ws}").value in {m.id for m in scorecard.MEASURABLES}
    assert " to date — " in text and ("On pace" in text or "Behind" in text)
    # The chart is drawn when asked for (no Plotly on a plain view of the Scoreboard).
    assert board.get("plotly_chart") == []
    chart = board.toggle(key=f"season_pace_chart_{ws}")
    assert chart.label == "Show the chart" and chart.value is False
    chart.set_value(True).run()
    no_failure(board)
    titles = [c.proto.spec for c in board.get("plotly_chart")]
    assert len(titles) == 1 and "against the goal to date" in titles[0]

    # Back on Settings: a second goal for the same month is refused, naming the clash; the
    # first is changed, then removed, each change in the log.
    at.selectbox(key=f"pg_{ws}_measurable").set_value("hours_logged")
    at.selectbox(key=f"{add}_from").set_value(month)
    at.selectbox(key=f"{add}_to").set_value(month)
    at.number_input(key=f"{add}_goal").set_value(5.0)
    at.button(key=f"FormSubmitter:period_goal_add_{ws}-Add period goal").click().run()
    assert "Hours logged already has a goal for crunch" in at.error[0].value
    edit = f"pg_{ws}_{saved.id}"
    at.number_input(key=f"{edit}_goal").set_value(1500.0)
    at.button(key=f"FormSubmitter:period_goal_edit_{ws}-Save change").click().run()
    no_failure(at)
    assert "Period goal changed" in texts(at)
    at.button(key=f"FormSubmitter:period_goal_edit_{ws}-Remove").click().run()
    no_failure(at)
    con = store.connect(demo_db)
    try:
        assert period_goals.list_period_goals(con, ws) == []
        log = period_goals.revisions(con, ws)
    finally:
        con.close()
    assert [r["what"] for r in log] == ["added", "edited", "removed"]
    assert (log[1]["old"]["goal"], log[1]["new"]["goal"]) == (1234.0, 1500.0)
