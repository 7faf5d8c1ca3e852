"""What an indicator is: its registry entry, its result, and how a value becomes a status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import pandas as pd

from analytics import format as fmt
from analytics.store import Connection

Status = Literal["green", "amber", "red", "unknown"]
# "points": a difference between two shares (0.232 = 23.2 percentage points).
Unit = Literal[
    "hours", "share", "points", "ratio", "count", "money", "index", "months", "days", "cv"
]

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
    # True when the owner picked the day; otherwise each indicator may anchor on the last
    # date of the data it reads (see `as_of_for`).
    explicit: bool = False

    def as_of_for(self, table: str, column: str) -> date | None:
        """The owner's day if picked, else the last `column` date in `table` (None if empty).

        `table` and `column` come from code, never from input.
        """
        if self.explicit:
            return self.as_of
        row = (
            self.con.cursor()
            .execute(
                f"SELECT max({column}) FROM {table} WHERE workspace_id = $w",
                {"w": self.workspace_id},
            )
            .fetchall()
        )
        return row[0][0]


@dataclass
class Result:
    """One indicator's answer for one workspace on one day."""

    id: str
    value: float | None
    status: Status
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def known(self) -> bool:
        return self.value is not None and self.status != "unknown"


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
    page: str
    # Checklists (template ids) that address this indicator when it is red.
    checklists: tuple[str, ...] = ()
    # What to do when it is not green, in one or two plain sentences.
    next_step: str = ""
    # The recent history behind the value, for a sparkline: a function of the result that
    # returns a Series indexed by date (None when the indicator has no time dimension).
    spark: Callable[[Result], pd.Series] | None = None

    def format_value(self, value: float | None, currency: str = "USD") -> str:
        """The value in its own unit, as an owner reads it ("—" when there is none)."""
        if value is None or value != value:
            return "—"
        unit = self.unit
        if unit == "hours":
            return f"{value:,.1f} h"
        if unit in ("share", "cv"):
            return fmt.pct(value)
        if unit == "points":
            return f"{value * 100:+.1f} pts"
        if unit == "ratio":
            return f"{value:.2f}×"
        if unit == "count":
            return f"{round(value):,}"
        if unit == "money":
            return fmt.money(value, currency)
        if unit == "months":
            return f"{value:.1f} months"
        if unit == "days":
            return f"{value:,.0f} days"
        return f"{value:.2f}"

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
