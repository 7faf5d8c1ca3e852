"""Batches: what each import (or the demo) added, undoing one, and what every write to a
workspace's rows does before it commits (customers named but not listed, the fact tables)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from analytics.entities import REFERENCES_CUSTOMER, stored_columns
from analytics.errors import StoreError
from analytics.schema import FACTS
from analytics.store.rows import row_by_id
from analytics.store.transactions import Connection, reader, transaction

if TYPE_CHECKING:
    import pandas as pd


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
    # rows stored before that this import updated (a paid day filled in, a ticket resolved),
    # while it is in use: an undo puts their values back and forgets them
    rows_updated: int = 0


BATCH_COLUMNS = (
    "id, entity, file_name, sha256, rows_read, rows_imported, rows_rejected, "
    "duplicates_skipped, customers_created, created_at, undone_at, sheet, "
    "(SELECT count(DISTINCT CAST(u.row_fp AS VARCHAR) || ':' || u.occurrence) FROM row_updates "
    "AS u WHERE u.batch_id = batches.id) AS rows_updated"
)


def list_batches(con: Connection, workspace_id: int, *, include_undone: bool = True) -> list[Batch]:
    where = "" if include_undone else " AND undone_at IS NULL"
    rows = (
        reader(con)
        .execute(
            f"SELECT {BATCH_COLUMNS} FROM batches WHERE workspace_id = $w{where} ORDER BY id DESC",
            {"w": workspace_id},
        )
        .fetchall()
    )
    return [Batch(*r) for r in rows]


def get_batch(con: Connection, workspace_id: int, batch_id: int) -> Batch:
    missing = StoreError(f"No batch {batch_id} in this workspace.")
    return Batch(*row_by_id(reader(con), "batches", BATCH_COLUMNS, workspace_id, batch_id, missing))


def batch_rejects(con: Connection, batch_id: int) -> pd.DataFrame:
    """Rows a batch skipped, with row number, column, value and reason (for download)."""
    return (
        reader(con)
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
        reader(con)
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
    restore_updates(tx, workspace_id, batch)
    reconcile_customers(tx, workspace_id)
    tx.execute(
        "UPDATE batches SET undone_at = current_localtimestamp() WHERE id = $b", {"b": batch.id}
    )
    refresh_facts(tx, workspace_id, (batch.entity,))


def restore_updates(tx: Connection, workspace_id: int, batch: Batch) -> None:
    """Put back the values a batch's import replaced in rows already stored (row_updates:
    a paid day filled in, a ticket resolved), where the row still holds the value that batch
    gave it (a later import that changed it again wins), and forget them."""
    params = {"w": workspace_id, "b": batch.id}
    fields = [
        str(f)
        for (f,) in tx.execute(
            "SELECT DISTINCT field FROM row_updates WHERE workspace_id = $w AND batch_id = $b",
            params,
        ).fetchall()
    ]
    types = stored_columns(batch.entity)
    for name in fields:
        if name not in types:  # not a field of this entity: nothing it could have changed
            continue
        tx.execute(
            f"UPDATE {batch.entity} AS e SET {name} = CAST(u.old_value AS {types[name]}) "
            "FROM (SELECT * FROM row_updates WHERE workspace_id = $w AND batch_id = $b "
            f"AND field = '{name}') AS u WHERE e.workspace_id = $w AND e.row_fp = u.row_fp "
            f"AND e.occurrence = u.occurrence AND CAST(e.{name} AS VARCHAR) = u.new_value",
            params,
        )
    tx.execute("DELETE FROM row_updates WHERE workspace_id = $w AND batch_id = $b", params)


def refresh_facts(tx: Connection, workspace_id: int, entities: Iterable[str] | None = None) -> None:
    """Bring one workspace's fact tables (schema.FACTS: customers and deals as they stand,
    invoices per customer-day, activities and time per week, hours per deal-day, one row per
    deal) up to date with its rows, inside the caller's transaction, in FACTS order (a fact
    may read those before it).

    Every write to a workspace's imported rows calls this before it commits (an import,
    an undo, a replace, the demo, deleting the workspace), so the tables never disagree
    with the rows. `entities` names what changed; only the facts that follow those are
    recomputed (all when None). None of them depends on the owner's settings (figures apply
    those when they read them), so a settings change refreshes nothing.
    """
    changed = None if entities is None else set(entities)
    for fact in FACTS:
        if changed is not None and not changed.intersection(fact.follows):
            continue
        tx.execute(f"DELETE FROM {fact.table} WHERE workspace_id = $w", {"w": workspace_id})
        tx.execute(f"INSERT INTO {fact.table} BY NAME {fact.refresh_sql()}", {"w": workspace_id})
