"""What a CSV file's bytes say: its encoding, delimiter, row of column names and row
count, and how DuckDB reads it; every step a chunk at a time, within the limits."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import mmap
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import duckdb

from analytics.errors import FileTooLarge, UnreadableFile
from analytics.importer.limits import CSV_ADVICE, LIMITS, ReadLimits
from analytics.store import DUCKDB_CONFIG

if TYPE_CHECKING:
    from analytics.importer.read import Source

# A file's bytes: in memory (an upload), or mapped from disk (the command line), so that
# a file of gigabytes is read by the page cache, not copied into the process.
Content = bytes | mmap.mmap
CHUNK = 4 * 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 256 * 1024

# A valid multi-byte UTF-8 sequence: a file holding one is meant as UTF-8, so an invalid
# byte elsewhere is damage, not Windows-1252.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def fail(file_name: str, message: str) -> UnreadableFile:
    return UnreadableFile(f"{file_name}: {message}", file_name=file_name)


def let_go(content: Content, start: int, stop: int) -> None:
    """Hand a mapped file's pages from start to stop back to the page cache.

    Pages of a mapped file that were read count in the process's memory until it unmaps
    them: a whole-file pass (the hash, the row count) would otherwise add the file's size
    to the import's peak. Read again, they come back from the page cache.
    """
    if not isinstance(content, mmap.mmap) or stop <= start:
        return
    low = start - start % mmap.PAGESIZE
    # Where madvise is missing (not Linux), the pages simply stay.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        content.madvise(mmap.MADV_DONTNEED, low, stop - low)


def chunks(content: Content, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
    """The bytes from start to stop, a few megabytes at a time (never all at once)."""
    stop = len(content) if stop is None else min(stop, len(content))
    for at in range(start, stop, CHUNK):
        end = min(at + CHUNK, stop)
        chunk = content[at:end]
        let_go(content, at, end)
        yield chunk


def count(content: Content, byte: bytes, start: int = 0, stop: int | None = None) -> int:
    if isinstance(content, bytes):
        return content.count(byte, start, len(content) if stop is None else stop)
    return sum(chunk.count(byte) for chunk in chunks(content, start, stop))


def find(content: Content, needle: bytes) -> int:
    """The offset of the first needle (one byte), read a chunk at a time; -1 if none."""
    if isinstance(content, bytes):
        return content.find(needle)
    for n, chunk in enumerate(chunks(content)):
        at = chunk.find(needle)
        if at >= 0:
            return n * CHUNK + at
    return -1


def blank(content: Content) -> bool:
    if content[:65536].strip():
        return False
    return all(not chunk.strip() for chunk in chunks(content))


def offset_message(data: Content, offset: int, what: str) -> str:
    line = count(data, b"\n", 0, offset) + 1
    return (
        f"byte 0x{data[offset]:02X} at byte offset {offset} (line {line}) is not valid {what}. "
        "Save the file as CSV UTF-8 and try again"
    )


def first_bad_utf8(data: Content, start: int) -> int | None:
    """The offset of the first byte that is not valid UTF-8, read a chunk at a time (a
    whole-file decode would hold up to four times the file as text)."""
    at = start
    while at < len(data):
        chunk = data[at : at + CHUNK]
        let_go(data, at, at + len(chunk))
        final = at + len(chunk) >= len(data)
        try:
            _, used = codecs.utf_8_decode(chunk, "strict", final)
        except UnicodeDecodeError as exc:
            return at + exc.start
        if used == 0 and not final:
            return at  # not even one character decodes from a full chunk
        at += used if not final else len(chunk)
    return None


def encoding(data: Content, file_name: str) -> str:
    """The file's encoding; any byte it cannot decode is an error, never replaced."""
    head = data[:4]
    if head.startswith(codecs.BOM_UTF8):
        bad = first_bad_utf8(data, 3)
        if bad is not None:
            raise fail(file_name, offset_message(data, bad, "UTF-8"))
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        decoder = codecs.getincrementaldecoder("utf-16")()
        for n, chunk in enumerate(chunks(data)):
            try:
                decoder.decode(chunk, final=(n + 1) * CHUNK >= len(data))
            except UnicodeDecodeError as exc:
                raise fail(
                    file_name,
                    f"cannot be read as UTF-16 at byte offset {n * CHUNK + exc.start}: "
                    f"{exc.reason}",
                ) from None
        return "utf-16"
    nul, ascii_only = _nul_and_ascii(data)
    if nul >= 0:
        line = count(data, b"\n", 0, nul) + 1
        raise fail(
            file_name,
            f"has a NUL byte at byte offset {nul} (line {line}): it looks like UTF-16 without a "
            "byte-order mark, or not a text file at all. Save it as CSV UTF-8 and try again",
        )
    if ascii_only:  # the common case
        return "utf-8"
    bad = first_bad_utf8(data, 0)
    if bad is None:
        return "utf-8"
    if any(_UTF8_MULTIBYTE.search(chunk) for chunk in _overlapping(data)):
        raise fail(file_name, offset_message(data, bad, "UTF-8"))
    for n, chunk in enumerate(chunks(data)):  # a single-byte code: chunks cut anywhere
        try:
            chunk.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise fail(
                file_name,
                offset_message(data, n * CHUNK + exc.start, "UTF-8 or Windows-1252 (Latin-1)"),
            ) from None
    return "cp1252"


def _nul_and_ascii(data: Content) -> tuple[int, bool]:
    """The offset of the first NUL byte (-1 when there is none) and whether every byte is
    ASCII: one pass over the file, a chunk at a time, at memory speed."""
    if isinstance(data, bytes):
        return data.find(b"\x00"), data.isascii()
    ascii_only = True
    for n, chunk in enumerate(chunks(data)):
        at = chunk.find(b"\x00")
        if at >= 0:
            return n * CHUNK + at, False
        ascii_only = ascii_only and chunk.isascii()
    return -1, ascii_only


def _overlapping(data: Content) -> Iterator[bytes]:
    """Chunks that overlap by three bytes, so that no character of up to four is cut."""
    for at in range(0, len(data), CHUNK):
        end = min(at + CHUNK + 3, len(data))
        chunk = data[at:end]
        let_go(data, at, end)
        yield chunk


def read_records(sample: str, delimiter: str, n: int) -> list[list[str]]:
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


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the header into most columns and the rows consistently."""
    best: tuple[tuple[bool, float, int], str] | None = None
    for delim in DELIMITERS:
        records = read_records(sample, delim, 100)
        if not records:
            continue
        width = len(records[0])
        consistent = sum(len(r) == width for r in records) / len(records)
        score = (width > 1, consistent, width)
        if best is None or score > best[0]:
            best = (score, delim)
    return best[1] if best else ","


def sample(content: Content, encoding: str) -> str:
    """The first 256 KB as text, cut after its last whole line."""
    head = content[:SNIFF_BYTES]
    if encoding in ("utf-8", "utf-8-sig"):
        sample = head.decode("utf-8-sig", errors="ignore")  # only a cut multi-byte tail is lost
    else:
        sample = codecs.getincrementaldecoder(encoding)(errors="ignore").decode(head)
    if len(content) > len(head) and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]  # whole lines only
    return sample.lstrip("\ufeff")


def check_header_line(content: Content, sample: str, file_name: str, limits: ReadLimits) -> None:
    """Refuse a first line too long to be column names (the csv module stops at 131,072
    characters a value; a real header is a few hundred)."""
    end = sample.find("\n")
    line = sample if end < 0 else sample[:end]
    whole = end >= 0 or len(content) <= SNIFF_BYTES
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
        newline = find(content, b"\n")
        size = f"{(len(content) if newline < 0 else newline):,} bytes long"
    raise FileTooLarge(
        f"{file_name}: row 1, the column names, is {size}; Opening Day reads a row of column "
        f"names of up to {limits.header_bytes:,} characters. A first row that long is not an "
        f"export's header. {CSV_ADVICE}",
        file_name=file_name,
    )


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


def quoted_line_breaks(exc: Exception) -> bool:
    # DuckDB's parallel reader cannot pad short rows when a quoted value holds a line break.
    return "parallel=false" in str(exc)


def duckdb_message(text: str) -> str:
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


def read_error(source: Source, exc: duckdb.Error) -> UnreadableFile:
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
    return fail(source.file_name, f"cannot be read as {what}: {duckdb_message(text[:2000])}")


def count_rows(source: Source, content: Content) -> int:
    if find(content, b'"') < 0:
        # No quoting means one record per line: counting line ends is exact and instant,
        # but for blank lines inside the file (DuckDB skips them; rare, and not worth a
        # second pass over a large file).
        last = content[-4096:]
        trailing = len(last) - len(last.rstrip(b"\r\n\t "))
        return count(content, b"\n", 0, len(content) - trailing)
    # A separate, small DuckDB: counting a hostile file must not take the store's memory.
    con = duckdb.connect(config={**DUCKDB_CONFIG, "memory_limit": "512MB"})
    try:
        try:
            sql = f"SELECT count(*) FROM {csv_sql()}"  # noqa: S608
            return int(con.execute(sql, csv_options(source)).fetchall()[0][0])
        except duckdb.Error as exc:
            if not quoted_line_breaks(exc):
                raise
        # Found out here, outside any transaction, so that the import reads it one way.
        source.csv_parallel = False
        sql = f"SELECT count(*) FROM {csv_sql(parallel=False)}"  # noqa: S608
        return int(con.execute(sql, csv_options(source)).fetchall()[0][0])
    except duckdb.Error as exc:
        raise read_error(source, exc) from None
    finally:
        con.close()
