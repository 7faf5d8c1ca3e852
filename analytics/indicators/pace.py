"""Pace indicators: prospecting discipline, steadiness of selling, order book vs cash, workload, lately."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from typing import Any

import pandas as pd

from analytics import format as fmt
from analytics.indicators import register
from analytics.indicators.base import Context, Indicator, Result, Thresholds
from analytics.queries import query, query_frames
from analytics.settings import PROSPECTING_TYPES, minimum
from analytics.store import Connection

PAGE = "pace"

# Fewest complete weeks of history before a weekly figure means anything.
MIN_WEEKS = 4
# A coming month is a "hole" when bookings already won cover less than this share of a
# typical month's bookings.
HOLE_SHARE = 0.6
# How far ahead the bookings-vs-revenue frame reaches (months after the as-of month).
HORIZON_MONTHS = 6
MAX_LAG_MONTHS = 6


def _weeks(ctx: Context) -> int:
    return int(ctx.settings.get("pace_weeks", 13))


def _last_complete_week(as_of: date) -> date:
    """Monday of the last ISO week that ends on or before `as_of`."""
    monday = as_of - timedelta(days=as_of.weekday())
    return monday if as_of.weekday() == 6 else monday - timedelta(days=7)


def _runs(flags: pd.Series, starts: pd.Series) -> pd.DataFrame:
    """Consecutive runs of equal flags: met, length, first and last week start."""
    run_id = (flags != flags.shift()).cumsum()
    return (
        pd.DataFrame({"met": flags, "week_start": starts, "run": run_id})
        .groupby("run")
        .agg(
            met=("met", "first"),
            length=("met", "size"),
            start=("week_start", "first"),
            end=("week_start", "last"),
        )
        .reset_index(drop=True)
    )


# ---------------------------------------------------------------- sparklines


def _tail_series(result: Result, date_col: str, value_col: str, n: int) -> pd.Series:
    frame = result.frame
    if frame.empty or date_col not in frame or value_col not in frame:
        return pd.Series(dtype=float)
    past = frame[~frame["future"]] if "future" in frame else frame
    return pd.Series(past[value_col].to_numpy(dtype=float), index=past[date_col]).tail(n)


def _spark_prospecting(result: Result) -> pd.Series:
    return _tail_series(result, "week_start", "hours", 13)


def _spark_activity(result: Result) -> pd.Series:
    return _tail_series(result, "week_start", "activities", 13)


def _spark_bookings(result: Result) -> pd.Series:
    return _tail_series(result, "month", "won_value", 12)


def _spark_workload(result: Result) -> pd.Series:
    frame = result.frame
    if frame.empty:
        return pd.Series(dtype=float)
    outside = frame.assign(out=frame["pace"] != "sustainable").groupby("week_start")["out"].mean()
    return outside.astype(float)


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
    params.update({k: float(v) for k, v in ctx.settings.items() if k.startswith("minutes_")})
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
    n = _weeks(ctx)
    window = weeks.tail(n)
    runs = _runs(weeks["met"], weeks["week_start"])
    met_runs = runs[runs["met"]]
    gap_runs = runs[~runs["met"]]
    current = int(runs.iloc[-1]["length"]) if bool(runs.iloc[-1]["met"]) else 0
    longest = int(met_runs["length"].max()) if not met_runs.empty else 0
    if gap_runs.empty:
        gap, gap_end = 0, None
    else:
        worst = gap_runs.sort_values(["length", "end"], ascending=[False, False]).iloc[0]
        gap, gap_end = int(worst["length"]), worst["end"] + timedelta(days=6)
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
    return Result(
        ind.id,
        value,
        ind.judge(value, ctx.settings),
        message,
        details,
        weeks,
    )


PROSPECTING_HOURS = register(
    Indicator(
        id="prospecting_hours",
        area="pace",
        reads=("activities", "time_entries"),
        anchor="latest",
        label="Prospecting hours per week",
        unit="hours",
        higher_is_better=True,
        description=(
            "While you deliver, you are not selling — and a week without prospecting becomes a "
            "hole in the cash about two months later. A small fixed slot every week, never "
            "skipped, keeps the order book filling. Counts prospecting, cold calls, mailshots, "
            "calls and emails to people you have not invoiced yet, and time logged as sales or "
            "prospecting; averaged over the last 13 complete weeks."
        ),
        thresholds=_prospecting_thresholds,
        compute=compute_prospecting_hours,
        page=PAGE,
        next_step=(
            "Put one fixed hour in the diary every week for prospecting — calls, a small "
            "mailshot you can follow up — and do not let delivery eat it."
        ),
        spark=_spark_prospecting,
        checklists=("elephant_walk", "you_are_what_you_eat"),
    )
)


# ---------------------------------------------------------------- activity_consistency

STEADY_CV = 0.35
STORMY_CV = 0.7


def weather(cv: float) -> str:
    """Steady trade wind, gusty, or a typhoon of bursts and silences."""
    return "steady" if cv <= STEADY_CV else "gusty" if cv <= STORMY_CV else "stormy"


def compute_activity_consistency(ctx: Context) -> Result:
    ind = ACTIVITY_CONSISTENCY
    n = _weeks(ctx)
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


ACTIVITY_CONSISTENCY = register(
    Indicator(
        id="activity_consistency",
        area="pace",
        reads=("activities",),
        label="Steadiness of selling",
        unit="cv",
        higher_is_better=False,
        description=(
            "A steady trade wind of selling beats a typhoon: bursts of calls followed by silent "
            "weeks give a lumpy order book and lumpy cash. This is how much weekly sales activity "
            "varies around its average (coefficient of variation) over the last 13 complete "
            "weeks: up to 35% is steady, above 70% is stormy."
        ),
        thresholds=Thresholds(green=STEADY_CV, red=STORMY_CV),
        compute=compute_activity_consistency,
        page=PAGE,
        next_step=(
            "Spread selling evenly: a few calls and emails every week beat a blitz once a "
            "quarter. Drip-feed mailshots so there is always someone to follow up."
        ),
        spark=_spark_activity,
        checklists=("elephant_walk",),
    )
)


# ---------------------------------------------------------------- order_book_cover


def estimate_lag(months: pd.DataFrame) -> tuple[int | None, float | None]:
    """The order-to-cash lag (months) at which past bookings best explain revenue.

    Month-on-month changes are compared rather than levels, so steady growth in both does
    not pass for a relationship. Needs 24 months; a correlation under 0.4 is no evidence.
    """
    past = months[~months["future"]]
    if len(past) < 24:
        return None, None
    won = past["won_value"].diff()
    revenue = past["revenue"].astype(float).diff()
    scores = {lag: revenue.corr(won.shift(lag)) for lag in range(1, MAX_LAG_MONTHS + 1)}
    scores = {k: v for k, v in scores.items() if v is not None and not math.isnan(v)}
    if not scores:
        return None, None
    best = max(scores, key=lambda k: scores[k])
    return (best, float(scores[best])) if scores[best] >= 0.4 else (None, float(scores[best]))


def bookings_vs_revenue(ctx: Context) -> tuple[pd.DataFrame, int, bool]:
    """Monthly won value and revenue, the expected revenue from bookings at the lag, and holes.

    Returns (frame, lag, lag_estimated). Columns: month, future, won_value, won_deals,
    revenue, expected_from_bookings, booking_hole (a month whose bookings fell short),
    cash_hole (a month that a booking hole `lag` months earlier points at).

    Counts to the earlier of the invoices' and the deals' own last days, so neither side
    shows empty months the other has not reached; the returned frame's last past month is
    that day's. An open deal's expected close never moves the day.
    """
    ctx = ctx.on(order_book_as_of(ctx))
    months = query(
        ctx.con,
        "pace_bookings_revenue",
        {"ws": ctx.workspace_id, "as_of": ctx.as_of, "horizon": HORIZON_MONTHS},
    )
    months["month"] = pd.to_datetime(months["month"]).dt.date
    default_lag = int(ctx.settings.get("order_to_cash_lag_months", 2)) or 1
    lag, _score = estimate_lag(months)
    estimated = lag is not None
    lag = lag or default_lag
    # Future months have no bookings yet: unknown, not zero, so the forecast stops where
    # the bookings already won stop explaining it.
    booked = months["won_value"].where(~months["future"])
    months["expected_from_bookings"] = booked.shift(lag)
    # A typical month's bookings: the mean of the 12 months before, so a hole is judged
    # against the recent normal rather than the whole history.
    typical = (
        months["won_value"].where(~months["future"]).shift(1).rolling(12, min_periods=6).mean()
    )
    months["typical_bookings"] = typical.ffill()
    months["booking_hole"] = (~months["future"]) & (
        months["won_value"] < HOLE_SHARE * months["typical_bookings"]
    )
    months["cash_hole"] = months["booking_hole"].shift(lag, fill_value=False).astype(bool)
    return months, lag, estimated


def order_book_as_of(ctx: Context) -> date:
    """The day the order book counts to: where both invoices and deals have data."""
    ind = ORDER_BOOK_COVER
    return ctx.day_for(ind.reads, ind.anchor) or ctx.day_for(ind.reads, "latest") or ctx.as_of


def _complete_months(months: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Past months that are over on the as-of day."""
    month_end = (pd.Timestamp(as_of) + pd.offsets.MonthEnd(0)).date()
    last = (
        as_of.replace(day=1)
        if as_of == month_end
        else (as_of.replace(day=1) - timedelta(days=1)).replace(day=1)
    )
    return months[(~months["future"]) & (months["month"] <= last)]


def _month_span(months: list[date]) -> str:
    """'Jun 2026', 'Jun–Jul 2026' or 'Dec 2025–Jan 2026'."""
    if not months:
        return "n/a"
    first, last = months[0], months[-1]
    if first == last:
        return fmt.month(first)
    if first.year == last.year:
        return f"{first:%b}–{fmt.month(last)}"
    return f"{fmt.month(first)}–{fmt.month(last)}"


def compute_order_book_cover(ctx: Context) -> Result:
    ind = ORDER_BOOK_COVER
    months, lag, estimated = bookings_vs_revenue(ctx)
    if months.empty or months["won_value"].sum() == 0:
        return ind.unknown(
            "Needs won deals with a value and a close date. Import your deals (pipeline "
            "export) to see whether the order book will carry the coming months."
        )
    day = order_book_as_of(ctx)
    complete = _complete_months(months, day)
    recent = complete.tail(6)
    with_revenue = int((recent["revenue"].fillna(0) > 0).sum())
    if len(recent) < 6 or with_revenue < 6:
        have = (
            f"your data has {fmt.plural(len(recent), 'complete month')} before it"
            if len(recent) < 6
            else f"only {with_revenue} of the last 6 have any"
        )
        return ind.unknown(
            "Needs invoices in each of the 6 complete months before "
            f"{fmt.day(day)} to compare the order book with; {have}. "
            "Load invoices for those months.",
            months,
        )
    mean_revenue = float(recent["revenue"].mean())
    coming = months[months["future"]].head(2)
    expected = float(coming["expected_from_bookings"].fillna(0).sum())
    value = expected / mean_revenue
    typical = float(months.loc[~months["future"], "won_value"].tail(12).mean())
    # Only months the bookings can speak for (within the lag) can show a hole.
    forecastable = coming.dropna(subset=["expected_from_bookings"])
    hole_months = [
        m
        for m, e in zip(forecastable["month"], forecastable["expected_from_bookings"], strict=True)
        if e < HOLE_SHARE * typical
    ]
    cur = ctx.settings.get("currency", "USD")
    names = " and ".join(fmt.month(m) for m in coming["month"])
    how = (
        "estimated from your history"
        if estimated
        else "the default; not enough history to estimate it"
    )
    message = (
        f"Deals already won should bring about {fmt.money(expected, cur)} in {names}: "
        f"{value:.2f}× an average month of the last six ({fmt.money(mean_revenue, cur)}), "
        f"with won deals turning into invoices after {fmt.plural(lag, 'month')} ({how})."
    )
    if hole_months:
        message += (
            f" A hole is coming in {', '.join(fmt.month(m) for m in hole_months)}: bookings "
            f"{lag} months earlier were under {HOLE_SHARE:.0%} of a typical month's "
            f"({fmt.money(typical, cur)}). Prospect now."
        )
    # The most recent hole that already hit the cash, in the last 12 months, told in numbers.
    recent_year = months[(~months["future"])].tail(12)
    hit = recent_year[recent_year["cash_hole"]]
    last_hole: dict[str, Any] | None = None
    if not hit.empty:
        booked = recent_year[recent_year["booking_hole"]]
        before = complete[complete["month"] < hit["month"].iloc[0]].tail(6)
        normal = float(before["revenue"].mean()) if len(before) else float("nan")
        dip = float(hit["revenue"].mean()) / normal - 1 if normal and normal == normal else None
        last_hole = {
            "bookings_short": [m for m in booked["month"]],
            "cash_hit": [m for m in hit["month"]],
            "revenue_change": dip,
        }
        message += (
            f" It happened before: bookings fell short in "
            f"{_month_span(list(booked['month']))} and invoicing "
            + (f"dipped {fmt.pct(-dip)} " if dip is not None and dip < 0 else "slowed ")
            + f"in {_month_span(list(hit['month']))}."
        )
    details = {
        "last_hole": last_hole,
        "lag_months": lag,
        "lag_estimated": estimated,
        "hole_months": hole_months,
        "expected_next_2_months": expected,
        "mean_monthly_revenue_6m": mean_revenue,
        "typical_monthly_bookings": typical,
        "past_booking_holes": [m for m in months.loc[months["booking_hole"], "month"]],
    }
    return Result(
        ind.id,
        value,
        ind.judge(value, ctx.settings),
        message,
        details,
        months,
    )


ORDER_BOOK_COVER = register(
    Indicator(
        id="order_book_cover",
        area="pace",
        reads=("invoices", "deals"),
        anchor="common",
        label="Order book cover (next 2 months)",
        unit="ratio",
        higher_is_better=True,
        description=(
            "A gap in the order book today is a gap in the cash a couple of months from now, and "
            "being busy delivering hides it. This is the revenue that deals already won should "
            "bring in over the next two months, divided by an average month of revenue over the "
            "last six. The lag from a won deal to its invoices is estimated from your own history "
            "where there is enough of it."
        ),
        thresholds=Thresholds(green=0.5, red=0.25),
        compute=compute_order_book_cover,
        page=PAGE,
        next_step=(
            "When a hole shows, prospect now: the deals you win this month pay in about "
            "two months. Chase open deals that are close to signing."
        ),
        spark=_spark_bookings,
        checklists=("elephant_walk",),
    )
)


# ---------------------------------------------------------------- workload_pace


def person_weeks(ctx: Context) -> pd.DataFrame:
    """Hours per person per complete week, up to the time entries' own last day."""
    ctx = ctx.on(ctx.entity_as_of("time_entries"))
    return query(
        ctx.con,
        "pace_person_weeks",
        {
            "ws": ctx.workspace_id,
            "as_of": ctx.as_of,
            "weeks": _weeks(ctx),
            "low": float(ctx.settings["sustainable_hours_low"]),
            "high": float(ctx.settings["sustainable_hours_high"]),
        },
    )


def compute_workload_pace(ctx: Context) -> Result:
    ind = WORKLOAD_PACE
    weeks = person_weeks(ctx)
    ctx = ctx.on(ctx.entity_as_of("time_entries"))
    if weeks.empty:
        return ind.unknown(
            f"No time entries in the last {_weeks(ctx)} complete weeks up to {fmt.day(ctx.as_of)}. "
            "Import timesheets (date, person, hours) to see who works at a pace they can keep."
        )
    people = (
        weeks.assign(
            too_fast=weeks["pace"] == "too fast",
            too_slow=weeks["pace"] == "too slow",
        )
        .groupby("person", as_index=False)
        .agg(
            weeks=("hours", "size"),
            mean_hours=("hours", "mean"),
            max_hours=("hours", "max"),
            too_fast=("too_fast", "sum"),
            too_slow=("too_slow", "sum"),
        )
        .sort_values(["too_fast", "mean_hours"], ascending=False)
        .reset_index(drop=True)
    )
    outside = int(people["too_fast"].sum() + people["too_slow"].sum())
    value = outside / len(weeks)
    low, high = ctx.settings["sustainable_hours_low"], ctx.settings["sustainable_hours_high"]
    needed = minimum(ctx.settings, "min_cases")
    if len(weeks) < needed:
        return ind.too_few(
            value,
            len(weeks),
            needed,
            "person-week",
            count=f"{outside} of {fmt.plural(len(weeks), 'person-week')} outside {low:g}–{high:g} h",
            fix="Load more of your timesheets (every person, every week).",
            frame=weeks,
        )
    top = people.iloc[0]
    message = (
        f"{fmt.pct(value)} of person-weeks in the last {_weeks(ctx)} weeks fell outside "
        f"{low:g}–{high:g} h."
    )
    if int(top["too_fast"]) > 0:
        message += (
            f" {top['person']} logged over {high:g} h in {int(top['too_fast'])} of "
            f"{int(top['weeks'])} weeks (average {top['mean_hours']:.1f} h): that pace does not last."
        )
    details = {
        "person_weeks": len(weeks),
        "too_fast": int(people["too_fast"].sum()),
        "too_slow": int(people["too_slow"].sum()),
        "people": people.to_dict("records"),
    }
    return Result(
        ind.id,
        value,
        ind.judge(value, ctx.settings),
        message,
        details,
        weeks,
    )


WORKLOAD_PACE = register(
    Indicator(
        id="workload_pace",
        area="pace",
        reads=("time_entries",),
        label="Weeks outside a sustainable pace",
        unit="share",
        higher_is_better=False,
        description=(
            "A race is won by a pace you can hold. Weeks far above the sustainable band burn "
            "people out and hide under-staffing; weeks far below it point at slack or missing "
            "timesheets. This is the share of person-weeks (with any hours logged) outside the "
            "band set in Settings, over the last 13 complete weeks."
        ),
        thresholds=Thresholds(green=0.1, red=0.25),
        compute=compute_workload_pace,
        page=PAGE,
        next_step=(
            "Talk to whoever is running too fast this week: move work, hire help, or say "
            "no to something. Check weeks that are too slow for missing timesheets."
        ),
        spark=_spark_workload,
        checklists=("does_it_work", "growth_plans"),
    )
)


# ---------------------------------------------------------------- lately_vs_lifetime

TOP_N = 10


def recent_since(ctx: Context) -> date:
    """Start of the recent window: the season start if set (and passed), else N days back."""
    season = ctx.settings.get("season_start")
    if season:
        start = date.fromisoformat(str(season))
        if start <= ctx.as_of:
            return start - timedelta(days=1)
    return ctx.as_of - timedelta(days=int(ctx.settings.get("recent_window_days", 90)))


def _movers(ranks: pd.DataFrame, name: str) -> tuple[list[dict[Any, Any]], list[dict[Any, Any]]]:
    """Biggest fallers among the lifetime top 20 and risers among the recent top 20."""
    unranked = len(ranks) + 1
    moved = ranks.assign(recent_rank_or_last=ranks["recent_rank"].fillna(unranked))
    moved["rank_change"] = moved["lifetime_rank"] - moved["recent_rank_or_last"]
    keep = [name, "lifetime_rank", "recent_rank", "rank_change"]
    fallers = moved[(moved["lifetime_rank"] <= 20) & (moved["rank_change"] < 0)]
    risers = moved[(moved["recent_rank"] <= 20) & (moved["rank_change"] > 0)]
    return (
        fallers.sort_values("rank_change").head(5)[keep].to_dict("records"),
        risers.sort_values("rank_change", ascending=False).head(5)[keep].to_dict("records"),
    )


def lately_frames(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame, date]:
    """Customers and salespeople ranked lately and for life, up to the invoices' own last day."""
    ctx = ctx.on(ctx.entity_as_of("invoices"))
    since = recent_since(ctx)
    params = {"ws": ctx.workspace_id, "as_of": ctx.as_of, "since": since}
    return (
        query(ctx.con, "pace_lately_customers", params),
        query(ctx.con, "pace_lately_salespeople", params),
        since,
    )


def compute_lately_vs_lifetime(ctx: Context) -> Result:
    ind = LATELY_VS_LIFETIME
    customers, sellers, since = lately_frames(ctx)
    ctx = ctx.on(ctx.entity_as_of("invoices"))
    if customers.empty:
        return ind.unknown("No invoices up to this day. Import invoices to rank customers.")
    first = (
        ctx.con.cursor()
        .execute("SELECT min(date) FROM invoices WHERE workspace_id = $w", {"w": ctx.workspace_id})
        .fetchall()[0][0]
    )
    if first is None or first > since:
        return ind.unknown(
            f"All your invoices fall inside the recent window (since {fmt.day(since + timedelta(days=1))}): "
            "a lifetime ranking needs history from before it.",
            customers,
        )
    top = customers[customers["lifetime_rank"] <= TOP_N]
    dropped = top[top["recent_rank"].isna() | (top["recent_rank"] > TOP_N)]
    value = float(len(dropped))
    c_fall, c_rise = _movers(customers, "customer")
    s_fall, s_rise = _movers(sellers, "owner") if not sellers.empty else ([], [])
    window = f"since {fmt.day(since + timedelta(days=1))}"
    message = f"{len(dropped)} of your {len(top)} biggest customers of all time are not in the top {TOP_N} {window}."
    if not dropped.empty:
        names = ", ".join(str(c) for c in dropped["customer"].head(3))
        message += f" Biggest names gone quiet: {names}."
    if c_rise:
        message += f" Rising: {c_rise[0]['customer']} (lifetime #{c_rise[0]['lifetime_rank']}, now #{int(c_rise[0]['recent_rank'])})."
    details = {
        "since": since + timedelta(days=1),
        "top_n": TOP_N,
        "dropped_from_top": [str(c) for c in dropped["customer"]],
        "customer_fallers": c_fall,
        "customer_risers": c_rise,
        "salesperson_fallers": s_fall,
        "salesperson_risers": s_rise,
    }
    needed = minimum(ctx.settings, "min_cases")
    if len(top) < needed:
        return ind.too_few(
            value,
            len(top),
            needed,
            "customer",
            count=f"{len(dropped)} of your {fmt.plural(len(top), 'customer')} quiet lately",
            fix="Load invoices for more of your customers.",
            frame=customers,
            details=details,
        )
    return Result(
        ind.id,
        value,
        ind.judge(value, ctx.settings),
        message,
        details,
        customers,
    )


LATELY_VS_LIFETIME = register(
    Indicator(
        id="lately_vs_lifetime",
        area="pace",
        reads=("invoices", "deals"),
        label="Top customers gone quiet lately",
        unit="count",
        higher_is_better=False,
        description=(
            "What have you done for me lately? A customer who was great last decade, or a "
            "salesperson who is best averaged over fifteen years, can hide today's reality. "
            "This counts how many of your ten biggest customers of all time are not in the top "
            "ten over the recent window (90 days, or since the season's opening day), and lists "
            "the biggest fallers and risers among customers and salespeople."
        ),
        thresholds=Thresholds(green=2, red=4),
        compute=compute_lately_vs_lifetime,
        page=PAGE,
        next_step=(
            "Call the big customers who went quiet before a competitor does, and ask what "
            "they need next. Judge people on this season, not on their history."
        ),
        checklists=("keep_the_whiners_closer",),
    )
)


# ---------------------------------------------------------------- chart summaries


def workload_top_people(
    weeks: pd.DataFrame, low: float, high: float, top: int | None
) -> pd.DataFrame:
    """The workload frame's person-weeks of the `top` people with the most weeks outside
    `low`–`high` hours (None: everyone), summarised in SQL: person, week_start, hours, rank
    (1 = most weeks outside, then most too fast, then most hours beyond the band), people
    (in all), weeks_outside, weeks_too_fast."""
    return query_frames(
        "pace_workload_top_people",
        {"weeks": weeks[["person", "week_start", "hours"]]},
        {"low": float(low), "high": float(high), "top": top},
    )
