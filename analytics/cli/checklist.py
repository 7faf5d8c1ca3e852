"""Hard reset checklists from the command line: `checklist list|export|import|delete`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from analytics import checklists, store
from analytics.checklists import edits, files
from analytics.cli.common import action_group, command, open_store


def add_parsers(sub: Any) -> None:
    actions = action_group(
        sub,
        "checklist",
        help="list, export, import and delete Hard reset checklists",
        description="Checklist templates as TOML files in the shipped format: export any "
        "template, import a file as an own template (checked like the shipped ones), delete "
        "an own template (archived when it has runs).",
    )
    command(actions, "list", listing=True, help="every checklist of a workspace: id, items, whose")
    p = command(actions, "export", help="write a checklist (own or built-in) as a TOML file")
    p.add_argument("template_id", metavar="TEMPLATE_ID")
    p.add_argument("file", metavar="FILE.toml", type=Path)
    p = command(actions, "import", help="read a TOML file as an own checklist")
    p.add_argument("file", metavar="FILE.toml", type=Path)
    p.add_argument("--who", default="", help="name kept with the change")
    p = command(actions, "delete", help="delete an own checklist (archived if it has runs)")
    p.add_argument("template_id", metavar="TEMPLATE_ID")
    p.add_argument("--who", default="", help="name kept with the change")


def _row(template: checklists.Template) -> dict[str, Any]:
    return {
        "id": template.id,
        "title": template.title,
        "items": len(template.items),
        "own": template.custom,
        "archived": template.archived,
        "repeat": template.repeat or None,
    }


def cmd_checklist(args: argparse.Namespace) -> int:
    action = args.checklist_action
    con = open_store(args, read_only=action in ("list", "export"))
    ws = store.get_workspace(con, args.workspace)
    if action == "list":
        rows = [_row(t) for t in checklists.templates_for(con, ws.id).values()]
        if args.json:
            print(json.dumps(rows))
            return 0
        for r in rows:
            whose = ("own, archived" if r["archived"] else "own") if r["own"] else "built-in"
            every = f", {r['repeat']}" if r["repeat"] else ""
            print(f"{r['id']}  {r['title']} ({r['items']} items, {whose}{every})")
        return 0
    if action == "export":
        template = edits.template_in(con, ws.id, args.template_id)
        args.file.write_text(files.template_toml(template), encoding="utf-8")
        print(f"Wrote {template.title!r} ({len(template.items)} items) to {args.file}")
        return 0
    if action == "import":
        new_id = files.import_file(con, ws.id, args.file, args.who)
        template = checklists.templates_for(con, ws.id)[new_id]
        print(f"Imported {template.title!r} as {new_id} ({len(template.items)} items)")
        return 0
    outcome = edits.delete_template(con, ws.id, args.template_id, args.who)
    print(
        f"Archived {args.template_id}: its runs stay readable."
        if outcome == "archived"
        else f"Deleted {args.template_id}."
    )
    return 0


COMMANDS = {"checklist": cmd_checklist}
