"""The store file's boundary: who else holds it, and DuckDB's errors about the file, the disk
and memory, each turned into one line an owner can act on (used by analytics.store, the CLI
and the app's page runner)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import duckdb

from analytics.errors import OpeningDayError, StoreDamaged, StoreError, StoreFull, StoreLocked

# ---------------------------------------------------------------- other programs

# How fresh a waiting marker must be to count: a command that waits touches it ten times a
# second, so one left behind by a command that was killed stops counting almost at once.
MARKER_FRESH_SECONDS = 1.0


def waiting_marker(path: str | os.PathLike[str]) -> Path:
    """The file a command creates while it waits for the store (`<store>.waiting`)."""
    return Path(f"{path}.waiting")


def someone_waiting(path: str | os.PathLike[str]) -> bool:
    """True while another program waits for the store (its marker was touched just now)."""
    try:
        age = time.time() - waiting_marker(path).stat().st_mtime
    except OSError:
        return False
    return age < MARKER_FRESH_SECONDS


def _holder(message: str) -> str:
    """Who holds the store, from DuckDB's lock message: "the Opening Day app (process 123)"."""
    found = re.search(r"\(PID (\d+)\)", message)
    if not found:
        return "another program"
    pid = found.group(1)
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        command = " ".join(a.decode("utf-8", "replace") for a in argv if a)
    except OSError:
        command = ""
    if "streamlit" in command:
        return f"the Opening Day app (streamlit, process {pid})"
    if "analytics" in command:
        words = command.split()
        sub = next((w for w in words[words.index("analytics") + 1 :] if not w.startswith("-")), "")
        return f"an Opening Day command (`python -m analytics {sub}`, process {pid})"
    return f"another program ({command.split(' ')[0] or 'unknown'}, process {pid})"


# ---------------------------------------------------------------- errors at the boundary

_RESTORE = (
    "restore it from your backup, or start a new store and import the files of your last "
    "`python -m analytics export`"
)


def translate_error(exc: BaseException, target: str = "") -> OpeningDayError:
    """One line an owner can act on for DuckDB's errors about the file, the disk or memory.

    Used wherever the store is opened, written or read (the CLI's main, the app's page
    runner): a damaged file, a damaged write-ahead log, a full disk, memory running out,
    a failed commit. Anything else keeps DuckDB's own words after a plain prefix.
    """
    text = str(exc)
    low = text.lower()
    where = f"The store {target}" if target else "The store"
    if isinstance(exc, OpeningDayError):
        return exc
    if "conflicting lock" in low or "could not set lock" in low:
        return StoreLocked(
            f"{where} is in use by {_holder(text)}. DuckDB lets one program at a time hold a "
            "store: wait for it to finish, or close it, then try again."
        )
    if "no space left" in low or "disk is full" in low or "file too large" in low:
        return StoreFull(
            f"{where} could not be written: the disk is full. Nothing was saved by this step; "
            "free some space (or move the store to a larger disk) and try again."
        )
    if isinstance(exc, duckdb.OutOfMemoryException) or "out of memory" in low:
        return StoreFull(
            f"{where} ran out of memory for this step; nothing was saved by it. Close other "
            "programs, or work on a smaller file or period, and try again."
        )
    if "wal" in low and ("corrupt" in low or "replay" in low or "checksum" in low):
        return StoreDamaged(
            f"{where}: its write-ahead log ({target or 'the store'}.wal) is damaged and cannot "
            "be replayed. Move that .wal file aside to open the store as it was at its last "
            f"checkpoint (the changes since are lost), or {_RESTORE}."
        )
    if "not a valid duckdb database" in low:
        return StoreDamaged(f"{where} is not an Opening Day store (or is damaged); {_RESTORE}.")
    if "could not read enough bytes" in low or "corrupt" in low or "checksum" in low:
        return StoreDamaged(
            f"{where} is damaged (cut short or overwritten; DuckDB: "
            f"{text.splitlines()[0][:160]}); {_RESTORE}."
        )
    if "failed to commit" in low or "could not commit" in low:
        return StoreFull(
            f"{where} could not save this change (the commit failed: {text.splitlines()[0][:160]}). "
            "Nothing of it was kept; check the disk has room and try again."
        )
    if isinstance(exc, duckdb.Error):
        first = text.splitlines()[0] if text else type(exc).__name__
        return StoreError(f"{where} cannot be used: {first[:200]}")
    return StoreError(f"{where} cannot be used: {text[:200]}")


# DuckDB's errors that are about the file, the disk or memory, not about the statement.
STORE_FAULTS: tuple[type[BaseException], ...] = (
    duckdb.IOException,
    duckdb.OutOfMemoryException,
    duckdb.FatalException,
    duckdb.InternalException,
    duckdb.TransactionException,
)
