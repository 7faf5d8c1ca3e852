"""Hard reset: templates load and validate, runs keep every answer and revision, goals, seasons,
exports — each worked out by hand on a tiny store."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from analytics import checklists, indicators, store
from analytics.checklists import export, goals, runs, seasons
from analytics.checklists.runs import Answer
from analytics.errors import ChecklistError, TemplateError
from analytics.indicators import pace
from analytics.settings import get_settings

SECTION_3 = {
    "does_it_work",
    "you_are_what_you_eat",
    "write_it_down",
    "say_document_show",
    "tear_down_the_wall",
    "assumptions",
    "test_advice",
    "keep_the_whiners_closer",
    "growth_plans",
    "elephant_walk",
}


# ---------------------------------------------------------------- templates


def test_all_ten_templates_ship_and_load_cleanly() -> None:
    lib = checklists.load_library()
    assert lib.errors == []
    assert set(lib.templates) == SECTION_3
    for t in lib.templates.values():
        assert t.title and t.purpose and t.items
        for it in t.items:
            assert it.prompt and it.help, (t.id, it.id)


def test_every_checklist_an_indicator_names_exists() -> None:
    named = {c for ind in indicators.REGISTRY.values() for c in ind.checklists}
    assert named <= set(checklists.builtin().templates)


def test_does_it_work_walks_five_areas_through_three_questions_and_an_action() -> None:
    t = checklists.builtin().templates["does_it_work"]
    sections = ["Offices", "Hardware", "Software", "Business processes", "People"]
    assert [it.section for it in t.items] == [s for s in sections for _ in range(4)]
    kinds = [it.kind for it in t.items]
    assert kinds == ["question", "question", "question", "action"] * 5
    action = t.item("offices_action")
    assert action.statuses == ("not_started", "keep", "fix", "replace", "reset")


def test_evidence_ids_are_registered_indicators() -> None:
    for t in checklists.builtin().templates.values():
        for it in t.items:
            assert set(it.indicators) <= set(indicators.REGISTRY), (t.id, it.id)
    eat = checklists.builtin().templates["you_are_what_you_eat"]
    assert "discount_depth" in eat.item("discounting").indicators


def _copy_templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    shutil.copytree(checklists.TEMPLATE_DIR, folder)
    return folder


def test_a_broken_file_is_reported_with_file_and_line_and_the_others_load(tmp_path: Path) -> None:
    folder = _copy_templates(tmp_path)
    (folder / "zz_broken.toml").write_text(
        'id = "zz_broken"\ntitle = "Broken"\npurpose = "x"\n\n[[items]]\nid = "a"\nprompt = \n',
        encoding="utf-8",
    )
    lib = checklists.load_library(folder)
    assert set(lib.templates) == SECTION_3
    assert len(lib.errors) == 1
    err = lib.errors[0]
    assert (err.file, err.line) == ("zz_broken.toml", 7)
    assert "zz_broken.toml, line 7" in str(err)


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        # the second item repeats the first item's id (line 10)
        (
            '[[items]]\nid = "a"\nprompt = "p"\nhelp = "h"\n\n[[items]]\nid = "a"\nprompt = "q"\nhelp = "h"\n',
            10,
            "used twice",
        ),
        # an indicator id nobody registered (line 8)
        (
            '[[items]]\nid = "a"\nprompt = "p"\nhelp = "h"\nindicators = ["no_such_figure"]\n',
            8,
            "no_such_figure",
        ),
        # help text missing: reported at the item's header (line 4)
        ('[[items]]\nid = "a"\nprompt = "p"\n', 4, "'help'"),
        # a kind that does not exist (line 8)
        ('[[items]]\nid = "a"\nprompt = "p"\nhelp = "h"\nkind = "maybe"\n', 8, "kind"),
    ],
)
def test_validation_names_the_line(tmp_path: Path, body: str, line: int, words: str) -> None:
    (tmp_path / "mine.toml").write_text(
        'id = "mine"\ntitle = "Mine"\npurpose = "Why"\n' + body, encoding="utf-8"
    )
    lib = checklists.load_library(tmp_path)
    assert lib.templates == {}
    assert [(e.file, e.line) for e in lib.errors] == [("mine.toml", line)]
    assert words in str(lib.errors[0])
    assert isinstance(lib.errors[0], TemplateError)


def test_owners_add_their_own_templates_and_items(
    con: store.Connection, workspace: store.Workspace
) -> None:
    tid = checklists.add_template(con, workspace.id, "Monday review", "Start the week right")
    assert tid == "own_monday_review"
    checklists.add_item(con, workspace.id, tid, "Cash in the bank checked?", "Look at the bank")
    own = checklists.add_item(con, workspace.id, "does_it_work", "Is the coffee machine OK?")
    mine = checklists.templates_for(con, workspace.id)
    assert [it.prompt for it in mine[tid].items] == ["Cash in the bank checked?"]
    assert mine["does_it_work"].items[-1].id == own == "own_1"
    assert len(mine["does_it_work"].items) == 21
    # another workspace does not see them
    other = store.create_workspace(con, "Other Co")
    assert tid not in checklists.templates_for(con, other.id)
    assert len(checklists.templates_for(con, other.id)["does_it_work"].items) == 20


# ---------------------------------------------------------------- runs


def _template(con: store.Connection, ws: store.Workspace, tid: str) -> checklists.Template:
    return checklists.templates_for(con, ws.id)[tid]


def test_answering_keeps_every_change_as_a_dated_revision(
    con: store.Connection, workspace: store.Workspace
) -> None:
    t = _template(con, workspace, "does_it_work")
    run = runs.start_run(con, workspace.id, t, date(2026, 1, 5), "Ana")
    assert runs.answer_item(con, workspace.id, run, t, "software_works", Answer("no"), "Ana")
    assert runs.answer_item(
        con,
        workspace.id,
        run,
        t,
        "software_works",
        Answer("partly", "Ticketing is slow", "Ben", date(2026, 2, 1)),
        "Ben",
    )
    # saving the same answer again is not a change
    same = Answer("partly", "Ticketing is slow", "Ben", date(2026, 2, 1))
    assert not runs.answer_item(con, workspace.id, run, t, "software_works", same, "Ben")
    now = runs.answer_map(con, workspace.id, run.id)
    assert now == {"software_works": same}
    revs = runs.revisions(con, workspace.id, run.id)
    assert revs["changed_by"].tolist() == ["Ben", "Ana"]
    assert revs["what"].tolist()[1] == "status: not_started → no"
    assert "status: no → partly" in revs["what"].tolist()[0]
    assert "note changed" in revs["what"].tolist()[0]
    assert runs.progress(t, now) == (1, 20)


def test_an_answer_must_fit_the_item(con: store.Connection, workspace: store.Workspace) -> None:
    t = _template(con, workspace, "does_it_work")
    run = runs.start_run(con, workspace.id, t, date(2026, 1, 5))
    with pytest.raises(ChecklistError, match="can be answered"):
        runs.answer_item(con, workspace.id, run, t, "offices_action", Answer("yes"))
    with pytest.raises(ChecklistError, match="no item"):
        runs.answer_item(con, workspace.id, run, t, "nope", Answer("yes"))


def test_two_sessions_editing_different_items_both_survive(db_file: Path) -> None:
    first = store.connect(db_file)
    ws = store.create_workspace(first, "Shared Co")
    t = checklists.templates_for(first, ws.id)["tear_down_the_wall"]
    run = runs.start_run(first, ws.id, t, date(2026, 3, 1))
    second = store.connect(db_file)  # another session, same file, same process
    # both opened the run before either saved
    runs.answer_item(first, ws.id, run, t, "huddle", Answer("no", "never done"), "Ana")
    runs.answer_item(second, ws.id, run, t, "discount_rules", Answer("yes"), "Ben")
    # and the same item from both: the last write wins, the other is kept as a revision
    runs.answer_item(first, ws.id, run, t, "walk_away", Answer("partly"), "Ana")
    runs.answer_item(second, ws.id, run, t, "walk_away", Answer("no"), "Ben")
    for con in (first, second):
        now = runs.answer_map(con, ws.id, run.id)
        assert {k: v.status for k, v in now.items()} == {
            "huddle": "no",
            "discount_rules": "yes",
            "walk_away": "no",
        }
    assert len(runs.revisions(first, ws.id, run.id)) == 4
    second.close()
    first.close()


def test_compare_with_the_previous_run_of_the_same_template(
    con: store.Connection, workspace: store.Workspace
) -> None:
    t = _template(con, workspace, "does_it_work")
    q1 = runs.start_run(con, workspace.id, t, date(2026, 1, 5))
    runs.answer_item(con, workspace.id, q1, t, "software_works", Answer("no", "Ticketing broken"))
    runs.answer_item(con, workspace.id, q1, t, "offices_works", Answer("yes"))
    other = _template(con, workspace, "assumptions")
    runs.start_run(con, workspace.id, other, date(2026, 3, 1))  # another template: ignored
    q2 = runs.start_run(con, workspace.id, t, date(2026, 4, 5))
    runs.answer_item(con, workspace.id, q2, t, "software_works", Answer("yes", "New system"))
    runs.answer_item(con, workspace.id, q2, t, "offices_works", Answer("yes"))
    before, frame = runs.compare(con, workspace.id, q2, t)
    assert before is not None and before.id == q1.id
    row = frame.set_index("item_id").loc["software_works"]
    assert (row["then_status"], row["then_note"]) == ("no", "Ticketing broken")
    assert (row["now_status"], row["now_note"]) == ("yes", "New system")
    assert bool(row["changed"])
    assert not bool(frame.set_index("item_id").loc["offices_works", "changed"])
    assert len(frame) == 20
    first, _ = runs.compare(con, workspace.id, q1, t)
    assert first is None


def test_people_come_from_the_workspace_data(
    con: store.Connection, workspace: store.Workspace
) -> None:
    con.execute(
        "INSERT INTO time_entries (workspace_id, date, person, hours) VALUES "
        "($w, DATE '2026-01-02', 'Ana', 3), ($w, DATE '2026-01-02', ' Ana ', 1)",
        {"w": workspace.id},
    )
    con.execute(
        "INSERT INTO deals (workspace_id, deal_id, status, owner) VALUES ($w, 'D1', 'won', 'Ben')",
        {"w": workspace.id},
    )
    assert runs.people(con, workspace.id) == ["Ana", "Ben"]


def test_suggestions_come_from_red_indicators() -> None:
    statuses = {"discount_depth": "red", "churn_rate": "amber", "effort_overrun": "red"}
    lists = {ind.id: ind.checklists for ind in indicators.REGISTRY.values()}
    got = checklists.suggestions(statuses, lists)
    assert got == {
        "you_are_what_you_eat": ["discount_depth"],
        "tear_down_the_wall": ["discount_depth", "effort_overrun"],
        "say_document_show": ["effort_overrun"],
    }


# ---------------------------------------------------------------- goals


def test_goal_progress_and_overdue_steps_on_a_fixed_day(
    con: store.Connection, workspace: store.Workspace
) -> None:
    gid = goals.create_goal(
        con,
        workspace.id,
        "Ten dental customers",
        date(2026, 6, 30),
        "List 20 dental practices",
        date(2026, 1, 10),
        [("Call 20 practices", date(2026, 2, 1)), ("Five meetings", date(2026, 3, 1))],
        owner="Ana",
    )
    steps = goals.plan(con, workspace.id, gid, date(2026, 2, 15))
    assert steps["kind"].tolist() == ["task", "step", "step", "goal"]
    # done: the task today; the first step is late
    goals.set_step_done(con, workspace.id, int(steps["id"].iloc[0]), date(2026, 1, 10))
    late = goals.overdue_steps(con, workspace.id, date(2026, 2, 15))
    assert late["step"].tolist() == ["Call 20 practices"]
    assert late["days_late"].tolist() == [14]
    row = goals.overview(con, workspace.id, date(2026, 2, 15)).iloc[0]
    assert (row["steps"], row["done"], row["overdue"]) == (4, 1, 1)
    assert row["progress"] == pytest.approx(0.25)
    # the step due on the as-of day itself is not late yet
    assert goals.overdue_steps(con, workspace.id, date(2026, 2, 1)).empty
    # done late still counts as done from then on, and was overdue before
    goals.set_step_done(con, workspace.id, int(steps["id"].iloc[1]), date(2026, 2, 20))
    assert len(goals.overdue_steps(con, workspace.id, date(2026, 2, 15))) == 1
    assert goals.overdue_steps(con, workspace.id, date(2026, 2, 25)).empty
    assert goals.overview(con, workspace.id, date(2026, 2, 25)).iloc[0]["progress"] == 0.5


def test_a_goal_needs_a_task_for_today_and_steps_before_its_date(
    con: store.Connection, workspace: store.Workspace
) -> None:
    with pytest.raises(ChecklistError, match="today"):
        goals.create_goal(con, workspace.id, "Grow", date(2026, 6, 1), " ", date(2026, 1, 1))
    with pytest.raises(ChecklistError, match="after the goal"):
        goals.create_goal(
            con,
            workspace.id,
            "Grow",
            date(2026, 6, 1),
            "Call Bob",
            date(2026, 1, 1),
            [("Too late", date(2026, 7, 1))],
        )
    assert goals.overview(con, workspace.id, date(2026, 1, 1)).empty


def test_a_goal_can_come_from_a_checklist_item(
    con: store.Connection, workspace: store.Workspace
) -> None:
    t = _template(con, workspace, "does_it_work")
    run = runs.start_run(con, workspace.id, t, date(2026, 1, 5))
    gid = goals.create_goal(
        con,
        workspace.id,
        "Replace the ticketing system",
        date(2026, 5, 1),
        "Book two demos",
        date(2026, 1, 5),
        source_run_id=run.id,
        source_item_id="software_action",
    )
    g = goals.get_goal(con, workspace.id, gid)
    assert (g.source_run_id, g.source_item_id) == (run.id, "software_action")


# ---------------------------------------------------------------- seasons


def _invoices(con: store.Connection, ws: store.Workspace, amount: float) -> None:
    con.execute(
        """INSERT INTO invoices (workspace_id, date, customer, amount)
        SELECT $w, d::DATE, 'C' || (i % 3), $a
        FROM generate_series(DATE '2024-01-01', DATE '2025-12-31', INTERVAL 7 DAY)
          WITH ORDINALITY t(d, i)""",
        {"w": ws.id, "a": amount},
    )
    store.reconcile_customers(con.cursor(), ws.id)


def test_season_reset_freezes_the_figures_and_moves_the_start(
    con: store.Connection, workspace: store.Workspace
) -> None:
    _invoices(con, workspace, 100.0)
    assert seasons.current_start(con, workspace.id) is None
    season = seasons.start_season(con, workspace.id, date(2026, 1, 1), "Ana")
    assert get_settings(con, workspace.id)["season_start"] == "2026-01-01"
    assert (season.started_on, season.ended_on) == (None, date(2025, 12, 31))
    assert set(season.figures) == set(indicators.REGISTRY)
    frozen = json.dumps(season.figures, sort_keys=True)
    # the data changes afterwards: the frozen record does not
    con.execute(
        "INSERT INTO invoices (workspace_id, date, customer, amount) "
        "VALUES ($w, DATE '2025-12-30', 'C0', 1000000)",
        {"w": workspace.id},
    )
    again = seasons.list_seasons(con, workspace.id)
    assert len(again) == 1
    assert json.dumps(again[0].figures, sort_keys=True) == frozen
    # the next season starts after this one; both show side by side
    with pytest.raises(ChecklistError, match="after the current one"):
        seasons.start_season(con, workspace.id, date(2025, 6, 1))
    seasons.start_season(con, workspace.id, date(2026, 4, 1))
    # season figures count from the new opening day
    ctx = indicators.context(con, workspace.id, date(2026, 5, 31))
    assert ctx is not None and pace.recent_since(ctx) == date(2026, 3, 31)
    listed = seasons.list_seasons(con, workspace.id)
    assert [s.started_on for s in listed] == [None, date(2026, 1, 1)]
    table = seasons.side_by_side(listed)
    assert set(table["season"]) == {"the beginning to 2025-12-31", "2026-01-01 to 2026-03-31"}
    assert len(table) == 2 * len(indicators.REGISTRY)


def test_season_figures_are_those_of_the_closing_season(
    con: store.Connection, workspace: store.Workspace
) -> None:
    _invoices(con, workspace, 100.0)
    # a new season opening mid-data: the record holds the figures as of the day before
    season = seasons.start_season(con, workspace.id, date(2025, 7, 1))
    expected = indicators.compute_all(con, workspace.id, date(2025, 6, 30))
    for ind_id, r in expected.items():
        assert season.figures[ind_id] == json.loads(json.dumps(indicators.result_json(r)))


def test_deleting_a_workspace_removes_its_checklists(
    con: store.Connection, workspace: store.Workspace
) -> None:
    t = _template(con, workspace, "assumptions")
    run = runs.start_run(con, workspace.id, t, date(2026, 1, 5))
    runs.answer_item(con, workspace.id, run, t, "outsider", Answer("done"))
    goals.create_goal(con, workspace.id, "G", date(2026, 6, 1), "T", date(2026, 1, 1))
    store.delete_workspace(con, workspace.name)
    for table in ("checklist_runs", "checklist_answers", "goals", "goal_steps"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] == 0


# ---------------------------------------------------------------- export


def test_exported_csv_cells_cannot_run_as_formulas(
    con: store.Connection, workspace: store.Workspace
) -> None:
    t = _template(con, workspace, "assumptions")
    run = runs.start_run(con, workspace.id, t, date(2026, 1, 5))
    notes = {
        "list_them": '=HYPERLINK("http://x")',
        "evidence": "+1+2",
        "outsider": "-3",
        "outcome": "@SUM(A1)",
    }
    for item_id, note in notes.items():
        status = "yes" if t.item(item_id).kind == "question" else "done"
        runs.answer_item(con, workspace.id, run, t, item_id, Answer(status, note, "=cmd|calc"))
    csv = export.safe_csv(export.run_frame(t, runs.answer_map(con, workspace.id, run.id)))
    assert "'=HYPERLINK" in csv and "'+1+2" in csv and "'-3" in csv and "'@SUM(A1)" in csv
    # a tab or carriage return at the start is quoted too (saved answers are trimmed, so
    # check the cell function directly)
    assert export.safe_cell("\tTab") == "'\tTab" and export.safe_cell("\r=1") == "'\r=1"
    assert "'=cmd|calc" in csv
    for line in csv.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "+", "-", "@")), line
    assert export.safe_cell(42) == 42 and export.safe_cell("ok") == "ok"


def test_markdown_exports_read_as_a_report(
    con: store.Connection, workspace: store.Workspace
) -> None:
    t = _template(con, workspace, "assumptions")
    run = runs.start_run(con, workspace.id, t, date(2026, 1, 5))
    runs.answer_item(con, workspace.id, run, t, "outcome", Answer("no", "<b>bold</b> [x](y)"))
    md = export.run_markdown(t, run, runs.answer_map(con, workspace.id, run.id))
    assert md.startswith("# Assumptions\n")
    assert "✘ No" in md and "\\<b\\>bold" in md and "\\[x\\]" in md
    gid = goals.create_goal(
        con, workspace.id, "Ten customers", date(2026, 6, 30), "Call Ann", date(2026, 1, 1)
    )
    plan = goals.plan(con, workspace.id, gid, date(2026, 1, 1))
    gmd = export.goal_markdown(goals.get_goal(con, workspace.id, gid), plan)
    assert "- [ ] Today: Call Ann (due 2026-01-01)" in gmd
    assert export.goal_frame(plan)["kind"].tolist() == ["Today", "Goal reached"]
