"""The tidy frames behind the Niche page's charts and its figures: segments over trailing
windows, revenue and new customers per period, segment economics and concentration.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

import pandas as pd

from analytics import format as fmt
from analytics.indicators import common
from analytics.indicators.base import Context, Indicator, Result
from analytics.indicators.common import (
    as_date,
    invoice_as_of,
    invoice_span,
    months_back,
    oldest_full_window,
    shared,
    window_ends,
)
from analytics.indicators.niche.base import (
    BEFORE_DATA,
    GRAINS,
    SATURATION_PERIODS,
    usable_from,
    windows,
)
from analytics.queries import query
from analytics.settings import get_settings, minimum
from analytics.store import Connection

# ---------------------------------------------------------------- frames for the page


def segment_windows(
    con: Connection, workspace_id: int, as_of: date, *, first_invoice: date | None = None
) -> pd.DataFrame:
    """Per segment: revenue (last 12 months), revenue_prior (the 12 before), share, growth,
    cagr (compound yearly growth from the first full 12-month window in the data to the
    last 12 months; null with under two full windows or no revenue in the first),
    cagr_years, customers (with revenue in the last 12 months), new_customers (first-ever
    invoice in the last 12 months), and trend: new / lost / growing / shrinking / flat
    (see niche_segment_windows.sql).

    Segments with revenue only in the first full window (gone since) are kept, so totals over
    the frame give the whole business's CAGR. `first_invoice` saves a look-up when known.
    """
    first = first_invoice or invoice_span(con, workspace_id, as_of)["first_date"] or as_of
    ends = window_ends(as_of, 12, as_of.year - first.year + 2)  # back past the first invoice
    oldest = oldest_full_window(first, ends)
    frame = query(
        con,
        "niche_segment_windows",
        {
            "ws": workspace_id,
            "as_of": as_of,
            "current_after": ends[1],
            "prior_after": ends[2],
            # no full window: an empty one
            "first_full_after": ends[oldest + 1] if oldest >= 0 else as_of,
            "first_full_to": ends[oldest] if oldest >= 0 else as_of,
            "first_full_years": oldest,
        },
    )
    # text as pandas types it, an empty frame's too (DuckDB hands an empty one as objects)
    frame["trend"] = frame["trend"].astype(str)
    return frame


def months_frame(con: Connection, workspace_id: int, as_of: date) -> pd.DataFrame:
    """The months behind segment growth (niche_months.sql): month, revenue (every calendar
    month from the first invoice to `as_of`'s, zeros included) and, on every row, the cover
    of the comparison year (`comparison_months`) — one row with month and revenue null
    when no invoice comes up to `as_of`."""
    ends = window_ends(as_of, 1, 24)[12:]  # as_of - 12 months … as_of - 24 months
    return query(con, "niche_months", {"ws": workspace_id, "as_of": as_of, "ends": ends})


def ctx_months(ctx: Context, as_of: date) -> pd.DataFrame:
    """`months_frame`, once per context (the cover for growth and saturation, the monthly
    revenue for growth's sparkline)."""
    return shared(
        ctx, ("niche_months", as_of), lambda: months_frame(ctx.con, ctx.workspace_id, as_of)
    )


def cover_of(months: pd.DataFrame) -> dict[str, Any]:
    """`comparison_months` as read from a `months_frame`."""
    row = months.iloc[0]
    return {
        "months_with_invoices": int(row["months_with_invoices"]),
        "months": int(row["months"]),
        "first_invoice": as_date(row["first_invoice"]),
    }


def comparison_months(con: Connection, workspace_id: int, as_of: date) -> dict[str, Any]:
    """How much of the 12 months before the last 12 (the period a growth rate compares
    against) holds invoices: months_with_invoices of months (12), each month cut at
    `as_of`'s day like every niche window; and first_invoice (ever)."""
    return cover_of(months_frame(con, workspace_id, as_of))


def comparison_gap(
    ctx: Context, ind: Indicator, as_of: date, purpose: str, frame: pd.DataFrame | None = None
) -> Result | None:
    """ "Not enough data" when the 12 months before the last 12 hold invoices in fewer months
    than the setting comparison_months_needed: a growth rate against a part-year only
    measures the months missing from the data. None when the comparison is fair."""
    needed = minimum(ctx.settings, "comparison_months_needed")
    cover = cover_of(ctx_months(ctx, as_of))
    have = cover["months_with_invoices"]
    if have >= needed:
        return None
    prior_from = months_back(as_of, 24) + timedelta(days=1)
    prior_to = months_back(as_of, 12)
    first = cover["first_invoice"]
    period = (
        f"the 12 months before {fmt.day(prior_to + timedelta(days=1))} "
        f"({fmt.day(prior_from)} to {fmt.day(prior_to)})"
    )
    if first is not None and first > prior_from:
        why = f"Your invoices start on {fmt.day(first)}; "
        fix = f"Load older invoices, from {fmt.day(prior_from)} on, to see it."
    else:
        why = ""
        fix = "Load the invoices of the missing months to see it."
    text = (
        f"{why}{purpose} needs invoices in at least {needed} of {period}, and "
        f"{have} of them {'has' if have == 1 else 'have'} any. {fix}"
    )
    return ind.unknown(
        text[0].upper() + text[1:],
        frame,
        {
            "as_of": as_of.isoformat(),
            **windows(as_of),
            "comparison_months_with_invoices": have,
            "comparison_months_needed": needed,
            "first_invoice": first,
        },
    )


def by_period(
    query_name: str,
    con: Connection,
    workspace_id: int,
    as_of: date | None,
    grain: str = "month",
    *,
    settings: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """A per-segment, per-period query (`query_name`) up to `as_of` (None: the last invoice
    date), for the two names below.

    grain is "month", "quarter" or "year"; quarters and years follow the fiscal year
    (setting fiscal_year_start, read from the store unless `settings` is given), so with an
    April start the year 2024 runs 1 Apr 2024 – 31 Mar 2025 and is labelled 1 Apr 2024.
    Every period from the first invoice to the one holding `as_of` appears for every
    segment (zeros included); the first and last may be partial.
    """
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {', '.join(GRAINS)}; got {grain!r}")
    day = invoice_as_of(con, workspace_id, as_of)
    if day is None:
        return query(con, query_name, _empty_period_params(workspace_id))
    values = settings if settings is not None else get_settings(con, workspace_id)
    shift = int(values.get("fiscal_year_start", 1)) - 1 if grain != "month" else 0
    return query(
        con, query_name, {"ws": workspace_id, "as_of": day, "grain": grain, "fiscal_shift": shift}
    )


# Revenue per segment per period: period_start, segment, revenue, customers, share;
# customers = customers with net revenue in the period; share = the segment's part of the
# period's revenue. (con, workspace_id, as_of, grain="month", *, settings=None), as `by_period`.
segment_revenue_by_period = partial(by_period, "niche_segment_revenue_by_period")

# New customers (first-ever invoice) per segment per period: period_start, segment,
# new_customers; in the data's first months every existing customer counts as new, so read
# the start of the series with care. Called as `segment_revenue_by_period`.
new_customers_by_period = partial(by_period, "niche_new_customers_by_period")


def _empty_period_params(workspace_id: int) -> dict[str, Any]:
    # A workspace without invoices: run the query on a day before any data, for its columns.
    return {"ws": workspace_id, "as_of": BEFORE_DATA, "grain": "month", "fiscal_shift": 0}


def segment_economics(
    con: Connection, workspace_id: int, as_of: date | None, settings: dict[str, Any]
) -> pd.DataFrame:
    """What a customer in each segment is worth over the last 12 months to `as_of`.

    Columns: segment, customers (with revenue in the window), revenue_per_customer,
    margin_per_customer (revenue − invoice cost where given − hours logged on the segment's
    customers × the cost rate of the role: cost_rate_tech / _sales / _admin, else
    cost_rate_default; null when there are neither invoice costs nor time entries naming a
    customer), tickets_per_customer (tickets opened in the window), prior_customers (with
    revenue in the 12 months before), churned, churn (churned / prior_customers).
    """
    day = invoice_as_of(con, workspace_id, as_of) or BEFORE_DATA
    return query(
        con,
        "niche_segment_economics",
        {
            **common.last_year(workspace_id, day),
            "prior_after": months_back(day, 24),
            **common.cost_rates(settings),
        },
    )


def new_customer_quarters(
    con: Connection,
    workspace_id: int,
    as_of: date,
    periods: int = SATURATION_PERIODS,
    *,
    first_invoice: date | None = None,
) -> pd.DataFrame:
    """New customers per segment in consecutive 3-month periods ending at `as_of`.

    Columns: segment, k (0 = the latest period), period_start, period_end, usable (the
    period starts after the first 12 months of invoices), new_customers, falls (how many
    periods in a row, up to the latest, the count went down).
    """
    first = first_invoice or invoice_span(con, workspace_id, as_of)["first_date"] or as_of
    return query(
        con,
        "niche_new_customer_quarters",
        {
            "ws": workspace_id,
            "as_of": as_of,
            "ends": window_ends(as_of, 3, periods),
            "usable_from": usable_from(first),
        },
    )


def concentration_table(con: Connection, workspace_id: int, as_of: date) -> pd.DataFrame:
    """Segments by revenue share over the last 12 months, largest first.

    Columns: segment, rank, revenue, share, cumulative_share, in_80 (among the fewest
    segments making 80 % of revenue), hhi, segments_for_80, segmented_revenue,
    unsegmented_revenue (left out of the shares).
    """
    return query(
        con,
        "niche_concentration",
        common.last_year(workspace_id, as_of),
    )


def ctx_windows(ctx: Context, as_of: date, first_invoice: date | None) -> pd.DataFrame:
    """`segment_windows`, once per context (growth and saturation both read it)."""
    return shared(
        ctx,
        ("niche_windows", as_of, first_invoice),
        lambda: segment_windows(ctx.con, ctx.workspace_id, as_of, first_invoice=first_invoice),
    ).copy()
