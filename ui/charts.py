"""Plotly chart builders: one clear chart per question, readable at a glance and in grey."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from analytics import figures
from analytics import format as fmt
from ui import figure_cache, plotly_theme

plotly_theme.use()  # plotly_white as Plotly's default: no builder below names a template

# Colours carry meaning, but never alone: every series has a name in the legend or a label.
GOOD = "#2e7d32"
BAD = "#c62828"
NEUTRAL = "#607d8b"
ACCENT = "#1565c0"
FORECAST = "#ef6c00"
HOLE = "rgba(198, 40, 40, 0.12)"

# No "template" here: naming one costs every figure a copy of it (see ui/plotly_theme.py).
LAYOUT = {
    "height": 360,
    "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
    # Legend under the plot: above it, it collides with the title.
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
    "hovermode": "x unified",
}
# Running-share curves over customers (80/20, profit whale): taller, hover on the point, and
# room under the axis title for the legend.
CURVE_LAYOUT = {
    **LAYOUT,
    "hovermode": "closest",
    "height": 430,
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
    "margin": {"l": 10, "r": 10, "t": 50, "b": 90},
}


@figure_cache.once
def prospecting_weeks(weeks: pd.DataFrame, target: float, *, show_weeks: int = 52) -> go.Figure:
    """Weekly prospecting hours: met weeks and missed weeks, the target line, the longest gap."""
    recent = weeks.tail(show_weeks)
    fig = go.Figure()
    for met, name, colour in ((True, "Target met", GOOD), (False, "Target missed", BAD)):
        part = recent[recent["met"] == met]
        fig.add_bar(
            x=part["week_start"],
            y=part["hours"],
            name=name,
            marker_color=colour,
            marker_pattern_shape="" if met else "/",
            hovertemplate="Week of %{x|%d %b %Y}: %{y:.1f} h<extra>" + name + "</extra>",
        )
    reference_line(fig, f"Target {target:g} h", y=target)
    # Shade the longest run of missed weeks shown.
    missed = ~recent["met"].astype(bool)
    runs = (missed != missed.shift()).cumsum()[missed]
    if not runs.empty:
        longest = runs.value_counts().idxmax()
        span = recent.loc[runs[runs == longest].index, "week_start"]
        if len(span) >= 2:
            fig.add_vrect(
                x0=span.iloc[0] - timedelta(days=3),
                x1=span.iloc[-1] + timedelta(days=3),
                fillcolor=HOLE,
                line_width=0,
                annotation_text=f"Gap: {len(span)} weeks",
                annotation_position="top left",
            )
    fig.update_layout(
        **LAYOUT, barmode="overlay", yaxis_title="Hours", title="Prospecting hours per week"
    )
    return fig


@figure_cache.once
def bookings_vs_revenue(months: pd.DataFrame, lag: int, currency: str) -> go.Figure:
    """Won value per month beside revenue, the bookings pushed forward by the lag, holes shaded."""
    fig = go.Figure()
    past = months[~months["future"]]
    fig.add_bar(
        x=past["month"],
        y=past["won_value"],
        name="Won in the month",
        marker_color=NEUTRAL,
        hovertemplate="%{x|%b %Y}: %{y:,.0f} won<extra></extra>",
    )
    line(
        fig,
        past["month"],
        past["revenue"],
        "Invoiced",
        ACCENT,
        hover="%{x|%b %Y}: %{y:,.0f} invoiced<extra></extra>",
    )
    line(
        fig,
        months["month"],
        months["expected_from_bookings"],
        f"Expected from bookings ({lag}-month lag)",
        FORECAST,
        dash="dot",
        hover="%{x|%b %Y}: %{y:,.0f} expected<extra></extra>",
    )
    holes = months[months["cash_hole"]]
    shade_holes(fig, holes["month"], timedelta(days=14), "Hole: bookings fell short earlier")
    fig.update_layout(
        **LAYOUT,
        title=f"Bookings vs revenue ({currency})",
        yaxis_title=currency,
        barmode="overlay",
    )
    return fig


@figure_cache.once
def weekly_counts(weeks: pd.DataFrame, column: str, title: str, unit: str) -> go.Figure:
    mean = float(weeks[column].mean()) if len(weeks) else 0.0
    fig = go.Figure()
    fig.add_bar(x=weeks["week_start"], y=weeks[column], name=unit.capitalize(), marker_color=ACCENT)
    fig.add_hline(
        y=mean,
        line_dash="dash",
        annotation_text=f"Average {mean:.1f}",
        annotation_position="top left",
    )
    fig.update_layout(**LAYOUT, title=title, yaxis_title=unit)
    return fig


def reference_line(
    fig: go.Figure,
    text: str,
    *,
    x: float | None = None,
    y: float | None = None,
    position: str = "top left",
) -> None:
    """A dashed dark line a figure is read against (a target, a reference, an interval),
    labelled `text`: horizontal at `y`, else vertical at `x`."""
    style = {
        "line_dash": "dash",
        "line_color": "#333",
        "annotation_text": text,
        "annotation_position": position,
    }
    if y is not None:
        fig.add_hline(y=y, **style)
    else:
        fig.add_vline(x=x, **style)


def line(
    fig: go.Figure, x: Any, y: Any, name: str, color: str, *, dash: str = "", hover: str = ""
) -> None:
    """A line trace in the house style: a measured series solid, 3 px, a marker on each
    point; a goal, a cost or a forecast `dash`ed ("dash", "dot"), 2 px, no markers. `hover`:
    its hovertemplate (none: Plotly's own)."""
    fig.add_scatter(
        x=x,
        y=y,
        name=name,
        mode="lines" if dash else "lines+markers",
        line={"color": color, "dash": dash, "width": 2} if dash else {"color": color, "width": 3},
        hovertemplate=hover or None,
    )


def shade_holes(fig: go.Figure, centres: Iterable[Any], half_width: Any, name: str) -> None:
    """A red band across each of `centres` (from `half_width` before to `half_width` after),
    named once in the legend as `name`, so the band is named, not just coloured."""
    centres = list(centres)
    for centre in centres:
        fig.add_vrect(x0=centre - half_width, x1=centre + half_width, fillcolor=HOLE, line_width=0)
    if centres:
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=name,
            marker={"color": HOLE, "size": 14, "symbol": "square"},
        )


# Heatmaps of people: how many people they show unless asked for all, the most cells that
# still carry their number, and how tall a row is drawn.
TOP_PEOPLE = 25
CELL_TEXT_MAX = 200
ROW_PX = 28
HEATMAP_MAX_PX = 2400


def heatmap_height(rows: int) -> int:
    """A heatmap's height for `rows` people: 28 px a row up to 30 rows, then shrinking so a
    long list stays within 2,400 px (names are thinned on the axis, every one on hover)."""
    if rows <= 30:
        return max(240, ROW_PX * rows + 140)
    return min(HEATMAP_MAX_PX, 14 * rows + 140)


def cell_text(grid: pd.DataFrame) -> object:
    """Each cell's number, rounded (blank where there is none), for a small heatmap."""
    return grid.round(0).astype("Int64").astype("string").fillna("").to_numpy()


@figure_cache.once
def workload_heatmap(weeks: pd.DataFrame, low: float, high: float) -> go.Figure:
    """Hours per person per week (`pace.workload_top_people`: the people with the most weeks
    outside the band first, at the top); the band is in the title. Each cell shows its number
    while the grid is small (CELL_TEXT_MAX cells), else on hover only."""
    grid = weeks.pivot(index="person", columns="week_start", values="hours")
    if "rank" in weeks:
        order = weeks.drop_duplicates("person").sort_values("rank")["person"]
        grid = grid.reindex(order)
    text = cell_text(grid) if grid.size <= CELL_TEXT_MAX else None
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(dtype="float32"),
            x=[fmt.day(pd.Timestamp(c).date()) for c in grid.columns],
            y=[str(p) for p in grid.index],
            text=text,
            texttemplate="%{text}" if text is not None else None,
            colorscale=[[0, "#e3f2fd"], [0.5, "#fff3e0"], [1, "#c62828"]],
            zmin=0,
            zmax=max(high * 1.5, float(grid.max().max() or 0)),
            colorbar={"title": "Hours"},
            hovertemplate="%{y}, week of %{x}: %{z:.1f} h<extra></extra>",
        )
    )
    fig.update_layout(
        **{**LAYOUT, "height": heatmap_height(len(grid)), "hovermode": "closest"},
        title=f"Hours per person per week (sustainable: {low:g}–{high:g} h)",
    )
    fig.update_yaxes(autorange="reversed")
    return fig


def people_caption(rows: pd.DataFrame, figure: str) -> str:
    """Which people a heatmap of `*_top_people` rows shows: everyone, or the few with the
    most of `figure` (e.g. "the most hours missing"), those at the top."""
    people = int(rows["people"].iloc[0]) if not rows.empty else 0
    shown = int(rows["person"].nunique()) if not rows.empty else 0
    if shown >= people:
        return f"All {people:,} people, those with {figure} at the top."
    return (
        f"The {shown:,} of {people:,} people with {figure}, the most at the top. "
        f"Switch on “Show all {people:,} people” to see everyone."
    )


def sparkline_points(series: pd.Series) -> list[float]:
    """A sparkline as plain numbers (for a table's line-chart column)."""
    return [float(v) for v in series.fillna(0).tolist()]


@figure_cache.once
def rank_changes(rows: pd.DataFrame, name: str, title: str) -> go.Figure:
    """Biggest fallers and risers: lifetime rank → recent rank."""
    fig = go.Figure()
    if rows.empty:
        return fig
    labels = rows[name].astype(str)
    fig.add_bar(
        y=labels,
        x=rows["rank_change"],
        orientation="h",
        marker_color=[GOOD if v > 0 else BAD for v in rows["rank_change"]],
        text=[f"{'▲' if v > 0 else '▼'} {abs(int(v))}" for v in rows["rank_change"]],
        textposition="auto",
        hovertemplate="%{y}: %{x:+d} places<extra></extra>",
        name="Places moved",
    )
    fig.update_layout(
        **{**LAYOUT, "height": max(220, 34 * len(rows) + 100)},
        title=title,
        xaxis_title="Places moved (recent vs lifetime rank)",
    )
    fig.update_yaxes(autorange="reversed")
    return fig


def _per_segment(
    add: Callable[..., object], periods: pd.DataFrame, y: str, hover: str, **style: Any
) -> None:
    """One trace a segment (`add`: the figure's add_scatter or add_bar) of `y` per
    period_start, named by the segment, its hover `hover` after the segment's name."""
    for segment, part in periods.groupby("segment", sort=False):
        add(
            x=part["period_start"],
            y=part[y],
            name=str(segment),
            **style,
            hovertemplate=f"{segment}: " + hover,
        )


@figure_cache.once
def segment_revenue(periods: pd.DataFrame, currency: str, grain: str) -> go.Figure:
    """Revenue per segment per period, stacked: how each niche's part of the whole moves."""
    fig = go.Figure()
    hover = "%{y:,.0f}<extra>%{x|%b %Y}</extra>"
    _per_segment(fig.add_scatter, periods, "revenue", hover, mode="lines", stackgroup="one")
    fig.update_layout(
        **LAYOUT, title=f"Revenue by segment per {grain} ({currency})", yaxis_title=currency
    )
    return fig


@figure_cache.once
def new_customers(periods: pd.DataFrame, grain: str) -> go.Figure:
    """New customers per segment per period, side by side."""
    fig = go.Figure()
    _per_segment(fig.add_bar, periods, "new_customers", "%{y} new<extra>%{x|%b %Y}</extra>")
    fig.update_layout(
        **LAYOUT, barmode="group", title=f"New customers per {grain}", yaxis_title="Customers"
    )
    return fig


@figure_cache.once
def growth_vs_share(segments: pd.DataFrame, currency: str) -> go.Figure:
    """Each segment: share of revenue (x) against growth (y), bubble size = revenue, named."""
    shown = segments.dropna(subset=["growth"])
    fig = go.Figure()
    if shown.empty:
        return fig
    size = shown["revenue"].clip(lower=0)
    fig.add_scatter(
        x=shown["share"] * 100,
        y=shown["growth"] * 100,
        mode="markers+text",
        text=shown["segment"].astype(str),
        textposition="top center",
        marker={
            "size": size,
            "sizemode": "area",
            "sizeref": 2.0 * float(size.max() or 1) / (60.0**2),
            "sizemin": 6,
            "color": [GOOD if g >= 0 else BAD for g in shown["growth"]],
            "line": {"width": 1, "color": "#333"},
        },
        customdata=shown["revenue"],
        hovertemplate="%{text}: %{x:.1f}% of revenue, growth %{y:+.1f}%, "
        + currency
        + " %{customdata:,.0f}<extra></extra>",
        name="Segments",
    )
    fig.add_hline(y=0, line_color="#999")
    fig.update_layout(
        **{**LAYOUT, "hovermode": "closest"},
        title="Growth vs share (last 12 months vs the 12 before; bubble = revenue)",
        xaxis_title="Share of revenue (%)",
        yaxis_title="Growth (%)",
        showlegend=False,
    )
    return fig


@figure_cache.once
def concentration(table: pd.DataFrame) -> go.Figure:
    """Segments by share, largest first, with the running total and the 80% line."""
    fig = go.Figure()
    fig.add_bar(
        x=table["segment"].astype(str),
        y=table["share"] * 100,
        name="Share of revenue",
        marker_color=[ACCENT if inside else NEUTRAL for inside in table["in_80"]],
        hovertemplate="%{x}: %{y:.1f}%<extra></extra>",
    )
    fig.add_scatter(
        x=table["segment"].astype(str),
        y=table["cumulative_share"] * 100,
        name="Running total",
        mode="lines+markers",
        line={"color": FORECAST},
        hovertemplate="Up to %{x}: %{y:.1f}%<extra></extra>",
    )
    fig.add_hline(
        y=80, line_dash="dash", annotation_text="80% of revenue", annotation_position="top left"
    )
    fig.update_layout(
        **LAYOUT, title="Where the last 12 months' revenue comes from", yaxis_title="%"
    )
    return fig


def sparkline(series: pd.Series, name: str) -> go.Figure:
    """A tiny trend line with no axes (drawn in analytics, so snapshots share it)."""
    return figures.sparkline(series, name)
