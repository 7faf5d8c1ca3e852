"""Every edit to a template, item, goal or step as a dated revision with who made it, and the
last person who said who they are (per workspace)."""

from __future__ import annotations

from typing import Any, TypeVar

import pandas as pd

from analytics.store import Connection, transaction
from analytics.store.revisions import log_revision

T = TypeVar("T")

# What an edit is about: a template, an item ("template_id/item_id"), a goal or a goal step.
SUBJECTS = ("template", "item", "goal", "step")


def log_edit(
    con: Connection,
    workspace_id: int,
    subject: str,
    subject_id: str,
    what: str,
    old: object = "",
    new: object = "",
    changed_by: str = "",
) -> None:
    """Append one revision (joins the caller's transaction when there is one)."""
    assert subject in SUBJECTS, subject
    with transaction(con) as tx:
        log_revision(
            tx,
            "checklist_edits",
            {"workspace_id": workspace_id, "subject": subject, "subject_id": subject_id},
            what,
            "" if old is None else str(old),
            "" if new is None else str(new),
            changed_by.strip(),
        )


def edits(con: Connection, workspace_id: int, subject: str, prefix: str = "") -> pd.DataFrame:
    """Revisions of one kind of subject whose id is `prefix` or starts with `prefix/`, newest
    first: changed_at, changed_by, subject_id, what, old_value, new_value."""
    return (
        con.cursor()
        .execute(
            "SELECT changed_at, changed_by, subject_id, what, old_value, new_value "
            "FROM checklist_edits WHERE workspace_id = $w AND subject = $s "
            "AND ($p = '' OR subject_id = $p OR starts_with(subject_id, $p || '/')) "
            "ORDER BY changed_at DESC, id DESC",
            {"w": workspace_id, "s": subject, "p": prefix},
        )
        .df()
    )


def remember_who(con: Connection, workspace_id: int, name: str) -> None:
    """Keep the name last picked in the "who" picker of this workspace ('' forgets it)."""
    clean = name.strip()
    with transaction(con) as tx:
        tx.execute("DELETE FROM checklist_last_who WHERE workspace_id = $w", {"w": workspace_id})
        if clean:
            tx.execute(
                "INSERT INTO checklist_last_who (workspace_id, name) VALUES ($w, $n)",
                {"w": workspace_id, "n": clean},
            )


def last_who(con: Connection, workspace_id: int) -> str:
    rows = (
        con.cursor()
        .execute("SELECT name FROM checklist_last_who WHERE workspace_id = $w", {"w": workspace_id})
        .fetchall()
    )
    return str(rows[0][0]) if rows else ""


def move_saved(
    con: Connection,
    workspace_id: int,
    order: list[T],
    one: T,
    by: int,
    set_position: str,
    params: dict[str, Any],
    subject: tuple[str, str],
    who: str,
) -> bool:
    """Move `one` `by` places in `order` (`moved`) and save every row's new position in one
    write with the move in the revision log; False at either end. `set_position` is the
    UPDATE, taking $p (the position), $w, $i (the row's id in `order`) and `params`."""
    found = moved(order, one, by)
    if found is None:
        return False
    new, before, after = found
    with transaction(con) as tx:
        for position, row_id in enumerate(new, 1):
            tx.execute(set_position, {**params, "p": position, "w": workspace_id, "i": row_id})
        log_edit(tx, workspace_id, *subject, "moved", before, after, who)
    return True


def moved(order: list[T], one: T, by: int) -> tuple[list[T], int, int] | None:
    """`order` with `one` moved `by` places (up when negative, stopping at either end), and its
    place before and after (1-based); None when it cannot move that way."""
    at = order.index(one)
    to = max(0, min(len(order) - 1, at + by))
    if to == at:
        return None
    new = list(order)
    new.insert(to, new.pop(at))
    return new, at + 1, to + 1
