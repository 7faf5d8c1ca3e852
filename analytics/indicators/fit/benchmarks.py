"""Customer fit's service-business benchmarks: recurring revenue share and the top three
customers' share of revenue.
"""

from __future__ import annotations

from typing import Any

from analytics import format as fmt
from analytics.indicators import register_entry
from analytics.indicators.base import Context, Result
from analytics.indicators.common import records, window_text
from analytics.indicators.fit.base import details_start, names, no_revenue, start
from analytics.indicators.fit.eighty_twenty import ctx_ranks
from analytics.queries import query

# ---------------------------------------------------------------- benchmarks


def compute_recurring_revenue_share(ctx: Context) -> Result:
    ind = RECURRING_REVENUE_SHARE
    w = start(ctx, ind)
    as_of, currency = w.as_of, w.currency
    row = query(
        ctx.con,
        "fit_recurring",
        {"ws": ctx.workspace_id, "as_of": as_of, "current_after": w.after},
    ).iloc[0]
    revenue, known = float(row["revenue"]), float(row["known_revenue"])
    recurring = float(row["recurring_revenue"])
    if int(row["flagged_lines"]) == 0:
        return ind.unknown(
            f"None of your invoice lines in {window_text(as_of)} says whether it is recurring. "
            "Load invoices with a recurring column (yes/no: contracts, subscriptions, monthly "
            "fees) to compare with the service-business reference of 65% or more."
        )
    if known <= 0:
        return ind.unknown(
            f"The invoice lines with a recurring flag in {window_text(as_of)} add up to "
            f"{fmt.money(known, currency)}: nothing to take a share of."
        )
    value = recurring / known
    status = ind.judge(value, ctx.settings)
    coverage = known / revenue if revenue > 0 else None
    text = (
        f"{fmt.pct(value)} of your revenue in {window_text(as_of)} is recurring "
        f"({fmt.money(recurring, currency)} of {fmt.money(known, currency)}). Definition: "
        "recurring revenue / total revenue on invoice lines that say whether they recur. "
        "Reference for service businesses: 65% or more is strong, under 40% weak."
    )
    if coverage is not None and coverage < 0.999:
        text += f" Only {fmt.pct(coverage)} of your revenue carries the flag; the rest is left out."
    if status != "green":
        text += " Turn one-off work into service contracts to steady the cash."
    details: dict[str, Any] = {
        **details_start(as_of),
        "definition": "recurring revenue / revenue on invoice lines with a known recurring flag",
        "reference": "65% or more strong (green), under 40% weak (red)",
        "recurring_revenue": recurring,
        "known_revenue": known,
        "revenue": revenue,
        "coverage": coverage,
        "flagged_lines": int(row["flagged_lines"]),
        "lines": int(row["lines"]),
    }
    return Result(ind.id, value, status, text, details)


RECURRING_REVENUE_SHARE = register_entry(
    "recurring_revenue_share", compute=compute_recurring_revenue_share
)


def compute_top3_concentration(ctx: Context) -> Result:
    ind = TOP3_CONCENTRATION
    w = start(ctx, ind)
    as_of, currency = w.as_of, w.currency
    ranks = ctx_ranks(ctx, as_of)
    if ranks.empty:
        return no_revenue(ind, ctx, as_of)
    top = ranks.head(3)
    total = float(ranks["value"].sum())
    value = float(top["value"].sum()) / total
    status = ind.judge(value, ctx.settings)
    shares = [
        f"{name} ({fmt.pct(s)})" for name, s in zip(top["customer"], top["share"], strict=True)
    ]
    text = (
        f"Your 3 largest customers brought {fmt.pct(value)} of the revenue in "
        f"{window_text(as_of)} ({fmt.money(float(top['value'].sum()), currency)} of "
        f"{fmt.money(total, currency)}): {names(shares)}. Definition: the three largest "
        "customers' share of revenue over the last 12 months. Reference: under 20% strong, "
        "over 45% weak."
    )
    if len(ranks) <= 3:
        text += f" You have only {fmt.plural(len(ranks), 'customer')} with revenue in that time."
    if status == "red":
        text += " Losing one of them would shake the business: win more mid-sized customers."
    details: dict[str, Any] = {
        **details_start(as_of),
        "definition": "the 3 largest customers' share of revenue in the last 12 months",
        "reference": "under 20% strong (green), over 45% weak (red)",
        "revenue": total,
        "customers": len(ranks),
        "top3": records(
            top[["customer", "segment", "value", "share"]].rename(columns={"value": "revenue"})
        ),
    }
    return Result(ind.id, value, status, text, details)


TOP3_CONCENTRATION = register_entry("top3_concentration", compute=compute_top3_concentration)
