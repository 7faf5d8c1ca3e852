"""Plain formatting of numbers for coaching messages: money, shares, hours, days."""

from __future__ import annotations

import io
import math
import re
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

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

# U+2060 WORD JOINER: invisible, never a line break, joins nothing (unlike U+200D, which can
# fuse emoji). Placed inside "http://", "www." or "x@y.z" it shows the same text, but no
# linkifier's pattern matches any more.
WORD_JOINER = "\u2060"
# Where a linkifier starts a link, in plain text or in markdown that escapes ":" "/" "." "@"
# with a backslash (so an already inert text can be made unlinked too):
#   "<scheme>://" (http, https, ftp, file …): a joiner before the colon;
#   "mailto:", "xmpp:" (GFM's email links with a scheme): a joiner before the colon;
#   "www." (GFM links it without a scheme): a joiner before the dot;
#   "name@domain.tld" (GFM links bare emails): a joiner after the "@".
# Streamlit's markdown (remark-gfm) links these even when every punctuation mark is
# backslash-escaped: it finds them in the text left after the escapes are read.
_LINK_STARTS = re.compile(
    r"(?<=[A-Za-z0-9])(?=\\?:\\?/\\?/)"
    r"|(?i:(?<=mailto)|(?<=xmpp))(?=\\?:)"
    r"|(?i:(?<=www))(?=\\?\.)"
    r"|(?<=@)(?=\\?[-\w])"
)


def unlinked(text: object) -> str:
    """The same visible text, with nothing in it that Markdown, a browser or a mail program
    would turn into a link: "http://x", "www.x", "mailto:x" and "x@y.z" get an invisible word
    joiner where a link would start. Safe to apply twice and to already-escaped markdown."""
    return _LINK_STARTS.sub(WORD_JOINER, str(text))


def inert(text: object) -> str:
    """Text (a file name, a header, a customer, an error naming a value) made inert for
    st.markdown.

    Every ASCII punctuation mark is backslash-escaped, so nothing the owner or a file
    supplied can become a link, an image, HTML, LaTeX or a coloured directive; and bare
    addresses ("http://…", "www.…", "x@y.z") are broken up invisibly (`unlinked`), because
    GitHub-flavoured markdown links those even with every mark escaped.
    """
    out = []
    for ch in unlinked(text):
        if ch in _MD_SPECIAL:
            out.append("\\" + ch)
        elif ch in "\r\n":
            out.append("  \n" if ch == "\n" else "")
        else:
            out.append(ch)
    return "".join(out)


# Plotly draws a few HTML tags found in any text it shows (an <a href> becomes a live link,
# in a tick label, a legend or a hover box alike), then reads entities such as "&lt;" in the
# text between tags. Text that came from the owner's files is handed to it with every "<"
# escaped, and an "&" only where it would start an entity (so "AT&T" stays "AT&T" in the
# data), so it shows exactly as written. Only these data fields: titles, annotations and
# hover templates are the app's own and keep their markup.
_PLOTLY_ENTITY = re.compile(r"&(?=#\d+;|#x[\da-fA-F]+;|[A-Za-z]+;)")
PLOTLY_DATA_FIELDS = ("x", "y", "z", "text", "hovertext", "customdata", "labels", "ids", "name")
PLOTLY_AXIS_FIELDS = ("categoryarray", "ticktext")


def plotly_text(value: Any) -> Any:
    """Text (or text inside lists and arrays) that Plotly shows as written; numbers as they are."""
    if isinstance(value, str):
        return _PLOTLY_ENTITY.sub("&amp;", value).replace("<", "&lt;")
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "OUS":
            return value
        return np.array(
            plotly_text(value.tolist()), dtype=object if value.dtype.kind == "O" else None
        )
    if isinstance(value, list | tuple):
        return [plotly_text(v) for v in value]
    return value


def _needs_escaping(value: Any) -> bool:
    if isinstance(value, str):
        return "<" in value or _PLOTLY_ENTITY.search(value) is not None
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "OUS" and _needs_escaping(value.ravel().tolist())
    if isinstance(value, list | tuple):
        return any(_needs_escaping(v) for v in value)
    return False


def inert_figure(fig: go.Figure) -> go.Figure:
    """`fig` to draw with its data text escaped for Plotly (`plotly_text`), so a name from a
    file can be neither a link nor markup in the chart: a copy when there is text to escape,
    else `fig` itself (most charts hold numbers, dates and plain names only)."""
    found = [
        (i, field)
        for i, trace in enumerate(fig.data)
        for field in PLOTLY_DATA_FIELDS
        if field in trace and _needs_escaping(trace[field])
    ]
    axes = [*fig.select_xaxes(), *fig.select_yaxes()]
    on_axes = any(_needs_escaping(ax[f]) for ax in axes for f in PLOTLY_AXIS_FIELDS)
    if not found and not on_axes:
        return fig
    out = go.Figure(fig)
    for i, field in found:
        out.data[i][field] = plotly_text(out.data[i][field])

    def escape_axis(ax: Any) -> None:
        for field in PLOTLY_AXIS_FIELDS:
            if _needs_escaping(ax[field]):
                ax[field] = plotly_text(ax[field])

    if on_axes:
        out.for_each_xaxis(escape_axis)
        out.for_each_yaxis(escape_axis)
    return out
