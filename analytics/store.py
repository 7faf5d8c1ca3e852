"""The one DuckDB store: connection, schema and migrations, workspaces, batches, transactions."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analytics.entities import ENTITIES, ENTITY_NAMES, REFERENCES_CUSTOMER, SQL_TYPES
from analytics.errors import StoreError, StoreLocked, StoreTooNew, WorkspaceError

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


def connect(path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> Connection:
    """Open (creating and migrating if needed) the store; a locked file raises StoreLocked."""
    target = str(path) if str(path) == ":memory:" else str(db_path(path))
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(target, read_only=read_only, config=DUCKDB_CONFIG)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            holder = re.search(r"held in (.+?) \(PID (\d+)\)", str(exc))
            who = f" (process {holder.group(2)})" if holder else ""
            raise StoreLocked(
                f"The store {target} is open in another program{who}. DuckDB allows one "
                "program at a time: close the other Opening Day window or command, then try again."
            ) from None
        raise StoreError(f"Cannot open the store {target}: {exc}") from None
    if not read_only:
        migrate(con)
    return con


@contextmanager
def transaction(con: Connection) -> Iterator[Connection]:
    """All-or-nothing writes: commit on success, roll back on any exception."""
    with WRITE_LOCK:
        cur = con.cursor()
        cur.begin()
        try:
            yield cur
        except BaseException:
            cur.rollback()
            raise
        else:
            cur.commit()
        finally:
            cur.close()


# ---------------------------------------------------------------- schema

BOOKKEEPING = ("workspace_id INTEGER NOT NULL", "batch_id INTEGER", "source_row INTEGER")
FINGERPRINT = ("row_fp UHUGEINT", "occurrence INTEGER")


def _entity_table_sql(name: str) -> str:
    ent = ENTITIES[name]
    cols = list(BOOKKEEPING)
    cols += [f"{f.name} {SQL_TYPES[f.kind]}" for f in ent.fields]
    if name == "deals":
        cols.append("stage VARCHAR")  # the stage name as exported, before normalising
    if name == "customers":
        cols.append("auto BOOLEAN DEFAULT FALSE")  # created because another entity named it
    cols += list(FINGERPRINT)
    return f"CREATE TABLE IF NOT EXISTS {name} (\n  " + ",\n  ".join(cols) + "\n)"


def _customers_current_sql() -> str:
    attrs = [f.name for f in ENTITIES["customers"].fields if f.name != "customer"]
    picks = ",\n  ".join(
        f"arg_max({a}, coalesce(batch_id, 0)) FILTER (WHERE {a} IS NOT NULL) AS {a}" for a in attrs
    )
    return (
        "CREATE OR REPLACE VIEW customers_current AS\n"
        f"SELECT workspace_id, customer,\n  {picks},\n  bool_and(auto) AS auto\n"
        "FROM customers GROUP BY workspace_id, customer"
    )


DEALS_CURRENT_SQL = """
CREATE OR REPLACE VIEW deals_current AS
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (
    PARTITION BY workspace_id, deal_id ORDER BY batch_id DESC, source_row DESC) AS rn
  FROM deals)
WHERE rn = 1
"""


def _migration_1() -> list[str]:
    stmts = [
        "CREATE SEQUENCE IF NOT EXISTS workspace_ids START 1",
        "CREATE SEQUENCE IF NOT EXISTS batch_ids START 1",
        """CREATE TABLE IF NOT EXISTS workspaces (
          id INTEGER PRIMARY KEY DEFAULT nextval('workspace_ids'),
          name VARCHAR NOT NULL UNIQUE,
          display_name VARCHAR,
          created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
        """CREATE TABLE IF NOT EXISTS batches (
          id INTEGER PRIMARY KEY DEFAULT nextval('batch_ids'),
          workspace_id INTEGER NOT NULL,
          entity VARCHAR NOT NULL,
          file_name VARCHAR NOT NULL,
          sha256 VARCHAR NOT NULL,
          rows_read INTEGER NOT NULL,
          rows_imported INTEGER NOT NULL,
          rows_rejected INTEGER NOT NULL,
          duplicates_skipped INTEGER NOT NULL,
          customers_created INTEGER NOT NULL DEFAULT 0,
          mapping VARCHAR,
          created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
          undone_at TIMESTAMP)""",
        """CREATE TABLE IF NOT EXISTS rejects (
          batch_id INTEGER NOT NULL,
          row_number INTEGER NOT NULL,
          column_name VARCHAR,
          value VARCHAR,
          reason VARCHAR NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS mappings (
          workspace_id INTEGER NOT NULL,
          name VARCHAR NOT NULL,
          entity VARCHAR NOT NULL,
          mapping VARCHAR NOT NULL,
          headers VARCHAR NOT NULL,
          saved_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
          PRIMARY KEY (workspace_id, name))""",
        """CREATE TABLE IF NOT EXISTS settings (
          workspace_id INTEGER NOT NULL,
          key VARCHAR NOT NULL,
          value VARCHAR NOT NULL,
          saved_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
          PRIMARY KEY (workspace_id, key))""",
    ]
    stmts += [_entity_table_sql(name) for name in ENTITY_NAMES]
    stmts += [_customers_current_sql(), DEALS_CURRENT_SQL]
    return stmts


# The same file may be imported as two entities (Superstore as invoices and as customers) or
# sheet by sheet: a batch is identified by content, entity and sheet, not content alone.
_MIGRATION_2 = ["ALTER TABLE batches ADD COLUMN sheet VARCHAR"]

# Hard reset: checklist runs (answers are an append-only log, so two sessions editing one
# run never overwrite each other), owner-made templates and items, goals, season records.
_MIGRATION_3 = [
    "CREATE SEQUENCE IF NOT EXISTS checklist_run_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS checklist_answer_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS goal_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS goal_step_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS season_ids START 1",
    """CREATE TABLE IF NOT EXISTS checklist_templates (
      workspace_id INTEGER NOT NULL,
      template_id VARCHAR NOT NULL,
      title VARCHAR NOT NULL,
      purpose VARCHAR NOT NULL DEFAULT '',
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      PRIMARY KEY (workspace_id, template_id))""",
    """CREATE TABLE IF NOT EXISTS checklist_custom_items (
      workspace_id INTEGER NOT NULL,
      template_id VARCHAR NOT NULL,
      item_id VARCHAR NOT NULL,
      section VARCHAR NOT NULL DEFAULT '',
      prompt VARCHAR NOT NULL,
      help VARCHAR NOT NULL DEFAULT '',
      kind VARCHAR NOT NULL DEFAULT 'question',
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      PRIMARY KEY (workspace_id, template_id, item_id))""",
    """CREATE TABLE IF NOT EXISTS checklist_runs (
      id INTEGER PRIMARY KEY DEFAULT nextval('checklist_run_ids'),
      workspace_id INTEGER NOT NULL,
      template_id VARCHAR NOT NULL,
      started_on DATE NOT NULL,
      started_by VARCHAR NOT NULL DEFAULT '',
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      closed_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS checklist_answers (
      id BIGINT PRIMARY KEY DEFAULT nextval('checklist_answer_ids'),
      workspace_id INTEGER NOT NULL,
      run_id INTEGER NOT NULL,
      item_id VARCHAR NOT NULL,
      status VARCHAR NOT NULL,
      note VARCHAR NOT NULL DEFAULT '',
      owner VARCHAR NOT NULL DEFAULT '',
      due DATE,
      changed_by VARCHAR NOT NULL DEFAULT '',
      changed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    """CREATE TABLE IF NOT EXISTS goals (
      id INTEGER PRIMARY KEY DEFAULT nextval('goal_ids'),
      workspace_id INTEGER NOT NULL,
      title VARCHAR NOT NULL,
      target_date DATE NOT NULL,
      owner VARCHAR NOT NULL DEFAULT '',
      source_run_id INTEGER,
      source_item_id VARCHAR,
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    """CREATE TABLE IF NOT EXISTS goal_steps (
      id INTEGER PRIMARY KEY DEFAULT nextval('goal_step_ids'),
      workspace_id INTEGER NOT NULL,
      goal_id INTEGER NOT NULL,
      kind VARCHAR NOT NULL,
      title VARCHAR NOT NULL,
      due DATE NOT NULL,
      done_on DATE,
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    """CREATE TABLE IF NOT EXISTS seasons (
      id INTEGER PRIMARY KEY DEFAULT nextval('season_ids'),
      workspace_id INTEGER NOT NULL,
      started_on DATE,
      ended_on DATE NOT NULL,
      figures VARCHAR NOT NULL,
      closed_by VARCHAR NOT NULL DEFAULT '',
      closed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
]

# Computed indicator results, kept per data version so a new session or a restart reads the
# Scoreboard instead of recomputing it (see analytics/indicators/stored.py).
_MIGRATION_4 = [
    """CREATE TABLE IF NOT EXISTS indicator_results (
      workspace_id INTEGER NOT NULL,
      as_of_key VARCHAR NOT NULL,
      indicator_id VARCHAR NOT NULL,
      version VARCHAR NOT NULL,
      payload VARCHAR NOT NULL,
      computed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      PRIMARY KEY (workspace_id, as_of_key, indicator_id))""",
]

# Sharing: snapshot links (the token is kept only as a hash), peer groups with their members,
# published KPI cards (one row per figure, so medians and quartiles are SQL), review sessions
# with commitments (reviews are appended, never overwritten), and workspace passphrases.
_MIGRATION_5 = [
    "CREATE SEQUENCE IF NOT EXISTS snapshot_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS peer_group_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS peer_card_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS peer_session_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS peer_commitment_ids START 1",
    """CREATE TABLE IF NOT EXISTS snapshots (
      id INTEGER PRIMARY KEY DEFAULT nextval('snapshot_ids'),
      workspace_id INTEGER NOT NULL,
      token_hash VARCHAR NOT NULL UNIQUE,
      page VARCHAR NOT NULL,
      title VARCHAR NOT NULL,
      shown_name VARCHAR NOT NULL,
      author VARCHAR NOT NULL DEFAULT '',
      as_of DATE,
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      expires_at TIMESTAMP,
      revoked_at TIMESTAMP,
      payload VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS peer_groups (
      id INTEGER PRIMARY KEY DEFAULT nextval('peer_group_ids'),
      name VARCHAR NOT NULL UNIQUE,
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    """CREATE TABLE IF NOT EXISTS peer_members (
      group_id INTEGER NOT NULL,
      member_key VARCHAR NOT NULL,
      workspace_id INTEGER,
      name VARCHAR NOT NULL DEFAULT '',
      show_name BOOLEAN NOT NULL DEFAULT false,
      share_amounts BOOLEAN NOT NULL DEFAULT false,
      published_ids VARCHAR NOT NULL DEFAULT '[]',
      reset_item VARCHAR NOT NULL DEFAULT '',
      joined_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      PRIMARY KEY (group_id, member_key))""",
    """CREATE TABLE IF NOT EXISTS peer_cards (
      id INTEGER PRIMARY KEY DEFAULT nextval('peer_card_ids'),
      group_id INTEGER NOT NULL,
      member_key VARCHAR NOT NULL,
      published_at TIMESTAMP NOT NULL,
      as_of DATE,
      source VARCHAR NOT NULL DEFAULT 'here',
      card VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS peer_card_values (
      card_id INTEGER NOT NULL,
      indicator_id VARCHAR NOT NULL,
      unit VARCHAR NOT NULL,
      value DOUBLE,
      status VARCHAR NOT NULL,
      PRIMARY KEY (card_id, indicator_id))""",
    """CREATE TABLE IF NOT EXISTS peer_sessions (
      id INTEGER PRIMARY KEY DEFAULT nextval('peer_session_ids'),
      group_id INTEGER NOT NULL,
      held_on DATE NOT NULL,
      minutes_per_item INTEGER NOT NULL DEFAULT 5,
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
      closed_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS peer_commitments (
      id INTEGER PRIMARY KEY DEFAULT nextval('peer_commitment_ids'),
      session_id INTEGER NOT NULL,
      member_key VARCHAR NOT NULL,
      owner VARCHAR NOT NULL,
      text VARCHAR NOT NULL,
      due DATE NOT NULL,
      created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    """CREATE TABLE IF NOT EXISTS peer_commitment_reviews (
      commitment_id INTEGER NOT NULL,
      session_id INTEGER NOT NULL,
      done BOOLEAN NOT NULL,
      note VARCHAR NOT NULL DEFAULT '',
      reviewed_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
    """CREATE TABLE IF NOT EXISTS workspace_passphrases (
      workspace_id INTEGER PRIMARY KEY,
      salt BLOB NOT NULL,
      hash BLOB NOT NULL,
      n INTEGER NOT NULL,
      r INTEGER NOT NULL,
      p INTEGER NOT NULL,
      set_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
]

# The snapshot token sealed with a key kept beside the store, so the owner can copy a link
# again later while the store itself holds only the token's hash.
_MIGRATION_6 = ["ALTER TABLE snapshots ADD COLUMN IF NOT EXISTS token_sealed VARCHAR"]

# Each migration runs once, in order, in one transaction; never edit a shipped one.
MIGRATIONS: list[tuple[int, list[str]]] = [
    (1, _migration_1()),
    (2, _MIGRATION_2),
    (3, _MIGRATION_3),
    (4, _MIGRATION_4),
    (5, _MIGRATION_5),
    (6, _MIGRATION_6),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def schema_version(con: Connection) -> int:
    cur = con.cursor()
    exists = cur.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return int(cur.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0])


def migrate(con: Connection) -> int:
    """Bring the store up to SCHEMA_VERSION; returns the version it is now at."""
    with WRITE_LOCK:
        cur = con.cursor()
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT current_localtimestamp())"
        )
        current = schema_version(con)
        if current > SCHEMA_VERSION:
            raise StoreTooNew(
                f"This store was written by a newer Opening Day (schema {current}, this one "
                f"knows {SCHEMA_VERSION}). Update Opening Day before opening it."
            )
        for version, statements in MIGRATIONS:
            if version <= current:
                continue
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
        tx.execute(
            f"DELETE FROM {batch.entity} WHERE workspace_id = $w AND batch_id = $b",
            {"w": workspace_id, "b": batch_id},
        )
        reconcile_customers(tx, workspace_id)
        tx.execute(
            "UPDATE batches SET undone_at = current_localtimestamp() WHERE id = $b", {"b": batch_id}
        )
    return get_batch(con, workspace_id, batch_id)


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


# The date that says "when" for each entity, for the data's range and the default as-of day.
ENTITY_DATE: dict[str, str] = {
    "invoices": "date",
    "deals": "coalesce(closed, created)",
    "time_entries": "date",
    "activities": "date",
    "tickets": "opened",
}


def data_range(con: Connection, workspace_id: int) -> pd.DataFrame:
    """First and last date per dated entity (rows without dates are left out)."""
    parts = [
        f"SELECT '{name}' AS entity, min({expr}) AS first, max({expr}) AS last "
        f"FROM {name} WHERE workspace_id = $w"
        for name, expr in ENTITY_DATE.items()
    ]
    return con.cursor().execute(" UNION ALL ".join(parts), {"w": workspace_id}).df()


def last_data_date(con: Connection, workspace_id: int) -> Any:
    """The last date in the workspace's data: the default "as of" day. None when empty."""
    parts = " UNION ALL ".join(
        f"SELECT max({expr}) AS d FROM {name} WHERE workspace_id = $w"
        for name, expr in ENTITY_DATE.items()
    )
    return (
        con.cursor().execute(f"SELECT max(d) FROM ({parts})", {"w": workspace_id}).fetchall()[0][0]
    )


def is_empty(con: Connection) -> bool:
    """True when no workspace holds any data (the first-run screen)."""
    parts = " UNION ALL ".join(f"SELECT count(*) AS n FROM {n}" for n in ENTITY_NAMES)
    return int(con.cursor().execute(f"SELECT sum(n) FROM ({parts})").fetchall()[0][0] or 0) == 0
