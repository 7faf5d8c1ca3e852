"""Scorecard goals that change with the season: per measurable, a goal for some months of
every year ("busy quarter", Oct–Dec: 20 deals a week instead of the usual 10).

A period is a run of months of the year, `from_month` to `to_month`, both included; it may
run across the new year (Nov–Feb), and one month is a period of its own (Jan–Jan). It
comes back every year, so the owner sets the busy quarter once. A name is optional
("busy quarter"); without one the months are the label.

Which week a period's goal holds for: a week belongs to the month of its Thursday, the way
ISO 8601 gives a week to a year, so a week is never split and belongs to the month holding
most of its days (the week of Mon 27 Jan – Sun 2 Feb is a January week, the week of
Mon 29 Jan 2024 – Sun 4 Feb is a February week: its Thursday is 1 Feb).

Rules, checked before anything is written (`PeriodGoalError` says which was broken):
- the measurable is one of the scorecard's (analytics/scorecard.py MEASURABLES);
- months are whole numbers 1–12; the goal is a number ≥ 0;
- a measurable's periods never share a month: a second goal for November, when the busy
  quarter already covers it, is refused (naming the clash) rather than resolved silently.
  So the goal in force in a week is never ambiguous: that week's period's, else the
  measurable's everyday goal (Settings, or the owner's own average).

Every write is one transaction (joining the caller's) and keeps a revision: who, when, what
(added, edited, removed) and the period as it was and became (JSON). A removed period is
kept with its `removed_at` and no longer counts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Any

from analytics.errors import OpeningDayError
from analytics.store import Connection, transaction
from analytics.store.revisions import log_revision
from analytics.texts import one_line

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MAX_NAME = 40
MAX_GOAL = 1e12  # beyond any weekly figure a small business has: a typing mistake


class PeriodGoalError(OpeningDayError):
    """A period goal that cannot be written, found or removed (says why); nothing was
    written. (Belongs in analytics/errors.py's tree, under OpeningDayError.)"""


@dataclass(frozen=True)
class PeriodGoal:
    id: int
    measurable: str
    name: str
    from_month: int
    to_month: int
    goal: float

    @property
    def months(self) -> list[int]:
        return months_between(self.from_month, self.to_month)

    @property
    def span(self) -> str:
        """ "Oct–Dec", or "Jan" for one month."""
        first, last = MONTHS[self.from_month - 1], MONTHS[self.to_month - 1]
        return first if self.from_month == self.to_month else f"{first}–{last}"

    @property
    def label(self) -> str:
        """ "busy quarter (Oct–Dec)", or the months alone when it has no name."""
        return f"{self.name} ({self.span})" if self.name else self.span


def months_between(from_month: int, to_month: int) -> list[int]:
    """The months of a period, in order, across the new year when it wraps: 11, 2 → 11 12 1 2."""
    return [(from_month - 1 + i) % 12 + 1 for i in range((to_month - from_month) % 12 + 1)]


def week_month(week_start: date) -> int:
    """The month a week (given by its Monday) belongs to: its Thursday's."""
    return (week_start + timedelta(days=3)).month


def in_force(periods: Iterable[PeriodGoal], measurable: str, week_start: date) -> PeriodGoal | None:
    """The period whose goal holds for this measurable in this week, if any (at most one:
    periods of one measurable never share a month)."""
    month = week_month(week_start)
    return next((p for p in periods if p.measurable == measurable and month in p.months), None)


def _measurable_ids() -> dict[str, str]:
    # The scorecard reads the goals from here, so it is imported when a write checks one.
    from analytics.scorecard import MEASURABLES

    return {m.id: m.label for m in MEASURABLES}


def _month(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PeriodGoalError(f"The {what} month must be a month number from 1 to 12.")
    try:
        number = float(value)
    except ValueError:
        raise PeriodGoalError(f"The {what} month must be a month number from 1 to 12.") from None
    if not number.is_integer() or not 1 <= number <= 12:
        raise PeriodGoalError(
            f"The {what} month must be a month number from 1 to 12 (got {value})."
        )
    return int(number)


def _goal(value: Any) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PeriodGoalError("Give the goal for the period: a number, 0 or more.")
    if isinstance(value, bool):
        raise PeriodGoalError("The goal must be a number, 0 or more.")
    try:
        goal = float(value)
    except (TypeError, ValueError):
        raise PeriodGoalError(f"The goal must be a number, 0 or more (got {value!r}).") from None
    if math.isnan(goal) or math.isinf(goal) or goal > MAX_GOAL:
        raise PeriodGoalError(f"The goal must be a number, 0 or more (got {value!r}).")
    if goal < 0:
        raise PeriodGoalError(f"The goal cannot be negative (got {goal:g}).")
    return goal


def _name(value: str) -> str:
    name = one_line(value or "")
    if len(name) > MAX_NAME:
        raise PeriodGoalError(f"Keep the period's name to {MAX_NAME} characters.")
    return name


@dataclass(frozen=True)
class PeriodGoalDraft:
    """A period goal as the owner gives it, before it is checked: the measurable's id, the
    first and last month, the goal and an optional name (as typed: text or numbers)."""

    measurable: str
    from_month: Any
    to_month: Any
    goal: Any
    name: str = ""


def checked(
    con: Connection, workspace_id: int, draft: PeriodGoalDraft, *, replacing: int | None = None
) -> PeriodGoal:
    """The period goal as it would be saved, or PeriodGoalError naming the first rule broken."""
    known = _measurable_ids()
    measurable = draft.measurable
    if measurable not in known:
        raise PeriodGoalError(
            f"No scorecard measurable is called {measurable!r}. Pick one of: "
            + ", ".join(known.values())
            + "."
        )
    period = PeriodGoal(
        replacing or 0,
        measurable,
        _name(draft.name),
        _month(draft.from_month, "first"),
        _month(draft.to_month, "last"),
        _goal(draft.goal),
    )
    for other in list_period_goals(con, workspace_id):
        if other.measurable != measurable or other.id == replacing:
            continue
        shared = [MONTHS[m - 1] for m in period.months if m in other.months]
        if shared:
            raise PeriodGoalError(
                f"{known[measurable]} already has a goal for {other.label}: "
                f"{', '.join(shared)} would have two goals. Edit or remove that one, "
                "or pick months outside it."
            )
    return period


def list_period_goals(con: Connection, workspace_id: int) -> list[PeriodGoal]:
    """The workspace's period goals in force (not removed), by measurable and first month."""
    rows = con.execute(
        "SELECT id, measurable, name, from_month, to_month, goal FROM period_goals "
        "WHERE workspace_id = $w AND removed_at IS NULL ORDER BY measurable, from_month, id",
        {"w": workspace_id},
    ).fetchall()
    return [
        PeriodGoal(int(i), str(m), str(n), int(f), int(t), float(g)) for i, m, n, f, t, g in rows
    ]


def get_period_goal(con: Connection, workspace_id: int, period_id: int) -> PeriodGoal:
    found = [p for p in list_period_goals(con, workspace_id) if p.id == period_id]
    if not found:
        raise PeriodGoalError(f"No period goal {period_id} in this business (removed already?).")
    return found[0]


def _stored(p: PeriodGoal) -> str:
    kept = asdict(p)
    del kept["id"]
    return json.dumps(kept, sort_keys=True)


def _fields(p: PeriodGoal) -> dict[str, Any]:
    """A period's editable fields as query parameters."""
    return {"n": p.name, "f": p.from_month, "t": p.to_month, "g": p.goal}


def _revision(
    tx: Connection, workspace_id: int, period_id: int, what: str, old: str, new: str, by: str
) -> None:
    record = {"workspace_id": workspace_id, "period_goal_id": period_id}
    log_revision(tx, "period_goal_revisions", record, what, old, new, by)


def save_period_goal(
    con: Connection,
    workspace_id: int,
    draft: PeriodGoalDraft,
    *,
    by: str = "",
    replacing: int | None = None,
) -> PeriodGoal:
    """Check a period goal, then save it: a new one, with an "added" revision; or, `replacing`
    an existing one (of the same measurable), its new months, goal or name, keeping the old
    one in an "edited" revision. An edit that changes nothing writes nothing."""
    with transaction(con) as tx:
        old = None if replacing is None else get_period_goal(tx, workspace_id, replacing)
        if old is not None and old.measurable != draft.measurable:
            raise PeriodGoalError(
                f"Period goal {old.id} is for {old.measurable!r}: a period keeps its "
                "measurable. Add a new one for the other measurable."
            )
        new = checked(tx, workspace_id, draft, replacing=replacing)
        if old is None:
            new_id = tx.execute(
                "INSERT INTO period_goals (workspace_id, measurable, name, from_month, to_month, "
                "goal) VALUES ($w, $m, $n, $f, $t, $g) RETURNING id",
                {"w": workspace_id, "m": new.measurable, **_fields(new)},
            ).fetchall()[0][0]
            new = replace(new, id=int(new_id))
            _revision(tx, workspace_id, new.id, "added", "", _stored(new), by)
        elif new != old:
            tx.execute(
                "UPDATE period_goals SET name = $n, from_month = $f, to_month = $t, goal = $g "
                "WHERE id = $id AND workspace_id = $w",
                {"id": old.id, "w": workspace_id, **_fields(new)},
            )
            _revision(tx, workspace_id, old.id, "edited", _stored(old), _stored(new), by)
    return new


def add_period_goal(
    con: Connection, workspace_id: int, *draft: Any, by: str = "", **named: Any
) -> PeriodGoal:
    """`save_period_goal` of a new period, its draft's fields given one by one:
    `add_period_goal(con, ws, "deals_won", 10, 12, 20, name="busy quarter", by="Sam")`."""
    return save_period_goal(con, workspace_id, PeriodGoalDraft(*draft, **named), by=by)


def edit_period_goal(
    con: Connection, workspace_id: int, period_id: int, *draft: Any, by: str = "", **named: Any
) -> PeriodGoal:
    """`save_period_goal` of a period's new version, its draft's fields after the measurable
    (which stays) given one by one: `edit_period_goal(con, ws, 3, 12, 1, 12, name="winter")`."""
    measurable = get_period_goal(con, workspace_id, period_id).measurable
    return save_period_goal(
        con,
        workspace_id,
        PeriodGoalDraft(measurable, *draft, **named),
        by=by,
        replacing=period_id,
    )


def remove_period_goal(con: Connection, workspace_id: int, period_id: int, by: str = "") -> None:
    """Stop a period goal counting (kept, with a "removed" revision)."""
    with transaction(con) as tx:
        old = get_period_goal(tx, workspace_id, period_id)
        tx.execute(
            "UPDATE period_goals SET removed_at = current_localtimestamp() "
            "WHERE id = $id AND workspace_id = $w",
            {"id": old.id, "w": workspace_id},
        )
        _revision(tx, workspace_id, old.id, "removed", _stored(old), "", by)


def revisions(con: Connection, workspace_id: int) -> list[dict[str, Any]]:
    """Every change to the workspace's period goals, oldest first: period id, what, old and
    new (dicts, None when there is none), who and when."""
    rows = con.execute(
        "SELECT period_goal_id, what, old_value, new_value, changed_by, changed_at "
        "FROM period_goal_revisions WHERE workspace_id = $w ORDER BY id",
        {"w": workspace_id},
    ).fetchall()
    return [
        {
            "period_goal_id": int(pid),
            "what": str(what),
            "old": json.loads(old) if old else None,
            "new": json.loads(new) if new else None,
            "changed_by": str(by),
            "changed_at": at,
        }
        for pid, what, old, new, by, at in rows
    ]
