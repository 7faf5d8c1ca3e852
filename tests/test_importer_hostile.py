"""Files built to hurt: each is refused (or read) with one clear line, exit 2 (or 0), no
traceback, nothing written, and the reading never takes more than 600 MB.

Every hostile file is made here, from code, in a temporary folder. The command line runs
in a child process reaped with os.wait4, whose peak resident memory covers the CLI and
the sheet reader it starts (Linux counts a process's reaped children in its own rusage).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from analytics import importer, store
from analytics.errors import BadMapping, FileTooLarge, RowsRejected, UnreadableFile
from analytics.importer.limits import LIMITS, UPLOAD_MB, ReadLimits
from tests.conftest import ROOT

PEAK_MB = 600  # the most reading any file may take, in the CLI and its reader together

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Date</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Customer</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>Amount</t></is></c></row>'
)
FIRST_ROW = (
    '<row r="2"><c r="A2" t="inlineStr"><is><t>2025-01-05</t></is></c>'
    '<c r="B2" t="inlineStr"><is><t>Acme</t></is></c><c r="C2"><v>10</v></c></row>'
)


# ---------------------------------------------------------------- hostile files, from code


def xlsx_parts(sheet_xml: str) -> dict[str, str]:
    """The five parts of the smallest workbook Excel opens: one sheet, "Invoices"."""
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="applicati'
            'on/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" Conten'
            'tType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="appli'
            'cation/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
            'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
            '<sheets><sheet name="Invoices" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }


def sheet_xml(rows: str, dimension: str | None = None) -> str:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{declared}'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )


def write_xlsx(path: Path, sheet: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in xlsx_parts(sheet).items():
            archive.writestr(name, text)
    return path


def far_cell_xlsx(path: Path, dimension: str | None = "A1:XFD1048576") -> Path:
    """A 1.5 KB workbook whose one extra value sits in the sheet's last cell, XFD1048576:
    python-calamine alone would ask for 512 GiB to hold the sheet."""
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return write_xlsx(path, sheet_xml(HEADER_ROW + FIRST_ROW + far, dimension))


def zip_bomb_xlsx(path: Path, megabytes: int = 1000) -> Path:
    """A workbook of a few MB whose sheet XML unpacks to `megabytes` MB of rows."""
    parts = xlsx_parts("")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            head, tail = sheet_xml("|").split("|")
            sheet.write((head + HEADER_ROW + FIRST_ROW).encode())
            block = b"<row><c><v>1</v></c></row>" * 40_000  # about 1 MB
            for _ in range(megabytes):
                sheet.write(block)
            sheet.write(tail.encode())
    return path


def huge_header_csv(path: Path) -> Path:
    """A column name over the csv module's 131,072-character field limit."""
    path.write_text("Date,Customer," + "A" * 200_000 + "\n2025-01-05,Acme,1\n")
    return path


def giant_line_csv(path: Path) -> Path:
    """A 50 MB line: five times DuckDB's 10 MB line limit."""
    with path.open("w") as out:
        out.write("Date,Customer,Amount\n2025-01-05,Acme,")
        out.write("9" * 50_000_000)
        out.write("\n2025-01-06,Beta,2\n")
    return path


# ---------------------------------------------------------------- the CLI, measured


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    peak_mb: float
    seconds: float

    @property
    def error(self) -> str:
        """The CLI's one line for a refusal (its last line on stderr)."""
        lines = self.stderr.strip().splitlines()
        return lines[-1] if lines else ""


# Linux carries the high-water mark of the process a child was forked from into the child's
# rusage; under a long pytest run that is pytest's own size (hundreds of MB). So the CLI is
# started by a small launcher, a fresh interpreter, and the launcher reports what it reaped.
LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def run_import(db: Path, path: Path, *args: str) -> Run:
    """`python -m analytics import --db DB --workspace W FILE` in a child, with the peak
    resident memory of that child and every process it reaped."""
    command = [sys.executable, "-m", "analytics", "import", "--db", str(db), "--workspace", "W"]
    started = time.perf_counter()
    peak_file = db.parent / f"peak-{path.name}.txt"
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        launcher = [sys.executable, "-c", LAUNCHER, str(peak_file)]
        process = subprocess.Popen(
            [*launcher, *command, *args, str(path)], cwd=ROOT, stdout=out, stderr=err
        )
        watchdog = threading.Timer(300, process.kill)
        watchdog.start()
        try:
            # wait4 reaps the child and returns its rusage (output goes to files: no pipe
            # to fill up while waiting).
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            process.returncode,
            out.read(),
            err.read(),
            int(peak_file.read_text()) / 1024 if peak_file.exists() else usage.ru_maxrss / 1024,
            time.perf_counter() - started,
        )


def assert_refused(run: Run, db: Path, file_name: str, *phrases: str) -> None:
    """Exit 2, one line naming the file, no traceback or abort, memory held, nothing stored."""
    assert run.code == 2, (run.code, run.stderr[-2000:])
    assert "Traceback" not in run.stderr and "panicked" not in run.stderr, run.stderr[-2000:]
    assert run.error.startswith(f"error: {file_name}"), run.error
    for phrase in phrases:
        assert phrase in run.error, (phrase, run.error)
    assert run.peak_mb < PEAK_MB, run.peak_mb
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM batches").fetchall()[0][0] == 0
        assert con.execute("SELECT count(*) FROM invoices").fetchall()[0][0] == 0
    finally:
        con.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return zip_bomb_xlsx(tmp_path_factory.mktemp("bomb") / "bomb.xlsx")


# ---------------------------------------------------------------- spreadsheets


def test_far_cell_workbook_is_refused_naming_the_cell(db: Path, tmp_path: Path) -> None:
    path = far_cell_xlsx(tmp_path / "far.xlsx")
    assert path.stat().st_size < 2000  # a 1.5 KB file
    run = run_import(db, path)
    assert_refused(
        run,
        db,
        "far.xlsx, sheet 'Invoices'",
        "XFD1048576",
        "column 16,384",
        "up to 1,000 columns",
        "Save only the sheet you need as CSV",
    )


@pytest.mark.parametrize("dimension", [None, "A1:C2"], ids=["no-dimension", "dimension-that-lies"])
def test_far_cell_is_found_by_its_own_position(tmp_path: Path, dimension: str | None) -> None:
    """The declared extent is only a claim: the cells themselves are checked too."""
    path = far_cell_xlsx(tmp_path / "far.xlsx", dimension)
    with pytest.raises(FileTooLarge) as err:
        importer.read_source(path)
    message = str(err.value)
    assert message.startswith("far.xlsx, sheet 'Invoices': cell XFD1048576 holds a value")
    assert "column 16,384" in message and "1,000 columns" in message


def test_zip_bomb_is_refused_before_it_unpacks(db: Path, bomb: Path) -> None:
    assert bomb.stat().st_size < 5_000_000
    with zipfile.ZipFile(bomb) as archive:
        unpacked = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    assert unpacked > 1_000_000_000  # ~1 GB of sheet XML
    run = run_import(db, bomb)
    assert_refused(
        run,
        db,
        "bomb.xlsx",
        "xl/worksheets/sheet1.xml",
        "at most 100 to 1",
        "Save only the sheet you need as CSV",
    )
    ratio = int(re.search(r"([\d,]+) times its packed size", run.error)[1].replace(",", ""))  # type: ignore[index]
    packed = zipfile.ZipFile(bomb).getinfo("xl/worksheets/sheet1.xml").compress_size
    assert ratio == round(unpacked / packed)
    assert run.seconds < 30  # refused from the zip's directory, not after unpacking


def test_a_sheet_over_the_cell_limit_names_its_span(tmp_path: Path) -> None:
    # Header A1:C1, values down to row 50: 50 rows × 3 columns = 150 cells > 100.
    rows = HEADER_ROW + "".join(
        f'<row r="{n}"><c r="C{n}"><v>{n}</v></c></row>' for n in range(2, 51)
    )
    path = write_xlsx(tmp_path / "tall.xlsx", sheet_xml(rows))
    with pytest.raises(FileTooLarge) as err:
        importer.read_source(path, limits=ReadLimits(cells=100))
    assert str(err.value).startswith(
        "tall.xlsx, sheet 'Invoices': its values span A1:C50, 50 rows × 3 columns = 150 cells, "
        "more than the 100 Opening Day reads from one sheet."
    )
    assert importer.read_source(path, limits=ReadLimits(cells=150)).n_rows == 49


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (ReadLimits(spreadsheet_bytes=1000), r"the file is \d KB, more than the 1,000 bytes"),
        (
            ReadLimits(archive_members=4),
            r"the workbook is a zip of 5 parts, more than the 4 Opening Day opens",
        ),
        (ReadLimits(part_bytes=100), r"the part \S+ unpacks to \d+ bytes, more than the 100 bytes"),
        (
            ReadLimits(ratio_floor=100, part_ratio=1),
            r"the part \S+ unpacks from \d+ bytes to \d+ bytes, \d+ times its packed size; "
            r"Opening Day unpacks parts packed at most 1 to 1",
        ),
        (
            ReadLimits(memory_bytes=8 * 1024 * 1024),
            r"reading it needed more than the 8\.0 MB of memory",
        ),
        (ReadLimits(seconds=0.001), r"reading it took longer than the 0\.001 seconds"),
    ],
    ids=["file-size", "members", "part-size", "ratio", "memory", "time"],
)
def test_each_spreadsheet_limit_says_which(
    tmp_path: Path, limits: ReadLimits, message: str
) -> None:
    path = write_xlsx(tmp_path / "small.xlsx", sheet_xml(HEADER_ROW + FIRST_ROW * 1))
    with pytest.raises(FileTooLarge, match=r"^small\.xlsx: " + message) as err:
        importer.read_source(path, limits=limits)
    assert "Save only the sheet you need as CSV" in str(err.value)
    assert importer.read_source(path).n_rows == 1  # under the normal limits it reads


def test_shared_strings_over_their_limit_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "texts.xlsx"
    write_xlsx(path, sheet_xml(HEADER_ROW + '<row r="2"><c r="B2" t="s"><v>0</v></c></row>'))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>{"x" * 5000}</t></si></sst>',
        )
    assert importer.read_source(path).n_rows == 1
    with pytest.raises(
        FileTooLarge,
        match=r"^texts\.xlsx: its table of texts \(the part xl/sharedStrings\.xml\) unpacks to "
        r"5 KB, more than the 1,000 bytes",
    ):
        importer.read_source(path, limits=ReadLimits(shared_strings_bytes=1000))


def tall_xlsx(path: Path, rows: int) -> Path:
    """`rows` invoice lines with five values each, written by hand (fast)."""
    lines = [HEADER_ROW.replace("</row>", '<c r="D1" t="inlineStr"><is><t>Note</t></is></c></row>')]
    for n in range(2, rows + 2):
        lines.append(
            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>2025-01-{1 + n % 28:02d}</t></is></c>'
            f'<c r="B{n}" t="inlineStr"><is><t>Customer {n % 500}</t></is></c>'
            f'<c r="C{n}"><v>{n / 4}</v></c>'
            f'<c r="D{n}" t="inlineStr"><is><t>Line {n} of the export</t></is></c></row>'
        )
    return write_xlsx(path, sheet_xml("".join(lines)))


def test_the_reader_is_held_to_its_memory_limit(tmp_path: Path) -> None:
    """python-calamine holds the whole sheet in the child: 240,000 values need more than
    32 MB, and the child's limit stops it there, not the parent."""
    path = tall_xlsx(tmp_path / "tall.xlsx", 60_000)
    with pytest.raises(FileTooLarge, match=r"^tall\.xlsx: reading it needed more than the 32 MB"):
        importer.read_source(path, limits=ReadLimits(memory_bytes=32 * 1024 * 1024))
    source = importer.read_source(path)
    assert (source.n_rows, source.headers) == (60_000, ["Date", "Customer", "Amount", "Note"])


# ---------------------------------------------------------------- CSV


def test_huge_header_field_is_one_line_not_a_traceback(db: Path, tmp_path: Path) -> None:
    run = run_import(db, huge_header_csv(tmp_path / "wide.csv"))
    assert_refused(
        run,
        db,
        "wide.csv",
        "row 1, the column names, is 200,014 characters long",
        "the value in column 3 alone has 200,000",
        "up to 131,072 characters",
    )


def test_a_header_line_longer_than_the_sample_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "endless.csv"
    path.write_text("Date," + "x" * 400_000 + "\n1,2\n")
    with pytest.raises(
        FileTooLarge, match=r"^endless\.csv: row 1, the column names, is 400,005 bytes long"
    ):
        importer.read_source(path)


def test_a_long_value_in_a_data_row_is_not_a_sniffing_error(
    con: store.Connection, workspace: store.Workspace
) -> None:
    """A 200,000-character note is legal in a data row (DuckDB reads lines up to 10 MB);
    the delimiter sniffer must not trip over it."""
    note = "n" * 200_000
    data = f"Date;Customer;Amount;Notes\n2025-01-05;Acme;1;{note}\n2025-01-06;Beta;2;x\n"
    source = importer.read_source(data.encode(), "notes.csv")
    assert source.delimiter == ";"
    result = importer.import_source(con, workspace.id, source)
    assert result.rows_imported == 2


def test_a_50_mb_line_names_the_line_and_the_limit(db: Path, tmp_path: Path) -> None:
    run = run_import(db, giant_line_csv(tmp_path / "long.csv"))
    assert_refused(
        run,
        db,
        "long.csv",
        "line 2 is 50,000,0",
        "more than the 10,000,000 bytes Opening Day reads in one line",
    )


def test_too_many_columns_are_refused(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(1_001))
    with pytest.raises(
        FileTooLarge, match=r"^many\.csv: row 1 has 1,001 columns, more than the 1,000"
    ):
        importer.read_source(f"{header}\n".encode(), "many.csv")


def test_nul_bytes_are_refused_naming_offset_and_line(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"Date,Customer,Amount\n2025-01-05,Ac\x00me,1\n")
    run = run_import(db, path)
    assert_refused(run, db, "nul.csv", "NUL byte at byte offset 34 (line 2)", "CSV UTF-8")


def test_utf8_check_reads_in_chunks_and_finds_a_bad_byte_far_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from analytics.importer import csvfile

    monkeypatch.setattr(csvfile, "CHUNK", 64)  # many chunks, multi-byte characters cut
    good = ("Date,Customer,Amount\n" + "2025-01-05,Café Zoë ☕,1\n" * 20).encode()
    bad_at = len(good) + len("2025-01-06,Be")
    data = good + b"2025-01-06,Be\xfft,2\n"
    with pytest.raises(UnreadableFile, match=rf"byte offset {bad_at} \(line 22\)"):
        importer.read_source(data, "cut.csv")
    assert importer.read_source(good, "cut.csv").encoding == "utf-8"


# ---------------------------------------------------------------- dates and headers


def test_year_9999_is_rejected_naming_year_row_and_column(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(
        "Date,Customer,Amount\n2025-01-05,Acme,1\n9999-12-31,Beta,2\n12/31/9999,Gamma,3\n"
        "1899-12-31,Delta,4\n2101-01-01,Echo,5\n"
    )
    run = run_import(db, path)
    assert_refused(
        run,
        db,
        "dates.csv",
        "4 rows of 5 cannot be read",
        "row 3, date '9999-12-31': year 9999 in column 'Date' is outside the dates Opening "
        "Day accepts (1900–2100)",
    )
    listed = run.stderr.splitlines()
    assert any(
        line.startswith("  row 4, column 'date': '12/31/9999': year 9999") for line in listed
    )
    assert any(
        line.startswith("  row 5, column 'date': '1899-12-31': year 1899") for line in listed
    )
    assert any(
        line.startswith("  row 6, column 'date': '2101-01-01': year 2101") for line in listed
    )


def test_out_of_range_dates_from_a_spreadsheet_and_skipping_them(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Date", "Customer", "Amount"])
    book.active.append([date(2025, 1, 5), "Acme", 1])
    book.active.append([date(9999, 12, 31), "Beta", 2])
    path = tmp_path / "dates.xlsx"
    book.save(path)
    source = importer.read_source(path)
    with pytest.raises(RowsRejected) as err:
        importer.import_source(con, workspace.id, source)
    [reject] = err.value.result.rejects
    assert (reject.row, reject.column, reject.value) == (3, "date", "9999-12-31")
    assert reject.reason.startswith(
        "year 9999 in column 'Date' is outside the dates Opening Day accepts (1900–2100)"
    )
    result = importer.import_source(con, workspace.id, source, skip_bad_rows=True)
    assert (result.rows_imported, result.rows_rejected) == (1, 1)
    stored = store.batch_rejects(con, result.batch_id)
    assert list(stored["reason"])[0].startswith("year 9999 in column 'Date'")


def test_an_unreadable_date_keeps_its_own_reason(
    con: store.Connection, workspace: store.Workspace
) -> None:
    source = importer.read_source(b"Date,Customer,Amount\n2025-02-30,Acme,1\n", "feb.csv")
    with pytest.raises(RowsRejected) as err:
        importer.import_source(con, workspace.id, source)
    assert err.value.result.rejects[0].reason.startswith("not a date we can read in column 'Date'")


@pytest.mark.parametrize(
    ("header", "where"),
    [
        ("Date,Customer,amount,Amount \n", "columns 3 and 4 are both named 'amount'"),
        ("Date,Customer,AMOUNT,x,amount\n", "columns 3 and 5 are both named 'AMOUNT'"),
        ("Date,Customer Name,customer_name,Amount\n", "columns 2 and 3 are both named"),
    ],
    ids=["case-and-space", "apart", "punctuation"],
)
def test_repeated_header_a_field_would_use_is_refused(
    db: Path, tmp_path: Path, header: str, where: str
) -> None:
    path = tmp_path / "dup.csv"
    width = header.count(",") + 1
    path.write_text(header + ",".join(["2025-01-05", "Acme"] + ["1"] * (width - 2)) + "\n")
    run = run_import(db, path)
    assert_refused(run, db, "dup.csv", where, "rename or delete one of those columns")


def test_repeated_header_no_field_uses_is_left_alone(
    con: store.Connection, workspace: store.Workspace
) -> None:
    source = importer.read_source(
        b"Date,Customer,Amount,Notes,notes\n2025-01-05,Acme,1,a,b\n", "notes.csv"
    )
    assert source.headers == ["Date", "Customer", "Amount", "Notes", "notes (2)"]
    assert importer.import_source(con, workspace.id, source).rows_imported == 1


def test_repeated_header_in_a_chosen_mapping_is_refused_too(
    con: store.Connection, workspace: store.Workspace
) -> None:
    source = importer.read_source(
        b"Date,Customer,Amount,Product,product\n2025-01-05,Acme,1,a,b\n", "p.csv"
    )
    mapping = {"date": "Date", "customer": "Customer", "amount": "Amount", "product": "product (2)"}
    with pytest.raises(BadMapping, match=r"columns 4 and 5 are both named 'Product'"):
        importer.preview(con, source, "invoices", mapping)
    del mapping["product"]
    assert importer.preview(con, source, "invoices", mapping).rows_read == 1


# ---------------------------------------------------------------- the upload limit


def test_the_upload_limit_is_the_one_the_page_states() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == UPLOAD_MB == 200
    assert LIMITS.spreadsheet_bytes == 200 * 1024 * 1024
    from ui.importing import UPLOAD_NOTE

    assert UPLOAD_NOTE.startswith("Files up to 200 MB; for larger, use the command line")
