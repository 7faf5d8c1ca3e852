"""Next month's export of the same rows: what filled in since (an invoice paid, a ticket
resolved) updates the stored row instead of being lost or counted twice, and an undo puts
the earlier values back (analytics/importer/insert.py: update_later_fields; store's
restore_updates; migration 20)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from analytics import importer, indicators, store
from analytics.importer.fingerprint import fingerprint_sql
from tests.files import write

OCTOBER = (
    "Date,Customer,Amount,Invoice No,Due Date,Paid Date\n"
    "2026-10-01,Acme,1000.00,INV-1,2026-10-31,\n"
    "2026-10-02,Beta,500.00,INV-2,2026-11-01,2026-10-20\n"
)
# A month later: INV-1 was paid on 25 Oct, INV-2's line comes again as it was, INV-3 is new.
NOVEMBER = (
    "Date,Customer,Amount,Invoice No,Due Date,Paid Date\n"
    "2026-10-01,Acme,1000.00,INV-1,2026-10-31,2026-10-25\n"
    "2026-10-02,Beta,500.00,INV-2,2026-11-01,2026-10-20\n"
    "2026-11-01,Gamma,700.00,INV-3,2026-12-01,\n"
)


def _import(
    con: store.Connection, workspace_id: int, tmp_path: Path, name: str, text: str, entity: str
) -> importer.ImportResult:
    """`text` written to `name` and imported as `entity`, as a CLI import of that file."""
    return importer.import_file(con, workspace_id, write(tmp_path, name, text), entity=entity)


def _invoices(con: store.Connection) -> list[tuple[str, date | None, date | None]]:
    return con.execute("SELECT invoice_no, due, paid FROM invoices ORDER BY invoice_no").fetchall()


def _dso(con: store.Connection, workspace_id: int) -> float | None:
    return indicators.compute_all(con, workspace_id, area="pace")["dso_days"].value


def test_an_invoice_paid_since_the_last_export_is_updated_and_the_dso_follows(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    _import(con, workspace.id, tmp_path, "oct.csv", OCTOBER, "invoices")
    result = _import(con, workspace.id, tmp_path, "nov.csv", NOVEMBER, "invoices")
    assert (result.rows_imported, result.duplicates_skipped, result.rows_updated) == (1, 2, 1)
    assert result.updated == {"due": 0, "paid": 1, "rows": 1}
    assert "Updated 1 row already stored, which came back changed (1 with a paid date)" in (
        result.summary()
    )
    assert result.to_json()["rows_updated"] == 1
    assert _invoices(con) == [
        ("INV-1", date(2026, 10, 31), date(2026, 10, 25)),
        ("INV-2", date(2026, 11, 1), date(2026, 10, 20)),
        ("INV-3", date(2026, 12, 1), None),
    ]
    # On 1 Nov (the invoices' last day) only INV-3 is open: 700 against 2,200 invoiced in the
    # 90 days to it, 700 / (2,200 / 90) days. Left unpaid, INV-1 would make it 1,700 / ….
    assert _dso(con, workspace.id) == pytest.approx(700 / (2200 / 90), abs=1e-9)
    [batch] = [b for b in store.list_batches(con, workspace.id) if b.id == result.batch_id]
    assert batch.rows_updated == 1

    # Undo: INV-3 goes, INV-1 is unpaid again, the DSO as it was after October's file.
    store.undo_batch(con, workspace.id, result.batch_id)
    assert _invoices(con) == [
        ("INV-1", date(2026, 10, 31), None),
        ("INV-2", date(2026, 11, 1), date(2026, 10, 20)),
    ]
    assert con.execute("SELECT count(*) FROM row_updates").fetchall() == [(0,)]
    # on 2 Oct both lines are open (INV-2 was paid on the 20th): 1,500 of 1,500 in 90 days
    assert _dso(con, workspace.id) == pytest.approx(90.0, abs=1e-9)


def test_a_blank_in_a_later_export_clears_nothing(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    _import(con, workspace.id, tmp_path, "oct.csv", OCTOBER, "invoices")
    blank = OCTOBER.replace("2026-10-20", "")  # INV-2 without its paid date
    result = _import(con, workspace.id, tmp_path, "blank.csv", blank, "invoices")
    assert (result.rows_imported, result.rows_updated) == (0, 0)
    assert result.updated_text() is None
    assert _invoices(con)[1] == ("INV-2", date(2026, 11, 1), date(2026, 10, 20))


def test_undoing_an_earlier_update_keeps_what_a_later_import_changed(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    _import(con, workspace.id, tmp_path, "oct.csv", OCTOBER, "invoices")
    nov = _import(con, workspace.id, tmp_path, "nov.csv", NOVEMBER, "invoices")
    # December's export moves INV-1's payment to 27 Oct (a correction in the books)
    december = NOVEMBER.replace("2026-10-25", "2026-10-27")
    dec = _import(con, workspace.id, tmp_path, "dec.csv", december, "invoices")
    assert dec.updated == {"due": 0, "paid": 1, "rows": 1}
    store.undo_batch(con, workspace.id, nov.batch_id)
    # November's change was overtaken: undoing it leaves December's date
    assert _invoices(con)[0] == ("INV-1", date(2026, 10, 31), date(2026, 10, 27))
    store.undo_batch(con, workspace.id, dec.batch_id)
    assert _invoices(con)[0] == ("INV-1", date(2026, 10, 31), date(2026, 10, 25))


TICKETS_OCT = (
    "Opened,Customer,Type,Severity,Resolved,Hours\n"
    "2026-10-01,Acme,complaint,high,,\n"
    "2026-10-01,Acme,complaint,high,,\n"  # a second complaint that day, same severity
    "2026-10-03,Beta,request,low,2026-10-04,1.5\n"
)
TICKETS_NOV = (
    "Opened,Customer,Type,Severity,Resolved,Hours\n"
    "2026-10-01,Acme,complaint,high,2026-10-20,3\n"
    "2026-10-01,Acme,complaint,high,,\n"
    "2026-10-03,Beta,request,low,2026-10-04,1.5\n"
    "2026-11-02,Gamma,incident,medium,,\n"
)


def test_a_ticket_resolved_since_is_the_same_ticket_not_a_second_one(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    _import(con, workspace.id, tmp_path, "oct.csv", TICKETS_OCT, "tickets")
    result = _import(con, workspace.id, tmp_path, "nov.csv", TICKETS_NOV, "tickets")
    assert (result.rows_imported, result.duplicates_skipped, result.rows_updated) == (1, 3, 1)
    assert result.updated == {"resolved": 1, "hours": 1, "rows": 1}
    rows = con.execute(
        "SELECT opened, customer, resolved, hours, occurrence FROM tickets "
        "ORDER BY opened, occurrence"
    ).fetchall()
    assert rows == [
        (date(2026, 10, 1), "Acme", date(2026, 10, 20), 3.0, 1),
        (date(2026, 10, 1), "Acme", None, None, 2),
        (date(2026, 10, 3), "Beta", date(2026, 10, 4), 1.5, 1),
        (date(2026, 11, 2), "Gamma", None, None, 1),
    ]
    store.undo_batch(con, workspace.id, result.batch_id)
    assert con.execute(
        "SELECT resolved, hours FROM tickets ORDER BY opened, occurrence"
    ).fetchall() == [(None, None), (None, None), (date(2026, 10, 4), 1.5)]


def test_migration_20_fingerprints_stored_tickets_by_identity_and_numbers_them(
    db_file: Path, tmp_path: Path
) -> None:
    con = store.connect(db_file)
    ws = store.create_workspace(con, "Old").id
    _import(con, ws, tmp_path, "oct.csv", TICKETS_OCT, "tickets")
    # Back to schema 19: each ticket fingerprinted over all six fields (version 1), so the
    # two complaints of 1 Oct are occurrences 1 and 2 of one fingerprint, and Beta's ticket
    # has a fingerprint of its own.
    version_1 = fingerprint_sql("tickets").replace(
        "coalesce(CAST(severity AS VARCHAR), chr(30))",
        "coalesce(CAST(severity AS VARCHAR), chr(30)), "
        "coalesce(CAST(resolved AS VARCHAR), chr(30)), coalesce(CAST(hours AS VARCHAR), chr(30))",
    )
    con.execute(f"UPDATE tickets SET row_fp = {version_1}, occurrence = 1")
    con.execute("DELETE FROM schema_version WHERE version = 20")
    con.execute("DROP TABLE row_updates")
    con.close()

    con = store.connect(db_file)  # migration 20 runs
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        expected = con.execute(
            f"SELECT {fingerprint_sql('tickets')} FROM tickets ORDER BY source_row"
        ).fetchall()
        assert con.execute("SELECT row_fp FROM tickets ORDER BY source_row").fetchall() == (
            expected
        )
        assert con.execute("SELECT occurrence FROM tickets ORDER BY source_row").fetchall() == [
            (1,),
            (2,),
            (1,),
        ]
        # November's export now resolves the first complaint and adds only Gamma's ticket
        result = _import(con, ws, tmp_path, "nov.csv", TICKETS_NOV, "tickets")
        assert (result.rows_imported, result.rows_updated) == (1, 1)
        assert con.execute("SELECT count(*) FROM tickets").fetchall() == [(4,)]
    finally:
        con.close()


# ---------------------------------------------------------------- the preview says it first


def _preview(
    con: store.Connection,
    workspace_id: int | None,
    tmp_path: Path,
    name: str,
    text: str,
    entity: str,
) -> importer.Preview:
    source = importer.read_source(write(tmp_path, name, text))
    mapping = importer.auto_map(entity, source.headers)
    return importer.preview(con, source, entity, mapping, workspace_id=workspace_id)


def test_the_preview_says_which_rows_are_stored_and_which_it_would_update(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    # nothing stored yet: every row is new, nothing to say
    assert _preview(con, workspace.id, tmp_path, "oct.csv", OCTOBER, "invoices").forecast is None
    _import(con, workspace.id, tmp_path, "oct.csv", OCTOBER, "invoices")
    ahead = _preview(con, workspace.id, tmp_path, "nov.csv", NOVEMBER, "invoices").forecast
    # INV-1 and INV-2 are October's lines again (INV-1 now paid), INV-3 is new
    assert ahead == importer.Forecast(1, 2, {"rows": 1, "due": 0, "paid": 1})
    assert ahead.text() == (
        "2 of the file's 3 rows are already stored (an earlier export brought them) and are "
        "not added again; 1 is new. 1 of the stored rows came back changed and will be "
        "updated (1 with a paid date); undoing the import puts the earlier values back."
    )
    # the preview wrote nothing, and the import then does what it said
    assert _invoices(con)[0] == ("INV-1", date(2026, 10, 31), None)
    result = _import(con, workspace.id, tmp_path, "nov.csv", NOVEMBER, "invoices")
    assert (result.rows_imported, result.duplicates_skipped, result.updated) == (
        ahead.new,
        ahead.stored,
        ahead.updated,
    )
    # the same file again: all stored, none changed; without a workspace, no forecast
    again = _preview(con, workspace.id, tmp_path, "nov2.csv", NOVEMBER, "invoices").forecast
    assert again == importer.Forecast(0, 3, {})
    assert again.text() == (
        "All 3 rows of the file are already stored (an earlier export brought them): importing "
        "adds no new row."
    )
    assert _preview(con, None, tmp_path, "nov3.csv", NOVEMBER, "invoices").forecast is None


def test_the_preview_counts_a_repeated_ticket_once_per_occurrence(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    _import(con, workspace.id, tmp_path, "oct.csv", TICKETS_OCT, "tickets")
    ahead = _preview(con, workspace.id, tmp_path, "nov.csv", TICKETS_NOV, "tickets").forecast
    # the two same-day complaints are occurrences 1 and 2, both stored; the first is now
    # resolved (with its hours); Beta's request comes again as it was; Gamma's is new
    assert ahead == importer.Forecast(1, 3, {"rows": 1, "resolved": 1, "hours": 1})
    assert "(1 with a resolved date, 1 with new hours)" in (ahead.text() or "")
    result = _import(con, workspace.id, tmp_path, "nov.csv", TICKETS_NOV, "tickets")
    assert (result.rows_imported, result.duplicates_skipped, result.updated) == (
        1,
        3,
        ahead.updated,
    )


def test_the_preview_speaks_of_the_readable_rows_when_some_cannot_be_read(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    _import(con, workspace.id, tmp_path, "oct.csv", OCTOBER, "invoices")
    bad = NOVEMBER + "2026-11-02,Delta,lots,INV-4,2026-12-02,\n"  # an amount that is no number
    found = _preview(con, workspace.id, tmp_path, "nov.csv", bad, "invoices")
    assert [r.row for r in found.rejects] == [5]
    assert found.forecast == importer.Forecast(1, 2, {"rows": 1, "due": 0, "paid": 1})
    assert (found.forecast.text(rejects=True) or "").startswith(
        "2 of the 3 rows that can be read are already stored"
    )


# ---------------------------------------------------------------- the command line's dry run


def _dry_run(db: Path, *args: str | Path, workspace: str = "Acme IT") -> Any:
    """`python -m analytics import --dry-run` into `workspace` of the store at `db`."""
    from tests.test_cli import run_cli

    return run_cli("import", "--db", db, "--workspace", workspace, "--dry-run", *args)


def test_a_dry_run_says_what_the_import_would_do_and_writes_nothing(tmp_path: Path) -> None:
    from tests.test_cli import import_json

    db = tmp_path / "store.duckdb"
    october, november = write(tmp_path, "oct.csv", OCTOBER), write(tmp_path, "nov.csv", NOVEMBER)
    # a store that does not exist yet: every row would be new, and nothing is created
    ran = _dry_run(db, october)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[:2] == [
        "Dry run, nothing written: oct.csv holds 2 rows of invoices; 2 can be read, 0 cannot.",
        "All 2 rows that can be read are new.",
    ]
    assert not db.exists()  # not even the store was made
    assert import_json(db, "--workspace", "Acme IT", october)[0] == 0
    code, said, _ = import_json(db, "--workspace", "Acme IT", "--dry-run", november)
    assert code == 0
    assert (said["new"], said["stored"], said["rows_updated"]) == (1, 2, 1)
    assert said["updated_by_field"] == {"due": 0, "paid": 1}
    assert (said["dry_run"], said["ok"], said["already_imported_batch"]) == (True, True, None)
    assert (
        _dry_run(db, november)
        .stdout.splitlines()[1]
        .startswith("2 of the file's 3 rows are already stored (an earlier export brought them)")
    )
    # nothing was written: INV-1 still unpaid, two lines, one batch
    con = store.connect(db, read_only=True)
    assert con.execute("SELECT count(*), count(paid) FROM invoices").fetchall() == [(2, 1)]
    assert len(store.list_batches(con, store.list_workspaces(con)[0].id)) == 1
    con.close()
    # another business in the same store holds none of them
    ran = _dry_run(db, november, workspace="Other")
    assert ran.stdout.splitlines()[1] == "All 3 rows that can be read are new."
    # October's file again: the batch that holds it; a row that cannot be read: exit 2
    assert "This exact file was imported before (batch 1)" in _dry_run(db, october).stdout
    bad = write(tmp_path, "bad.csv", NOVEMBER + "2026-11-02,Delta,lots,INV-4,2026-12-02,\n")
    ran = _dry_run(db, bad)
    assert ran.returncode == 2
    assert "The import would stop at the rows that cannot be read" in ran.stdout
    assert "row 5, column 'amount'" in ran.stderr
    ran = _dry_run(db, "--skip-bad-rows", bad)
    assert ran.returncode == 0
    assert "2 of the 3 rows that can be read are already stored" in ran.stdout


def test_a_dry_run_of_a_customers_file_counts_nothing_ahead(tmp_path: Path) -> None:
    from tests.test_cli import import_json

    db = tmp_path / "store.duckdb"
    customers = write(tmp_path, "customers.csv", "Customer,Segment\nAcme,Dental\nBeta,Legal\n")
    assert import_json(db, "--workspace", "Acme IT", "--entity", "customers", customers)[0] == 0
    ran = _dry_run(db, "--entity", "customers", customers)
    assert "This exact file was imported before (batch 1)" in ran.stdout
    again = write(tmp_path, "customers2.csv", "Customer,Segment\nAcme,Dental\nGamma,Legal\n")
    code, said, _ = import_json(
        db, "--workspace", "Acme IT", "--entity", "customers", "--dry-run", again
    )
    assert code == 0 and (said["new"], said["stored"]) == (None, None)
    assert _dry_run(db, "--entity", "customers", again).stdout.splitlines()[1] == (
        "A customers file is stored one row per customer: customers already stored take the "
        "file's values, the others are added."
    )


def test_the_forecast_sentence_counts_in_words() -> None:
    assert importer.Forecast(3, 0).text() is None  # nothing stored: nothing to say
    assert importer.Forecast(0, 1).text(rejects=True) == (
        "The file's one readable row is already stored (an earlier export brought it): "
        "importing adds no new row."
    )
    assert importer.Forecast(5, 1).text() == (
        "1 of the file's 6 rows is already stored (an earlier export brought it) and is not "
        "added again; 5 are new."
    )
