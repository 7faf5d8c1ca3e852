"""Notes on a chart: a dashed line on a note's day, or a shaded band over its days, on every
date axis of a figure whose range includes it, with the note on hover and a short label.

`annotate` is pure: it returns a new figure (the one given is never changed, since figures are
shared from ui/figure_cache.py), or the very figure given when no note falls on it. A note's
text is the owner's plain text: Plotly draws a subset of HTML (<b>, <br>, <a href>) and reads
entities in any text it shows, and would typeset text between "$" signs as TeX when MathJax is
on the page, so every "&", "<", ">" and "$" is written as an entity (`plotly_plain`) and shows
as typed, never as markup or a live link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.notes import Note

NOTE_COLOUR = "#6a1b9a"
BAND_FILL = "rgba(106, 27, 154, 0.10)"
# A figure lower than this (a card's sparkline) gets the lines and bands only: no label fits.
MIN_LABEL_HEIGHT = 150
DEFAULT_HEIGHT = 450  # Plotly's, for a figure that sets none
# Labels closer than this share of the axis to the previous label show as a dot (hover for it).
LABEL_GAP = 0.12
RIGHT_HAND = 0.75  # a label further along the axis than this ends at its line
MAX_WEEK_DAYS = 7  # the widest step between x values read as one period, months aside

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
_PLOTLY_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;"}


def plotly_plain(text: str) -> str:
    """Plain text Plotly shows exactly as written (its line breaks as Plotly's <br>)."""
    escaped = "".join(_PLOTLY_ENTITIES.get(ch, ch) for ch in text)
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def _day(value: Any) -> date | None:
    """A date-like x value as a day; None for anything else (a number, a name, a gap)."""
    if isinstance(value, datetime | pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date()
    if isinstance(value, str) and _ISO_DAY.match(value):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _trace_days(values: Any) -> list[date] | None:
    """The days of a trace's x values; None when any value is not a date (or there is none)."""
    if values is None:
        return None
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        days: list[date] = np.unique(values[~np.isnat(values)].astype("datetime64[D]")).tolist()
        return days or None
    found = []
    for value in values if isinstance(values, list | tuple | np.ndarray) else [values]:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        day = _day(value)
        if day is None:
            return None
        found.append(day)
    return found or None


def _last_day(days: list[date]) -> date:
    """The last day the axis stands for: a bar or point stands for the period that starts on
    its day, as long as the smallest gap between distinct days (a week for weekly bars, at
    most MAX_WEEK_DAYS), or whole months when every day is a month's first (monthly,
    quarterly, yearly figures)."""
    distinct = sorted(set(days))
    last = distinct[-1]
    if len(distinct) < 2:
        return last
    if all(d.day == 1 for d in distinct):
        months = min(
            (b.year - a.year) * 12 + b.month - a.month
            for a, b in zip(distinct, distinct[1:], strict=False)
        )
        after = last.year * 12 + last.month - 1 + months
        return date(after // 12, after % 12 + 1, 1) - timedelta(days=1)
    gap = min((b - a).days for a, b in zip(distinct, distinct[1:], strict=False))
    return last + timedelta(days=min(gap, MAX_WEEK_DAYS) - 1)


def date_axes(fig: go.Figure) -> dict[tuple[str, str], tuple[date, date]]:
    """Each x axis drawn with dates → its first and last day, keyed by (x axis, y axis) of
    the traces on it ("x", "y"; "x2", "y2" in a subplot). An axis counts when its type is
    "date", or is left to Plotly and every trace on it has dates for x."""
    days: dict[tuple[str, str], list[date]] = {}
    refused: set[str] = set()
    for trace in fig.data:
        if "xaxis" not in trace or "x" not in trace or trace.x is None:
            continue  # a pie, a table, or a trace drawn along y only
        xref = trace.xaxis or "x"
        found = _trace_days(trace.x)
        if found is None:
            if any(v is not None for v in np.asarray(trace.x, dtype=object).ravel()):
                refused.add(xref)
            continue
        days.setdefault((xref, trace.yaxis or "y"), []).extend(found)
    spans = {}
    for (xref, yref), found in days.items():
        name = f"xaxis{xref[1:]}"
        kind = fig.layout[name].type if name in fig.layout else None
        if kind not in (None, "-", "date") or (xref in refused and kind != "date"):
            continue
        spans[(xref, yref)] = (min(found), _last_day(found))
    return spans


def _hover(note: Note) -> str:
    by = f" — {note.author}" if note.author else ""
    return f"<b>{note.when}</b><br>{plotly_plain(note.text)}{plotly_plain(by)}"


def _height(fig: go.Figure) -> int:
    return int(fig.layout.height or DEFAULT_HEIGHT)


def annotate(fig: go.Figure, notes: Sequence[Note]) -> go.Figure:
    """`fig` with each note that falls in a date axis's range drawn on it: a new figure, or
    `fig` itself when there is none to draw."""
    spans = date_axes(fig) if notes else {}
    shapes: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    labelled = _height(fig) >= MIN_LABEL_HEIGHT
    for (xref, yref), (first, last) in spans.items():
        width = max((last - first).days, 1)
        previous: date | None = None
        for note in sorted(notes, key=lambda n: (n.day, n.id)):
            if note.day > last or note.last_day < first:
                continue
            start, end = max(note.day, first), min(note.last_day, last)
            where = {"xref": xref, "yref": f"{yref} domain", "name": f"note {note.id}"}
            if note.until is None:
                line = {"color": NOTE_COLOUR, "width": 1.5, "dash": "dash"}
                shapes.append(
                    {"type": "line", "x0": start.isoformat(), "x1": start.isoformat(), **where}
                    | {"y0": 0, "y1": 1, "line": line, "layer": "above"}
                )
            else:
                shapes.append(
                    {"type": "rect", "x0": start.isoformat(), "x1": end.isoformat(), **where}
                    | {"y0": 0, "y1": 1, "fillcolor": BAND_FILL, "line": {"width": 0}}
                    | {"layer": "below"}
                )
            if not labelled:
                continue
            fits = previous is None or (start - previous).days / width >= LABEL_GAP
            previous = start if fits else previous
            labels.append(
                {
                    "x": start.isoformat(),
                    "y": 1,
                    **where,
                    "text": plotly_plain(note.label) if fits else "●",
                    "hovertext": _hover(note),
                    "showarrow": False,
                    # Toward the right end a label reads leftwards, so it stays on the chart.
                    "xanchor": "right" if (start - first).days / width > RIGHT_HAND else "left",
                    "yanchor": "top",
                    "font": {"size": 11, "color": NOTE_COLOUR},
                    "bgcolor": "rgba(255, 255, 255, 0.75)",
                }
            )
    if not shapes:
        return fig
    out = go.Figure(fig)
    for shape in shapes:
        out.add_shape(shape)
    for label in labels:
        out.add_annotation(label)
    return out
