"""Review sessions of a peer group: a dated agenda built from the cards, commitments and their
follow-up at the next session.

The agenda runs in a fixed order: last session's commitments (done or not), then each member
in turn (their red figures and the reset item they chose), then the new commitments. Reviews
of commitments are appended, never overwritten, so what a session recorded stays readable.

Sessions belong to the group: every function takes `viewer`, the workspace acting, and raises
AccessDenied unless it is a member of the session's group (see analytics.peers) — the same
answer for a session that does not exist, so ids reveal nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import pandas as pd

from analytics import access, peers
from analytics.errors import AccessDenied, PeerError
from analytics.indicators import REGISTRY
from analytics.queries import query
from analytics.store import Connection, transaction
from analytics.texts import checked_text, one_line

MAX_COMMITMENT = 300
MAX_OWNER = 80

AgendaKind = Literal["review", "member", "commitments"]


@dataclass(frozen=True)
class Session:
    id: int
    group_id: int
    held_on: date
    minutes_per_item: int
    created_at: datetime
    closed_at: datetime | None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


@dataclass(frozen=True)
class AgendaItem:
    kind: AgendaKind
    title: str
    member_key: str | None = None
    label: str = ""  # the member as the room sees them: their name if shown, else 'Member A'
    reds: tuple[peers.Figure, ...] = ()
    reset_item: str = ""
    has_card: bool = False
    currency: str = ""  # the member's card currency, when they share amounts


_COLUMNS = "id, group_id, held_on, minutes_per_item, created_at, closed_at"


def get_session(con: Connection, session_id: int, *, viewer: int) -> Session:
    """A session of one of the viewer's groups; AccessDenied for any other (or none)."""
    rows = (
        con.cursor()
        .execute(f"SELECT {_COLUMNS} FROM peer_sessions WHERE id = $s", {"s": session_id})
        .fetchall()
    )
    if not rows or not access.is_member(con, int(rows[0][1]), viewer):
        raise AccessDenied(
            "This business is not a member of the group that held that session (or there is "
            "no such session)."
        )
    return Session(*rows[0])


def sessions(con: Connection, group_id: int, *, viewer: int) -> list[Session]:
    """The group's sessions, newest first."""
    peers.require_member(con, group_id, viewer)
    rows = (
        con.cursor()
        .execute(
            f"SELECT {_COLUMNS} FROM peer_sessions WHERE group_id = $g "
            "ORDER BY held_on DESC, id DESC",
            {"g": group_id},
        )
        .fetchall()
    )
    return [Session(*r) for r in rows]


def session_overview(con: Connection, group_id: int, *, viewer: int) -> pd.DataFrame:
    """Sessions with their date, commitments made, commitments reviewed and found done."""
    peers.require_member(con, group_id, viewer)
    return query(con, "review_sessions", {"g": group_id})


def session_on(con: Connection, group_id: int, held_on: date, *, viewer: int) -> Session | None:
    return next((s for s in sessions(con, group_id, viewer=viewer) if s.held_on == held_on), None)


def start_session(
    con: Connection, group_id: int, held_on: date, minutes_per_item: int = 5, *, viewer: int
) -> Session:
    """A new session of the group on a day (one per day: open the existing one instead)."""
    group = peers.get_group(con, group_id, viewer=viewer)
    if not 1 <= int(minutes_per_item) <= 60:
        raise PeerError("Give each agenda item between 1 and 60 minutes.")
    if session_on(con, group_id, held_on, viewer=viewer) is not None:
        raise PeerError(
            f"{group.name} already has a session on {held_on.isoformat()}: open it from the list."
        )
    with transaction(con) as tx:
        row = tx.execute(
            "INSERT INTO peer_sessions (group_id, held_on, minutes_per_item) "
            "VALUES ($g, $d, $m) RETURNING id",
            {"g": group_id, "d": held_on, "m": int(minutes_per_item)},
        ).fetchall()
    return get_session(con, int(row[0][0]), viewer=viewer)


def close_session(con: Connection, session_id: int, closed: bool = True, *, viewer: int) -> Session:
    """Mark a session finished (or open it again); what it decided stays."""
    get_session(con, session_id, viewer=viewer)
    with transaction(con) as tx:
        tx.execute(
            "UPDATE peer_sessions SET closed_at = CASE WHEN $c THEN current_localtimestamp() END "
            "WHERE id = $s",
            {"c": closed, "s": session_id},
        )
    return get_session(con, session_id, viewer=viewer)


def previous_session(con: Connection, session_id: int, *, viewer: int) -> Session | None:
    """The group's session just before this one (by date, then by creation)."""
    this = get_session(con, session_id, viewer=viewer)
    earlier = [
        s
        for s in sessions(con, this.group_id, viewer=viewer)
        if (s.held_on, s.id) < (this.held_on, this.id)
    ]
    return earlier[0] if earlier else None


# ---------------------------------------------------------------- commitments


def _text(value: str, what: str, limit: int) -> str:
    return checked_text(value, what, limit, PeerError)


def add_commitment(
    con: Connection,
    session_id: int,
    member_key: str,
    owner: str,
    text: str,
    due: date,
    *,
    viewer: int,
) -> int:
    """A commitment a member makes in a session: who does what by when. Returns its id."""
    session = get_session(con, session_id, viewer=viewer)
    peers.get_member(con, session.group_id, member_key, viewer=viewer)
    clean_owner = _text(owner, "owner's name", MAX_OWNER)
    clean_text = _text(text, "commitment", MAX_COMMITMENT)
    if due < session.held_on:
        raise PeerError(
            f"The due date {due.isoformat()} is before the session ({session.held_on.isoformat()})."
        )
    with transaction(con) as tx:
        row = tx.execute(
            "INSERT INTO peer_commitments (session_id, member_key, owner, text, due) "
            "VALUES ($s, $k, $o, $t, $d) RETURNING id",
            {"s": session_id, "k": member_key, "o": clean_owner, "t": clean_text, "d": due},
        ).fetchall()
    return int(row[0][0])


def _labelled(con: Connection, group_id: int, frame: pd.DataFrame, viewer: int) -> pd.DataFrame:
    labels = peers.member_labels(con, group_id, viewer=viewer, mark_you=False)
    labels = labels[["member_key", "label"]]
    out = frame.merge(labels, on="member_key", how="left")
    out["label"] = out["label"].fillna("A former member")
    return out


def commitments(con: Connection, session_id: int, *, viewer: int) -> pd.DataFrame:
    """What a session decided: commitment_id, member_key, label, owner, text, due, and the
    latest review from a later session (done True/False, reviewed_on), if any."""
    session = get_session(con, session_id, viewer=viewer)
    frame = query(con, "review_commitments", {"s": session_id})
    return _labelled(con, session.group_id, frame, viewer)


def to_review(con: Connection, session_id: int, *, viewer: int) -> pd.DataFrame:
    """The previous session's commitments, each with its state recorded in this session:
    done True / False, or NA while not reviewed yet."""
    session = get_session(con, session_id, viewer=viewer)
    frame = query(con, "review_previous_commitments", {"s": session_id})
    return _labelled(con, session.group_id, frame, viewer)


def review_commitment(
    con: Connection,
    session_id: int,
    commitment_id: int,
    done: bool,
    note: str = "",
    *,
    viewer: int,
) -> None:
    """Record in this session whether an earlier commitment was done (appended, never edited)."""
    session = get_session(con, session_id, viewer=viewer)
    rows = (
        con.cursor()
        .execute(
            "SELECT s.group_id, s.held_on, s.id FROM peer_commitments c "
            "JOIN peer_sessions s ON s.id = c.session_id WHERE c.id = $c",
            {"c": commitment_id},
        )
        .fetchall()
    )
    if not rows or rows[0][0] != session.group_id:
        # another group's commitment is as unknown here as one that does not exist
        raise PeerError(f"No commitment with id {commitment_id} in this peer group.")
    _, made_on, made_in = rows[0]
    if (made_on, made_in) >= (session.held_on, session.id):
        raise PeerError("A commitment is reviewed at a later session than the one that made it.")
    clean_note = one_line(note)[:MAX_COMMITMENT]
    with transaction(con) as tx:
        tx.execute(
            "INSERT INTO peer_commitment_reviews (commitment_id, session_id, done, note) "
            "VALUES ($c, $s, $d, $n)",
            {"c": commitment_id, "s": session_id, "d": bool(done), "n": clean_note},
        )


# ---------------------------------------------------------------- the agenda


def agenda(con: Connection, session_id: int, *, viewer: int) -> list[AgendaItem]:
    """The session's agenda: last session's commitments, each member (reds from their latest
    card published by the session's day, and their reset item), then new commitments. Members
    appear as the room sees them (no 'You': the agenda is on the projector)."""
    session = get_session(con, session_id, viewer=viewer)
    labels = peers.member_labels(con, session.group_id, viewer=viewer, mark_you=False)
    figures = peers.latest_figures(
        con, session.group_id, viewer=viewer, until=session.held_on, mark_you=False
    )
    red = figures[figures["status"] == "red"]
    with_card = set(figures["member_key"])
    order = {i: n for n, i in enumerate(REGISTRY)}
    items = [AgendaItem("review", "Last session's commitments")]
    for rec in labels.to_dict("records"):
        key = str(rec["member_key"])
        mine = red[red["member_key"] == key]
        currencies = mine["currency"].dropna()
        reds = sorted(
            (
                peers.Figure(str(i), str(u), None if pd.isna(v) else float(v), "red")
                for i, u, v in zip(mine["indicator_id"], mine["unit"], mine["value"], strict=True)
            ),
            key=lambda f: order.get(f.id, 999),
        )
        items.append(
            AgendaItem(
                "member",
                str(rec["label"]),
                key,
                str(rec["label"]),
                tuple(reds),
                str(rec["reset_item"] or ""),
                key in with_card,
                str(currencies.iloc[0]) if not currencies.empty else "",
            )
        )
    items.append(AgendaItem("commitments", "New commitments"))
    return items


# ---------------------------------------------------------------- the timer


def seconds_left(started_at: float, now: float, minutes: int) -> int:
    """Whole seconds left of an item's time (negative once over), from two clock readings."""
    return math.ceil(minutes * 60 - (now - started_at))


def clock(seconds: int) -> str:
    """Seconds as 'm:ss' ('4:05'); over time reads '-0:30'."""
    sign = "-" if seconds < 0 else ""
    minutes, rest = divmod(abs(int(seconds)), 60)
    return f"{sign}{minutes}:{rest:02d}"
