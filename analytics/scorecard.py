"""The weekly scorecard: a handful of measurables, the last 13 weeks, each against its goal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import pandas as pd

from analytics import format as fmt
from analytics import store
from analytics.indicators import Context, pace
from analytics.queries import query

# Weeks of history behind a default goal (the owner's own average).
GOAL_HISTORY_WEEKS = 52


@dataclass(frozen=True)
class Measurable:
    id: str
    label: str
    unit: Literal["count", "money", "hours", "share"]
    higher_is_better: bool
    entity: str  # the data it needs
    # The setting its goal is (the weekly prospecting target), instead of a goal of its own
    # (`goal:<id>`) or the owner's average: Settings offers no separate goal for it.
    goal_setting: str = ""
    # Its weekly values (week_start, value) when an indicator's own weeks give them, instead
    # of scorecard_weekly.sql: prospecting hours are the Pace figure's weeks, counted once.
    weeks: Callable[[Context], pd.DataFrame] | None = None


def prospecting_weeks(ctx: Context) -> pd.DataFrame:
    """The prospecting hours of each week, as the Pace figure counts them."""
    return pace.prospecting_weeks(ctx)[["week_start", "hours"]].rename(columns={"hours": "value"})


MEASURABLES: tuple[Measurable, ...] = (
    Measurable(
        "prospecting_hours",
        "Prospecting hours",
        "hours",
        True,
        "activities",
        goal_setting="prospecting_target_hours",
        weeks=prospecting_weeks,
    ),
    Measurable("activities", "Sales activities", "count", True, "activities"),
    Measurable("deals_won", "Deals won", "count", True, "deals"),
    Measurable("won_value", "Value won", "money", True, "deals"),
    Measurable("revenue", "Revenue invoiced", "money", True, "invoices"),
    Measurable("new_customers", "New customers", "count", True, "invoices"),
    Measurable("tickets", "Tickets opened", "count", False, "tickets"),
    Measurable("hours_logged", "Hours logged", "hours", True, "time_entries"),
    Measurable("billable_share", "Billable share of hours", "share", True, "time_entries"),
)


@dataclass
class Scorecard:
    """Measurables as rows, weeks as columns; `met` says which cells reached the goal."""

    weeks: list[date]
    table: pd.DataFrame  # measurable, label, unit, goal, goal_source, <week…>, avg_4, avg_13
    met: pd.DataFrame  # measurable × week: True / False / None (no goal or no value)
    missing: dict[str, str] = field(default_factory=dict)  # measurable label → what to load


def _goal(m: Measurable, history: pd.Series, settings: dict[str, Any]) -> tuple[float | None, str]:
    if m.goal_setting:
        return float(settings.get(m.goal_setting, 1.0)), "your weekly target"
    saved = settings.get(f"goal:{m.id}")
    if saved is not None:
        return float(saved), "set by you"
    # Weeks before the data begins are not part of the owner's normal.
    clean = history[history.fillna(0).ne(0).cummax()].dropna()
    if clean.empty or float(clean.sum()) == 0:
        return None, "no history to set one"
    return float(clean.mean()), f"your {len(clean)}-week average"


def _mean(values: pd.Series) -> float | None:
    clean = values.dropna()
    return float(clean.sum()) / len(clean) if len(clean) else None


def weekly_scorecard(
    con: store.Connection, workspace_id: int, as_of: date, settings: dict[str, Any], weeks: int = 13
) -> Scorecard:
    span = weeks + GOAL_HISTORY_WEEKS
    long = query(con, "scorecard_weekly", {"ws": workspace_id, "as_of": as_of, "weeks": span})
    ctx = Context(con, workspace_id, as_of, settings, explicit=True)
    long["week_start"] = pd.to_datetime(long["week_start"]).dt.date
    all_weeks = sorted(long["week_start"].unique())
    own = [
        m.weeks(ctx).pipe(lambda f: f[f["week_start"].isin(all_weeks)]).assign(measurable=m.id)
        for m in MEASURABLES
        if m.weeks is not None
    ]
    long = pd.concat([long, *own], ignore_index=True)
    # pivot, not pivot_table: a sum would turn "no billable flag that week" into 0.
    wide = long.pivot(index="measurable", columns="week_start", values="value").reindex(
        columns=all_weeks
    )
    shown = all_weeks[-weeks:]
    counts = store.entity_counts(con, workspace_id)

    rows: list[dict[str, Any]] = []
    met_rows: list[dict[str, Any]] = []
    missing: dict[str, str] = {}
    for m in MEASURABLES:  # nine rows, not data rows
        if counts.get(m.entity, 0) == 0 or m.id not in wide.index:
            missing[m.label] = m.entity.replace("_", " ")
            continue
        series = pd.Series(wide.loc[m.id], dtype=float)
        goal, source = _goal(m, series[all_weeks[:-weeks]], settings)
        recent = pd.Series(series[shown], dtype=float)
        row: dict[str, Any] = {
            "measurable": m.id,
            "label": m.label,
            "unit": m.unit,
            "goal": goal,
            "goal_source": source,
            **{w: recent[w] for w in shown},
            "avg_4": _mean(recent.tail(4)),
            "avg_13": _mean(recent),
        }
        rows.append(row)
        if goal is None:
            met_rows.append({"measurable": m.id, **dict.fromkeys(shown)})
        else:
            ok = recent >= goal - 1e-9 if m.higher_is_better else recent <= goal + 1e-9
            met_rows.append(
                {
                    "measurable": m.id,
                    **{w: (None if pd.isna(recent[w]) else bool(ok[w])) for w in shown},
                }
            )
    table = pd.DataFrame(rows)
    met = pd.DataFrame(met_rows)
    return Scorecard(weeks=list(shown), table=table, met=met, missing=missing)


def cell_text(unit: str, value: Any, currency: str) -> str:
    """One scorecard value as the owner reads it ("—" when the week has none)."""
    if value is None or pd.isna(value):
        return "—"
    if unit == "money":
        return fmt.money(float(value), currency)
    if unit == "share":
        return fmt.pct(float(value))
    if unit == "hours":
        return f"{value:,.1f}"
    return f"{round(value):,}" if float(value).is_integer() else f"{value:,.1f}"


def display(sc: Scorecard, currency: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scorecard as shown: measurables as rows, weeks as columns ("14 Mar"), each cell its
    value with ✓ or ✗ against the goal, then the averages; and beside it, per cell, True
    (met), False (missed) or None, for tinting."""
    week_cols = {w: fmt.day(w).rsplit(" ", 1)[0] for w in sc.weeks}
    met = sc.met.set_index("measurable") if not sc.met.empty else pd.DataFrame()
    rows: list[dict[str, str]] = []
    marks: list[dict[str, bool | None]] = []
    for rec in sc.table.to_dict("records"):
        unit = str(rec["unit"])
        row = {"Measurable": str(rec["label"]), "Goal": cell_text(unit, rec["goal"], currency)}
        mark: dict[str, bool | None] = {"Measurable": None, "Goal": None}
        for w, label in week_cols.items():
            ok = met.loc[rec["measurable"], w] if not met.empty else None
            known = ok is not None and not pd.isna(ok)
            row[label] = cell_text(unit, rec[w], currency) + (
                (" ✓" if ok else " ✗") if known else ""
            )
            mark[label] = bool(ok) if known else None
        row["4-wk avg"] = cell_text(unit, rec["avg_4"], currency)
        row["13-wk avg"] = cell_text(unit, rec["avg_13"], currency)
        row["Goal from"] = str(rec["goal_source"])
        mark.update({"4-wk avg": None, "13-wk avg": None, "Goal from": None})
        rows.append(row)
        marks.append(mark)
    frame = pd.DataFrame(rows)
    return frame, pd.DataFrame(marks, index=frame.index, columns=frame.columns)
