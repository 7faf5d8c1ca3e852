"""Read a CSV, Excel or Parquet file into a Source, and load it into DuckDB as text."""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import mmap
import os
import tempfile
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from analytics.errors import FileTooLarge
from analytics.importer import csvfile
from analytics.importer.limits import CSV_ADVICE, LIMITS, SPREADSHEET_ADVICE, ReadLimits, megabytes
from analytics.importer.synonyms import normalise
from analytics.store import DUCKDB_CONFIG, Connection

# The temporary table a file is loaded into, per cursor: columns c0..cN, all VARCHAR.
RAW_TABLE = "od_import_raw"

CSV_SUFFIXES = (".csv", ".txt", ".tsv", ".tab")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(eq=False)
class Source:
    """A file ready to import: its headers, and its rows where DuckDB can read them.

    Every format ends up as a file DuckDB reads: the owner's CSV (or a UTF-8 copy of it),
    the CSV a spreadsheet's sheet was turned into, or the Parquet file.
    """

    file_name: str
    # Filled in as the file is read (a spreadsheet's sheets and the one read).
    headers: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
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
    # Columns whose names repeat (see repeated_columns): a field may not come from them.
    repeats: list[list[int]] = field(default_factory=list, repr=False)
    _keep: Any = field(default=None, repr=False)  # a temporary folder that lives with the Source
    # The content's SHA-256, computed in a background thread: hashing a large file takes
    # a noticeable part of an import, and can run while DuckDB reads the rows.
    _digest: Future[str] | str = field(default="", repr=False)
    # The row count, or how to make it when first asked (read_source(..., count=False)).
    _rows: int | Callable[[], int] = field(default=0, repr=False)

    @property
    def n_rows(self) -> int:
        """Rows (the header aside), as DuckDB reads them."""
        if callable(self._rows):
            self._rows = self._rows()
        return self._rows

    @n_rows.setter
    def n_rows(self, value: int) -> None:
        self._rows = value

    @property
    def sha256(self) -> str:
        if isinstance(self._digest, Future):
            self._digest = self._digest.result()
        return self._digest

    @property
    def sha256_ready(self) -> bool:
        return not isinstance(self._digest, Future) or self._digest.done()


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
    count: bool = True,
) -> Source:
    """Read a file (path or bytes) far enough to know its headers, rows and content hash.

    A file over one of the reading limits raises FileTooLarge naming the limit. With
    `count=False` (an import that never shows the count), a CSV's rows are counted only if
    n_rows is asked for: counting a quoted CSV is a whole pass of DuckDB over it.
    """
    path: Path | None = None
    content: csvfile.Content
    if isinstance(data, str | Path):
        path = Path(data)
        file_name = file_name or path.name
        content = _map(path, file_name)
    else:
        content = bytes(data)
        file_name = file_name or "upload"
    if csvfile.blank(content):
        raise csvfile.fail(file_name, "the file is empty")
    sha = _HASHER.submit(_sha256, content)
    kind = _kind(content[:8], file_name)
    if kind == "excel":
        return _read_excel(content, path, file_name, sha, sheet, limits)
    if kind == "parquet":
        return _read_parquet(content, path, file_name, sha, limits)
    return _read_csv(content, path, file_name, sha, limits, count)


def _map(path: Path, file_name: str) -> csvfile.Content:
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
        raise csvfile.fail(file_name, "no such file") from None
    except OSError as exc:
        raise csvfile.fail(file_name, f"cannot be opened ({exc.strerror or exc})") from None


_HASHER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="opening-day-sha256")


def _sha256(content: csvfile.Content) -> str:
    # A chunk at a time, so that a mapped file's pages are let go as they are hashed (see
    # csvfile.let_go); hashlib lets go of the GIL while it works.
    digest = hashlib.sha256()
    for chunk in csvfile.chunks(content):
        digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- CSV


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


def repeated_columns(raw: list[str]) -> list[list[int]]:
    """Groups of 0-based columns whose names are the same but for case, spaces and
    punctuation ("Amount", "amount ", "AMOUNT"): which one a field means is not known."""
    groups: dict[str, list[int]] = {}
    for i, header in enumerate(raw):
        key = normalise(str(header))
        if key:
            groups.setdefault(key, []).append(i)
    return [columns for columns in groups.values() if len(columns) > 1]


def _keep_folder(source: Source) -> Path:
    """A temporary folder deleted when the Source is garbage-collected."""
    folder = tempfile.TemporaryDirectory(prefix="opening_day_import_")
    source._keep = folder
    weakref.finalize(source, folder.cleanup)
    return Path(folder.name)


def _read_csv(
    content: csvfile.Content,
    path: Path | None,
    file_name: str,
    sha: Future[str],
    limits: ReadLimits,
    count: bool = True,
) -> Source:
    encoding = csvfile.encoding(content, file_name)
    sample = csvfile.sample(content, encoding)
    csvfile.check_header_line(content, sample, file_name, limits)
    delimiter = csvfile.sniff_delimiter(sample)
    try:
        first = next(csv.reader(io.StringIO(sample), delimiter=delimiter))
    except StopIteration:
        raise csvfile.fail(file_name, "the file is empty") from None
    except csv.Error as exc:
        raise csvfile.fail(
            file_name, f"row 1 cannot be read as CSV ({exc}). {CSV_ADVICE}"
        ) from None
    if not any(h.strip() for h in first):
        raise csvfile.fail(file_name, "the first line is empty; it should hold the column names")
    if len(first) > limits.columns:
        raise FileTooLarge(
            f"{file_name}: row 1 has {len(first):,} columns, more than the {limits.columns:,} "
            "Opening Day reads. Export only the columns you need.",
            file_name=file_name,
        )
    headers = clean_headers(first)
    repeats = repeated_columns(first)

    source = Source(
        file_name, headers, encoding=encoding, delimiter=delimiter, repeats=repeats, _digest=sha
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
                for chunk in csvfile.chunks(content):
                    out.write(decoder.decode(chunk).encode("utf-8"))
                out.write(decoder.decode(b"", final=True).encode("utf-8"))
        source.path = target
    if count:
        source.n_rows = csvfile.count_rows(source, content)
    else:
        source._rows = functools.partial(_count_later, weakref.ref(source), content)
    return source


def _count_later(source: weakref.ref[Source], content: csvfile.Content) -> int:
    found = source()
    if found is None:  # only ever called through a living Source
        raise ReferenceError("the Source is gone")
    return csvfile.count_rows(found, content)


# ---------------------------------------------------------------- Excel


def _read_excel(
    content: csvfile.Content,
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
    source = Source(file_name, _digest=sha, format="excel", encoding="utf-8", delimiter=",")
    folder = _keep_folder(source)
    if path is None:
        path = folder / ("upload" + Path(file_name).suffix.lower())
        path.write_bytes(content)
    from analytics.importer import sheets  # a spreadsheet's reader: loaded only for one

    found = sheets.read_sheet(
        path, folder / "sheet.csv", file_name=file_name, sheet=sheet, limits=limits
    )
    source.sheets, source.sheet = found.sheets, found.sheet
    source.headers = clean_headers(found.headers)
    source.repeats = repeated_columns(found.headers)
    source.n_rows = found.n_rows
    source.path = folder / "sheet.csv"
    source.row_offset = found.header_row + 1
    source.csv_parallel = not found.line_breaks
    source.csv_width, source.csv_keep = found.width, found.keep
    return source


# ---------------------------------------------------------------- Parquet


def _read_parquet(
    content: csvfile.Content,
    path: Path | None,
    file_name: str,
    sha: Future[str],
    limits: ReadLimits,
) -> Source:
    source = Source(file_name, _digest=sha, format="parquet")
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
        raise csvfile.read_error(source, exc) from None
    finally:
        con.close()
    if len(described) > limits.columns:
        raise FileTooLarge(
            f"{file_name}: it has {len(described):,} columns, more than the "
            f"{limits.columns:,} Opening Day reads. Export only the columns you need.",
            file_name=file_name,
        )
    names = [str(r[0]) for r in described]
    source.headers, source.repeats = clean_headers(names), repeated_columns(names)
    source.n_rows = int(n_rows)
    return source


# ---------------------------------------------------------------- into DuckDB


class SerialRead(Exception):  # noqa: N818 - a signal to read again, not an error
    """DuckDB's parallel reader met a quoted value holding a line break, in a CSV whose rows
    were not counted first (read_source(..., count=False)). source.csv_parallel is now False:
    load the file again (in a new transaction: DuckDB aborts one whose statement failed)."""


def load_raw(cur: Connection, source: Source) -> None:
    """Create the temporary RAW_TABLE on this cursor: one VARCHAR column per header.

    Column names are c0..cN (made here), so no header ever becomes an identifier. Raises
    SerialRead when the file must be read again serially.
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
                f"FROM {csvfile.csv_sql(parallel=source.csv_parallel)}",
                csvfile.csv_options(source),
            )
    except duckdb.Error as exc:
        if source.format == "csv" and source.csv_parallel and csvfile.quoted_line_breaks(exc):
            source.csv_parallel = False
            raise SerialRead(source.file_name) from None
        raise csvfile.read_error(source, exc) from None


def drop_raw(cur: Connection) -> None:
    cur.execute(f"DROP TABLE IF EXISTS temp.{RAW_TABLE}")
