"""Command line: `python -m analytics demo|import|batches|undo|export|kpis|snapshot|workspace …`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from analytics import store
from analytics.entities import IMPORTABLE
from analytics.errors import ImportError_, OpeningDayError, RowsRejected, UnknownEntity

# Exit codes: 0 done; 1 the store or workspace is not usable; 2 the file was not imported.
EXIT_STORE = 1
EXIT_FILE = 2


# How long a command waits for a store another program (usually the running app) holds.
WAIT_ENV = "OPENING_DAY_LOCK_WAIT"
DEFAULT_WAIT = 30.0


def _wait_default() -> float:
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        metavar="PATH",
        help=f"the DuckDB store file (default: ${store.DB_ENV} or {store.DEFAULT_DB.relative_to(store.PROJECT_ROOT)})",
    )
    p.add_argument(
        "--wait",
        metavar="SECONDS",
        type=float,
        default=_wait_default(),
        help="when the running app or another command has the store, wait this long for it "
        f"(default {DEFAULT_WAIT:g}, or ${WAIT_ENV})",
    )


def _open(args: argparse.Namespace, *, read_only: bool = False) -> store.Connection:
    """The store named by --db: waits (bounded) for the app to let go, says what the store
    has to tell (a log that could not be replayed), opens read-only when nothing is written."""

    def waiting(message: str) -> None:
        print(f"note: {message}", file=sys.stderr)

    con = store.connect(args.db, read_only=read_only, wait=args.wait, on_wait=waiting)
    for notice in store.store_notices(con):
        print(f"warning: {notice.message}", file=sys.stderr)
    return con


def _add_workspace(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    p.add_argument(
        "--workspace", metavar="NAME", required=required, help="workspace (one business)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analytics",
        description="Opening Day: load a business's data into the store and manage imports.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "demo",
        help="create the demo business (an IT service provider with ~4 years of history)",
        description="Create the demo business in a workspace. Does nothing if that workspace "
        "already holds data.",
    )
    _add_db(p)
    _add_workspace(p, required=False)
    p.add_argument(
        "--scale", choices=("small", "large"), default="small", help="size (default small)"
    )
    p.add_argument("--seed", type=int, default=42, metavar="N", help="random seed (default 42)")

    p = sub.add_parser(
        "import",
        help="import one file (CSV, Excel or Parquet) as one batch",
        description="Import a file as one all-or-nothing batch. Headers are matched to fields "
        "automatically; correct them with --map. Without --skip-bad-rows, one unreadable row "
        "stops the whole import and every bad row is reported.",
    )
    _add_db(p)
    _add_workspace(p)
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
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    p = sub.add_parser("batches", help="list the imports (batches) of a workspace")
    _add_db(p)
    _add_workspace(p)
    p.add_argument("--json", action="store_true", help="print JSON on stdout")

    p = sub.add_parser("undo", help="undo one batch: remove every row it added")
    _add_db(p)
    _add_workspace(p)
    p.add_argument(
        "batch_id", metavar="BATCH_ID", type=int, help="the batch to undo (see `batches`)"
    )

    p = sub.add_parser(
        "export",
        help="export a workspace as one Parquet file per entity",
        description="Write one Parquet file per entity into DIR; each can be imported again.",
    )
    _add_db(p)
    _add_workspace(p)
    p.add_argument("dir", metavar="DIR", help="folder to write into (created if needed)")
    p = sub.add_parser(
        "kpis",
        help="compute every indicator for a workspace",
        description="Compute every registered indicator as of the last date in the data "
        "(or --as-of). Unknown values are null, with the reason in the message.",
    )
    _add_db(p)
    _add_workspace(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", type=_iso_date, help="compute as of this day")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    p = sub.add_parser(
        "snapshot",
        help="make, list, revoke and export read-only snapshot links",
        description="A snapshot freezes a page's figures and charts under a private link "
        "(<base>/?snapshot=TOKEN) that shows them read-only and nothing else.",
    )
    actions = p.add_subparsers(dest="snapshot_action", required=True, metavar="ACTION")
    p = actions.add_parser("create", help="freeze a page and print its id, token and link")
    _add_db(p)
    _add_workspace(p)
    p.add_argument(
        "--page",
        default="scoreboard",
        help="scoreboard (default), pace, niche, fit or friction",
    )
    p.add_argument("--title", default="", help="title (default: page and day)")
    p.add_argument("--author", default="", help="name shown on the snapshot")
    p.add_argument(
        "--anonymous", action="store_true", help="show 'anonymous' instead of the business name"
    )
    p.add_argument("--expires-days", type=int, metavar="N", help="the link stops after N days")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", type=_iso_date, help="figures as of this day")
    p.add_argument(
        "--base-url",
        metavar="URL",
        help="start of the link (default: the workspace's setting, else http://localhost:8501)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p = actions.add_parser("list", help="list a workspace's snapshots and their state")
    _add_db(p)
    _add_workspace(p)
    p.add_argument("--json", action="store_true", help="print JSON on stdout")
    p = actions.add_parser("revoke", help="turn a snapshot link off for good")
    _add_db(p)
    p.add_argument("snapshot_id", metavar="ID", type=int)
    p = actions.add_parser("export", help="write a snapshot as one self-contained HTML file")
    _add_db(p)
    p.add_argument("snapshot_id", metavar="ID", type=int)
    p.add_argument("file", metavar="FILE.html")

    p = sub.add_parser(
        "workspace",
        help="protect a workspace for a shared server (its passphrase)",
        description="Workspace protection: a server started with OPENING_DAY_SHARED=1 opens "
        "a workspace only with its passphrase.",
    )
    actions = p.add_subparsers(dest="workspace_action", required=True, metavar="ACTION")
    p = actions.add_parser(
        "passphrase",
        help="set a workspace's passphrase (or remove it with --clear)",
        description="Set the passphrase a shared server asks for before showing this "
        "workspace. It is asked twice on a terminal, or read from the first line of stdin "
        "(--stdin, or whenever stdin is not a terminal). Only a slow hash of it is stored.",
    )
    _add_db(p)
    _add_workspace(p)
    p.add_argument("--clear", action="store_true", help="remove the passphrase instead")
    p.add_argument(
        "--stdin", action="store_true", help="read the passphrase from the first line of stdin"
    )
    p = sub.add_parser(
        "admin",
        help="the shared server's admin secret, and clearing waits after wrong tries",
        description="A shared server (OPENING_DAY_SHARED=1) starts a new business only with an "
        "invitation code or the admin secret. The secret comes from "
        "OPENING_DAY_ADMIN_PASSPHRASE or from the store (set here; only a slow hash is kept).",
    )
    actions = p.add_subparsers(dest="admin_action", required=True, metavar="ACTION")
    p = actions.add_parser(
        "passphrase",
        help="set the admin secret kept in the store (or remove it with --clear)",
        description="Set the admin secret. It is asked twice on a terminal, or read from the "
        "first line of stdin (--stdin, or whenever stdin is not a terminal).",
    )
    _add_db(p)
    p.add_argument("--clear", action="store_true", help="remove the admin secret instead")
    p.add_argument(
        "--stdin", action="store_true", help="read the secret from the first line of stdin"
    )
    p = actions.add_parser(
        "unblock",
        help="clear the wait after wrong passphrase tries (one workspace, or all)",
        description="Wrong tries are counted per workspace across the whole server, and each "
        "try after the third waits twice as long (up to 15 minutes). This clears the count.",
    )
    _add_db(p)
    _add_workspace(p, required=False)

    p = sub.add_parser(
        "invite",
        help="make, list and withdraw invitation codes (shared servers)",
        description="An invitation code lets someone start a new business on a shared server "
        "(without --group) or lets an existing business join a peer group (--group, made by a "
        "member given with --workspace). A code works once and expires; only its hash is kept.",
    )
    actions = p.add_subparsers(dest="invite_action", required=True, metavar="ACTION")
    p = actions.add_parser("create", help="make an invitation and print its code, once")
    _add_db(p)
    p.add_argument(
        "--workspace",
        metavar="NAME",
        help="the business that invites (default: the server's admin)",
    )
    p.add_argument(
        "--group", metavar="GROUP", help="invite into this peer group of --workspace instead"
    )
    p.add_argument(
        "--days", type=int, default=7, metavar="N", help="the code works for N days (default 7)"
    )
    p.add_argument("--note", default="", help="a note for yourself: who it is for")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p = actions.add_parser("list", help="list invitations (never their codes)")
    _add_db(p)
    p.add_argument(
        "--workspace", metavar="NAME", help="those this business made (default: the admin's)"
    )
    p.add_argument("--all", action="store_true", help="every invitation on the server")
    p.add_argument("--json", action="store_true", help="print JSON on stdout")
    p = actions.add_parser("revoke", help="withdraw an unused invitation for good")
    _add_db(p)
    p.add_argument("invitation_id", metavar="ID", type=int)
    return parser


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-03-31") from None


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _import_failed(args: argparse.Namespace, message: str, code: int, **found: Any) -> int:
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
    return _fail(message, code)


def _progress(enabled: bool) -> Callable[[float, str], None] | None:
    if not enabled:
        return None

    def show(fraction: float, label: str) -> None:
        print(f"  {fraction:>4.0%}  {label}", file=sys.stderr)

    return show


def cmd_demo(args: argparse.Namespace) -> int:
    from analytics import demo

    con = _open(args)
    name = args.workspace or demo.DEMO_WORKSPACE
    existing = store.find_workspace(con, name)
    if existing is not None and sum(store.entity_counts(con, existing.id).values()) > 0:
        print(f"The workspace {name!r} already holds data; nothing to do.")
        return 0
    ws = demo.load_demo(con, name, scale=args.scale, seed=args.seed)
    counts = store.entity_counts(con, ws.id)
    summary = ", ".join(f"{n:,} {e.replace('_', ' ')}" for e, n in counts.items())
    print(f"Demo business loaded into {ws.name!r}: {summary}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from analytics import importer

    maps = list(args.map)
    if args.file is None and maps and "=" not in maps[-1]:
        args.file = maps.pop()  # `--map a=B FILE`: the file was swallowed by --map
    if args.file is None:
        return _import_failed(args, "no FILE given to import", EXIT_FILE)
    path = Path(args.file)
    if not path.is_file():
        return _import_failed(args, f"{path}: no such file", EXIT_FILE)
    try:
        mapping = importer.parse_map_args(maps) if maps else None
    except ImportError_ as exc:
        return _import_failed(args, str(exc), EXIT_FILE)
    con = _open(args)
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
            return _fail(str(exc), EXIT_FILE)
        if exc.result is not None:
            for r in exc.result.rejects[:20]:
                print(
                    f"  row {r.row}, column {r.column!r}: {r.value!r}: {r.reason}", file=sys.stderr
                )
        return _fail(str(exc), EXIT_FILE)
    except UnknownEntity as exc:
        return _import_failed(args, str(exc), EXIT_FILE, candidates=exc.candidates)
    except ImportError_ as exc:
        return _import_failed(args, str(exc), EXIT_FILE)
    if args.json:
        print(json.dumps(result.to_json()))
    elif result.already_imported:
        print(result.summary())
        print(result.kind_line())
    else:
        print(result.summary())
        print(result.kind_line())
        for line in result.notes():
            print(line)
        for warning in result.warnings:
            print(f"note: {warning}", file=sys.stderr)
    return 0


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
    con = _open(args, read_only=True)
    ws = store.get_workspace(con, args.workspace)
    batches = store.list_batches(con, ws.id)
    if args.json:
        print(json.dumps([_batch_json(b) for b in batches]))
        return 0
    if not batches:
        print(f"No imports yet in {ws.name!r}.")
        return 0
    print(f"{'id':>5}  {'when':<16}  {'entity':<12}  {'imported':>9}  {'rejected':>8}  file")
    for b in batches:
        state = "  (undone)" if b.undone_at else ""
        print(
            f"{b.id:>5}  {b.created_at:%Y-%m-%d %H:%M}  {b.entity:<12}  {b.rows_imported:>9,}  "
            f"{b.rows_rejected:>8,}  {b.file_name}{state}"
        )
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    con = _open(args)
    ws = store.get_workspace(con, args.workspace)
    batch = store.undo_batch(con, ws.id, args.batch_id)
    print(
        f"Undid batch {batch.id} ({batch.file_name}): {batch.rows_imported:,} {batch.entity} rows removed."
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from analytics import importer

    con = _open(args, read_only=True)
    ws = store.get_workspace(con, args.workspace)
    paths = importer.export_workspace(con, ws.id, Path(args.dir))
    for p in paths:
        print(p)
    return 0


def cmd_kpis(args: argparse.Namespace) -> int:
    from analytics import indicators

    con = _open(args, read_only=True)
    ws = store.get_workspace(con, args.workspace)
    ctx = indicators.context(con, ws.id, args.as_of)
    results = indicators.compute_all(con, ws.id, args.as_of)
    as_of = ctx.as_of.isoformat() if ctx else None
    if args.json:
        payload = {
            "workspace": ws.name,
            "as_of": as_of,
            "indicators": {k: indicators.result_json(r) for k, r in results.items()},
        }
        print(json.dumps(payload))
        return 0
    print(f"{ws.name} — as of {as_of or 'no data yet'}")
    for ind_id, r in sorted(results.items(), key=lambda kv: indicators.STATUS_ORDER[kv[1].status]):
        word = indicators.STATUS_WORD[r.status]
        print(f"  [{word:^15}] {indicators.get(ind_id).label}: {r.message}")
    return 0


# Where links point when neither --base-url nor the workspace's setting says otherwise.
DEFAULT_BASE = "http://localhost:8501"


def _snapshot_json(snap: Any) -> dict[str, Any]:
    return {
        "id": snap.id,
        "page": snap.page,
        "title": snap.title,
        "shown_name": snap.shown_name,
        "author": snap.author,
        "as_of": snap.as_of.isoformat() if snap.as_of else None,
        "created_at": snap.created_at.isoformat(),
        "expires_at": snap.expires_at.isoformat() if snap.expires_at else None,
        "revoked_at": snap.revoked_at.isoformat() if snap.revoked_at else None,
        "state": snap.state(),
    }


def cmd_snapshot(args: argparse.Namespace) -> int:
    from analytics import snapshots  # draws charts: loaded only when asked for
    from analytics.settings import get_settings

    # Listing and exporting only read: they open the store read-only.
    con = _open(args, read_only=args.snapshot_action in ("list", "export"))
    action = args.snapshot_action
    if action == "create":
        ws = store.get_workspace(con, args.workspace)
        blocks, day_ = snapshots.page_blocks(con, ws.id, args.page, args.as_of)
        snap, token = snapshots.create(
            con,
            ws.id,
            args.page,
            blocks,
            title=args.title,
            author=args.author,
            anonymous=args.anonymous,
            expires_days=args.expires_days,
            as_of=day_,
        )
        base = args.base_url or get_settings(con, ws.id).get("share_base_url") or DEFAULT_BASE
        url = snapshots.link(str(base), token)
        if args.json:
            print(json.dumps({**_snapshot_json(snap), "token": token, "link": url}))
        else:
            print(f"Snapshot {snap.id}: {snap.title}\ntoken: {token}\nlink:  {url}")
        return 0
    if action == "list":
        ws = store.get_workspace(con, args.workspace)
        listed = snapshots.list_snapshots(con, ws.id)
        if args.json:
            print(json.dumps([_snapshot_json(s) for s in listed]))
            return 0
        if not listed:
            print(f"{ws.name} has no snapshots.")
        for snap in listed:
            until = f", until {snap.expires_at:%Y-%m-%d %H:%M}" if snap.expires_at else ""
            print(
                f"{snap.id:>4}  [{snap.state():^7}] {snap.title} ({snap.page_title}, "
                f"made {snap.created_at:%Y-%m-%d %H:%M}{until})"
            )
        return 0
    snap = snapshots.find(con, args.snapshot_id)
    if action == "revoke":
        snap = snapshots.revoke(con, snap.workspace_id, snap.id)
        print(f"Snapshot {snap.id} ({snap.title}) is revoked: its link now says it is not valid.")
        return 0
    html = snapshots.to_html(snapshots.frozen(con, snap.workspace_id, snap.id))
    target = Path(args.file)
    target.write_text(html, encoding="utf-8")
    print(f"Wrote {target} ({len(html.encode('utf-8')) / 1e6:.1f} MB, opens without a network).")
    return 0


def cmd_workspace(args: argparse.Namespace) -> int:
    from analytics import access

    con = _open(args)  # a locked store fails here, before any prompt
    ws = store.get_workspace(con, args.workspace)
    if args.clear:
        if not access.has_passphrase(con, ws.id):
            print(f"{ws.name!r} has no passphrase; nothing to do.")
            return 0
        access.clear_passphrase(con, ws.id)
        print(f"Passphrase removed from {ws.name!r}: a shared server will not open it now.")
        return 0
    if args.stdin or not sys.stdin.isatty():
        phrase = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass

        phrase = getpass.getpass(f"New passphrase for {ws.name}: ")
        access.check_strength(phrase)
        if getpass.getpass("Type it again: ") != phrase:
            return _fail("the two passphrases differ; nothing was changed", EXIT_STORE)
    access.set_passphrase(con, ws.id, phrase)
    print(f"Passphrase set for {ws.name!r}. Keep it safe: it cannot be shown, only replaced.")
    return 0


def _read_secret(what: str, from_stdin: bool) -> str | None:
    """A secret from stdin's first line, or typed twice on a terminal (None: they differ)."""
    from analytics import access

    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    phrase = getpass.getpass(f"{what}: ")
    access.check_strength(phrase)
    return phrase if getpass.getpass("Type it again: ") == phrase else None


def cmd_admin(args: argparse.Namespace) -> int:
    from analytics import access

    con = _open(args)  # a locked store fails here, before any prompt
    if args.admin_action == "unblock":
        keys = None
        if args.workspace:
            keys = [access.name_key(store.get_workspace(con, args.workspace).name)]
        cleared = access.clear_throttle(con, keys)
        print(f"Cleared {cleared} count(s) of wrong tries; the next try is checked at once.")
        return 0
    if args.clear:
        access.clear_admin_passphrase(con)
        print("Admin secret removed from the store.")
        return 0
    phrase = _read_secret("New admin secret", args.stdin)
    if phrase is None:
        return _fail("the two secrets differ; nothing was changed", EXIT_STORE)
    access.set_admin_passphrase(con, phrase)
    print("Admin secret set. Keep it safe: it cannot be shown, only replaced.")
    return 0


def _invitation_json(inv: Any) -> dict[str, Any]:
    return {
        "id": inv.id,
        "kind": inv.kind,
        "group_id": inv.group_id,
        "made_by": inv.made_by,
        "note": inv.note,
        "created_at": inv.created_at.isoformat(),
        "expires_at": inv.expires_at.isoformat(),
        "used_at": inv.used_at.isoformat() if inv.used_at else None,
        "revoked_at": inv.revoked_at.isoformat() if inv.revoked_at else None,
        "state": inv.state(),
    }


def cmd_invite(args: argparse.Namespace) -> int:
    from analytics import access, peers

    action = args.invite_action
    con = _open(args, read_only=action == "list")
    if action == "revoke":
        inv = access.revoke_invitation(con, args.invitation_id, by=None)
        print(f"Invitation {inv.id} is withdrawn: its code no longer works.")
        return 0
    by = store.get_workspace(con, args.workspace).id if args.workspace else None
    if action == "list":
        listed = access.list_invitations(con, by=by, everyone=args.all)
        if args.json:
            print(json.dumps([_invitation_json(i) for i in listed]))
            return 0
        if not listed:
            print("No invitations.")
        for inv in listed:
            what = "new business" if inv.kind == "workspace" else f"group {inv.group_id}"
            print(
                f"{inv.id:>4}  [{inv.state():^7}] {what}, made {inv.created_at:%Y-%m-%d}, "
                f"until {inv.expires_at:%Y-%m-%d}{'  ' + inv.note if inv.note else ''}"
            )
        return 0
    group_id = None
    if args.group:
        if by is None:
            return _fail("a group invitation comes from a member: give --workspace", EXIT_STORE)
        group = peers.find_group(con, args.group, viewer=by)
        if group is None:
            return _fail(
                f"{args.workspace!r} is in no peer group called {args.group!r}", EXIT_STORE
            )
        group_id = group.id
    inv, code = access.create_invitation(
        con, by=by, group_id=group_id, days=args.days, note=args.note
    )
    if args.json:
        print(json.dumps({**_invitation_json(inv), "code": code}))
        return 0
    what = "to start a new business" if group_id is None else f"to join {args.group!r}"
    print(
        f"Invitation {inv.id} {what}, single use, valid until {inv.expires_at:%Y-%m-%d %H:%M}:\n"
        f"{code}\nSend it privately. Only its hash is kept, so it cannot be shown again."
    )
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": cmd_demo,
    "import": cmd_import,
    "batches": cmd_batches,
    "undo": cmd_undo,
    "export": cmd_export,
    "kpis": cmd_kpis,
    "snapshot": cmd_snapshot,
    "workspace": cmd_workspace,
    "admin": cmd_admin,
    "invite": cmd_invite,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # `import --json` prints one result object on every exit, a failure's included.
    fail = (
        (lambda message, code: _import_failed(args, message, code))
        if args.command == "import"
        else _fail
    )
    try:
        return COMMANDS[args.command](args)
    except ImportError_ as exc:
        return fail(str(exc), EXIT_FILE)
    except OpeningDayError as exc:
        return fail(str(exc), EXIT_STORE)
    except duckdb.Error as exc:  # the file, the disk or memory failed under a command
        return fail(str(store.translate_error(exc, str(store.db_path(args.db)))), EXIT_STORE)
    except MemoryError:
        return fail("ran out of memory; close other programs or use a smaller file", EXIT_STORE)
    except OSError as exc:  # a full disk or a folder that cannot be written, while exporting
        return fail(f"{exc.filename or 'a file'}: {exc.strerror or exc}", EXIT_STORE)


if __name__ == "__main__":
    sys.exit(main())
