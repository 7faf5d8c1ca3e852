"""Hard reset in a real browser: a goal's step edited survives a reload; an own checklist with a
run, deleted, is archived and its run stays listed."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from analytics import checklists, store
from analytics.checklists import goals, runs

pytestmark = pytest.mark.e2e

WS = "Harbour IT"


@pytest.fixture
def app_db(tmp_path: Path) -> Path:
    """A small store: one goal with a step, one own checklist with a run, and two runs of
    Does it work? (the run ids: 1 the own checklist's, 2 and 3 Does it work?'s)."""
    db = tmp_path / "e2e_store.duckdb"
    con = store.connect(db)
    try:
        ws = store.create_workspace(con, WS).id
        today = date.today()
        goals.create_goal(
            con,
            ws,
            "Ten new customers",
            today + timedelta(days=90),
            "List 20 practices",
            today,
            [("Call 20 practices", today + timedelta(days=30))],
        )
        tid = checklists.add_template(con, ws, "Monday check", "Start the week right")
        checklists.add_item(con, ws, tid, "Inbox empty?")
        runs.start_run(con, ws, checklists.templates_for(con, ws)[tid], today, "Ann")
        # Does it work? asked twice, the last time 140 days ago: overdue, with a trend
        work = checklists.templates_for(con, ws)["does_it_work"]
        for days, answer in ((230, "no"), (140, "yes")):
            run = runs.start_run(con, ws, work, today - timedelta(days=days), "Ann")
            runs.answer_item(con, ws, run, work, "offices_works", runs.Answer(answer), "Ann")
            runs.answer_item(con, ws, run, work, "people_works", runs.Answer("partly"), "Ann")
    finally:
        con.close()
    return db


def _goals(owner: Any) -> None:
    owner.page.locator(".st-key-reset_section").get_by_text("Goals", exact=True).click()
    owner.wait_for("Elephant walk")


def test_a_goal_step_edited_in_the_browser_survives_a_reload(owner: Any) -> None:
    page = owner.page
    owner.open(f"/reset?ws={WS}")
    owner.wait_for("Hard reset")
    _goals(owner)
    page.get_by_text("Edit this goal").click()
    owner.settle()  # the box and its Save button have finished sliding open
    box = page.locator(".st-key-goal_1_step_2_title input")
    assert box.input_value() == "Call 20 practices"
    owner.fill(box, "Call 25 practices")
    form = page.locator('[data-testid="stForm"]').filter(has=box)
    form.get_by_role("button", name="Save").click()
    owner.wait_idle()
    page.get_by_text("Step: Call 25 practices — due").wait_for()  # the plan, read again
    page.get_by_text("Step saved.").wait_for()
    owner.shot("step-edited")

    page.reload()  # a new session that knows nothing but the store
    owner.wait_for("Hard reset")
    _goals(owner)
    page.get_by_text("Step: Call 25 practices — due").wait_for()
    assert page.get_by_text("Call 20 practices").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0


def test_an_own_checklist_with_a_run_is_archived_and_its_run_stays_listed(owner: Any) -> None:
    page = owner.page
    owner.open(f"/reset?ws={WS}")
    owner.wait_for("Hard reset")
    assert page.get_by_text("archived checklist").count() == 0
    page.get_by_text("Edit “Monday check”").click()
    owner.shot("own-checklist")
    owner.wait_idle()
    page.get_by_role("button", name="Delete this checklist").first.click()
    owner.wait_idle()
    page.get_by_text("is archived: its runs stay listed and readable").wait_for()

    page.reload()
    owner.wait_for("Hard reset")
    page.get_by_text("archived checklist").wait_for()
    assert page.locator(".st-key-reset_start_own_monday_check").count() == 0
    page.get_by_role("button", name="Continue").first.click()
    owner.wait_for("Monday check · run of")
    page.get_by_text("This checklist is archived").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    owner.shot("archived-run")


def test_an_overdue_checklist_and_its_answers_over_time(owner: Any) -> None:
    page = owner.page
    owner.open(f"/reset?ws={WS}")
    owner.wait_for("Hard reset")
    page.get_by_role("heading", name="Due by your rhythm").wait_for()
    page.get_by_text("140 days ago (every quarter: 49 days overdue)").wait_for()
    owner.shot("due")
    page.locator(".st-key-reset_open_3 button").click()
    owner.wait_for("Does it work? · run of")
    page.get_by_text("Answers over time (2 runs)").click()
    page.locator('[data-testid="stPlotlyChart"]').nth(4).wait_for()
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 5
    assert page.locator('[data-testid="stException"]').count() == 0
    owner.shot("answers-over-time")
