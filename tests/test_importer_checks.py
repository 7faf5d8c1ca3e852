"""Data checks at import: rows that fail one are kept, counted in the result, listed for
Home, and left out of the figures they would distort. Counts worked out by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from analytics import importer, store
from analytics.importer.checks import CHECKS, data_checks
from analytics.queries import query

TODAY = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "today", lambda: TODAY)


def load(con: store.Connection, ws: store.Workspace, tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return importer.import_file(con, ws.id, path)


def listed(con: store.Connection, ws: store.Workspace) -> dict[tuple[str, str], tuple]:
    frame = data_checks(con, ws.id)
    return {(r.entity, r.check_id): (int(r.n), list(r.first_rows)) for r in frame.itertuples()}


def test_tickets_resolved_before_opened_and_negative_hours(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    text = (
        "Opened,Customer,Resolved,Hours\n"
        "2025-03-01,Acme,2025-03-02,1.5\n"  # row 2: fine
        "2025-03-05,Acme,2025-03-04,2\n"  # row 3: resolved the day before it was opened
        "2025-03-06,Beta,2025-03-06,-1\n"  # row 4: negative hours
        "2025-03-07,Beta,2025-02-01,-0.5\n"  # row 5: both
        "2025-03-08,Beta,,4\n"  # row 6: fine (not resolved yet)
    )
    result = load(con, workspace, tmp_path, "tickets.csv", text)
    assert result.entity == "tickets" and result.rows_imported == 5  # every row is kept
    assert result.checks == {"resolved_before_opened": 2, "negative_hours": 2}
    assert result.to_json()["checks"] == result.checks
    assert "2 tickets resolved before they were opened" in result.notes()[-1]
    assert listed(con, workspace) == {
        ("tickets", "resolved_before_opened"): (2, [3, 5]),
        ("tickets", "negative_hours"): (2, [4, 5]),
    }
    # Ticket hours per customer leave the negative ones out; the tickets still count:
    # Acme 2 tickets, 1.5 + 2 = 3.5 h; Beta 3 tickets, 4 h (not 4 - 1 - 0.5 = 2.5).
    ranks = query(
        con,
        "fit_ticket_ranks",
        {
            "ws": workspace.id,
            "as_of": date(2025, 3, 31),
            "current_after": date(2024, 3, 31),
            "complaints_only": False,
            "segments": [],
        },
    )
    got = {r.customer: (r.value, r.hours) for r in ranks.itertuples()}
    assert got == {"Acme": (2.0, 3.5), "Beta": (3.0, 4.0)}


def test_negative_hours_are_left_out_of_hours_figures(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    text = (
        "Date,Person,Hours\n"
        "2025-03-03,Ann,8\n"
        "2025-03-04,Ann,-2\n"  # row 3
        "2025-03-04,Bob,3\n"
        "2025-03-05,Bob,-0.5\n"  # row 5
    )
    result = load(con, workspace, tmp_path, "time.csv", text)
    assert result.checks == {"negative_hours": 2}
    assert listed(con, workspace) == {("time_entries", "negative_hours"): (2, [3, 5])}
    use = query(
        con,
        "friction_time_use",
        {"ws": workspace.id, "after": date(2025, 2, 28), "as_of": date(2025, 3, 31)},
    )
    assert dict(zip(use["person"], use["hours"], strict=True)) == {"Ann": 8.0, "Bob": 3.0}


def test_repeated_deal_ids_are_flagged_and_counted_once(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    text = (
        "Deal Id,Status,Value\n"
        "D1,open,100\n"  # row 2: D1 again on rows 4 and 7
        "D2,won,50\n"  # row 3: D2 again on row 6
        "D1,won,120\n"  # row 4: D1 again on row 7
        "D3,lost,10\n"
        "D2,won,55\n"  # row 6: D2's last row
        "D1,lost,1\n"  # row 7: D1's last row
    )
    result = load(con, workspace, tmp_path, "deals.csv", text)
    assert result.rows_imported == 6 and result.checks == {"duplicate_id": 3}
    assert listed(con, workspace) == {("deals", "duplicate_id"): (3, [2, 3, 4])}
    # Counted once: three deals, each as its file's last row says; won value 55, not 225.
    deals = con.execute("SELECT deal_id, status, value FROM deals_current ORDER BY 1").fetchall()
    assert [(d, s, float(v)) for d, s, v in deals] == [
        ("D1", "lost", 1.0),
        ("D2", "won", 55.0),
        ("D3", "lost", 10.0),
    ]
    assert store.entity_counts(con, workspace.id)["deals"] == 3


def test_dates_after_today_are_flagged_and_set_no_as_of_day(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    text = (
        "Date,Customer,Amount\n"
        "2025-06-02,Acme,100\n"
        "2025-07-01,Acme,50\n"  # row 3: tomorrow
        "2026-01-15,Beta,70\n"  # row 4: a typo for 2025, say
        "2025-06-30,Beta,20\n"  # today is not after today
    )
    result = load(con, workspace, tmp_path, "invoices.csv", text)
    assert result.rows_imported == 4 and result.checks == {"future_date": 2}
    frame = data_checks(con, workspace.id)
    assert list(frame["first_rows"][0]) == [3, 4]
    assert list(frame["first_details"][0]) == ["Acme, 2025-07-01", "Beta, 2026-01-15"]
    assert frame["label"][0] == "invoice lines dated after today"
    # The as-of day is capped at today: the rows after it are outside every figure.
    assert store.last_data_date(con, workspace.id) == TODAY


def test_undoing_a_batch_takes_its_flags_with_it(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    result = load(con, workspace, tmp_path, "t.csv", "Date,Person,Hours\n2025-03-03,Ann,-8\n")
    assert result.batch_id is not None and listed(con, workspace)
    store.undo_batch(con, workspace.id, result.batch_id)
    assert listed(con, workspace) == {}


def test_every_check_says_what_it_leaves_out() -> None:
    for c in CHECKS:
        assert c.label and c.left_out.endswith("."), c
    assert len({(c.entity, c.id) for c in CHECKS}) == len(CHECKS)


@pytest.mark.usefixtures("fresh_streamlit")
def test_home_lists_the_data_checks(with_workspace: store.Workspace, tmp_path: Path) -> None:
    from tests.apptest import no_failure, run_page

    con = store.connect(store.db_path())
    text = "Opened,Customer,Resolved,Hours\n2025-03-05,Acme,2025-03-04,2\n2025-03-06,Beta,,-1\n"
    load(con, with_workspace, tmp_path, "tickets.csv", text)
    con.close()
    at = run_page("pages/home.py")
    no_failure(at)
    assert any(h.value == "Data checks" for h in at.subheader)
    table = next(d.value for d in at.dataframe if "Check" in d.value.columns)
    rows = table.set_index("Check")
    assert rows.loc["tickets resolved before they were opened", "Rows"] == 1
    assert (
        rows.loc["tickets with negative hours", "First rows"] == "row 3: Beta, 2025-03-06, -1.0 h"
    )
    assert rows.loc["tickets with negative hours", "Left out of"].startswith("Support hours")
