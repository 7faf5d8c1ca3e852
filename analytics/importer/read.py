"""Read a CSV, Excel or Parquet file into a Source, and load it into DuckDB as text."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import mmap
import os
import re
import tempfile
import weakref
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from analytics.errors import FileTooLarge, UnreadableFile
from analytics.importer import sheets
from analytics.importer.limits import CSV_ADVICE, LIMITS, SPREADSHEET_ADVICE, ReadLimits, megabytes
from analytics.store import DUCKDB_CONFIG, Connection

# The temporary table a file is loaded into, per cursor: columns c0..cN, all VARCHAR.
RAW_TABLE = "od_import_raw"

# A file's bytes: in memory (an upload), or mapped from disk (the command line), so that
# a file of gigabytes is read by the page cache, not copied into the process.
Content = bytes | mmap.mmap
_CHUNK = 16 * 1024 * 1024

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
    """A file ready to import: its headers, and its rows where DuckDB can read them.

    Every format ends up as a file DuckDB reads: the owner's CSV (or a UTF-8 copy of it),
    the CSV a spreadsheet's sheet was turned into, or the Parquet file.
    """

    file_name: str
    headers: list[str]
    sheets: list[str]
    sheet: str | None
    n_rows: int
    format: str = "csv"  # csv | excel | parquet
    encoding: str | None = None
    delimiter: str | None = None
    # Where the rows are: a UTF-8 CSV or a Parquet file. row_offset turns a 0-based data
    # row into the row number a spreadsheet shows. A sheet's CSV has `csv_width` columns,
    # of which `csv_keep` hold a name or a value (None: all of them, as many as headers).
    path: Path | None = field(default=None, repr=False)
    row_offset: int = field(default=2, repr=False)
    csv_parallel: bool = field(default=True, repr=False)
    csv_width: int | None = field(default=None, repr=False)
    csv_keep: list[int] | None = field(default=None, repr=False)
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


def _kind(head: bytes, file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if head[:4] == b"PAR1":
        return "parquet"
    if head[:4] == b"PK\x03\x04" or head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "excel"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in EXCEL_SUFFIXES:
        return "excel"
    return "csv"


def read_source(
    data: bytes | str | Path,
    file_name: str | None = None,
    sheet: str | None = None,
    *,
    limits: ReadLimits = LIMITS,
) -> Source:
    """Read a file (path or bytes) far enough to know its headers, rows and content hash.

    A file over one of the reading limits raises FileTooLarge naming the limit.
    """
    path: Path | None = None
    content: Content
    if isinstance(data, str | Path):
        path = Path(data)
        file_name = file_name or path.name
        content = _map(path, file_name)
    else:
        content = bytes(data)
        file_name = file_name or "upload"
    if _blank(content):
        raise _fail(file_name, "the file is empty")
    sha = _HASHER.submit(_sha256, content)
    kind = _kind(content[:8], file_name)
    if kind == "excel":
        return _read_excel(content, path, file_name, sha, sheet, limits)
    if kind == "parquet":
        return _read_parquet(content, path, file_name, sha, limits)
    return _read_csv(content, path, file_name, sha, limits)


def _map(path: Path, file_name: str) -> Content:
    """The file's bytes, mapped rather than read when it is a regular file."""
    try:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size == 0:
                return b""
            try:
                return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # a pipe or a special file: read it
                return handle.read()
    except FileNotFoundError:
        raise _fail(file_name, "no such file") from None
    except OSError as exc:
        raise _fail(file_name, f"cannot be opened ({exc.strerror or exc})") from None


def _chunks(content: Content, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
    """The bytes from start to stop, a few megabytes at a time (never all at once)."""
    stop = len(content) if stop is None else min(stop, len(content))
    for at in range(start, stop, _CHUNK):
        yield content[at : min(at + _CHUNK, stop)]


def _count(content: Content, byte: bytes, start: int = 0, stop: int | None = None) -> int:
    if isinstance(content, bytes):
        return content.count(byte, start, len(content) if stop is None else stop)
    return sum(chunk.count(byte) for chunk in _chunks(content, start, stop))


def _blank(content: Content) -> bool:
    if content[:65536].strip():
        return False
    return all(not chunk.strip() for chunk in _chunks(content))


_HASHER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="opening-day-sha256")


def _sha256(content: Content) -> str:
    return hashlib.sha256(content).hexdigest()  # hashlib lets go of the GIL while it works


# ---------------------------------------------------------------- CSV


def _offset_message(data: Content, offset: int, what: str) -> str:
    line = _count(data, b"\n", 0, offset) + 1
    return (
        f"byte 0x{data[offset]:02X} at byte offset {offset} (line {line}) is not valid {what}. "
        "Save the file as CSV UTF-8 and try again"
    )


def _first_bad_utf8(data: Content, start: int) -> int | None:
    """The offset of the first byte that is not valid UTF-8, read a chunk at a time (a
    whole-file decode would hold up to four times the file as text)."""
    at = start
    while at < len(data):
        chunk = data[at : at + _CHUNK]
        final = at + len(chunk) >= len(data)
        try:
            _, used = codecs.utf_8_decode(chunk, "strict", final)
        except UnicodeDecodeError as exc:
            return at + exc.start
        if used == 0 and not final:
            return at  # not even one character decodes from a full chunk
        at += used if not final else len(chunk)
    return None


def _encoding(data: Content, file_name: str) -> str:
    """The file's encoding; any byte it cannot decode is an error, never replaced."""
    head = data[:4]
    if head.startswith(codecs.BOM_UTF8):
        bad = _first_bad_utf8(data, 3)
        if bad is not None:
            raise _fail(file_name, _offset_message(data, bad, "UTF-8"))
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        decoder = codecs.getincrementaldecoder("utf-16")()
        for n, chunk in enumerate(_chunks(data)):
            try:
                decoder.decode(chunk, final=(n + 1) * _CHUNK >= len(data))
            except UnicodeDecodeError as exc:
                raise _fail(
                    file_name,
                    f"cannot be read as UTF-16 at byte offset {n * _CHUNK + exc.start}: "
                    f"{exc.reason}",
                ) from None
        return "utf-16"
    nul = data.find(b"\x00")
    if nul >= 0:
        line = _count(data, b"\n", 0, nul) + 1
        raise _fail(
            file_name,
            f"has a NUL byte at byte offset {nul} (line {line}): it looks like UTF-16 without a "
            "byte-order mark, or not a text file at all. Save it as CSV UTF-8 and try again",
        )
    if all(chunk.isascii() for chunk in _chunks(data)):  # the common case, at memory speed
        return "utf-8"
    bad = _first_bad_utf8(data, 0)
    if bad is None:
        return "utf-8"
    if _UTF8_MULTIBYTE.search(data):
        raise _fail(file_name, _offset_message(data, bad, "UTF-8"))
    for n, chunk in enumerate(_chunks(data)):  # a single-byte code: chunks cut anywhere
        try:
            chunk.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise _fail(
                file_name,
                _offset_message(data, n * _CHUNK + exc.start, "UTF-8 or Windows-1252 (Latin-1)"),
            ) from None
    return "cp1252"


def _records(sample: str, delimiter: str, n: int) -> list[list[str]]:
    """Up to n non-empty records of the sample; those before a value too long for the csv
    module (over 131,072 characters, legal in a data row) if there is one."""
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    try:
        for record in itertools.islice(reader, n):
            if record:
                records.append(record)
    except csv.Error:
        pass
    return records


def _sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the header into most columns and the rows consistently."""
    best: tuple[tuple[bool, float, int], str] | None = None
    for delim in DELIMITERS:
        records = _records(sample, delim, 100)
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


def _sample(content: Content, encoding: str) -> str:
    """The first 256 KB as text, cut after its last whole line."""
    head = content[:_SNIFF_BYTES]
    if encoding in ("utf-8", "utf-8-sig"):
        sample = head.decode("utf-8-sig", errors="ignore")  # only a cut multi-byte tail is lost
    else:
        sample = codecs.getincrementaldecoder(encoding)(errors="ignore").decode(head)
    if len(content) > len(head) and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]  # whole lines only
    return sample.lstrip("\ufeff")


def _check_header_line(content: Content, sample: str, file_name: str, limits: ReadLimits) -> None:
    """Refuse a first line too long to be column names (the csv module stops at 131,072
    characters a value; a real header is a few hundred)."""
    end = sample.find("\n")
    line = sample if end < 0 else sample[:end]
    whole = end >= 0 or len(content) <= _SNIFF_BYTES
    if whole and len(line) <= limits.header_bytes:
        return
    if whole:
        parts = max((line.split(d) for d in DELIMITERS), key=len)
        longest = max(range(len(parts)), key=lambda i: len(parts[i]))
        size = (
            f"{len(line):,} characters long (the value in column {longest + 1} alone has "
            f"{len(parts[longest]):,})"
        )
    else:
        newline = content.find(b"\n")
        size = f"{(len(content) if newline < 0 else newline):,} bytes long"
    raise FileTooLarge(
        f"{file_name}: row 1, the column names, is {size}; Opening Day reads a row of column "
        f"names of up to {limits.header_bytes:,} characters. A first row that long is not an "
        f"export's header. {CSV_ADVICE}",
        file_name=file_name,
    )


def _read_csv(
    content: Content, path: Path | None, file_name: str, sha: Future[str], limits: ReadLimits
) -> Source:
    encoding = _encoding(content, file_name)
    sample = _sample(content, encoding)
    _check_header_line(content, sample, file_name, limits)
    delimiter = _sniff_delimiter(sample)
    try:
        first = next(csv.reader(io.StringIO(sample), delimiter=delimiter))
    except StopIteration:
        raise _fail(file_name, "the file is empty") from None
    except csv.Error as exc:
        raise _fail(file_name, f"row 1 cannot be read as CSV ({exc}). {CSV_ADVICE}") from None
    if not any(h.strip() for h in first):
        raise _fail(file_name, "the first line is empty; it should hold the column names")
    if len(first) > limits.columns:
        raise FileTooLarge(
            f"{file_name}: row 1 has {len(first):,} columns, more than the {limits.columns:,} "
            "Opening Day reads. Export only the columns you need.",
            file_name=file_name,
        )
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
        # DuckDB reads UTF-8 only: other encodings (and uploads) go through a UTF-8 copy,
        # written a chunk at a time.
        target = _keep_folder(source) / "data.csv"
        with target.open("wb") as out:
            if encoding in ("utf-8", "utf-8-sig"):
                out.write(content)
            else:
                decoder = codecs.getincrementaldecoder(encoding)()
                for chunk in _chunks(content):
                    out.write(decoder.decode(chunk).encode("utf-8"))
                out.write(decoder.decode(b"", final=True).encode("utf-8"))
        source.path = target
    source.n_rows = _count_csv_rows(source, content)
    return source


def csv_options(source: Source) -> dict[str, Any]:
    """read_csv arguments as DuckDB parameters: every column text, named c0..cN."""
    width = source.csv_width if source.csv_width is not None else len(source.headers)
    return {
        "path": str(source.path),
        "delim": source.delimiter or ",",
        "columns": {f"c{i}": "VARCHAR" for i in range(width)},
    }


def csv_sql(*, parallel: bool = True) -> str:
    """The read_csv call for csv_options: fixed dialect, nothing left to DuckDB's guessing."""
    return (
        "read_csv($path, delim = $delim, header = true, columns = $columns, quote = '\"', "
        "escape = '\"', auto_detect = false, null_padding = true, "
        f"max_line_size = {LIMITS.line_bytes}" + ("" if parallel else ", parallel = false") + ")"
    )


def _quoted_line_breaks(exc: Exception) -> bool:
    # DuckDB's parallel reader cannot pad short rows when a quoted value holds a line break.
    return "parallel=false" in str(exc)


def _duckdb_message(text: str) -> str:
    """DuckDB's reader error in one line an owner can act on."""
    where = re.search(r"CSV Error on Line: (\d+)", text)
    widths = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if widths:
        what = f"it has {widths[2]} values where the header has {widths[1]} columns"
    elif "unterminated quote" in text:
        what = "a quoted value is never closed"
    elif "unicode" in text.lower():
        what = "it holds bytes that are not valid UTF-8"
    else:
        first = text.strip().splitlines()[0] if text.strip() else "unknown error"
        what = first.split("Error: ", 1)[-1]
    return f"line {where[1]}: {what}" if where else what


def _read_error(source: Source, exc: duckdb.Error) -> UnreadableFile:
    """DuckDB's error reading a source as the owner's error: one line, naming the line."""
    text = str(exc)
    # DuckDB quotes the whole offending line: only its first few hundred characters count.
    where = re.search(r"CSV Error on Line: (\d+)", text[:500])
    too_long = re.search(r"Maximum line size of \d+ bytes exceeded\. Actual Size:\s*(\d+)", text)
    if too_long:
        line = f"line {where[1]}" if where else "a line"
        origin = " (the sheet's text)" if source.format == "excel" else ""
        return FileTooLarge(
            f"{source.file_name}: {line}{origin} is {int(too_long[1]):,} bytes long, more than "
            f"the {LIMITS.line_bytes:,} bytes Opening Day reads in one line. A line that long "
            f"is usually a quote that is never closed, or not a CSV at all. {CSV_ADVICE}",
            file_name=source.file_name,
        )
    what = {"csv": "CSV", "parquet": "Parquet", "excel": "Excel"}[source.format]
    return _fail(source.file_name, f"cannot be read as {what}: {_duckdb_message(text[:2000])}")


def _count_csv_rows(source: Source, content: Content) -> int:
    if content.find(b'"') < 0:
        # No quoting means one record per line: counting line ends is exact and instant,
        # but for blank lines inside the file (DuckDB skips them; rare, and not worth a
        # second pass over a large file).
        last = content[-4096:]
        trailing = len(last) - len(last.rstrip(b"\r\n\t "))
        return _count(content, b"\n", 0, len(content) - trailing)
    # A separate, small DuckDB: counting a hostile file must not take the store's memory.
    con = duckdb.connect(config={**DUCKDB_CONFIG, "memory_limit": "512MB"})
    try:
        try:
            sql = f"SELECT count(*) FROM {csv_sql()}"  # noqa: S608
            return int(con.execute(sql, csv_options(source)).fetchall()[0][0])
        except duckdb.Error as exc:
            if not _quoted_line_breaks(exc):
                raise
        # Found out here, outside any transaction, so that the import reads it one way.
        source.csv_parallel = False
        sql = f"SELECT count(*) FROM {csv_sql(parallel=False)}"  # noqa: S608
        return int(con.execute(sql, csv_options(source)).fetchall()[0][0])
    except duckdb.Error as exc:
        raise _read_error(source, exc) from None
    finally:
        con.close()


# ---------------------------------------------------------------- Excel


def _read_excel(
    content: Content,
    path: Path | None,
    file_name: str,
    sha: Future[str],
    sheet: str | None,
    limits: ReadLimits,
) -> Source:
    """A sheet, read in a child process under the limits (sheets.py) into a CSV."""
    if len(content) > limits.spreadsheet_bytes:
        raise FileTooLarge(
            f"{file_name}: the file is {megabytes(len(content))}, more than the "
            f"{megabytes(limits.spreadsheet_bytes)} Opening Day reads as a spreadsheet. "
            f"{SPREADSHEET_ADVICE}",
            file_name=file_name,
        )
    source = Source(
        file_name=file_name,
        _digest=sha,
        headers=[],
        sheets=[],
        sheet=None,
        n_rows=0,
        format="excel",
        encoding="utf-8",
        delimiter=",",
    )
    folder = _keep_folder(source)
    if path is None:
        path = folder / ("upload" + Path(file_name).suffix.lower())
        path.write_bytes(content)
    found = sheets.read_sheet(
        path, folder / "sheet.csv", file_name=file_name, sheet=sheet, limits=limits
    )
    source.sheets, source.sheet = found.sheets, found.sheet
    source.headers = clean_headers(found.headers)
    source.n_rows = found.n_rows
    source.path = folder / "sheet.csv"
    source.row_offset = found.header_row + 1
    source.csv_parallel = not found.line_breaks
    source.csv_width, source.csv_keep = found.width, found.keep
    return source


# ---------------------------------------------------------------- Parquet


def _read_parquet(
    content: Content, path: Path | None, file_name: str, sha: Future[str], limits: ReadLimits
) -> Source:
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
    con = duckdb.connect(config={**DUCKDB_CONFIG, "memory_limit": "512MB"})
    try:
        described = con.execute(
            "DESCRIBE SELECT * FROM read_parquet($path)", {"path": str(path)}
        ).fetchall()
        n_rows = con.execute(
            "SELECT count(*) FROM read_parquet($path)", {"path": str(path)}
        ).fetchall()[0][0]
    except duckdb.Error as exc:
        raise _read_error(source, exc) from None
    finally:
        con.close()
    if len(described) > limits.columns:
        raise FileTooLarge(
            f"{file_name}: it has {len(described):,} columns, more than the "
            f"{limits.columns:,} Opening Day reads. Export only the columns you need.",
            file_name=file_name,
        )
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
        if source.format == "parquet":
            cur.execute(
                f"INSERT INTO {RAW_TABLE} SELECT COLUMNS(*)::VARCHAR FROM read_parquet($path)",  # noqa: S608
                {"path": str(source.path)},
            )
        else:
            # A sheet's CSV may hold columns with neither a name nor a value: left out.
            picked = "*" if source.csv_keep is None else ", ".join(f"c{j}" for j in source.csv_keep)
            cur.execute(
                f"INSERT INTO {RAW_TABLE} SELECT {picked} "  # noqa: S608
                f"FROM {csv_sql(parallel=source.csv_parallel)}",
                csv_options(source),
            )
    except duckdb.Error as exc:
        raise _read_error(source, exc) from None


def drop_raw(cur: Connection) -> None:
    cur.execute(f"DROP TABLE IF EXISTS temp.{RAW_TABLE}")
