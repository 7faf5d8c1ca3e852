"""Every value format the importer reads, one table per kind, through a real import."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from analytics import importer, store
from analytics.entities import SQL_TYPES

# The smallest amount the store keeps, from its money type ("DECIMAL(18,4)" -> 0.0001).
MONEY_STEP = Decimal(1).scaleb(-int(SQL_TYPES["money"].rstrip(")").split(",")[1]))

_names = itertools.count(1)


@pytest.fixture(scope="module")
def con() -> Iterator[store.Connection]:
    """One in-memory store for the whole table of cases: each case gets its own workspace."""
    connection = store.connect(":memory:")
    yield connection
    connection.close()


# A valid row for each entity's required fields; the column under test is added or replaced.
BASE: dict[str, dict[str, str]] = {
    "invoices": {"Date": "2025-01-01", "Customer": "Acme", "Amount": "1"},
    "deals": {"Deal ID": "D{n}", "Stage": "Won"},
    "customers": {"Customer": "Acme {n}"},
    "time_entries": {"Date": "2025-01-01", "Person": "Ann", "Hours": "1"},
}


def csv_bytes(
    entity: str, column: str, values: list[str], extra: dict[str, list[str]] | None = None
) -> bytes:
    headers = list(BASE[entity])
    for h in (column, *(extra or {})):
        if h not in headers:
            headers.append(h)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for n, value in enumerate(values):
        row = {h: v.format(n=n) for h, v in BASE[entity].items()}
        row[column] = value
        for h, vs in (extra or {}).items():
            row[h] = vs[n]
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode("utf-8")


def import_column(
    con: store.Connection,
    entity: str,
    column: str,
    values: list[str],
    field: str,
    *,
    extra: dict[str, list[str]] | None = None,
    date_order: str = "mdy",
) -> tuple[list[Any], list[importer.Reject], list[str]]:
    """Import one column's values; returns the stored value per input row (None when
    the row was rejected), the rejects and the warnings."""
    ws = store.create_workspace(con, f"W{next(_names)}")
    source = importer.read_source(csv_bytes(entity, column, values, extra), "values.csv")
    result = importer.import_source(
        con, ws.id, source, entity=entity, skip_bad_rows=True, date_order=date_order
    )
    stored = dict(
        con.cursor()
        .execute(
            f"SELECT source_row, {field} FROM {entity} WHERE workspace_id = $w",
            {"w": ws.id},
        )
        .fetchall()
    )
    return [stored.get(n + 2) for n in range(len(values))], result.rejects, result.warnings


def one(con: store.Connection, entity: str, column: str, value: str, field: str, **kw: Any) -> Any:
    values, rejects, _ = import_column(con, entity, column, [value], field, **kw)
    return values[0] if not rejects else rejects[0]


# ---------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.50", "1234.50"),
        ("$1,234.50", "1234.50"),
        ("(120.00)", "-120.00"),
        ("($5.25)", "-5.25"),
        ("-120", "-120.00"),
        ("120-", "-120.00"),
        ("+7", "7.00"),
        ("\u22128", "-8.00"),  # the typographic minus sign
        ("12%", "0.12"),
        ("£5", "5.00"),
        ("€ 3", "3.00"),
        ("US$ 10", "10.00"),
        ("USD 12", "12.00"),
        ("12 EUR", "12.00"),
        ("1 234.50", "1234.50"),
        ("1\u00a0234.50", "1234.50"),  # no-break space as thousands separator
        ("  42  ", "42.00"),
        ("1e3", "1000.00"),
        ("1.234,50 €", "1234.50"),
        ("€ 1.234,50", "1234.50"),
        ("12,5", "12.50"),
        ("-1.234,50", "-1234.50"),
        ("(1.234,50)", "-1234.50"),
        ("1.234.567,8", "1234567.80"),
        ("1'234.50", "1234.50"),
        ("100,-", "100.00"),
        ("22.368", "22.368"),  # fractions of a cent are kept (Superstore has them)
        ("1.234567", "1.234567"),
        ("-1.234567", "-1.234567"),
    ],
)
def test_money_formats(con: store.Connection, raw: str, expected: str) -> None:
    # Money is kept at the store's scale, rounded half away from zero (as DuckDB casts).
    assert one(con, "invoices", "Amount", raw, "amount") == Decimal(expected).quantize(
        MONEY_STEP, rounding=ROUND_HALF_UP
    )


@pytest.mark.parametrize("raw", ["abc", "12-5", "1,2,3", "$", "((5))", "9" * 20])
def test_unreadable_amounts_are_rejects_naming_the_column(con: store.Connection, raw: str) -> None:
    reject = one(con, "invoices", "Amount", raw, "amount")
    assert isinstance(reject, importer.Reject)
    assert (reject.row, reject.column, reject.value) == (2, "amount", raw)
    assert "'Amount'" in reject.reason


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # One value with a decimal comma decides the column: 1.000 is a thousand.
        (["1.234,50", "1.000"], ["1234.50", "1000.00"]),
        (["1,234.50", "1,000"], ["1234.50", "1000.00"]),
        (["12,50", "7"], ["12.50", "7.00"]),
        # Nothing but thousands-like values: the point is the decimal separator.
        (["1,000"], ["1000.00"]),
        (["1.000"], ["1.00"]),
    ],
)
def test_decimal_separator_is_decided_per_column(
    con: store.Connection, values: list[str], expected: list[str]
) -> None:
    stored, rejects, _ = import_column(con, "invoices", "Amount", values, "amount")
    assert rejects == []
    assert stored == [Decimal(e) for e in expected]


def test_a_value_against_the_columns_decimal_separator_is_rejected(con: store.Connection) -> None:
    stored, rejects, _ = import_column(con, "invoices", "Amount", ["1.50", "2.25", "1,5"], "amount")
    assert stored[:2] == [Decimal("1.50"), Decimal("2.25")]
    assert [(r.row, r.value) for r in rejects] == [(4, "1,5")]
    assert "decimal point" in rejects[0].reason


def test_decimal_comma_column_is_reported_as_a_warning(con: store.Connection) -> None:
    _, _, warnings = import_column(con, "invoices", "Amount", ["1.234,50", "3,10"], "amount")
    assert any("'Amount'" in w and "decimal comma" in w for w in warnings)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1.5", 1.5), ("2", 2.0), ("12%", 0.12), ("0.25", 0.25), ("1,234.5", 1234.5), ("(1.5)", -1.5)],
)
def test_number_formats(con: store.Connection, raw: str, expected: float) -> None:
    assert one(con, "time_entries", "Hours", raw, "hours") == pytest.approx(expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2822", 2822), ("2,822", 2822), ("12.0", 12), ("-3", -3), ("1.234.567", 1234567)],
)
def test_whole_numbers(con: store.Connection, raw: str, expected: int) -> None:
    extra_value = one(con, "customers", "Employees", raw, "size")
    assert extra_value == expected


@pytest.mark.parametrize("raw", ["12.5", "many", "99999999999"])
def test_not_whole_numbers_are_rejected(con: store.Connection, raw: str) -> None:
    reject = one(con, "customers", "Employees", raw, "size")
    assert isinstance(reject, importer.Reject)
    assert reject.column == "size" and reject.value == raw


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2018-11-08", date(2018, 11, 8)),
        ("2018-11-8", date(2018, 11, 8)),
        ("2018-11-08 10:30:00", date(2018, 11, 8)),
        ("2018-11-08T10:30:00Z", date(2018, 11, 8)),
        ("2018-11-08T10:30:00+02:00", date(2018, 11, 8)),
        ("2018/11/08", date(2018, 11, 8)),
        ("2018.11.08", date(2018, 11, 8)),
        ("20181108", date(2018, 11, 8)),
        ("12/25/2018", date(2018, 12, 25)),
        ("25/12/2018", date(2018, 12, 25)),
        ("25.12.2018", date(2018, 12, 25)),
        ("8.11.2018", date(2018, 11, 8)),  # dots are day first
        ("12/25/18", date(2018, 12, 25)),
        ("12/25/2018 3:04 PM", date(2018, 12, 25)),
        ("25-12-2018 14:00", date(2018, 12, 25)),
        ("8-Nov-2018", date(2018, 11, 8)),
        ("08-Nov-18", date(2018, 11, 8)),
        ("8 November 2018", date(2018, 11, 8)),
        ("Nov 8, 2018", date(2018, 11, 8)),
        ("November 8, 2018", date(2018, 11, 8)),
        ("Sept 8 2018", date(2018, 9, 8)),
        ("Thu, 8 Nov 2018", date(2018, 11, 8)),
        ("Thursday, November 8th, 2018", date(2018, 11, 8)),
        ("1/13/69", date(1969, 1, 13)),  # two-digit years: 69-99 are 1900s
        ("1/13/68", date(2068, 1, 13)),  # ... 00-68 are 2000s (as Python's %y)
    ],
)
def test_date_formats(con: store.Connection, raw: str, expected: date) -> None:
    assert one(con, "invoices", "Date", raw, "date") == expected


@pytest.mark.parametrize(
    "raw", ["13/13/2018", "2/30/2019", "2019-02-30", "garbage", "0219-01-01", "2018-11", "Nov 2018"]
)
def test_unreadable_dates_are_rejects(con: store.Connection, raw: str) -> None:
    reject = one(con, "invoices", "Date", raw, "date")
    assert isinstance(reject, importer.Reject)
    assert (reject.column, reject.value) == ("date", raw)
    assert "'Date'" in reject.reason


@pytest.mark.parametrize(
    ("values", "order", "expected", "warned"),
    [
        # Every value fits both orders: the owner's setting decides, and says so.
        (["3/4/2025", "5/6/2025"], "mdy", [date(2025, 3, 4), date(2025, 5, 6)], True),
        (["3/4/2025", "5/6/2025"], "dmy", [date(2025, 4, 3), date(2025, 6, 5)], True),
        # One value above 12 decides the whole column, whatever the setting.
        (["3/4/2025", "25/6/2025"], "mdy", [date(2025, 4, 3), date(2025, 6, 25)], False),
        (["3/4/2025", "6/25/2025"], "dmy", [date(2025, 3, 4), date(2025, 6, 25)], False),
        # Dotted dates are European.
        (["3.4.2025", "5.6.25"], "mdy", [date(2025, 4, 3), date(2025, 6, 5)], False),
        # Same day and month either way: nothing to warn about.
        (["1/1/2025", "2/2/2025"], "mdy", [date(2025, 1, 1), date(2025, 2, 2)], False),
    ],
)
def test_day_month_order_is_decided_per_column(
    con: store.Connection, values: list[str], order: str, expected: list[date], warned: bool
) -> None:
    stored, rejects, warnings = import_column(
        con, "invoices", "Date", values, "date", date_order=order
    )
    assert rejects == []
    assert stored == expected
    ambiguity = [w for w in warnings if "'Date'" in w and "either way" in w]
    assert bool(ambiguity) is warned


def test_a_column_mixing_both_orders_keeps_the_majority_and_rejects_the_rest(
    con: store.Connection,
) -> None:
    stored, rejects, warnings = import_column(
        con, "invoices", "Date", ["25/12/2018", "12/25/2018", "26/11/2018"], "date"
    )
    assert stored == [date(2018, 12, 25), None, date(2018, 11, 26)]
    assert [(r.row, r.value) for r in rejects] == [(3, "12/25/2018")]
    assert "day first" in rejects[0].reason
    assert any("both day first and month first" in w for w in warnings)


def test_blank_optional_date_is_null_not_a_reject(con: store.Connection) -> None:
    stored, rejects, _ = import_column(con, "deals", "Close Date", ["2025-01-02", ""], "closed")
    assert stored == [date(2025, 1, 2), None]
    assert rejects == []


# ---------------------------------------------------------------- yes / no


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        *((v, True) for v in ["True", "TRUE", "true", "yes", "Yes", "y", "Y", "1", "t", "x", "X"]),
        *((v, False) for v in ["False", "FALSE", "false", "no", "No", "n", "0", "f", ""]),
    ],
)
def test_booleans(con: store.Connection, raw: str, expected: bool) -> None:
    assert one(con, "invoices", "Recurring", raw, "recurring") is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "yes please"])
def test_unreadable_booleans_are_rejects(con: store.Connection, raw: str) -> None:
    reject = one(con, "invoices", "Recurring", raw, "recurring")
    assert isinstance(reject, importer.Reject)
    assert "yes/no" in reject.reason and "'Recurring'" in reject.reason


# ---------------------------------------------------------------- deal status


@pytest.mark.parametrize(
    ("stage", "status"),
    [
        ("Won", "won"),
        ("won", "won"),
        ("Closed Won", "won"),
        ("closedwon", "won"),
        ("Closed - Won", "won"),
        ("CLOSED_WON", "won"),
        ("Lost", "lost"),
        ("Closed Lost", "lost"),
        ("closedlost", "lost"),
        ("Closed Lost - No Budget", "lost"),
        ("Engaging", "open"),
        ("Prospecting", "open"),
        ("Proposal Sent", "open"),
        ("appointmentscheduled", "open"),
        ("open", "open"),
    ],
)
def test_deal_status_from_stage_keeps_the_stage(
    con: store.Connection, stage: str, status: str
) -> None:
    assert one(con, "deals", "Stage", stage, "status") == status
    assert one(con, "deals", "Stage", stage, "stage") == stage


@pytest.mark.parametrize(
    ("stage", "is_won", "is_closed", "status"),
    [
        ("Closed Won", "true", "true", "won"),
        ("Negotiation", "false", "false", "open"),
        ("Closed Lost", "FALSE", "TRUE", "lost"),
        ("Whatever", "false", "true", "lost"),
        ("Closed Won", "0", "0", "open"),  # the flags decide when they are there
        ("Odd", "1", "1", "won"),
    ],
)
def test_salesforce_is_won_and_is_closed_decide_the_status(
    con: store.Connection, stage: str, is_won: str, is_closed: str, status: str
) -> None:
    values, rejects, _ = import_column(
        con,
        "deals",
        "Stage",
        [stage],
        "status",
        extra={"IsWon": [is_won], "IsClosed": [is_closed]},
    )
    assert rejects == []
    assert values == [status]


def test_preview_counts_stages_by_status(con: store.Connection) -> None:
    data = csv_bytes("deals", "Stage", ["Won", "Won", "Lost", "Engaging", "Closed Won"])
    source = importer.read_source(data, "deals.csv")
    result = importer.preview(con, source, "deals", importer.auto_map("deals", source.headers))
    assert result.stage_counts is not None
    counts = {
        (s, st): int(n)
        for s, st, n in zip(
            result.stage_counts["stage"],
            result.stage_counts["status"],
            result.stage_counts["n"],
            strict=True,
        )
    }
    assert counts == {
        ("Won", "won"): 2,
        ("Lost", "lost"): 1,
        ("Engaging", "open"): 1,
        ("Closed Won", "won"): 1,
    }


# ---------------------------------------------------------------- text


def test_ids_written_as_floats_lose_the_point_zero(con: store.Connection) -> None:
    stored, _, warnings = import_column(
        con, "invoices", "Customer", ["17850.0", "12346.0"], "customer"
    )
    assert stored == ["17850", "12346"]
    assert any("'Customer'" in w and "17850.0" in w for w in warnings)


def test_text_that_only_partly_looks_like_floats_is_kept(con: store.Connection) -> None:
    stored, _, warnings = import_column(
        con, "invoices", "Customer", ["17850.0", "Acme 2.0"], "customer"
    )
    assert stored == ["17850.0", "Acme 2.0"]
    assert warnings == []


def test_text_is_trimmed_including_no_break_spaces(con: store.Connection) -> None:
    stored, _, _ = import_column(
        con, "invoices", "Customer", ["  Acme ", "\u00a0Beta\u00a0", " \tGamma\u202f "], "customer"
    )
    # Only values edged by a space or no-break space are trimmed (checking every value for
    # every kind of whitespace costs too much at a million rows); then fully.
    assert stored == ["Acme", "Beta", "Gamma"]


def test_blank_required_text_is_a_reject_with_the_spreadsheet_row(con: store.Connection) -> None:
    stored, rejects, _ = import_column(
        con, "invoices", "Customer", ["Acme", "  ", "Beta"], "customer"
    )
    assert stored == ["Acme", None, "Beta"]
    assert [(r.row, r.column, r.value) for r in rejects] == [(3, "customer", None)]
    assert "required" in rejects[0].reason and "'Customer'" in rejects[0].reason
