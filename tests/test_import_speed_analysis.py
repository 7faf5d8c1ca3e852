"""The analysis pass's cheaper queries decide exactly as before (issue 12): the distinct
texts of a number column trimmed only when one is edged, ids written as floats settled by
the first value that is not one, the point evidence counted only against comma evidence."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from analytics import importer, store

_names = itertools.count(1)


@pytest.fixture(scope="module")
def con() -> Iterator[store.Connection]:
    connection = store.connect(":memory:")
    yield connection
    connection.close()


def run(con: store.Connection, body: str) -> tuple[list[tuple[Any, ...]], importer.ImportResult]:
    """Import `Date,Customer,Amount,Invoice No` lines (the header added) as invoices,
    skipping bad rows; the stored (row, customer, amount, invoice_no), by row."""
    ws = store.create_workspace(con, f"A{next(_names)}")
    data = ("Date,Customer,Amount,Invoice No\n" + body).encode()
    source = importer.read_source(data, "lines.csv")
    result = importer.import_source(con, ws.id, source, entity="invoices", skip_bad_rows=True)
    rows = (
        con.cursor()
        .execute(
            "SELECT source_row, customer, amount, invoice_no FROM invoices "
            "WHERE workspace_id = $w ORDER BY source_row",
            {"w": ws.id},
        )
        .fetchall()
    )
    return rows, result


def test_amounts_edged_by_spaces_are_one_value_with_the_plain_one(
    con: store.Connection,
) -> None:
    # " 12.50" and "12.50" are two distinct texts and one trimmed value; "7" is plain.
    rows, result = run(
        con,
        '2025-01-01,Acme," 12.50",A1\n2025-01-02,Acme,12.50,A2\n2025-01-03,Beta,7 ,A3\n',
    )
    assert [(r, c, a) for r, c, a, _ in rows] == [
        (2, "Acme", Decimal("12.5")),
        (3, "Acme", Decimal("12.5")),
        (4, "Beta", Decimal("7")),
    ]
    assert result.rejects == []


def test_a_quoted_empty_amount_is_blank_and_rejected(con: store.Connection) -> None:
    # '""' is an empty text, not a missing one: it reads as blank, like an empty field.
    rows, result = run(con, '2025-01-01,Acme,"",A1\n2025-01-02,Acme,5.25,A2\n2025-01-03,Acme,,A3\n')
    assert [(r, a) for r, _, a, _ in rows] == [(3, Decimal("5.25"))]
    assert [(j.row, j.column) for j in result.rejects] == [(2, "amount"), (4, "amount")]
    assert result.rows_rejected == 2


def test_ids_written_as_floats_with_a_blank_one(con: store.Connection) -> None:
    rows, result = run(
        con, "2025-01-01,Acme,1,17850.0\n2025-01-02,Acme,2,\n2025-01-03,Acme,3,12346.0\n"
    )
    assert [n for *_, n in rows] == ["17850", None, "12346"]
    assert [w for w in result.warnings if "17850.0" in w] == [
        "Values in column 'Invoice No' are written like 17850.0; they are read without the .0."
    ]


def test_one_id_not_written_as_a_float_in_the_last_row_keeps_them_all(
    con: store.Connection,
) -> None:
    rows, result = run(
        con, "2025-01-01,Acme,1,17850.0\n2025-01-02,Acme,2,12346.0\n2025-01-03,Acme,3,A-1\n"
    )
    assert [n for *_, n in rows] == ["17850.0", "12346.0", "A-1"]
    assert result.warnings == []


def test_a_column_with_no_value_is_not_ids_written_as_floats(con: store.Connection) -> None:
    rows, result = run(con, "2025-01-01,Acme,1,\n2025-01-02,Acme,2,\n")
    assert [n for *_, n in rows] == [None, None]
    assert result.warnings == []


def test_comma_evidence_outnumbered_by_point_evidence_keeps_the_point(
    con: store.Connection,
) -> None:
    # "1,5" says decimal comma (one value); "2.25" and "3.75" say point (two): the point
    # wins, so "1,5" is no number (a comma before a single digit is no thousands group).
    rows, result = run(
        con, '2025-01-01,Acme,"1,5",A1\n2025-01-02,Acme,2.25,A2\n2025-01-03,Acme,3.75,A3\n'
    )
    assert [(r, a) for r, _, a, _ in rows] == [(3, Decimal("2.25")), (4, Decimal("3.75"))]
    assert [(j.row, j.column, j.value) for j in result.rejects] == [(2, "amount", "1,5")]
    assert not any("decimal comma" in w for w in result.warnings)


def test_comma_evidence_that_outnumbers_the_point_decides_the_column(
    con: store.Connection,
) -> None:
    # Two say comma ("1,5", "2,25"), one says point ("3.75"): read with a decimal comma,
    # where "3.75" is no number.
    rows, result = run(
        con, '2025-01-01,Acme,"1,5",A1\n2025-01-02,Acme,"2,25",A2\n2025-01-03,Acme,3.75,A3\n'
    )
    assert [(r, a) for r, _, a, _ in rows] == [(2, Decimal("1.5")), (3, Decimal("2.25"))]
    assert [(j.row, j.value) for j in result.rejects] == [(4, "3.75")]
    assert any("'Amount'" in w and "decimal comma" in w for w in result.warnings)
