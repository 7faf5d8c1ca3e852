"""Plain formatting of numbers for coaching messages: money, shares, hours, days."""

from __future__ import annotations

import math
from datetime import date

SYMBOLS: dict[str, str] = {
    "USD": "$",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "ZAR": "R",
}


def money(value: float | None, currency: str = "USD", *, decimals: int = 0) -> str:
    """`$12,340` / `-€1,200` / `CHF 980`; 'n/a' for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = "-" if value < 0 else ""
    amount = f"{abs(value):,.{decimals}f}"
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{currency} {amount}"


def pct(share: float | None, *, signed: bool = False) -> str:
    """A share as a percentage with one decimal: 0.1234 → '12.3%' (signed: '+12.3%')."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "n/a"
    return f"{share * 100:+.1f}%" if signed else f"{share * 100:.1f}%"


def hours(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.1f} h"


def day(value: date | None) -> str:
    """A date as an owner reads it in a sentence: '14 Mar 2025'."""
    if value is None:
        return "n/a"
    return f"{value.day} {value:%b %Y}"


def month(value: date | None) -> str:
    """'Mar 2025'."""
    return "n/a" if value is None else f"{value:%b %Y}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 week' / '3 weeks'."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
