"""Pace of the cash: how many days of sales are waiting to be paid (dso_days), and the coming
weeks the expected cash will not cover the costs (cash_gap_weeks).
"""

from __future__ import annotations

import pandas as pd

from analytics import format as fmt
from analytics.indicators import register_entry
from analytics.indicators.base import Context, Indicator, NotEnoughData, Result
from analytics.indicators.common import cost_rates, currency, day_of
from analytics.indicators.pace.order_book import bookings_vs_revenue
from analytics.queries import query

# How many weeks ahead the cash calendar looks, and how many late payers it names.
WEEKS_AHEAD = 13
LATE_PAYERS = 5

# What every cash figure says when no invoice carries a paid date.
NO_PAID_DATES = (
    "Needs payment dates to tell which invoices are still open: load your invoices with a "
    "Paid / Payment Date column (blank while open), e.g. the receivables or aged-debtors "
    "export of your accounting package."
)
NO_INVOICES = "Needs invoices (date, customer, amount) with due and paid dates."


def _spark_dso(result: Result) -> pd.Series:
    frame = result.frame
    if frame.empty or "dso" not in frame:
        return pd.Series(dtype=float)
    return pd.Series(frame["dso"].to_numpy(dtype=float), index=frame["day"]).dropna()


# ---------------------------------------------------------------- dso_days


def dso_history(ctx: Context) -> pd.DataFrame:
    """DSO on the invoices' as-of day and the 12 month ends before it (day, open_receivables,
    revenue_90d, dso, paid_lines, all_lines)."""
    frame = query(ctx.con, "pace_cash_dso", {"ws": ctx.workspace_id, "as_of": ctx.as_of})
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    return frame


def cash_day(ctx: Context, ind: Indicator) -> tuple[Context, pd.DataFrame]:
    """The invoices' as-of day and the DSO history to it; without invoices, or without a
    single paid date (nothing tells what is open), the figure ends as not enough data."""
    ctx = ctx.on(day_of(ctx, ind, "invoices", NO_INVOICES))
    frame = dso_history(ctx)
    if frame.empty:
        raise NotEnoughData(ind.unknown(NO_INVOICES))
    if int(frame.iloc[-1]["paid_lines"]) == 0:
        raise NotEnoughData(ind.unknown(NO_PAID_DATES, frame))
    return ctx, frame


def compute_dso_days(ctx: Context) -> Result:
    ind = DSO_DAYS
    ctx, frame = cash_day(ctx, ind)
    today = frame.iloc[-1]
    cur = currency(ctx)
    open_amount, revenue = float(today["open_receivables"]), float(today["revenue_90d"])
    if revenue <= 0:
        return ind.unknown(
            f"No revenue invoiced in the 90 days to {fmt.day(ctx.as_of)} to measure the open "
            f"receivables ({fmt.money(open_amount, cur)}) against. Load the latest invoices.",
            frame,
        )
    value = open_amount / (revenue / 90)
    message = (
        f"On {fmt.day(ctx.as_of)} customers owed you {fmt.money(open_amount, cur)}: "
        f"{value:,.0f} days of sales at the pace of the last 90 days "
        f"({fmt.money(revenue, cur)}, {fmt.money(revenue / 90, cur)} a day)."
    )
    earlier = frame.iloc[:-1].dropna(subset=["dso"])
    if len(earlier):
        year_ago = earlier.iloc[0]
        message += f" On {fmt.day(year_ago['day'])} it was {float(year_ago['dso']):,.0f} days."
    details = {
        "open_receivables": open_amount,
        "revenue_90d": revenue,
        "daily_revenue": revenue / 90,
        "paid_lines": int(today["paid_lines"]),
    }
    return ind.judged(value, ctx.settings, message, details, frame)


DSO_DAYS = register_entry("dso_days", compute=compute_dso_days, spark=_spark_dso)


# ---------------------------------------------------------------- cash_gap_weeks


def _spark_cash(result: Result) -> pd.Series:
    frame = result.frame
    if frame.empty or "expected" not in frame:
        return pd.Series(dtype=float)
    return pd.Series(frame["expected"].to_numpy(dtype=float), index=frame["week_start"])


def weekly_costs(ctx: Context) -> tuple[float, bool, pd.DataFrame]:
    """The weekly costs the coming weeks are held against: the setting, or (when it is 0) the
    last 13 weeks' invoice costs plus hours × cost rates, ÷ 13. Returns (costs, from_setting,
    the 13 weeks' costs: invoice_cost, hours, time_cost, weekly)."""
    past = query(
        ctx.con,
        "pace_cash_costs",
        {"ws": ctx.workspace_id, "as_of": ctx.as_of, **cost_rates(ctx.settings)},
    )
    setting = float(ctx.settings.get("weekly_costs") or 0)
    if setting > 0:
        return setting, True, past
    return float(past["weekly"].iloc[0]), False, past


def cash_weeks(ctx: Context) -> tuple[pd.DataFrame, int, bool]:
    """The 13 weeks after the invoices' as-of day: week, week_start, week_end, from_invoices,
    from_deals, from_recurring, expected, doubtful, recurring_customers; with the order-to-cash lag (months) and whether it was
    estimated from the history."""
    _months, lag, estimated = bookings_vs_revenue(ctx)
    weeks = query(
        ctx.con, "pace_cash_weeks", {"ws": ctx.workspace_id, "as_of": ctx.as_of, "lag": lag}
    )
    for col in ("week_start", "week_end"):
        weeks[col] = pd.to_datetime(weeks[col]).dt.date
    weeks["expected"] = weeks["from_invoices"] + weeks["from_deals"] + weeks["from_recurring"]
    return weeks, lag, estimated


def late_payers(ctx: Context, top: int = LATE_PAYERS) -> pd.DataFrame:
    """The customers who pay latest (customer, median_days_late, paid_invoices, open_amount)."""
    return query(
        ctx.con, "pace_cash_late_payers", {"ws": ctx.workspace_id, "as_of": ctx.as_of, "top": top}
    )


def _late_payer_words(payers: pd.DataFrame, cur: str) -> str:
    return "; ".join(
        f"{name} ({float(late):.0f} days late, {fmt.money(float(owed), cur)} open)"
        for name, late, owed in zip(
            payers["customer"], payers["median_days_late"], payers["open_amount"], strict=True
        )
    )


def compute_cash_gap_weeks(ctx: Context) -> Result:
    ind = CASH_GAP_WEEKS
    ctx, _history = cash_day(ctx, ind)
    costs, from_setting, past = weekly_costs(ctx)
    cur = currency(ctx)
    if costs <= 0:
        return ind.unknown(
            "Needs your weekly costs to compare the coming weeks' cash with: set them in "
            "Settings (Costs), or load invoice costs and timesheets for the last 13 weeks."
        )
    weeks, lag, estimated = cash_weeks(ctx)
    weeks["costs"] = costs
    weeks["hole"] = weeks["expected"] < costs
    recurring = int(weeks["recurring_customers"].iloc[0])
    holes = weeks[weeks["hole"]]
    value = float(len(holes))
    payers = late_payers(ctx)
    where = "your setting" if from_setting else "your last 13 weeks' costs"
    message = (
        f"Of the {WEEKS_AHEAD} weeks after {fmt.day(ctx.as_of)}, {len(holes)} are expected "
        f"to bring in less than {fmt.money(costs, cur)} a week ({where}). Expected in: "
        f"{fmt.money(float(weeks['from_invoices'].sum()), cur)} from open invoices, "
        f"{fmt.money(float(weeks['from_deals'].sum()), cur)} from won deals not yet invoiced "
        f"(after {fmt.plural(lag, 'month')} from the win) and "
        f"{fmt.money(float(weeks['from_recurring'].sum()), cur)} from the recurring billing "
        f"of {fmt.plural(recurring, 'customer')} not yet invoiced (each one's typical monthly "
        "recurring amount of the last 3 complete months). One-off work not yet invoiced is "
        "not counted."
    )
    if len(holes):
        first = holes.iloc[0]
        message += (
            f" The first hole is the week of {fmt.day(first['week_start'])}: "
            f"{fmt.money(float(first['expected']), cur)} expected."
        )
    if len(payers):
        message += f" Paying latest: {_late_payer_words(payers, cur)}."
    details = {
        "weekly_costs": costs,
        "costs_from_setting": from_setting,
        "costs_13_weeks": {k: float(past[k].iloc[0]) for k in ("invoice_cost", "time_cost")},
        "hole_weeks": list(holes["week_start"]),
        "expected_from_invoices": float(weeks["from_invoices"].sum()),
        "expected_from_deals": float(weeks["from_deals"].sum()),
        "expected_from_recurring": float(weeks["from_recurring"].sum()),
        "recurring_customers": recurring,
        "doubtful": float(weeks["doubtful"].iloc[0]),
        "lag_months": lag,
        "lag_estimated": estimated,
        "late_payers": payers.to_dict(orient="records"),
    }
    return ind.judged(value, ctx.settings, message, details, weeks)


def cash_advice(result: Result, cur: str) -> str:
    """What to do next about the coming weeks, in the owner's numbers ('' when unknown)."""
    if not result.known or result.frame.empty:
        return ""
    weeks, d = result.frame, result.details
    holes = weeks[weeks["hole"]]
    steps: list[str] = []
    if len(holes):
        first = holes.iloc[0]
        short = float(first["costs"] - first["expected"])
        steps.append(
            f"The week of {fmt.day(first['week_start'])} is {fmt.money(short, cur)} short of "
            f"your {fmt.money(float(first['costs']), cur)} of weekly costs: plan for it now."
        )
    payers = d.get("late_payers") or []
    if payers:
        top = payers[0]
        steps.append(
            f"Call {top['customer']} first: they pay a typical "
            f"{float(top['median_days_late']):.0f} days after the due date and owe "
            f"{fmt.money(float(top['open_amount']), cur)} today."
        )
    if float(d.get("expected_from_deals") or 0) > 0:
        steps.append(
            f"Won deals worth {fmt.money(float(d['expected_from_deals']), cur)} are not "
            "invoiced yet: ask for a deposit or invoice the first stage when work starts."
        )
    late_holes = holes[holes["week"] > 4]
    if len(late_holes):
        steps.append(
            f"From the week of {fmt.day(late_holes.iloc[0]['week_start'])} little is booked: "
            "what you sell this month pays then, so prospect now."
        )
    return " ".join(steps)


CASH_GAP_WEEKS = register_entry("cash_gap_weeks", compute=compute_cash_gap_weeks, spark=_spark_cash)
