"""Read one sheet of a spreadsheet into a UTF-8 CSV, in a child process held to limits.

A spreadsheet is a program's memory dump as much as a table: a 1.5 KB .xlsx can ask for
512 GiB, a 3 MB one unpack to a gigabyte. So the parent (the CLI, or the Streamlit
server that every owner shares) never expands one itself. `read_sheet` starts a fresh
Python (the standard library and python-calamine, about 0.1 s to start) that

1. checks the file's size and, for a zip (.xlsx, .xlsm, .xlsb, .ods), the archive's
   member count and each member's unpacked size and compression ratio, from the zip's
   own directory, before anything is unpacked;
2. for .xlsx/.xlsm, scans the sheet's XML for its declared and real extent (ooxml.py)
   and refuses it, naming the cell, if the block python-calamine would build is over
   the limits;
3. reads the sheet with python-calamine (whose block is checked again, for .xls, .xlsb
   and .ods the first time), turns its rows into text one at a time and writes them to
   a CSV that DuckDB then loads like any CSV; and answers with one line of JSON: the
   sheets, the header row and the columns worth keeping.

The child runs under an address-space limit (RLIMIT_AS), a CPU limit and an output size
limit, without the parent's environment, and the parent kills it after the wall-time
limit: whatever a file does, the worst it can do is fail its own read, which the parent
reports as FileTooLarge naming the limit (or UnreadableFile).
"""

from __future__ import annotations

import csv
import json
import math
import os
import signal
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from analytics.errors import FileTooLarge, UnreadableFile
from analytics.importer.limits import (
    SPREADSHEET_ADVICE,
    ReadLimits,
    cell_name,
    column_name,
    megabytes,
    memory_message,
    time_message,
)
from analytics.importer.ooxml import Workbook

ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the analytics package
# At most this many sheets are expanded at once by one process (the machine has 2 cores;
# a shared server's owners queue here rather than each starting a child).
_SLOTS = threading.BoundedSemaphore(2)
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from analytics.importer.sheets import child_main; sys.exit(child_main(sys.argv[2]))"
)


@dataclass(frozen=True)
class SheetRead:
    """What the child found: the workbook's sheets, and the chosen one as a CSV."""

    sheets: list[str]
    sheet: str
    header_row: int  # 1-based row of the column names; data rows follow it in the CSV
    headers: list[str]  # as written in the sheet, for the kept columns
    keep: list[int]  # 0-based columns of the CSV worth keeping (a name or a value)
    width: int  # columns in the CSV
    n_rows: int  # data rows that hold a value
    line_breaks: bool  # some value holds a line break (DuckDB must then read serially)


# ---------------------------------------------------------------- parent side


def read_sheet(
    path: Path, out: Path, *, file_name: str, sheet: str | None, limits: ReadLimits
) -> SheetRead:
    """Read `sheet` (None: the first) of the spreadsheet at `path` into the CSV `out`, in a
    child process; raise FileTooLarge or UnreadableFile as the child found."""
    request = {
        "path": str(path),
        "out": str(out),
        "file_name": file_name,
        "sheet": sheet,
        "limits": asdict(limits),
    }
    command = [sys.executable, "-I", "-c", _BOOT, str(ROOT), json.dumps(request)]
    with _SLOTS:
        try:
            done = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=limits.seconds,
                check=False,
                cwd=out.parent,
                env={},  # the reader needs no settings, and must not see the server's secrets
            )
        except subprocess.TimeoutExpired:  # the child has been killed by now
            raise FileTooLarge(time_message(file_name, limits), file_name=file_name) from None
    reply = _reply(done.stdout)
    if "ok" in reply:
        return SheetRead(**reply["ok"])
    if "too_large" in reply:
        raise FileTooLarge(str(reply["too_large"]), file_name=file_name)
    if "unreadable" in reply:
        raise UnreadableFile(str(reply["unreadable"]), file_name=file_name)
    raise _died(done.returncode, done.stderr, file_name, limits)


def _reply(stdout: bytes) -> dict[str, Any]:
    lines = stdout.decode("utf-8", errors="replace").strip().splitlines()
    try:
        reply = json.loads(lines[-1]) if lines else {}
    except ValueError:
        return {}
    return reply if isinstance(reply, dict) else {}


def _signal(name: str) -> int | None:
    number = getattr(signal, name, None)  # some do not exist on every platform
    return -int(number) if number is not None else None


def _died(code: int, stderr: bytes, file_name: str, limits: ReadLimits) -> Exception:
    """The error for a child that stopped without an answer."""
    if code == _signal("SIGXCPU"):
        return FileTooLarge(time_message(file_name, limits), file_name=file_name)
    if code == _signal("SIGXFSZ"):
        return FileTooLarge(
            f"{file_name}: the sheet's text comes to more than "
            f"{megabytes(limits.sheet_text_bytes)}. {SPREADSHEET_ADVICE}",
            file_name=file_name,
        )
    if code == _signal("SIGKILL") or b"memory allocation" in stderr:
        # A native reader (python-calamine) that cannot get memory aborts the process; the
        # system's out-of-memory killer sends SIGKILL.
        return FileTooLarge(memory_message(file_name, limits), file_name=file_name)
    lines = stderr.decode("utf-8", errors="replace").strip().splitlines()
    why = lines[-1][:200] if lines else f"it stopped with code {code}"
    return UnreadableFile(
        f"{file_name}: cannot be read as an Excel workbook (the reader failed: {why}). Open "
        "it in Excel and save it again, or save the sheet as CSV.",
        file_name=file_name,
    )


# ---------------------------------------------------------------- child side


def child_main(request_json: str) -> int:
    """The child process: read one sheet under the limits, answer with one JSON line."""
    request = json.loads(request_json)
    limits = ReadLimits(**request["limits"])
    file_name = str(request["file_name"])
    _hold_to(limits)
    reply: dict[str, Any]
    try:
        found = read_workbook(
            Path(request["path"]), Path(request["out"]), file_name, request["sheet"], limits
        )
        reply = {"ok": asdict(found)}
    except FileTooLarge as exc:
        reply = {"too_large": str(exc)}
    except UnreadableFile as exc:
        reply = {"unreadable": str(exc)}
    except MemoryError:
        reply = {"too_large": memory_message(file_name, limits)}
    except (zipfile.BadZipFile, ET.ParseError, EOFError, zlib.error, ValueError) as exc:
        reply = {
            "unreadable": f"{file_name}: cannot be read as an Excel workbook ({exc}). Open it "
            "in Excel and save it again, or save the sheet as CSV."
        }
    sys.stdout.write(json.dumps(reply) + "\n")
    return 0


def _hold_to(limits: ReadLimits) -> None:
    """Limit this process's memory, CPU time and output file size (Linux/macOS)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on this platform: the wall time still holds
        return
    memory = int(limits.memory_bytes)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = math.ceil(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    # The writer refuses more text than the limit with a message; this is the backstop.
    written = int(limits.sheet_text_bytes) * 2 + 64 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (written, written))


def read_workbook(
    path: Path, out: Path, file_name: str, sheet: str | None, limits: ReadLimits
) -> SheetRead:
    """Check the file, then stream the chosen sheet into `out` (this process, no limits
    of its own: the child runs it)."""
    size = path.stat().st_size
    if size > limits.spreadsheet_bytes:
        raise FileTooLarge(
            f"{file_name}: the file is {megabytes(size)}, more than the "
            f"{megabytes(limits.spreadsheet_bytes)} Opening Day reads as a spreadsheet. "
            f"{SPREADSHEET_ADVICE}",
            file_name=file_name,
        )
    with path.open("rb") as handle:
        is_zip = handle.read(4) == b"PK\x03\x04"
    if not is_zip:
        return _read_with_calamine(path, out, file_name, sheet, limits)  # .xls and others
    check_archive(path, file_name, limits)
    with zipfile.ZipFile(path) as archive:
        names = {name.lower() for name in archive.namelist()}
        if "xl/workbook.bin" in names or "content.xml" in names:  # .xlsb, .ods
            return _read_with_calamine(path, out, file_name, sheet, limits)
        book = Workbook(archive, file_name, limits)
        sheets = [name for name, _ in book.sheets]
        chosen = _choose(sheets, sheet, file_name)
        book.check_sheet(chosen)
    return _read_with_calamine(path, out, file_name, chosen, limits, sheets=sheets)


def _choose(sheets: list[str], sheet: str | None, file_name: str) -> str:
    if not sheets:
        raise UnreadableFile(f"{file_name}: the workbook has no sheets", file_name=file_name)
    chosen = sheet if sheet is not None else sheets[0]
    if chosen not in sheets:
        raise UnreadableFile(
            f"{file_name}: has no sheet {chosen!r}; its sheets are: {', '.join(sheets)}",
            file_name=file_name,
        )
    return chosen


def _csv_out(out: Path) -> TextIO:
    return out.open("w", encoding="utf-8", newline="")


def zip_member_count(path: Path) -> int | None:
    """How many members the zip's end record declares, read before the directory itself
    (a directory of millions of entries would fill memory when opened)."""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        tail_size = min(size, 22 + 65_535)
        handle.seek(size - tail_size)
        tail = handle.read(tail_size)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or at + 22 > len(tail):
            return None
        count = int.from_bytes(tail[at + 10 : at + 12], "little")
        if count == 0xFFFF and at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
            handle.seek(int.from_bytes(tail[at - 12 : at - 4], "little"))
            record = handle.read(56)
            if record[:4] == b"PK\x06\x06":
                count = int.from_bytes(record[32:40], "little")
        return count


def check_archive(path: Path, file_name: str, limits: ReadLimits) -> None:
    """Refuse a zip with too many members, or a member that unpacks too big or is
    squeezed too hard, from the sizes the zip declares (zipfile then never unpacks more
    than a member declares: its reader stops there, and a lie fails the CRC check)."""
    count = zip_member_count(path)
    if count is not None and count > limits.archive_members:
        raise FileTooLarge(
            f"{file_name}: the workbook is a zip of {count:,} parts, more than the "
            f"{limits.archive_members:,} Opening Day opens. {SPREADSHEET_ADVICE}",
            file_name=file_name,
        )
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.file_size > limits.part_bytes:
                raise FileTooLarge(
                    f"{file_name}: the part {info.filename} unpacks to "
                    f"{megabytes(info.file_size)}, more than the "
                    f"{megabytes(limits.part_bytes)} Opening Day unpacks from one part of a "
                    f"workbook. {SPREADSHEET_ADVICE}",
                    file_name=file_name,
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > limits.ratio_floor and ratio > limits.part_ratio:
                raise FileTooLarge(
                    f"{file_name}: the part {info.filename} unpacks from "
                    f"{megabytes(info.compress_size)} to {megabytes(info.file_size)}, "
                    f"{ratio:,.0f} times its packed size; Opening Day unpacks parts packed "
                    f"at most {limits.part_ratio:,} to 1 (real workbooks pack 5 to 20 to 1, a "
                    f"zip bomb a thousand). {SPREADSHEET_ADVICE}",
                    file_name=file_name,
                )


# ---------------------------------------------------------------- rows into CSV


class SheetWriter:
    """A sheet's rows into CSV as they stream, within the limits.

    The first row holding a value is the header. The CSV holds it, then one line per
    sheet row below it up to the last that holds a value (a blank row is written as
    `""`, which DuckDB reads as a row of NULLs, so line n is sheet row header + n).
    """

    def __init__(self, out: TextIO, where: str, file_name: str, limits: ReadLimits) -> None:
        self._out = out
        self._csv = csv.writer(out, lineterminator="\n")
        self._where = where
        self._file_name = file_name
        self._limits = limits
        self.header_row = 0
        self.headers: list[str] = []
        self.width = 0
        self.n_rows = 0
        self.line_breaks = False
        self._last = 0
        self._text = 0
        self._unseen: set[int] = set()  # columns that have not held a data value yet

    def _too_large(self, message: str) -> FileTooLarge:
        return FileTooLarge(
            f"{self._where}: {message} {SPREADSHEET_ADVICE}", file_name=self._file_name
        )

    def add_extent(
        self, first_row: int, first_column: int, last_row: int, last_column: int
    ) -> None:
        """Refuse a sheet whose block of values (1-based rows, 0-based columns) is past the
        limits, before any row of it is read."""
        limits = self._limits
        said = f"its values reach {cell_name(last_row, last_column)}"
        if last_column >= limits.columns:
            raise self._too_large(
                f"{said}, beyond the {limits.columns:,} columns Opening Day reads from a "
                f"spreadsheet (up to column {column_name(limits.columns - 1)})."
            )
        if last_row > limits.rows:
            raise self._too_large(f"{said}, beyond the {limits.rows:,} rows a sheet can have.")
        rows, columns = last_row - first_row + 1, last_column - first_column + 1
        if rows * columns > limits.cells:
            raise self._too_large(
                f"its values span {cell_name(first_row, first_column)}:"
                f"{cell_name(last_row, last_column)}, {rows:,} rows × {columns:,} columns = "
                f"{rows * columns:,} cells, more than the {limits.cells:,} Opening Day reads "
                "from one sheet."
            )

    def add(self, number: int, values: list[str | None]) -> None:
        """Sheet row `number` (1-based, rising) with its values by column (None: empty),
        within the extent add_extent checked."""
        if number <= self._last:
            raise UnreadableFile(
                f"{self._where}: row {number:,} comes after row {self._last:,}; the workbook is "
                "damaged. Open it in Excel and save it again.",
                file_name=self._file_name,
            )
        if not self.header_row:
            self.header_row = self._last = number
            self.headers = [v or "" for v in values]
            self.width = len(values)
            self._unseen.update(range(self.width))
            self._csv.writerow(values)
            return
        if len(values) > self.width:
            self._unseen.update(range(self.width, len(values)))
            self.width = len(values)
        joined = "\x1f".join(v for v in values if v is not None)
        self._text += len(joined) + len(values) + number - self._last
        if self._text > self._limits.sheet_text_bytes:
            raise self._too_large(
                f"by row {number:,} its text comes to more than "
                f"{megabytes(self._limits.sheet_text_bytes)}, the most Opening Day reads from "
                "one sheet."
            )
        if not self.line_breaks and ("\n" in joined or "\r" in joined):
            self.line_breaks = True
        if self._unseen:  # soon empty: most columns hold a value in the first rows
            self._unseen.difference_update(
                [j for j in self._unseen if j < len(values) and values[j] is not None]
            )
        gap = number - self._last - 1
        if gap:
            self._out.write('""\n' * gap)
        self._csv.writerow(values)
        self._last = number
        self.n_rows += 1

    def result(self, sheets: list[str], sheet: str) -> SheetRead:
        if not self.header_row:
            raise UnreadableFile(
                f"{self._file_name}: sheet {sheet!r} is empty", file_name=self._file_name
            )
        headers = self.headers + [""] * (self.width - len(self.headers))
        keep = [j for j in range(self.width) if headers[j].strip() or j not in self._unseen]
        return SheetRead(
            sheets=sheets,
            sheet=sheet,
            header_row=self.header_row,
            headers=[headers[j] for j in keep],
            keep=keep,
            width=self.width,
            n_rows=self.n_rows,
            line_breaks=self.line_breaks,
        )


# ---------------------------------------------------------------- .xls, .xlsb, .ods


def float_text(value: float) -> str:
    """The shortest text that reads back as this float, never in e-notation:
    17850.0 -> "17850", 1e-05 -> "0.00001"."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        text = format(Decimal(text), "f")
    return text[:-2] if text.endswith(".0") else text


def cell_text(value: Any) -> str | None:
    """One python-calamine cell as the text a CSV export of it would hold."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return float_text(value) if math.isfinite(value) else str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _read_with_calamine(
    path: Path,
    out: Path,
    file_name: str,
    sheet: str | None,
    limits: ReadLimits,
    *,
    sheets: list[str] | None = None,
) -> SheetRead:
    """Read a sheet with python-calamine, which builds it as one block first. For an .xlsx
    the block's extent was checked before (ooxml.py); for .xls, .xlsb and .ods the child's
    memory limit bounds it. Either way its extent is checked again before its rows become
    text, and the rows are turned into text one at a time."""
    try:
        import python_calamine as calamine
    except ImportError as exc:  # under the memory limit, its library may not even map
        raise MemoryError from exc
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
        names = sheets if sheets is not None else list(book.sheet_names)
    except Exception as exc:  # calamine raises several unrelated types for damaged files
        raise UnreadableFile(
            f"{file_name}: cannot be read as an Excel workbook ({exc})", file_name=file_name
        ) from None
    chosen = _choose(names, sheet, file_name)
    try:
        data = book.get_sheet_by_name(chosen)
    except Exception as exc:
        raise UnreadableFile(
            f"{file_name}: sheet {chosen!r} cannot be read ({exc})", file_name=file_name
        ) from None
    with _csv_out(out) as handle:
        writer = SheetWriter(handle, f"{file_name}, sheet {chosen!r}", file_name, limits)
        start, end = data.start, data.end
        if start is not None and end is not None:
            writer.add_extent(start[0] + 1, start[1], end[0] + 1, end[1])
            # Rows come from the sheet's first row, columns from the block's first column.
            pad: list[str | None] = [None] * start[1]
            for i, row in enumerate(data.iter_rows()):
                values = pad + [cell_text(v) for v in row]
                while values and values[-1] is None:
                    values.pop()
                if values:
                    writer.add(i + 1, values)
    return writer.result(names, chosen)
