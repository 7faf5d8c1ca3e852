"""`python -m analytics note …`, in process: add prints the id (an object with --json), list
shows the notes by day within --from/--to, edit keeps a revision, remove and restore."""

from __future__ import annotations

import json
from pathlib import Path

from analytics import notes, store
from tests.test_cli import run_cli


def note(db: Path, *args: str) -> tuple[int, str, str]:
    ran = run_cli("note", *args[:1], "--db", db, *args[1:])
    return ran.returncode, ran.stdout, ran.stderr


def test_add_list_edit_remove_restore(db_file: Path, with_workspace: store.Workspace) -> None:
    ws = ("--workspace", with_workspace.name)
    code, out, err = note(
        db_file, "add", *ws, "--date", "2025-03-01", "--text", "Raised prices 8 %"
    )
    assert (code, err) == (0, "")
    first = int(out)
    code, out, _ = note(
        db_file,
        "add",
        *ws,
        "--date",
        "2025-03-15",
        "--until",
        "2025-05-31",
        "--area",
        "pace",
        "--text",
        "<b>New</b> CRM",
        "--author",
        "Ann",
        "--json",
    )
    added = json.loads(out)
    assert code == 0 and added["id"] == first + 1
    assert {k: added[k] for k in ("day", "until", "concerns", "text", "author")} == {
        "day": "2025-03-15",
        "until": "2025-05-31",
        "concerns": "pace",
        "text": "<b>New</b> CRM",
        "author": "Ann",
    }

    code, out, _ = note(db_file, "list", *ws)
    assert code == 0
    assert out.splitlines() == [
        f"{first:>4}  2025-03-01: Raised prices 8 %",
        f"{first + 1:>4}  2025-03-15 – 2025-05-31 [pace]: <b>New</b> CRM — Ann",
    ]
    code, out, _ = note(
        db_file, "list", *ws, "--from", "2025-04-01", "--to", "2025-12-31", "--json"
    )
    assert [n["id"] for n in json.loads(out)] == [first + 1]

    code, out, _ = note(
        db_file, "edit", *ws, str(first), "--text", "Raised prices 9 %", "--area", "niche"
    )
    assert (code, out) == (0, f"Note {first}: 2025-03-01 [niche]: Raised prices 9 %\n")
    code, out, _ = note(db_file, "edit", *ws, str(first + 1), "--single-day", "--whole-business")
    assert out == f"Note {first + 1}: 2025-03-15: <b>New</b> CRM — Ann\n"

    code, out, _ = note(db_file, "remove", *ws, str(first))
    assert code == 0 and out.startswith(f"Removed note {first} (Raised prices 9 %)")
    code, out, _ = note(db_file, "list", *ws, "--json")
    assert [n["id"] for n in json.loads(out)] == [first + 1]
    code, out, _ = note(db_file, "restore", *ws, str(first))
    assert (code, out) == (0, f"Restored note {first}: 2025-03-01 [niche]: Raised prices 9 %\n")

    con = store.connect(db_file)
    try:
        history = notes.note_history(con, with_workspace.id, first)
        assert [(r.revision, r.text, r.concerns) for r in history] == [
            (1, "Raised prices 8 %", None)
        ]
    finally:
        con.close()


def test_refusals_are_one_line_and_exit_1(db_file: Path, with_workspace: store.Workspace) -> None:
    ws = ("--workspace", with_workspace.name)
    code, out, err = note(
        db_file, "add", *ws, "--date", "2025-03-01", "--until", "2025-02-01", "--text", "x"
    )
    assert (code, out) == (1, "")
    assert err == (
        "error: The note ends (2025-02-01) before it starts (2025-03-01): the end day must be "
        "on or after the day.\n"
    )
    code, _, err = note(
        db_file, "add", *ws, "--date", "2025-03-01", "--area", "cash", "--text", "x"
    )
    assert code == 1 and "not 'cash'" in err
    code, _, err = note(db_file, "remove", *ws, "42")
    assert (code, err) == (1, "error: There is no note 42 in this business.\n")
    code, _, err = note(db_file, "add", *ws, "--date", "1 March", "--text", "x")
    assert code == 2 and "'1 March' is not a date like 2025-03-31" in err
    code, out, _ = note(db_file, "list", *ws)
    assert (code, out) == (0, f"{with_workspace.name} has no notes in that range.\n")
