"""Niche concentration: how many segments make 80 % of revenue, and how evenly it spreads
(the Herfindahl index).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from analytics import format as fmt
from analytics.indicators import common, effective_thresholds, register_entry
from analytics.indicators.base import Context, Result
from analytics.indicators.common import months_back, records
from analytics.indicators.niche.base import (
    HALF,
    MAX_UNSEGMENTED_SHARE,
    VERTICAL_MAX_SEGMENTS,
    span_text,
    start,
)
from analytics.indicators.niche.frames import concentration_table

# ---------------------------------------------------------------- segment_concentration


def compute_segment_concentration(ctx: Context) -> Result:
    ind = SEGMENT_CONCENTRATION
    begun = start(ctx, ind, customers=True)
    as_of, span = begun
    currency = common.currency(ctx)
    if span["segmented_customers"] == 0:
        return ind.unknown(
            "None of your invoiced customers has a segment. Load a customers file with a "
            "segment or industry column to see how your revenue spreads across niches."
        )
    table = concentration_table(ctx.con, ctx.workspace_id, as_of)
    cur_after = months_back(as_of, 12)
    if table.empty:
        return ind.unknown(
            f"No revenue from customers with a segment in the 12 months to {fmt.day(as_of)} "
            f"({span_text(span)}). Load recent invoices, or pick an earlier day."
        )
    segmented = float(table["segmented_revenue"].iloc[0])
    unsegmented = float(table["unsegmented_revenue"].iloc[0])
    total = segmented + unsegmented
    if total > 0 and unsegmented / total > MAX_UNSEGMENTED_SHARE:
        return ind.unknown(
            f"{fmt.pct(unsegmented / total)} of the last 12 months' revenue "
            f"({fmt.money(unsegmented, currency)} of {fmt.money(total, currency)}) comes from "
            "customers without a segment, too much to judge concentration. Give those "
            "customers a segment in your customers file.",
            table,
        )
    if len(table) == 1 and unsegmented > 0:
        # one named segment beside unnamed customers is not a measured spread of niches
        return ind.unknown(
            f"Only one segment ({table['segment'].iloc[0]}) among your customers with revenue "
            f"in the 12 months to {fmt.day(as_of)}; the other "
            f"{fmt.money(unsegmented, currency)} comes from customers without a segment. "
            "Concentration needs at least two segments: give those customers a segment or "
            "industry in your customers file.",
            table,
            {"segments": 1, "unsegmented_revenue": unsegmented},
        )
    # the per-segment table; the whole-business figures repeat on every row
    shares = table.drop(
        columns=["hhi", "segments_for_80", "segmented_revenue", "unsegmented_revenue"]
    )
    hhi = float(table["hhi"].iloc[0])
    n80 = int(table["segments_for_80"].iloc[0])
    top = table.iloc[0]
    shape = "vertical" if n80 <= VERTICAL_MAX_SEGMENTS else "horizontal"
    status = ind.status_of(hhi, effective_thresholds(ind, ctx.settings))
    equal = 1 / hhi if hhi > 0 else None

    n_seg = len(table)
    if n_seg == 1:
        text = (
            f"All of the last 12 months' revenue from customers with a segment comes from "
            f"{top['segment']}: a vertical business (concentration {hhi:.2f})."
        )
    else:
        if n80 == n_seg:
            reach = f"it takes all {n_seg} of your segments to make"
        else:
            reach = f"{n80} of your {n_seg} segments {'makes' if n80 == 1 else 'make'}"
        text = (
            f"{top['segment']} brings {fmt.pct(float(top['share']))} of the last 12 months' "
            f"revenue, and {reach} 80% of it: a {shape} business (concentration "
            f"{hhi:.2f}, like {equal:.1f} equal-sized segments)."
        )
    if status == "red":
        text += (
            f" Most of your income rides on {top['segment']}: if its buyers run out, so does "
            "your revenue. Build a second niche."
        )
    elif status == "amber" or float(top["share"]) >= HALF:
        text += f" Keep an eye on {top['segment']}'s new customers (saturation card)."
    else:
        text += " A slump in one niche won't sink you."

    details: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "current_from": (cur_after + timedelta(days=1)).isoformat(),
        "current_to": as_of.isoformat(),
        "hhi": hhi,
        "equivalent_segments": equal,
        "top_segment": str(top["segment"]),
        "top_share": float(top["share"]),
        "segments": n_seg,
        "segments_for_80": n80,
        "shape": shape,
        "segmented_revenue": segmented,
        "unsegmented_revenue": unsegmented,
        "table": records(shares),
        "notes": (
            [
                f"{fmt.money(unsegmented, currency)} from customers without a segment is left "
                "out of the shares."
            ]
            if unsegmented > 0
            else []
        ),
    }
    return Result(ind.id, hhi, status, text, details, shares)


SEGMENT_CONCENTRATION = register_entry(
    "segment_concentration", compute=compute_segment_concentration
)
