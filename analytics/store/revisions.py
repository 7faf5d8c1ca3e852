"""One revision row in a history table (issue_revisions, period_goal_revisions,
checklist_edits): which record changed, what about it, the old and the new value as text,
and who changed it. The table's defaults fill in the id and when."""

from __future__ import annotations

from typing import Any

from analytics.store.transactions import Connection


def log_revision(
    tx: Connection,
    table: str,
    record: dict[str, Any],
    what: str,
    old: str,
    new: str,
    changed_by: str,
) -> None:
    """Append one revision to `table`; `record` names the changed record by its columns
    (workspace_id and the record's id, say)."""
    row = {**record, "what": what, "old_value": old, "new_value": new, "changed_by": changed_by}
    tx.execute(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('$' + c for c in row)})",
        row,
    )
