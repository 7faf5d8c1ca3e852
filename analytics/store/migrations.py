"""The store's schema version, and bringing a store up to it (the migrations themselves are
literal SQL in analytics/schema.py)."""

from __future__ import annotations

from analytics.errors import StoreTooNew
from analytics.schema import MIGRATIONS, SCHEMA_VERSION
from analytics.store.transactions import WRITE_LOCK, Connection, transaction


def schema_version(con: Connection) -> int:
    return max(_applied(con), default=0)


def outdated(con: Connection) -> bool:
    """True when the store misses a migration (it must be opened for writing once)."""
    return bool({v for v, _ in MIGRATIONS} - _applied(con))


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
    transaction; a new store gets them all in one (nothing to keep between them: created
    whole or not at all, in about half the time). An up-to-date store is only read, so
    opening it writes nothing.
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
        steps = [missing] if not applied else [[m] for m in missing]
        for step in steps:
            with transaction(con) as tx:
                for version, statements in step:
                    for stmt in statements:
                        tx.execute(stmt)
                    tx.execute("INSERT INTO schema_version (version) VALUES ($v)", {"v": version})
        return SCHEMA_VERSION
