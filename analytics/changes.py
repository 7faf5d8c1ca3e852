"""What changed since the last review: every indicator then and now, what fell due, the notes.

Both days read the Scoreboard's own results (`indicators.stored.scoreboard_results`): today's
are the very figures the Scoreboard shows, and the earlier day's are computed once with that
day as a picked "as of" day, then kept in the store per data version like the Scoreboard's.
Every indicator honours a picked day (it counts nothing dated after it), so the earlier
figures are the ones the owner would have seen on that day with today's data loaded.

The earlier day defaults to the last review session of the owner's peer groups, else the
last review pack made, else 90 days before the as-of day (`default_since`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from analytics import format as fmt
from analytics import store
from analytics.indicators import REGISTRY, STATUS_WORD, Indicator, Result, stored
from analytics.queries import query
from analytics.settings import get_settings

# Without a review session or a pack, compare with this many days before the as-of day.
DEFAULT_DAYS = 90
# How many of the largest moves to list.
TOP_MOVES = 5

# How bad a known status is: a move to a higher number is a change for the worse.
_BADNESS = {"green": 0, "amber": 1, "red": 2}


@dataclass(frozen=True)
class Move:
    """One indicator on both days, with its values as the cards show them."""

    indicator_id: str
    label: str
    area: str
    unit: str
    before_status: str  # 'red' | 'amber' | 'green' | 'unknown'
    after_status: str
    before_value: float | None
    after_value: float | None
    before_text: str
    after_text: str
    change: float | None  # after - before, None when either is unknown

    @property
    def worse_by(self) -> int:
        """Steps down the green → amber → red scale (negative when it got better)."""
        return _BADNESS.get(self.after_status, 0) - _BADNESS.get(self.before_status, 0)

    @property
    def relative(self) -> float:
        """The move's size against the larger of the two values (0 to 2; 0 when unknown):
        bounded, and safe when one side is zero."""
        if self.change is None or self.before_value is None or self.after_value is None:
            return 0.0
        scale = max(abs(self.before_value), abs(self.after_value))
        return abs(self.change) / scale if scale else 0.0


@dataclass(frozen=True)
class DueItem:
    kind: str  # 'commitment' | 'goal step'
    title: str
    owner: str
    due: date
    done: bool
    source: str  # "Review session 12 Sep 2026", "Hard reset: Elephant walk"


@dataclass(frozen=True)
class Changes:
    since: date
    as_of: date
    since_reason: str
    new_reds: list[Move]  # red now, not red then (unknown then included)
    status_changes: list[Move]  # both days known, colour changed, not a new red; worse first
    largest_moves: list[Move]  # both values known, by relative size, top 5
    became_known: list[Move]  # unknown then, known now (new reds are listed there instead)
    became_unknown: list[Move]  # known then, not enough data now
    fell_due: list[DueItem]
    notes: list[Any]  # analytics.notes.Note dated after `since`, up to `as_of`

    @property
    def anything(self) -> bool:
        return any(
            (
                self.new_reds,
                self.status_changes,
                self.largest_moves,
                self.became_known,
                self.became_unknown,
                self.fell_due,
                self.notes,
            )
        )


def _value(result: Result) -> float | None:
    return float(result.value) if result.known and result.value is not None else None


def _move(ind: Indicator, before: Result, after: Result, currency: str) -> Move:
    b, a = _value(before), _value(after)
    return Move(
        ind.id,
        ind.label,
        ind.area,
        ind.unit,
        before.status if b is not None else "unknown",
        after.status if a is not None else "unknown",
        b,
        a,
        ind.format_value(b, currency),
        ind.format_value(a, currency),
        a - b if a is not None and b is not None else None,
    )


def moves(then: dict[str, Result], now: dict[str, Result], currency: str) -> dict[str, list[Move]]:
    """Every registered indicator's move sorted into the lists of `Changes` (registry order
    within each list unless it says otherwise)."""
    order = {i: n for n, i in enumerate(REGISTRY)}
    all_moves = [
        _move(ind, then[i], now[i], currency)
        for i, ind in REGISTRY.items()
        if i in then and i in now
    ]
    new_reds = [m for m in all_moves if m.after_status == "red" and m.before_status != "red"]
    known_both = [
        m for m in all_moves if m.before_status != "unknown" and m.after_status != "unknown"
    ]
    changed = [
        m for m in known_both if m.before_status != m.after_status and m.after_status != "red"
    ]
    changed.sort(key=lambda m: (-m.worse_by, order[m.indicator_id]))
    moved = [m for m in known_both if m.relative > 0]
    moved.sort(key=lambda m: (-m.relative, order[m.indicator_id]))
    return {
        "new_reds": new_reds,
        "status_changes": changed,
        "largest_moves": moved[:TOP_MOVES],
        "became_known": [
            m
            for m in all_moves
            if m.before_status == "unknown" and m.after_status not in ("unknown", "red")
        ],
        "became_unknown": [
            m for m in all_moves if m.before_status != "unknown" and m.after_status == "unknown"
        ],
    }


def _checklist_titles(con: store.Connection, workspace_id: int) -> dict[str, str]:
    from analytics.checklists import templates_for

    return {t.id: t.title for t in templates_for(con, workspace_id).values()}


def fell_due(con: store.Connection, workspace_id: int, since: date, as_of: date) -> list[DueItem]:
    """The owner's commitments and goal steps due after `since`, up to `as_of`, by due day."""
    frame = query(con, "changes_fell_due", {"w": workspace_id, "since": since, "as_of": as_of})
    if frame.empty:
        return []
    titles = _checklist_titles(con, workspace_id) if (frame["kind"] == "goal step").any() else {}
    out = []
    for row in frame.to_dict("records"):
        if row["kind"] == "commitment":
            title = str(row["title"])
            source = f"Review session {fmt.day(pd.Timestamp(row['session_day']).date())}"
        else:
            step, goal = str(row["title"]), str(row["goal"])
            title = step if step == goal else f"{step} (goal: {goal})"
            template = str(row["template_id"])
            source = f"Hard reset: {titles.get(template, template)}"
        out.append(
            DueItem(
                str(row["kind"]),
                title,
                str(row["owner"] or ""),
                pd.Timestamp(row["due"]).date(),
                bool(row["done"]),
                source,
            )
        )
    return out


def notes_between(con: store.Connection, workspace_id: int, since: date, as_of: date) -> list[Any]:
    """The owner's notes dated after `since`, up to `as_of`, oldest first."""
    try:
        notes = importlib.import_module("analytics.notes")
    except ModuleNotFoundError as exc:
        # analytics.notes lands with the notes work (issue 14, part 1); until then, no notes
        if exc.name != "analytics.notes":
            raise
        return []
    found = notes.list_notes(con, workspace_id, start=since + timedelta(days=1), end=as_of)
    return sorted((n for n in found if since < n.day <= as_of), key=lambda n: (n.day, n.id))


def compare(
    con: store.Connection,
    workspace_id: int,
    *,
    since: date,
    as_of: date | None = None,
    since_reason: str = "the day you chose",
) -> Changes:
    """Every indicator on `since` against `as_of` (None: the Scoreboard's latest figures, each
    counting to its own data's last day), with what fell due and the notes in between."""
    last = as_of or store.last_data_date(con, workspace_id)
    if last is None:
        raise ValueError("No dated data yet: there is nothing to compare.")
    if since >= last:
        raise ValueError(
            f"Pick a day before {fmt.day(last)} to compare with (got {fmt.day(since)})."
        )
    currency = str(get_settings(con, workspace_id)["currency"])
    now = stored.scoreboard_results(con, workspace_id, as_of)
    then = stored.scoreboard_results(con, workspace_id, since)
    return Changes(
        since,
        last,
        since_reason,
        **moves(then, now, currency),
        fell_due=fell_due(con, workspace_id, since, last),
        notes=notes_between(con, workspace_id, since, last),
    )


def default_since(
    con: store.Connection, workspace_id: int, *, as_of: date, last_pack: date | None = None
) -> tuple[date, str]:
    """The day to compare with, and why: the last review session (before `as_of`) of any
    peer group the workspace is in, else the last review pack made, else 90 days before."""
    found = query(con, "changes_last_session", {"w": workspace_id, "as_of": as_of})
    held_on = found["held_on"].iloc[0] if not found.empty else None
    if held_on is not None and not pd.isna(held_on):
        day = pd.Timestamp(held_on).date()
        return day, f"your last review session ({fmt.day(day)})"
    if last_pack is not None and last_pack < as_of:
        return last_pack, f"your last review pack ({fmt.day(last_pack)})"
    day = as_of - timedelta(days=DEFAULT_DAYS)
    return day, f"{DEFAULT_DAYS} days before {fmt.day(as_of)}"


# ---------------------------------------------------------------- in words


def short_day(day: date, beside: date | None = None) -> str:
    """'12 Sep' when the year goes without saying (the same as `beside`'s), else '12 Sep 2026'."""
    if beside is not None and day.year == beside.year:
        return f"{day.day} {day:%b}"
    return fmt.day(day)


def change_text(move: Move, currency: str) -> str:
    """The change in the indicator's unit, signed: '+$1,200', '-3.5 pts', '+0.4 h'."""
    if move.change is None:
        return ""
    if move.unit in ("share", "cv", "points"):
        return f"{move.change * 100:+.1f} pts"
    text = REGISTRY[move.indicator_id].format_value(abs(move.change), currency)
    return ("+" if move.change >= 0 else "-") + text


def _both(move: Move, ch: Changes) -> str:
    return (
        f"{move.before_text} on {short_day(ch.since, ch.as_of)}, "
        f"{move.after_text} on {short_day(ch.as_of)}"
    )


def _status(status: str) -> str:
    return STATUS_WORD.get(status, status).lower()


def _due_line(item: DueItem) -> str:
    who = f" ({item.owner})" if item.owner else ""
    state = "done" if item.done else "not done yet"
    return f"{item.title}{who}, due {fmt.day(item.due)} from {item.source}: {state}."


def summary_lines(ch: Changes, currency: str) -> list[str]:
    """The comparison in plain sentences, worst news first, with the owner's own numbers."""
    lines = [f"Since {fmt.day(ch.since)} ({ch.since_reason}), up to {fmt.day(ch.as_of)}."]
    for m in ch.new_reds:
        was = "not known" if m.before_status == "unknown" else m.before_text
        lines.append(f"{m.label} turned red: {m.after_text} now, {was} on {fmt.day(ch.since)}.")
    if not ch.new_reds:
        lines.append("Nothing turned red in between.")
    for m in ch.status_changes:
        way = "slipped" if m.worse_by > 0 else "improved"
        lines.append(
            f"{m.label} {way} from {_status(m.before_status)} to {_status(m.after_status)}: "
            f"{_both(m, ch)}."
        )
    for m in ch.largest_moves:
        lines.append(f"{m.label} moved {change_text(m, currency)}: {_both(m, ch)}.")
    if ch.became_known:
        named = ", ".join(f"{m.label} ({m.after_text})" for m in ch.became_known)
        lines.append(f"Now measurable: {named}.")
    if ch.became_unknown:
        named = ", ".join(f"{m.label} (was {m.before_text})" for m in ch.became_unknown)
        lines.append(f"No longer enough data: {named}.")
    if ch.fell_due:
        done = sum(i.done for i in ch.fell_due)
        what = "commitment or goal step" if len(ch.fell_due) == 1 else "commitments and goal steps"
        lines.append(f"{len(ch.fell_due)} {what} fell due in between; {done} done.")
        lines += [_due_line(i) for i in ch.fell_due]
    for note in ch.notes:
        lines.append(f"Your note of {fmt.day(note.day)}: {note.text}")
    if not ch.anything:
        lines.append("Every figure kept its colour and value, and nothing fell due.")
    return lines
