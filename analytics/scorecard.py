"""The weekly scorecard: a handful of measurables, the last 13 weeks, each against its goal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal, cast

import pandas as pd

from analytics import format as fmt
from analytics import period_goals, store
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
    # The goal in force each shown week (measurable × week), when a period goal makes the
    # goals differ across the weeks shown; empty when every row has one goal throughout.
    goals: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Behind the season pace: every week's values (measurable × the weeks before and the
    # weeks shown), each measurable's everyday goal, and the period goals.
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    everyday: dict[str, float | None] = field(default_factory=dict)
    periods: list[period_goals.PeriodGoal] = field(default_factory=list)

    def goal_for(self, measurable: str, week: date) -> float | None:
        """The goal in force in a week: the period goal of the week's month (its Thursday's),
        else the measurable's everyday goal."""
        period = period_goals.in_force(self.periods, measurable, week)
        return period.goal if period is not None else self.everyday.get(measurable)


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
    periods = period_goals.list_period_goals(con, workspace_id)
    everyday: dict[str, float | None] = {}
    varying: list[dict[str, Any]] = []

    rows: list[dict[str, Any]] = []
    met_rows: list[dict[str, Any]] = []
    missing: dict[str, str] = {}
    for m in MEASURABLES:  # nine rows, not data rows
        if counts.get(m.entity, 0) == 0 or m.id not in wide.index:
            missing[m.label] = m.entity.replace("_", " ")
            continue
        series = pd.Series(wide.loc[m.id], dtype=float)
        goal, source = _goal(m, series[all_weeks[:-weeks]], settings)
        everyday[m.id] = goal
        recent = pd.Series(series[shown], dtype=float)
        in_force = [period_goals.in_force(periods, m.id, w) for w in shown]
        week_goals = [goal if p is None else p.goal for p in in_force]
        used = list(dict.fromkeys(p.label for p in in_force if p is not None))
        if used:  # the goal in force in the latest week; the source names the periods
            goal = week_goals[-1]
            source = "; ".join(used) + f"; otherwise {source}"
        if len(set(week_goals)) > 1:
            varying.append({"measurable": m.id, **dict(zip(shown, week_goals, strict=True))})
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
        met_rows.append(
            {
                "measurable": m.id,
                **{
                    w: _met(recent[w], g, m.higher_is_better)
                    for w, g in zip(shown, week_goals, strict=True)
                },
            }
        )
    table = pd.DataFrame(rows)
    met = pd.DataFrame(met_rows)
    return Scorecard(
        weeks=list(shown),
        table=table,
        met=met,
        missing=missing,
        goals=pd.DataFrame(varying),
        history=wide,
        everyday=everyday,
        periods=periods,
    )


def _met(value: float, goal: float | None, higher_is_better: bool) -> bool | None:
    """Whether one week's value reached that week's goal (None: no goal or no value)."""
    if goal is None or pd.isna(value):
        return None
    return bool(value >= goal - 1e-9 if higher_is_better else value <= goal + 1e-9)


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
    goals = sc.goals.set_index("measurable") if not sc.goals.empty else pd.DataFrame()
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
        if rec["measurable"] in goals.index:  # the goals differ across the weeks: say each
            rows.append(
                {
                    "Measurable": f"{rec['label']}: goal that week",
                    "Goal": "",
                    **{
                        label: cell_text(unit, goals.loc[rec["measurable"], w], currency)
                        for w, label in week_cols.items()
                    },
                    "4-wk avg": "",
                    "13-wk avg": "",
                    "Goal from": "",
                }
            )
            marks.append(dict.fromkeys(row))
    frame = pd.DataFrame(rows)
    return frame, pd.DataFrame(marks, index=frame.index, columns=frame.columns)


# ---------------------------------------------------------------- season pace

MAX_SEASON_WEEKS = 53  # a season longer than a year shows its last 53 weeks


@dataclass(frozen=True)
class Pace:
    """One measurable since the season start: its actual against the goal to date (the sum of
    each elapsed week's goal in force), and the weeks behind both."""

    measurable: str
    label: str
    unit: str
    higher_is_better: bool
    since: date  # the first season week's Monday
    weeks: pd.DataFrame  # week_start, actual, goal, cum_actual, cum_goal
    actual: float
    goal_to_date: float
    goal_now: float  # the goal in force in the latest week

    @property
    def gap(self) -> float:
        """How far ahead of the goal to date (negative: behind); for a lower-is-better
        measurable, ahead means under its allowance."""
        diff = self.actual - self.goal_to_date
        return diff if self.higher_is_better else -diff

    @property
    def on_pace(self) -> bool:
        return self.gap >= -1e-9

    @property
    def share(self) -> float | None:
        return self.actual / self.goal_to_date if self.goal_to_date > 0 else None


def season_start(settings: dict[str, Any], as_of: date) -> tuple[date, str]:
    """Where the season's count begins: the season start in Settings ("opening day") when set
    and not after `as_of`; else the start of the fiscal year holding `as_of`."""
    set_start = settings.get("season_start")
    if set_start and date.fromisoformat(str(set_start)) <= as_of:
        return date.fromisoformat(str(set_start)), "your season start"
    month = int(settings.get("fiscal_year_start", 1))
    year = as_of.year if as_of.month >= month else as_of.year - 1
    return date(year, month, 1), "the start of your fiscal year (no season start set)"


def season_pace(sc: Scorecard, start: date) -> tuple[dict[str, Pace], dict[str, str]]:
    """Per measurable on the scorecard, its pace since `start`; and the measurables without
    one, with the reason. The season's weeks run from the week holding `start` (counted whole,
    actual and goal alike) to the scorecard's last complete week; a week without a value
    counts 0. A share (billable share) does not add up week by week: its pace is the weekly
    row."""
    first = start - timedelta(days=start.weekday())
    history = cast(list[date], list(sc.history.columns))  # the week_start columns
    weeks = [w for w in history if w >= first][-MAX_SEASON_WEEKS:]
    found: dict[str, Pace] = {}
    left_out: dict[str, str] = {}
    by_id = {m.id: m for m in MEASURABLES}
    for rec in sc.table.to_dict("records") if not sc.table.empty else []:
        m = by_id[str(rec["measurable"])]
        if not weeks:
            left_out[m.label] = "the season has no complete week yet"
            continue
        if m.unit == "share":
            left_out[m.label] = "a share does not add up week by week: see its weekly row"
            continue
        goals = [sc.goal_for(m.id, w) for w in weeks]
        if any(g is None for g in goals):
            left_out[m.label] = "no goal for some of the season's weeks: set one in Settings"
            continue
        frame = pd.DataFrame(
            {
                "week_start": weeks,
                "actual": pd.Series(sc.history.loc[m.id, weeks], dtype=float).fillna(0).values,
                "goal": pd.Series(goals, dtype=float).values,
            }
        )
        frame["cum_actual"] = frame["actual"].cumsum()
        frame["cum_goal"] = frame["goal"].cumsum()
        found[m.id] = Pace(
            m.id,
            m.label,
            m.unit,
            m.higher_is_better,
            weeks[0],
            frame,
            float(frame["cum_actual"].iloc[-1]),
            float(frame["cum_goal"].iloc[-1]),
            float(frame["goal"].iloc[-1]),
        )
    return found, left_out


def pace_line(p: Pace, start: date, currency: str) -> str:
    """ "Prospecting hours: 182.0 since 1 Sep 2025 against 210.0 to date — 28.0 behind (86.7%)"."""
    word = (
        ("ahead" if p.higher_is_better else "under")
        if p.on_pace
        else ("behind" if p.higher_is_better else "over")
    )
    share = f" ({fmt.pct(p.share)})" if p.share is not None else ""
    gap = cell_text(p.unit, abs(p.gap), currency)
    since = start if p.since <= start else p.since  # a season over 53 weeks: its last 53
    return (
        f"{p.label}: {cell_text(p.unit, p.actual, currency)} since {fmt.day(since)} against "
        f"{cell_text(p.unit, p.goal_to_date, currency)} to date — {gap} {word}{share}"
    )


CATCH_UP_WEEKS = 4


def next_step(p: Pace, currency: str) -> str:
    """What to do about the pace, in the coaching voice."""
    now = cell_text(p.unit, p.goal_now, currency)
    if p.on_pace:
        return (
            f"On pace. Keep this week's goal of {now}: a season is won week by week, and the "
            "lead you have is the cushion for the week that goes wrong."
        )
    extra = abs(p.gap) / CATCH_UP_WEEKS
    if p.higher_is_better:
        aim = cell_text(p.unit, p.goal_now + extra, currency)
        return (
            f"Behind. To be back on pace in {CATCH_UP_WEEKS} weeks, aim for {aim} a week "
            f"(this week's goal of {now} plus {cell_text(p.unit, extra, currency)}). Put the "
            "time in the calendar now; if the goal no longer fits the season, change it in "
            "Settings rather than carry a gap you do not believe in."
        )
    aim = cell_text(p.unit, max(p.goal_now - extra, 0.0), currency)
    return (
        f"Over the allowance. To be back within it in {CATCH_UP_WEEKS} weeks, hold it to {aim} "
        f"a week. Find the cause in the weeks marked ✗ above and deal with that first."
    )
