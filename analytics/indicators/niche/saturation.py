"""Niche saturation: a segment still growing while its new customers dry up, period after
period.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd

from analytics import format as fmt
from analytics.indicators import effective_thresholds, register_entry
from analytics.indicators.base import Context, Indicator, Result
from analytics.indicators.common import months_back, names, records
from analytics.indicators.niche.base import (
    NO_SEGMENT,
    SATURATION_FALLS,
    SEGMENT_NOTE,
    details_spark,
    span_text,
    start,
    windows,
)
from analytics.indicators.niche.frames import comparison_gap, ctx_windows, new_customer_quarters

# ---------------------------------------------------------------- segment_saturation


def segment_gap(ind: Indicator, seg: pd.DataFrame, what: str) -> Result | None:
    """ "Not enough data" without two real segments among customers with revenue in the
    frame's windows: customers pooled as "(no segment)" are not a niche. One real segment
    holding every such customer is a fact (a vertical business) and passes."""
    live = seg[(seg["revenue"] > 0) | (seg["revenue_prior"] > 0)]
    real = sorted(str(s) for s in live["segment"] if s != NO_SEGMENT)
    pooled = bool((live["segment"] == NO_SEGMENT).any())
    if len(real) >= 2 or (len(real) == 1 and not pooled):
        return None
    fix = (
        "Load a customers file with a segment or industry column (matched to your invoices' "
        "customer names) to see it."
    )
    if not real:
        return ind.unknown(
            f"None of your customers with revenue in the last two years has a segment: every "
            f"one is pooled as {NO_SEGMENT!r}, so there are no niches to compare. {what} "
            f"needs at least two segments. {fix}",
            details={"segments": 0},
        )
    return ind.unknown(
        f"Only one segment ({real[0]}) among your customers with revenue in the last two "
        f"years; the others are pooled as {NO_SEGMENT!r}. {what} needs at least two "
        f"segments. {fix}",
        details={"segments": 1},
    )


def _trail(counts: list[int]) -> str:
    return " → ".join(str(n) for n in counts)


def compute_segment_saturation(ctx: Context) -> Result:
    ind = SEGMENT_SATURATION
    begun = start(ctx, ind)
    as_of, span = begun
    seg = ctx_windows(ctx, as_of, span["first_date"])
    few = segment_gap(ind, seg, "Saturation (a niche still growing while new buyers dry up)")
    if few is not None:
        return few
    periods = new_customer_quarters(
        ctx.con, ctx.workspace_id, as_of, first_invoice=span["first_date"]
    )
    needed = SATURATION_FALLS + 1
    usable = periods.loc[periods["usable"].astype(bool), "k"].drop_duplicates()
    if len(usable) < needed:
        # usable_from(first) must not be after the oldest period's first day
        oldest_start = months_back(as_of, 3 * needed) + timedelta(days=1)
        need_from = months_back(oldest_start, 12)
        return ind.unknown(
            f"Needs invoices from {fmt.day(need_from)} or earlier: new customers are compared "
            f"over the last {needed} quarters, and the first 12 months of invoices are set "
            "aside because every customer you already had looks new then; "
            f"{span_text(span)}."
        )
    gap = comparison_gap(
        ctx, ind, as_of, "saturation compares each segment's revenue with the year before: it"
    )
    if gap is not None:
        return gap

    kept = periods[periods["usable"].astype(bool)].sort_values(
        ["segment", "k"], ascending=[True, False]
    )
    trails = kept.groupby("segment", sort=False)["new_customers"].agg(list)
    summary = (
        periods.groupby("segment", as_index=False)
        .agg(falls=("falls", "first"), new_customers_latest=("new_customers", "first"))
        .merge(seg[["segment", "revenue", "revenue_prior", "growth"]], on="segment", how="left")
        .fillna({"revenue": 0.0, "revenue_prior": 0.0})
    )
    summary["new_customers_by_quarter"] = summary["segment"].map(trails)
    summary["falls"] = summary["falls"].astype(int)
    # "Still grows": it earned in the year before too, and earns more now (new segments
    # are just starting, not saturating).
    grows = (summary["revenue_prior"] > 0) & (summary["revenue"] > summary["revenue_prior"])
    judged = summary["segment"] != NO_SEGMENT
    summary["saturating"] = grows & judged & (summary["falls"] >= SATURATION_FALLS)
    summary["watch"] = grows & judged & (summary["falls"] == SATURATION_FALLS - 1)
    summary = summary.sort_values(
        ["saturating", "watch", "revenue"], ascending=[False, False, False]
    ).reset_index(drop=True)

    saturating = summary[summary["saturating"]]
    watch = summary[summary["watch"]]
    value = len(saturating)
    status = ind.status_of(value, effective_thresholds(ind, ctx.settings))

    def described(rows: pd.DataFrame) -> list[str]:
        # "Pharma (+60.0%, new customers 3 → 2 → 1)": the run of drops and where it began
        return [
            f"{segment} ({fmt.pct(float(growth), signed=True)}, new customers "
            f"{_trail(counts[-(falls + 1) :])})"
            for segment, growth, counts, falls in zip(
                rows["segment"],
                rows["growth"],
                rows["new_customers_by_quarter"],
                rows["falls"],
                strict=True,
            )
        ]

    if value:
        text = (
            f"{names(described(saturating))} still "
            f"{'grows' if value == 1 else 'grow'}, but new customers have dropped quarter "
            "after quarter. The niche still pays, yet few new buyers are left: sell what you "
            "know about it to peers and other providers (partners, other IT firms), or open "
            "a neighbouring niche."
        )
    elif not watch.empty:
        text = (
            f"No niche is running dry yet. Watch {names(described(watch))}: revenue grows "
            "but last quarter brought fewer new customers than the one before."
        )
    elif not (grows & judged).any():
        text = (
            "No segment is saturating: this looks for segments whose revenue still grows "
            "while new customers dry up, and none grows right now."
        )
    else:
        text = "No niche is running dry: every growing segment still wins new customers."

    periods_shown = kept[["segment", "period_start", "period_end", "new_customers"]]
    by_quarter = (
        kept.groupby(["period_start", "period_end"], as_index=False)
        .agg(new_customers=("new_customers", "sum"))
        .sort_values("period_end")
    )
    details: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        **windows(as_of),
        "rule": (
            "A segment saturates when its revenue in the last 12 months is above the 12 "
            "before (and there was revenue then) while its new customers fell in at least "
            f"{SATURATION_FALLS} consecutive 3-month periods up to the as-of day. Periods "
            "inside your first 12 months of invoices are not used. "
            f"{NO_SEGMENT} is shown but never flagged."
        ),
        "saturating": saturating["segment"].tolist(),
        "watch": watch["segment"].tolist(),
        "segments": records(summary),
        "periods": records(periods_shown),
        "new_customers_by_quarter": records(by_quarter),
        "notes": [SEGMENT_NOTE] if (~judged).any() else [],
    }
    return Result(ind.id, int(value), status, text, details, summary)


SEGMENT_SATURATION = register_entry(
    "segment_saturation",
    compute=compute_segment_saturation,
    spark=details_spark("new_customers_by_quarter", "period_end", "new_customers"),
)
