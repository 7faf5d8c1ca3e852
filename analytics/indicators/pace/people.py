"""Pace of the people: weeks worked outside a sustainable band, and the customers and
salespeople who moved lately against their lifetime rank.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from analytics import format as fmt
from analytics.indicators import register_entry
from analytics.indicators.base import Context, Result
from analytics.indicators.pace.base import setting_weeks
from analytics.queries import query, query_frames


def _spark_workload(result: Result) -> pd.Series:
    frame = result.frame
    if frame.empty:
        return pd.Series(dtype=float)
    outside = frame.assign(out=frame["pace"] != "sustainable").groupby("week_start")["out"].mean()
    return outside.astype(float)


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
            "weeks": setting_weeks(ctx),
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
            f"No time entries in the last {setting_weeks(ctx)} complete weeks up to {fmt.day(ctx.as_of)}. "
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
    too_few = ind.unless_enough(
        ctx,
        value,
        len(weeks),
        "person-week",
        count=f"{outside} of {fmt.plural(len(weeks), 'person-week')} outside {low:g}–{high:g} h",
        fix="Load more of your timesheets (every person, every week).",
        frame=weeks,
    )
    if too_few:
        return too_few
    top = people.iloc[0]
    message = (
        f"{fmt.pct(value)} of person-weeks in the last {setting_weeks(ctx)} weeks fell outside "
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
    return ind.judged(value, ctx.settings, message, details, weeks)


WORKLOAD_PACE = register_entry(
    "workload_pace", compute=compute_workload_pace, spark=_spark_workload
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
    too_few = ind.unless_enough(
        ctx,
        value,
        len(top),
        "customer",
        count=f"{len(dropped)} of your {fmt.plural(len(top), 'customer')} quiet lately",
        fix="Load invoices for more of your customers.",
        frame=customers,
        details=details,
    )
    return too_few or ind.judged(value, ctx.settings, message, details, customers)


LATELY_VS_LIFETIME = register_entry("lately_vs_lifetime", compute=compute_lately_vs_lifetime)


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
