"""Customer fit's profit whale curve: the 80/20 text applied to profit after the cost to serve.

Rank the customers by what they earned you over the last 12 months after everything they
cost (invoice costs, the hours delivered to them and the hours on their tickets, each at the
cost rates in Settings) and add up the profit from the most profitable down. The running
total rises above the business's whole profit while the profitable customers are counted,
then falls back to it as the loss-making tail eats it: a whale's back. Its peak as a share of
the whole profit says how much the tail destroys (1.38: the profitable customers earn 138 %
of the profit and the rest give 38 % of it away).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from analytics import asof
from analytics import format as fmt
from analytics.indicators import register_entry
from analytics.indicators.base import Context, Indicator, Result, Thresholds
from analytics.indicators.common import (
    END_OF_TIME,
    invoice_as_of,
    months_back,
    records,
    window_text,
)
from analytics.indicators.fit.base import (
    DETAIL_ROWS,
    NAMES_IN_MESSAGE,
    details_start,
    names,
    no_revenue,
    start,
)
from analytics.indicators.fit.retention import LOSS_MAKING_CUSTOMERS
from analytics.queries import query
from analytics.store import Connection

# Kaplan & Narayanan ("Measuring and managing customer profitability", 2001): the most
# profitable 20 % of customers often earn 150–300 % of the profit, the whale's peak at least
# that high, in firms that had never measured the cost to serve each customer.
WHALE_TYPICAL = 1.5
# The settings behind the cost rates, and their defaults (as the margin figure reads them).
RATE_SETTINGS: dict[str, float] = {
    "cost_rate_tech": 60.0,
    "cost_rate_sales": 70.0,
    "cost_rate_admin": 40.0,
    "cost_rate_default": 60.0,
}
# The columns of a tail customer in a result's details (the full list is its frame).
TAIL_COLUMNS = [
    "customer",
    "segment",
    "revenue",
    "invoice_cost",
    "delivery_hours",
    "delivery_cost",
    "support_hours",
    "support_cost",
    "cost",
    "profit",
]
RULE = (
    "Profit = revenue - invoice costs (where given) - hours logged to the customer in time "
    "entries at the cost rate of the role (tech / sales / admin, else the default) - hours on "
    "the customer's tickets opened in the window at the technicians' rate. Customers ranked by "
    "profit, largest first (ties by name); the figure is the highest running total of profit "
    "divided by the total profit of every customer counted."
)


def cost_rates(settings: dict[str, Any]) -> dict[str, float]:
    """The hourly cost rates the figure uses: each role's setting, else its default."""
    return {k: float(settings.get(k, default)) for k, default in RATE_SETTINGS.items()}


def whale_frame(
    con: Connection, workspace_id: int, as_of: date | None, settings: dict[str, Any]
) -> pd.DataFrame:
    """Every customer's profit over the last 12 months to `as_of` (None: the last invoice
    date), most profitable first (fit_profit_whale.sql): customer, segment, revenue,
    invoice_cost, delivery_hours, delivery_cost, support_hours, support_cost, cost, profit,
    loss_making, cost_lines, rank, customers, cumulative, cumulative_share, total_profit,
    peak_profit, peak_rank. Ticket hours are costed at the technicians' rate."""
    day = invoice_as_of(con, workspace_id, as_of) or END_OF_TIME
    rates = cost_rates(settings)
    return query(
        con,
        "fit_profit_whale",
        {
            "ws": workspace_id,
            "as_of": day,
            "current_after": months_back(day, 12),
            "rate_tech": rates["cost_rate_tech"],
            "rate_sales": rates["cost_rate_sales"],
            "rate_admin": rates["cost_rate_admin"],
            "rate_default": rates["cost_rate_default"],
            "rate_support": rates["cost_rate_tech"],
        },
    )


def _sources(frame: pd.DataFrame) -> dict[str, bool]:
    """Which costs the figure could count: invoice costs, delivery hours, ticket hours."""
    return {
        "invoice_costs": bool((frame["cost_lines"] > 0).any()),
        "delivery_hours": bool((frame["delivery_hours"] > 0).any()),
        "support_hours": bool((frame["support_hours"] > 0).any()),
    }


def _no_costs(ind: Indicator, as_of: date, frame: pd.DataFrame) -> Result:
    return ind.unknown(
        f"No cost to serve in {window_text(as_of)}: no invoice carries a cost, no time entry "
        "names a customer and no ticket records hours, so every customer would look like pure "
        "profit and the curve would be flat. Load invoices with a cost column, timesheets with "
        "a customer column (and role, for the cost rates in Settings), or tickets with hours.",
        frame,
        {**details_start(as_of), "customers": len(frame), "rule": RULE},
    )


def _no_profit(ind: Indicator, as_of: date, frame: pd.DataFrame, currency: str) -> Result:
    first = frame.iloc[0]
    total, peak = float(first["total_profit"]), float(first["peak_profit"])
    revenue, cost = float(frame["revenue"].sum()), float(frame["cost"].sum())
    losers = int(frame["loss_making"].sum())
    return ind.unknown(
        f"Your customers together made a loss of {fmt.money(-total, currency)} in "
        f"{window_text(as_of)} (revenue {fmt.money(revenue, currency)}, cost to serve "
        f"{fmt.money(cost, currency)}): there is no profit to take a share of. The "
        f"profitable ones earned {fmt.money(peak, currency)} and {fmt.plural(losers, 'customer')}"
        " lost more than that. Check the cost rates in Settings against what an hour really "
        "costs you, and load any invoices missing from these months; if the figures are right, "
        "the loss-making customers below come first.",
        frame,
        {
            **details_start(as_of),
            "customers": len(frame),
            "total_profit": total,
            "peak_profit": peak,
            "loss_making": losers,
            "rule": RULE,
        },
    )


def _stale_notes(ctx: Context, as_of: date, used: dict[str, bool]) -> list[str]:
    """A line for each cost source that ends well before the as-of day (more than the
    days after which Home calls a source stale): its last weeks are not costed."""
    notes = []
    for entity, key, word in (
        ("time_entries", "delivery_hours", "time entries"),
        ("tickets", "support_hours", "tickets"),
    ):
        last = ctx.last_day(entity)
        if used[key] and last is not None and last < as_of - timedelta(days=asof.STALE_DAYS):
            notes.append(
                f"Your {word} end on {fmt.day(last)}: the hours after it are not counted, so "
                "profit is overstated; load them up to date."
            )
    return notes


def _basis(used: dict[str, bool], rates: dict[str, float], currency: str) -> str:
    parts = []
    if used["invoice_costs"]:
        parts.append("the costs on their invoices")
    if used["delivery_hours"]:
        parts.append("hours logged to them at the cost rates in Settings")
    if used["support_hours"]:
        tech = fmt.money(rates["cost_rate_tech"], currency)
        parts.append(f"ticket hours at {tech}/h")
    text = f" Cost to serve = {' plus '.join(parts)}."
    if used["support_hours"]:
        text += (
            f' The "{LOSS_MAKING_CUSTOMERS.label}" card leaves ticket hours out, so it may count '
            "fewer."
        )
    if not used["delivery_hours"]:
        text += " Timesheets naming customers are missing, so delivery time is not counted."
    if not used["support_hours"]:
        text += " No ticket records hours, so support time is not counted."
    return text


def compute_profit_whale(ctx: Context) -> Result:
    ind = PROFIT_WHALE
    w = start(ctx, ind)
    as_of, currency = w.as_of, w.currency
    frame = whale_frame(ctx.con, ctx.workspace_id, as_of, ctx.settings)
    if frame.empty or float(frame["revenue"].clip(lower=0).sum()) <= 0:
        return no_revenue(ind, ctx, as_of)
    used = _sources(frame)
    if not any(used.values()):
        return _no_costs(ind, as_of, frame)
    if float(frame["total_profit"].iloc[0]) <= 0:
        return _no_profit(ind, as_of, frame, currency)
    first = frame.iloc[0]
    total, peak = float(first["total_profit"]), float(first["peak_profit"])
    at_peak, customers = int(first["peak_rank"]), int(first["customers"])
    value = peak / total
    tail = frame[frame["loss_making"]].sort_values(["profit", "customer"])
    loss = float(-tail["profit"].sum())
    rates = cost_rates(ctx.settings)
    if tail.empty:
        text = (
            f"Every one of your {customers:,} customers paid for the cost to serve them in "
            f"{window_text(as_of)}: the curve peaks at {fmt.pct(value)} of your "
            f"{fmt.money(total, currency)} profit, no tail eats it."
        )
    else:
        worst = [
            f"{name} ({fmt.money(p, currency)})"
            for name, p in zip(
                tail["customer"].head(NAMES_IN_MESSAGE),
                tail["profit"].head(NAMES_IN_MESSAGE),
                strict=True,
            )
        ]
        text = (
            f"Your {at_peak:,} most profitable customers (of {customers:,}) earned "
            f"{fmt.money(peak, currency)} in {window_text(as_of)}, {fmt.pct(value)} of your "
            f"{fmt.money(total, currency)} profit: {fmt.plural(len(tail), 'customer')} cost "
            f"you {fmt.money(loss, currency)} more than they paid and gave "
            f"{fmt.pct(value - 1)} of it away. Worst: {names(worst, len(tail))}."
        )
    text += _basis(used, rates, currency)
    notes = _stale_notes(ctx, as_of, used)
    if notes:
        text += " " + " ".join(notes)
    details: dict[str, Any] = {
        **details_start(as_of),
        "customers": customers,
        "peak_customers": at_peak,
        "peak_share": value,
        "peak_profit": peak,
        "total_profit": total,
        "revenue": float(frame["revenue"].sum()),
        "cost": float(frame["cost"].sum()),
        "loss_making": len(tail),
        "tail_loss": loss,
        **used,
        "cost_rates": rates,
        "support_rate": rates["cost_rate_tech"],
        "typical_whale": WHALE_TYPICAL,
        "tail": records(tail.head(DETAIL_ROWS)[TAIL_COLUMNS]),
        "rule": RULE,
    }
    too_few = ind.unless_enough(
        ctx,
        value,
        customers,
        "customer",
        count=f"the top {at_peak:,} of {fmt.plural(customers, 'customer')}",
        fix="A whale curve needs more customers: load invoices for all of your customers.",
        frame=frame,
        details=details,
    )
    return too_few or ind.judged(value, ctx.settings, text, details, frame)


def tail_advice(result: Result, currency: str) -> str:
    """What to do about the tail, in the owner's numbers: the customers who cost more than
    they pay, the worst named with the price rise that would cover them ("" when there is
    no known tail)."""
    d = result.details
    tail = d.get("tail") or []
    if result.value is None or not tail:
        return ""
    lines = []
    for row in tail[:NAMES_IN_MESSAGE]:
        revenue, profit = float(row["revenue"]), float(row["profit"])
        if revenue <= 0:
            cover = "nothing was invoiced: bill the work or stop doing it"
        elif -profit <= revenue:
            cover = f"a price {fmt.pct(-profit / revenue)} higher would cover it"
        else:
            cover = f"covering it would take {float(row['cost']) / revenue:,.1f} times the price"
        lines.append(
            f"{row['customer']} (revenue {fmt.money(revenue, currency)}, cost to serve "
            f"{fmt.money(float(row['cost']), currency)}: {fmt.money(-profit, currency)} lost; "
            f"{cover})"
        )
    count = int(d["loss_making"])
    return (
        f"{fmt.plural(count, 'customer')} cost you {fmt.money(float(d['tail_loss']), currency)} "
        f"more than they paid, {fmt.pct(float(d['tail_loss']) / float(d['peak_profit']))} of "
        f"what your best {int(d['peak_customers']):,} earned. Start with the worst: "
        f"{names(lines, count)}. For each one, decide this month: reprice so the price covers "
        "the hours, change the service so it takes fewer of them (a fixed scope, fewer visits, "
        "remote support first), or let them go kindly. Had they only broken even, your profit "
        f"would have been {fmt.money(float(d['peak_profit']), currency)} instead of "
        f"{fmt.money(float(d['total_profit']), currency)}."
    )


PROFIT_WHALE = register_entry(
    "profit_whale",
    compute=compute_profit_whale,
    thresholds=Thresholds(green=1.2, red=WHALE_TYPICAL),
)
