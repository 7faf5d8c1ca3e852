"""Notes on the timeline from the command line: `note add|list|edit|remove|restore`."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from types import EllipsisType
from typing import Any

from analytics import notes, store
from analytics.cli import common

AREA_HELP = "an area (pace, niche, fit, friction) or an indicator id the note concerns"


def add_parsers(sub: Any) -> None:
    actions = common.action_group(
        sub,
        "note",
        help="add, list, edit, remove and restore notes on the timeline",
        description='A note is a dated event of the business ("raised prices 8 %"): every '
        "time-series chart whose range includes its day shows it, and so do snapshots and the "
        "export. Its text is plain text everywhere.",
    )
    p = common.command(actions, "add", help="write a note and print its id")
    p.add_argument(
        "--date", metavar="YYYY-MM-DD", type=common.iso_date, required=True, help="its day"
    )
    p.add_argument(
        "--until", metavar="YYYY-MM-DD", type=common.iso_date, help="last day of a range"
    )
    p.add_argument("--area", metavar="AREA", help=AREA_HELP)
    p.add_argument("--text", required=True, help=f"what happened (at most {notes.MAX_TEXT} chars)")
    p.add_argument("--author", metavar="NAME", default="", help="who writes it")
    common.add_json(p)
    p = common.command(actions, "list", help="list the notes, by day", listing=True)
    p.add_argument(
        "--from", dest="start", metavar="YYYY-MM-DD", type=common.iso_date, help="from day"
    )
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", type=common.iso_date, help="to day")
    p.add_argument("--area", metavar="AREA", help="only notes about it (and the whole business)")
    p = common.command(actions, "edit", help="change a note (its previous version is kept)")
    p.add_argument("note_id", metavar="ID", type=int)
    p.add_argument("--date", metavar="YYYY-MM-DD", type=common.iso_date, help="its new day")
    until = p.add_mutually_exclusive_group()
    until.add_argument("--until", metavar="YYYY-MM-DD", type=common.iso_date, help="new last day")
    until.add_argument("--single-day", action="store_true", help="make it a single day")
    about = p.add_mutually_exclusive_group()
    about.add_argument("--area", metavar="AREA", help=AREA_HELP)
    about.add_argument("--whole-business", action="store_true", help="concern no area")
    p.add_argument("--text", help="its new text")
    common.add_json(p)
    p = common.command(
        actions, "remove", help="take a note off the timeline (restore brings it back)"
    )
    p.add_argument("note_id", metavar="ID", type=int)
    p = common.command(actions, "restore", help="bring a removed note back")
    p.add_argument("note_id", metavar="ID", type=int)


def _edited(args: argparse.Namespace) -> dict[str, Any]:
    until: Any | EllipsisType = None if args.single_day else (args.until or ...)
    concerns: Any | EllipsisType = None if args.whole_business else (args.area or ...)
    return {"day": args.date, "text": args.text, "until": until, "concerns": concerns}


def cmd_note(args: argparse.Namespace) -> int:
    action = args.note_action
    con = common.open_store(args, read_only=action == "list")
    ws = store.get_workspace(con, args.workspace)
    if action == "list":
        found = notes.list_notes(con, ws.id, start=args.start, end=args.end, concerns=args.area)
        return common.print_listing(
            args,
            found,
            notes.note_json,
            lambda n: f"{n.id:>4}  {notes.note_line(n)}",
            empty=f"{ws.name} has no notes in that range.",
        )
    if action == "add":
        note = notes.add_note(
            con,
            ws.id,
            day=args.date,
            until=args.until,
            concerns=args.area,
            text=args.text,
            author=args.author,
        )
    elif action == "edit":
        note = notes.edit_note(con, ws.id, args.note_id, **_edited(args))
    elif action == "remove":
        note = notes.remove_note(con, ws.id, args.note_id)
        print(f"Removed note {note.id} ({note.label}); `note restore {note.id}` brings it back.")
        return 0
    else:
        note = notes.restore_note(con, ws.id, args.note_id)
        print(f"Restored note {note.id}: {notes.note_line(note)}")
        return 0
    if args.json:
        print(json.dumps(notes.note_json(note)))
    elif action == "add":
        print(note.id)
    else:
        print(f"Note {note.id}: {notes.note_line(note)}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"note": cmd_note}
