"""Edit what you wrote: rename, reorder, edit and delete own templates and items, copy a built-in
template into an own one. Every change is a dated revision with who made it (history.py)."""

from __future__ import annotations

from dataclasses import replace

from analytics.checklists.history import log_edit, move_saved
from analytics.checklists.templates import (
    REPEATS,
    Template,
    add_item,
    add_template,
    templates_for,
)
from analytics.errors import ChecklistError
from analytics.store import Connection, reader, transaction


def template_in(con: Connection, workspace_id: int, template_id: str) -> Template:
    found = templates_for(con, workspace_id).get(template_id)
    if found is None:
        raise ChecklistError(f"No checklist {template_id!r} in this workspace.")
    return found


def own_template(con: Connection, workspace_id: int, template_id: str) -> Template:
    """The owner's own template, or a clear refusal for a built-in or archived one."""
    template = template_in(con, workspace_id, template_id)
    if not template.custom:
        raise ChecklistError(
            f"“{template.title}” is a built-in checklist and stays as shipped: "
            "copy it into an own checklist to change it."
        )
    if template.archived:
        raise ChecklistError(f"“{template.title}” is archived: its runs can be read, not changed.")
    return template


def rename_template(
    con: Connection, workspace_id: int, template_id: str, title: str, purpose: str, who: str = ""
) -> bool:
    """New title and purpose for an own template; False when nothing changed."""
    template = own_template(con, workspace_id, template_id)
    clean_title, clean_purpose = title.strip(), purpose.strip()
    if not clean_title:
        raise ChecklistError("Give the checklist a title.")
    if (clean_title, clean_purpose) == (template.title, template.purpose):
        return False
    with transaction(con) as tx:
        tx.execute(
            "UPDATE checklist_templates SET title = $t, purpose = $p "
            "WHERE workspace_id = $w AND template_id = $id",
            {"t": clean_title, "p": clean_purpose, "w": workspace_id, "id": template_id},
        )
        for what, old, new in (
            ("title", template.title, clean_title),
            ("purpose", template.purpose, clean_purpose),
        ):
            if old != new:
                log_edit(tx, workspace_id, "template", template_id, what, old, new, who)
    return True


def _own_item_ids(template: Template) -> list[str]:
    return [it.id for it in template.items if it.custom]


def _check_own_item(template: Template, item_id: str) -> None:
    item = template.item(item_id)
    if not item.custom:
        raise ChecklistError(
            f"“{item.prompt}” comes with the built-in checklist and stays as shipped: "
            "copy the checklist into an own one to change it."
        )
    if template.archived:
        raise ChecklistError(f"“{template.title}” is archived: its runs can be read, not changed.")


def edit_item(
    con: Connection,
    workspace_id: int,
    template_id: str,
    item_id: str,
    prompt: str,
    help_text: str,
    section: str,
    who: str = "",
) -> bool:
    """New wording for an own item (its kind stays, so earlier answers stay valid)."""
    template = template_in(con, workspace_id, template_id)
    _check_own_item(template, item_id)
    item = template.item(item_id)
    new = {"prompt": prompt.strip(), "help": help_text.strip(), "section": section.strip()}
    if not new["prompt"]:
        raise ChecklistError("Write the question or task first.")
    old = {"prompt": item.prompt, "help": item.help, "section": item.section}
    if new == old:
        return False
    with transaction(con) as tx:
        tx.execute(
            "UPDATE checklist_custom_items SET prompt = $prompt, help = $help, section = $section "
            "WHERE workspace_id = $w AND template_id = $t AND item_id = $i",
            {**new, "w": workspace_id, "t": template_id, "i": item_id},
        )
        for key in ("prompt", "help", "section"):
            if old[key] != new[key]:
                log_edit(
                    tx,
                    workspace_id,
                    "item",
                    f"{template_id}/{item_id}",
                    key,
                    old[key],
                    new[key],
                    who,
                )
    return True


def delete_item(
    con: Connection, workspace_id: int, template_id: str, item_id: str, who: str = ""
) -> None:
    """Take an own item out of the checklist; answers already given stay in the runs' history."""
    template = template_in(con, workspace_id, template_id)
    _check_own_item(template, item_id)
    with transaction(con) as tx:
        tx.execute(
            "UPDATE checklist_custom_items SET deleted_at = current_localtimestamp() "
            "WHERE workspace_id = $w AND template_id = $t AND item_id = $i",
            {"w": workspace_id, "t": template_id, "i": item_id},
        )
        log_edit(
            tx,
            workspace_id,
            "item",
            f"{template_id}/{item_id}",
            "deleted",
            template.item(item_id).prompt,
            "",
            who,
        )


def move_item(
    con: Connection, workspace_id: int, template_id: str, item_id: str, by: int, who: str = ""
) -> bool:
    """Move an own item up (by < 0) or down among the owner's items; False at either end."""
    template = template_in(con, workspace_id, template_id)
    _check_own_item(template, item_id)
    return move_saved(
        con,
        workspace_id,
        _own_item_ids(template),
        item_id,
        by,
        "UPDATE checklist_custom_items SET position = $p "
        "WHERE workspace_id = $w AND template_id = $t AND item_id = $i",
        {"t": template_id},
        ("item", f"{template_id}/{item_id}"),
        who,
    )


def delete_template(con: Connection, workspace_id: int, template_id: str, who: str = "") -> str:
    """Delete an own template: "archived" when it has runs (they stay readable), else "deleted"."""
    template = own_template(con, workspace_id, template_id)
    has_runs = (
        reader(con)
        .execute(
            "SELECT count(*) FROM checklist_runs WHERE workspace_id = $w AND template_id = $t",
            {"w": workspace_id, "t": template_id},
        )
        .fetchall()[0][0]
    )
    params = {"w": workspace_id, "t": template_id}
    with transaction(con) as tx:
        if has_runs:
            tx.execute(
                "UPDATE checklist_templates SET archived_at = current_localtimestamp() "
                "WHERE workspace_id = $w AND template_id = $t",
                params,
            )
        else:
            for table in ("checklist_custom_items", "checklist_rhythms", "checklist_templates"):
                tx.execute(
                    f"DELETE FROM {table} WHERE workspace_id = $w AND template_id = $t", params
                )
        outcome = "archived" if has_runs else "deleted"
        log_edit(tx, workspace_id, "template", template_id, outcome, template.title, "", who)
    return outcome


def save_as_own(
    con: Connection,
    workspace_id: int,
    template: Template,
    who: str,
    what: str,
    source: str,
    *,
    like: str = "",
) -> str:
    """`template` saved as an own one, item for item (ids, wording, kinds, indicators, order,
    rhythm), in one write with one revision (`what`, from `source`); returns the new id."""
    with transaction(con) as tx:
        new_id = add_template(tx, workspace_id, template.title, template.purpose, like=like)
        for position, item in enumerate(template.items, 1):
            add_item(
                tx,
                workspace_id,
                new_id,
                item.prompt,
                item.help,
                section=item.section,
                kind=item.kind,
                indicators=item.indicators,
                item_id=item.id,
                position=position,
            )
        if template.repeat:
            set_repeat(tx, workspace_id, new_id, template.repeat, who)
        log_edit(tx, workspace_id, "template", new_id, what, source, new_id, who)
    return new_id


def copy_template(
    con: Connection, workspace_id: int, template_id: str, who: str = "", title: str = ""
) -> str:
    """An own copy of any template, titled "… (my copy)" unless `title` says otherwise."""
    source = template_in(con, workspace_id, template_id)
    renamed = replace(source, title=title or f"{source.title} (my copy)")
    return save_as_own(con, workspace_id, renamed, who, "copied from", template_id)


def set_repeat(
    con: Connection, workspace_id: int, template_id: str, repeat: str, who: str = ""
) -> bool:
    """How often this checklist comes round in this workspace ("never" turns the rhythm off,
    even for a built-in that ships with one); False when nothing changed."""
    template = template_in(con, workspace_id, template_id)
    if repeat not in REPEATS and repeat != "never":
        raise ChecklistError(f"A checklist repeats: {', '.join(REPEATS)} or never.")
    if repeat == (template.repeat or "never"):
        return False
    with transaction(con) as tx:
        tx.execute(
            "DELETE FROM checklist_rhythms WHERE workspace_id = $w AND template_id = $t",
            {"w": workspace_id, "t": template_id},
        )
        tx.execute(
            "INSERT INTO checklist_rhythms (workspace_id, template_id, repeat) VALUES ($w, $t, $r)",
            {"w": workspace_id, "t": template_id, "r": repeat},
        )
        log_edit(tx, workspace_id, "template", template_id, "repeat", template.repeat, repeat, who)
    return True
