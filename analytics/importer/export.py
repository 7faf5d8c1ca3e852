"""Write a workspace out as one Parquet file per entity, in canonical columns, for restore."""

from __future__ import annotations

from pathlib import Path

from analytics.entities import ENTITIES, ENTITY_NAMES
from analytics.store import Connection

# Where the current rows of each entity live: customers and deals keep every version.
_CURRENT = {"customers": "customers_current", "deals": "deals_current"}


def export_sql(entity: str) -> str:
    """The current rows of one entity in canonical columns (deals add their stage)."""
    cols = list(ENTITIES[entity].field_names)
    if entity == "deals":
        cols.append("stage")
    table = _CURRENT.get(entity, entity)
    where = "workspace_id = $w"
    order = "batch_id, source_row"
    if entity == "customers":
        # Customers created only because an invoice named them come back by themselves.
        where += " AND NOT auto"
        order = "customer"
    return f"SELECT {', '.join(cols)} FROM {table} WHERE {where} ORDER BY {order}"  # noqa: S608


def export_workspace(con: Connection, workspace_id: int, directory: str | Path) -> list[Path]:
    """One <entity>.parquet per entity (empty ones too) in directory; returns their paths.

    Each file imports again as it is: its headers are the canonical field names.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for entity in ENTITY_NAMES:
        path = folder / f"{entity}.parquet"
        cur = con.cursor()
        try:
            cur.sql(export_sql(entity), params={"w": workspace_id}).write_parquet(str(path))
        finally:
            cur.close()
        paths.append(path)
    return paths
