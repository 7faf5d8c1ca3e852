"""Peer groups: members publish dated KPI cards (rates, ratios and statuses), the group's spread.

A card carries only what a member chose to publish: per indicator its id, unit, value and
status. Never a coaching message, a detail or a frame (those name customers and people);
money and counts only when the member opted in to share amounts, and their name only when
they opted in to show it. The same card exports as a small JSON file and imports into a
group on another server, where it is checked field by field before anything is written.

A group's data is its members' business only. Every function that reads or changes a group's
members, cards or figures takes `viewer`, the workspace acting (which the caller has already
let in: unlocked on a shared server), and raises AccessDenied unless it is a member — the same
answer whether the group does not exist or the viewer is not in it. Becoming a member takes
an invitation code from a member (`accept_invitation`) or a member vouching (`sponsor`, for
the owner of several businesses on one server); the founder of a group is its first member.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from analytics import access
from analytics.access import Clock
from analytics.errors import AccessDenied, PeerError
from analytics.indicators import REGISTRY, Indicator, Result
from analytics.indicators.stored import scoreboard_results
from analytics.queries import query
from analytics.settings import get_settings
from analytics.store import Connection, get_workspace_by_id, last_data_date, transaction

CARD_FORMAT = "opening-day-kpi-card"
CARD_VERSION = 1
# A card with every indicator is about 3 KB; anything near this limit is not a card.
MAX_CARD_BYTES = 256 * 1024
STATUSES = ("red", "amber", "green", "unknown")
# Units that are amounts, not rates: published only when the member opts in to share amounts.
AMOUNT_UNITS = frozenset({"money", "count"})
MAX_NAME = 80
MAX_GROUP_NAME = 80
MAX_RESET_ITEM = 300

_KEY_RE = re.compile(r"^[0-9a-f]{32}$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_CARD_KEYS = {
    "format",
    "version",
    "member",
    "group",
    "published_at",
    "as_of",
    "currency",
    "share_amounts",
    "figures",
}
_REQUIRED_KEYS = ("format", "version", "member", "group", "published_at", "figures")
_MEMBER_KEYS = {"key", "name", "show_name"}
_FIGURE_KEYS = {"id", "unit", "value", "status"}


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


@dataclass(frozen=True)
class Figure:
    id: str
    unit: str
    value: float | None
    status: str


@dataclass(frozen=True)
class Card:
    member_key: str
    member_name: str | None  # only when the member opted in to show it
    group: str
    published_at: datetime
    as_of: date | None
    currency: str | None  # only when the member opted in to share amounts
    figures: tuple[Figure, ...]

    @property
    def share_amounts(self) -> bool:
        return self.currency is not None


@dataclass(frozen=True)
class ImportOutcome:
    added: bool  # False: this exact card was already in the group
    new_member: bool
    member_key: str
    message: str


# ---------------------------------------------------------------- what may be published


def publishable(ind: Indicator, share_amounts: bool) -> bool:
    """Rates, ratios, shares, hours, months and days always; money and counts only on opt-in."""
    return share_amounts or ind.unit not in AMOUNT_UNITS


def publishable_ids(share_amounts: bool) -> list[str]:
    """The indicator ids a member may publish, in registry order."""
    return [i.id for i in REGISTRY.values() if publishable(i, share_amounts)]


# ---------------------------------------------------------------- groups and members


def _clean_name(text: str, what: str, limit: int) -> str:
    clean = " ".join(str(text).split())
    if len(clean) > limit:
        raise PeerError(f"The {what} is too long: at most {limit} characters, got {len(clean)}.")
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
    clean = " ".join(name.split()).lower()
    return next((g for g in list_groups(con, [viewer]) if g.name.lower() == clean), None)


_MEMBER_COLUMNS = (
    "group_id, member_key, workspace_id, name, show_name, share_amounts, published_ids, "
    "reset_item, joined_at"
)


def _member(row: tuple[Any, ...]) -> Member:
    values = list(row)
    values[6] = tuple(json.loads(values[6] or "[]"))
    return Member(*values)


def members(con: Connection, group_id: int, *, viewer: int) -> list[Member]:
    """Every member of a group, in the order they joined."""
    require_member(con, group_id, viewer)
    rows = (
        con.cursor()
        .execute(
            f"SELECT {_MEMBER_COLUMNS} FROM peer_members WHERE group_id = $g "
            "ORDER BY joined_at, member_key",
            {"g": group_id},
        )
        .fetchall()
    )
    return [_member(r) for r in rows]


def membership(con: Connection, group_id: int, workspace_id: int) -> Member | None:
    """This workspace's own membership of the group, if it joined (None tells nothing else)."""
    rows = (
        con.cursor()
        .execute(
            f"SELECT {_MEMBER_COLUMNS} FROM peer_members WHERE group_id = $g AND workspace_id = $w",
            {"g": group_id, "w": workspace_id},
        )
        .fetchall()
    )
    return _member(rows[0]) if rows else None


def get_member(con: Connection, group_id: int, member_key: str, *, viewer: int) -> Member:
    require_member(con, group_id, viewer)
    rows = (
        con.cursor()
        .execute(
            f"SELECT {_MEMBER_COLUMNS} FROM peer_members WHERE group_id = $g AND member_key = $k",
            {"g": group_id, "k": member_key},
        )
        .fetchall()
    )
    if not rows:
        raise PeerError("That member is not in this peer group.")
    return _member(rows[0])


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


# ---------------------------------------------------------------- cards


def build_card(
    member: Member,
    group: Group,
    results: dict[str, Result],
    *,
    published_at: datetime,
    as_of: date | None,
    currency: str,
) -> Card:
    """The card a member publishes: only its chosen, publishable figures, value and status.

    A figure that cannot be computed goes out as status unknown with no value, so peers see
    it is missing rather than a made-up zero.
    """
    figures = []
    for ind_id in member.published_ids:
        ind = REGISTRY.get(ind_id)
        if ind is None or not publishable(ind, member.share_amounts):
            continue
        r = results.get(ind_id)
        value = float(r.value) if r is not None and r.known and r.value is not None else None
        if r is None or value is None or not math.isfinite(value):
            figures.append(Figure(ind_id, ind.unit, None, "unknown"))
        else:
            figures.append(Figure(ind_id, ind.unit, value, r.status))
    return Card(
        member.member_key,
        member.name if member.show_name and member.name else None,
        group.name,
        published_at.replace(microsecond=0),
        as_of,
        currency if member.share_amounts else None,
        tuple(figures),
    )


def card_dict(card: Card) -> dict[str, Any]:
    """A card in its file format (plain JSON types)."""
    data: dict[str, Any] = {
        "format": CARD_FORMAT,
        "version": CARD_VERSION,
        "member": {"key": card.member_key},
        "group": card.group,
        "published_at": card.published_at.isoformat(timespec="seconds"),
        "as_of": card.as_of.isoformat() if card.as_of else None,
    }
    if card.member_name:
        data["member"]["name"] = card.member_name
    if card.currency:
        data["currency"] = card.currency
    data["figures"] = [
        {"id": f.id, "unit": f.unit, "value": f.value, "status": f.status} for f in card.figures
    ]
    return data


def card_json(card: Card) -> str:
    """The card as the exported file's text: canonical, so the same card is the same text."""
    return json.dumps(card_dict(card), indent=1, sort_keys=True, allow_nan=False)


def _store_card(tx: Connection, group_id: int, card: Card, source: str) -> int:
    row = tx.execute(
        "INSERT INTO peer_cards (group_id, member_key, published_at, as_of, source, card) "
        "VALUES ($g, $k, $p, $d, $s, $c) RETURNING id",
        {
            "g": group_id,
            "k": card.member_key,
            "p": card.published_at,
            "d": card.as_of,
            "s": source,
            "c": card_json(card),
        },
    ).fetchall()
    card_id = int(row[0][0])
    if card.figures:
        tx.executemany(
            "INSERT INTO peer_card_values (card_id, indicator_id, unit, value, status) "
            "VALUES (?, ?, ?, ?, ?)",
            [[card_id, f.id, f.unit, f.value, f.status] for f in card.figures],
        )
    return card_id


def publish(
    con: Connection,
    group_id: int,
    workspace_id: int,
    as_of: date | None = None,
    *,
    results: dict[str, Result] | None = None,
    published_at: datetime | None = None,
) -> Card:
    """Publish the workspace's card to the group, dated now, with figures as of `as_of`.

    `results` defaults to the Scoreboard's kept results for that day (cheap when fresh);
    `as_of` None means the last day of the data, which the card records.
    """
    member = require_member(con, group_id, workspace_id)
    group = _group(con, group_id)
    figures = results if results is not None else scoreboard_results(con, workspace_id, as_of)
    day = as_of or last_data_date(con, workspace_id)
    card = build_card(
        member,
        group,
        figures,
        published_at=published_at or datetime.now(),
        as_of=pd.Timestamp(day).date() if day is not None else None,
        currency=str(get_settings(con, workspace_id)["currency"]),
    )
    with transaction(con) as tx:
        _store_card(tx, group_id, card, "here")
    return card


def latest_card_json(con: Connection, group_id: int, member_key: str, *, viewer: int) -> str | None:
    """The member's latest card as file text (what 'Export my card' downloads), or None."""
    require_member(con, group_id, viewer)
    rows = (
        con.cursor()
        .execute(
            "SELECT card FROM peer_cards WHERE group_id = $g AND member_key = $k "
            "ORDER BY published_at DESC, id DESC LIMIT 1",
            {"g": group_id, "k": member_key},
        )
        .fetchall()
    )
    return str(rows[0][0]) if rows else None


def cards(con: Connection, group_id: int, *, viewer: int) -> pd.DataFrame:
    """Every card of the group, newest first: card_id, member_key, published_at, as_of, source
    ('here' or 'import') and how many figures it holds."""
    require_member(con, group_id, viewer)
    return query(con, "peer_cards", {"g": group_id})


# ---------------------------------------------------------------- reading a card file


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _when(text: Any, what: str) -> datetime:
    if not isinstance(text, str):
        raise PeerError(f"'{what}' must be a date and time written as text (ISO 8601).")
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise PeerError(f"'{what}' is not a date and time: {text[:40]!r}.") from None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC).replace(tzinfo=None)
    return stamp.replace(microsecond=0)


def _figure(n: int, raw: Any, share_amounts: bool) -> Figure:
    where = f"Figure {n}"
    if not isinstance(raw, dict):
        raise PeerError(f"{where} is not an object with id, unit, value and status.")
    extra = sorted(set(raw) - _FIGURE_KEYS)
    if extra:
        raise PeerError(
            f"{where} has unexpected field(s) {', '.join(map(repr, extra))}: a card carries "
            "only id, unit, value and status (never messages or details, which name people)."
        )
    missing = [k for k in ("id", "unit", "value", "status") if k not in raw]
    if missing:
        raise PeerError(f"{where} lacks {', '.join(missing)}.")
    ind_id = raw["id"]
    if not isinstance(ind_id, str) or ind_id not in REGISTRY:
        shown = ind_id[:60] if isinstance(ind_id, str) else ind_id
        raise PeerError(f"{where} names an unknown indicator {shown!r}.")
    ind = REGISTRY[ind_id]
    where = f"Figure {n} ({ind_id})"
    if raw["unit"] != ind.unit:
        raise PeerError(
            f"{where} is in unit {str(raw['unit'])[:20]!r}, but this indicator is measured in "
            f"{ind.unit!r} here."
        )
    status = raw["status"]
    if status not in STATUSES:
        raise PeerError(
            f"{where} has status {str(status)[:20]!r}; a status is one of {', '.join(STATUSES)}."
        )
    value = raw["value"]
    if value is not None:
        if not _is_number(value):
            raise PeerError(f"{where} has a value that is not a number: {str(value)[:40]!r}.")
        value = float(value)
        if not math.isfinite(value):
            raise PeerError(f"{where} has a value that is not a finite number ({value}).")
    if value is None and status != "unknown":
        raise PeerError(f"{where} has no value but status {status!r}; it should be 'unknown'.")
    if value is not None and status == "unknown":
        raise PeerError(f"{where} has a value but status 'unknown'; an unknown figure has none.")
    if ind.unit in AMOUNT_UNITS and not share_amounts:
        raise PeerError(
            f"{where} is an amount ({ind.unit}), but the card does not say its member chose to "
            "share amounts (no currency)."
        )
    return Figure(ind_id, ind.unit, value, status)


def parse_card(data: bytes | str) -> Card:
    """A card file read and checked field by field; PeerError says what is wrong."""
    raw_bytes = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw_bytes) > MAX_CARD_BYTES:
        raise PeerError(
            f"The file is {len(raw_bytes) // 1024} KB; a KPI card is at most "
            f"{MAX_CARD_BYTES // 1024} KB. Is this the right file?"
        )
    if not raw_bytes.strip():
        raise PeerError("The file is empty: it holds no KPI card.")
    try:
        text = raw_bytes.decode("utf-8-sig")
        parsed = json.loads(text)
    except UnicodeDecodeError:
        raise PeerError("The file is not text (UTF-8): it is not a KPI card.") from None
    except (ValueError, RecursionError) as exc:
        raise PeerError(f"The file is not valid JSON, so it is not a KPI card ({exc}).") from None
    if not isinstance(parsed, dict):
        raise PeerError("The file holds JSON, but not a KPI card (expected an object).")
    if parsed.get("format") != CARD_FORMAT:
        raise PeerError(
            f"The file is not an Opening Day KPI card: 'format' should be {CARD_FORMAT!r}."
        )
    version = parsed.get("version")
    if version != CARD_VERSION or not _is_number(version):
        raise PeerError(
            f"The card is version {json.dumps(version)[:20]}; this server reads version "
            f"{CARD_VERSION}. Export it again from an up-to-date Opening Day."
        )
    extra = sorted(set(parsed) - _CARD_KEYS)
    if extra:
        raise PeerError(f"The card has unexpected field(s): {', '.join(map(repr, extra[:5]))}.")
    missing = [k for k in _REQUIRED_KEYS if k not in parsed]
    if missing:
        raise PeerError(f"The card lacks {', '.join(missing)}.")

    member = parsed["member"]
    if not isinstance(member, dict):
        raise PeerError("'member' must be an object with the member's key.")
    extra = sorted(set(member) - _MEMBER_KEYS)
    if extra:
        raise PeerError(f"'member' has unexpected field(s): {', '.join(map(repr, extra))}.")
    key = member.get("key")
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise PeerError("'member.key' must be 32 hexadecimal characters (a random id).")
    name = member.get("name")
    show_name = member.get("show_name", name is not None)
    if not isinstance(show_name, bool):
        raise PeerError("'member.show_name' must be true or false.")
    if name is not None:
        if not isinstance(name, str):
            raise PeerError("'member.name' must be text.")
        if not show_name:
            raise PeerError(
                "The card names its member although the member did not choose to show their "
                "name: refused, to keep them anonymous."
            )
        name = _clean_name(name, "member name", MAX_NAME) or None

    group = parsed["group"]
    if not isinstance(group, str) or not group.strip():
        raise PeerError("'group' must be the name of the peer group, as text.")
    group = _clean_name(group, "group name", MAX_GROUP_NAME)
    published_at = _when(parsed["published_at"], "published_at")
    as_of_raw = parsed.get("as_of")
    as_of = None
    if as_of_raw is not None:
        if not isinstance(as_of_raw, str):
            raise PeerError("'as_of' must be a date written as text (YYYY-MM-DD).")
        try:
            as_of = date.fromisoformat(as_of_raw)
        except ValueError:
            raise PeerError(f"'as_of' is not a date: {as_of_raw[:40]!r}.") from None

    currency = parsed.get("currency")
    share_flag = parsed.get("share_amounts")
    if share_flag is not None and not isinstance(share_flag, bool):
        raise PeerError("'share_amounts' must be true or false.")
    if currency is not None and (not isinstance(currency, str) or not _CURRENCY_RE.match(currency)):
        raise PeerError("'currency' must be a three-letter currency code such as USD or EUR.")
    if share_flag is False and currency is not None:
        raise PeerError("The card gives a currency although its member chose not to share amounts.")
    share_amounts = currency is not None

    raw_figures = parsed["figures"]
    if not isinstance(raw_figures, list):
        raise PeerError("'figures' must be a list.")
    if not raw_figures:
        raise PeerError("The card has no figures: nothing to compare.")
    if len(raw_figures) > len(REGISTRY):
        raise PeerError(
            f"The card has {len(raw_figures)} figures; there are only {len(REGISTRY)} indicators."
        )
    figures = [_figure(n, f, share_amounts) for n, f in enumerate(raw_figures, start=1)]
    ids = [f.id for f in figures]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise PeerError(f"The card gives {', '.join(twice)} more than once.")
    return Card(key, name, group, published_at, as_of, currency, tuple(figures))


def import_card(con: Connection, group_id: int, data: bytes | str, *, viewer: int) -> ImportOutcome:
    """A member checks a card file and adds it to the group; nothing is written when refused.

    A card from a member not yet known here adds them (with no workspace on this server); a
    newer card of a known member adds a card, and the latest is what the group sees; the
    exact same card again changes nothing and says so.
    """
    group = get_group(con, group_id, viewer=viewer)
    card = parse_card(data)
    text = card_json(card)
    with transaction(con) as tx:
        known = tx.execute(
            "SELECT workspace_id, (SELECT max(published_at) FROM peer_cards "
            "WHERE group_id = $g AND member_key = $k) FROM peer_members "
            "WHERE group_id = $g AND member_key = $k",
            {"g": group_id, "k": card.member_key},
        ).fetchall()
        if known and known[0][0] is not None:
            raise PeerError(
                "This card belongs to a business that publishes on this server: it is "
                "already in the group. Import cards from other servers only."
            )
        same = tx.execute(
            "SELECT card FROM peer_cards WHERE group_id = $g AND member_key = $k "
            "AND published_at = $p",
            {"g": group_id, "k": card.member_key, "p": card.published_at},
        ).fetchall()
        if same:
            if any(str(s[0]) == text for s in same):
                return ImportOutcome(
                    False,
                    False,
                    card.member_key,
                    f"This card (published {card.published_at:%Y-%m-%d %H:%M}) is already in "
                    f"{group.name!r}: nothing changed.",
                )
            raise PeerError(
                "The group already holds a different card from this member published at the "
                f"same moment ({card.published_at:%Y-%m-%d %H:%M:%S}); refused."
            )
        newest = not known or known[0][1] is None or card.published_at >= known[0][1]
        member_params = {
            "g": group_id,
            "k": card.member_key,
            "n": card.member_name or "",
            "s": card.member_name is not None,
            "a": card.share_amounts,
            "p": json.dumps([f.id for f in card.figures]),
        }
        if not known:
            tx.execute(
                "INSERT INTO peer_members (group_id, member_key, workspace_id, name, show_name, "
                "share_amounts, published_ids) VALUES ($g, $k, NULL, $n, $s, $a, $p)",
                member_params,
            )
        elif newest:
            # The newest card says what the member shares now (a name withdrawn stays hidden).
            tx.execute(
                "UPDATE peer_members SET name = $n, show_name = $s, share_amounts = $a, "
                "published_ids = $p WHERE group_id = $g AND member_key = $k",
                member_params,
            )
        _store_card(tx, group_id, card, "import")
    who = card.member_name or "an anonymous member"
    note = "" if card.group == group.name else f" (it was published for {card.group!r})"
    return ImportOutcome(
        True,
        not known,
        card.member_key,
        f"Card from {who} added to {group.name!r}{note}: {len(card.figures)} figures as of "
        f"{card.as_of.isoformat() if card.as_of else 'an unstated day'}."
        + ("" if newest else " A newer card of this member stays the one shown."),
    )


# ---------------------------------------------------------------- the group's spread


def member_labels(
    con: Connection, group_id: int, *, viewer: int, mark_you: bool = True
) -> pd.DataFrame:
    """Members with the label shown for them: 'You' (unless `mark_you` is off: the labels the
    room sees), a name they opted to show, 'Member A'… A hidden name stays out of the frame, and
    `here` says whether the member publishes on this server."""
    you = require_member(con, group_id, viewer)
    frame = query(
        con, "peer_member_labels", {"g": group_id, "viewer": you.member_key if mark_you else ""}
    )
    frame["here"] = frame["workspace_id"].notna()
    frame.loc[
        ~(frame["show_name"].astype(bool) | (frame["member_key"] == you.member_key)), "name"
    ] = ""
    return frame.drop(columns=["workspace_id"])


def latest_figures(
    con: Connection,
    group_id: int,
    *,
    viewer: int,
    until: date | None = None,
    mark_you: bool = True,
) -> pd.DataFrame:
    """Each member's latest card, one row per figure, with the member's label and is_you."""
    labels = member_labels(con, group_id, viewer=viewer, mark_you=mark_you)
    figures = query(con, "peer_latest_figures", {"g": group_id, "until": until})
    return figures.merge(labels[["member_key", "label", "is_you"]], on="member_key", how="inner")


def spread(con: Connection, group_id: int, *, viewer: int) -> pd.DataFrame:
    """Per indicator (and currency, for money): members counted, low, Q1, median, Q3, high."""
    require_member(con, group_id, viewer)
    return query(con, "peer_spread", {"g": group_id})


def standing(con: Connection, group_id: int, *, viewer: int) -> pd.DataFrame:
    """The viewer's figures beside the group's quartiles, with where each one falls.

    `position` is 'bottom quartile' when the figure is on the wrong side of Q1 (or Q3 for a
    lower-is-better figure), 'top quartile' on the right side of the other, else 'middle';
    'unknown' when the viewer has no value.
    """
    stats = spread(con, group_id, viewer=viewer)
    mine = latest_figures(con, group_id, viewer=viewer)
    mine = mine[mine["is_you"]][["indicator_id", "basis", "value", "status"]]
    out = stats.merge(mine, on=["indicator_id", "basis"], how="left")
    better = out["indicator_id"].map(lambda i: REGISTRY[i].higher_is_better).astype(bool)
    below, above = out["value"] < out["q1"], out["value"] > out["q3"]
    bottom = (better & below) | (~better & above)
    top = (better & above) | (~better & below)
    out["position"] = "middle"
    out.loc[top, "position"] = "top quartile"
    out.loc[bottom, "position"] = "bottom quartile"
    out.loc[out["value"].isna(), "position"] = "unknown"
    out["status"] = out["status"].fillna("unknown")
    order = {i: n for n, i in enumerate(REGISTRY)}
    return out.sort_values(
        ["indicator_id", "basis"], key=lambda s: s.map(order) if s.name == "indicator_id" else s
    ).reset_index(drop=True)


def reds(con: Connection, group_id: int, *, viewer: int, until: date | None = None) -> pd.DataFrame:
    """Per member with a red figure on their latest card: member_key and reds (indicator ids in
    registry order)."""
    figures = latest_figures(con, group_id, viewer=viewer, until=until, mark_you=False)
    red = figures[figures["status"] == "red"]
    grouped = red.groupby("member_key", sort=False)["indicator_id"].agg(list).rename("reds")
    return grouped.reset_index()
