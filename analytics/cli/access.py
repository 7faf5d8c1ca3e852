"""Who may see what on a shared server: `workspace passphrase`, `admin` and `invite`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from analytics import store
from analytics.cli import common
from analytics.cli.records import record_json


def add_parsers(sub: Any) -> None:
    actions = common.action_group(
        sub,
        "workspace",
        help="protect a workspace for a shared server (its passphrase)",
        description="Workspace protection: a server started with OPENING_DAY_SHARED=1 opens "
        "a workspace only with its passphrase.",
    )
    p = common.command(
        actions,
        "passphrase",
        help="set a workspace's passphrase (or remove it with --clear)",
        description="Set the passphrase a shared server asks for before showing this "
        "workspace. It is asked twice on a terminal, or read from the first line of stdin "
        "(--stdin, or whenever stdin is not a terminal). Only a slow hash of it is stored.",
    )
    _add_secret_flags(p, "the passphrase")
    actions = common.action_group(
        sub,
        "admin",
        help="the shared server's admin secret, and clearing waits after wrong tries",
        description="A shared server (OPENING_DAY_SHARED=1) starts a new business only with an "
        "invitation code or the admin secret. The secret comes from "
        "OPENING_DAY_ADMIN_PASSPHRASE or from the store (set here; only a slow hash is kept).",
    )
    p = common.command(
        actions,
        "passphrase",
        help="set the admin secret kept in the store (or remove it with --clear)",
        description="Set the admin secret. It is asked twice on a terminal, or read from the "
        "first line of stdin (--stdin, or whenever stdin is not a terminal).",
        workspace="none",
    )
    _add_secret_flags(p, "the admin secret", stdin_word="the secret")
    p = common.command(
        actions,
        "unblock",
        help="clear the wait after wrong passphrase tries (one workspace, or all)",
        description="Wrong tries are counted per workspace across the whole server, and each "
        "try after the third waits twice as long (up to 15 minutes). This clears the count.",
        workspace="optional",
    )

    actions = common.action_group(
        sub,
        "invite",
        help="make, list and withdraw invitation codes (shared servers)",
        description="An invitation code lets someone start a new business on a shared server "
        "(without --group) or lets an existing business join a peer group (--group, made by a "
        "member given with --workspace). A code works once and expires; only its hash is kept.",
    )
    p = common.command(
        actions, "create", help="make an invitation and print its code, once", workspace="none"
    )
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
    common.add_json(p)
    p = common.command(
        actions, "list", help="list invitations (never their codes)", workspace="none"
    )
    p.add_argument(
        "--workspace", metavar="NAME", help="those this business made (default: the admin's)"
    )
    p.add_argument("--all", action="store_true", help="every invitation on the server")
    common.add_json(p, listing=True)
    p = common.command(
        actions, "revoke", help="withdraw an unused invitation for good", workspace="none"
    )
    p.add_argument("invitation_id", metavar="ID", type=int)


def _add_secret_flags(p: argparse.ArgumentParser, what: str, *, stdin_word: str = "") -> None:
    p.add_argument("--clear", action="store_true", help=f"remove {what} instead")
    p.add_argument(
        "--stdin",
        action="store_true",
        help=f"read {stdin_word or what} from the first line of stdin",
    )


def _read_secret(what: str, from_stdin: bool) -> str | None:
    """A secret from stdin's first line, or typed twice on a terminal (None: they differ)."""
    from analytics import access

    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    phrase = getpass.getpass(f"{what}: ")
    access.check_strength(phrase)
    return phrase if getpass.getpass("Type it again: ") == phrase else None


def cmd_workspace(args: argparse.Namespace) -> int:
    from analytics import access

    con = common.open_store(args)  # a locked store fails here, before any prompt
    ws = store.get_workspace(con, args.workspace)
    if args.clear:
        if not access.has_passphrase(con, ws.id):
            print(f"{ws.name!r} has no passphrase; nothing to do.")
            return 0
        access.clear_passphrase(con, ws.id)
        print(f"Passphrase removed from {ws.name!r}: a shared server will not open it now.")
        return 0
    phrase = _read_secret(f"New passphrase for {ws.name}", args.stdin)
    if phrase is None:
        return common.fail("the two passphrases differ; nothing was changed", common.EXIT_STORE)
    access.set_passphrase(con, ws.id, phrase)
    print(f"Passphrase set for {ws.name!r}. Keep it safe: it cannot be shown, only replaced.")
    return 0


def cmd_admin(args: argparse.Namespace) -> int:
    from analytics import access

    con = common.open_store(args)  # a locked store fails here, before any prompt
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
        return common.fail("the two secrets differ; nothing was changed", common.EXIT_STORE)
    access.set_admin_passphrase(con, phrase)
    print("Admin secret set. Keep it safe: it cannot be shown, only replaced.")
    return 0


def _invitation_line(inv: Any) -> str:
    what = "new business" if inv.kind == "workspace" else f"group {inv.group_id}"
    return (
        f"{inv.id:>4}  [{inv.state():^7}] {what}, made {inv.created_at:%Y-%m-%d}, "
        f"until {inv.expires_at:%Y-%m-%d}{'  ' + inv.note if inv.note else ''}"
    )


def _invitation_json(inv: Any) -> dict[str, Any]:
    return record_json(inv, leave_out=("used_by",))


def cmd_invite(args: argparse.Namespace) -> int:
    from analytics import access, peers

    action = args.invite_action
    con = common.open_store(args, read_only=action == "list")
    if action == "revoke":
        inv = access.revoke_invitation(con, args.invitation_id, by=None)
        print(f"Invitation {inv.id} is withdrawn: its code no longer works.")
        return 0
    by = store.get_workspace(con, args.workspace).id if args.workspace else None
    if action == "list":
        listed = access.list_invitations(con, by=by, everyone=args.all)
        return common.print_listing(
            args, listed, _invitation_json, _invitation_line, empty="No invitations."
        )
    group_id = None
    if args.group:
        if by is None:
            return common.fail(
                "a group invitation comes from a member: give --workspace", common.EXIT_STORE
            )
        group = peers.find_group(con, args.group, viewer=by)
        if group is None:
            return common.fail(
                f"{args.workspace!r} is in no peer group called {args.group!r}", common.EXIT_STORE
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
    "workspace": cmd_workspace,
    "admin": cmd_admin,
    "invite": cmd_invite,
}
