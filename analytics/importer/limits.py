"""How big a file Opening Day reads, and the words that say so.

Every limit a file can hit lives here, so the messages, the Data page and the tests
all quote the same numbers. This module (and the rest of the sheet reader) imports
only the standard library: the child process that expands spreadsheets loads it in
a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024

# The Data page's upload box (Streamlit's server.maxUploadSize in .streamlit/config.toml
# must say the same). The command line reads bigger CSV and Parquet files, which DuckDB
# streams; spreadsheets get the limits below however they arrive.
UPLOAD_MB = 200


@dataclass(frozen=True)
class ReadLimits:
    """The limits one read works under; tests pass smaller ones."""

    # A spreadsheet file as a whole (.xlsx, .xls, ...): the upload limit, on the command
    # line too.
    spreadsheet_bytes: int = UPLOAD_MB * MB
    # The zip inside an .xlsx: how many parts, how big each unpacks, how much it is
    # squeezed. Real workbooks pack 5 to 20 times; a zip bomb a thousand times. The ratio
    # is checked only on parts over `ratio_floor`, as tiny parts squeeze oddly.
    archive_members: int = 10_000
    part_bytes: int = 1024 * MB
    part_ratio: int = 100
    ratio_floor: int = 1 * MB
    # Parts read whole (workbook, relationships, styles) and the shared-strings table,
    # which is held in memory while the sheet streams.
    metadata_bytes: int = 16 * MB
    shared_strings_bytes: int = 128 * MB
    # A sheet: columns (up to ALL), rows (Excel's own maximum), and cells in the block
    # from its first value to its last (rows × columns). python-calamine holds that block
    # in memory at about 100 bytes a cell, so 4 million cells (200,000 rows × 20 columns)
    # fit in the child's memory with room to spare.
    columns: int = 1_000
    rows: int = 1_048_576
    cells: int = 4_000_000
    # The sheet's text as the CSV it is turned into: a shared text repeated in every cell
    # would otherwise unpack without end.
    sheet_text_bytes: int = 1024 * MB
    # The child process that expands a spreadsheet: its address space and its wall time.
    memory_bytes: int = 512 * MB
    seconds: float = 120.0
    # CSV: the line of column names (the csv module's own field limit), and any line
    # (DuckDB's max_line_size).
    header_bytes: int = 131_072
    line_bytes: int = 10_000_000


LIMITS = ReadLimits()

SPREADSHEET_ADVICE = (
    "Save only the sheet you need as CSV (in Excel: File › Save As › CSV UTF-8) and import "
    "that, or delete the rows and columns you do not need and save again."
)
CSV_ADVICE = (
    "Check that this is the export you meant and that its quotes are intact, or export it "
    "again as CSV UTF-8."
)


def megabytes(n: int) -> str:
    """A byte count as an owner reads it: "1,024 MB", "2.4 MB", "15 KB", "600 bytes"."""
    if n < 1024:
        return f"{n:,} bytes"
    if n < MB:
        return f"{n / 1024:,.0f} KB"
    value = n / MB
    return f"{value:,.0f} MB" if value >= 10 else f"{value:,.1f} MB"


def column_name(index: int) -> str:
    """Excel's letters for a 0-based column: 0 -> A, 25 -> Z, 26 -> AA, 16383 -> XFD."""
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """The 0-based column of Excel letters: A -> 0, XFD -> 16383 (-1 if not letters)."""
    n = 0
    for ch in letters:
        code = ord(ch) - 64
        if not 1 <= code <= 26:
            return -1
        n = n * 26 + code
    return n - 1


def cell_name(row: int, column: int) -> str:
    """A 1-based row and 0-based column as a cell reference: (1048576, 16383) -> XFD1048576."""
    return f"{column_name(column)}{row}"


def memory_message(file_name: str, limits: ReadLimits) -> str:
    return (
        f"{file_name}: reading it needed more than the {megabytes(limits.memory_bytes)} of "
        f"memory a spreadsheet may use. {SPREADSHEET_ADVICE}"
    )


def time_message(file_name: str, limits: ReadLimits) -> str:
    return (
        f"{file_name}: reading it took longer than the {limits.seconds:g} seconds a "
        f"spreadsheet may take. {SPREADSHEET_ADVICE}"
    )
