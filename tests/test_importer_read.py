"""Reading files: encodings, delimiters, quoting, Excel sheets, Parquet, and damaged files."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import io
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from analytics import importer, store
from analytics.errors import RowsRejected, UnreadableFile
from analytics.importer import csvfile
from analytics.importer.read import Source

INVOICES = "Date,Customer,Amount\n2025-01-05,Café Zoë,€ 1.234,50\n2025-01-06,Beta,12\n"


def imported(con: store.Connection, ws: store.Workspace, source: importer.Source) -> list[tuple]:
    importer.import_source(con, ws.id, source, entity="invoices")
    return (
        con.cursor()
        .execute(
            "SELECT source_row, date, customer, amount FROM invoices WHERE workspace_id = $w "
            "ORDER BY source_row",
            {"w": ws.id},
        )
        .fetchall()
    )


EXPECTED = [
    (2, dt.date(2025, 1, 5), "Café Zoë", Decimal("1234.50")),
    (3, dt.date(2025, 1, 6), "Beta", Decimal("12")),
]


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (INVOICES.replace(",€ 1.234,50", ',"€ 1.234,50"').encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + INVOICES.replace(",€ 1.234,50", ',"€ 1.234,50"').encode(), "utf-8-sig"),
        (INVOICES.replace(",€ 1.234,50", ',"€ 1.234,50"').encode("cp1252"), "cp1252"),
        (INVOICES.replace(",", ";").replace("€ 1.234;50", "€ 1.234,50").encode("cp1252"), "cp1252"),
        (
            codecs.BOM_UTF16_LE
            + INVOICES.replace(",€ 1.234,50", ',"€ 1.234,50"').encode("utf-16-le"),
            "utf-16",
        ),
    ],
    ids=["utf8", "utf8-bom", "cp1252", "cp1252-semicolon", "utf16-bom"],
)
def test_encodings(
    con: store.Connection, workspace: store.Workspace, encoded: bytes, encoding: str
) -> None:
    source = importer.read_source(encoded, "inv.csv")
    assert source.encoding == encoding
    assert source.headers == ["Date", "Customer", "Amount"]
    assert source.n_rows == 2
    assert imported(con, workspace, source) == EXPECTED


def test_bom_file_on_disk_is_read_in_place(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "bom.csv"
    data = codecs.BOM_UTF8 + b"Date,Customer,Amount\n2025-01-05,Acme,1\n"
    path.write_bytes(data)
    source = importer.read_source(path)
    assert source.file_name == "bom.csv"
    assert source.headers[0] == "Date"  # the BOM is not part of the first header
    assert source.sha256 == hashlib.sha256(data).hexdigest()
    assert importer.import_source(con, workspace.id, source).rows_imported == 1


def test_invalid_utf8_byte_is_an_error_naming_file_and_offset() -> None:
    good = "Date,Customer,Amount\n2025-01-05,Café,1\n".encode()
    data = good + b"2025-01-06,Be\xfft,2\n"
    offset = len(good) + len("2025-01-06,Be")
    with pytest.raises(UnreadableFile) as err:
        importer.read_source(data, "broken.csv")
    message = str(err.value)
    assert message.startswith("broken.csv: ")
    assert f"byte offset {offset}" in message and "0xFF" in message and "line 3" in message
    assert err.value.file_name == "broken.csv"


def test_byte_undefined_in_windows_1252_is_an_error() -> None:
    data = b"Date,Customer,Amount\n2025-01-05,Acme\x81,1\n"
    with pytest.raises(UnreadableFile) as err:
        importer.read_source(data, "odd.csv")
    assert "odd.csv" in str(err.value)
    offset = data.index(b"\x81")
    assert f"byte offset {offset}" in str(err.value)


@pytest.mark.parametrize(
    "data",
    [
        "Date,Customer,Amount\n2025-01-01,Acme,1\n".encode("utf-16-le"),
        "Date,Customer,Amount\n2025-01-01,Acme,1\n".encode("utf-16-be"),
        b"Date,Customer\x00,Amount\n",
    ],
    ids=["utf16le-no-bom", "utf16be-no-bom", "nul"],
)
def test_nul_bytes_are_an_error(data: bytes) -> None:
    with pytest.raises(UnreadableFile, match=r"^wide\.csv: .*NUL byte at byte offset \d+"):
        importer.read_source(data, "wide.csv")


@pytest.mark.parametrize("data", [b"", b"  \n\n", codecs.BOM_UTF8 + b"\n"])
def test_empty_files_are_an_error(data: bytes) -> None:
    with pytest.raises(UnreadableFile, match=r"^empty\.csv: "):
        importer.read_source(data, "empty.csv")


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="nope.csv: no such file"):
        importer.read_source(tmp_path / "nope.csv")


# ---------------------------------------------------------------- delimiters and quoting


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(
    con: store.Connection, workspace: store.Workspace, delimiter: str
) -> None:
    text = "\n".join(
        delimiter.join(row)
        for row in [
            ["Date", "Customer", "Amount"],
            ["2025-01-05", '"Café Zoë"', '"€ 1.234,50"'],
            ["2025-01-06", "Beta", "12"],
        ]
    )
    source = importer.read_source(text.encode(), "d.txt")
    assert source.delimiter == delimiter
    assert imported(con, workspace, source) == EXPECTED


def test_quoted_delimiters_and_line_breaks_inside_a_value(
    con: store.Connection, workspace: store.Workspace
) -> None:
    data = (
        b"Date,Customer,Amount,Product\r\n"
        b'2025-01-05,"Smith, Jones & Co",10,"two\r\nlines"\r\n'
        b'2025-01-06,"Say ""hi""",20,x\r\n'
        b"2025-01-07,Gamma,oops,y\r\n"
    )
    source = importer.read_source(data, "q.csv")
    assert source.n_rows == 3
    with pytest.raises(RowsRejected) as err:
        importer.import_source(con, workspace.id, source)
    # Rows are counted as a spreadsheet shows them: the two-line value is one row.
    assert [(r.row, r.value) for r in err.value.result.rejects] == [(4, "oops")]
    result = importer.import_source(con, workspace.id, source, skip_bad_rows=True)
    assert result.rows_imported == 2
    rows = (
        con.cursor()
        .execute("SELECT source_row, customer, product FROM invoices ORDER BY source_row")
        .fetchall()
    )
    assert rows == [(2, "Smith, Jones & Co", "two\r\nlines"), (3, 'Say "hi"', "x")]


def test_a_row_with_too_many_values_names_the_line() -> None:
    data = b"Date,Customer,Amount\n2025-01-05,Acme,1\n2025-01-06,Beta,2,extra\n"
    source = importer.read_source(data, "ragged.csv")
    con = store.connect(":memory:")
    with pytest.raises(
        UnreadableFile, match=r"ragged\.csv: .*line 3: it has 4 values where the header has 3"
    ):
        importer.preview(con, source, "invoices", importer.auto_map("invoices", source.headers))


def test_short_rows_are_padded_and_blank_rows_skipped(
    con: store.Connection, workspace: store.Workspace
) -> None:
    data = b"Date,Customer,Amount,Product\n2025-01-05,Acme,1\n,,,\n2025-01-06,Beta,2,x\n"
    source = importer.read_source(data, "short.csv")
    result = importer.import_source(con, workspace.id, source)
    assert (result.rows_read, result.rows_imported) == (2, 2)
    rows = con.cursor().execute("SELECT source_row, product FROM invoices ORDER BY 1").fetchall()
    assert rows == [(2, None), (4, "x")]


def test_headers_are_trimmed_blank_ones_named_and_repeats_numbered() -> None:
    source = importer.read_source(b" Date ,Customer,,Amount,amount\n2025-01-01,A,x,1,2\n", "h.csv")
    assert source.headers == ["Date", "Customer", "Column 3", "Amount", "amount (2)"]


def test_header_only_file_imports_nothing_without_a_batch(
    con: store.Connection, workspace: store.Workspace
) -> None:
    source = importer.read_source(b"Date,Customer,Amount\n", "none.csv")
    assert source.n_rows == 0
    result = importer.import_source(con, workspace.id, source)
    assert (result.batch_id, result.rows_read, result.rows_imported) == (None, 0, 0)
    assert any("no rows" in w for w in result.warnings)
    assert store.list_batches(con, workspace.id) == []


# ---------------------------------------------------------------- Excel


def two_sheet_workbook() -> bytes:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Invoices"
    first.append(["Date", "Customer", "Amount", "Recurring"])
    first.append([dt.date(2025, 1, 5), "Acme", 100.5, True])
    first.append([dt.datetime(2025, 1, 6, 10, 30), "Beta", 20, False])
    first.append([None, None, None, None])
    first.append(["7/1/2025", 17850.0, "$1,234.50", None])
    second = book.create_sheet("Customers")
    second.append([])
    second.append([])
    second.append(["Company", "Industry", "Employees"])
    second.append(["Acme", "Retail", 12])
    second.append(["Beta", "Health", "1,200"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_excel_first_sheet_by_default(con: store.Connection, workspace: store.Workspace) -> None:
    data = two_sheet_workbook()
    source = importer.read_source(data, "book.xlsx")
    assert source.format == "excel"
    assert (source.sheets, source.sheet) == (["Invoices", "Customers"], "Invoices")
    assert source.headers == ["Date", "Customer", "Amount", "Recurring"]
    assert source.n_rows == 3
    result = importer.import_source(con, workspace.id, source)
    assert (result.entity, result.rows_imported) == ("invoices", 3)
    rows = (
        con.cursor()
        .execute("SELECT source_row, date, customer, amount, recurring FROM invoices ORDER BY 1")
        .fetchall()
    )
    assert rows == [
        (2, dt.date(2025, 1, 5), "Acme", Decimal("100.5"), True),
        (3, dt.date(2025, 1, 6), "Beta", Decimal("20"), False),
        (5, dt.date(2025, 7, 1), "17850", Decimal("1234.50"), False),
    ]


def test_excel_chosen_sheet(con: store.Connection, workspace: store.Workspace) -> None:
    source = importer.read_source(two_sheet_workbook(), "book.xlsx", sheet="Customers")
    assert source.sheet == "Customers"
    assert source.headers == ["Company", "Industry", "Employees"]
    result = importer.import_source(con, workspace.id, source)
    assert (result.entity, result.rows_imported) == ("customers", 2)
    rows = (
        con.cursor()
        .execute("SELECT source_row, customer, segment, size FROM customers ORDER BY 1")
        .fetchall()
    )
    assert rows == [(4, "Acme", "Retail", 12), (5, "Beta", "Health", 1200)]


def test_excel_header_is_the_first_row_with_anything_in_it(
    con: store.Connection, workspace: store.Workspace
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])
    sheet.append([])
    sheet.append(["Company", "Industry", "Employees"])
    sheet.append(["Acme", "Retail", 12])
    sheet.append(["Beta", "Health", "many"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = importer.read_source(buffer.getvalue(), "c.xlsx")
    assert source.headers == ["Company", "Industry", "Employees"]
    with pytest.raises(RowsRejected) as err:
        importer.import_source(con, workspace.id, source)
    # Row numbers are the sheet's own: the header sits on row 3.
    assert [(r.row, r.column, r.value) for r in err.value.result.rejects] == [(5, "size", "many")]


def test_excel_missing_sheet_lists_the_sheets() -> None:
    with pytest.raises(
        UnreadableFile,
        match=r"book\.xlsx: has no sheet 'Deals'; its sheets are: Invoices, Customers",
    ):
        importer.read_source(two_sheet_workbook(), "book.xlsx", sheet="Deals")


def test_damaged_excel_is_an_error() -> None:
    with pytest.raises(UnreadableFile, match=r"^bad\.xlsx: cannot be read as an Excel workbook"):
        importer.read_source(b"PK\x03\x04 not really a zip", "bad.xlsx")


# ---------------------------------------------------------------- Parquet


def test_parquet_with_typed_columns(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "sales.parquet"
    duckdb.connect().execute(
        f"""COPY (SELECT * FROM (VALUES
              (DATE '2025-01-05', 'Acme', 100.5::DECIMAL(10,2), true, 3::INTEGER),
              (DATE '2025-01-06', 'Beta', -20::DECIMAL(10,2), false, NULL)
            ) t("Order Date", "Company", "Sales", "Recurring", "Qty"))
            TO '{path}' (FORMAT parquet)"""
    )
    source = importer.read_source(path)
    assert source.format == "parquet"
    assert source.headers == ["Order Date", "Company", "Sales", "Recurring", "Qty"]
    assert source.n_rows == 2
    assert importer.guess_entity(source.headers) == "invoices"
    result = importer.import_source(con, workspace.id, source)
    assert result.rows_imported == 2
    rows = (
        con.cursor()
        .execute("SELECT date, customer, amount, recurring FROM invoices ORDER BY date")
        .fetchall()
    )
    assert rows == [
        (dt.date(2025, 1, 5), "Acme", Decimal("100.5"), True),
        (dt.date(2025, 1, 6), "Beta", Decimal("-20"), False),
    ]


def test_parquet_from_bytes_matches_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    duckdb.connect().execute(f"COPY (SELECT 1 AS customer) TO '{path}' (FORMAT parquet)")
    from_bytes = importer.read_source(path.read_bytes(), "x.parquet")
    from_path = importer.read_source(path)
    assert from_bytes.sha256 == from_path.sha256
    assert from_bytes.headers == from_path.headers == ["customer"]


def test_damaged_parquet_is_an_error() -> None:
    with pytest.raises(UnreadableFile, match=r"^bad\.parquet: cannot be read as Parquet"):
        importer.read_source(b"PAR1 this is not parquet at all PAR1", "bad.parquet")


@pytest.mark.parametrize(
    ("data", "rows"),
    [
        (b"a,b\n1,2\n", 1),
        (b"a,b\n1,2", 1),
        (b"a,b\n1,2\n\n\n", 1),
        (b"a,b\r\n1,2\r\n3,4\r\n", 2),
        (b"a,b\n", 0),
        (b'a,b\n"1\n1",2\n3,4\n', 2),
    ],
)
def test_row_count_of_a_csv(data: bytes, rows: int) -> None:
    assert importer.read_source(data, "n.csv").n_rows == rows


# ---------------------------------------------------------------- Excel: the sheet reader


def hand_written_xlsx(path: Path, sheet: str) -> Path:
    from tests.test_importer_hostile import write_xlsx

    return write_xlsx(path, sheet)


def test_excel_blocks_that_start_right_and_below_keep_their_row_numbers(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C3"], sheet["D3"], sheet["E3"] = "Date", "Customer", "Amount"
    sheet["C4"], sheet["D4"], sheet["E4"] = dt.date(2025, 1, 5), "Acme", 10
    sheet["C7"], sheet["D7"], sheet["E7"] = dt.date(2025, 1, 6), "Line\nbreak Co", 2.5
    path = tmp_path / "offset.xlsx"
    book.save(path)
    source = importer.read_source(path)
    # Columns A and B hold nothing: they are not offered as columns at all.
    assert (source.headers, source.n_rows, source.row_offset) == (
        ["Date", "Customer", "Amount"],
        2,
        4,
    )
    assert not source.csv_parallel  # a value holds a line break: DuckDB reads it serially
    assert imported(con, workspace, source) == [
        (4, dt.date(2025, 1, 5), "Acme", Decimal("10")),
        (7, dt.date(2025, 1, 6), "Line\nbreak Co", Decimal("2.5")),
    ]


def test_excel_cells_without_references_and_with_a_namespace_prefix(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    """Both are valid SpreadsheetML that Excel never writes but other programs do."""
    from tests.test_importer_hostile import MAIN

    def cell(text: str) -> str:
        return f'<x:c t="inlineStr"><x:is><x:t>{text}</x:t></x:is></x:c>'

    rows = (
        f"<x:row>{cell('Date')}{cell('Customer')}{cell('Amount')}</x:row>"
        f"<x:row>{cell('2025-01-05')}{cell('Acme')}<x:c><x:v>1234.5</x:v></x:c></x:row>"
        f'<x:row r="5">{cell("2025-01-06")}{cell("Beta")}<x:c><x:v>12</x:v></x:c></x:row>'
    )
    sheet = f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData>{rows}</x:sheetData></x:worksheet>'
    source = importer.read_source(hand_written_xlsx(tmp_path / "odd.xlsx", sheet))
    assert (source.headers, source.n_rows) == (["Date", "Customer", "Amount"], 2)
    assert imported(con, workspace, source) == [
        (2, dt.date(2025, 1, 5), "Acme", Decimal("1234.5")),
        (5, dt.date(2025, 1, 6), "Beta", Decimal("12")),
    ]


def test_excel_values_become_the_text_a_csv_export_would_hold(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["When", "At", "Flag", "Small", "Big", "Whole", "Text"])
    sheet.append(
        [
            dt.datetime(2025, 1, 6, 10, 30),
            dt.time(9, 15),
            True,
            0.00001,
            1.5e20,
            17850.0,
            " kept as written ",
        ]
    )
    path = tmp_path / "values.xlsx"
    book.save(path)
    source = importer.read_source(path)
    assert source.path is not None
    lines = source.path.read_text(encoding="utf-8").splitlines()
    assert lines[1] == (
        "2025-01-06 10:30:00,09:15:00,true,0.00001,150000000000000000000,17850, kept as written "
    )


def test_an_uncounted_csv_with_quoted_line_breaks_is_read_again_serially(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(
        b"Date,Customer,Amount,Product\r\n"
        b'2025-01-05,"Smith, Jones & Co",10,"two\r\nlines"\r\n'
        b"2025-01-06,Beta,20,x\r\n"
    )
    source = importer.read_source(path, count=False)
    # Not counted yet, so not known to need a serial read: the import finds out, rolls its
    # transaction back and reads the file again.
    assert (source._rows != 0, source.csv_parallel) == (True, True)
    result = importer.import_source(con, workspace.id, source)
    assert (result.rows_read, result.rows_imported, source.csv_parallel) == (2, 2, False)
    rows = (
        con.cursor()
        .execute("SELECT source_row, customer, product FROM invoices ORDER BY source_row")
        .fetchall()
    )
    assert rows == [(2, "Smith, Jones & Co", "two\r\nlines"), (3, "Beta", "x")]
    assert con.execute("SELECT count(*) FROM batches").fetchall()[0][0] == 1
    # Asked for, the count is made then: the two-line value is one row.
    assert source.n_rows == 2
    assert importer.read_source(path, count=False).n_rows == 2


def test_import_file_does_not_count_the_rows(
    con: store.Connection,
    workspace: store.Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "jan.csv"
    path.write_text('Date,Customer,Amount\n2025-01-05,Acme,"$1,000.50"\n')
    counted: list[str] = []
    real = csvfile.count_rows

    def spy(source: Source, content: csvfile.Content) -> int:
        counted.append(source.file_name)
        return real(source, content)

    monkeypatch.setattr(csvfile, "count_rows", spy)
    result = importer.import_file(con, workspace.id, path)
    assert (result.rows_imported, counted) == (1, [])
    assert importer.read_source(path).n_rows == 1
    assert counted == ["jan.csv"]
