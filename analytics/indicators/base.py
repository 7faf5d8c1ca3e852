"""What an indicator is: its registry entry, its result, and how a value becomes a status."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal, get_args

import pandas as pd

from analytics import asof
from analytics import format as fmt
from analytics.settings import minimum
from analytics.store import Connection

Status = Literal["green", "amber", "red", "unknown"]
# "points": a difference between two shares (0.232 = 23.2 percentage points).
Unit = Literal[
    "hours", "share", "points", "ratio", "count", "money", "index", "months", "days", "cv"
]

# How a value reads in each unit (the second argument is the workspace's currency).
UNIT_FORMATS: dict[str, Callable[[float, str], str]] = {
    "hours": lambda v, _: f"{v:,.1f} h",
    "share": lambda v, _: fmt.pct(v),
    "cv": lambda v, _: fmt.pct(v),
    "points": lambda v, _: f"{v * 100:+.1f} pts",
    "ratio": lambda v, _: f"{v:.2f}×",
    "count": lambda v, _: f"{round(v):,}",
    "money": fmt.money,
    "index": lambda v, _: f"{v:.2f}",
    "months": lambda v, _: f"{v:.1f} months",
    "days": lambda v, _: f"{v:,.0f} days",
}
assert set(UNIT_FORMATS) == set(get_args(Unit)), "every unit needs its format"

STATUS_ORDER: dict[str, int] = {"red": 0, "amber": 1, "unknown": 2, "green": 3}
STATUS_ICON: dict[str, str] = {"green": "🟢", "amber": "🟠", "red": "🔴", "unknown": "⚪"}
STATUS_WORD: dict[str, str] = {
    "green": "On track",
    "amber": "Watch",
    "red": "Act now",
    "unknown": "Not enough data",
}


@dataclass(frozen=True)
class Context:
    """Everything an indicator's compute function may read."""

    con: Connection
    workspace_id: int
    as_of: date
    settings: dict[str, Any]
    # True when the owner picked the day; otherwise each indicator anchors on the last real
    # date of the data it reads (see `entity_as_of`).
    explicit: bool = False
    # Each entity's last real day, looked up once per context (`on` shares it), all at once
    # and from the store's kept days while its data has not changed (`asof.last_days`).
    last_days: dict[str, date | None] = field(default_factory=dict, compare=False, repr=False)

    def last_day(self, entity: str) -> date | None:
        """`entity`'s own last real date, whatever day the owner picked."""
        if entity not in self.last_days:
            for name, day in asof.last_days(self.con, self.workspace_id).items():
                self.last_days.setdefault(name, day)
        return self.last_days[entity]

    def entity_as_of(self, entity: str) -> date | None:
        """The owner's day if picked, else `entity`'s own last real date (None if it has none).

        The last real date: never an open deal's forecast close, never a day after today
        (`store.ENTITY_DATE`). `entity` comes from code, never from input.
        """
        if self.explicit:
            return self.as_of
        return self.last_day(entity)

    def latest_as_of(self, *entities: str) -> date | None:
        """The latest own day among several entities that each can answer alone."""
        days = [d for d in (self.entity_as_of(e) for e in entities) if d is not None]
        return max(days) if days else None

    def day_for(self, reads: tuple[str, ...], anchor: str = "first") -> date | None:
        """The day a figure reading `reads` counts to, by its anchor rule."""
        if self.explicit or not reads:
            return self.as_of
        if anchor == "latest":
            return self.latest_as_of(*reads)
        if anchor == "common":
            return self.common_as_of(*reads)
        return self.entity_as_of(reads[0])

    def on(self, day: date | None) -> Context:
        """This context anchored on `day` (unchanged when None): the day an indicator reads."""
        return self if day is None else replace(self, as_of=day)

    def common_as_of(self, *entities: str) -> date | None:
        """The earliest own day among entities that must all cover the window (None if any
        has no dates): a figure comparing two sources counts only where both have data."""
        days = [self.entity_as_of(e) for e in entities]
        if any(d is None for d in days):
            return None
        return min(d for d in days if d is not None)


@dataclass
class Result:
    """One indicator's answer for one workspace on one day."""

    id: str
    value: float | None
    status: Status
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    # The owner's settings the figure read (`indicators.compute` fills it in; see
    # settings_read.py): a kept result holds while those keep their values.
    settings_read: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @property
    def known(self) -> bool:
        return self.value is not None and self.status != "unknown"


class NotEnoughData(Exception):  # noqa: N818 (an ending, not an error)
    """Ends a compute function early with its "not enough data" result. The shared openings
    (`common.start`, `common.day_of`, each area's `start`) raise it, so a compute function
    reads straight on from them; `indicators.compute` returns the result it carries."""

    def __init__(self, result: Result) -> None:
        super().__init__(result.message)
        self.result = result


@dataclass(frozen=True)
class Thresholds:
    """Where green ends and red begins, in the indicator's unit.

    For a higher-is-better indicator: value ≥ green is green, value < red is red.
    For a lower-is-better one: value ≤ green is green, value > red is red.
    Amber lies between.
    """

    green: float
    red: float


@dataclass(frozen=True)
class Indicator:
    id: str
    area: str
    label: str
    unit: Unit
    higher_is_better: bool
    description: str
    # Fixed defaults, or a function of the settings when they follow a target the owner
    # sets (prospecting hours against the weekly target).
    thresholds: Thresholds | Callable[[dict[str, Any]], Thresholds]
    compute: Callable[[Context], Result]
    # The page that explains it (a file in pages/): its area's page unless it says otherwise.
    page: str = ""
    # The dated entities it reads, the one its day comes from first: the page's "as of" line
    # and the check on a picked day after the data's end come from this.
    reads: tuple[str, ...] = ()
    # How its day follows from those entities' own last days: "first" (the first entity's),
    # "latest" (either source answers alone) or "common" (both must cover the window).
    anchor: Literal["first", "latest", "common"] = "first"
    # True when empty days after the data's end would change the value (sums, ages, streaks,
    # growth); False for a share within the window, which empty days only shorten. A picked
    # day well after the data's end makes the first kind "not enough data" (`compute`).
    counts_days: bool = True
    # Checklists (template ids) that address this indicator when it is red.
    checklists: tuple[str, ...] = ()
    # What to do when it is not green, in one or two plain sentences.
    next_step: str = ""
    # The recent history behind the value, for a sparkline: a function of the result that
    # returns a Series indexed by date (None when the indicator has no time dimension).
    spark: Callable[[Result], pd.Series] | None = None
    # The heading of its section on the page (default: its label). A page draws the default
    # section (heading, card) unless ui/sections/<area>.py registers a renderer for the id.
    heading: str = ""
    # What its message says after the figure, by colour (red, amber, green), when the
    # message ends with a verdict (`verdict`).
    verdicts: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.page:
            object.__setattr__(self, "page", self.area)

    @property
    def section_heading(self) -> str:
        return self.heading or self.label

    def verdict(self, status: Status) -> str:
        """The sentence its message ends with for `status` (green's for any but red and
        amber), from its entry's verdicts."""
        return self.verdicts.get(status) or self.verdicts.get("green", "")

    def format_value(self, value: float | None, currency: str = "USD") -> str:
        """The value in its own unit, as an owner reads it ("—" when there is none)."""
        if value is None or value != value:
            return "—"
        return UNIT_FORMATS.get(self.unit, UNIT_FORMATS["index"])(value, currency)

    def default_thresholds(self, settings: dict[str, Any]) -> Thresholds:
        t = self.thresholds
        return t if isinstance(t, Thresholds) else t(settings)

    def thresholds_for(self, settings: dict[str, Any]) -> Thresholds:
        """The owner's thresholds (setting `threshold:<id>`), else the defaults."""
        saved = settings.get(f"threshold:{self.id}")
        if isinstance(saved, dict) and "green" in saved and "red" in saved:
            return Thresholds(float(saved["green"]), float(saved["red"]))
        return self.default_thresholds(settings)

    def judge(self, value: float | None, settings: dict[str, Any]) -> Status:
        """The status of a value under the owner's thresholds: compute functions use this,
        so a message's tone always matches the colour the page shows."""
        return self.status_of(value, self.thresholds_for(settings))

    def status_of(self, value: float | None, t: Thresholds) -> Status:
        if value is None:
            return "unknown"
        if self.higher_is_better:
            if value >= t.green:
                return "green"
            return "red" if value < t.red else "amber"
        if value <= t.green:
            return "green"
        return "red" if value > t.red else "amber"

    def judged(
        self,
        value: float,
        settings: dict[str, Any],
        message: str,
        details: dict[str, Any],
        frame: pd.DataFrame | None = None,
    ) -> Result:
        """A known result: `value` with its colour under the owner's thresholds (`judge`)."""
        status = self.judge(value, settings)
        return Result(
            self.id, value, status, message, details, frame if frame is not None else pd.DataFrame()
        )

    def unknown(
        self,
        reason: str,
        frame: pd.DataFrame | None = None,
        details: dict[str, Any] | None = None,
    ) -> Result:
        """A result that says why it cannot be computed and what data would fix it."""
        return Result(
            self.id,
            None,
            "unknown",
            reason,
            details or {},
            frame if frame is not None else pd.DataFrame(),
        )

    def too_few(
        self,
        value: float | None,
        n: int,
        needed: int,
        what: str,
        *,
        many: str | None = None,
        count: str | None = None,
        fix: str = "",
        frame: pd.DataFrame | None = None,
        details: dict[str, Any] | None = None,
        currency: str = "USD",
    ) -> Result:
        """A figure worked out over too few cases (deals, customers, weeks) to judge.

        No colour: status unknown and `value` None, so nothing ranks, compares or publishes
        it; the figure and its count stay in the details and in the message, e.g. "75.0%
        (3 of 4 deals won) — too few to judge; needs at least 5 deals." `count` says what
        the figure is over (default "n deals"); `fix` says what data would make it known.
        """
        counted = count or fmt.plural(n, what, many)
        shown = (
            f"{self.format_value(value, currency)} ({counted})" if value is not None else counted
        )
        message = f"{shown} — too few to judge; needs at least {fmt.plural(needed, what, many)}."
        return self.unknown(
            f"{message} {fix}".strip(),
            frame,
            {**(details or {}), "value": value, "count": n, "needed": needed, "too_few": True},
        )

    def unless_enough(
        self, ctx: Context, value: float | None, n: int, what: str, **too_few: Any
    ) -> Result | None:
        """`too_few` (with its keywords) when `n` cases are fewer than the owner's minimum
        base (setting min_cases), else None: the opening of a figure that needs cases."""

        needed = minimum(ctx.settings, "min_cases")
        return self.too_few(value, n, needed, what, **too_few) if n < needed else None
