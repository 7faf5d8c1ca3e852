"""Pace indicators (registered on import): prospecting discipline, steadiness of selling, order
book vs cash, workload, lately. One module per question, imported in the order the
indicators are registered: selling (prospecting hours, activity consistency), order_book,
people (workload pace, lately vs lifetime, and the workload chart's summary).
"""

from __future__ import annotations

# The import order is the registration order: keep it (isort: off).
# isort: off
from analytics.indicators.pace.base import (
    HOLE_SHARE,
    HORIZON_MONTHS,
    MAX_LAG_MONTHS,
    MIN_WEEKS,
    PAGE,
)
from analytics.indicators.pace.selling import (
    ACTIVITY_CONSISTENCY,
    PROSPECTING_HOURS,
    STEADY_CV,
    STORMY_CV,
    activity_types,
    compute_activity_consistency,
    compute_prospecting_hours,
    prospecting_terms,
    prospecting_weeks,
    weather,
)
from analytics.indicators.pace.order_book import (
    ORDER_BOOK_COVER,
    bookings_vs_revenue,
    compute_order_book_cover,
    estimate_lag,
    order_book_as_of,
)
from analytics.indicators.pace.people import (
    LATELY_VS_LIFETIME,
    TOP_N,
    WORKLOAD_PACE,
    compute_lately_vs_lifetime,
    compute_workload_pace,
    lately_frames,
    person_weeks,
    recent_since,
    workload_top_people,
)
from analytics.indicators.pace.cash import (
    CASH_GAP_WEEKS,
    DSO_DAYS,
    cash_advice,
    cash_weeks,
    compute_cash_gap_weeks,
    compute_dso_days,
    dso_history,
    late_payers,
    weekly_costs,
)
# isort: on


__all__ = [
    "ACTIVITY_CONSISTENCY",
    "CASH_GAP_WEEKS",
    "DSO_DAYS",
    "HOLE_SHARE",
    "HORIZON_MONTHS",
    "LATELY_VS_LIFETIME",
    "MAX_LAG_MONTHS",
    "MIN_WEEKS",
    "ORDER_BOOK_COVER",
    "PAGE",
    "PROSPECTING_HOURS",
    "STEADY_CV",
    "STORMY_CV",
    "TOP_N",
    "WORKLOAD_PACE",
    "activity_types",
    "bookings_vs_revenue",
    "cash_advice",
    "cash_weeks",
    "compute_activity_consistency",
    "compute_cash_gap_weeks",
    "compute_dso_days",
    "compute_lately_vs_lifetime",
    "compute_order_book_cover",
    "compute_prospecting_hours",
    "compute_workload_pace",
    "dso_history",
    "estimate_lag",
    "late_payers",
    "lately_frames",
    "order_book_as_of",
    "person_weeks",
    "prospecting_terms",
    "prospecting_weeks",
    "recent_since",
    "weather",
    "weekly_costs",
    "workload_top_people",
]
