"""Peer groups and their members: who is in a group, what each member chose to publish.

A group's data is its members' business only. Every function that reads or changes a group's
members takes `viewer`, the workspace acting (which the caller has already let in: unlocked on
a shared server), and raises AccessDenied unless it is a member — the same answer whether the
group does not exist or the viewer is not in it. Becoming a member takes an invitation code
from a member (`accept_invitation`) or a member vouching (`sponsor`, for the owner of several
businesses on one server); the founder of a group is its first member.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analytics import access
from analytics.access import Clock
from analytics.errors import AccessDenied, PeerError
from analytics.indicators import REGISTRY, Indicator
from analytics.store import Connection, get_workspace_by_id, transaction

# Units that are amounts, not rates: published only when the member opts in to share amounts.
AMOUNT_UNITS = frozenset({"money", "count"})
MAX_NAME = 80
MAX_GROUP_NAME = 80
MAX_RESET_ITEM = 300


def clean_text(text: str) -> str:
    """A name or item as kept: runs of white space (new lines too) made one space, no ends."""
    return " ".join(str(text).split())


@dataclass(frozen=True)
class Group:
    id: int
    name: str
    created_at: datetime


@dataclass(frozen=True)
class Member:
    group_id: int
    member_key: str
    workspace_id: int | None  # None: a member on another server, known from imported cards
    name: str
    show_name: bool
    share_amounts: bool
    published_ids: tuple[str, ...]
    reset_item: str
    joined_at: datetime

    @property
    def imported(self) -> bool:
        return self.workspace_id is None


# ---------------------------------------------------------------- what may be published


def publishable(ind: Indicator, share_amounts: bool) -> bool:
    """Rates, ratios, shares, hours, months and days always; money and counts only on opt-in."""
    return share_amounts or ind.unit not in AMOUNT_UNITS


def publishable_ids(share_amounts: bool) -> list[str]:
    """The indicator ids a member may publish, in registry order."""
    return [i.id for i in REGISTRY.values() if publishable(i, share_amounts)]


# ---------------------------------------------------------------- groups and members


def too_long(what: str, limit: int, got: int) -> str:
    return f"The {what} is too long: at most {limit} characters, got {got}."


def _clean_name(text: str, what: str, limit: int) -> str:
    clean = clean_text(text)
    if len(clean) > limit:
        raise PeerError(too_long(what, limit, len(clean)))
    return clean


_GROUP_COLUMNS = "id, name, created_at"


def _group(con: Connection, group_id: int) -> Group:
    rows = (
        con.cursor()
        .execute(f"SELECT {_GROUP_COLUMNS} FROM peer_groups WHERE id = $g", {"g": group_id})
        .fetchall()
    )
    if not rows:
        raise AccessDenied(access.NOT_A_MEMBER)
    return Group(*rows[0])


def require_member(con: Connection, group_id: int, viewer: int) -> Member:
    """The viewer's own membership of the group; AccessDenied when it is not a member (or there
    is no such group: nobody outside is told which)."""
    member = membership(con, group_id, viewer)
    if member is None:
        raise AccessDenied(access.NOT_A_MEMBER)
    return member


def list_groups(con: Connection, workspace_ids: Iterable[int]) -> list[Group]:
    """The groups any of these workspaces belongs to: the viewer alone on a shared server, or
    every business of the owner of a normal one."""
    rows = (
        con.cursor()
        .execute(
            f"SELECT {_GROUP_COLUMNS} FROM peer_groups WHERE id IN (SELECT group_id FROM "
            "peer_members WHERE list_contains($ws, workspace_id)) ORDER BY lower(name), id",
            {"ws": [int(w) for w in workspace_ids]},
        )
        .fetchall()
    )
    return [Group(*r) for r in rows]


def get_group(con: Connection, group_id: int, *, viewer: int) -> Group:
    require_member(con, group_id, viewer)
    return _group(con, group_id)


def find_group(con: Connection, name: str, *, viewer: int) -> Group | None:
    """The viewer's group with this name (case does not count), if it is in one."""
    clean = clean_text(name).lower()
    return next((g for g in list_groups(con, [viewer]) if g.name.lower() == clean), None)


_MEMBER_COLUMNS = (
    "group_id, member_key, workspace_id, name, show_name, share_amounts, published_ids, "
    "reset_item, joined_at"
)


def _member(row: tuple[Any, ...]) -> Member:
    values = list(row)
    values[6] = tuple(json.loads(values[6] or "[]"))
    return Member(*values)


def _members_where(con: Connection, condition: str, params: dict[str, Any]) -> list[Member]:
    """Members rows matching `condition` (SQL written here, values only as parameters)."""
    rows = (
        con.cursor()
        .execute(f"SELECT {_MEMBER_COLUMNS} FROM peer_members WHERE {condition}", params)
        .fetchall()
    )
    return [_member(r) for r in rows]


def members(con: Connection, group_id: int, *, viewer: int) -> list[Member]:
    """Every member of a group, in the order they joined."""
    require_member(con, group_id, viewer)
    return _members_where(con, "group_id = $g ORDER BY joined_at, member_key", {"g": group_id})


def membership(con: Connection, group_id: int, workspace_id: int) -> Member | None:
    """This workspace's own membership of the group, if it joined (None tells nothing else)."""
    found = _members_where(
        con, "group_id = $g AND workspace_id = $w", {"g": group_id, "w": workspace_id}
    )
    return found[0] if found else None


def get_member(con: Connection, group_id: int, member_key: str, *, viewer: int) -> Member:
    require_member(con, group_id, viewer)
    found = _members_where(
        con, "group_id = $g AND member_key = $k", {"g": group_id, "k": member_key}
    )
    if not found:
        raise PeerError("That member is not in this peer group.")
    return found[0]


def _checked_ids(published_ids: list[str] | tuple[str, ...], share_amounts: bool) -> list[str]:
    unknown = [i for i in published_ids if i not in REGISTRY]
    if unknown:
        raise PeerError(f"Unknown indicator(s): {', '.join(unknown)}.")
    amounts = [
        REGISTRY[i].label for i in published_ids if not publishable(REGISTRY[i], share_amounts)
    ]
    if amounts:
        raise PeerError(
            f"{', '.join(amounts)}: amounts are published only when you choose to share "
            "amounts. Tick 'Share amounts' or leave them out."
        )
    chosen = set(published_ids)
    return [i for i in REGISTRY if i in chosen]  # registry order, no duplicates


def _choices(
    con: Connection,
    workspace_id: int,
    published_ids: list[str] | tuple[str, ...] | None,
    name: str | None,
    show_name: bool,
    share_amounts: bool,
    reset_item: str,
) -> dict[str, Any]:
    """A member's choices checked, as the parameters of its row (without group and key)."""
    ws = get_workspace_by_id(con, workspace_id)
    ids = _checked_ids(
        publishable_ids(share_amounts) if published_ids is None else published_ids, share_amounts
    )
    if not ids:
        raise PeerError("Choose at least one figure to publish.")
    clean_name = _clean_name(ws.display_name if name is None else name, "name", MAX_NAME)
    if show_name and not clean_name:
        raise PeerError("Type the name to show, or keep your name hidden.")
    item = _clean_name(reset_item, "reset item", MAX_RESET_ITEM)
    return {
        "w": workspace_id,
        "n": clean_name,
        "s": show_name,
        "a": share_amounts,
        "p": json.dumps(ids),
        "r": item,
    }


def _add_member(tx: Connection, group_id: int, params: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO peer_members (group_id, member_key, workspace_id, name, show_name, "
        "share_amounts, published_ids, reset_item) VALUES ($g, $k, $w, $n, $s, $a, $p, $r)",
        {**params, "g": group_id, "k": uuid.uuid4().hex},
    )


def create_group(con: Connection, name: str, *, founder: int) -> Group:
    """A new peer group with `founder` as its first member (publishing every rate, name hidden,
    no amounts, until it changes its choices). Two businesses may each have a group of the same
    name, so a name never tells anyone that someone else's group exists."""
    clean = _clean_name(name, "group name", MAX_GROUP_NAME)
    if not clean:
        raise PeerError("Give the peer group a name.")
    if find_group(con, clean, viewer=founder) is not None:
        raise PeerError(f"This business is already in a peer group called {clean!r}.")
    params = _choices(con, founder, None, None, False, False, "")
    with transaction(con) as tx:
        row = tx.execute(
            "INSERT INTO peer_groups (name) VALUES ($n) RETURNING id", {"n": clean}
        ).fetchall()
        group_id = int(row[0][0])
        _add_member(tx, group_id, params)
    return _group(con, group_id)


def join_group(
    con: Connection,
    group_id: int,
    workspace_id: int,
    *,
    sponsor: int | None = None,
    published_ids: list[str] | tuple[str, ...] | None = None,
    name: str | None = None,
    show_name: bool = False,
    share_amounts: bool = False,
    reset_item: str = "",
) -> Member:
    """Change a member's choices, or join: a workspace not yet in the group needs a `sponsor`,
    a member workspace of the same owner (else AccessDenied: use an invitation code).

    `published_ids` None means every indicator publishable under `share_amounts`. `name`
    defaults to the workspace's display name; it leaves this server only with `show_name`.
    The member key never changes.
    """
    params = _choices(con, workspace_id, published_ids, name, show_name, share_amounts, reset_item)
    existing = membership(con, group_id, workspace_id)
    if existing is None and (sponsor is None or not access.is_member(con, group_id, sponsor)):
        raise AccessDenied("Joining a peer group takes an invitation code from one of its members.")
    with transaction(con) as tx:
        if existing is None:
            _add_member(tx, group_id, params)
        else:
            tx.execute(
                "UPDATE peer_members SET name = $n, show_name = $s, share_amounts = $a, "
                "published_ids = $p, reset_item = $r WHERE group_id = $g AND workspace_id = $w",
                {**params, "g": group_id},
            )
    joined = membership(con, group_id, workspace_id)
    assert joined is not None
    return joined


def accept_invitation(
    con: Connection,
    code: str,
    workspace_id: int,
    *,
    published_ids: list[str] | tuple[str, ...] | None = None,
    name: str | None = None,
    show_name: bool = False,
    share_amounts: bool = False,
    reset_item: str = "",
    clock: Clock | None = None,
    now: datetime | None = None,
) -> tuple[Group, Member]:
    """Join the group a member's invitation code is for (the code is spent by this)."""
    params = _choices(con, workspace_id, published_ids, name, show_name, share_amounts, reset_item)

    def join(tx: Connection, group_id: int) -> int:
        known = tx.execute(
            "SELECT 1 FROM peer_members WHERE group_id = $g AND workspace_id = $w",
            {"g": group_id, "w": workspace_id},
        ).fetchall()
        if known:
            raise PeerError("This business is already in that peer group; the code stays unused.")
        _add_member(tx, group_id, params)
        return group_id

    group_id = access.redeem_group_invitation(con, code, workspace_id, join, clock=clock, now=now)
    member = membership(con, group_id, workspace_id)
    assert member is not None
    return _group(con, group_id), member


def set_reset_item(
    con: Connection, group_id: int, member_key: str, reset_item: str, *, viewer: int
) -> None:
    """The reset item a member brings to the next review session (any member, imported too)."""
    get_member(con, group_id, member_key, viewer=viewer)
    item = _clean_name(reset_item, "reset item", MAX_RESET_ITEM)
    with transaction(con) as tx:
        tx.execute(
            "UPDATE peer_members SET reset_item = $r WHERE group_id = $g AND member_key = $k",
            {"r": item, "g": group_id, "k": member_key},
        )


def leave_group(con: Connection, group_id: int, member_key: str, *, viewer: int) -> None:
    """Remove a member and every card it published to the group: the viewer itself, or a member
    known only from imported cards (another business here leaves only by its own hand)."""
    target = get_member(con, group_id, member_key, viewer=viewer)
    if target.workspace_id is not None and target.workspace_id != viewer:
        raise AccessDenied("Only that business can take itself out of the group.")
    cards = "SELECT id FROM peer_cards WHERE group_id = $g AND member_key = $k"
    with transaction(con) as tx:
        tx.execute(
            f"DELETE FROM peer_card_values WHERE card_id IN ({cards})",
            {"g": group_id, "k": member_key},
        )
        tx.execute(
            "DELETE FROM peer_cards WHERE group_id = $g AND member_key = $k",
            {"g": group_id, "k": member_key},
        )
        tx.execute(
            "DELETE FROM peer_members WHERE group_id = $g AND member_key = $k",
            {"g": group_id, "k": member_key},
        )
