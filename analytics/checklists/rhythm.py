"""A rhythm per checklist: how often it comes round, when it was last run, whether it is due or
overdue, with the checklists a red figure addresses raised to the top."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from analytics.checklists.templates import REPEATS, Template
from analytics.store import Connection, reader

# "Due" starts this many days before the day a checklist comes round again.
DUE_AHEAD_DAYS = 7
EVERY = {
    "weekly": "every week",
    "monthly": "every month",
    "quarterly": "every quarter",
    "half-yearly": "every half year",
    "yearly": "every year",
}


@dataclass(frozen=True)
class Due:
    template_id: str
    title: str
    repeat: str
    last_run: date | None
    due_on: date | None  # None: never run, so due now
    state: str  # "overdue", "due" or "later"
    days_since: int | None
    days_late: int
    suggested_by: tuple[str, ...] = ()

    @property
    def pressing(self) -> bool:
        """Worth showing: due, overdue, or addressed by a red figure."""
        return self.state != "later" or bool(self.suggested_by)

    def sentence(self, title: str = "") -> str:
        """ "You last asked *Does it work?* 140 days ago (every quarter: 49 days overdue)."
        `title` replaces the template's (e.g. escaped for Markdown)."""
        every = EVERY[self.repeat]
        name = title or self.title
        if self.last_run is None:
            return f"You have not asked *{name}* yet ({every})."
        ago = "today" if self.days_since == 0 else f"{self.days_since} days ago"
        if self.state == "overdue":
            when = f"{self.days_late} days overdue"
        elif self.state == "due":
            when = f"due on {self.due_on}"
        else:
            when = f"next on {self.due_on}"
        return f"You last asked *{name}* {ago} ({every}: {when})."


def last_runs(con: Connection, workspace_id: int) -> dict[str, date]:
    """The day each template was last run in this workspace."""
    rows = (
        reader(con)
        .execute(
            "SELECT template_id, max(started_on) FROM checklist_runs WHERE workspace_id = $w "
            "GROUP BY template_id",
            {"w": workspace_id},
        )
        .fetchall()
    )
    return {str(t): d for t, d in rows}


def schedule(
    templates: dict[str, Template],
    last: dict[str, date],
    today: date,
    suggested: dict[str, list[str]] | None = None,
) -> list[Due]:
    """Every live template with a rhythm: those a red figure suggests first, then overdue (the
    latest first), due, and later (the soonest first)."""
    reds = suggested or {}
    out: list[Due] = []
    for t in templates.values():
        if not t.repeat or t.archived:
            continue
        ran = last.get(t.id)
        if ran is None:
            due_on, state, since, late = None, "due", None, 0
        else:
            due_on = ran + timedelta(days=REPEATS[t.repeat])
            since = (today - ran).days
            late = max(0, (today - due_on).days)
            if today > due_on:
                state = "overdue"
            elif today >= due_on - timedelta(days=DUE_AHEAD_DAYS):
                state = "due"
            else:
                state = "later"
        red = tuple(reds.get(t.id, ()))
        out.append(Due(t.id, t.title, t.repeat, ran, due_on, state, since, late, red))
    rank = {"overdue": 0, "due": 1, "later": 2}
    return sorted(
        out,
        key=lambda d: (
            not d.suggested_by,
            rank[d.state],
            -d.days_late,
            d.due_on or date.min,
            d.title,
        ),
    )
