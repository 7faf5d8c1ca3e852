"""What every Sales-vs-tech figure shares: its constants, the as-of days of deals and time
entries, the trailing 12 months, and the deals in them (read once per context).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from analytics.indicators.base import Context, Indicator
from analytics.indicators.common import day_of, shared, window_after, window_days
from analytics.queries import query
from analytics.store import Connection

PAGE = "friction"
AREA = "friction"
# Fewest won deals to set a baseline of hours and age per size band (two per quartile).
MIN_BASELINE = 8
# A won deal with delivery hours logged this recently is probably still being delivered.
DELIVERY_QUIET_DAYS = 14
# Complete ISO weeks looked at for time-tracking coverage.
COVERAGE_WEEKS = 13
# How many deals the details list by name (worst first).
WORST_N = 10
# Most flagged deals carried in a result's details (snapshots, the CLI); the frame has all.
DETAILS_LIST_MAX = 50
# Reference range for billable utilisation of people who bill (share of their logged hours).
UTILISATION_REFERENCE = (0.70, 0.80)

NO_DEALS = (
    "No deals yet. Import your pipeline (deal id, status, owner, created and closed dates, "
    "value) to see where sales and delivery pull against each other."
)
NO_TIME = (
    "No time entries yet. Import timesheets (date, person, hours; with customer, deal id, "
    "category and billable flag where you have them)."
)


def deals_as_of(ctx: Context) -> date | None:
    """The owner's day, else the last day a deal was created, won or lost (an open deal's
    expected close is a forecast, not a day that happened)."""
    return ctx.entity_as_of("deals")


def time_as_of(ctx: Context) -> date | None:
    """The owner's day, else the last day anyone logged time."""
    return ctx.entity_as_of("time_entries")


def deals_day(ctx: Context, ind: Indicator) -> date:
    """`deals_as_of` for a figure on deals (it ends as "not enough data" without deals)."""
    return day_of(ctx, ind, "deals", NO_DEALS)


def time_day(ctx: Context, ind: Indicator) -> date:
    """`time_as_of` for a figure on timesheets (it ends as "not enough data" without any)."""
    return day_of(ctx, ind, "time_entries", NO_TIME)


def window(as_of: date) -> dict[str, Any]:
    """The trailing 12 months as query parameters: after < day ≤ as_of."""
    return {"after": window_after(as_of), "as_of": as_of}


def window_details(as_of: date) -> dict[str, str]:
    """The window's first and last day (ISO), as every friction result's details carry them."""
    first, last = window_days(as_of)
    return {"from": first, "to": last}


def dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Date columns as plain dates (DuckDB hands them over as timestamps), missing ones NaT:
    each distinct day is converted once (a few hundred days among many thousand rows)."""
    for column in columns:
        if column in frame:
            codes, days = pd.factorize(frame[column])  # a missing day: code -1
            plain = [*pd.to_datetime(pd.Series(days)).dt.date, pd.NaT]
            frame[column] = np.array(plain, dtype=object)[codes]
    return frame


def monthly(frame: pd.DataFrame, date_col: str, value_col: str, how: str) -> pd.Series:
    """A sparkline: one point per calendar month (first day), aggregated with `how`."""
    if frame.empty or date_col not in frame or value_col not in frame:
        return pd.Series(dtype=float)
    shown = frame.dropna(subset=[date_col, value_col])
    if shown.empty:
        return pd.Series(dtype=float)
    stamps = pd.to_datetime(shown[date_col])
    months = (stamps - pd.to_timedelta(stamps.dt.day - 1, unit="D")).dt.date
    return shown[value_col].astype(float).groupby(months).agg(how)


def per_owner(frame: pd.DataFrame, worst: str, /, **figures: tuple[str, str]) -> pd.DataFrame:
    """One row per salesperson with `figures` (name=(column, aggregation)), the largest
    `worst` first, ties by name."""
    return (
        frame.groupby("owner", as_index=False)
        .agg(**figures)
        .sort_values([worst, "owner"], ascending=[False, True])
        .reset_index(drop=True)
    )


def deal_name(deal: pd.Series) -> str:
    """'D-1 (Acme, Ann)', leaving out whatever the deal does not name."""
    known = [str(deal[k]) for k in ("customer", "owner") if pd.notna(deal.get(k))]
    return f"{deal['deal_id']} ({', '.join(known)})" if known else str(deal["deal_id"])


def spread(values: pd.Series, formatter: Any) -> str:
    """'5.0%' or '5.0–6.8%'-style range of a few values."""
    low, high = float(values.min()), float(values.max())
    return formatter(low) if abs(high - low) < 1e-9 else f"{formatter(low)}–{formatter(high)}"


def against_the_rest(
    owners: pd.DataFrame,
    column: str,
    formatter: Any,
    lead: Any,
    rest: str,
) -> str:
    """The sentence a per-salesperson table (its leader first) adds to a message when it has
    more than one row: " {lead(first row)}{rest with the others' `column` spread}." — e.g.
    " Ann discounts deepest: median 22.5% …, against 4.0–6.0% for the others."; "" else."""
    if len(owners) < 2:
        return ""
    others = spread(owners[column].iloc[1:], formatter)
    return f" {lead(owners.iloc[0])}{rest.format(others)}."


def deal_facts(con: Connection, workspace_id: int, as_of: date) -> pd.DataFrame:
    """Deals won or lost in the 12 months to `as_of` and deals open on it, one row each:
    deal_id, owner, customer, state (open / won / lost on that day), created, closed, value,
    list_value, estimated_hours, days (to close, or to `as_of` while open), discount,
    presales_hours, actual_hours (delivery), last_logged, tracks_hours, with_presales,
    given_away, ratio (actual ÷ estimate), pursuit_hours (what winning or losing it cost)."""
    frame = query(con, "friction_deals", {"ws": workspace_id, **window(as_of)})
    return dates(frame, "created", "closed", "last_logged")


def ctx_deals(ctx: Context, as_of: date) -> pd.DataFrame:
    """`deal_facts` to `as_of`, once per context (five friction figures read it)."""
    return shared(ctx, ("deals", as_of), lambda: deal_facts(ctx.con, ctx.workspace_id, as_of))
