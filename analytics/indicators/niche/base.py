"""What every Niche growth figure shares: its constants, the invoices up to the as-of day
(or why there are none), the windows it compares and the sparklines' reading.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pandas as pd

from analytics import format as fmt
from analytics.indicators.base import Context, Indicator, NotEnoughData, Result
from analytics.indicators.common import (
    ctx_invoice_span,
    day_of,
    invoice_span,
    months_back,
    shift_months,
)

PAGE = "niche"
AREA = "niche"
NO_SEGMENT = "(no segment)"
GRAINS: tuple[str, ...] = ("month", "quarter", "year")
# How many 3-month periods the saturation check looks back over (two years).
SATURATION_PERIODS = 8
# Drops in new customers, period after period, that make a growing segment "saturating".
SATURATION_FALLS = 2
# Above this share of revenue from unsegmented customers, concentration would describe
# a minority of the business.
MAX_UNSEGMENTED_SHARE = 0.5
# A top segment with this share is worth watching even when the spread is healthy.
HALF = 0.5
# One or two segments making 80 % of revenue: a vertical business.
VERTICAL_MAX_SEGMENTS = 2
# A day before any business's data (used to get a query's empty frame, with its columns,
# for a workspace without invoices).
BEFORE_DATA = date(1900, 1, 1)

NO_INVOICES = (
    "No invoices yet. Load your invoices (date, customer, amount) and a customers file "
    "with each customer's segment or industry."
)
SEGMENT_NOTE = (
    f"Customers without a segment are pooled as {NO_SEGMENT!r}; give them a segment in "
    "your customers file to see where they belong."
)


def usable_from(first_invoice: date) -> date:
    """The first day new customers mean anything: 12 months after the first invoice."""
    return shift_months(first_invoice, 12)


def start(ctx: Context, ind: Indicator, *, customers: bool = False) -> tuple[date, dict[str, Any]]:
    """The as-of day and the invoices up to it, with their customers counted when asked for
    (`invoice_span`), or the figure ends as "not enough data" saying why (`NotEnoughData`)."""
    as_of = day_of(ctx, ind, "invoices", NO_INVOICES)
    span = ctx_invoice_span(ctx, as_of, customers=customers)
    if span["lines"] == 0:
        first = invoice_span(ctx.con, ctx.workspace_id)["first_date"]
        if first is None:
            raise NotEnoughData(ind.unknown(NO_INVOICES))
        raise NotEnoughData(
            ind.unknown(
                f"No invoices on or before {fmt.day(as_of)}: yours start on {fmt.day(first)}. "
                "Pick a later day, or load older invoices."
            )
        )
    return as_of, span


def span_text(span: dict[str, Any]) -> str:
    if span["first_date"] is None:
        return "you have no invoices up to that day"
    return f"you have invoices from {fmt.day(span['first_date'])} to {fmt.day(span['last_date'])}"


def windows(as_of: date) -> dict[str, str]:
    """The last 12 months and the 12 before, as first and last day (ISO)."""
    cur_after = months_back(as_of, 12)
    prior_after = months_back(as_of, 24)
    return {
        "current_from": (cur_after + timedelta(days=1)).isoformat(),
        "current_to": as_of.isoformat(),
        "prior_from": (prior_after + timedelta(days=1)).isoformat(),
        "prior_to": cur_after.isoformat(),
    }


def details_spark(key: str, date_col: str, value_col: str) -> Callable[[Result], pd.Series]:
    """A sparkline read from the rows a result's details keep under `key`, value by date."""

    def spark(result: Result) -> pd.Series:
        rows = result.details.get(key) or []
        if not rows:
            return pd.Series(dtype=float)
        frame = pd.DataFrame(rows)
        return pd.Series(
            frame[value_col].to_numpy(dtype=float), index=pd.to_datetime(frame[date_col]).dt.date
        )

    return spark
