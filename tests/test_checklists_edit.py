"""Edit what you wrote: own templates and items renamed, reordered, edited, deleted (archived
when they have runs), built-ins copied, goals and steps edited — every change a revision."""

from __future__ import annotations

from datetime import date

import pytest

from analytics import checklists, store
from analytics.checklists import edits, goals, history, runs
from analytics.errors import ChecklistError


def _own(con: store.Connection, ws: int) -> str:
    tid = checklists.add_template(con, ws, "Monday check", "Start the week")
    for prompt in ("Inbox empty?", "Pipeline updated?", "Invoices out?"):
        checklists.add_item(con, ws, tid, prompt, section="Week")
    return tid


def test_rename_edit_reorder_and_delete_own_items_each_a_revision(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    tid = _own(con, ws)
    assert edits.rename_template(con, ws, tid, "Monday morning", "Start the week", "Ann")
    assert not edits.rename_template(con, ws, tid, "Monday morning", "Start the week", "Ann")
    assert edits.edit_item(con, ws, tid, "own_2", "Deals updated?", "In the CRM", "Week", "Bo")
    assert edits.move_item(con, ws, tid, "own_3", -2, "Bo")  # to the top
    assert not edits.move_item(con, ws, tid, "own_3", -1, "Bo")  # already first
    edits.delete_item(con, ws, tid, "own_1", "Ann")
    t = checklists.templates_for(con, ws)[tid]
    assert t.title == "Monday morning"
    assert [(it.id, it.prompt) for it in t.items] == [
        ("own_3", "Invoices out?"),
        ("own_2", "Deals updated?"),
    ]
    assert t.item("own_2").help == "In the CRM"
    # a new item goes last and never reuses a deleted item's id
    assert checklists.add_item(con, ws, tid, "Team lunch booked?") == "own_4"
    assert [it.id for it in checklists.templates_for(con, ws)[tid].items][-1] == "own_4"
    revs = history.edits(con, ws, "item", tid)
    assert list(zip(revs["changed_by"], revs["what"], strict=True)) == [
        ("Ann", "deleted"),
        ("Bo", "moved"),
        ("Bo", "help"),
        ("Bo", "prompt"),
    ]
    assert (revs["old_value"].iloc[1], revs["new_value"].iloc[1]) == ("3", "1")
    [title] = history.edits(con, ws, "template", tid).to_dict("records")
    assert (title["what"], title["old_value"], title["new_value"]) == (
        "title",
        "Monday check",
        "Monday morning",
    )


def test_built_in_templates_and_items_stay_as_shipped_but_copy_item_for_item(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    with pytest.raises(ChecklistError, match="built-in checklist and stays as shipped"):
        edits.rename_template(con, ws, "does_it_work", "Mine", "")
    with pytest.raises(ChecklistError, match="built-in checklist and stays as shipped"):
        edits.delete_template(con, ws, "does_it_work")
    with pytest.raises(ChecklistError, match="comes with the built-in checklist"):
        edits.edit_item(con, ws, "does_it_work", "offices_works", "x", "", "Offices")
    new = edits.copy_template(con, ws, "does_it_work", "Ann")
    assert new == "own_does_it_work_my_copy"
    copy = checklists.templates_for(con, ws)[new]
    original = checklists.builtin().templates["does_it_work"]
    strip = [(i.id, i.prompt, i.help, i.section, i.kind, i.indicators) for i in original.items]
    assert [(i.id, i.prompt, i.help, i.section, i.kind, i.indicators) for i in copy.items] == strip
    assert copy.repeat == original.repeat
    # the copy is the owner's: its items can now be edited
    assert edits.edit_item(
        con, ws, new, "offices_works", "Our office: does it work?", "h", "Office"
    )


def test_deleting_a_template_with_runs_archives_it_and_keeps_the_runs(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    kept = _own(con, ws)
    gone = checklists.add_template(con, ws, "Scratch", "")
    templates = checklists.templates_for(con, ws)
    run = runs.start_run(con, ws, templates[kept], date(2026, 3, 2), "Ann")
    runs.answer_item(con, ws, run, templates[kept], "own_1", runs.Answer("yes"), "Ann")
    assert edits.delete_template(con, ws, kept, "Ann") == "archived"
    assert edits.delete_template(con, ws, gone, "Ann") == "deleted"
    after = checklists.templates_for(con, ws)
    assert gone not in after
    assert after[kept].archived and len(after[kept].items) == 3
    assert runs.answer_map(con, ws, run.id)["own_1"].status == "yes"
    with pytest.raises(ChecklistError, match="is archived"):
        edits.rename_template(con, ws, kept, "Again", "")
    with pytest.raises(ChecklistError, match="is archived"):
        checklists.add_item(con, ws, kept, "More?")
    # the name of an archived template stays taken
    assert checklists.add_template(con, ws, "Monday check", "") == "own_monday_check_2"
    deleted = history.edits(con, ws, "template", "")
    assert sorted(deleted["what"]) == ["archived", "deleted"]


def test_goal_title_date_and_steps_edit_reorder_and_remove(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    today = date(2026, 3, 2)
    gid = goals.create_goal(
        con,
        ws,
        "Ten new customers",
        date(2026, 6, 30),
        "List 20 practices",
        today,
        [
            ("Call 20", date(2026, 4, 1)),
            ("Visit 5", date(2026, 5, 1)),
            ("Sign 3", date(2026, 6, 1)),
        ],
    )
    steps = goals.plan(con, ws, gid, today)
    ids = dict(zip(steps["title"], steps["id"].astype(int), strict=True))
    assert goals.edit_goal(con, ws, gid, "Twelve new customers", date(2026, 7, 31), "Ann")
    with pytest.raises(ChecklistError, match="due after the new date: Sign 3"):
        goals.edit_goal(con, ws, gid, "Twelve new customers", date(2026, 5, 15), "Ann")
    assert goals.edit_step(con, ws, ids["Call 20"], "Call 25", date(2026, 4, 8), "Bo")
    assert goals.move_step(con, ws, ids["Sign 3"], -5, "Bo")  # to the first step
    goals.remove_step(con, ws, ids["Visit 5"], "Ann")
    with pytest.raises(ChecklistError, match="Only steps can be removed"):
        goals.remove_step(con, ws, ids["List 20 practices"])
    new_id = goals.add_step(con, ws, gid, "Party", date(2026, 7, 1))
    plan = goals.plan(con, ws, gid, today)
    assert list(zip(plan["kind"], plan["title"], strict=True)) == [
        ("task", "List 20 practices"),
        ("step", "Sign 3"),
        ("step", "Call 25"),
        ("step", "Party"),
        ("goal", "Twelve new customers"),
    ]
    assert int(plan["id"].iloc[3]) == new_id
    assert plan["due"].iloc[4].date() == date(2026, 7, 31)
    revs = history.edits(con, ws, "step", str(gid))
    assert list(zip(revs["changed_by"], revs["what"], strict=True)) == [
        ("Ann", "removed"),
        ("Bo", "moved"),
        ("Bo", "due"),
        ("Bo", "title"),
    ]
    goal_revs = history.edits(con, ws, "goal", str(gid))
    assert list(goal_revs["what"]) == ["date", "title"]
    assert list(goal_revs["old_value"]) == ["2026-06-30", "Ten new customers"]


def test_the_who_picker_remembers_the_last_person_per_workspace(
    con: store.Connection, workspace: store.Workspace
) -> None:
    other = store.create_workspace(con, "Other Co")
    assert history.last_who(con, workspace.id) == ""
    history.remember_who(con, workspace.id, " Ann ")
    history.remember_who(con, workspace.id, "Bo")
    history.remember_who(con, other.id, "Cy")
    assert (history.last_who(con, workspace.id), history.last_who(con, other.id)) == ("Bo", "Cy")
