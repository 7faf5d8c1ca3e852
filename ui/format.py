"""How numbers, money, dates and downloads look on a page (money, shares and days follow
`analytics.format`, so a coaching message and the table beside it agree)."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from analytics import format as analytics_format

# Spreadsheet safety is analytics' (CSV exports are made there too).
FORMULA_STARTS = analytics_format.FORMULA_STARTS
safe_frame = analytics_format.safe_frame

MISSING = "—"


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def count(value: int | float | None) -> str:
    """1234 → "1,234"."""
    if is_missing(value):
        return MISSING
    assert value is not None
    return f"{round(value):,}"


def money(
    value: float | Decimal | int | None, currency: str = "USD", *, cents: bool = False
) -> str:
    """An amount in the workspace currency: "$1,234", "-€56", "CHF 980"."""
    if value is None or is_missing(value):
        return MISSING
    return analytics_format.money(float(value), currency, decimals=2 if cents else 0)


def percent(share: float | None, *, signed: bool = False) -> str:
    """A share as a percentage with one decimal: 0.1234 → "12.3%"."""
    if share is None or is_missing(share) or math.isinf(float(share)):
        return MISSING
    return analytics_format.pct(float(share), signed=signed)


def day(value: date | datetime | str | None) -> str:
    """A date as "30 Jun 2025": readable and never ambiguous between day and month."""
    if value is None or is_missing(value):
        return MISSING
    return analytics_format.day(pd.Timestamp(value).date())


def moment(value: datetime | None) -> str:
    """A timestamp as "30 Jun 2025, 14:05"."""
    if is_missing(value):
        return MISSING
    assert value is not None
    stamp = pd.Timestamp(value)
    return f"{day(stamp)}, {stamp.strftime('%H:%M')}"


def span(first: date | None, last: date | None) -> str:
    """A date range as "1 Jan 2022 – 30 Jun 2025"."""
    if is_missing(first) or is_missing(last):
        return MISSING
    return f"{day(first)} – {day(last)}"


def years_between(first: date | None, last: date | None) -> str:
    """How long a history is, in words: "3.5 years", "8 months", "12 days"."""
    if first is None or last is None or is_missing(first) or is_missing(last):
        return MISSING
    days = int((pd.Timestamp(last) - pd.Timestamp(first)).days)
    if days >= 365:
        return f"{days / 365.25:.1f} years"
    if days >= 60:
        return f"{round(days / 30.44)} months"
    return f"{days + 1} days" if days else "1 day"


def safe_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes (UTF-8 with BOM, so Excel reads accents) that are safe to open in a spreadsheet."""
    return ("\ufeff" + analytics_format.safe_csv_text(frame)).encode("utf-8")


def plain(text: object) -> str:
    """Text (a file name, a header, a customer, an error naming a value) made inert for
    st.markdown, bare addresses included: see `analytics.format.inert`."""
    return analytics_format.inert(text)


def unlinked(text: object) -> str:
    """Markdown the app wrote (the owner's text in it already escaped) with every bare address
    in it broken up invisibly, so none becomes a link: see `analytics.format.unlinked`."""
    return analytics_format.unlinked(text)
