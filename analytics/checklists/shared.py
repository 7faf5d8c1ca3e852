"""Templates shared with a peer group: a member hands one of its templates (as its file) to the
group, and every other member can copy it into their own. Only members see a group's shelf."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from analytics.checklists.files import import_template, read_template_text, template_toml
from analytics.checklists.history import log_edit
from analytics.checklists.templates import templates_for
from analytics.errors import ChecklistError
from analytics.peers.groups import membership, require_member
from analytics.store import Connection, reader, transaction


@dataclass(frozen=True)
class Shared:
    id: int
    group_id: int
    workspace_id: int
    template_id: str
    title: str
    shared_by: str
    shared_at: datetime
    member: str  # the sharing member as the group knows it ("a member" when it hides its name)


def share(
    con: Connection, workspace_id: int, group_id: int, template_id: str, who: str = ""
) -> int:
    """Put a template of this workspace on the group's shelf (as it is today); returns its id."""
    require_member(con, group_id, workspace_id)
    template = templates_for(con, workspace_id).get(template_id)
    if template is None or template.archived:
        raise ChecklistError(f"No checklist {template_id!r} to share in this workspace.")
    with transaction(con) as tx:
        shared_id = int(
            tx.execute(
                "INSERT INTO checklist_shared "
                "(group_id, workspace_id, template_id, title, toml, shared_by) "
                "VALUES ($g, $w, $t, $title, $toml, $b) RETURNING id",
                {
                    "g": group_id,
                    "w": workspace_id,
                    "t": template.id,
                    "title": template.title,
                    "toml": template_toml(template),
                    "b": who.strip(),
                },
            ).fetchall()[0][0]
        )
        log_edit(tx, workspace_id, "template", template.id, "shared", "", str(group_id), who)
    return shared_id


def shelf(con: Connection, group_id: int, *, viewer: int) -> list[Shared]:
    """What the group's members (still in it) have shared, newest first."""
    require_member(con, group_id, viewer)
    rows = (
        reader(con)
        .execute(
            "SELECT s.id, s.group_id, s.workspace_id, s.template_id, s.title, s.shared_by, "
            "s.shared_at, CASE WHEN m.show_name THEN m.name ELSE 'a member' END "
            "FROM checklist_shared s JOIN peer_members m "
            "ON m.group_id = s.group_id AND m.workspace_id = s.workspace_id "
            "WHERE s.group_id = $g ORDER BY s.shared_at DESC, s.id DESC",
            {"g": group_id},
        )
        .fetchall()
    )
    return [Shared(*r) for r in rows]


def copy_shared(con: Connection, shared_id: int, *, viewer: int, who: str = "") -> str:
    """Copy a shared template into the viewer's own (checked again, like any imported file)."""
    rows = (
        reader(con)
        .execute(
            "SELECT group_id, toml, title FROM checklist_shared WHERE id = $s", {"s": shared_id}
        )
        .fetchall()
    )
    if not rows or membership(con, int(rows[0][0]), viewer) is None:
        raise ChecklistError("No such shared checklist in your groups.")
    group_id, text, title = rows[0]
    template = read_template_text(str(text), f"{title} (shared)")
    return import_template(con, viewer, template, who, f"shared by group {group_id}")
