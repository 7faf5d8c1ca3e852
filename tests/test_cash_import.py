"""Due and paid dates through the importer: the headers common receivables exports use are
recognised, the dates read, and last month's export (before the fields) is still recognised."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from analytics import importer, store


@pytest.mark.parametrize(
    ("due", "paid"),
    [
        ("DueDate", "SettledDate"),  # the IBM Watson accounts-receivable sample
        ("Due Date", "Payment Date"),
        ("Payment Due", "Date Paid"),
        ("Date Due", "Paid On"),
        ("Due", "Clear Date"),
    ],
)
def test_due_and_paid_columns_are_recognised_and_read(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path, due: str, paid: str
) -> None:
    path = tmp_path / "receivables.csv"
    path.write_text(
        f"Invoice Date,Customer,Amount,Invoice Number,{due},{paid}\n"
        "1/2/2013,Acme,55.94,0000611365,2/1/2013,1/15/2013\n"
        "1/26/2013,Bolt,61.74,0007900770,2/25/2013,\n"
    )
    result = importer.import_file(con, workspace.id, path)
    assert result.entity == "invoices" and result.rows_imported == 2
    assert (result.mapping["due"], result.mapping["paid"]) == (due, paid)
    rows = con.execute("SELECT customer, due, paid FROM invoices ORDER BY source_row").fetchall()
    assert rows == [
        ("Acme", date(2013, 2, 1), date(2013, 1, 15)),
        ("Bolt", date(2013, 2, 25), None),
    ]


def test_an_export_from_before_due_dates_is_still_recognised(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    # Due and paid are not part of a line's identity: the same lines with the new columns
    # are the lines already stored, and only the new line is added.
    old = tmp_path / "jan.csv"
    old.write_text("Date,Customer,Amount\n2025-01-05,Acme,100.00\n2025-01-20,Beta,50.00\n")
    importer.import_file(con, workspace.id, old)
    new = tmp_path / "jan_feb.csv"
    new.write_text(
        "Date,Customer,Amount,Due Date,Date Paid\n"
        "2025-01-05,Acme,100.00,2025-02-04,2025-02-10\n"
        "2025-01-20,Beta,50.00,2025-02-19,\n"
        "2025-02-03,Acme,70.00,2025-03-05,\n"
    )
    result = importer.import_file(con, workspace.id, new)
    assert (result.rows_imported, result.duplicates_skipped) == (1, 2)
