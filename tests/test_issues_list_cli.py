"""`python -m analytics issue-list …`, in-process: list, add (typed or from a figure), discuss,
solve into the open review session, drop, restore, undo."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from analytics import indicators, peers, review, store
from analytics import issues_list as il
from analytics.cli.common import EXIT_STORE
from analytics.settings import get_settings
from tests.test_cli import run_cli


def _store(db: Path) -> tuple[int, int]:
    """Harbour IT in a group with one open session on 2025-06-02; Other Co with one item."""
    con = store.connect(db)
    try:
        ws = store.create_workspace(con, "Harbour IT").id
        other = store.create_workspace(con, "Other Co").id
        il.add_issue(con, other, "Not yours")
        group = peers.create_group(con, "Circle", founder=ws)
        session = review.start_session(con, group.id, date(2025, 6, 2), viewer=ws)
        return ws, session.id
    finally:
        con.close()


def cli(db: Path, *args: str | int) -> tuple[int, str, str]:
    ran = run_cli("issue-list", *[str(a) for a in args], "--db", db, "--workspace", "Harbour IT")
    return ran.returncode, ran.stdout, ran.stderr


def test_add_list_discuss_solve_and_the_commitment(db_file: Path) -> None:
    ws, session = _store(db_file)
    code, out, err = cli(db_file, "add", "--title", "Quotes take a week", "--by", "Sam")
    assert code == 0, err
    assert out.startswith("Added #2. #2    P2 medium [open] Quotes take a week — typed in")
    code, out, err = cli(db_file, "add", "--title", "<b>Late</b> invoices", "--priority", "high")
    assert code == 0, err
    code, out, _ = cli(db_file)
    assert out.splitlines() == [
        "#3    P1 high   [open] <b>Late</b> invoices — typed in",
        "#2    P2 medium [open] Quotes take a week — typed in · raised by Sam",
    ]
    assert cli(db_file, "discuss", 2, "--who", "Jo")[0] == 0
    code, out, err = cli(db_file, "solve", 2, "--owner", "Pat", "--due", "2025-07-01", "--json")
    assert code == 0, err
    solved = json.loads(out)
    assert (solved["state"], solved["closed_in_session"], solved["closed_session_on"]) == (
        "solved",
        session,
        "2025-06-02",
    )
    con = store.connect(db_file)
    made = review.commitments(con, session, viewer=ws)
    con.close()
    assert list(zip(made["commitment_id"], made["owner"], made["text"], strict=True)) == [
        (solved["commitment_id"], "Pat", "Quotes take a week")
    ]
    code, out, _ = cli(db_file, "--json")
    assert [r["id"] for r in json.loads(out)] == [3]
    code, out, _ = cli(db_file, "--json", "--all")
    rows = json.loads(out)
    assert [(r["id"], r["state"], r["from"]) for r in rows] == [
        (3, "open", "typed in"),
        (2, "solved", "typed in"),
    ]
    code, out, _ = cli(db_file, "--all")
    assert out.splitlines()[1].endswith(
        "· raised by Sam · solved in the session of 2025-06-02 → commitment #1"
    )


def test_refusals_are_one_line_errors(db_file: Path) -> None:
    _store(db_file)
    cli(db_file, "add", "--title", "Quotes")
    code, _, err = cli(db_file, "solve", 2, "--owner", "Pat", "--due", "2025-07-01")
    assert (code, err) == (EXIT_STORE, "error: Issue #2 is open: discuss it first, then solve "
                           "it with an owner and a due date.\n")  # fmt: skip
    code, _, err = cli(db_file, "drop", 1)
    assert (code, err) == (EXIT_STORE, "error: No issue #1 on this business's list.\n")
    code, _, err = cli(db_file, "add", "--title", "X", "--priority", "urgent")
    assert code == EXIT_STORE and "not 'urgent'" in err
    ran = run_cli("issue-list", "--db", db_file)
    assert ran.returncode == 2 and "--workspace" in ran.stderr


def test_solve_without_an_open_session_says_where_to_start_one(db_file: Path) -> None:
    ws, session = _store(db_file)
    con = store.connect(db_file)
    review.close_session(con, session, viewer=ws)
    con.close()
    cli(db_file, "add", "--title", "Quotes")
    cli(db_file, "discuss", 2)
    code, _, err = cli(db_file, "solve", 2, "--owner", "Pat", "--due", "2025-07-01")
    assert code == EXIT_STORE and "no session is open: start one" in err


def test_drop_restore_and_undo(db_file: Path) -> None:
    _store(db_file)
    cli(db_file, "add", "--title", "Quotes")
    code, out, _ = cli(db_file, "drop", 2, "--who", "Kim")
    assert out.startswith("#2 is dropped.")
    assert cli(db_file)[1] == "The issues list is empty.\n"
    assert cli(db_file, "restore", 2)[1].startswith("#2 is open.")
    code, out, _ = cli(db_file, "undo", "--who", "Kim")
    assert (code, out) == (0, "#2 is dropped again.\n")
    code, out, _ = cli(db_file, "undo", "--json")
    assert json.loads(out) == {"undone": "#2 is open again."}


def test_a_red_figure_of_the_demo_goes_on_the_list(demo_db: Path) -> None:
    con = store.connect(demo_db)
    ws = store.list_workspaces(con)[0]
    results = indicators.compute_all(con, ws.id)
    currency = str(get_settings(con, ws.id)["currency"])
    con.close()
    red = next(i for i, r in results.items() if r.status == "red")
    green = next(i for i, r in results.items() if r.status == "green")
    ind = indicators.get(red)
    shown = ind.format_value(results[red].value, currency)
    ran = run_cli(
        "issue-list", "add", "--db", demo_db, "--workspace", ws.name, "--from-indicator", red,
        "--json",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    row = json.loads(ran.stdout)
    assert row["title"] == f"{ind.label} (red, {shown})"
    assert row["from"] == f"from: Scoreboard — {ind.label} (red, {shown})"
    assert row["source"] == {"kind": "indicator", "id": red}
    again = run_cli(
        "issue-list", "add", "--db", demo_db, "--workspace", ws.name, "--from-indicator", red
    )
    assert again.returncode == EXIT_STORE and "on the issues list already: #1" in again.stderr
    ran = run_cli(
        "issue-list", "add", "--db", demo_db, "--workspace", ws.name, "--from-indicator", green
    )
    assert ran.returncode == EXIT_STORE and "Only a red or amber figure" in ran.stderr


def test_priority_and_move_reorder_the_listing(db_file: Path) -> None:
    _store(db_file)
    for title in ("Oldest", "Middle", "Newest"):
        cli(db_file, "add", "--title", title)
    code, out, err = cli(db_file, "priority", 4, "high", "--who", "Jo")
    assert (code, out.split(" #")[0]) == (0, "#4 is priority high."), err
    assert cli(db_file, "move", 2, "down")[1].startswith("#2 moved down.")
    code, out, _ = cli(db_file, "--json")
    assert [(r["id"], r["priority"]) for r in json.loads(out)] == [(4, 1), (3, 2), (2, 2)]
    code, _, err = cli(db_file, "move", 4, "up")
    assert code == EXIT_STORE and "first among the high-priority issues" in err
