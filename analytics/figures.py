"""Plotly figures analytics draws itself, so a snapshot made from the command line looks like
the page (the page's own chart builders live in ui/)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

NEUTRAL = "#607d8b"
# Every figure is drawn on plotly_white. The app registers it once as THEME and makes it
# Plotly's default (ui/plotly_theme.py), so its figures get it without a per-figure copy.
BASE_TEMPLATE = "plotly_white"
THEME = "opening_day"


def template() -> dict[str, Any]:
    """The layout entry that puts a figure on plotly_white: none where it is already Plotly's
    default (the app), else the template by name (the command line, at a copy's cost)."""
    return {} if pio.templates.default == THEME else {"template": BASE_TEMPLATE}


# The trend on a live card: a picture, not a Plotly chart, so the Scoreboard draws no Plotly at
# all on a first view (Plotly's 4.7 MB of code, evaluated in each new tab, was a second of it).
SPARK_WIDTH = 240
SPARK_HEIGHT = 56
SPARK_PAD = 4


def sparkline_points(series: pd.Series) -> list[tuple[float, float]]:
    """Where `sparkline_svg` puts each value: x by date (days apart, as a date axis spaces
    them; by position when the index holds no dates), y from the lowest value at the bottom
    to the highest at the top (a flat series in the middle), inside SPARK_PAD. Missing values
    are left out, as the Plotly line leaves them."""
    clean = series.dropna()
    if clean.empty:
        return []
    values = clean.to_numpy(dtype=float)
    index = pd.Index(clean.index)
    if index.inferred_type in ("date", "datetime", "datetime64"):
        days = pd.to_datetime(index).to_numpy(dtype="datetime64[D]")
        x = (days - days[0]).astype(float)
    else:
        x = np.arange(len(values), dtype=float)
    inner_w = SPARK_WIDTH - 2 * SPARK_PAD
    inner_h = SPARK_HEIGHT - 2 * SPARK_PAD
    xs = SPARK_PAD + (x / x[-1] * inner_w if len(x) > 1 and x[-1] > 0 else np.zeros(len(x)))
    low, high = float(values.min()), float(values.max())
    if high > low:
        ys = SPARK_PAD + (high - values) / (high - low) * inner_h
    else:
        ys = np.full(len(values), SPARK_HEIGHT / 2)
    return [(round(float(a), 1), round(float(b), 1)) for a, b in zip(xs, ys, strict=True)]


def sparkline_svg(series: pd.Series) -> str:
    """The card's trend as SVG markup: the line of `sparkline_points` and a dot on the last
    value. Numbers only (no text from anyone's data), for `st.image`."""
    points = sparkline_points(series)
    line = " ".join(f"{x},{y}" for x, y in points)
    last_x, last_y = points[-1] if points else (0.0, 0.0)
    dot = f'<circle cx="{last_x}" cy="{last_y}" r="3" fill="{NEUTRAL}"/>' if points else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" '
        f'width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}">'
        f'<polyline fill="none" stroke="{NEUTRAL}" stroke-width="2" stroke-linejoin="round" '
        f'stroke-linecap="round" points="{line}"/>{dot}</svg>'
    )


def sparkline(series: pd.Series, name: str) -> go.Figure:
    """A tiny trend line with no axes: the shape of the recent history, nothing more."""
    fig = go.Figure(
        go.Scatter(
            x=list(series.index),
            y=series.to_numpy(dtype=float),
            mode="lines",
            line={"color": NEUTRAL, "width": 2},
            hovertemplate="%{x|%d %b %Y}: %{y:,.2f}<extra>" + name + "</extra>",
        )
    )
    fig.update_layout(
        **template(),
        height=60,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        xaxis={"visible": False},
        yaxis={"visible": False},
        showlegend=False,
    )
    return fig
