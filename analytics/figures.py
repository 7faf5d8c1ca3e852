"""Plotly figures analytics draws itself, so a snapshot made from the command line looks like
the page (the page's own chart builders live in ui/)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

NEUTRAL = "#607d8b"


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
        template="plotly_white",
        height=60,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        xaxis={"visible": False},
        yaxis={"visible": False},
        showlegend=False,
    )
    return fig
