"""Writes: all-or-nothing transactions that compose, the change count kept beside the store
(the journal), and the notices the store keeps for its owner."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from analytics.errors import StoreError
from analytics.store_faults import STORE_FAULTS, translate_error

# One writer per process: every write transaction takes this lock.
WRITE_LOCK = threading.RLock()

Connection = duckdb.DuckDBPyConnection


@dataclass
class _Open:
    """A transaction open on a cursor; `failed` is the first error of a part that joined it."""

    failed: BaseException | None = None


# The transactions open now, by the id of the cursor each runs on (under WRITE_LOCK).
_OPEN: dict[int, _Open] = {}


@contextmanager
def transaction(con: Connection) -> Iterator[Connection]:
    """All-or-nothing writes: commit on success, roll back on any exception.

    Writes compose: on a connection already in a transaction (the `tx` an outer
    `transaction` yielded), `transaction(tx)` joins it instead of starting another. The
    joined part neither commits nor rolls back; the outer one does, for everything. So a
    function that writes can run on its own or as a part of a larger write, and an error in
    any part undoes the whole: even one the caller catches, since the outer transaction
    then rolls back and raises StoreError instead of committing half a change.

    Each commit also counts one change in the store's journal (and in `<store>.journal`
    beside it), so that a change lost with a damaged write-ahead log is noticed at the next
    open. A full disk or a failed commit raises StoreFull: one line, nothing kept.
    """
    with WRITE_LOCK:
        outer = _OPEN.get(id(con))
        if outer is not None:
            try:
                yield con
            except BaseException as exc:
                outer.failed = outer.failed or exc
                raise
            return
        cur = con.cursor()
        cur.begin()
        state = _OPEN[id(cur)] = _Open()
        try:
            yield cur
            if state.failed is not None:
                raise StoreError(
                    f"Nothing of this change was saved: a part of it failed "
                    f"({type(state.failed).__name__}: {state.failed})."
                ) from state.failed
            seq = _count_change(cur)
        except STORE_FAULTS as exc:
            _quiet_rollback(cur)
            raise translate_error(exc) from None
        except BaseException:
            _quiet_rollback(cur)
            raise
        else:
            try:
                cur.commit()
            except STORE_FAULTS as exc:
                _quiet_rollback(cur)
                raise translate_error(exc) from None
            if seq is not None:
                _write_journal_file(cur, seq)
        finally:
            del _OPEN[id(cur)]
            cur.close()


def in_transaction(con: Connection) -> bool:
    """True when `con` is a transaction `transaction` opened and has not ended yet."""
    return id(con) in _OPEN


def reader(con: Connection) -> Connection:
    """What to read with: the open transaction itself when `con` is one, so a part of a
    composed write sees what the earlier parts wrote; else a cursor of its own (one per
    read, so threads never share one)."""
    return con if in_transaction(con) else con.cursor()


def _quiet_rollback(cur: Connection) -> None:
    # A transaction DuckDB already ended (e.g. a failed commit) has nothing to undo.
    with contextlib.suppress(duckdb.Error):
        cur.rollback()


def _count_change(cur: Connection) -> int | None:
    has = cur.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'store_journal'"
    ).fetchall()[0][0]
    if not has:
        return None  # a store still being created
    rows = cur.execute(
        "UPDATE store_journal SET seq = seq + 1, changed_at = current_localtimestamp() "
        "RETURNING seq"
    ).fetchall()
    return int(rows[0][0]) if rows else None


def _journal_path(cur: Connection) -> Path | None:
    rows = cur.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return Path(f"{rows[0][0]}.journal") if rows and rows[0][0] else None


def _write_journal_file(cur: Connection, seq: int) -> None:
    """Note the change count beside the store, after the commit (atomic rename, no fsync:
    a stale file can only be lower than the store, which is never reported)."""
    try:
        path = _journal_path(cur)
        if path is None:
            return
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(f"{seq}\n", encoding="ascii")
        os.replace(tmp, path)
    except OSError:
        pass  # a full disk: the store itself said so already, or will


def _check_journal(con: Connection, target: Path, kept_wal: Path | None) -> None:
    """Compare the store's change count with the one noted beside it after the last commit.

    Fewer changes in the store than noted means the write-ahead log was cut short or damaged
    (DuckDB replays what it can and drops the rest without a word), or the file was replaced
    by an older copy. Say so once: a notice kept in the store, shown by the app and the CLI.
    """
    noted_file = Path(f"{target}.journal")
    try:
        noted = int(noted_file.read_text(encoding="ascii").strip() or 0)
    except (OSError, ValueError):
        noted = 0
    rows = con.cursor().execute("SELECT seq, changed_at FROM store_journal").fetchall()
    have = int(rows[0][0]) if rows else 0
    if noted > have:
        lost = noted - have
        kept = f" A copy of the damaged log is kept at {kept_wal}." if kept_wal else ""
        last = f"{rows[0][1]:%d %b %Y %H:%M}" if rows else "never"
        message = (
            f"The store {target} holds {lost:,} change{'s' if lost != 1 else ''} fewer than were "
            "saved to it: its write-ahead log could not be replayed in full (or the file was "
            f"replaced by an older copy). The last change it holds was made {last}. "
            "Check your latest imports on the Data page and import again what is "
            f"missing.{kept}"
        )
        with transaction(con) as tx:
            tx.execute(
                "INSERT INTO store_notices (kind, message) VALUES ('wal', $m)", {"m": message}
            )
        kept_wal = None  # keep the copy: it is named in the notice
    elif kept_wal is not None:
        kept_wal.unlink(missing_ok=True)
    if noted != journal_seq(con):
        _write_journal_file(con.cursor(), journal_seq(con))


def journal_seq(con: Connection) -> int:
    """How many changes the store has committed (0 for a store older than the journal)."""
    rows = reader(con).execute("SELECT seq FROM store_journal").fetchall()
    return int(rows[0][0]) if rows else 0


@dataclass(frozen=True)
class Notice:
    id: int
    kind: str
    message: str
    noticed_at: datetime


def store_notices(con: Connection) -> list[Notice]:
    """What the store has to tell its owner (a log that could not be replayed), not yet read."""
    rows = (
        reader(con)
        .execute(
            "SELECT id, kind, message, noticed_at FROM store_notices "
            "WHERE dismissed_at IS NULL ORDER BY id"
        )
        .fetchall()
    )
    return [Notice(*r) for r in rows]


def dismiss_notice(con: Connection, notice_id: int) -> None:
    with transaction(con) as tx:
        tx.execute(
            "UPDATE store_notices SET dismissed_at = current_localtimestamp() WHERE id = $i",
            {"i": notice_id},
        )
