"""What every command shares: exit codes, --db/--wait/--workspace, opening the store, one-line errors."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Literal, TypeVar

from analytics import store

T = TypeVar("T")

# Exit codes: 0 done; 1 the store or workspace is not usable; 2 the file was not imported.
EXIT_STORE = 1
EXIT_FILE = 2


# How long a command waits for a store another program (usually the running app) holds.
WAIT_ENV = "OPENING_DAY_LOCK_WAIT"
DEFAULT_WAIT = 30.0


def wait_default() -> float:
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


def add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        metavar="PATH",
        help=f"the DuckDB store file (default: ${store.DB_ENV} or {store.DEFAULT_DB.relative_to(store.PROJECT_ROOT)})",
    )
    p.add_argument(
        "--wait",
        metavar="SECONDS",
        type=float,
        default=wait_default(),
        help="when the running app or another command has the store, wait this long for it "
        f"(default {DEFAULT_WAIT:g}, or ${WAIT_ENV})",
    )


def add_workspace(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    p.add_argument(
        "--workspace", metavar="NAME", required=required, help="workspace (one business)"
    )


def add_json(p: argparse.ArgumentParser, *, listing: bool = False) -> None:
    """--json: one object on stdout, or for a listing one JSON array."""
    what = "JSON" if listing else "one JSON object"
    p.add_argument("--json", action="store_true", help=f"print {what} on stdout")


def command(
    sub: Any,
    name: str,
    *,
    workspace: Literal["required", "optional", "none"] = "required",
    listing: bool = False,
    **kwargs: Any,
) -> argparse.ArgumentParser:
    """A command (or an action of one) on the store: --db and --wait, then --workspace
    (required, optional or none). A `listing` takes nothing more and prints JSON with --json.
    `kwargs` go to add_parser (help, description)."""
    p: argparse.ArgumentParser = sub.add_parser(name, **kwargs)
    add_db(p)
    if workspace != "none":
        add_workspace(p, required=workspace == "required")
    if listing:
        add_json(p, listing=True)
    return p


def action_group(sub: Any, name: str, **kwargs: Any) -> Any:
    """A command made of actions (`<name> ACTION ...`, the action in args.<name>_action):
    the sub-parsers its actions are added to. `kwargs` go to add_parser."""
    p = sub.add_parser(name, **kwargs)
    return p.add_subparsers(dest=f"{name}_action", required=True, metavar="ACTION")


def open_store(args: argparse.Namespace, *, read_only: bool = False) -> store.Connection:
    """The store named by --db: waits (bounded) for the app to let go, says what the store
    has to tell (a log that could not be replayed), opens read-only when nothing is written.
    The connection is closed by `main` when the command ends (kept in `args.opened`)."""

    def waiting(message: str) -> None:
        print(f"note: {message}", file=sys.stderr)

    con = store.connect(args.db, read_only=read_only, wait=args.wait, on_wait=waiting)
    vars(args).setdefault("opened", []).append(con)
    for notice in store.store_notices(con):
        print(f"warning: {notice.message}", file=sys.stderr)
    return con


def print_listing(
    args: argparse.Namespace,
    items: Sequence[T],
    to_json: Callable[[T], dict[str, Any]],
    line: Callable[[T], str],
    *,
    empty: str,
    header: str = "",
) -> int:
    """A listing's output: with --json one JSON array (`to_json` of each item); else `empty`
    when there is nothing, or the `header` line (if any) and one `line` an item. Exit 0."""
    if args.json:
        print(json.dumps([to_json(item) for item in items]))
    elif not items:
        print(empty)
    else:
        if header:
            print(header)
        for item in items:
            print(line(item))
    return 0


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-03-31") from None


def fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code
