"""`python -m analytics checklist list|export|import|delete`, in-process, on a tiny store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from analytics import checklists, store
from analytics.checklists import runs
from analytics.cli.common import EXIT_STORE
from tests.test_cli import run_cli


def _store(db: Path) -> int:
    con = store.connect(db)
    try:
        ws = store.create_workspace(con, "Harbour IT").id
        tid = checklists.add_template(con, ws, "Monday check", "Start the week")
        checklists.add_item(con, ws, tid, "Inbox empty?")
        checklists.add_item(con, ws, tid, "Invoices out?", kind="task")
        return ws
    finally:
        con.close()


def test_list_shows_built_in_and_own_checklists(db_file: Path) -> None:
    _store(db_file)
    ran = run_cli("checklist", "list", "--db", db_file, "--workspace", "Harbour IT", "--json")
    assert ran.returncode == 0, ran.stderr
    rows = {r["id"]: r for r in json.loads(ran.stdout)}
    assert len(rows) == 11
    assert rows["own_monday_check"] == {
        "id": "own_monday_check",
        "title": "Monday check",
        "items": 2,
        "own": True,
        "archived": False,
        "repeat": None,
    }
    assert rows["does_it_work"]["items"] == 20 and rows["does_it_work"]["own"] is False
    text = run_cli("checklist", "list", "--db", db_file, "--workspace", "Harbour IT")
    assert "own_monday_check  Monday check (2 items, own)" in text.stdout.splitlines()


def test_export_then_import_gives_an_own_copy_item_for_item(db_file: Path, tmp_path: Path) -> None:
    ws = _store(db_file)
    out = tmp_path / "assumptions.toml"
    ran = run_cli(
        "checklist", "export", "--db", db_file, "--workspace", "Harbour IT", "assumptions", out
    )
    assert ran.returncode == 0, ran.stderr
    assert out.read_text(encoding="utf-8").startswith('id = "assumptions"\ntitle = "Assumptions"\n')
    ran = run_cli("checklist", "import", "--db", db_file, "--workspace", "Harbour IT", out)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("Imported 'Assumptions' as own_assumptions (")
    con = store.connect(db_file)
    mine = checklists.templates_for(con, ws)["own_assumptions"]
    con.close()
    original = checklists.builtin().templates["assumptions"]
    assert [(i.id, i.prompt, i.help, i.kind, i.indicators) for i in mine.items] == [
        (i.id, i.prompt, i.help, i.kind, i.indicators) for i in original.items
    ]


def test_a_broken_file_is_refused_with_its_line(db_file: Path, tmp_path: Path) -> None:
    _store(db_file)
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\ntitle = "X"\npurpose = "p"\n\n[[items]]\nid = "a"\nprompt = "A?"\n')
    ran = run_cli("checklist", "import", "--db", db_file, "--workspace", "Harbour IT", bad)
    assert ran.returncode == EXIT_STORE
    assert ran.stderr.strip() == "error: bad.toml, line 5: item 1 needs a text value for 'help'"
    listed = run_cli("checklist", "list", "--db", db_file, "--workspace", "Harbour IT", "--json")
    assert len(json.loads(listed.stdout)) == 11


def test_delete_refuses_a_built_in_and_archives_an_own_one_with_runs(db_file: Path) -> None:
    ws = _store(db_file)
    ran = run_cli(
        "checklist", "delete", "--db", db_file, "--workspace", "Harbour IT", "does_it_work"
    )
    assert ran.returncode == EXIT_STORE
    assert "is a built-in checklist and stays as shipped" in ran.stderr
    con = store.connect(db_file)
    runs.start_run(con, ws, checklists.templates_for(con, ws)["own_monday_check"], date(2026, 3, 2))
    con.close()
    ran = run_cli(
        "checklist", "delete", "--db", db_file, "--workspace", "Harbour IT", "own_monday_check"
    )
    assert (ran.returncode, ran.stdout.strip()) == (
        0,
        "Archived own_monday_check: its runs stay readable.",
    )
    listed = json.loads(
        run_cli("checklist", "list", "--db", db_file, "--workspace", "Harbour IT", "--json").stdout
    )
    assert [r["archived"] for r in listed if r["id"] == "own_monday_check"] == [True]
