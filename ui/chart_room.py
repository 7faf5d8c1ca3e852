"""Room around a chart for its axis labels and legend, set before the browser draws it.

Streamlit's chart theme turns on Plotly's `automargin`: Plotly draws the chart, measures its
tick labels, axis titles and a legend below the plot, and when they need more room than the
layout's margins give, it widens the margins and draws the whole chart again. Every chart
here asked for 10 px and so was drawn twice, on every visit. Measured in Debian chromium on
the large demo (benchmarks/README.md), margins that already hold the labels cut the time from
a page's charts arriving to their being drawn by about a third.

The room is worked out from what the figure holds: a title on the y axis or none, a title
on the x axis, rows of legend below the plot. Only the plain charts (lines, scatters,
vertical bars and boxes) get it; the others (bars with a name on each row, heatmaps, gauges)
keep their own margins and Plotly widens them as before. Names along the x axis that the
browser turns at an angle (the discount boxes) take more room than this gives: Plotly widens
that one too.
A margin only grows here, and Plotly still widens one that is short (a legend that wraps on
a narrow screen), so nothing is ever cut off.
"""

from __future__ import annotations

import plotly.graph_objects as go

# Pixels, with Streamlit's chart fonts (measured on every chart of the demo's pages): a y
# axis's tick labels and its title (65-77 px); its tick labels alone (31); the x axis's tick
# labels (35); its title (about 30 more); each row of legend items below the plot (33), a
# row holding about LEGEND_ROW_PX of items (a chart's width is the browser's: most are wider).
LEFT_TITLED = 80
LEFT_BARE = 36
BOTTOM_TICKS = 36
BOTTOM_TITLE = 30
LEGEND_ROW = 33
LEGEND_ROW_PX = 800
LEGEND_ITEM_PX = 40  # the item's symbol and the gap after it
LEGEND_CHAR_PX = 6.5
PLAIN = frozenset({"scatter", "bar", "box"})


def _legend_rows(fig: go.Figure) -> int:
    """Rows of legend below the plot: 0 when there is none there."""
    layout = fig.layout
    if layout.showlegend is False or layout.legend.orientation != "h":
        return 0
    if layout.legend.y is None or layout.legend.y >= 0:
        return 0
    named = [t for t in fig.data if t.showlegend is not False and t.name]
    # Plotly shows a legend for two or more named traces, or for one told to show it
    if not (len(named) >= 2 or any(t.showlegend is True for t in named)):
        return 0
    width = sum(LEGEND_ITEM_PX + LEGEND_CHAR_PX * len(str(t.name)) for t in named)
    return max(1, -(-int(width) // LEGEND_ROW_PX))


def fit(fig: go.Figure) -> go.Figure:
    """Give a plain chart the margins its labels and legend will take (in place; returns it)."""
    if not fig.data or any((t.type or "scatter") not in PLAIN for t in fig.data):
        return fig
    if any(getattr(t, "orientation", None) == "h" for t in fig.data):
        return fig  # names on the rows: their width is the browser's to measure
    layout = fig.layout
    left = LEFT_TITLED if layout.yaxis.title.text else LEFT_BARE
    bottom = (
        BOTTOM_TICKS
        + (BOTTOM_TITLE if layout.xaxis.title.text else 0)
        + LEGEND_ROW * _legend_rows(fig)
    )
    margin = layout.margin
    fig.update_layout(margin={"l": max(margin.l or 0, left), "b": max(margin.b or 0, bottom)})
    return fig
