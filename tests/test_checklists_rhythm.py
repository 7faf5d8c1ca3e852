"""A rhythm per checklist: due and overdue worked out by hand, red figures first."""

from __future__ import annotations

from datetime import date

import pytest

from analytics import checklists, store
from analytics.checklists import edits, rhythm, runs
from analytics.errors import ChecklistError

TODAY = date(2026, 6, 20)


def test_shipped_rhythms() -> None:
    lib = checklists.builtin().templates
    assert {t.id: t.repeat for t in lib.values() if t.repeat} == {
        "does_it_work": "quarterly",
        "keep_the_whiners_closer": "monthly",
    }


def test_due_and_overdue_by_hand_with_a_red_figure_on_top(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    own = checklists.add_template(con, ws, "Monday check", "")
    assert edits.set_repeat(con, ws, own, "monthly", "Ann")
    assert not edits.set_repeat(con, ws, own, "monthly", "Ann")
    edits.set_repeat(con, ws, "assumptions", "weekly")
    edits.set_repeat(con, ws, "keep_the_whiners_closer", "never")  # this business opts out
    with pytest.raises(ChecklistError, match="weekly, monthly, quarterly"):
        edits.set_repeat(con, ws, own, "daily")
    templates = checklists.templates_for(con, ws)
    for tid, day in (
        ("does_it_work", date(2025, 12, 1)),
        ("does_it_work", date(2026, 1, 31)),  # the last run counts
        (own, date(2026, 6, 10)),
    ):
        runs.start_run(con, ws, templates[tid], day)
    last = rhythm.last_runs(con, ws)
    plan = rhythm.schedule(templates, last, TODAY)
    # Jan 31 + 91 days = May 2; May 2 to Jun 20 = 49 days late, 140 days since the run
    assert [(d.template_id, d.state, d.days_since, d.days_late, d.due_on) for d in plan] == [
        ("does_it_work", "overdue", 140, 49, date(2026, 5, 2)),
        ("assumptions", "due", None, 0, None),
        (own, "later", 10, 0, date(2026, 7, 10)),
    ]
    assert plan[0].sentence() == (
        "You last asked *Does it work?* 140 days ago (every quarter: 49 days overdue)."
    )
    assert plan[1].sentence() == "You have not asked *Assumptions* yet (every week)."
    assert (
        plan[2].sentence()
        == "You last asked *Monday check* 10 days ago (every month: next on 2026-07-10)."
    )
    assert [d.pressing for d in plan] == [True, True, False]
    # a red figure the own checklist addresses raises it to the top, and makes it worth showing
    red = rhythm.schedule(templates, last, TODAY, {own: ["sales_pace"]})
    assert [d.template_id for d in red] == [own, "does_it_work", "assumptions"]
    assert red[0].pressing and red[0].suggested_by == ("sales_pace",)
    # due a week ahead: on Jul 3 the own checklist is due (Jul 10), on Jul 2 not yet
    assert rhythm.schedule(templates, last, date(2026, 7, 3))[-1].state == "due"
    assert rhythm.schedule(templates, last, date(2026, 7, 2))[-1].state == "later"
