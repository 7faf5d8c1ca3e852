"""Plotly figures analytics draws itself, so a snapshot made from the command line looks like
the page (the page's own chart builders live in ui/)."""

from __future__ import annotations

from typing import Any

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
