"""Niche growth indicators (registered on import): segment growth, saturation, concentration;
also the tidy frames behind the Niche page's charts.

Every figure reads invoices up to an "as of" day (the owner's pick, else the last invoice
date) and each customer's segment from `customers_current`; customers without one are pooled
as "(no segment)". One module per question, imported in the order the indicators are
registered: growth, saturation, concentration (frames: the page's tables).
"""

from __future__ import annotations

# The import order is the registration order: keep it (isort: off).
# isort: off
from analytics.indicators.niche.base import (
    AREA,
    GRAINS,
    HALF,
    MAX_UNSEGMENTED_SHARE,
    NO_INVOICES,
    NO_SEGMENT,
    PAGE,
    SATURATION_FALLS,
    SATURATION_PERIODS,
    SEGMENT_NOTE,
    VERTICAL_MAX_SEGMENTS,
    usable_from,
)
from analytics.indicators.niche.frames import (
    comparison_gap,
    comparison_months,
    concentration_table,
    months_frame,
    new_customer_quarters,
    new_customers_by_period,
    segment_economics,
    segment_revenue_by_period,
    segment_windows,
)
from analytics.indicators.niche.growth import (
    SEGMENT_GROWTH,
    compute_segment_growth,
    trailing_revenue,
)
from analytics.indicators.niche.saturation import (
    SEGMENT_SATURATION,
    compute_segment_saturation,
    segment_gap,
)
from analytics.indicators.niche.concentration import (
    SEGMENT_CONCENTRATION,
    compute_segment_concentration,
)
from analytics.indicators.common import (
    invoice_span,
    months_back,
    oldest_full_window,
    window_ends,
)
# isort: on


__all__ = [
    "AREA",
    "GRAINS",
    "HALF",
    "MAX_UNSEGMENTED_SHARE",
    "NO_INVOICES",
    "NO_SEGMENT",
    "PAGE",
    "SATURATION_FALLS",
    "SATURATION_PERIODS",
    "SEGMENT_CONCENTRATION",
    "SEGMENT_GROWTH",
    "SEGMENT_NOTE",
    "SEGMENT_SATURATION",
    "VERTICAL_MAX_SEGMENTS",
    "comparison_gap",
    "comparison_months",
    "compute_segment_concentration",
    "compute_segment_growth",
    "compute_segment_saturation",
    "concentration_table",
    "invoice_span",
    "months_back",
    "months_frame",
    "new_customer_quarters",
    "new_customers_by_period",
    "oldest_full_window",
    "segment_economics",
    "segment_gap",
    "segment_revenue_by_period",
    "segment_windows",
    "trailing_revenue",
    "usable_from",
    "window_ends",
]
