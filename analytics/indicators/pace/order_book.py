"""Pace of the order book: how many months of revenue the bookings already won cover, and
the lag from a booking to its invoice.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import pandas as pd

from analytics import format as fmt
from analytics.indicators import register_entry
from analytics.indicators.base import Context, Result
from analytics.indicators.pace.base import (
    HOLE_SHARE,
    HORIZON_MONTHS,
    MAX_LAG_MONTHS,
    tail_series,
)
from analytics.queries import query


def _spark_bookings(result: Result) -> pd.Series:
    return tail_series(result, "month", "won_value", 12)


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
    return ind.judged(value, ctx.settings, message, details, months)


ORDER_BOOK_COVER = register_entry(
    "order_book_cover", compute=compute_order_book_cover, spark=_spark_bookings
)
