"""One row of a workspace's table by its id, or the caller's error when there is none."""

from __future__ import annotations

from typing import Any

from analytics.store.transactions import Connection


def row_by_id(
    cur: Connection,
    table: str,
    columns: str,
    workspace_id: int,
    row_id: int,
    missing: Exception,
) -> tuple[Any, ...]:
    """`columns` of row `row_id` of `table`, read with `cur` (a cursor, or `reader(con)`
    inside a write), only within the workspace; raises `missing` when it has no such row.
    `table` and `columns` come from code constants, never from input."""
    rows = cur.execute(
        f"SELECT {columns} FROM {table} WHERE workspace_id = $w AND id = $i",
        {"w": workspace_id, "i": row_id},
    ).fetchall()
    if not rows:
        raise missing
    return tuple(rows[0])
