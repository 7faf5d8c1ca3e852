"""The business's issues list: red or amber figures, Hard reset items and typed-in topics that
wait for the review session, which identifies, discusses and solves them in order.

The list belongs to the business (one workspace), not to a session: an item stays until it is
solved or dropped, so whatever a session leaves open is on the next one's list by itself. A
session only records what it worked (the item raised in it, solved or dropped in it). A solved
item becomes a commitment of that session (analytics.review.add_commitment) with an owner and a
due date, linked back to the item.

Priority: 1 = high, 2 = medium, 3 = low (the words are accepted too). The list runs by priority,
then by age (the order raised), unless an item is moved up or down within its priority.

State: open → discussing → solved, and open or discussing → dropped (restore brings it back
open). Every change is a revision (what, old, new, who, when, in which session); the last one
can be undone, except a solve: the commitment it made is the session's record and stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import pandas as pd

from analytics import peers, review
from analytics.errors import OpeningDayError
from analytics.indicators import REGISTRY
from analytics.store import Connection, transaction
from analytics.store.revisions import log_revision
from analytics.texts import checked_text

MAX_TITLE = 200
MAX_NAME = 80

State = Literal["open", "discussing", "solved", "dropped"]
SourceKind = Literal["indicator", "checklist", "typed"]
STATES: tuple[State, ...] = ("open", "discussing", "solved", "dropped")
OPEN_STATES: tuple[State, ...] = ("open", "discussing")
PRIORITY_WORDS = {1: "high", 2: "medium", 3: "low"}


class IssueError(OpeningDayError):
    """A change the issues list refuses: an unknown item, a step out of order, bad text."""


@dataclass(frozen=True)
class Source:
    """What an item came from: a figure (indicator id), a checklist item ('template/item'),
    or nothing (typed in). `note` is how it read then: 'Scoreboard — Discount depth (red,
    40.0%)' or 'Hard reset — Are prices written down?'."""

    kind: SourceKind = "typed"
    id: str = ""
    note: str = ""

    @property
    def text(self) -> str:
        return f"from: {self.note}" if self.kind != "typed" else "typed in"


TYPED = Source()


@dataclass(frozen=True)
class Issue:
    id: int
    title: str
    raised_by: str
    priority: int
    state: State
    source: Source
    raised_at: datetime
    raised_session_id: int | None
    raised_on: date | None  # the day of the session it was raised in, if any
    closed_at: datetime | None
    closed_session_id: int | None
    closed_on: date | None  # the day of the session it was solved or dropped in, if any
    commitment_id: int | None
    position: int

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def priority_word(self) -> str:
        return PRIORITY_WORDS[self.priority]


# ---------------------------------------------------------------- inputs


def parse_priority(value: int | str) -> int:
    """1, 2, 3 or high, medium, low (any case) → 1, 2 or 3."""
    text = str(value).strip().lower()
    words = {w: n for n, w in PRIORITY_WORDS.items()}
    if text in words:
        return words[text]
    if text in ("1", "2", "3"):
        return int(text)
    raise IssueError(f"Priority is 1 (high), 2 (medium) or 3 (low), not {str(value)!r}.")


def _text(value: str, what: str, limit: int, *, required: bool = True) -> str:
    return checked_text(value, what, limit, IssueError, required=required)


def figure_source(
    indicator_id: str,
    status: str,
    value: float | None,
    currency: str = "USD",
    place: str = "Scoreboard",
) -> Source:
    """A red or amber figure as a source, as it read where it was raised."""
    ind = REGISTRY.get(indicator_id)
    if ind is None:
        raise IssueError(f"There is no figure {indicator_id!r}.")
    if status not in ("red", "amber"):
        word = "not known yet" if status == "unknown" else status
        raise IssueError(
            f"Only a red or amber figure goes on the issues list: {ind.label} is {word}."
        )
    note = f"{place} — {ind.label} ({status}, {ind.format_value(value, currency)})"
    return Source("indicator", indicator_id, note)


def checklist_source(template_id: str, item_id: str, prompt: str) -> Source:
    """A Hard reset checklist item as a source."""
    item = _text(prompt, "checklist item", MAX_TITLE)
    return Source("checklist", f"{template_id}/{item_id}", f"Hard reset — {item}")


# ---------------------------------------------------------------- reading

_SELECT = """
SELECT i.id, i.title, i.raised_by, i.priority, i.state, i.source_kind, i.source_id,
       i.source_note, i.raised_at, i.raised_session_id, rs.held_on, i.closed_at,
       i.closed_session_id, cs.held_on, i.commitment_id, i.position
FROM issues i
LEFT JOIN peer_sessions rs ON rs.id = i.raised_session_id
LEFT JOIN peer_sessions cs ON cs.id = i.closed_session_id
WHERE i.workspace_id = $w AND i.deleted_at IS NULL"""
_ORDER = " ORDER BY i.priority, i.position, i.id"


def _issue(row: tuple[Any, ...]) -> Issue:
    (iid, title, by, prio, state, kind, sid, note, raised, rsid, ron) = row[:11]
    (closed, csid, con_, cid, pos) = row[11:]
    return Issue(
        int(iid),
        str(title),
        str(by),
        int(prio),
        state,
        Source(kind, str(sid), str(note)),
        raised,
        rsid,
        ron,
        closed,
        csid,
        con_,
        cid,
        int(pos),
    )


def _rows(con: Connection, where: str, params: dict[str, Any]) -> list[Issue]:
    rows = con.cursor().execute(_SELECT + where + _ORDER, params).fetchall()
    return [_issue(r) for r in rows]


def get_issue(con: Connection, workspace_id: int, issue_id: int) -> Issue:
    """One item of this business's list (another business's is as unknown as none)."""
    found = _rows(con, " AND i.id = $i", {"w": workspace_id, "i": int(issue_id)})
    if not found:
        raise IssueError(f"No issue #{issue_id} on this business's list.")
    return found[0]


def list_issues(con: Connection, workspace_id: int, *, include_closed: bool = False) -> list[Issue]:
    """The list in working order (priority, then age or the order set by moving); open and
    discussing items only, unless `include_closed` adds the solved and dropped ones."""
    where = "" if include_closed else " AND i.state IN ('open', 'discussing')"
    return _rows(con, where, {"w": workspace_id})


def open_sources(con: Connection, workspace_id: int) -> dict[tuple[str, str], tuple[int, str]]:
    """Every open or discussed item that came from a figure or checklist item: (kind, id) →
    (its number, its state). One query for a page that asks about many sources."""
    rows = (
        con.cursor()
        .execute(
            "SELECT source_kind, source_id, min(id), arg_min(state, id) FROM issues "
            "WHERE workspace_id = $w AND deleted_at IS NULL AND state IN ('open', 'discussing') "
            "AND source_kind <> 'typed' GROUP BY ALL",
            {"w": workspace_id},
        )
        .fetchall()
    )
    return {(str(k), str(i)): (int(n), str(state)) for k, i, n, state in rows}


def find_open(con: Connection, workspace_id: int, source: Source) -> Issue | None:
    """The open item that came from this figure or checklist item, if there is one."""
    if source.kind == "typed":
        return None
    found = _rows(
        con,
        " AND i.state IN ('open', 'discussing') AND i.source_kind = $k AND i.source_id = $s",
        {"w": workspace_id, "k": source.kind, "s": source.id},
    )
    return found[0] if found else None


def session_issues(con: Connection, workspace_id: int, session_id: int) -> list[tuple[Issue, bool]]:
    """The list as a review session saw it: every item that was open at some time while the
    session was open (from its start to its close, or to now while it is open), each with
    `carried_over` — raised before the session started. What a session left open is
    therefore on the next session's list; what it solved or dropped is not."""
    session = review.get_session(con, session_id, viewer=workspace_id)
    until = session.closed_at
    where = (
        " AND i.raised_at <= coalesce($until, current_localtimestamp())"
        " AND (i.closed_at IS NULL OR i.closed_at >= $start)"
    )
    found = _rows(con, where, {"w": workspace_id, "until": until, "start": session.created_at})
    return [
        (i, i.raised_at < session.created_at and i.raised_session_id != session.id) for i in found
    ]


def revisions(con: Connection, workspace_id: int, issue_id: int | None = None) -> pd.DataFrame:
    """Every change to the list (or one item), newest first: revision_id, issue_id, what, old,
    new, changed_by, changed_at, session_id, undone_at."""
    return (
        con.cursor()
        .execute(
            "SELECT id AS revision_id, issue_id, what, old_value AS old, new_value AS new, "
            "changed_by, changed_at, session_id, undone_at FROM issue_revisions "
            "WHERE workspace_id = $w AND ($i IS NULL OR issue_id = $i) ORDER BY id DESC",
            {"w": workspace_id, "i": issue_id},
        )
        .df()
    )


# ---------------------------------------------------------------- writing


def _log(
    tx: Connection,
    workspace_id: int,
    issue_id: int,
    what: str,
    old: object,
    new: object,
    who: str,
    session_id: int | None,
) -> None:
    log_revision(
        tx,
        "issue_revisions",
        {"workspace_id": workspace_id, "issue_id": issue_id, "session_id": session_id},
        what,
        str(old),
        str(new),
        _text(who, "name", MAX_NAME, required=False),
    )


def _check_session(con: Connection, workspace_id: int, session_id: int | None) -> None:
    if session_id is not None:
        review.get_session(con, session_id, viewer=workspace_id)


def add_issue(
    con: Connection,
    workspace_id: int,
    title: str,
    *,
    raised_by: str = "",
    priority: int | str = 2,
    source: Source = TYPED,
    session_id: int | None = None,
) -> int:
    """Put an item on the list; returns its id. A figure or checklist item already open on
    the list is not added twice."""
    clean = _text(title, "issue's title", MAX_TITLE)
    by = _text(raised_by, "name of who raised it", MAX_NAME, required=False)
    prio = parse_priority(priority)
    _check_session(con, workspace_id, session_id)
    there = find_open(con, workspace_id, source)
    if there is not None:
        raise IssueError(f"That is on the issues list already: #{there.id} {there.title}.")
    with transaction(con) as tx:
        new_id = int(tx.execute("SELECT nextval('issue_ids')").fetchall()[0][0])
        tx.execute(
            "INSERT INTO issues (id, workspace_id, title, raised_by, priority, position, "
            "source_kind, source_id, source_note, raised_session_id) "
            "VALUES ($i, $w, $t, $by, $p, $i, $k, $sid, $note, $s)",
            {
                "i": new_id,
                "w": workspace_id,
                "t": clean,
                "by": by,
                "p": prio,
                "k": source.kind,
                "sid": source.id,
                "note": source.note,
                "s": session_id,
            },
        )
        _log(tx, workspace_id, new_id, "added", "", clean, by, session_id)
    return new_id


_NEXT: dict[State, tuple[State, ...]] = {
    "open": ("discussing", "dropped"),
    "discussing": ("open", "solved", "dropped"),
    "solved": (),
    "dropped": ("open",),
}


def _refusal(issue: Issue, to: State) -> str:
    name = f"Issue #{issue.id}"
    if issue.state == to:
        return f"{name} is {to} already."
    if issue.state == "solved":
        return (
            f"{name} is solved: it became commitment #{issue.commitment_id} and stays solved. "
            "If it comes back, put it on the list again."
        )
    if issue.state == "dropped":
        return f"{name} was dropped: restore it first."
    if to == "solved":
        return f"{name} is open: discuss it first, then solve it with an owner and a due date."
    return f"{name} cannot go from {issue.state} to {to}."


def _move_state(
    tx: Connection,
    issue: Issue,
    workspace_id: int,
    to: State,
    who: str,
    session_id: int | None,
    commitment_id: int | None = None,
) -> None:
    closing = to in ("solved", "dropped")
    tx.execute(
        "UPDATE issues SET state = $to, "
        "closed_at = CASE WHEN $closing THEN current_localtimestamp() END, "
        "closed_session_id = CASE WHEN $closing THEN $s END, commitment_id = $c "
        "WHERE id = $i AND workspace_id = $w",
        {
            "to": to,
            "closing": closing,
            "s": session_id,
            "c": commitment_id,
            "i": issue.id,
            "w": workspace_id,
        },
    )
    _log(tx, workspace_id, issue.id, "state", issue.state, to, who, session_id)


def set_state(
    con: Connection,
    workspace_id: int,
    issue_id: int,
    state: str,
    *,
    who: str = "",
    session_id: int | None = None,
) -> Issue:
    """Move an item along: open → discussing (and back), → dropped, dropped → open. Solving
    goes through `solve` (it needs an owner and a due date)."""
    if state not in STATES:
        raise IssueError(f"An issue is open, discussing, solved or dropped, not {state!r}.")
    issue = get_issue(con, workspace_id, issue_id)
    to: State = state  # type: ignore[assignment]
    if to not in _NEXT[issue.state]:
        raise IssueError(_refusal(issue, to))
    if to == "solved":
        raise IssueError(
            f"Solve issue #{issue.id} with an owner and a due date: it becomes a commitment."
        )
    _check_session(con, workspace_id, session_id)
    with transaction(con) as tx:
        _move_state(tx, issue, workspace_id, to, who, session_id)
    return get_issue(con, workspace_id, issue_id)


def discuss(con: Connection, workspace_id: int, issue_id: int, **kw: Any) -> Issue:
    return set_state(con, workspace_id, issue_id, "discussing", **kw)


def drop(con: Connection, workspace_id: int, issue_id: int, **kw: Any) -> Issue:
    return set_state(con, workspace_id, issue_id, "dropped", **kw)


def restore(con: Connection, workspace_id: int, issue_id: int, **kw: Any) -> Issue:
    """A dropped item back on the list, open, in its old place."""
    issue = get_issue(con, workspace_id, issue_id)
    if issue.state != "dropped":
        raise IssueError(f"Issue #{issue.id} is {issue.state}: only a dropped issue is restored.")
    return set_state(con, workspace_id, issue_id, "open", **kw)


def solve(
    con: Connection,
    workspace_id: int,
    issue_id: int,
    session_id: int,
    owner: str,
    due: date,
    *,
    text: str = "",
    who: str = "",
) -> int:
    """Solve a discussed item in a review session: it becomes that session's commitment (the
    business's own), with an owner and a due date; `text` says what will be done (default: the
    item's title). Returns the commitment's id. All or nothing."""
    issue = get_issue(con, workspace_id, issue_id)
    if issue.state != "discussing":
        raise IssueError(_refusal(issue, "solved"))
    session = review.get_session(con, session_id, viewer=workspace_id)
    if session.is_closed:
        raise IssueError("That session is closed: reopen it to solve issues in it.")
    member = peers.membership(con, session.group_id, workspace_id)
    if member is None:  # get_session admits members only; kept for a clear message
        raise IssueError("This business is not a member of the group holding that session.")
    with transaction(con) as tx:
        cid = review.add_commitment(
            tx,
            session_id,
            member.member_key,
            owner,
            text or issue.title,
            due,
            viewer=workspace_id,
        )
        _move_state(tx, issue, workspace_id, "solved", who, session_id, cid)
    return cid


def set_priority(
    con: Connection, workspace_id: int, issue_id: int, priority: int | str, *, who: str = ""
) -> Issue:
    issue = get_issue(con, workspace_id, issue_id)
    prio = parse_priority(priority)
    if not issue.is_open:
        raise IssueError(f"Issue #{issue.id} is {issue.state}: only an open issue is reordered.")
    if prio == issue.priority:
        return issue
    with transaction(con) as tx:
        tx.execute(
            "UPDATE issues SET priority = $p WHERE id = $i AND workspace_id = $w",
            {"p": prio, "i": issue.id, "w": workspace_id},
        )
        _log(tx, workspace_id, issue.id, "priority", issue.priority, prio, who, None)
    return get_issue(con, workspace_id, issue_id)


def _swap(tx: Connection, workspace_id: int, a: int, pos_a: int, b: int, pos_b: int) -> None:
    """Item a takes pos_a, item b takes pos_b."""
    for iid, pos in ((a, pos_a), (b, pos_b)):
        tx.execute(
            "UPDATE issues SET position = $p WHERE id = $i AND workspace_id = $w",
            {"p": pos, "i": iid, "w": workspace_id},
        )


def move(con: Connection, workspace_id: int, issue_id: int, *, up: bool, who: str = "") -> Issue:
    """Move an open item one place up or down among the open items of its priority."""
    issue = get_issue(con, workspace_id, issue_id)
    if not issue.is_open:
        raise IssueError(f"Issue #{issue.id} is {issue.state}: only an open issue is reordered.")
    peers_ = [i for i in list_issues(con, workspace_id) if i.priority == issue.priority]
    at = [i.id for i in peers_].index(issue.id)
    to = at - 1 if up else at + 1
    if not 0 <= to < len(peers_):
        where = "first" if up else "last"
        raise IssueError(
            f"Issue #{issue.id} is {where} among the {issue.priority_word}-priority issues: "
            "change its priority to move it further."
        )
    other = peers_[to]
    with transaction(con) as tx:
        _swap(tx, workspace_id, issue.id, other.position, other.id, issue.position)
        _log(tx, workspace_id, issue.id, "position", issue.position, other.position, who, None)
    return get_issue(con, workspace_id, issue_id)


def undo_last(con: Connection, workspace_id: int, *, who: str = "") -> str:
    """Undo the list's latest change not undone yet; returns what was undone, in words."""
    rows = (
        con.cursor()
        .execute(
            "SELECT id, issue_id, what, old_value, new_value FROM issue_revisions "
            "WHERE workspace_id = $w AND undone_at IS NULL ORDER BY id DESC LIMIT 1",
            {"w": workspace_id},
        )
        .fetchall()
    )
    if not rows:
        raise IssueError("Nothing to undo on the issues list.")
    rev_id, issue_id, what, old, new = rows[0]
    params = {"i": issue_id, "w": workspace_id}
    where = " WHERE id = $i AND workspace_id = $w"
    with transaction(con) as tx:
        if what == "added":
            tx.execute("UPDATE issues SET deleted_at = current_localtimestamp()" + where, params)
            done = f"Took #{issue_id} {new} off the list."
        elif what == "state":
            done = _undo_state(tx, workspace_id, issue_id, rev_id, old, new)
        elif what == "priority":
            tx.execute("UPDATE issues SET priority = $p" + where, {**params, "p": int(old)})
            done = f"#{issue_id} is back to {PRIORITY_WORDS[int(old)]} priority."
        else:  # position: the two items swap back
            other = tx.execute(
                "SELECT id FROM issues WHERE workspace_id = $w AND position = $p AND id <> $i",
                {**params, "p": int(old)},
            ).fetchall()
            if other:
                _swap(tx, workspace_id, issue_id, int(old), int(other[0][0]), int(new))
            done = f"#{issue_id} is back in its place."
        tx.execute(
            "UPDATE issue_revisions SET undone_at = current_localtimestamp(), "
            "undone_by = $by WHERE id = $r",
            {"r": rev_id, "by": _text(who, "name", MAX_NAME, required=False)},
        )
    return done


def _undo_state(
    tx: Connection, workspace_id: int, issue_id: int, rev_id: int, old: str, new: str
) -> str:
    if new == "solved":
        raise IssueError(
            f"Issue #{issue_id} was solved: the commitment it made is the session's record and "
            "stays. Put it on the list again if it is not solved after all."
        )
    closed_at: datetime | None = None
    closed_in: int | None = None
    if old == "dropped":  # undoing a restore: it was dropped when and where it was
        before = tx.execute(
            "SELECT changed_at, session_id FROM issue_revisions WHERE workspace_id = $w "
            "AND issue_id = $i AND what = 'state' AND new_value = 'dropped' AND id < $r "
            "ORDER BY id DESC LIMIT 1",
            {"w": workspace_id, "i": issue_id, "r": rev_id},
        ).fetchall()
        closed_at, closed_in = before[0] if before else (None, None)
    tx.execute(
        "UPDATE issues SET state = $s, closed_at = $at, closed_session_id = $in "
        "WHERE id = $i AND workspace_id = $w",
        {"s": old, "at": closed_at, "in": closed_in, "i": issue_id, "w": workspace_id},
    )
    return f"#{issue_id} is {old} again."
