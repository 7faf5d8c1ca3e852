"""Invitation codes: single-use, expiring codes to start a new business on a shared server or
to bring an existing one into a peer group. Only a code's SHA-256 is kept; spending one is
throttled like any typed secret and happens in the same transaction as what it opens.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from analytics import access, store
from analytics.access import (
    ADMIN_KEY,
    CODE_PREFIX,
    INVITATION_KEY,
    WRONG_CREDENTIAL,
    Clock,
    _stamp,
    check_strength,
    log,
)
from analytics.access.passphrases import _admin_try, create_protected_workspace
from analytics.access.throttle import _gate, _passed
from analytics.errors import AccessDenied, AccessError

INVITATION_DAYS = 7
MAX_INVITATION_DAYS = 90

InvitationKind = Literal["workspace", "group"]
R = TypeVar("R")

NOT_A_MEMBER = (
    "This business is not a member of that peer group (or there is no such group here). "
    "Ask a member for an invitation code."
)


@dataclass(frozen=True)
class Invitation:
    """An invitation as its maker sees it: everything but the code, which only its hash keeps."""

    id: int
    kind: InvitationKind  # workspace: start a new business; group: join one peer group
    group_id: int | None
    made_by: int | None  # the workspace that made it; None: the server's admin
    note: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by: int | None  # the workspace created with it, or that joined the group
    revoked_at: datetime | None

    def state(self, now: datetime | None = None) -> str:
        """'open', 'used', 'revoked' or 'expired'."""
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or datetime.now()):
            return "expired"
        return "open"


_INVITATION_COLUMNS = (
    "id, kind, group_id, workspace_id, note, created_at, expires_at, used_at, used_by, revoked_at"
)


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


def looks_like_code(text: str) -> bool:
    return text.strip().startswith(CODE_PREFIX)


def _invitations(con: store.Connection, where: str, params: dict[str, Any]) -> list[Invitation]:
    rows = (
        con.cursor()
        .execute(
            f"SELECT {_INVITATION_COLUMNS} FROM invitations WHERE {where} "
            "ORDER BY created_at DESC, id DESC",
            params,
        )
        .fetchall()
    )
    return [Invitation(*r) for r in rows]


def is_member(con: store.Connection, group_id: int, workspace_id: int) -> bool:
    """Does this workspace belong to the peer group? (The one membership test both this module
    and analytics.peers rely on.)"""
    rows = (
        con.cursor()
        .execute(
            "SELECT 1 FROM peer_members WHERE group_id = $g AND workspace_id = $w",
            {"g": group_id, "w": workspace_id},
        )
        .fetchall()
    )
    return bool(rows)


def create_invitation(
    con: store.Connection,
    *,
    by: int | None,
    group_id: int | None = None,
    days: int = INVITATION_DAYS,
    note: str = "",
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """A new single-use invitation and its code (returned this once, never kept).

    Without `group_id` it lets someone start a new business here; `by` is the workspace that
    invites (None: the admin). With `group_id` it lets an existing business join that peer
    group, and only a member (`by`) may make it.
    """
    if not 1 <= int(days) <= MAX_INVITATION_DAYS:
        raise AccessError(f"An invitation lasts between 1 and {MAX_INVITATION_DAYS} days.")
    if by is not None:
        store.get_workspace_by_id(con, by)
    if group_id is not None and (by is None or not is_member(con, group_id, by)):
        raise AccessDenied(
            "Only a member of a peer group can invite a business into it."
            if by is None
            else NOT_A_MEMBER
        )
    when = (now or datetime.now()).replace(microsecond=0)
    code = CODE_PREFIX + secrets.token_urlsafe(16)
    with store.transaction(con) as tx:
        row = tx.execute(
            "INSERT INTO invitations (code_hash, kind, group_id, workspace_id, note, created_at, "
            "expires_at) VALUES ($h, $k, $g, $w, $n, $c, $e) RETURNING id",
            {
                "h": _code_hash(code),
                "k": "group" if group_id is not None else "workspace",
                "g": group_id,
                "w": by,
                "n": " ".join(note.split())[:200],
                "c": when,
                "e": when + timedelta(days=int(days)),
            },
        ).fetchall()
    (made,) = _invitations(con, "id = $i", {"i": int(row[0][0])})
    return made, code


def list_invitations(
    con: store.Connection, *, by: int | None, group_id: int | None = None, everyone: bool = False
) -> list[Invitation]:
    """The invitations `by` made (None: the admin's), newest first, optionally for one group;
    `everyone` lists every invitation on the server (the command line's admin view)."""
    clauses, params = [], {}
    if not everyone:
        clauses.append("workspace_id IS NOT DISTINCT FROM $by")
        params["by"] = by
    if group_id is not None:
        clauses.append("group_id = $g")
        params["g"] = group_id
    return _invitations(con, " AND ".join(clauses) or "true", params)


def revoke_invitation(
    con: store.Connection, invitation_id: int, *, by: int | None, now: datetime | None = None
) -> Invitation:
    """Turn an unused invitation off for good. Its maker may; so may the admin (by=None)."""
    found = _invitations(con, "id = $i", {"i": invitation_id})
    if not found or (by is not None and found[0].made_by != by):
        raise AccessDenied(f"No invitation {invitation_id} made by this business.")
    inv = found[0]
    if inv.used_at is not None:
        raise AccessError(f"Invitation {invitation_id} was already used; there is nothing to stop.")
    if inv.revoked_at is None:
        with store.transaction(con) as tx:
            tx.execute(
                "UPDATE invitations SET revoked_at = $t WHERE id = $i",
                {"t": (now or datetime.now()).replace(microsecond=0), "i": invitation_id},
            )
    return _invitations(con, "id = $i", {"i": invitation_id})[0]


def _open_invitation(
    con: store.Connection, code: str, kind: InvitationKind, when: datetime, at: float
) -> Invitation:
    """The open invitation of this kind behind `code`; AccessDenied says what is wrong."""
    found = _invitations(con, "code_hash = $h", {"h": _code_hash(code)}) if code.strip() else []
    if not found:
        log.warning("unknown invitation code at %s", _stamp(at))
        raise AccessDenied(WRONG_CREDENTIAL)
    inv = found[0]
    state = inv.state(when)
    if state != "open":
        said = {
            "used": "was already used",
            "revoked": "was withdrawn by whoever made it",
            "expired": f"expired on {inv.expires_at:%Y-%m-%d}",
        }[state]
        raise AccessDenied(f"That invitation {said}. Ask for a new one.")
    if inv.kind != kind:
        raise AccessDenied(
            "That code invites an existing business into a peer group: open your business "
            "first, then use it on the Peers page."
            if inv.kind == "group"
            else "That code is for starting a new business on this server, not for joining a "
            "peer group."
        )
    return inv


def _claim(tx: store.Connection, invitation_id: int, used_by: int, when: datetime) -> bool:
    """Mark an invitation used, unless someone used it a moment earlier (then False)."""
    rows = tx.execute(
        "UPDATE invitations SET used_at = $t, used_by = $u WHERE id = $i AND used_at IS NULL "
        "AND revoked_at IS NULL AND expires_at > $t RETURNING id",
        {"t": when.replace(microsecond=0), "u": used_by, "i": invitation_id},
    ).fetchall()
    return bool(rows)


def create_shared_workspace(
    con: store.Connection,
    name: str,
    phrase: str,
    credential: str,
    *,
    clock: Clock | None = None,
    now: datetime | None = None,
) -> store.Workspace:
    """Start a new business on a shared server, with its passphrase from the start.

    `credential` is a workspace invitation code (spent by this) or the admin secret; both are
    throttled. A name already taken is refused after the credential is checked, and counts
    as a wrong try, so an invitation cannot be used to list the names on the server.
    """
    check_strength(phrase)
    at = access._now(clock)
    when = now or datetime.now()
    invitation: Invitation | None = None
    if looks_like_code(credential):
        key = INVITATION_KEY
        _gate(con, key, at)
        invitation = _open_invitation(con, credential, "workspace", when, at)
    else:
        key = ADMIN_KEY
        _admin_try(con, credential, at)
    ws = create_protected_workspace(con, name, phrase)
    if invitation is not None:
        with store.transaction(con) as tx:
            claimed = _claim(tx, invitation.id, ws.id, when)
        if not claimed:
            store.delete_workspace(con, ws.name)
            raise AccessDenied("That invitation was used a moment ago. Ask for a new one.")
    _passed(con, key)
    return ws


def redeem_group_invitation(
    con: store.Connection,
    code: str,
    workspace_id: int,
    join: Callable[[store.Connection, int], R],
    *,
    clock: Clock | None = None,
    now: datetime | None = None,
) -> R:
    """Use a group invitation for a workspace: `join(tx, group_id)` adds the membership in the
    transaction that spends the code, so a code is spent exactly when someone joins."""
    at = access._now(clock)
    when = now or datetime.now()
    _gate(con, INVITATION_KEY, at)
    inv = _open_invitation(con, code, "group", when, at)
    assert inv.group_id is not None
    with store.transaction(con) as tx:
        if not _claim(tx, inv.id, workspace_id, when):
            raise AccessDenied("That invitation was used a moment ago. Ask for a new one.")
        result = join(tx, inv.group_id)
    _passed(con, INVITATION_KEY)
    return result
