"""Hard reset as an owner meets it, headless with AppTest: empty store, demo, a run answered."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from analytics import checklists, peers, store
from analytics.checklists import files, goals, history, runs, shared
from analytics.checklists.runs import Answer
from tests.apptest import PAGE_FILES, no_failure, run_page, texts

pytestmark = pytest.mark.usefixtures("fresh_streamlit")

PAGE = "pages/reset.py"


def test_the_page_is_registered() -> None:
    assert PAGE in PAGE_FILES


def test_empty_store_says_what_to_do() -> None:
    at = run_page(PAGE)
    no_failure(at)
    assert at.title[0].value == "Hard reset"
    assert "No business yet" in texts(at)


def test_an_empty_workspace_shows_the_gallery(with_workspace: store.Workspace) -> None:
    at = run_page(PAGE)
    no_failure(at)
    shown = texts(at)
    assert "Nothing in progress" in shown
    for template in checklists.builtin().templates.values():
        assert template.title in shown
    assert "Load your data to see your own figures" in shown


def test_demo_suggests_checklists_and_a_run_can_be_answered(demo_db: Path) -> None:
    at = run_page(PAGE)
    no_failure(at)
    shown = texts(at)
    assert "Suggested by your figures" in shown
    at.button(key="reset_start_tear_down_the_wall").click().run()
    no_failure(at)
    assert "Tear down the wall · run of" in texts(at)
    con = store.connect(demo_db)
    ws = store.list_workspaces(con)[0]
    run = runs.list_runs(con, ws.id)[0]
    con.close()
    # the evidence line sits beside a question tied to indicators
    assert "Your figures · " in texts(at) and "Discount on won deals" in texts(at)
    at.radio(key=f"rs_{run.id}_discount_rules_status").set_value("no").run()
    at.text_area(key=f"rs_{run.id}_discount_rules_note").input("=no rule at all").run()
    assert "Not saved yet" in texts(at)
    at.button(key=f"rs_{run.id}_discount_rules_save").click().run()
    no_failure(at)
    assert "Not saved yet" not in texts(at)
    con = store.connect(demo_db)
    saved = runs.answer_map(con, ws.id, run.id)
    con.close()
    assert saved["discount_rules"].status == "no"
    assert saved["discount_rules"].note == "=no rule at all"
    # a second run of the same checklist shows what was said last time, beside the question
    at.button(key="reset_back").click().run()
    at.button(key="reset_start_tear_down_the_wall").click().run()
    no_failure(at)
    assert "Last time (" in texts(at) and "you said: *✘ No — =no rule at all*. Today?" in texts(at)


def test_goals_and_seasons_sections_render_on_the_demo(demo_db: Path) -> None:
    con = store.connect(demo_db)
    ws = store.list_workspaces(con)[0]
    goals.create_goal(
        con,
        ws.id,
        "Ten dental customers",
        date.today(),
        "<script>alert(1)</script>",
        date.today(),
    )
    t = checklists.templates_for(con, ws.id)["assumptions"]
    run = runs.start_run(con, ws.id, t, date(2024, 1, 1))
    runs.answer_item(con, ws.id, run, t, "outcome", Answer("yes"))
    con.close()
    at = run_page(PAGE)
    at.segmented_control(key="reset_section").set_value("Goals").run()
    no_failure(at)
    shown = texts(at)
    assert "Ten dental customers" in shown
    assert [bar.proto.text for bar in at.get("progress")] == ["0 of 2 steps done"]
    assert any("script" in c.label for c in at.checkbox)
    at.segmented_control(key="reset_section").set_value("Seasons").run()
    no_failure(at)
    assert "No season started yet" in texts(at)
    at.checkbox[0].check()
    at.button[-1].click()
    at.run(timeout=180)
    no_failure(at)
    assert "This season started on" in texts(at)
    assert len(at.dataframe) == 1


def test_the_scoreboard_lists_open_runs_and_overdue_steps(demo_db: Path) -> None:
    con = store.connect(demo_db)
    ws = store.list_workspaces(con)[0]
    t = checklists.templates_for(con, ws.id)["does_it_work"]
    runs.start_run(con, ws.id, t, date(2024, 1, 1))
    goals.create_goal(
        con,
        ws.id,
        "Clean the backlog",
        date(2099, 1, 1),
        "Sort the tickets",
        date(2020, 1, 1),
        [("Close 50 tickets", date(2020, 2, 1))],
    )
    con.close()
    at = run_page("pages/scoreboard.py")
    no_failure(at)
    shown = texts(at)
    assert "Hard reset: what to work on" in shown
    assert "0 of 20 answered" in shown
    assert "Overdue step" in shown and "Close 50 tickets" in shown


def test_an_action_becomes_a_goal(with_workspace: store.Workspace, db_file: Path) -> None:
    at = run_page(PAGE)
    at.button(key="reset_start_does_it_work").click().run()
    con = store.connect(db_file)
    run = runs.list_runs(con, with_workspace.id)[0]
    con.close()
    at.radio(key=f"rs_{run.id}_software_action_status").set_value("fix").run()
    at.text_area(key=f"rs_{run.id}_software_action_note").input("ticketing is slow").run()
    at.button(key=f"rs_{run.id}_software_action_goal").click().run()
    no_failure(at)
    assert at.text_input(key="reset_goal_title").value == "Fix software: ticketing is slow"
    at.text_input[1].input("Book two demos")  # one thing you can do today
    at.button[-1].click().run()
    no_failure(at)
    con = store.connect(db_file)
    board = goals.overview(con, with_workspace.id, date.today())
    goal = goals.get_goal(con, with_workspace.id, int(board["id"].iloc[0]))
    con.close()
    assert goal.title == "Fix software: ticketing is slow"
    assert (goal.source_run_id, goal.source_item_id) == (run.id, "software_action")


# ---------------------------------------------------------------- editing what you wrote


def test_the_who_picker_remembers_the_last_person(
    with_workspace: store.Workspace, db_file: Path
) -> None:
    con = store.connect(db_file)  # a name the data knows: it started a run
    t = checklists.templates_for(con, with_workspace.id)["assumptions"]
    runs.start_run(con, with_workspace.id, t, date(2026, 3, 2), "Ann Lee")
    con.close()
    at = run_page(PAGE)
    no_failure(at)
    assert at.selectbox(key="reset_who").value is None
    assert at.selectbox(key="reset_who").options == ["Ann Lee"]
    at.selectbox(key="reset_who").set_value("Ann Lee").run()
    no_failure(at)
    con = store.connect(db_file)
    assert history.last_who(con, with_workspace.id) == "Ann Lee"
    con.close()
    fresh = run_page(PAGE)  # a new session starts with the last name picked here
    assert fresh.selectbox(key="reset_who").value == "Ann Lee"


def test_own_items_reorder_and_a_template_with_a_run_is_archived(
    with_workspace: store.Workspace, db_file: Path
) -> None:
    ws = with_workspace.id
    con = store.connect(db_file)
    tid = checklists.add_template(con, ws, "Monday check", "")
    for prompt in ("Inbox empty?", "Invoices out?"):
        checklists.add_item(con, ws, tid, prompt)
    runs.start_run(con, ws, checklists.templates_for(con, ws)[tid], date(2026, 3, 2))
    con.close()
    at = run_page(PAGE)
    no_failure(at)
    assert "Your own checklists" in texts(at)
    at.button(key=f"rse_{tid}_own_2_up").click().run()
    no_failure(at)
    con = store.connect(db_file)
    order = [it.prompt for it in checklists.templates_for(con, ws)[tid].items]
    con.close()
    assert order == ["Invoices out?", "Inbox empty?"]
    at.button(key=f"rse_{tid}_delete").click().run()
    no_failure(at)
    shown = texts(at)
    assert "is archived: its runs stay listed and readable" in shown
    assert "Monday check** · started 2 Mar 2026 · archived checklist" in shown
    assert "reset_start_" + tid not in [b.key for b in at.button]


def test_a_built_in_is_copied_and_a_goal_step_edited_on_the_page(
    with_workspace: store.Workspace, db_file: Path
) -> None:
    ws = with_workspace.id
    con = store.connect(db_file)
    gid = goals.create_goal(
        con,
        ws,
        "Ten customers",
        date(2099, 1, 1),
        "List practices",
        date.today(),
        [("Call 20", date(2098, 1, 1))],
    )
    step = int(goals.plan(con, ws, gid, date.today())["id"].iloc[1])
    runs.start_run(con, ws, checklists.templates_for(con, ws)["growth_plans"], date.today(), "Bo")
    con.close()
    at = run_page(PAGE)
    at.selectbox(key="reset_who").set_value("Bo").run()
    at.button(key="reset_copy_assumptions").click().run()
    no_failure(at)
    con = store.connect(db_file)
    copy = checklists.templates_for(con, ws)["own_assumptions_my_copy"]
    con.close()
    assert copy.title == checklists.builtin().templates["assumptions"].title + " (my copy)"
    assert "Edit “Assumptions \\(my copy\\)”" in [e.label for e in at.expander]  # escaped
    at.segmented_control(key="reset_section").set_value("Goals").run()
    at.text_input(key=f"goal_{gid}_step_{step}_title").input("Call 25 practices")
    at.date_input(key=f"goal_{gid}_step_{step}_due").set_value(date(2098, 2, 1))
    [save] = [b for b in at.button if b.key == f"FormSubmitter:goal_{gid}_step_{step}_form-Save"]
    save.click().run()
    no_failure(at)
    con = store.connect(db_file)
    plan = goals.plan(con, ws, gid, date.today())
    revs = history.edits(con, ws, "step", str(gid))
    con.close()
    assert (plan["title"].iloc[1], plan["due"].iloc[1].date()) == (
        "Call 25 practices",
        date(2098, 2, 1),
    )
    assert sorted(zip(revs["what"], revs["changed_by"], strict=True)) == [
        ("due", "Bo"),
        ("title", "Bo"),
    ]
    assert "Call 25 practices" in [c.label.split(": ", 1)[1].split(" — ")[0] for c in at.checkbox]


def test_a_checklist_shared_in_the_peer_group_is_copied_from_the_page(
    with_workspace: store.Workspace, db_file: Path
) -> None:
    con = store.connect(db_file)
    peer = store.create_workspace(con, "Peer Co")
    group = peers.create_group(con, "Owners", founder=with_workspace.id)
    peers.join_group(con, group.id, peer.id, sponsor=with_workspace.id)
    tid = checklists.add_template(con, peer.id, "Friday close", "")
    checklists.add_item(con, peer.id, tid, "Timesheets in?", "Everyone, every day")
    sid = shared.share(con, peer.id, group.id, tid, "Cy")
    con.close()
    at = run_page(PAGE)
    no_failure(at)
    shown = texts(at)
    assert "Checklists from your peer groups" in shown
    assert "Friday close · shared by a member on" in shown
    assert "reset_toml_does_it_work" in [b.key for b in at.get("download_button")]
    at.button(key=f"reset_shared_copy_{sid}").click().run()
    no_failure(at)
    con = store.connect(db_file)
    mine = checklists.templates_for(con, with_workspace.id)["own_friday_close"]
    con.close()
    assert [(i.prompt, i.help) for i in mine.items] == [("Timesheets in?", "Everyone, every day")]
    assert "Edit “Friday close”" in [e.label for e in at.expander]


# ---------------------------------------------------------------- the rhythm


def test_due_checklists_on_the_page_and_a_rhythm_chosen(
    with_workspace: store.Workspace, db_file: Path
) -> None:
    ws = with_workspace.id
    con = store.connect(db_file)
    t = checklists.templates_for(con, ws)["does_it_work"]
    runs.start_run(con, ws, t, date.today() - timedelta(days=140))
    con.close()
    at = run_page(PAGE)
    no_failure(at)
    shown = texts(at)
    assert "Due by your rhythm" in shown
    # 140 days ago, every 91 days: 49 days overdue
    assert (
        "⏰ You last asked *Does it work?* 140 days ago (every quarter: 49 days overdue)." in shown
    )
    assert "📅 You have not asked *Keep the whiners closer* yet (every month)." in shown
    at.selectbox(key="reset_repeat_assumptions").set_value("weekly").run()
    no_failure(at)
    assert "📅 You have not asked *Assumptions* yet (every week)." in texts(at)
    con = store.connect(db_file)
    assert checklists.templates_for(con, ws)["assumptions"].repeat == "weekly"
    con.close()
    at.button(key="reset_due_does_it_work").click().run()
    no_failure(at)
    assert "Does it work? · run of" in texts(at)


def test_the_scoreboard_shows_due_checklists(demo_db: Path) -> None:
    at = run_page("pages/scoreboard.py")
    no_failure(at)
    shown = texts(at)
    assert "📅 You have not asked *Does it work?* yet (every quarter)." in shown


def test_answers_over_time_chart_per_section(
    with_workspace: store.Workspace, db_file: Path
) -> None:
    ws = with_workspace.id
    con = store.connect(db_file)
    t = checklists.templates_for(con, ws)["does_it_work"]
    first = runs.start_run(con, ws, t, date(2026, 1, 10))
    runs.answer_item(con, ws, first, t, "offices_works", Answer("no"))
    second = runs.start_run(con, ws, t, date(2026, 4, 10))
    runs.answer_item(con, ws, second, t, "offices_works", Answer("yes"))
    runs.answer_item(con, ws, second, t, "people_works", Answer("partly"))
    con.close()
    at = run_page(PAGE)
    at.button(key=f"reset_open_{second.id}").click().run()
    no_failure(at)
    assert "Answers over time (2 runs)" in [e.label for e in at.expander]
    assert "10 Apr 2026: 2 changed" in texts(at)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 5  # one per section
    offices = {bar["name"]: bar["y"] for bar in charts[0]["data"]}
    assert offices["✔ Yes / done / keep"] == [0, 1]
    assert offices["✘ No / replace / reset"] == [1, 0]
    assert offices["○ Not answered"] == [3, 3]
    # two columns: the left one holds sections 1, 3 and 5 (People), the right one 2 and 4
    people = {bar["name"]: bar["y"] for bar in charts[2]["data"]}
    assert people["◐ Partly / fix"] == [0, 1]


def test_a_template_file_is_imported_or_refused_on_the_page(
    with_workspace: store.Workspace, db_file: Path
) -> None:
    text = files.template_toml(checklists.builtin().templates["growth_plans"])
    at = run_page(PAGE)
    broken = text.replace('kind = "question"', 'kind = "poem"', 1)
    line = broken.splitlines().index('kind = "poem"') + 1
    upload = at.get("file_uploader")[0]
    upload.set_value(("plans.toml", broken.encode(), "application/toml")).run()
    at.button(key="reset_import").click().run()
    [refused] = [e.value for e in at.error]
    assert refused.replace("\\", "").startswith(f"plans.toml, line {line}: item ")
    assert refused.replace("\\", "").endswith(": kind must be one of question, task, action")
    con = store.connect(db_file)
    assert not [t for t in checklists.templates_for(con, with_workspace.id).values() if t.custom]
    con.close()
    at.get("file_uploader")[0].set_value(("plans.toml", text.encode(), "application/toml")).run()
    at.button(key="reset_import").click().run()
    no_failure(at)
    con = store.connect(db_file)
    mine = checklists.templates_for(con, with_workspace.id)["own_growth_plans"]
    con.close()
    original = checklists.builtin().templates["growth_plans"]
    assert [(i.id, i.prompt, i.kind) for i in mine.items] == [
        (i.id, i.prompt, i.kind) for i in original.items
    ]


def test_an_own_checklist_is_shared_with_the_group_from_the_page(
    with_workspace: store.Workspace, db_file: Path
) -> None:
    con = store.connect(db_file)
    peer = store.create_workspace(con, "Peer Co")
    group = peers.create_group(con, "Owners", founder=with_workspace.id)
    peers.join_group(con, group.id, peer.id, sponsor=with_workspace.id)
    tid = checklists.add_template(con, with_workspace.id, "Monday check", "Start right")
    checklists.add_item(con, with_workspace.id, tid, "Inbox empty?")
    con.close()
    at = run_page(PAGE)
    assert "Nobody in this group has shared a checklist yet." in texts(at)
    [share] = [
        b
        for b in at.button
        if b.key == f"FormSubmitter:reset_share_{group.id}-Share with the group"
    ]
    share.click().run()
    no_failure(at)
    assert "Monday check · shared by you on" in texts(at)
    con = store.connect(db_file)
    [on_shelf] = shared.shelf(con, group.id, viewer=peer.id)
    con.close()
    assert (on_shelf.template_id, on_shelf.title) == (tid, "Monday check")


def test_an_own_item_reworded_and_a_goal_renamed_on_the_page(
    with_workspace: store.Workspace, db_file: Path
) -> None:
    ws = with_workspace.id
    con = store.connect(db_file)
    tid = checklists.add_template(con, ws, "Monday check", "")
    checklists.add_item(con, ws, tid, "Inbox empty?", section="Week")
    gid = goals.create_goal(con, ws, "Ten customers", date(2099, 1, 1), "List", date.today())
    con.close()
    at = run_page(PAGE)
    form = f"rse_{tid}_own_1_form"
    assert not [w for w in at.text_input if w.form_id == form]  # drawn once opened
    at.session_state[f"rse_{tid}_own_1_edit"] = True  # "Edit wording", opened
    at.run()
    [prompt] = [w for w in at.text_input if w.form_id == form and w.label == "Question or task"]
    prompt.input("Inbox at zero?")
    [save] = [b for b in at.button if b.key == f"FormSubmitter:{form}-Save item"]
    save.click().run()
    no_failure(at)
    at.segmented_control(key="reset_section").set_value("Goals").run()
    goal_form = f"goal_{gid}_edit_form"
    [title] = [w for w in at.text_input if w.form_id == goal_form]
    title.input("Twelve customers")
    [save] = [b for b in at.button if b.key == f"FormSubmitter:{goal_form}-Save the goal"]
    save.click().run()
    no_failure(at)
    assert "Goal saved." in texts(at)
    con = store.connect(db_file)
    item = checklists.templates_for(con, ws)[tid].item("own_1")
    goal = goals.get_goal(con, ws, gid)
    con.close()
    assert (item.prompt, item.section) == ("Inbox at zero?", "Week")
    assert goal.title == "Twelve customers"
