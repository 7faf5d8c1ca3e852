"""Read a CSV, Excel or Parquet file into a Source, and load it into DuckDB as text."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import itertools
import re
import tempfile
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from analytics.errors import UnreadableFile
from analytics.store import DUCKDB_CONFIG, Connection

# The temporary table a file is loaded into, per cursor: columns c0..cN, all VARCHAR.
RAW_TABLE = "od_import_raw"
_FRAME_VIEW = "od_import_frame"

CSV_SUFFIXES = (".csv", ".txt", ".tsv", ".tab")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
PARQUET_SUFFIXES = (".parquet", ".pq")
DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 256 * 1024

# A valid multi-byte UTF-8 sequence: a file holding one is meant as UTF-8, so an invalid
# byte elsewhere is damage, not Windows-1252.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


@dataclass(eq=False)
class Source:
    """A file ready to import: its headers, and its rows where DuckDB can read them."""

    file_name: str
    headers: list[str]
    sheets: list[str]
    sheet: str | None
    n_rows: int
    format: str = "csv"  # csv | excel | parquet
    encoding: str | None = None
    delimiter: str | None = None
    # Where the rows are: a UTF-8 CSV or Parquet file DuckDB reads, or (Excel) a frame of
    # text. row_offset turns a 0-based data row into the row number a spreadsheet shows.
    path: Path | None = field(default=None, repr=False)
    frame: pd.DataFrame | None = field(default=None, repr=False)
    row_offset: int = field(default=2, repr=False)
    csv_parallel: bool = field(default=True, repr=False)
    _keep: Any = field(default=None, repr=False)  # a temporary folder that lives with the Source
    # The content's SHA-256, computed in a background thread: hashing a large file takes
    # a noticeable part of an import, and can run while DuckDB reads the rows.
    _digest: Future[str] | str = field(default="", repr=False)

    @property
    def sha256(self) -> str:
        if isinstance(self._digest, Future):
            self._digest = self._digest.result()
        return self._digest

    @property
    def sha256_ready(self) -> bool:
        return not isinstance(self._digest, Future) or self._digest.done()


def _fail(file_name: str, message: str) -> UnreadableFile:
    return UnreadableFile(f"{file_name}: {message}", file_name=file_name)


def _kind(data: bytes, file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if data[:4] == b"PAR1":
        return "parquet"
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "excel"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in EXCEL_SUFFIXES:
        return "excel"
    return "csv"


def read_source(
    data: bytes | str | Path, file_name: str | None = None, sheet: str | None = None
) -> Source:
    """Read a file (path or bytes) far enough to know its headers, rows and content hash."""
    path: Path | None = None
    if isinstance(data, str | Path):
        path = Path(data)
        file_name = file_name or path.name
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise _fail(file_name, "no such file") from None
        except OSError as exc:
            raise _fail(file_name, f"cannot be opened ({exc.strerror or exc})") from None
    else:
        content = bytes(data)
        file_name = file_name or "upload"
    if not content[:65536].strip() and not content.strip():  # no copy of a large file
        raise _fail(file_name, "the file is empty")
    sha = _HASHER.submit(_sha256, content)
    kind = _kind(content, file_name)
    if kind == "excel":
        return _read_excel(content, file_name, sha, sheet)
    if kind == "parquet":
        return _read_parquet(content, path, file_name, sha)
    return _read_csv(content, path, file_name, sha)


_HASHER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="opening-day-sha256")


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()  # hashlib lets go of the GIL while it works


# ---------------------------------------------------------------- CSV


def _offset_message(data: bytes, offset: int, what: str) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return (
        f"byte 0x{data[offset]:02X} at byte offset {offset} (line {line}) is not valid {what}. "
        "Save the file as CSV UTF-8 and try again"
    )


def _encoding(data: bytes, file_name: str) -> str:
    """The file's encoding; any byte it cannot decode is an error, never replaced."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fail(file_name, _offset_message(data, exc.start + 3, "UTF-8")) from None
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _fail(
                file_name, f"cannot be read as UTF-16 at byte offset {exc.start}: {exc.reason}"
            ) from None
        return "utf-16"
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _fail(
            file_name,
            f"has a NUL byte at byte offset {nul}: it looks like UTF-16 without a byte-order "
            "mark, or not a text file at all. Save it as CSV UTF-8 and try again",
        )
    if data.isascii():  # the common case, checked at memory speed
        return "utf-8"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data):
            raise _fail(file_name, _offset_message(data, exc.start, "UTF-8")) from None
    try:
        data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _fail(
            file_name, _offset_message(data, exc.start, "UTF-8 or Windows-1252 (Latin-1)")
        ) from None
    return "cp1252"


def _sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the header into most columns and the rows consistently."""
    best: tuple[tuple[bool, float, int], str] | None = None
    for delim in DELIMITERS:
        records = [
            r for r in itertools.islice(csv.reader(io.StringIO(sample), delimiter=delim), 100) if r
        ]
        if not records:
            continue
        width = len(records[0])
        consistent = sum(len(r) == width for r in records) / len(records)
        score = (width > 1, consistent, width)
        if best is None or score > best[0]:
            best = (score, delim)
    return best[1] if best else ","


def clean_headers(raw: list[str]) -> list[str]:
    """Headers as the owner will pick them: trimmed, never blank, never repeated."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, header in enumerate(raw):
        name = str(header).strip() or f"Column {i + 1}"
        key = name.casefold()
        if key in seen:
            seen[key] += 1
            name = f"{name} ({seen[key]})"
        else:
            seen[key] = 1
        out.append(name)
    return out


def _keep_folder(source: Source) -> Path:
    """A temporary folder deleted when the Source is garbage-collected."""
    folder = tempfile.TemporaryDirectory(prefix="opening_day_import_")
    source._keep = folder
    weakref.finalize(source, folder.cleanup)
    return Path(folder.name)


def _read_csv(content: bytes, path: Path | None, file_name: str, sha: Future[str]) -> Source:
    encoding = _encoding(content, file_name)
    head = content[:_SNIFF_BYTES]
    if encoding in ("utf-8", "utf-8-sig"):
        sample = head.decode("utf-8-sig", errors="ignore")  # only a cut multi-byte tail is lost
    else:
        sample = content.decode(encoding)[: _SNIFF_BYTES // 2]
    if len(content) > len(head) and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]  # whole lines only
    sample = sample.lstrip("\ufeff")
    delimiter = _sniff_delimiter(sample)
    try:
        first = next(csv.reader(io.StringIO(sample), delimiter=delimiter))
    except StopIteration:
        raise _fail(file_name, "the file is empty") from None
    if not any(h.strip() for h in first):
        raise _fail(file_name, "the first line is empty; it should hold the column names")
    headers = clean_headers(first)

    source = Source(
        file_name=file_name,
        _digest=sha,
        headers=headers,
        sheets=[],
        sheet=None,
        n_rows=0,
        format="csv",
        encoding=encoding,
        delimiter=delimiter,
    )
    if encoding in ("utf-8", "utf-8-sig") and path is not None:
        source.path = path  # DuckDB reads the owner's file as it is
    else:
        # DuckDB reads UTF-8 only: other encodings (and uploads) go through a UTF-8 copy.
        target = _keep_folder(source) / "data.csv"
        if encoding in ("utf-8", "utf-8-sig"):
            target.write_bytes(content)
        else:
            target.write_bytes(content.decode(encoding).encode("utf-8"))
        source.path = target
    source.n_rows = _count_csv_rows(source, content)
    return source


def csv_options(source: Source) -> dict[str, Any]:
    """read_csv arguments as DuckDB parameters: every column text, named c0..cN."""
    return {
        "path": str(source.path),
        "delim": source.delimiter or ",",
        "columns": {f"c{i}": "VARCHAR" for i in range(len(source.headers))},
    }


def csv_sql(*, parallel: bool = True) -> str:
    """The read_csv call for csv_options: fixed dialect, nothing left to DuckDB's guessing."""
    return (
        "read_csv($path, delim = $delim, header = true, columns = $columns, quote = '\"', "
        "escape = '\"', auto_detect = false, null_padding = true, max_line_size = 10000000"
        + ("" if parallel else ", parallel = false")
        + ")"
    )


def _quoted_line_breaks(exc: Exception) -> bool:
    # DuckDB's parallel reader cannot pad short rows when a quoted value holds a line break.
    return "parallel=false" in str(exc)


def _duckdb_message(exc: Exception) -> str:
    """DuckDB's reader error in one line an owner can act on."""
    text = str(exc)
    where = re.search(r"CSV Error on Line: (\d+)", text)
    widths = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if widths:
        what = f"it has {widths[2]} values where the header has {widths[1]} columns"
    elif "unterminated quote" in text:
        what = "a quoted value is never closed"
    elif "unicode" in text.lower():
        what = "it holds bytes that are not valid UTF-8"
    else:
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        what = first.split("Error: ", 1)[-1]
    return f"line {where[1]}: {what}" if where else what


def _count_csv_rows(source: Source, content: bytes) -> int:
    if b'"' not in content:
        # No quoting means one record per line: counting line ends is exact and instant,
        # but for blank lines inside the file (DuckDB skips them; rare, and not worth a
        # second pass over a large file).
        last = content[-4096:]
        trailing = len(last) - len(last.rstrip(b"\r\n\t "))
        return content.count(b"\n", 0, len(content) - trailing)
    con = duckdb.connect(config=DUCKDB_CONFIG)
    try:
        try:
            return int(
                con.execute(f"SELECT count(*) FROM {csv_sql()}", csv_options(source)).fetchall()[0][
                    0
                ]
            )  # noqa: S608
        except duckdb.Error as exc:
            if not _quoted_line_breaks(exc):
                raise
        # Found out here, outside any transaction, so that the import reads it one way.
        source.csv_parallel = False
        sql = f"SELECT count(*) FROM {csv_sql(parallel=False)}"  # noqa: S608
        return int(con.execute(sql, csv_options(source)).fetchall()[0][0])
    except duckdb.Error as exc:
        raise _fail(source.file_name, f"cannot be read as CSV: {_duckdb_message(exc)}") from None
    finally:
        con.close()


# ---------------------------------------------------------------- Excel


def _cell_text(value: Any) -> str | None:
    """One spreadsheet cell as the text a CSV export of it would hold."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return np.format_float_positional(value, trim="-")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def _read_excel(content: bytes, file_name: str, sha: Future[str], sheet: str | None) -> Source:
    import python_calamine as calamine

    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as exc:  # calamine raises several unrelated types for damaged files
        raise _fail(file_name, f"cannot be read as an Excel workbook ({exc})") from None
    sheets = list(book.sheet_names)
    if not sheets:
        raise _fail(file_name, "the workbook has no sheets")
    name = sheet if sheet is not None else sheets[0]
    if name not in sheets:
        raise _fail(file_name, f"has no sheet {name!r}; its sheets are: {', '.join(sheets)}")
    try:
        rows: list[list[Any]] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:
        raise _fail(file_name, f"sheet {name!r} cannot be read ({exc})") from None
    header_at = next((i for i, r in enumerate(rows) if any(v not in (None, "") for v in r)), None)
    if header_at is None:
        raise _fail(file_name, f"sheet {name!r} is empty")
    width = max(len(r) for r in rows)
    # Calamine hands back Python objects, so each cell is converted in Python; a sheet is
    # bounded (about a million rows) and this runs once per file, not per query.
    columns = [
        [_cell_text(r[j]) if j < len(r) else None for r in rows[header_at + 1 :]]
        for j in range(width)
    ]
    raw_headers = [_cell_text(v) or "" for v in rows[header_at]] + [""] * (
        width - len(rows[header_at])
    )
    keep = [j for j in range(width) if raw_headers[j].strip() or any(columns[j])]
    headers = clean_headers([raw_headers[j] for j in keep])
    frame = pd.DataFrame({f"c{i}": pd.Series(columns[j], dtype=object) for i, j in enumerate(keep)})
    n_rows = int(frame.notna().any(axis=1).sum()) if len(frame.columns) else 0
    return Source(
        file_name=file_name,
        _digest=sha,
        headers=headers,
        sheets=sheets,
        sheet=name,
        n_rows=n_rows,
        format="excel",
        frame=frame,
        row_offset=header_at + 2,
    )


# ---------------------------------------------------------------- Parquet


def _read_parquet(content: bytes, path: Path | None, file_name: str, sha: Future[str]) -> Source:
    source = Source(
        file_name=file_name,
        _digest=sha,
        headers=[],
        sheets=[],
        sheet=None,
        n_rows=0,
        format="parquet",
    )
    if path is None:
        path = _keep_folder(source) / "data.parquet"
        path.write_bytes(content)
    source.path = path
    con = duckdb.connect(config=DUCKDB_CONFIG)
    try:
        described = con.execute(
            "DESCRIBE SELECT * FROM read_parquet($path)", {"path": str(path)}
        ).fetchall()
        n_rows = con.execute(
            "SELECT count(*) FROM read_parquet($path)", {"path": str(path)}
        ).fetchall()[0][0]
    except duckdb.Error as exc:
        raise _fail(file_name, f"cannot be read as Parquet: {_duckdb_message(exc)}") from None
    finally:
        con.close()
    source.headers = clean_headers([str(r[0]) for r in described])
    source.n_rows = int(n_rows)
    return source


# ---------------------------------------------------------------- into DuckDB


def load_raw(cur: Connection, source: Source) -> None:
    """Create the temporary RAW_TABLE on this cursor: one VARCHAR column per header.

    Column names are c0..cN (made here), so no header ever becomes an identifier.
    """
    cols = ", ".join(f"c{i} VARCHAR" for i in range(len(source.headers)))
    cur.execute(f"DROP TABLE IF EXISTS temp.{RAW_TABLE}")
    cur.execute(f"CREATE TEMP TABLE {RAW_TABLE} ({cols})")
    try:
        if source.format == "csv":
            cur.execute(
                f"INSERT INTO {RAW_TABLE} SELECT * FROM {csv_sql(parallel=source.csv_parallel)}",  # noqa: S608
                csv_options(source),
            )
        elif source.format == "parquet":
            cur.execute(
                f"INSERT INTO {RAW_TABLE} SELECT COLUMNS(*)::VARCHAR FROM read_parquet($path)",  # noqa: S608
                {"path": str(source.path)},
            )
        else:
            assert source.frame is not None
            cur.register(_FRAME_VIEW, source.frame)
            try:
                cur.execute(f"INSERT INTO {RAW_TABLE} SELECT * FROM {_FRAME_VIEW}")  # noqa: S608
            finally:
                cur.unregister(_FRAME_VIEW)
    except duckdb.Error as exc:
        what = {"csv": "CSV", "parquet": "Parquet", "excel": "Excel"}[source.format]
        raise _fail(source.file_name, f"cannot be read as {what}: {_duckdb_message(exc)}") from None


def drop_raw(cur: Connection) -> None:
    cur.execute(f"DROP TABLE IF EXISTS temp.{RAW_TABLE}")
