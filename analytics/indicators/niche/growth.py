"""Niche growth: revenue per segment over the last 12 months against the 12 before, and
the compound growth since the first full year.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from analytics import format as fmt
from analytics.indicators import common, effective_thresholds, register_entry
from analytics.indicators.base import Context, Result
from analytics.indicators.common import months_back, records
from analytics.indicators.niche.base import (
    NO_SEGMENT,
    SEGMENT_NOTE,
    details_spark,
    span_text,
    start,
    usable_from,
    windows,
)
from analytics.indicators.niche.frames import (
    comparison_gap,
    ctx_months,
    ctx_windows,
    months_frame,
)
from analytics.settings import minimum
from analytics.store import Connection

# ---------------------------------------------------------------- segment_growth


def trailing_revenue(
    con: Connection, workspace_id: int, as_of: date, months: int = 13
) -> pd.DataFrame:
    """Trailing-12-month revenue at the end of each of the last `months` calendar months.

    Columns: month (first day), revenue (the 12 calendar months ending with that month).
    The last month may be partial (it ends at `as_of`).
    """
    return trailing_of(months_frame(con, workspace_id, as_of), months)


def trailing_of(frame: pd.DataFrame, months: int = 13) -> pd.DataFrame:
    """`trailing_revenue` from a `months_frame`: the rolling sum over the whole series (a
    pandas one), the complete windows' last `months` kept, column by column."""
    revenue = frame["revenue"].rolling(12, min_periods=12).sum().to_numpy()
    # not the first 11 months, nor the null row of no months at all
    kept = np.flatnonzero(~np.isnan(revenue))
    kept = kept[max(len(kept) - months, 0) :]
    return pd.DataFrame(
        {
            "month": pd.DatetimeIndex(frame["month"].to_numpy()[kept]).date,
            "revenue": revenue[kept],
        }
    )


def compute_segment_growth(ctx: Context) -> Result:
    ind = SEGMENT_GROWTH
    begun = start(ctx, ind)
    as_of, span = begun
    currency = common.currency(ctx)
    seg = ctx_windows(ctx, as_of, span["first_date"])
    shown = seg[(seg["revenue"] != 0) | (seg["revenue_prior"] != 0)].reset_index(drop=True)
    revenue = float(seg["revenue"].sum())
    prior = float(seg["revenue_prior"].sum())
    cur_after = months_back(as_of, 12)
    if prior <= 0:
        return ind.unknown(
            f"Needs invoices from the 12 months before {fmt.day(cur_after + timedelta(days=1))} "
            f"to compare the last 12 months with the 12 before; {span_text(span)}. Load "
            "older invoices (13 months or more in all) to see growth.",
            shown,
        )
    gap = comparison_gap(
        ctx, ind, as_of, "a growth rate", shown.assign(growth=float("nan"), cagr=float("nan"))
    )
    if gap is not None:
        return gap
    # A segment's own rate needs the same base as the whole business's.
    base_needed = minimum(ctx.settings, "growth_min_customers")
    shown["growth"] = shown["growth"].where(shown["customers_prior"] >= base_needed)
    growth = (revenue - prior) / prior
    status = ind.status_of(growth, effective_thresholds(ind, ctx.settings))

    first_date: date = span["first_date"]
    years = seg["cagr_years"].dropna()
    cagr_years = int(years.iloc[0]) if not years.empty else 0
    # The year before is covered in full exactly when it is a full window (k = 1).
    prior_complete = cagr_years >= 1
    first_full = float(seg["revenue_first_full"].sum())
    cagr = (
        (revenue / first_full) ** (1 / cagr_years) - 1
        if cagr_years >= 1 and first_full > 0 and revenue >= 0
        else None
    )

    notes = [SEGMENT_NOTE] if (seg["segment"] == NO_SEGMENT).any() else []
    if not prior_complete:
        notes.append(
            f"Your invoices start on {fmt.day(first_date)}, inside the earlier 12 months: "
            "part of the growth may only be the months before your data begins."
        )
    if usable_from(first_date) > cur_after + timedelta(days=1):
        notes.append(
            "The last 12 months overlap your first year of invoices, when every customer you "
            "already had looks new: new-customer counts run high."
        )

    direction = "up" if growth > 0 else "down" if growth < 0 else "level"
    text = (
        f"Revenue in the 12 months to {fmt.day(as_of)}: {fmt.money(revenue, currency)}, "
        f"{direction} {fmt.pct(abs(growth))} on the 12 months before "
        f"({fmt.money(prior, currency)})."
        if direction != "level"
        else f"Revenue in the 12 months to {fmt.day(as_of)}: {fmt.money(revenue, currency)}, "
        "the same as the 12 months before."
    )
    change = shown["revenue"] - shown["revenue_prior"]
    if not shown.empty and change.abs().max() > 0:
        mover = shown.iloc[int(change.abs().to_numpy().argmax())]
        delta = float(mover["revenue"] - mover["revenue_prior"])
        if mover["trend"] == "new":
            text += f" Biggest change: {mover['segment']}, new this year with {fmt.money(delta, currency)}."
        else:
            sign = "+" if delta > 0 else "-"
            rate = (
                f"{fmt.pct(float(mover['growth']), signed=True)}"
                if pd.notna(mover["growth"])
                else f"on {fmt.plural(int(mover['customers_prior']), 'customer')} the year before"
            )
            text += (
                f" Biggest change: {mover['segment']} ({sign}{fmt.money(abs(delta), currency)}, "
                f"{rate})."
            )
    if growth < 0:
        text += " Find out where it went before you chase a new niche."
    if not prior_complete:
        text += f" Your invoices only start on {fmt.day(first_date)}, so the earlier year is incomplete."

    details: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        **windows(as_of),
        "revenue": revenue,
        "revenue_prior": prior,
        "growth": growth,
        "prior_window_complete": bool(prior_complete),
        "cagr": cagr,
        "cagr_years": cagr_years,
        "cagr_definition": (
            "Compound yearly growth between the first full 12-month window in your invoices "
            "(windows end on the as-of day, a year apart; a window counts as full when the "
            "invoices start within its first month) and the last 12 months. Unknown with "
            "fewer than two full windows."
        ),
        "customers": int(shown["customers"].sum()),
        "new_customers": int(shown["new_customers"].sum()),
        "segments": records(shown),
        "no_segment": NO_SEGMENT,
        "trailing_12m_revenue": records(trailing_of(ctx_months(ctx, as_of))),
        "notes": notes,
        "customers_prior": int(seg["customers_prior"].sum()),
        "growth_min_customers": base_needed,
    }
    prior_customers = int(seg["customers_prior"].sum())
    if prior_customers < base_needed:
        return ind.too_few(
            float(growth),
            prior_customers,
            base_needed,
            "customer",
            count=(
                f"{fmt.money(revenue, currency)} against {fmt.money(prior, currency)} from "
                f"{fmt.plural(prior_customers, 'customer')} in the 12 months before"
            ),
            fix="A growth rate on so small a base says little; load invoices for more of "
            "your customers.",
            frame=shown,
            details=details,
            currency=currency,
        )
    return Result(ind.id, float(growth), status, text, details, shown)


SEGMENT_GROWTH = register_entry(
    "segment_growth",
    compute=compute_segment_growth,
    spark=details_spark("trailing_12m_revenue", "month", "revenue"),
)
