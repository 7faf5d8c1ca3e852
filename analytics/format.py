"""Plain formatting of numbers for coaching messages: money, shares, hours, days."""

from __future__ import annotations

import io
import math
from datetime import date
from typing import Any

import pandas as pd

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


# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, quoted so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every formula-like text cell (and header) quoted, for a CSV export."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            out[column] = values.map(safe_cell, na_action="ignore")
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def safe_csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV text that is safe to open in a spreadsheet."""
    buffer = io.StringIO()
    safe_frame(frame).to_csv(buffer, index=False)
    return buffer.getvalue()


_MD_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~$:=\"'&%^;,?/@")


def inert(text: object) -> str:
    """Text (a file name, a header, an error naming a value) made inert for st.markdown.

    Every ASCII punctuation mark is backslash-escaped, so nothing the owner or a file
    supplied can become a link, an image, HTML, LaTeX or a coloured directive.
    """
    out = []
    for ch in str(text):
        if ch in _MD_SPECIAL:
            out.append("\\" + ch)
        elif ch in "\r\n":
            out.append("  \n" if ch == "\n" else "")
        else:
            out.append(ch)
    return "".join(out)
