"""Files a test writes for the importer, a preview or the command line to read."""

from __future__ import annotations

from pathlib import Path


def write(folder: Path, name: str, text: str) -> Path:
    """`text` written to folder/name as UTF-8; the file's path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
