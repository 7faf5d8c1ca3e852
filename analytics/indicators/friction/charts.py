"""What the Sales vs tech page's charts draw, summarised in SQL over the indicators' own
rows (as filtered on the page), so a chart carries a few numbers per salesperson or
person, not every row.
"""

from __future__ import annotations

import pandas as pd

from analytics.queries import query_frames

# Most outlying deals drawn per salesperson beside the discount boxes.
OUTLIERS_PER_OWNER = 25
# Most points in the estimated-vs-actual chart, and how many of the biggest overruns (in
# hours, and in share of the estimate) it always keeps.
EFFORT_POINTS = 600
EFFORT_OVERRUNS_KEPT = 100


def discount_boxes(deals: pd.DataFrame) -> pd.DataFrame:
    """One box per salesperson over won deals with a discount (`won_discounts` rows): owner,
    deals, q1, median, q3, lowerfence, upperfence (the furthest deals within 1.5 × IQR),
    low_limit, high_limit (those limits), outliers (deals beyond them); deepest median first."""
    return query_frames("friction_discount_boxes", {"deals": deals[["owner", "discount"]]})


def discount_outliers(
    deals: pd.DataFrame, boxes: pd.DataFrame, per_owner: int = OUTLIERS_PER_OWNER
) -> pd.DataFrame:
    """The deals beyond their salesperson's box limits (`discount_boxes`), furthest first, at
    most `per_owner` each: deal_id, customer, owner, discount, distance, owner_rank,
    owner_outliers (how many in all for that salesperson)."""
    return query_frames(
        "friction_discount_outliers",
        {
            "deals": deals[["deal_id", "customer", "owner", "discount"]],
            "boxes": boxes[["owner", "low_limit", "high_limit"]],
        },
        {"per_owner": per_owner},
    )


def effort_points(
    deals: pd.DataFrame, cap: int = EFFORT_POINTS, keep: int = EFFORT_OVERRUNS_KEPT
) -> pd.DataFrame:
    """The deals the estimated-vs-actual chart draws (judged `won_effort` rows): all of them
    up to `cap`; beyond, the `keep` biggest overruns in hours and in share (shown "overrun")
    and a stable every-k-th sample of the rest (shown "sample"), `cap` in all. Columns:
    deal_id, owner, customer, estimated_hours, actual_hours, hours_over, shown, total (every
    deal), overruns (how many kept as overruns), low, high (the hours' range over all)."""
    return query_frames(
        "friction_effort_points",
        {"deals": deals[["deal_id", "owner", "customer", "estimated_hours", "actual_hours"]]},
        {"cap": cap, "keep": keep},
    )


def coverage_top_people(weeks: pd.DataFrame, top: int | None) -> pd.DataFrame:
    """The coverage frame's person-weeks of the `top` people with the most hours missing
    (None: everyone): person, week_start, hours, rank (1 = most missing), people (in all),
    missing_hours, coverage."""
    return query_frames(
        "friction_coverage_top_people",
        {"weeks": weeks[["person", "week_start", "hours", "capacity", "covered_hours"]]},
        {"top": top},
    )
