"""Notes on charts: exactly which lines, bands and labels `annotate` adds to a figure with a
date axis, nothing on a chart of names or numbers, and note text that stays plain text."""

from __future__ import annotations

import json
from datetime import date, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from analytics.notes import Note
from analytics.notes_chart import annotate, date_axes, plotly_plain

D = date


def note(id_: int, day: date, text: str, until: date | None = None, author: str = "") -> Note:
    return Note(id_, 1, day, until, None, text, author, datetime(2025, 1, 1), None)


def weekly() -> go.Figure:
    """Four weekly bars: weeks of 6, 13, 20 and 27 Jan 2025 (so the axis runs to 2 Feb)."""
    weeks = pd.to_datetime(["2025-01-06", "2025-01-13", "2025-01-20", "2025-01-27"])
    fig = go.Figure(go.Bar(x=weeks, y=[1, 2, 3, 4]))
    fig.update_layout(height=360)
    return fig


def test_a_date_axis_runs_from_the_first_period_to_the_last_days_end() -> None:
    assert date_axes(weekly()) == {("x", "y"): (D(2025, 1, 6), D(2025, 2, 2))}
    monthly = go.Figure(go.Scatter(x=["2025-01-01", "2025-02-01", "2025-03-01"], y=[1, 2, 3]))
    assert date_axes(monthly) == {("x", "y"): (D(2025, 1, 1), D(2025, 3, 31))}
    daily = go.Figure(go.Scatter(x=[D(2025, 5, 1), D(2025, 5, 2), None], y=[1, 2, 3]))
    assert date_axes(daily) == {("x", "y"): (D(2025, 5, 1), D(2025, 5, 2))}


def test_a_day_gets_a_line_a_range_a_band_each_with_its_label_and_hover() -> None:
    fig = weekly()
    before = fig.to_json()
    notes = [
        note(1, D(2025, 1, 8), "Raised prices 8 %", author="Ann"),
        note(2, D(2025, 1, 20), "Trade show in Lyon, all hands", until=D(2025, 1, 22)),
        note(3, D(2025, 1, 9), "Close to the first"),  # 1 day of 27 after it: too close
        note(4, D(2025, 2, 3), "After the last week"),  # outside the axis
        note(5, D(2024, 12, 1), "Started before", until=D(2025, 1, 6)),  # overlaps by a day
    ]
    out = annotate(fig, notes)
    assert fig.to_json() == before  # the figure given is never changed
    shapes = [s.to_plotly_json() for s in out.layout.shapes]
    where = {"xref": "x", "yref": "y domain", "y0": 0, "y1": 1}
    line = {"type": "line", "layer": "above", **where}
    line |= {"line": {"color": "#6a1b9a", "width": 1.5, "dash": "dash"}}
    band = {"type": "rect", "layer": "below", "fillcolor": "rgba(106, 27, 154, 0.10)", **where}
    band |= {"line": {"width": 0}}
    assert shapes == [
        band | {"name": "note 5", "x0": "2025-01-06", "x1": "2025-01-06"},
        line | {"name": "note 1", "x0": "2025-01-08", "x1": "2025-01-08"},
        line | {"name": "note 3", "x0": "2025-01-09", "x1": "2025-01-09"},
        band | {"name": "note 2", "x0": "2025-01-20", "x1": "2025-01-22"},
    ]
    labels = [(a.name, a.x, a.text, a.hovertext) for a in out.layout.annotations]
    assert labels == [
        (
            "note 5",
            "2025-01-06",
            "Started before",
            "<b>2024-12-01 – 2025-01-06</b><br>Started before",
        ),
        # 2 days after the first label, of a 27-day axis (7 %): a dot, the note on hover.
        ("note 1", "2025-01-08", "●", "<b>2025-01-08</b><br>Raised prices 8 % — Ann"),
        ("note 3", "2025-01-09", "●", "<b>2025-01-09</b><br>Close to the first"),
        (
            "note 2",
            "2025-01-20",
            "Trade show in Lyon, all…",
            "<b>2025-01-20 – 2025-01-22</b><br>Trade show in Lyon, all hands",
        ),
    ]
    assert {(a.xanchor, a.yanchor, a.y, a.showarrow) for a in out.layout.annotations} == {
        ("left", "top", 1, False)
    }
    # Past three quarters of the axis (21 of 27 days on), a label ends at its line.
    late = annotate(fig, [note(6, D(2025, 1, 27), "Late"), note(7, D(2025, 1, 26), "Not yet")])
    assert [(a.name, a.xanchor) for a in late.layout.annotations] == [
        ("note 7", "left"),
        ("note 6", "right"),
    ]


def test_a_chart_without_dates_or_without_notes_in_range_is_handed_back_untouched() -> None:
    names = go.Figure(go.Bar(x=["Acme", "Beta"], y=[3, 4]))
    numbers = go.Figure(go.Scatter(x=[0.1, 0.5], y=[1, 2]))
    typed = weekly().update_xaxes(type="category")
    mixed = go.Figure(
        [go.Bar(x=["2025-01-06"], y=[1]), go.Bar(x=["Acme"], y=[2])]
    )  # one axis, not all dates: Plotly would not draw it as dates
    one = [note(1, D(2025, 1, 8), "Raised prices")]
    for fig in (names, numbers, typed, mixed):
        assert annotate(fig, one) is fig
    fig = weekly()
    assert annotate(fig, [note(1, D(2025, 6, 1), "Later")]) is fig
    assert annotate(fig, []) is fig
    assert date_axes(names) == {} and date_axes(mixed) == {}


def test_each_date_subplot_gets_its_own_and_a_sparkline_no_label() -> None:
    fig = make_subplots(rows=1, cols=2)
    fig.add_bar(x=["Acme", "Beta"], y=[1, 2], row=1, col=1)
    fig.add_scatter(
        x=np.array(["2025-01-01", "2025-01-31"], dtype="datetime64[ns]"), y=[1, 2], row=1, col=2
    )
    out = annotate(fig, [note(7, D(2025, 1, 15), "Mid month")])
    assert [(s.xref, s.yref, s.x0) for s in out.layout.shapes] == [
        ("x2", "y2 domain", "2025-01-15")
    ]
    assert [a.xref for a in out.layout.annotations] == ["x2"]

    spark = go.Figure(go.Scatter(x=[D(2025, 1, 1), D(2025, 1, 31)], y=[1, 2]))
    spark.update_layout(height=60)
    small = annotate(spark, [note(8, D(2025, 1, 10), "Too small to label")])
    assert len(small.layout.shapes) == 1 and len(small.layout.annotations) == 0


def test_note_text_is_plain_text_on_the_chart() -> None:
    hostile = '<a href="http://x">click</a> & $x^2$ &lt;b&gt;'
    assert plotly_plain(hostile) == (
        '&lt;a href="http://x"&gt;click&lt;/a&gt; &amp; &#36;x^2&#36; &amp;lt;b&amp;gt;'
    )
    assert plotly_plain("one\ntwo") == "one<br>two"
    out = annotate(weekly(), [note(1, D(2025, 1, 8), hostile, author="<i>Eve</i>")])
    label = out.layout.annotations[0]
    assert label.text == '&lt;a href="http://x"&gt;clic…'
    assert "<a" not in label.text and "<a" not in label.hovertext and "<i>" not in label.hovertext
    assert label.hovertext.endswith("&amp;lt;b&amp;gt; — &lt;i&gt;Eve&lt;/i&gt;")
    # As JSON for the browser, no tag of the note's survives either.
    spec = json.loads(pio.to_json(out))
    assert "<a href" not in json.dumps(spec["layout"]["annotations"])


def test_quarters_and_years_stand_for_their_whole_period() -> None:
    quarters = go.Figure(go.Bar(x=["2024-10-01", "2025-01-01", "2025-04-01"], y=[1, 2, 3]))
    assert date_axes(quarters) == {("x", "y"): (D(2024, 10, 1), D(2025, 6, 30))}
    years = go.Figure(go.Bar(x=[D(2023, 1, 1), D(2024, 1, 1)], y=[1, 2]))
    assert date_axes(years) == {("x", "y"): (D(2023, 1, 1), D(2024, 12, 31))}
    one = go.Figure(go.Bar(x=[D(2024, 3, 5)], y=[1]))
    assert date_axes(one) == {("x", "y"): (D(2024, 3, 5), D(2024, 3, 5))}


def test_the_figure_cache_draws_notes_after_it_once_per_figure_and_note_set() -> None:
    from ui import figure_cache

    @figure_cache.once
    def bars(n: int) -> go.Figure:
        return weekly()

    figure_cache.clear()
    fig = bars(4)
    one, two = (note(1, D(2025, 1, 8), "Raised prices"),), (note(2, D(2025, 1, 20), "Hire"),)
    first = figure_cache.noted(fig, one)
    assert figure_cache.noted(fig, one) is first  # a rerun reuses it
    assert [s.name for s in first.layout.shapes] == ["note 1"]
    other = figure_cache.noted(fig, two)
    assert other is not first and [s.name for s in other.layout.shapes] == ["note 2"]
    assert figure_cache.noted(fig, ()) is figure_cache.drawable(fig)
    assert len(fig.layout.shapes) == 0  # the kept figure is never changed
    # A figure not kept here is drawn with its notes every time.
    loose = weekly()
    assert figure_cache.noted(loose, one) is not figure_cache.noted(loose, one)
    figure_cache.clear()
    assert figure_cache.noted(bars(4), one) is not first
    figure_cache.clear()
