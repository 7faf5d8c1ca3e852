"""Opening the store: which file, waiting for another program that holds it, owner-only
files, and the write-ahead log a program that stopped left behind."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from analytics.errors import StoreLocked
from analytics.store.migrations import migrate, outdated
from analytics.store.transactions import Connection, _check_journal
from analytics.store_faults import translate_error, waiting_marker

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "opening_day.duckdb"
DB_ENV = "OPENING_DAY_DB"

# Extensions must never be fetched at run time: no network, and nothing leaves the machine.
DUCKDB_CONFIG: dict[str, Any] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


def db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The store file to use: explicit path, else $OPENING_DAY_DB, else data/opening_day.duckdb."""
    if path:
        return Path(path)
    env = os.environ.get(DB_ENV)
    return Path(env) if env else DEFAULT_DB


def connect(
    path: str | os.PathLike[str] | None = None,
    *,
    read_only: bool = False,
    wait: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> Connection:
    """Open (creating and migrating if needed) the store.

    DuckDB lets one program at a time hold a store file. When another one has it, wait up
    to `wait` seconds for it (saying so once through `on_wait`), asking a running Opening
    Day app to let go (see `waiting_marker`), then raise StoreLocked naming that program.
    A damaged file raises StoreDamaged, a full disk StoreFull: one line each, never a
    traceback. `read_only` opens a store that needs no migration without write access
    (a store written by an older Opening Day is migrated first).
    """
    target = str(path) if str(path) == ":memory:" else str(db_path(path))
    if target == ":memory:":
        con = duckdb.connect(target, config=DUCKDB_CONFIG)
        migrate(con)
        return con
    _owner_only(Path(target))
    kept_wal = _keep_wal_copy(Path(target))
    if kept_wal is not None:
        read_only = False  # a log left by a program that stopped: replay it and check it, once
    con = _open_waiting(target, read_only=read_only, wait=wait, on_wait=on_wait)
    try:
        if read_only and outdated(con):
            con.close()  # an older store: migrate it once, then carry on read-write
            con = _open_waiting(target, read_only=False, wait=wait, on_wait=on_wait)
            read_only = False
        if not read_only:
            migrate(con)
            _check_journal(con, Path(target), kept_wal)
    except duckdb.Error as exc:
        con.close()
        raise translate_error(exc, target) from None
    _tighten(Path(target))
    return con


def _open_waiting(
    target: str, *, read_only: bool, wait: float, on_wait: Callable[[str], None] | None
) -> Connection:
    deadline = time.monotonic() + wait
    marker = waiting_marker(target)
    said = False
    try:
        while True:
            try:
                return _open(target, read_only=read_only)
            except StoreLocked as exc:
                if time.monotonic() >= deadline:
                    if wait > 0:
                        raise StoreLocked(f"{exc} (waited {wait:g} s)") from None
                    raise
                marker.touch()  # "I am waiting": a running app lets go at the end of its run
                if on_wait is not None and not said:
                    on_wait(str(exc).split(". DuckDB")[0] + f"; waiting up to {wait:g} s for it.")
                    said = True
                time.sleep(0.1)
    finally:
        if said:
            marker.unlink(missing_ok=True)


def _open(target: str, *, read_only: bool) -> Connection:
    try:
        return duckdb.connect(target, read_only=read_only, config=DUCKDB_CONFIG)
    except duckdb.Error as exc:
        raise translate_error(exc, target) from None


# ---------------------------------------------------------------- owner-only files


def _owner_only(target: Path) -> None:
    """Files and folders this process creates are the owner's alone (umask 077): the store
    holds every figure, passphrase hashes and snapshot contents."""
    old = os.umask(0o077)
    os.umask(old | 0o077)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)


def _tighten(target: Path) -> None:
    """Make an existing store, its log and the default data folder owner-only."""
    paths = [target, Path(f"{target}.wal"), Path(f"{target}.journal")]
    if target.parent == DEFAULT_DB.parent:
        paths.append(target.parent)
    for p in paths:
        try:
            st_ = p.stat()
            if st_.st_uid == os.getuid() and st_.st_mode & 0o077:
                p.chmod(0o700 if p.is_dir() else 0o600)
        except OSError:
            continue


def _keep_wal_copy(target: Path) -> Path | None:
    """A write-ahead log left by a program that did not close the store is replayed at open;
    keep a copy first, so that if it cannot be replayed in full the owner still has it."""
    wal = Path(f"{target}.wal")
    try:
        if wal.stat().st_size == 0:
            return None
    except OSError:
        return None
    copy = Path(f"{target}.wal.{datetime.now():%Y%m%d-%H%M%S}.kept")
    try:
        shutil.copyfile(wal, copy)
    except OSError:
        return None
    return copy
