"""Customer fit indicators (registered on import): who brings the revenue, who brings the
trouble, who costs more than they pay, who stopped buying, who has not heard from you, and
what your best customers have in common; also the tidy frames behind the page's charts.

Every figure reads the last 12 months to an "as of" day (the owner's pick, else the last
invoice date): invoice dates d with as_of - 12 calendar months < d <= as_of, the boundary cut
by `common.months_back`. One module per question, imported in the order the indicators are
registered (the order pages, the scoreboard and the CLI list them):

- eighty_twenty: revenue and complaints from the top 20 %, Lorenz and Gini
- quadrant: value versus support burden, and the chart's points
- retention: loss-making customers, churn, contact gaps
- profile: what the ideal customers have in common
- benchmarks: recurring revenue share, top-3 concentration
"""

from __future__ import annotations

# The import order is the registration order: keep it (isort: off).
# isort: off
from analytics.indicators.fit.base import (
    AREA,
    ATTRIBUTES,
    CHURN_REFERENCE,
    DETAIL_ROWS,
    HOURS_COVERAGE,
    LORENZ_POINTS,
    MAX_CHURN_YEARS,
    MIN_CUSTOMERS,
    MIN_IDEAL,
    MIN_LIFT,
    NAMES_IN_MESSAGE,
    NO_INVOICES,
    NO_SEGMENT,
    PAGE,
    QUADRANTS,
    QUADRANT_MEANING,
    TICKET_MODES,
    TicketMode,
)
from analytics.indicators.fit.eighty_twenty import (
    Pareto,
    REVENUE_PARETO,
    TICKET_PARETO,
    complaints_only,
    compute_revenue_pareto,
    compute_ticket_pareto,
    lorenz_points,
    pareto,
    pareto_from_ranks,
    revenue_ranks,
    ticket_kinds,
    ticket_ranks,
)
from analytics.indicators.fit.quadrant import (
    CUSTOMER_QUADRANT,
    QUADRANT_LABELS,
    QUADRANT_POINTS,
    burden_basis,
    compute_customer_quadrant,
    quadrant_frame,
    quadrant_points,
)
from analytics.indicators.fit.retention import (
    CHURN_RATE,
    CONTACT_GAPS,
    LOSS_MAKING_CUSTOMERS,
    activity_span,
    churn_by_segment,
    churn_by_year,
    churn_frame,
    compute_churn_rate,
    compute_contact_gaps,
    compute_loss_making_customers,
    contact_frame,
    margin_frame,
)
from analytics.indicators.fit.profile import (
    IDEAL_PROFILE,
    compute_ideal_profile,
    profile_lift,
    trait_name,
)
from analytics.indicators.fit.benchmarks import (
    RECURRING_REVENUE_SHARE,
    TOP3_CONCENTRATION,
    compute_recurring_revenue_share,
    compute_top3_concentration,
)
from analytics.indicators.common import (
    invoice_as_of,
    invoice_span,
)
# isort: on


__all__ = [
    "AREA",
    "ATTRIBUTES",
    "CHURN_RATE",
    "CHURN_REFERENCE",
    "CONTACT_GAPS",
    "CUSTOMER_QUADRANT",
    "DETAIL_ROWS",
    "HOURS_COVERAGE",
    "IDEAL_PROFILE",
    "LORENZ_POINTS",
    "LOSS_MAKING_CUSTOMERS",
    "MAX_CHURN_YEARS",
    "MIN_CUSTOMERS",
    "MIN_IDEAL",
    "MIN_LIFT",
    "NAMES_IN_MESSAGE",
    "NO_INVOICES",
    "NO_SEGMENT",
    "PAGE",
    "Pareto",
    "QUADRANTS",
    "QUADRANT_LABELS",
    "QUADRANT_MEANING",
    "QUADRANT_POINTS",
    "RECURRING_REVENUE_SHARE",
    "REVENUE_PARETO",
    "TICKET_MODES",
    "TICKET_PARETO",
    "TOP3_CONCENTRATION",
    "TicketMode",
    "activity_span",
    "burden_basis",
    "churn_by_segment",
    "churn_by_year",
    "churn_frame",
    "complaints_only",
    "compute_churn_rate",
    "compute_contact_gaps",
    "compute_customer_quadrant",
    "compute_ideal_profile",
    "compute_loss_making_customers",
    "compute_recurring_revenue_share",
    "compute_revenue_pareto",
    "compute_ticket_pareto",
    "compute_top3_concentration",
    "contact_frame",
    "invoice_as_of",
    "invoice_span",
    "lorenz_points",
    "margin_frame",
    "pareto",
    "pareto_from_ranks",
    "profile_lift",
    "quadrant_frame",
    "quadrant_points",
    "revenue_ranks",
    "ticket_kinds",
    "ticket_ranks",
    "trait_name",
]

# The profit whale curve, registered last (after every figure above).
from analytics.indicators.fit.whale import (  # noqa: E402
    PROFIT_WHALE,
    compute_profit_whale,
    tail_advice,
    whale_frame,
)

__all__ += ["PROFIT_WHALE", "compute_profit_whale", "tail_advice", "whale_frame"]
