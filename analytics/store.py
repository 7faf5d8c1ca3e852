"""The one DuckDB store: connection, schema and migrations, workspaces, batches, transactions."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analytics.entities import ENTITY_NAMES, NAME_LISTS, REFERENCES_CUSTOMER
from analytics.errors import StoreError, StoreLocked, StoreTooNew, WorkspaceError
from analytics.schema import FACTS
from analytics.schema import MIGRATIONS as MIGRATIONS
from analytics.schema import SCHEMA_VERSION as SCHEMA_VERSION
from analytics.store_faults import MARKER_FRESH_SECONDS as MARKER_FRESH_SECONDS
from analytics.store_faults import STORE_FAULTS as STORE_FAULTS
from analytics.store_faults import someone_waiting as someone_waiting
from analytics.store_faults import translate_error as translate_error
from analytics.store_faults import waiting_marker as waiting_marker

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "opening_day.duckdb"
DB_ENV = "OPENING_DAY_DB"

# Extensions must never be fetched at run time: no network, and nothing leaves the machine.
DUCKDB_CONFIG: dict[str, Any] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

# One writer per process: every write transaction takes this lock.
WRITE_LOCK = threading.RLock()

Connection = duckdb.DuckDBPyConnection


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
        if read_only and {v for v, _ in MIGRATIONS} - _applied(con):
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


# ---------------------------------------------------------------- transactions and the journal


@contextmanager
def transaction(con: Connection) -> Iterator[Connection]:
    """All-or-nothing writes: commit on success, roll back on any exception.

    Each commit also counts one change in the store's journal (and in `<store>.journal`
    beside it), so that a change lost with a damaged write-ahead log is noticed at the next
    open. A full disk or a failed commit raises StoreFull: one line, nothing kept.
    """
    with WRITE_LOCK:
        cur = con.cursor()
        cur.begin()
        try:
            yield cur
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
            cur.close()


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
    rows = con.cursor().execute("SELECT seq FROM store_journal").fetchall()
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
        con.cursor()
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


def schema_version(con: Connection) -> int:
    return max(_applied(con), default=0)


def _applied(con: Connection) -> set[int]:
    cur = con.cursor()
    exists = cur.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return set()  # a new store
    return {int(r[0]) for r in cur.execute("SELECT version FROM schema_version").fetchall()}


def migrate(con: Connection) -> int:
    """Bring the store up to SCHEMA_VERSION; returns the version it is now at.

    Every migration the store has not had runs once, in version order, in its own
    transaction. An up-to-date store is only read, so opening it writes nothing.
    """
    with WRITE_LOCK:
        applied = _applied(con)
        if applied and max(applied) > SCHEMA_VERSION:
            raise StoreTooNew(
                f"This store was written by a newer Opening Day (schema {max(applied)}, this "
                f"one knows {SCHEMA_VERSION}). Update Opening Day before opening it."
            )
        missing = sorted((v, stmts) for v, stmts in MIGRATIONS if v not in applied)
        if not missing:
            return SCHEMA_VERSION
        con.cursor().execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT current_localtimestamp())"
        )
        for version, statements in missing:
            with transaction(con) as tx:
                for stmt in statements:
                    tx.execute(stmt)
                tx.execute("INSERT INTO schema_version (version) VALUES ($v)", {"v": version})
        return SCHEMA_VERSION


# ---------------------------------------------------------------- workspaces

_NAME_RE = re.compile(r"^[\w][\w .&'-]{0,79}$")


@dataclass(frozen=True)
class Workspace:
    id: int
    name: str
    display_name: str
    created_at: datetime


def _check_name(name: str) -> str:
    clean = name.strip()
    if not _NAME_RE.match(clean):
        raise WorkspaceError(
            f"Workspace name {name!r} is not allowed: use 1-80 letters, digits, spaces, "
            "'.', '&', ''' or '-', starting with a letter or digit."
        )
    return clean


def _workspace_from_row(row: tuple[Any, ...]) -> Workspace:
    return Workspace(id=row[0], name=row[1], display_name=row[2] or row[1], created_at=row[3])


def list_workspaces(con: Connection) -> list[Workspace]:
    rows = (
        con.cursor()
        .execute("SELECT id, name, display_name, created_at FROM workspaces ORDER BY name")
        .fetchall()
    )
    return [_workspace_from_row(r) for r in rows]


def find_workspace(con: Connection, name: str) -> Workspace | None:
    rows = (
        con.cursor()
        .execute(
            "SELECT id, name, display_name, created_at FROM workspaces WHERE name = $n",
            {"n": name.strip()},
        )
        .fetchall()
    )
    return _workspace_from_row(rows[0]) if rows else None


def get_workspace(con: Connection, name: str) -> Workspace:
    ws = find_workspace(con, name)
    if ws is None:
        known = ", ".join(w.name for w in list_workspaces(con)) or "none yet"
        raise WorkspaceError(f"No workspace called {name!r} (workspaces: {known}).")
    return ws


def get_workspace_by_id(con: Connection, workspace_id: int) -> Workspace:
    rows = (
        con.cursor()
        .execute(
            "SELECT id, name, display_name, created_at FROM workspaces WHERE id = $id",
            {"id": workspace_id},
        )
        .fetchall()
    )
    if not rows:
        raise WorkspaceError(f"No workspace with id {workspace_id}.")
    return _workspace_from_row(rows[0])


def create_workspace(con: Connection, name: str, display_name: str | None = None) -> Workspace:
    clean = _check_name(name)
    with transaction(con) as tx:
        if tx.execute("SELECT 1 FROM workspaces WHERE name = $n", {"n": clean}).fetchall():
            raise WorkspaceError(f"A workspace called {clean!r} already exists.")
        tx.execute(
            "INSERT INTO workspaces (name, display_name) VALUES ($n, $d)",
            {"n": clean, "d": display_name or clean},
        )
    return get_workspace(con, clean)


def ensure_workspace(con: Connection, name: str) -> Workspace:
    """The named workspace, created if it does not exist yet."""
    return find_workspace(con, name) or create_workspace(con, name)


def rename_workspace(con: Connection, name: str, new_name: str) -> Workspace:
    ws = get_workspace(con, name)
    clean = _check_name(new_name)
    with transaction(con) as tx:
        taken = tx.execute(
            "SELECT 1 FROM workspaces WHERE name = $n AND id <> $id", {"n": clean, "id": ws.id}
        ).fetchall()
        if taken:
            raise WorkspaceError(f"A workspace called {clean!r} already exists.")
        tx.execute(
            "UPDATE workspaces SET name = $n, display_name = CASE WHEN display_name = name "
            "THEN $n ELSE display_name END WHERE id = $id",
            {"n": clean, "id": ws.id},
        )
    return get_workspace_by_id(con, ws.id)


# Tables keyed by workspace_id directly; rejects hang off batches.
WORKSPACE_TABLES: tuple[str, ...] = (
    *ENTITY_NAMES,
    *NAME_LISTS,
    "row_checks",
    "mappings",
    "settings",
    "checklist_templates",
    "checklist_custom_items",
    "checklist_answers",
    "checklist_runs",
    "goal_steps",
    "goals",
    "seasons",
    "indicator_results",
    "snapshots",
    "workspace_passphrases",
    "invitations",
)


def delete_workspace(con: Connection, name: str) -> None:
    """Delete a workspace and everything in it, in one transaction."""
    ws = get_workspace(con, name)
    with transaction(con) as tx:
        tx.execute(
            "DELETE FROM rejects WHERE batch_id IN (SELECT id FROM batches WHERE workspace_id = $w)",
            {"w": ws.id},
        )
        for table in (*WORKSPACE_TABLES, "batches"):
            tx.execute(f"DELETE FROM {table} WHERE workspace_id = $w", {"w": ws.id})
        # A deleted business leaves its peer groups: its membership and published cards go too.
        mine = "SELECT member_key FROM peer_members WHERE workspace_id = $w"
        tx.execute(
            "DELETE FROM peer_card_values WHERE card_id IN "
            f"(SELECT id FROM peer_cards WHERE member_key IN ({mine}))",
            {"w": ws.id},
        )
        tx.execute(f"DELETE FROM peer_cards WHERE member_key IN ({mine})", {"w": ws.id})
        tx.execute("DELETE FROM peer_members WHERE workspace_id = $w", {"w": ws.id})
        tx.execute("DELETE FROM workspaces WHERE id = $w", {"w": ws.id})
        refresh_facts(tx, ws.id)


# ---------------------------------------------------------------- batches


@dataclass(frozen=True)
class Batch:
    id: int
    entity: str
    file_name: str
    sha256: str
    rows_read: int
    rows_imported: int
    rows_rejected: int
    duplicates_skipped: int
    customers_created: int
    created_at: datetime
    undone_at: datetime | None
    sheet: str | None = None


BATCH_COLUMNS = (
    "id, entity, file_name, sha256, rows_read, rows_imported, rows_rejected, "
    "duplicates_skipped, customers_created, created_at, undone_at, sheet"
)


def list_batches(con: Connection, workspace_id: int, *, include_undone: bool = True) -> list[Batch]:
    where = "" if include_undone else " AND undone_at IS NULL"
    rows = (
        con.cursor()
        .execute(
            f"SELECT {BATCH_COLUMNS} FROM batches WHERE workspace_id = $w{where} ORDER BY id DESC",
            {"w": workspace_id},
        )
        .fetchall()
    )
    return [Batch(*r) for r in rows]


def get_batch(con: Connection, workspace_id: int, batch_id: int) -> Batch:
    rows = (
        con.cursor()
        .execute(
            f"SELECT {BATCH_COLUMNS} FROM batches WHERE workspace_id = $w AND id = $b",
            {"w": workspace_id, "b": batch_id},
        )
        .fetchall()
    )
    if not rows:
        raise StoreError(f"No batch {batch_id} in this workspace.")
    return Batch(*rows[0])


def batch_rejects(con: Connection, batch_id: int) -> pd.DataFrame:
    """Rows a batch skipped, with row number, column, value and reason (for download)."""
    return (
        con.cursor()
        .execute(
            "SELECT row_number AS row, column_name AS column, value, reason FROM rejects "
            "WHERE batch_id = $b ORDER BY row_number, column_name",
            {"b": batch_id},
        )
        .df()
    )


def record_batch(
    tx: Connection,
    workspace_id: int,
    *,
    entity: str,
    file_name: str,
    sha256: str,
    rows_read: int,
    rows_imported: int,
    rows_rejected: int,
    duplicates_skipped: int,
    mapping: str | None = None,
    sheet: str | None = None,
) -> int:
    """Insert a batch record inside the caller's transaction; returns the new batch id."""
    row = tx.execute(
        """INSERT INTO batches (workspace_id, entity, file_name, sha256, rows_read, rows_imported,
          rows_rejected, duplicates_skipped, mapping, sheet)
        VALUES ($w, $e, $f, $h, $r, $i, $j, $d, $m, $s) RETURNING id""",
        {
            "w": workspace_id,
            "e": entity,
            "f": file_name,
            "h": sha256,
            "r": rows_read,
            "i": rows_imported,
            "j": rows_rejected,
            "d": duplicates_skipped,
            "m": mapping,
            "s": sheet,
        },
    ).fetchall()
    return int(row[0][0])


def set_customers_created(tx: Connection, batch_id: int, n: int) -> None:
    tx.execute("UPDATE batches SET customers_created = $n WHERE id = $b", {"n": n, "b": batch_id})


def find_imported(
    con: Connection, workspace_id: int, sha256: str, *, entity: str, sheet: str | None = None
) -> Batch | None:
    """The live (not undone) batch that imported exactly this content as this entity (and
    from this sheet of a workbook), if any."""
    rows = (
        con.cursor()
        .execute(
            f"SELECT {BATCH_COLUMNS} FROM batches WHERE workspace_id = $w AND sha256 = $h "
            "AND entity = $e AND sheet IS NOT DISTINCT FROM $s "
            "AND undone_at IS NULL ORDER BY id LIMIT 1",
            {"w": workspace_id, "h": sha256, "e": entity, "s": sheet},
        )
        .fetchall()
    )
    return Batch(*rows[0]) if rows else None


def reconcile_customers(tx: Connection, workspace_id: int) -> int:
    """Create customers named by invoices/deals/tickets but not yet known; drop orphans.

    Auto-created customers carry no batch: they exist exactly while something names
    them, so undoing the batch that introduced them removes them too. Returns the
    number created.
    """
    referenced = " UNION ".join(
        f"SELECT DISTINCT customer FROM {t} WHERE workspace_id = $w AND customer IS NOT NULL"
        for t in REFERENCES_CUSTOMER
    )
    created = tx.execute(
        f"""INSERT INTO customers (workspace_id, customer, auto)
        SELECT $w, r.customer, TRUE FROM ({referenced}) r
        WHERE r.customer NOT IN (SELECT customer FROM customers WHERE workspace_id = $w)""",
        {"w": workspace_id},
    ).fetchall()
    tx.execute(
        f"""DELETE FROM customers WHERE workspace_id = $w AND auto
        AND customer NOT IN ({referenced})""",
        {"w": workspace_id},
    )
    return int(created[0][0]) if created else 0


def undo_batch(con: Connection, workspace_id: int, batch_id: int) -> Batch:
    """Remove every row a batch added, keep its record marked as undone."""
    batch = get_batch(con, workspace_id, batch_id)
    if batch.undone_at is not None:
        raise StoreError(f"Batch {batch_id} ({batch.file_name}) was already undone.")
    with transaction(con) as tx:
        undo_batch_in(tx, workspace_id, batch)
    return get_batch(con, workspace_id, batch_id)


def undo_batch_in(tx: Connection, workspace_id: int, batch: Batch) -> None:
    """Undo a batch inside the caller's transaction (a re-import that replaces it), fact
    tables included."""
    tx.execute(
        f"DELETE FROM {batch.entity} WHERE workspace_id = $w AND batch_id = $b",
        {"w": workspace_id, "b": batch.id},
    )
    reconcile_customers(tx, workspace_id)
    tx.execute(
        "UPDATE batches SET undone_at = current_localtimestamp() WHERE id = $b", {"b": batch.id}
    )
    refresh_facts(tx, workspace_id, (batch.entity,))


def refresh_facts(tx: Connection, workspace_id: int, entities: Iterable[str] | None = None) -> None:
    """Bring one workspace's fact tables (`customers_current`, `deals_current`: schema.FACTS)
    up to date with its rows, inside the caller's transaction.

    Every write to a workspace's imported rows calls this before it commits (an import,
    an undo, a replace, the demo, deleting the workspace), so the tables never disagree
    with the rows. `entities` names what changed; only the facts that follow those are
    recomputed (all when None).
    """
    changed = None if entities is None else set(entities)
    for fact in FACTS:
        if changed is not None and not changed.intersection(fact.follows):
            continue
        tx.execute(f"DELETE FROM {fact.table} WHERE workspace_id = $w", {"w": workspace_id})
        tx.execute(f"INSERT INTO {fact.table} BY NAME {fact.refresh_sql()}", {"w": workspace_id})


# ---------------------------------------------------------------- what is loaded


def entity_counts(con: Connection, workspace_id: int) -> dict[str, int]:
    """Rows per entity in a workspace (customers counted once each)."""
    parts = [
        f"SELECT '{name}' AS entity, count(*) AS n FROM "
        f"{'customers_current' if name == 'customers' else 'deals_current' if name == 'deals' else name}"
        " WHERE workspace_id = $w"
        for name in ENTITY_NAMES
    ]
    rows = con.cursor().execute(" UNION ALL ".join(parts), {"w": workspace_id}).fetchall()
    return {r[0]: int(r[1]) for r in rows}


# The date that says "when" something happened, per entity: the data's range and every "as
# of" day come from it. An open deal's close date is a forecast, so an open deal counts by
# the day it was created; rows dated after today (a typo, a forecast) never set a day.
ENTITY_DATE: dict[str, str] = {
    "invoices": "date",
    "deals": "CASE WHEN status = 'open' THEN created ELSE coalesce(closed, created) END",
    "time_entries": "date",
    "activities": "date",
    "tickets": "opened",
}


def today() -> date:
    """The machine's date: no "as of" day runs past it (tests move it)."""
    return date.today()


def _real_dates(name: str) -> str:
    expr = ENTITY_DATE[name]
    return f"FROM {name} WHERE workspace_id = $w AND {expr} <= $today"


def data_range(con: Connection, workspace_id: int) -> pd.DataFrame:
    """First and last real date per dated entity (undated rows and days after today left out)."""
    parts = [
        f"SELECT '{name}' AS entity, min({expr}) AS first, max({expr}) AS last " + _real_dates(name)
        for name, expr in ENTITY_DATE.items()
    ]
    return (
        con.cursor().execute(" UNION ALL ".join(parts), {"w": workspace_id, "today": today()}).df()
    )


def entity_last_day(con: Connection, workspace_id: int, name: str) -> date | None:
    """The last real date of one entity: its own "as of" day (None when it has none)."""
    expr = ENTITY_DATE[name]
    row = (
        con.cursor()
        .execute(f"SELECT max({expr}) " + _real_dates(name), {"w": workspace_id, "today": today()})
        .fetchall()
    )
    value = row[0][0]
    return value if value is None or isinstance(value, date) else pd.Timestamp(value).date()


def last_data_date(con: Connection, workspace_id: int) -> Any:
    """The last real date in the workspace's data: the default "as of" day. None when empty.

    The latest thing that happened: never an open deal's expected close, never after today.
    """
    parts = " UNION ALL ".join(
        f"SELECT max({expr}) AS d " + _real_dates(name) for name, expr in ENTITY_DATE.items()
    )
    return (
        con.cursor()
        .execute(f"SELECT max(d) FROM ({parts})", {"w": workspace_id, "today": today()})
        .fetchall()[0][0]
    )


def is_empty(con: Connection) -> bool:
    """True when no workspace holds any data (the first-run screen)."""
    parts = " UNION ALL ".join(f"SELECT count(*) AS n FROM {n}" for n in ENTITY_NAMES)
    return int(con.cursor().execute(f"SELECT sum(n) FROM ({parts})").fetchall()[0][0] or 0) == 0
