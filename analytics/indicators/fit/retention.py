"""Customer fit's keep-or-lose figures: customers who cost more than they pay, customers who
stopped buying, and top customers who have not heard from you.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from analytics import format as fmt
from analytics.indicators import common, register_entry
from analytics.indicators.base import Context, Result, Thresholds
from analytics.indicators.common import (
    END_OF_TIME,
    as_date,
    invoice_as_of,
    invoice_span,
    months_back,
    oldest_full_window,
    records,
    window_ends,
    window_text,
)
from analytics.indicators.fit.base import (
    CHURN_REFERENCE,
    DETAIL_ROWS,
    MAX_CHURN_YEARS,
    NO_SEGMENT,
    details_start,
    first_rows,
    names,
    no_revenue,
    start,
)
from analytics.indicators.fit.eighty_twenty import ctx_ranks, revenue_ranks
from analytics.queries import query
from analytics.settings import minimum
from analytics.store import Connection

# ---------------------------------------------------------------- loss_making_customers


def margin_frame(
    con: Connection, workspace_id: int, as_of: date | None, settings: dict[str, Any]
) -> pd.DataFrame:
    """What each customer earned over the last 12 months to `as_of` (None: the last invoice
    date): customer, segment, revenue, invoice_cost, hours, time_cost, cost, margin,
    margin_share, loss_making, cost_lines — worst margin first. Time is costed at the role's
    rate (cost_rate_tech / _sales / _admin, else cost_rate_default)."""
    day = invoice_as_of(con, workspace_id, as_of) or END_OF_TIME
    return query(
        con,
        "fit_customer_margin",
        {
            **common.last_year(workspace_id, day),
            **common.cost_rates(settings),
        },
    )


def compute_loss_making_customers(ctx: Context) -> Result:
    ind = LOSS_MAKING_CUSTOMERS
    w = start(ctx, ind)
    as_of, currency = w.as_of, w.currency
    frame = margin_frame(ctx.con, ctx.workspace_id, as_of, ctx.settings)
    has_time = bool((frame["hours"] > 0).any()) if not frame.empty else False
    has_cost = bool((frame["cost_lines"] > 0).any()) if not frame.empty else False
    if not has_time and not has_cost:
        return ind.unknown(
            f"No time entries naming a customer and no invoice costs in {window_text(as_of)}, "
            "so every customer would look pure profit. Load your timesheets with a customer "
            "column (and role, for the cost rates in Settings), or invoices with a cost column.",
            frame,
        )
    if float(frame["revenue"].clip(lower=0).sum()) <= 0:
        return no_revenue(ind, ctx, as_of)
    losers = frame[frame["loss_making"]].sort_values(["margin", "customer"])
    value = len(losers)
    status = ind.judge(value, ctx.settings)
    total_margin = float(frame["margin"].sum())
    basis = []
    if has_time:
        tech_rate = fmt.money(float(ctx.settings.get("cost_rate_tech", 60.0)), currency)
        basis.append(f"hours logged to them at the cost rates in Settings ({tech_rate}/h tech)")
    if has_cost:
        basis.append("the costs on their invoices")
    if value:
        worst = [
            f"{name} ({fmt.money(m, currency)} on {fmt.money(r, currency)} of revenue)"
            for name, m, r in first_rows(losers, "customer", "margin", "revenue")
        ]
        lost = float(losers["margin"].sum())
        text = (
            f"{fmt.plural(value, 'customer')} cost you more than they paid in "
            f"{window_text(as_of)}, {fmt.money(-lost, currency)} in all: {names(worst, value)}."
            " Reprice, cut the hours, or let them go."
        )
    else:
        text = f"Every customer paid more than they cost in {window_text(as_of)}."
    text += (
        f" Cost = {' plus '.join(basis)}; margin on all customers "
        f"{fmt.money(total_margin, currency)}."
    )
    if not has_time:
        text += " Without timesheets naming customers, time is not counted: load them."
    details: dict[str, Any] = {
        **details_start(as_of),
        "customers": len(frame),
        "loss_making": value,
        "loss": float(losers["margin"].sum()),
        "margin": total_margin,
        "time_costed": has_time,
        "invoice_costs": has_cost,
        "cost_rates": {
            k: float(ctx.settings.get(k, 0))
            for k in ("cost_rate_tech", "cost_rate_sales", "cost_rate_admin", "cost_rate_default")
        },
        "customers_losing_money": records(
            losers.head(DETAIL_ROWS)[
                [
                    "customer",
                    "segment",
                    "revenue",
                    "invoice_cost",
                    "hours",
                    "time_cost",
                    "cost",
                    "margin",
                ]
            ]
        ),
        "rule": (
            "Margin = revenue - invoice cost (where given) - hours logged to the customer in "
            "time entries x the cost rate of the role (tech / sales / admin, else the default); "
            "a customer without time entries has no time cost."
        ),
    }
    return Result(ind.id, int(value), status, text, details, frame)


LOSS_MAKING_CUSTOMERS = register_entry(
    "loss_making_customers", compute=compute_loss_making_customers
)


# ---------------------------------------------------------------- churn_rate


def churn_frame(con: Connection, workspace_id: int, as_of: date | None) -> pd.DataFrame:
    """Who stopped buying, year by year, for every year the invoices cover in full.

    One row per customer with revenue in year k + 1: k (0 = the last 12 months), year_from,
    year_to, customer, segment, revenue_prior, last_invoice, churned (no revenue in year k).
    Empty when fewer than two full years of invoices reach `as_of` (None: the last invoice).
    """
    day = invoice_as_of(con, workspace_id, as_of)
    span = invoice_span(con, workspace_id, day) if day is not None else {"first_date": None}
    first = span["first_date"]
    years = 0
    if day is not None and first is not None:
        ends = window_ends(day, 12, day.year - first.year + 2)
        # year k is judged against year k + 1; the history goes back at most 5 years
        years = min(oldest_full_window(first, ends), MAX_CHURN_YEARS)
    if day is None or years < 1:
        day = day or END_OF_TIME
        ends, years = [day, day, day], 0
    frame = query(
        con, "fit_churn", {"ws": workspace_id, "as_of": day, "ends": ends, "years": years}
    )
    return frame[frame["k"] < years] if years else frame.iloc[0:0]


def churn_by_year(frame: pd.DataFrame) -> pd.DataFrame:
    """Per year, oldest first: year_from, year_to, customers (bought the year before),
    churned, churn."""
    columns = ["year_from", "year_to", "customers", "churned", "churn"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    by = frame.groupby("k")
    years = pd.DataFrame(
        {
            "year_from": by["year_from"].first(),
            "year_to": by["year_to"].first(),
            "customers": by.size(),
            "churned": by["churned"].sum().astype(int),
        }
    ).sort_index(ascending=False)
    years["churn"] = years["churned"] / years["customers"]
    return years.reset_index(drop=True)[columns]


def churn_by_segment(frame: pd.DataFrame) -> pd.DataFrame:
    """The last year's churn per segment, highest first: segment, customers, churned, churn,
    revenue_lost."""
    columns = ["segment", "customers", "churned", "churn", "revenue_lost"]
    last = frame[frame["k"] == 0]
    if last.empty:
        return pd.DataFrame(columns=columns)
    by = last.groupby("segment")
    seg = pd.DataFrame(
        {
            "customers": by.size(),
            "churned": by["churned"].sum().astype(int),
            "revenue_lost": last["revenue_prior"]
            .where(last["churned"], 0.0)
            .groupby(last["segment"])
            .sum(),
        }
    )
    seg["churn"] = seg["churned"] / seg["customers"]
    seg.index.name = "segment"
    seg = seg.reset_index().sort_values(["churn", "customers"], ascending=[False, False])
    return seg.reset_index(drop=True)[columns]


def _spark_churn(result: Result) -> pd.Series:
    rows = result.details.get("by_year") or []
    if not rows:
        return pd.Series(dtype=float)
    frame = pd.DataFrame(rows)
    return pd.Series(
        frame["churn"].to_numpy(dtype=float), index=pd.to_datetime(frame["year_to"]).dt.date
    )


def compute_churn_rate(ctx: Context) -> Result:
    ind = CHURN_RATE
    w = start(ctx, ind)
    as_of, currency = w.as_of, w.currency
    frame = churn_frame(ctx.con, ctx.workspace_id, as_of)
    if frame.empty:
        span = invoice_span(ctx.con, ctx.workspace_id, as_of)
        need = months_back(as_of, 24) + timedelta(days=1)
        have = (
            f"yours run from {fmt.day(span['first_date'])} to {fmt.day(span['last_date'])}"
            if span["first_date"] is not None
            else "you have none up to that day"
        )
        return ind.unknown(
            f"Needs two full years of invoices (from {fmt.month(need)} or earlier) to see who "
            f"bought in the year before and not in the last 12 months; {have}. Load older "
            "invoices."
        )
    years = churn_by_year(frame)
    last = frame[frame["k"] == 0]
    prior = len(last)
    churned = last[last["churned"]].sort_values("revenue_prior", ascending=False)
    value = len(churned) / prior if prior else 0.0
    status = ind.judge(value, ctx.settings)
    segments = churn_by_segment(frame)
    prior_from = months_back(as_of, 24) + timedelta(days=1)
    text = (
        f"Of the {prior:,} customers who bought between {fmt.day(prior_from)} and "
        f"{fmt.day(months_back(as_of, 12))}, {len(churned):,} ({fmt.pct(value)}) bought nothing "
        f"in {window_text(as_of)}"
    )
    if not churned.empty:
        lost = float(churned["revenue_prior"].sum())
        biggest = [
            f"{name} ({fmt.money(r, currency)} the year before)"
            for name, r in first_rows(churned, "customer", "revenue_prior")
        ]
        text += f", taking {fmt.money(lost, currency)} a year with them: {names(biggest, len(churned))}."
    else:
        text += "."
    text += (
        f" The reference is {fmt.pct(CHURN_REFERENCE)} a year, typical of selling to anyone "
        "who will buy."
    )
    judged = segments[
        (segments["segment"] != NO_SEGMENT)
        & (segments["customers"] >= minimum(ctx.settings, "min_cases"))
    ]
    if len(judged) > 1 and float(judged["churn"].iloc[0]) > 0:
        worst = judged.iloc[0]
        text += (
            f" Highest: {worst['segment']}, {fmt.pct(float(worst['churn']))} "
            f"({int(worst['churned'])} of {int(worst['customers'])})."
        )
    if len(years) > 1:
        text += (
            " By year: "
            + ", ".join(
                f"{fmt.pct(float(c))} to {fmt.month(as_date(t))}"
                for c, t in zip(years["churn"], years["year_to"], strict=True)
            )
            + "."
        )
    details: dict[str, Any] = {
        **details_start(as_of),
        "prior_from": prior_from.isoformat(),
        "prior_to": months_back(as_of, 12).isoformat(),
        "customers_prior": prior,
        "churned": len(churned),
        "revenue_lost": float(churned["revenue_prior"].sum()),
        "reference": CHURN_REFERENCE,
        "by_year": records(years),
        "by_segment": records(segments),
        "churned_customers": records(
            churned.head(DETAIL_ROWS)[["customer", "segment", "revenue_prior", "last_invoice"]]
        ),
        "rule": (
            "Churned = revenue above zero in the 12 months before the last 12, and none in the "
            "last 12; the rate is churned customers / customers who bought the year before."
        ),
    }
    too_few = ind.unless_enough(
        ctx,
        float(value),
        prior,
        "customer",
        count=f"{len(churned)} of the {fmt.plural(prior, 'customer')} who bought the year before",
        fix="A churn rate needs more customers: load invoices for all of your customers.",
        frame=frame.reset_index(drop=True),
        details=details,
    )
    if too_few:
        return too_few
    # the frame: every year's rows (k = 0 the last 12 months), for the page's year chart
    return Result(ind.id, float(value), status, text, details, frame.reset_index(drop=True))


CHURN_RATE = register_entry(
    "churn_rate",
    compute=compute_churn_rate,
    spark=_spark_churn,
    thresholds=Thresholds(green=0.15, red=CHURN_REFERENCE),
)


# ---------------------------------------------------------------- contact_gaps


def _interval(settings: dict[str, Any]) -> int:
    return int(settings.get("contact_interval_days", 30))


def activity_span(con: Connection, workspace_id: int, as_of: date) -> dict[str, Any]:
    """Activities up to `as_of`: activities, naming_customers, last_date, last_naming_customer."""
    row = query(con, "fit_activity_span", {"ws": workspace_id, "as_of": as_of}).iloc[0]
    return {
        "activities": int(row["activities"]),
        "naming_customers": int(row["naming_customers"]),
        "last_date": as_date(row["last_date"]),
        "last_naming_customer": as_date(row["last_naming_customer"]),
    }


def contact_frame(
    con: Connection,
    workspace_id: int,
    as_of: date | None,
    interval_days: int = 30,
    ranks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every customer with revenue in the last 12 months to `as_of` (None: the last invoice
    date), largest first, with their last contact (an activity naming them, on or before
    `as_of`; null = never), days_since, and gap (not contacted in the last `interval_days`).

    Columns: customer, segment, revenue, rank, top20, last_contact, days_since, gap.
    `ranks` (from `revenue_ranks` for the same day) saves a query when already known.
    """
    day = invoice_as_of(con, workspace_id, as_of)
    if day is None:
        return pd.DataFrame(
            columns=[
                "customer", "segment", "revenue", "rank", "top20", "last_contact",
                "days_since", "gap",
            ]
        )  # fmt: skip
    if ranks is None:
        ranks = revenue_ranks(con, workspace_id, day)
    ranks = ranks[["customer", "segment", "value", "rank", "top20"]]
    contacts = query(con, "fit_last_contacts", {"ws": workspace_id, "as_of": day})
    frame = ranks.rename(columns={"value": "revenue"}).merge(
        contacts[["customer", "last_contact"]], on="customer", how="left"
    )
    last = pd.to_datetime(frame["last_contact"])
    frame["last_contact"] = last.dt.date
    frame["days_since"] = (pd.Timestamp(day) - last).dt.days.astype("Int64")
    frame["gap"] = frame["days_since"].isna() | (frame["days_since"] >= interval_days)
    frame["gap"] = frame["gap"].astype(bool)
    return frame


def compute_contact_gaps(ctx: Context) -> Result:
    ind = CONTACT_GAPS
    w = start(ctx, ind)
    as_of, currency = w.as_of, w.currency
    interval = _interval(ctx.settings)
    span = activity_span(ctx.con, ctx.workspace_id, as_of)
    if span["naming_customers"] == 0:
        reason = (
            "No sales activities loaded yet. Load your calls, emails and meetings with the "
            "customer each was with, to see which good customers have not heard from you."
            if span["activities"] == 0
            else f"None of your {span['activities']} activities names a customer. Load them "
            "with a customer column to see who has not heard from you lately."
        )
        return ind.unknown(reason)
    last_logged = span["last_naming_customer"]
    if last_logged is not None and (as_of - last_logged).days >= interval:
        return ind.unknown(
            f"Your activities naming customers stop on {fmt.day(last_logged)}, more than "
            f"{interval} days before {fmt.day(as_of)}: every customer would look neglected. "
            "Load your recent activities, or pick an earlier day."
        )
    frame = contact_frame(ctx.con, ctx.workspace_id, as_of, interval, ctx_ranks(ctx, as_of))
    if frame.empty:
        return no_revenue(ind, ctx, as_of)
    top = frame[frame["top20"]]
    gaps = top[top["gap"]].sort_values("revenue", ascending=False)
    value = len(gaps)
    status = ind.judge(value, ctx.settings)
    if value:
        neglected = [
            f"{name} ({fmt.money(r, currency)}, "
            + ("never contacted" if pd.isna(d) else f"{int(d)} days ago")
            + ")"
            for name, r, d in first_rows(gaps, "customer", "revenue", "days_since")
        ]
        text = (
            f"{value:,} of your {len(top):,} top customers (the top 20% by revenue in "
            f"{window_text(as_of)}) have not heard from you in the last {interval} days: "
            f"{names(neglected, value)}. Call them before a competitor does."
        )
    else:
        text = (
            f"All of your {len(top):,} top customers (the top 20% by revenue in "
            f"{window_text(as_of)}) heard from you in the last {interval} days."
        )
    details: dict[str, Any] = {
        **details_start(as_of),
        "interval_days": interval,
        "top_customers": len(top),
        "not_contacted": value,
        "last_activity": span["last_date"],
        "customers_not_contacted": records(
            gaps.head(DETAIL_ROWS)[["customer", "segment", "revenue", "last_contact", "days_since"]]
        ),
        "rule": (
            "Top customers = the top 20% by revenue in the last 12 months (ties by name); a "
            f"gap = no activity naming them in the {interval} days up to the as-of day "
            "(days_since null = never contacted)."
        ),
    }
    return Result(ind.id, int(value), status, text, details, frame)


CONTACT_GAPS = register_entry("contact_gaps", compute=compute_contact_gaps)
