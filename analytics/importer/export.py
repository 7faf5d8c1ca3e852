"""Write a workspace out as one Parquet file per entity, in canonical columns, for restore, and
its notes on the timeline as notes.csv."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analytics import notes
from analytics.entities import ENTITIES, ENTITY_NAMES
from analytics.format import safe_csv_text
from analytics.store import Connection

NOTES_FILE = "notes.csv"
NOTES_COLUMNS = ("id", "day", "until", "concerns", "text", "author", "created_at", "updated_at")

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
    """One <entity>.parquet per entity (empty ones too) in directory, then notes.csv when the
    workspace has notes on the timeline; returns their paths.

    Each Parquet file imports again as it is: its headers are the canonical field names.
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
    written = export_notes(con, workspace_id, folder)
    return paths + ([written] if written else [])


def export_notes(con: Connection, workspace_id: int, folder: Path) -> Path | None:
    """The live notes as notes.csv (UTF-8, safe to open in a spreadsheet: a text starting with
    "=" stays text), by day; None, and no file, when there are none."""
    found = notes.list_notes(con, workspace_id)
    if not found:
        return None
    frame = pd.DataFrame([notes.note_json(n) for n in found], columns=list(NOTES_COLUMNS))
    path = folder / NOTES_FILE
    path.write_text(safe_csv_text(frame), encoding="utf-8")
    return path
