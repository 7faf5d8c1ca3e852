"""Notes leave the app as plain text: in a page's snapshot (its blocks and the HTML export,
where the template escapes them) and in the workspace export's notes.csv."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from analytics import importer, notes, snapshots, store
from analytics.entities import ENTITY_NAMES
from analytics.snapshots.blocks import NOTES_HEADING, note_markdown, notes_blocks
from tests.test_cli import run_cli

HOSTILE = '<a href="http://evil.example">click</a> **not bold**'


def open_ws(db: Path) -> tuple[store.Connection, store.Workspace]:
    con = store.connect(db)
    return con, store.list_workspaces(con)[0]


def test_a_note_is_one_inert_markdown_line() -> None:
    note = notes.Note(3, 1, date(2025, 3, 1), None, None, HOSTILE, "<i>Eve</i>", None, None)  # type: ignore[arg-type]
    line = note_markdown(note)
    assert line.startswith("**2025\\-03\\-01** · \\<a href\\=")
    assert "\\*\\*not bold\\*\\*" in line and line.endswith(" — \\<i\\>Eve\\<\\/i\\>")
    assert notes_blocks([]) == []
    assert notes_blocks([note]) == [
        {"kind": "heading", "level": 3, "text": NOTES_HEADING},
        {"kind": "text", "style": "markdown", "text": line},
    ]


def test_a_page_snapshot_holds_the_notes_in_its_range_and_the_html_shows_them_plain(
    invoices_only: Path, tmp_path: Path
) -> None:
    con, ws = open_ws(invoices_only)
    try:
        # The invoices run from 2023-07-01 to 2025-06-30 (the last weekly one: 2025-06-28).
        inside = notes.add_note(con, ws.id, day=date(2024, 3, 1), text=HOSTILE, concerns="pace")
        notes.add_note(con, ws.id, day=date(2024, 4, 1), text="About fit only", concerns="fit")
        notes.add_note(con, ws.id, day=date(2025, 9, 1), text="After the figures' day")
        notes.add_note(
            con, ws.id, day=date(2023, 1, 1), until=date(2023, 6, 30), text="Before the data"
        )
    finally:
        con.close()
    ran = run_cli("snapshot", "create", "--db", invoices_only, "--workspace", ws.name)
    assert ran.returncode == 0, ran.stderr
    ran = run_cli(
        "snapshot", "create", "--db", invoices_only, "--workspace", ws.name, "--page", "pace"
    )
    assert ran.returncode == 0, ran.stderr
    con, ws = open_ws(invoices_only)
    try:
        board, pace = sorted(snapshots.list_snapshots(con, ws.id), key=lambda s: s.id)
        blocks = snapshots.frozen(con, ws.id, pace.id).blocks
        board_blocks = snapshots.frozen(con, ws.id, board.id).blocks
    finally:
        con.close()
    at = blocks.index({"kind": "heading", "level": 3, "text": NOTES_HEADING})
    assert blocks[at + 1] == {"kind": "text", "style": "markdown", "text": note_markdown(inside)}
    assert blocks[at + 2]["kind"] == "heading"  # one note: the fit one and those outside not
    assert not any(b.get("text") == NOTES_HEADING for b in board_blocks)

    out = tmp_path / "pace.html"
    ran = run_cli("snapshot", "export", "--db", invoices_only, str(pace.id), out)
    assert ran.returncode == 0, ran.stderr
    html = out.read_text(encoding="utf-8")
    assert "Notes on the timeline" in html
    assert '<a href="http://evil.example">' not in html and "<strong>not bold" not in html
    assert "&lt;a href=&#34;http\u2060://evil.example&#34;&gt;click&lt;/a&gt; **not bold**" in html


def test_the_export_writes_the_live_notes_as_a_spreadsheet_safe_csv(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    bare = importer.export_workspace(con, workspace.id, tmp_path / "none")
    assert [p.name for p in bare] == [f"{e}.parquet" for e in ENTITY_NAMES]  # no notes: no file
    kept = notes.add_note(
        con, workspace.id, day=date(2025, 3, 1), until=date(2025, 3, 3), text="=HYPERLINK(1)"
    )
    gone = notes.add_note(con, workspace.id, day=date(2025, 1, 1), text="removed")
    notes.remove_note(con, workspace.id, gone.id)
    first = notes.add_note(
        con, workspace.id, day=date(2024, 12, 1), text='Line "one"\nline two', author="Ann"
    )
    paths = importer.export_workspace(con, workspace.id, tmp_path / "out")
    assert [p.name for p in paths] == [f"{e}.parquet" for e in ENTITY_NAMES] + ["notes.csv"]
    with paths[-1].open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [
        {k: r[k] for k in ("id", "day", "until", "concerns", "text", "author")} for r in rows
    ] == [
        {
            "id": str(first.id),
            "day": "2024-12-01",
            "until": "",
            "concerns": "",
            "text": 'Line "one"\nline two',
            "author": "Ann",
        },
        {
            "id": str(kept.id),
            "day": "2025-03-01",
            "until": "2025-03-03",
            "concerns": "",
            "text": "'=HYPERLINK(1)",
            "author": "",
        },
    ]
    assert rows[0]["created_at"] == first.created_at.isoformat(timespec="seconds")


def test_the_export_command_writes_notes_csv(
    with_workspace: store.Workspace, db_file: Path, tmp_path: Path
) -> None:
    ran = run_cli(
        "note",
        "add",
        "--db",
        db_file,
        "--workspace",
        with_workspace.name,
        "--date",
        "2025-03-01",
        "--text",
        "Raised prices 8 %",
    )
    assert ran.returncode == 0
    ran = run_cli("export", "--db", db_file, "--workspace", with_workspace.name, tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[-1] == str(tmp_path / "notes.csv")
    lines = (tmp_path / "notes.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id,day,until,concerns,text,author,created_at,updated_at"
    assert lines[1].startswith("1,2025-03-01,,,Raised prices 8 %,,")
