"""Pace of the cash: how many days of sales are waiting to be paid (dso_days), and the coming
weeks the expected cash will not cover the costs (cash_gap_weeks).
"""

from __future__ import annotations

import pandas as pd

from analytics import format as fmt
from analytics.indicators import register_entry
from analytics.indicators.base import Context, Result
from analytics.indicators.common import currency, day_of
from analytics.queries import query

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


def compute_dso_days(ctx: Context) -> Result:
    ind = DSO_DAYS
    ctx = ctx.on(day_of(ctx, ind, "invoices", NO_INVOICES))
    frame = dso_history(ctx)
    if frame.empty:
        return ind.unknown(NO_INVOICES)
    today = frame.iloc[-1]
    if int(today["paid_lines"]) == 0:
        return ind.unknown(NO_PAID_DATES, frame)
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
