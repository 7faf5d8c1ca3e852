"""Loading a business's data: `demo`, `import`, `batches`, `undo` and `export`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analytics import store
from analytics.cli.common import EXIT_FILE, add_json, command, fail, open_store, print_listing
from analytics.entities import IMPORTABLE
from analytics.errors import ImportError_, RowsRejected, UnknownEntity


def add_parsers(sub: Any) -> None:
    p = command(
        sub,
        "demo",
        help="create the demo business (an IT service provider with ~4 years of history)",
        description="Create the demo business in a workspace. Does nothing if that workspace "
        "already holds data.",
        workspace="optional",
    )
    p.add_argument(
        "--scale", choices=("small", "large"), default="small", help="size (default small)"
    )
    p.add_argument("--seed", type=int, default=42, metavar="N", help="random seed (default 42)")
    p.add_argument(
        "--peers",
        action="store_true",
        help="also build a demo peer group: five more demo businesses of other sizes and "
        "seeds, every card published, one past review session",
    )

    p = command(
        sub,
        "import",
        help="import one file (CSV, Excel or Parquet) as one batch",
        description="Import a file as one all-or-nothing batch. Headers are matched to fields "
        "automatically; correct them with --map. Without --skip-bad-rows, one unreadable row "
        "stops the whole import and every bad row is reported.",
    )
    p.add_argument(
        "--entity",
        choices=IMPORTABLE,
        help="what the file holds (guessed if omitted); `people` is a CRM's users export, the "
        "name list that turns owner ids in other files into names",
    )
    p.add_argument("file", metavar="FILE", nargs="?", help="the file to import")
    p.add_argument("--sheet", metavar="NAME", help="Excel sheet (default: the first)")
    p.add_argument(
        "--map",
        metavar="field=Column",
        nargs="+",
        action="extend",
        default=[],
        help="map a field to a column, e.g. customer='Customer Name' or amount=Quantity*UnitPrice",
    )
    p.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="import the good rows and keep the bad ones as rejects of the batch",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="the same file imported before: undo that batch and import it again (e.g. with "
        "a new --map), all or nothing",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="read and check the file and say what importing it would do (rows new, already "
        "stored, updated), writing nothing; exits as the import would",
    )
    add_json(p)

    p = command(sub, "batches", help="list the imports (batches) of a workspace", listing=True)

    p = command(sub, "undo", help="undo one batch: remove every row it added")
    p.add_argument(
        "batch_id", metavar="BATCH_ID", type=int, help="the batch to undo (see `batches`)"
    )

    p = command(
        sub,
        "export",
        help="export a workspace as one Parquet file per entity",
        description="Write one Parquet file per entity into DIR; each can be imported again.",
    )
    p.add_argument("dir", metavar="DIR", help="folder to write into (created if needed)")


def import_failed(args: argparse.Namespace, message: str, code: int, **found: Any) -> int:
    """A refused import: one line on stderr and, with --json, one result object on stdout
    (`ok` false, the error, the kind given or guessed, the closest kinds, the exit code)."""
    if getattr(args, "command", None) == "import" and getattr(args, "json", False):
        body: dict[str, Any] = {
            "ok": False,
            "error": message,
            "exit": code,
            "file_name": Path(args.file).name if getattr(args, "file", None) else None,
            "kind": getattr(args, "entity", None),
            "candidates": [],
        }
        body.update(found)
        print(json.dumps(body))
    return fail(message, code)


def _progress(enabled: bool) -> Callable[[float, str], None] | None:
    if not enabled:
        return None

    def show(fraction: float, label: str) -> None:
        print(f"  {fraction:>4.0%}  {label}", file=sys.stderr)

    return show


def cmd_demo(args: argparse.Namespace) -> int:
    from analytics import demo

    con = open_store(args)
    name = args.workspace or demo.DEMO_WORKSPACE
    existing = store.find_workspace(con, name)
    if existing is not None and sum(store.entity_counts(con, existing.id).values()) > 0:
        print(f"The workspace {name!r} already holds data; nothing to do.")
        ws = existing
    else:
        ws = demo.load_demo(con, name, scale=args.scale, seed=args.seed)
        counts = store.entity_counts(con, ws.id)
        summary = ", ".join(f"{n:,} {e.replace('_', ' ')}" for e, n in counts.items())
        print(f"Demo business loaded into {ws.name!r}: {summary}.")
    if args.peers:
        _demo_peers(con, ws)
    return 0


def _demo_peers(con: store.Connection, founder: store.Workspace) -> None:
    from analytics import demo_peers, peers, review

    group = demo_peers.load_demo_peers(con, founder)
    members = peers.members(con, group.id, viewer=founder.id)
    sessions = review.sessions(con, group.id, viewer=founder.id)
    print(
        f"Demo peer group {group.name!r}: {len(members)} businesses, each card published; "
        f"{len(sessions)} past review session. Open {founder.name!r} and its Peers page."
    )


def cmd_import(args: argparse.Namespace) -> int:
    from analytics import importer

    maps = list(args.map)
    if args.file is None and maps and "=" not in maps[-1]:
        args.file = maps.pop()  # `--map a=B FILE`: the file was swallowed by --map
    if args.file is None:
        return import_failed(args, "no FILE given to import", EXIT_FILE)
    path = Path(args.file)
    if not path.is_file():
        return import_failed(args, f"{path}: no such file", EXIT_FILE)
    try:
        mapping = importer.parse_map_args(maps) if maps else None
    except ImportError_ as exc:
        return import_failed(args, str(exc), EXIT_FILE)
    if args.dry_run:
        return _dry_run(args, path, mapping)
    con = open_store(args)
    ws = store.ensure_workspace(con, args.workspace)
    try:
        result = importer.import_file(
            con,
            ws.id,
            path,
            sheet=args.sheet,
            entity=args.entity,
            mapping=mapping,
            skip_bad_rows=args.skip_bad_rows,
            replace=args.replace,
            progress=_progress(not args.json and sys.stderr.isatty()),
        )
    except RowsRejected as exc:
        if args.json and exc.result is not None:
            print(
                json.dumps(
                    exc.result.to_json() | {"ok": False, "error": str(exc), "exit": EXIT_FILE}
                )
            )
            return fail(str(exc), EXIT_FILE)
        if exc.result is not None:
            for r in exc.result.rejects[:20]:
                print(
                    f"  row {r.row}, column {r.column!r}: {r.value!r}: {r.reason}", file=sys.stderr
                )
        return fail(str(exc), EXIT_FILE)
    except UnknownEntity as exc:
        return import_failed(args, str(exc), EXIT_FILE, candidates=exc.candidates)
    except ImportError_ as exc:
        return import_failed(args, str(exc), EXIT_FILE)
    if args.json:
        print(json.dumps(result.to_json()))
        return 0
    print(result.summary())
    print(result.kind_line())
    if not result.already_imported:
        for line in result.notes():
            print(line)
        for warning in result.warnings:
            print(f"note: {warning}", file=sys.stderr)
    return 0


def _dry_run(args: argparse.Namespace, path: Path, mapping: dict[str, Any] | None) -> int:
    """`import --dry-run`: what the import would do, nothing written; the exit code the
    import would give."""
    from analytics import importer

    if store.db_path(args.db).exists():
        con = open_store(args, read_only=True)
        ws = store.find_workspace(con, args.workspace)  # a new name: the import would make it
    else:  # the import would create the store: read the file in an empty one, in memory
        con, ws = store.connect(":memory:"), None
        vars(args).setdefault("opened", []).append(con)
    try:
        source = importer.read_source(path, sheet=args.sheet, count=False)
        found = importer.dry_run(
            con, ws.id if ws else None, source, entity=args.entity, mapping=mapping
        )
    except UnknownEntity as exc:
        return import_failed(args, str(exc), EXIT_FILE, candidates=exc.candidates)
    except ImportError_ as exc:
        return import_failed(args, str(exc), EXIT_FILE)
    code = EXIT_FILE if found.bad_rows and not args.skip_bad_rows else 0
    if args.json:
        print(json.dumps(found.to_json() | {"ok": code == 0, "exit": code}))
        return code
    for line in found.lines(skip_bad_rows=args.skip_bad_rows):
        print(line)
    for r in found.preview.rejects[:20]:
        print(f"  row {r.row}, column {r.column!r}: {r.value!r}: {r.reason}", file=sys.stderr)
    return code


def _batch_json(b: store.Batch) -> dict[str, Any]:
    return {
        "batch_id": b.id,
        "entity": b.entity,
        "file_name": b.file_name,
        "sha256": b.sha256,
        "rows_read": b.rows_read,
        "rows_imported": b.rows_imported,
        "rows_rejected": b.rows_rejected,
        "duplicates_skipped": b.duplicates_skipped,
        "customers_created": b.customers_created,
        "created_at": b.created_at.isoformat(timespec="seconds"),
        "undone_at": b.undone_at.isoformat(timespec="seconds") if b.undone_at else None,
    }


def cmd_batches(args: argparse.Namespace) -> int:
    con = open_store(args, read_only=True)
    ws = store.get_workspace(con, args.workspace)
    batches = store.list_batches(con, ws.id)
    return print_listing(
        args,
        batches,
        _batch_json,
        _batch_line,
        empty=f"No imports yet in {ws.name!r}.",
        header=f"{'id':>5}  {'when':<16}  {'entity':<12}  {'imported':>9}  {'rejected':>8}  file",
    )


def _batch_line(b: store.Batch) -> str:
    state = "  (undone)" if b.undone_at else ""
    return (
        f"{b.id:>5}  {b.created_at:%Y-%m-%d %H:%M}  {b.entity:<12}  {b.rows_imported:>9,}  "
        f"{b.rows_rejected:>8,}  {b.file_name}{state}"
    )


def cmd_undo(args: argparse.Namespace) -> int:
    con = open_store(args)
    ws = store.get_workspace(con, args.workspace)
    updated = store.get_batch(con, ws.id, args.batch_id).rows_updated
    batch = store.undo_batch(con, ws.id, args.batch_id)
    print(
        f"Undid batch {batch.id} ({batch.file_name}): {batch.rows_imported:,} {batch.entity} rows removed"
        + (
            f"; the earlier values of {updated:,} {'row' if updated == 1 else 'rows'} it had "
            "updated put back."
            if updated
            else "."
        )
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from analytics import importer

    con = open_store(args, read_only=True)
    ws = store.get_workspace(con, args.workspace)
    paths = importer.export_workspace(con, ws.id, Path(args.dir))
    for p in paths:
        print(p)
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": cmd_demo,
    "import": cmd_import,
    "batches": cmd_batches,
    "undo": cmd_undo,
    "export": cmd_export,
}
