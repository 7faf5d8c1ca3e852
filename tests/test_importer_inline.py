"""Importer identity and problem reporting that the import's speed work must not change:
the fingerprints of a fixed file (computed by the importer as it was before issue 12), and a
file with bad rows still reports every one of them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from analytics import importer, store
from analytics.errors import RowsRejected
from analytics.importer import parse
from analytics.importer.read import load_raw, read_source

# A QuickBooks-like export: US dates, dollar amounts with a thousands separator, a negative in
# parentheses, a plain amount, a blank optional column, and one line repeated (occurrence 2).
FIXED = (
    "Invoice Date,Customer Name,Amount,Invoice No,Service\n"
    '8/7/2024,Customer 3697,"$1,926.32",INV-0100000,Projects\n'
    "6/6/2025,Acme Ltd,(120.00),INV-0100001,Managed services\n"
    "1/15/2023,Beta GmbH,1234.5,,\n"
    '8/7/2024,Customer 3697,"$1,926.32",INV-0100000,Projects\n'
)
# (source_row, row_fp, occurrence) as the importer of the starting commit of issue 12 stored
# them (/tmp/base12). A store keeps recognising last month's file only while these hold.
FINGERPRINTS = [
    (2, 66623497653378699061720623793645837534, 1),
    (3, 252376228291325549440192819297268929393, 1),
    (4, 230213770626144220791353973709034662233, 1),
    (5, 66623497653378699061720623793645837534, 2),
]


@pytest.fixture
def con(tmp_path: Path) -> store.Connection:
    return store.connect(tmp_path / "store.duckdb")


def test_fingerprints_of_a_fixed_file_do_not_change(con: store.Connection, tmp_path: Path) -> None:
    path = tmp_path / "fixed.csv"
    path.write_text(FIXED)
    ws = store.ensure_workspace(con, "Fixed")
    result = importer.import_file(con, ws.id, path, entity="invoices")
    assert result.rows_imported == 4
    stored = con.execute(
        "SELECT source_row, row_fp, occurrence FROM invoices WHERE workspace_id = $w "
        "ORDER BY source_row",
        {"w": ws.id},
    ).fetchall()
    assert stored == FINGERPRINTS
    # The same lines in another export (other order, one more line) add only the new line.
    again = tmp_path / "longer.csv"
    lines = FIXED.splitlines()
    again.write_text("\n".join([lines[0], *reversed(lines[1:]), "2/1/2025,Gamma,10,,"]) + "\n")
    more = importer.import_file(con, ws.id, again, entity="invoices")
    assert (more.rows_imported, more.duplicates_skipped) == (1, 4)


def test_every_bad_row_is_reported_with_row_column_value_and_reason(
    con: store.Connection, tmp_path: Path
) -> None:
    rows = ["Date,Customer,Amount"]
    bad = {}
    for n in range(2, 202):
        if n % 40 == 0:
            rows.append(f"2025-01-05,Acme,not-{n}")
            bad[n] = f"not-{n}"
        elif n == 77:
            rows.append("2025-13-45,Acme,5")
        else:
            rows.append(f"2025-01-05,Customer {n},{n}.50")
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(rows) + "\n")
    ws = store.ensure_workspace(con, "Bad")
    with pytest.raises(RowsRejected) as refused:
        importer.import_file(con, ws.id, path, entity="invoices")
    result = refused.value.result
    assert result is not None
    found = {(r.row, r.column, r.value) for r in result.rejects}
    assert found == {(n, "amount", v) for n, v in bad.items()} | {(77, "date", "2025-13-45")}
    assert all(r.reason for r in result.rejects)
    assert con.execute("SELECT count(*) FROM invoices").fetchall()[0][0] == 0
    # Skipping them imports the others, and keeps the problems with the batch.
    kept = importer.import_file(con, ws.id, path, entity="invoices", skip_bad_rows=True)
    assert (kept.rows_read, kept.rows_rejected, kept.rows_imported) == (200, 6, 194)
    assert len(store.batch_rejects(con, kept.batch_id)) == 6


def _decisions(con: store.Connection, path: Path) -> tuple[parse.Decisions, store.Connection]:
    source = read_source(path)
    cur = con.cursor()
    load_raw(cur, source)
    mapping = {"date": "Invoice Date", "customer": "Customer Name", "amount": "Amount"}
    uses = parse.plan("invoices", mapping, source.headers)
    decisions = parse.analyse(cur, uses, source.headers, "mdy")
    parse.build_lookups(cur, uses, decisions)
    return decisions, cur


def test_dollar_amounts_read_row_by_row_and_the_odd_ones_through_the_lookup(
    con: store.Connection, tmp_path: Path
) -> None:
    path = tmp_path / "amounts.csv"
    path.write_text(
        "Invoice Date,Customer Name,Amount\n"
        '1/2/2025, Acme ,"$1,926.32"\n'
        "1/3/2025,Beta,$1234.5\n"
        '1/4/2025,Beta,"1,000"\n'
        "1/5/2025,Beta,7\n"
        "1/6/2025,Beta,(120.00)\n"
        "1/7/2025,Beta,$0.123456\n"
    )
    decisions, cur = _decisions(con, path)
    # Column 2 (Amount) is read row by row; "(120.00)" alone goes through the lookup table;
    # "$0.123456" has more decimals than DECIMAL(18,4) keeps, so amounts go through
    # DECIMAL(30,10) first. Only "Customer Name" has a value edged by spaces.
    assert (decisions.quick, decisions.others, decisions.direct) == ({2}, {2}, set())
    assert decisions.clean == {0, 2}
    looked_up = cur.execute(f"SELECT lv, ln FROM {parse.lookup_table('number', 2)}").fetchall()
    assert looked_up == [("(120.00)", Decimal("-120.0000"))]
    cur.close()
    ws = store.ensure_workspace(con, "Amounts")
    importer.import_file(con, ws.id, path, entity="invoices")
    stored = con.execute("SELECT customer, amount FROM invoices ORDER BY source_row").fetchall()
    assert stored == [
        ("Acme", Decimal("1926.32")),
        ("Beta", Decimal("1234.5")),
        ("Beta", Decimal("1000")),
        ("Beta", Decimal("7")),
        ("Beta", Decimal("-120")),
        ("Beta", Decimal("0.1235")),  # 0.123456 rounded to 4 decimals
    ]


def test_amounts_with_few_decimals_are_cast_straight(con: store.Connection, tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text(
        "Invoice Date,Customer Name,Amount\n"
        '1/2/2025,Acme,"$1,926.3275"\n'
        "1/3/2025,Beta,$12\n"
        "1/4/2025,Beta,-3.5\n"
    )
    decisions, cur = _decisions(con, path)
    cur.close()
    assert (decisions.quick, decisions.others, decisions.direct) == ({2}, set(), {2})
    assert decisions.clean == {0, 1, 2}
    ws = store.ensure_workspace(con, "Plain")
    importer.import_file(con, ws.id, path, entity="invoices")
    amounts = [
        r[0] for r in con.execute("SELECT amount FROM invoices ORDER BY source_row").fetchall()
    ]
    assert amounts == [Decimal("1926.3275"), Decimal("12"), Decimal("-3.5")]
