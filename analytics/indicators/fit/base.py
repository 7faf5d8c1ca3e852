"""What every Customer fit figure shares: its constants, the last 12 months to the invoices'
as-of day, and the reason given when no customer has revenue in them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, Literal

import pandas as pd

from analytics import format as fmt
from analytics.indicators import common
from analytics.indicators.base import Context, Indicator, Result
from analytics.indicators.common import Window, window_days, window_text

PAGE = "fit"
AREA = "fit"
NO_SEGMENT = "(no segment)"
# Below this many customers, "the top fifth" is one or two names: not a distribution.
MIN_CUSTOMERS = 5
# The Lorenz curve keeps at most this many points (the origin included) for a chart.
LORENZ_POINTS = 200
# The customer-types text's yearly non-renewal rate.
CHURN_REFERENCE = 0.25
# Churn per year goes back this many years at most (fit_churn.sql knows six windows).
MAX_CHURN_YEARS = 5
# Ticket hours weigh support burden when at least this share of tickets record hours.
HOURS_COVERAGE = 0.8
# An attribute value describes the ideal customer from this lift and this many ideal customers.
MIN_LIFT = 1.2
MIN_IDEAL = 2
# Names quoted in a message before "and N more".
NAMES_IN_MESSAGE = 3
# Rows kept in a result's details (the full list is the result's frame).
DETAIL_ROWS = 25

TicketMode = Literal["auto", "complaints", "all"]
TICKET_MODES: tuple[TicketMode, ...] = ("auto", "complaints", "all")

QUADRANTS: dict[str, str] = {
    "ideal": "Ideal",
    "maintain": "Maintain",
    "grow": "Grow",
    "fix_or_fire": "Fix or fire",
}
QUADRANT_MEANING: dict[str, str] = {
    "ideal": "pays well, asks little: keep close, win more like them",
    "maintain": "pays well, asks a lot: protect the margin",
    "grow": "pays little, asks little: sell them more",
    "fix_or_fire": "pays little, asks a lot: reprice, fix the cause, or let go",
}
# The attributes the ideal profile compares, column → label.
ATTRIBUTES: dict[str, str] = {
    "segment": "Segment",
    "size_band": "Size (employees)",
    "region": "Region",
    "channel": "Channel",
}

NO_INVOICES = (
    "No invoices yet. Load your invoices (date, customer, amount) to see which customers "
    "bring the revenue."
)


def start(ctx: Context, ind: Indicator) -> Window:
    """The last 12 months to the invoices' as-of day (or the figure ends: no invoices)."""
    return common.start(ctx, ind, "invoices", NO_INVOICES)


def window_details(as_of: date) -> dict[str, str]:
    """The window's first and last day (ISO), as every fit result's details carry them."""
    first, last = window_days(as_of)
    return {"window_from": first, "window_to": last}


def names(items: list[str], total: int | None = None) -> str:
    """Names in a sentence, at most NAMES_IN_MESSAGE of them: "A, B, C and 4 more"."""
    return common.names(items, total, limit=NAMES_IN_MESSAGE)


def first_rows(frame: pd.DataFrame, *columns: str) -> Iterator[tuple[Any, ...]]:
    """The first NAMES_IN_MESSAGE rows' `columns`, one tuple a row: the names a message quotes."""
    return frame[list(columns)].head(NAMES_IN_MESSAGE).itertuples(index=False, name=None)


def no_revenue(ind: Indicator, ctx: Context, as_of: date) -> Result:
    span = common.invoice_span(ctx.con, ctx.workspace_id)
    if span["first_date"] is not None and span["first_date"] > as_of:
        return ind.unknown(
            f"No invoices on or before {fmt.day(as_of)}: yours start on "
            f"{fmt.day(span['first_date'])}. Pick a later day, or load older invoices."
        )
    return ind.unknown(
        f"No customer has revenue above zero in {window_text(as_of)}. Load recent invoices, "
        "or pick an earlier day in the sidebar."
    )


def details_start(as_of: date) -> dict[str, Any]:
    """The as-of day and the window that open every fit result's details."""
    return {"as_of": as_of, **window_details(as_of)}
