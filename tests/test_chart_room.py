"""Charts ask for the room their labels and legend take, so the browser draws them once
(ui/chart_room.py): the margins worked out from what each figure holds."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui import chart_room, charts, figure_cache


def _lines(*names: str, y_title: str = "", x_title: str = "") -> go.Figure:
    fig = go.Figure()
    for name in names:
        fig.add_scatter(x=[1, 2, 3], y=[4, 5, 6], name=name)
    fig.update_layout(**charts.LAYOUT, yaxis_title=y_title, xaxis_title=x_title)
    return fig


def test_a_titled_axis_and_one_row_of_legend() -> None:
    fig = chart_room.fit(_lines("Revenue", "Bookings", y_title="USD"))
    # 80 for the y axis's labels and title; 36 for the x axis's labels + one legend row of 33
    assert (fig.layout.margin.l, fig.layout.margin.b) == (80, 69)
    # the sides the labels do not reach keep what the layout asked for
    assert (fig.layout.margin.t, fig.layout.margin.r) == (50, 10)


def test_no_titles_and_no_legend() -> None:
    # one trace: Plotly shows no legend for it unless told to
    fig = chart_room.fit(_lines("Revenue"))
    assert (fig.layout.margin.l, fig.layout.margin.b) == (36, 36)
    told = _lines("Revenue")
    told.update_traces(showlegend=True)
    assert chart_room.fit(told).layout.margin.b == 36 + 33


def test_an_x_title_and_a_legend_that_takes_two_rows() -> None:
    # six items of 30 characters: 6 × (40 + 6.5 × 30) = 1,410 px, two rows of 800
    names = [f"Segment number {i} of the business"[:30] for i in range(6)]
    fig = chart_room.fit(_lines(*names, y_title="USD", x_title="Quarter"))
    assert fig.layout.margin.b == 36 + 30 + 2 * 33


def test_a_legend_above_or_hidden_takes_no_room_below() -> None:
    above = _lines("A", "B")
    above.update_layout(legend={"y": 1.1})
    assert chart_room.fit(above).layout.margin.b == 36
    hidden = _lines("A", "B")
    hidden.update_layout(showlegend=False)
    assert chart_room.fit(hidden).layout.margin.b == 36


def test_a_margin_the_builder_set_wider_is_kept() -> None:
    fig = _lines("A", "B", y_title="USD")
    fig.update_layout(margin={"l": 120, "b": 146})
    fig = chart_room.fit(fig)
    assert (fig.layout.margin.l, fig.layout.margin.b) == (120, 146)


def test_rows_of_names_heatmaps_and_gauges_are_left_to_the_browser() -> None:
    bars = go.Figure(go.Bar(x=[3, 2], y=["Harbour Dental", "Old Mill"], orientation="h"))
    bars.update_layout(**charts.LAYOUT)
    heat = go.Figure(go.Heatmap(z=[[1, 2], [3, 4]], y=["Ann", "Bo"]))
    heat.update_layout(**charts.LAYOUT)
    gauge = go.Figure(go.Indicator(mode="gauge+number", value=3))
    for fig in (bars, heat, gauge):
        before = fig.layout.margin.to_plotly_json()
        assert chart_room.fit(fig).layout.margin.to_plotly_json() == before


def test_every_kept_figure_is_fitted_once_built() -> None:
    @figure_cache.once
    def weekly(frame: pd.DataFrame) -> go.Figure:
        fig = go.Figure()
        fig.add_bar(x=frame["week"], y=frame["hours"], name="Met")
        fig.add_bar(x=frame["week"], y=frame["hours"] / 2, name="Missed")
        fig.update_layout(**charts.LAYOUT, yaxis_title="Hours")
        return fig

    frame = pd.DataFrame(
        {"week": pd.date_range("2026-01-05", periods=3, freq="7D"), "hours": [4.0, 6.0, 2.5]}
    )
    fig = weekly(frame)
    assert (fig.layout.margin.l, fig.layout.margin.b) == (80, 69)
    assert weekly(frame) is fig
