"""ui.charts.reference_line: the dashed, labelled line a chart is read against."""

from __future__ import annotations

import plotly.graph_objects as go

from ui.charts import reference_line


def test_a_horizontal_and_a_vertical_reference_line() -> None:
    fig = go.Figure()
    fig.add_bar(x=[1, 2], y=[3, 4])
    reference_line(fig, "Target 5 h", y=5)
    reference_line(fig, "30 days", x=30, position="top")
    across, up = fig.layout.shapes
    # across the plot at y = 5 (x in paper units, 0 to 1); up it at x = 30
    assert (across.y0, across.y1, across.xref, across.x0, across.x1) == (5, 5, "x domain", 0, 1)
    assert (up.x0, up.x1, up.yref, up.y0, up.y1) == (30, 30, "y domain", 0, 1)
    assert {(s.line.dash, s.line.color) for s in (across, up)} == {("dash", "#333")}
    labels = {a.text: a for a in fig.layout.annotations}
    assert set(labels) == {"Target 5 h", "30 days"}
    # "top left" sits at the line's left end, above it; "top" at its top, centred
    assert (labels["Target 5 h"].x, labels["Target 5 h"].xanchor) == (0, "left")
    assert (labels["30 days"].x, labels["30 days"].yanchor) == (30, "bottom")
