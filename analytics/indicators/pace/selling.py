"""Pace of selling: prospecting hours week after week, and how steady the sales activity is."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from analytics import format as fmt
from analytics.indicators import register_entry
from analytics.indicators.base import Context, Indicator, Result, Thresholds
from analytics.indicators.pace.base import MIN_WEEKS, setting_weeks, tail_series
from analytics.queries import query
from analytics.settings import PROSPECTING_TYPES, SETTINGS
from analytics.store import Connection

# The default durations of activities logged without one (minutes_prospecting, …), which
# pace_prospecting_weeks.sql takes as parameters.
MINUTES_KEYS = tuple(k for k in SETTINGS if k.startswith("minutes_"))


def _runs(flags: pd.Series, starts: pd.Series) -> pd.DataFrame:
    """Consecutive runs of equal flags: met, length, first and last week start."""
    met = flags.to_numpy(dtype=bool)
    days = starts.to_numpy()
    # where a run begins: the first week, and every week whose flag differs from the last's
    first = np.flatnonzero(np.r_[True, met[1:] != met[:-1]]) if len(met) else np.array([], int)
    last = np.r_[first[1:], len(met)] - 1 if len(met) else first
    return pd.DataFrame(
        {"met": met[first], "length": last - first + 1, "start": days[first], "end": days[last]}
    )


def _spark_prospecting(result: Result) -> pd.Series:
    return tail_series(result, "week_start", "hours", 13)


def _spark_activity(result: Result) -> pd.Series:
    return tail_series(result, "week_start", "activities", 13)


# ---------------------------------------------------------------- prospecting_hours


def _prospecting_thresholds(settings: dict[str, Any]) -> Thresholds:
    target = float(settings.get("prospecting_target_hours", 1.0))
    return Thresholds(green=target, red=target / 2)


def prospecting_terms(settings: dict[str, Any]) -> list[str]:
    """The owner's prospecting activity types (setting prospecting_types) as the SQL matches
    them: lowercase, every run of non-letters one space, blanks dropped."""
    chosen = settings.get("prospecting_types", PROSPECTING_TYPES)
    terms = (re.sub(r"[^a-z]+", " ", str(t).lower()).strip() for t in chosen)
    return sorted({t for t in terms if t})


def activity_types(con: Connection, workspace_id: int, settings: dict[str, Any]) -> pd.DataFrame:
    """The workspace's activity types, most used first: type, activities, counts (whether
    it counts as prospecting under the setting prospecting_types)."""
    return query(
        con,
        "pace_activity_types",
        {"ws": workspace_id, "prospecting_terms": prospecting_terms(settings)},
    )


def _no_prospecting_types(ind: Indicator, ctx: Context, weeks: pd.DataFrame) -> Result | None:
    """ "Not enough data" when no activity type counts as prospecting and no time is logged
    as prospecting or sales: 0 h would only mean the types are named differently."""
    if float(weeks["time_entry_hours"].sum()) > 0:
        return None
    # hours from activities come only from types that count: no need to list the types
    if float(weeks["activity_hours"].sum()) > 0:
        return None
    types = activity_types(ctx.con, ctx.workspace_id, ctx.settings)
    if bool(types["counts"].any()):
        return None
    names = [str(t) for t in types["type"].head(8)]
    more = len(types) - len(names)
    listed = ", ".join(names) + (f" and {more} more" if more > 0 else "")
    yours = (
        f"none of your activity types ({listed}) counts as prospecting"
        if names
        else "your activities have no type"
    )
    return ind.unknown(
        f"Not measured: {yours}, and no time is logged as prospecting or sales. In Settings, "
        "under “Activity types that count as prospecting”, pick the types you use to find "
        "new customers; or log that time in timesheets with category prospecting.",
        weeks,
        {
            "activity_types": names,
            "prospecting_types": list(ctx.settings.get("prospecting_types", PROSPECTING_TYPES)),
        },
    )


def prospecting_weeks(ctx: Context) -> pd.DataFrame:
    """Every complete week's prospecting hours, with whether the weekly target was met.

    Counts to the later of the activities' and the time entries' own last days: either
    source can show prospecting on its own.
    """
    ctx = ctx.on(ctx.day_for(PROSPECTING_HOURS.reads, PROSPECTING_HOURS.anchor))
    params: dict[str, Any] = {"ws": ctx.workspace_id, "as_of": ctx.as_of}
    # each default duration by name (not the whole dict: a kept figure then depends on these
    # settings only, see settings_read.py)
    params.update({k: float(ctx.settings[k]) for k in MINUTES_KEYS})
    params["prospecting_terms"] = prospecting_terms(ctx.settings)
    weeks = query(ctx.con, "pace_prospecting_weeks", params)
    target = float(ctx.settings.get("prospecting_target_hours", 1.0))
    weeks["week_start"] = pd.to_datetime(weeks["week_start"]).dt.date
    weeks["met"] = weeks["hours"] >= target - 1e-9
    return weeks


def compute_prospecting_hours(ctx: Context) -> Result:
    ind = PROSPECTING_HOURS
    weeks = prospecting_weeks(ctx)
    if weeks.empty:
        return ind.unknown(
            "No activities or time entries yet. Load your sales activities (calls, emails, "
            "mailshots, prospecting) or time entries with a sales/prospecting category."
        )
    unmeasured = _no_prospecting_types(ind, ctx, weeks)
    if unmeasured is not None:
        return unmeasured
    if len(weeks) < MIN_WEEKS:
        return ind.unknown(
            f"Only {fmt.plural(len(weeks), 'complete week')} of activity so far (from "
            f"{fmt.day(weeks['week_start'].iloc[0])}); needs at least {MIN_WEEKS} to show a pace.",
            weeks,
        )
    n = setting_weeks(ctx)
    window = weeks.tail(n)
    runs = _runs(weeks["met"], weeks["week_start"])
    lengths = runs["length"].to_numpy()
    met_runs = runs["met"].to_numpy()
    current = int(lengths[-1]) if met_runs[-1] else 0
    longest = int(lengths[met_runs].max()) if met_runs.any() else 0
    # the longest gap, the latest of equal ones
    gaps = [
        (int(length), end)
        for length, end, was_met in zip(lengths, runs["end"], met_runs, strict=True)
        if not was_met
    ]
    if not gaps:
        gap, gap_end = 0, None
    else:
        gap, last_start = max(gaps)
        gap_end = last_start + timedelta(days=6)
    value = float(window["hours"].mean())
    met = int(window["met"].sum())
    target = float(ctx.settings.get("prospecting_target_hours", 1.0))
    details = {
        "weeks": len(window),
        "weeks_met": met,
        "weeks_met_share": met / len(window),
        "current_streak": current,
        "longest_streak": longest,
        "longest_gap_weeks": gap,
        "longest_gap_ended": gap_end,
        "target_hours": target,
        "last_week": window["week_start"].iloc[-1],
    }
    message = (
        f"You met the {fmt.hours(target)} prospecting target in {met} of the last "
        f"{fmt.plural(len(window), 'week')}, {fmt.hours(value)} a week on average; "
        f"current streak {fmt.plural(current, 'week')}."
    )
    if gap:
        message += f" Your longest gap was {fmt.plural(gap, 'week')}, ending {fmt.day(gap_end)}."
    return ind.judged(value, ctx.settings, message, details, weeks)


PROSPECTING_HOURS = register_entry(
    "prospecting_hours",
    compute=compute_prospecting_hours,
    spark=_spark_prospecting,
    thresholds=_prospecting_thresholds,
)


# ---------------------------------------------------------------- activity_consistency

STEADY_CV = 0.35
STORMY_CV = 0.7


def weather(cv: float) -> str:
    """Steady trade wind, gusty, or a typhoon of bursts and silences."""
    return "steady" if cv <= STEADY_CV else "gusty" if cv <= STORMY_CV else "stormy"


def compute_activity_consistency(ctx: Context) -> Result:
    ind = ACTIVITY_CONSISTENCY
    n = setting_weeks(ctx)
    ctx = ctx.on(ctx.entity_as_of("activities"))
    weeks = query(
        ctx.con, "pace_weekly_activity", {"ws": ctx.workspace_id, "as_of": ctx.as_of, "weeks": n}
    )
    weeks["week_start"] = pd.to_datetime(weeks["week_start"]).dt.date
    first = (
        ctx.con.cursor()
        .execute(
            "SELECT min(date) FROM activities WHERE workspace_id = $w", {"w": ctx.workspace_id}
        )
        .fetchall()[0][0]
    )
    if first is None:
        return ind.unknown(
            "No sales activities loaded yet. Import your calls, emails and meetings."
        )
    # Weeks before the first activity ever logged are missing data, not silence.
    weeks = weeks[weeks["week_start"] >= first - timedelta(days=first.weekday())]
    if len(weeks) < MIN_WEEKS:
        return ind.unknown(
            f"Activities start {fmt.day(first)}: needs at least {MIN_WEEKS} complete weeks to "
            "judge how steady selling is.",
            weeks,
        )
    mean = float(weeks["activities"].mean())
    if mean == 0:
        return ind.unknown(
            f"No sales activities in the last {fmt.plural(len(weeks), 'complete week')}: "
            "nothing to measure. Log calls, emails and meetings as they happen.",
            weeks,
        )
    cv = float(weeks["activities"].std(ddof=0) / mean)
    label = weather(cv)
    quiet = int((weeks["activities"] == 0).sum())
    busiest = weeks.loc[weeks["activities"].idxmax()]
    message = (
        f"Selling effort is {label}: {mean:.1f} activities a week over the last "
        f"{fmt.plural(len(weeks), 'week')}, varying by {cv * 100:.0f}% "
        f"(busiest: {int(busiest['activities'])} in the week of {fmt.day(busiest['week_start'])}"
        + (f"; {fmt.plural(quiet, 'silent week')})." if quiet else ").")
    )
    details = {
        "label": label,
        "mean_per_week": mean,
        "silent_weeks": quiet,
        "weeks": len(weeks),
    }
    return Result(ind.id, cv, ind.judge(cv, ctx.settings), message, details, weeks)


ACTIVITY_CONSISTENCY = register_entry(
    "activity_consistency",
    compute=compute_activity_consistency,
    spark=_spark_activity,
    thresholds=Thresholds(green=STEADY_CV, red=STORMY_CV),
)
