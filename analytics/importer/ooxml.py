"""What an .xlsx (or .xlsm) holds, checked before it is expanded: its worksheets, and how
far the chosen sheet's values reach.

python-calamine, which reads the sheet, builds it as one dense block (rows × columns of
32-byte cells, plus about 70 bytes per value) before it hands back a single row: one
value in cell XFD1048576 asks for 512 GiB. So the sheet's XML is scanned first, as it
unpacks, with regular expressions over the raw bytes (no tree, no per-element Python
call): its declared extent (<dimension ref="…"/>), and the row and column of every cell
that holds a value. A sheet whose block would be over the limits is refused here, with
the cell that makes it so; one within them is read by calamine, still under the child's
memory limit (sheets.py).

Why not read the cells here and skip calamine: measured on a 200,000-row sheet, the scan
costs about 0.7 s per million cells and calamine's read and the rows' conversion to text
about 1.5; reading every cell with ElementTree's pull parser (constant memory, no block)
took 5 to 9 s. Cells written in a form the scan does not read (no reference, or not as
the first attribute) leave its extent inexact: calamine's block is then checked once it
is built, within the child's memory limit.

Only the standard library is imported here: this runs in the child process that
read.py starts for every spreadsheet.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass

from analytics.errors import FileTooLarge, UnreadableFile
from analytics.importer.limits import (
    SPREADSHEET_ADVICE,
    ReadLimits,
    cell_name,
    column_index,
    column_name,
    megabytes,
)

_CHUNK = 1 << 20
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.\-]*):)?worksheet[\s>/]")


def local(tag: str) -> str:
    """An element's name without its namespace: "{…/main}row" -> "row"."""
    return tag.rpartition("}")[2]


@dataclass
class Extent:
    """Where a sheet's values sit: 1-based rows, 0-based columns (none found: rows 0)."""

    first_row: int = 0
    last_row: int = 0
    first_column: int = 0
    last_column: int = -1

    @property
    def cells(self) -> int:
        if not self.last_row:
            return 0
        return (self.last_row - self.first_row + 1) * (self.last_column - self.first_column + 1)


class _Scanner:
    """The byte patterns of one sheet's cells, in the namespace prefix its root uses."""

    def __init__(self, prefix: bytes) -> None:
        p = re.escape(prefix + b":") if prefix else b""
        # A cell as Excel and most writers put it: the reference first. The slash tells an
        # empty, styled cell (<c r="B2" s="1"/>) from one that holds a value.
        self.cell = re.compile(rb"<" + p + rb'c r="([A-Z]{1,4})(\d{1,9})"[^>]*?(/?)>')
        self.dimension = re.compile(rb"<" + p + rb'dimension\s+ref="([A-Za-z0-9:$]{1,40})"')

    def cells(self, piece: bytes) -> list[tuple[bytes, bytes, bytes]]:
        """The (letters, row digits, slash) of each cell in the piece written the usual way."""
        found: list[tuple[bytes, bytes, bytes]] = self.cell.findall(piece)
        return found


class Workbook:
    """An .xlsx (or .xlsm) archive: its worksheets, and a check of one sheet's extent."""

    def __init__(self, archive: zipfile.ZipFile, file_name: str, limits: ReadLimits) -> None:
        self.archive = archive
        self.file_name = file_name
        self.limits = limits
        self._parts = {info.filename.lower(): info for info in archive.infolist()}
        main = self._officedocument() or "xl/workbook.xml"
        rels = self._relationships(main)
        self.sheets: list[tuple[str, str]] = []
        for element in self._xml(main).iter():
            if local(element.tag) != "sheet":
                continue
            rid = next((v for k, v in element.attrib.items() if local(k) == "id"), "")
            kind, target = rels.get(rid, ("", ""))
            if kind.endswith("/worksheet") and target:  # not chart or dialog sheets
                self.sheets.append((element.get("name") or target, target))
        # Readers look for the shared strings at their usual place even when unlisted.
        self._strings = next(
            (t for k, t in rels.values() if k.endswith("/sharedstrings")),
            posixpath.join(posixpath.dirname(main), "sharedStrings.xml"),
        )

    # -------------------------------------------------------- parts

    def _info(self, path: str) -> zipfile.ZipInfo | None:
        return self._parts.get(path.lstrip("/").lower())

    def _damaged(self, what: str) -> UnreadableFile:
        return UnreadableFile(
            f"{self.file_name}: {what}; it is damaged or not an Excel workbook. Open it in "
            "Excel and save it again.",
            file_name=self.file_name,
        )

    def _xml(self, path: str) -> ET.Element:
        """A small part (the workbook, relationships), parsed whole."""
        info = self._info(path)
        if info is None:
            raise self._damaged(f"the workbook has no part {path}")
        if info.file_size > self.limits.metadata_bytes:
            raise FileTooLarge(
                f"{self.file_name}: the part {info.filename} unpacks to "
                f"{megabytes(info.file_size)}, more than the "
                f"{megabytes(self.limits.metadata_bytes)} a workbook's structure may take. "
                f"{SPREADSHEET_ADVICE}",
                file_name=self.file_name,
            )
        return ET.fromstring(self.archive.read(info))

    def _officedocument(self) -> str | None:
        if self._info("_rels/.rels") is None:
            return None
        for element in self._xml("_rels/.rels").iter():
            kind = (element.get("Type") or "").lower()
            if local(element.tag) == "Relationship" and kind.endswith("/officedocument"):
                return (element.get("Target") or "").lstrip("/") or None
        return None

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type in lower case, target part path) of one part."""
        folder, name = posixpath.split(part)
        rels_path = posixpath.join(folder, "_rels", name + ".rels")
        if self._info(rels_path) is None:
            return {}
        out: dict[str, tuple[str, str]] = {}
        for element in self._xml(rels_path).iter():
            if local(element.tag) != "Relationship" or element.get("TargetMode") == "External":
                continue
            target = element.get("Target") or ""
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            out[element.get("Id") or ""] = ((element.get("Type") or "").lower(), path)
        return out

    # -------------------------------------------------------- one sheet

    def check_sheet(self, sheet: str) -> Extent:
        """Refuse the sheet if reading it would go past a limit; else say where its values
        sit. Reads the shared-strings size and the sheet's XML, never the values."""
        part = dict(self.sheets)[sheet]
        info = self._info(part)
        if info is None:
            raise self._damaged(f"sheet {sheet!r} is listed but missing")
        strings = self._info(self._strings)
        if strings is not None and strings.file_size > self.limits.shared_strings_bytes:
            raise FileTooLarge(
                f"{self.file_name}: its table of texts (the part {strings.filename}) unpacks "
                f"to {megabytes(strings.file_size)}, more than the "
                f"{megabytes(self.limits.shared_strings_bytes)} Opening Day holds while it "
                f"reads a sheet. {SPREADSHEET_ADVICE}",
                file_name=self.file_name,
            )
        where = f"{self.file_name}, sheet {sheet!r}"
        extent = Extent()
        with self.archive.open(info) as stream:
            data = stream.read(_CHUNK)
            root = _ROOT.search(data)
            scanner = _Scanner((root.group(1) or b"") if root else b"")
            start = data.find(b"sheetData")
            head = data if start < 0 else data[:start]
            dimension = scanner.dimension.search(head)
            if dimension:
                self._check_dimension(dimension.group(1).decode("ascii"), where)
            carry = b""
            while data:
                data = carry + data
                cut = data.rfind(b"<")  # a tag cut at the chunk's end waits for the next
                piece, carry = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
                self._scan(scanner, piece, extent, where)
                data = stream.read(_CHUNK)
            self._scan(scanner, carry, extent, where)
        if extent.cells > self.limits.cells:
            raise self._too_many_cells(extent, where)
        return extent

    def _scan(self, scanner: _Scanner, piece: bytes, extent: Extent, where: str) -> None:
        values = [cell for cell in scanner.cells(piece) if not cell[2]]
        if not values:
            return
        if not extent.last_row:
            extent.first_row = int(values[0][1])
            extent.first_column = column_index(values[0][0].decode("ascii"))
            extent.last_column = extent.first_column
        extent.last_row = max(extent.last_row, int(values[-1][1]))
        columns = [column_index(letters.decode("ascii")) for letters in {c[0] for c in values}]
        extent.first_column = min(extent.first_column, *columns)
        extent.last_column = max(extent.last_column, *columns)
        limits = self.limits
        if extent.last_column >= limits.columns or extent.last_row > limits.rows:
            letters, digits, _ = next(
                c
                for c in values
                if column_index(c[0].decode("ascii")) >= limits.columns or int(c[1]) > limits.rows
            )
            row, column = int(digits), column_index(letters.decode("ascii"))
            raise self._too_far(where, f"cell {cell_name(row, column)} holds a value", row, column)

    def _check_dimension(self, ref: str, where: str) -> None:
        """Refuse a sheet that declares cells past the column or row limit."""
        last = ref.replace("$", "").upper().rpartition(":")[2]
        letters = last.rstrip("0123456789")
        digits = last[len(letters) :]
        column = column_index(letters)
        if column < 0 or not digits.isdigit():
            return  # a dimension we cannot read is only a hint: the cells decide
        row = int(digits)
        if column >= self.limits.columns or row > self.limits.rows:
            said = f"the sheet says its cells reach {cell_name(row, column)}"
            raise self._too_far(where, said, row, column)

    def _too_far(self, where: str, said: str, row: int, column: int) -> FileTooLarge:
        limits = self.limits
        if column >= limits.columns:
            beyond = (
                f"in column {column + 1:,}; Opening Day reads up to {limits.columns:,} columns "
                f"from a spreadsheet (to column {column_name(limits.columns - 1)})"
            )
        else:
            beyond = f"in row {row:,}; a sheet has at most {limits.rows:,} rows"
        return FileTooLarge(
            f"{where}: {said}, {beyond}. If something stray sits out there, clear it. "
            f"{SPREADSHEET_ADVICE}",
            file_name=self.file_name,
        )

    def _too_many_cells(self, extent: Extent, where: str) -> FileTooLarge:
        rows = extent.last_row - extent.first_row + 1
        columns = extent.last_column - extent.first_column + 1
        first = cell_name(extent.first_row, extent.first_column)
        last = cell_name(extent.last_row, extent.last_column)
        return FileTooLarge(
            f"{where}: its values span {first}:{last}, {rows:,} rows × {columns:,} columns = "
            f"{extent.cells:,} cells, more than the {self.limits.cells:,} Opening Day reads "
            f"from one sheet. {SPREADSHEET_ADVICE}",
            file_name=self.file_name,
        )
