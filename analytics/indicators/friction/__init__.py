"""Sales-vs-tech friction indicators (registered on import): discounts, estimates, presales,
hours lost on deals, deals to drop, time tracking, and two service-business benchmarks;
also the summaries behind the page's charts.

Every figure looks at the 12 calendar months up to an "as of" day: the owner's pick, else the
last date in the data the indicator reads (deals: the last day a deal was created or closed;
time entries: the last day logged). A window runs as_of − 12 months < day ≤ as_of. One module
per question, imported in the order the indicators are registered: deals (discounts, effort,
presales), pursuit (lost hours, deals to cut), timesheets (coverage, improvement, billable,
hourly rate); charts: the page's summaries.
"""

from __future__ import annotations

# The import order is the registration order: keep it (isort: off).
# isort: off
from analytics.indicators.friction.base import (
    AREA,
    COVERAGE_WEEKS,
    DELIVERY_QUIET_DAYS,
    DETAILS_LIST_MAX,
    MIN_BASELINE,
    NO_DEALS,
    NO_TIME,
    PAGE,
    UTILISATION_REFERENCE,
    WORST_N,
    deal_facts,
    deals_as_of,
    time_as_of,
    window,
)
from analytics.indicators.friction.deals import (
    DISCOUNT_DEPTH,
    EFFORT_OVERRUN,
    PRESALES_LIFT,
    closed_deals,
    compute_discount_depth,
    compute_effort_overrun,
    compute_presales_lift,
    discount_by_owner,
    effort_by_owner,
    presales_groups,
    won_discounts,
    won_effort,
)
from analytics.indicators.friction.pursuit import (
    CUT_AND_RUN,
    CUT_AND_RUN_COLUMNS,
    LOST_DEAL_HOURS,
    band_label,
    compute_cut_and_run,
    compute_lost_deal_hours,
    cut_and_run_list,
    size_bands,
)
from analytics.indicators.friction.timesheets import (
    BILLABLE_UTILIZATION,
    EFFECTIVE_HOURLY_RATE,
    IMPROVEMENT_TIME_SHARE,
    TIME_TRACKING_COVERAGE,
    compute_billable_utilization,
    compute_effective_hourly_rate,
    compute_improvement_time_share,
    compute_time_tracking_coverage,
    coverage_by_person,
    coverage_weeks,
    service_revenue,
    time_use,
)
from analytics.indicators.friction.charts import (
    EFFORT_OVERRUNS_KEPT,
    EFFORT_POINTS,
    OUTLIERS_PER_OWNER,
    coverage_top_people,
    discount_boxes,
    discount_outliers,
    effort_points,
)
from analytics.indicators.common import (
    WINDOW_MONTHS,
    window_text,
)
# isort: on

# The per-context memo of the frames several indicators read (tests watch it empty).
from analytics.indicators.common import _SHARED as _SHARED

__all__ = [
    "AREA",
    "BILLABLE_UTILIZATION",
    "COVERAGE_WEEKS",
    "CUT_AND_RUN",
    "CUT_AND_RUN_COLUMNS",
    "DELIVERY_QUIET_DAYS",
    "DETAILS_LIST_MAX",
    "DISCOUNT_DEPTH",
    "EFFECTIVE_HOURLY_RATE",
    "EFFORT_OVERRUN",
    "EFFORT_OVERRUNS_KEPT",
    "EFFORT_POINTS",
    "IMPROVEMENT_TIME_SHARE",
    "LOST_DEAL_HOURS",
    "MIN_BASELINE",
    "NO_DEALS",
    "NO_TIME",
    "OUTLIERS_PER_OWNER",
    "PAGE",
    "PRESALES_LIFT",
    "TIME_TRACKING_COVERAGE",
    "UTILISATION_REFERENCE",
    "WINDOW_MONTHS",
    "WORST_N",
    "band_label",
    "closed_deals",
    "compute_billable_utilization",
    "compute_cut_and_run",
    "compute_discount_depth",
    "compute_effective_hourly_rate",
    "compute_effort_overrun",
    "compute_improvement_time_share",
    "compute_lost_deal_hours",
    "compute_presales_lift",
    "compute_time_tracking_coverage",
    "coverage_by_person",
    "coverage_top_people",
    "coverage_weeks",
    "cut_and_run_list",
    "deal_facts",
    "deals_as_of",
    "discount_boxes",
    "discount_by_owner",
    "discount_outliers",
    "effort_by_owner",
    "effort_points",
    "presales_groups",
    "service_revenue",
    "size_bands",
    "time_as_of",
    "time_use",
    "window",
    "window_text",
    "won_discounts",
    "won_effort",
]
