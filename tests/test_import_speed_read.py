"""Reading a file from disk looks for NUL bytes and non-ASCII bytes in one pass (issue 12):
what it finds past the first chunk (csvfile.CHUNK, 4 MiB) is found as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import importer
from analytics.errors import UnreadableFile
from analytics.importer import csvfile

HEADER = b"Date,Customer,Amount\n"  # 21 bytes
LINE = b"2025-01-01,Acme,1\n"  # 18 bytes
LINES = 250_000  # 21 + 250,000 x 18 = 4,500,021 bytes: two chunks


def write(path: Path, changes: dict[int, bytes]) -> Path:
    """The file, with the data line n (0-based) replaced by changes[n]."""
    data = bytearray(HEADER + LINE * LINES)
    for n, line in changes.items():
        assert len(line) == len(LINE)  # the offsets stay as worked out
        at = len(HEADER) + n * len(LINE)
        data[at : at + len(LINE)] = line
    path.write_bytes(bytes(data))
    return path


def test_the_file_spans_two_chunks() -> None:
    assert csvfile.CHUNK == 4 * 1024 * 1024
    assert len(HEADER) + 240_000 * len(LINE) == 4_320_021 > csvfile.CHUNK


def test_a_nul_byte_in_the_second_chunk_is_named_with_its_offset_and_line(
    tmp_path: Path,
) -> None:
    # Data line 240,000 starts at byte 21 + 240,000 x 18 = 4,320,021; it is line 240,002
    # of the file (the header is line 1). Its fifth byte is the NUL: offset 4,320,025.
    path = write(tmp_path / "nul.csv", {240_000: b"2025\x0001-01,Acme,1\n"})
    with pytest.raises(UnreadableFile, match=r"NUL byte at byte offset 4320025 \(line 240002\)"):
        importer.read_source(path)


def test_a_nul_byte_after_a_windows_1252_byte_is_still_the_error(tmp_path: Path) -> None:
    # An é (0xE9) on line 12 and a NUL on line 240,002: the NUL is what the file is told.
    path = write(
        tmp_path / "both.csv",
        {10: b"2025-01-01,Ren\xe9,1\n", 240_000: b"2025\x0001-01,Acme,1\n"},
    )
    with pytest.raises(UnreadableFile, match=r"NUL byte at byte offset 4320025 \(line 240002\)"):
        importer.read_source(path)


def test_a_windows_1252_byte_in_the_second_chunk_makes_the_file_windows_1252(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "latin.csv", {240_000: b"2025-01-01,Ren\xe9,1\n"})
    source = importer.read_source(path, count=False)
    assert source.encoding == "cp1252"
    assert source.headers == ["Date", "Customer", "Amount"]


def test_an_ascii_file_on_disk_is_utf8(tmp_path: Path) -> None:
    source = importer.read_source(write(tmp_path / "plain.csv", {}), count=False)
    assert source.encoding == "utf-8"
    assert source.n_rows == LINES
