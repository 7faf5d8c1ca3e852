"""Workspaces: one business each, by name; deleting one takes everything in it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analytics.entities import ENTITY_NAMES, NAME_LISTS
from analytics.errors import WorkspaceError
from analytics.store.batches import refresh_facts
from analytics.store.transactions import Connection, reader, transaction

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
        reader(con)
        .execute("SELECT id, name, display_name, created_at FROM workspaces ORDER BY name")
        .fetchall()
    )
    return [_workspace_from_row(r) for r in rows]


def find_workspace(con: Connection, name: str) -> Workspace | None:
    rows = (
        reader(con)
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
        reader(con)
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
    "row_updates",
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
    "notes",
    "notes_history",
    "issues",
    "issue_revisions",
    "packs",
    "period_goals",
    "period_goal_revisions",
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
