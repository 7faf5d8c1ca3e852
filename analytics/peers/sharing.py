"""Cards in a group: publishing one, the latest as a file, and importing one from elsewhere."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from analytics.errors import PeerError
from analytics.indicators import Result
from analytics.indicators.stored import scoreboard_results
from analytics.peers.cards import Card, build_card, card_json, parse_card
from analytics.peers.groups import _group, get_group, require_member
from analytics.queries import query
from analytics.settings import get_settings
from analytics.store import Connection, last_data_date, transaction


@dataclass(frozen=True)
class ImportOutcome:
    added: bool  # False: this exact card was already in the group
    new_member: bool
    member_key: str
    message: str


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
