"""Charts for the Customer fit page: the 80/20 curves, value against burden, margins, churn,
contact recency, the ideal profile and the benchmarks. One question per chart."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.indicators.fit import QUADRANTS, Pareto
from ui import figure_cache
from ui.charts import ACCENT, BAD, CURVE_LAYOUT, FORECAST, GOOD, LAYOUT, NEUTRAL, reference_line
from ui.format import money

# Each quadrant has a colour and a marker shape, and its name in the legend: never colour alone.
QUADRANT_STYLE: dict[str, tuple[str, str]] = {
    "ideal": (GOOD, "circle"),
    "maintain": (ACCENT, "diamond"),
    "grow": (NEUTRAL, "square"),
    "fix_or_fire": (BAD, "x"),
}
GREEN_ZONE = "rgba(46, 125, 50, 0.15)"
RED_ZONE = "rgba(198, 40, 40, 0.12)"


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


@figure_cache.once
def pareto_curve(p: Pareto, title: str, noun: str, min_top4: int = 0) -> go.Figure:
    """Customers largest first (x) against their running share of the total (y), with the
    top 20 % and top 4 % read off the curve and the line every-customer-equal would give.

    The top 4 % is marked only from `min_top4` customers (the "Minimum bases" setting): on
    fewer it is one or two customers, not a share worth reading."""
    fig = go.Figure()
    if p.empty or p.points.empty:
        fig.update_layout(**LAYOUT, title=title)
        return fig
    # The Lorenz curve turned round: the biggest customers first.
    x = (1 - p.points["customer_share"].to_numpy())[::-1] * 100
    y = (1 - p.points["value_share"].to_numpy())[::-1] * 100
    fig.add_scatter(
        x=[0, 100],
        y=[0, 100],
        mode="lines",
        name="If every customer counted the same",
        line={"color": "#9e9e9e", "dash": "dot", "width": 1},
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=x,
        y=y,
        mode="lines",
        name=f"Your customers, largest first ({p.customers:,})",
        line={"color": ACCENT, "width": 3},
        hovertemplate="The top %{x:.0f}% of customers: %{y:.1f}% of " + noun + "<extra></extra>",
    )
    marks = [
        (p.k20, p.top20_share, "Top 20%", FORECAST),
        (p.k4, p.top4_share, "Top 4%", BAD),
    ]
    if p.customers < min_top4:
        marks = marks[:1]
    elif p.k4 == p.k20:  # few customers: the top 4% is the top 20%
        marks = [(p.k20, p.top20_share, "Top 20% and 4%", FORECAST)]
    for k, share, label, colour in marks:
        if share is None:
            continue
        mx = 100 * k / p.customers
        fig.add_scatter(
            x=[mx, mx, 0],
            y=[0, share * 100, share * 100],
            mode="lines",
            line={"color": colour, "dash": "dash", "width": 1.5},
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=[mx],
            y=[share * 100],
            mode="markers+text",
            marker={"color": colour, "size": 10, "symbol": "circle"},
            text=[f"{label}: {share * 100:.0f}%"],
            textposition="middle right",
            name=f"{label} ({k:,} customers): {share * 100:.1f}% of {noun}",
            hovertemplate=f"{label} ({k:,} customers): {share * 100:.1f}% of {noun}<extra></extra>",
        )
    if noun == "revenue":
        # The published references for the top 20 %'s share of revenue, marked at 20 %: the
        # 80/20 rule of thumb, and the 66 % McCarthy & Winer measured across service
        # companies ("The Pareto rule in marketing revisited", 2018: 339 firms).
        # Named by their shape in the box below (◇, □), not beside the marks: the owner's own
        # top 20 % is labelled there.
        for share, symbol, said in (
            (80, "diamond-open", "the 80/20 rule of thumb"),
            (66, "square-open", "service firms, McCarthy & Winer"),
        ):
            fig.add_scatter(
                x=[20],
                y=[share],
                mode="markers",
                marker={"color": "#333", "size": 11, "symbol": symbol, "line": {"width": 2}},
                name=f"Reference, {said}: the top 20% bring {share}%",
                showlegend=False,
                hovertemplate=f"Reference, {said}: the top 20% of customers bring {share}% of "
                "revenue<extra></extra>",
            )
        fig.add_annotation(
            text="References at the top 20%:<br>◇ 80%: the 80/20 rule of thumb<br>"
            "□ 66%: service firms (McCarthy & Winer)",
            xref="paper",
            yref="paper",
            x=0.99,
            y=0.02,
            xanchor="right",
            yanchor="bottom",
            align="left",
            showarrow=False,
            font={"size": 11, "color": "#333"},
            bgcolor="rgba(255,255,255,0.85)",
        )
    fig.update_layout(
        # Drawn in half the page, beside its twin: the legend takes two rows and more, and
        # the x axis's last label reaches past the plot (ui/chart_room.py: drawn once).
        **{**CURVE_LAYOUT, "margin": {"l": 10, "r": 22, "t": 50, "b": 146}},
        title=title,
        xaxis={"title": "Share of customers, largest first (%)", "range": [0, 100]},
        yaxis={"title": f"Share of {noun} (%)", "range": [0, 102]},
    )
    return fig


def _floor(least: float | None) -> float:
    """Where a zero is drawn on a log axis: half the smallest value above 0."""
    return float(least) / 2 if least is not None and pd.notna(least) and least > 0 else 1.0


def _short(value: float) -> str:
    """A power of ten as an axis reads it: 0.1, 1, 10, 1k, 10k, 1M."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _log_ticks(largest: float, floor: float, has_zero: bool) -> dict[str, object]:
    """Ticks at the powers of ten (and "none" at the floor, where zeros are drawn)."""
    top = max(largest, floor * 10)
    first = math.ceil(math.log10(floor * 1.5))
    vals = [10.0**k for k in range(first, math.ceil(math.log10(top)) + 1)]
    text = [_short(v) for v in vals]
    if has_zero:
        vals, text = [floor, *vals], ["none", *text]
    return {"tickvals": vals, "ticktext": text}


def _label_side(x: float, floor: float, top: float) -> str:
    """Names at the left edge read to the right, near the right edge to the left (so they
    stay inside the chart), elsewhere above the dot."""
    if x <= floor:
        return "middle right"
    if math.log10(x) > math.log10(top) - 0.25 * (math.log10(top) - math.log10(floor)):
        return "middle left"
    return "top center"


@figure_cache.once
def value_vs_burden(points: pd.DataFrame, basis: str, currency: str) -> go.Figure:
    """Each customer (`fit.quadrant_points`: every one, or the named and extreme ones and a
    sample of the rest): support burden (x) against revenue (y), both on log scales so small
    and large customers show; the median lines cut the four quadrants. The largest customers
    and the heaviest burdens are named on the chart, every customer shown on hover; the
    legend counts every customer of each group, shown or not."""
    burden_title = (
        "Support hours (last 12 months)" if basis == "hours" else "Tickets (last 12 months)"
    )
    fig = go.Figure()
    if points.empty:
        fig.update_layout(**LAYOUT, title="Value against burden")
        return fig
    first = points.iloc[0]
    x_floor, y_floor = _floor(first["least_burden"]), _floor(first["least_revenue"])
    shown = points.assign(
        x=points["burden"].where(points["burden"] > 0, x_floor),
        y=points["revenue"].where(points["revenue"] > 0, y_floor),
    )
    x_top = float(shown["x"].max())
    unit = "h" if basis == "hours" else "tickets"
    for quadrant, label in QUADRANTS.items():
        part = shown[shown["quadrant"] == quadrant]
        if part.empty:
            continue
        colour, symbol = QUADRANT_STYLE[quadrant]
        fig.add_scatter(
            x=part["x"],
            y=part["y"],
            mode="markers",
            name=f"{label} ({int(part['in_quadrant'].iloc[0]):,})",
            marker={"color": colour, "symbol": symbol, "size": 9, "line": {"width": 0.5}},
            customdata=np.stack(
                [part["customer"].astype(str), part["revenue"].round(0), part["burden"]],
                axis=-1,
            ),
            hovertemplate="<b>%{customdata[0]}</b><br>"
            + currency
            + " %{customdata[1]:,.0f}<br>%{customdata[2]:,.1f} "
            + unit
            + f"<extra>{label}</extra>",
        )
    named = shown[shown["named"]]
    if not named.empty:
        fig.add_scatter(
            x=named["x"],
            y=named["y"],
            mode="text",
            text=named["customer"].astype(str),
            textposition=[_label_side(x, x_floor, x_top) for x in named["x"]],
            textfont={"size": 10},
            customdata=named[["customer"]].astype(str).to_numpy(),
            showlegend=False,
            hoverinfo="skip",
        )
    median_x = max(float(first["median_burden"]), x_floor)
    median_y = max(float(first["median_revenue"]), y_floor)
    fig.add_vline(x=median_x, line_dash="dash", line_color="#555")
    fig.add_hline(y=median_y, line_dash="dash", line_color="#555")
    corners = (
        ("Ideal: pays well, asks little", 0.01, 0.99, "left", "top"),
        ("Maintain: pays well, asks a lot", 0.99, 0.99, "right", "top"),
        ("Grow: pays little, asks little", 0.01, 0.01, "left", "bottom"),
        ("Fix or fire: pays little, asks a lot", 0.99, 0.01, "right", "bottom"),
    )
    for text, ax, ay, xanchor, yanchor in corners:
        fig.add_annotation(
            text=f"<b>{text}</b>",
            xref="paper",
            yref="paper",
            x=ax,
            y=ay,
            xanchor=xanchor,
            yanchor=yanchor,
            showarrow=False,
            font={"size": 12, "color": "#333"},
            bgcolor="rgba(255,255,255,0.8)",
        )
    sampled = bool((points["shown"] != "all").any())
    fig.update_layout(
        **{
            **LAYOUT,
            "hovermode": "closest",
            "height": 560,
            "margin": {"l": 10, "r": 10, "t": 50, "b": 90},
        },
        title="Value against burden: "
        + ("the extremes and a sample" if sampled else "every customer")
        + ", split at the medians (dashed)",
        xaxis={
            "title": burden_title + ", log scale",
            "type": "log",
            **_log_ticks(x_top, x_floor, bool(first["no_burden"])),
        },
        yaxis={
            "title": f"Revenue, last 12 months ({currency}), log scale",
            "type": "log",
            **_log_ticks(float(shown["y"].max()), y_floor, bool(first["no_revenue"])),
        },
    )
    return fig


def quadrant_caption(points: pd.DataFrame) -> str:
    """How many customers the value-vs-burden chart shows, and which, as the start of a
    caption ("" when it shows every one)."""
    if points.empty or not (points["shown"] != "all").any():
        return ""
    total = int(points["total"].iloc[0])
    kept = int(points["kept"].iloc[0])
    return (
        f"Showing {len(points):,} of {total:,} customers: all {kept:,} at the extremes (the "
        "largest by revenue, the heaviest burdens, the first ideal customers and the first to "
        "fix or fire), and an even sample of the rest, so each group keeps its share. The "
        "legend and the table below count every customer. "
    )


@figure_cache.once
def margins(frame: pd.DataFrame, currency: str, n: int = 15) -> go.Figure:
    """The customers who cost the most more than they paid: margin bars, worst at the top."""
    worst = frame[frame["margin"] < 0].nsmallest(n, "margin")
    fig = go.Figure()
    fig.add_bar(
        y=worst["customer"].astype(str),
        x=worst["margin"],
        orientation="h",
        name="Margin (revenue − cost)",
        marker={"color": BAD, "pattern": {"shape": "/"}},
        customdata=np.stack([worst["revenue"], worst["cost"]], axis=-1)
        if not worst.empty
        else None,
        text=[money(m, currency) for m in worst["margin"]],
        textposition="auto",
        hovertemplate="<b>%{y}</b><br>Revenue "
        + currency
        + " %{customdata[0]:,.0f}, cost "
        + currency
        + " %{customdata[1]:,.0f}<br>Margin %{x:,.0f}<extra></extra>",
    )
    fig.update_layout(
        **{**LAYOUT, "hovermode": "closest", "height": max(260, 28 * len(worst) + 120)},
        title=f"Customers who cost more than they paid (the {len(worst)} worst, last 12 months)",
        xaxis_title=f"Margin ({currency})",
        showlegend=False,
    )
    fig.update_yaxes(autorange="reversed")
    return fig


@figure_cache.once
def churn_years(years: pd.DataFrame, reference: float) -> go.Figure:
    """Customers lost each year (share of the year before's customers), against the reference."""
    fig = go.Figure()
    labels = [f"to {pd.Timestamp(t):%b %Y}" for t in years["year_to"]]
    fig.add_bar(
        x=labels,
        y=years["churn"] * 100,
        name="Customers lost",
        marker_color=[BAD if c > reference else NEUTRAL for c in years["churn"]],
        text=[
            f"{c * 100:.0f}% ({int(n)} of {int(t)})"
            for c, n, t in zip(years["churn"], years["churned"], years["customers"], strict=True)
        ],
        textposition="inside",
        insidetextanchor="end",
        hovertemplate="12 months %{x}: %{y:.1f}% lost<extra></extra>",
    )
    reference_line(fig, f"Reference {reference * 100:.0f}% a year", y=reference * 100)
    top = max([reference * 100, *(years["churn"] * 100).tolist()]) * 1.25
    fig.update_layout(
        **LAYOUT,
        title="Customers lost each year (bought the year before, nothing since)",
        yaxis={"title": "% of the year before's customers", "range": [0, top]},
        showlegend=False,
    )
    return fig


@figure_cache.once
def contact_days(frame: pd.DataFrame, interval: int, currency: str, n: int = 15) -> go.Figure:
    """Top customers by days since anyone last called, emailed or met them; the interval line."""
    top = frame[frame["top20"]].copy()
    never = top["days_since"].isna()
    longest = float(top["days_since"].max()) if (~never).any() else float(interval)
    top["days"] = top["days_since"].astype(float).fillna(max(longest, interval) * 1.15)
    top = top.sort_values(["days", "revenue"], ascending=[False, False]).head(n)
    fig = go.Figure()
    fig.add_bar(
        y=top["customer"].astype(str),
        x=top["days"],
        orientation="h",
        marker={
            "color": [BAD if g else GOOD for g in top["gap"]],
            "pattern": {"shape": ["/" if g else "" for g in top["gap"]]},
        },
        text=["never contacted" if pd.isna(d) else f"{int(d)} days" for d in top["days_since"]],
        textposition="auto",
        customdata=top["revenue"],
        hovertemplate="<b>%{y}</b><br>" + currency + " %{customdata:,.0f} in the last 12 months"
        "<extra></extra>",
        name="Days since last contact",
    )
    reference_line(fig, f"{interval} days", x=interval, position="top")
    fig.update_layout(
        **{**LAYOUT, "hovermode": "closest", "height": max(260, 26 * len(top) + 120)},
        title=f"Top customers by days since the last call, email or meeting (the {len(top)} longest)",
        xaxis_title="Days since last contact (hatched red: past the interval)",
        showlegend=False,
    )
    fig.update_yaxes(autorange="reversed")
    return fig


@figure_cache.once
def lift(lifts: pd.DataFrame, min_lift: float, n: int = 12) -> go.Figure:
    """The traits most over-represented among ideal customers (lift), strongest at the top."""
    shown = lifts.head(n)
    names = [f"{a}: {v}" for a, v in zip(shown["label"], shown["value"], strict=True)]
    strong = shown["lift"] >= min_lift
    fig = go.Figure()
    fig.add_bar(
        y=names,
        x=shown["lift"],
        orientation="h",
        marker={
            "color": [GOOD if s else NEUTRAL for s in strong],
            "pattern": {"shape": ["" if s else "." for s in strong]},
        },
        text=[f"{v:.2f}×" for v in shown["lift"]],
        textposition=["inside" if s else "outside" for s in strong],
        customdata=np.stack([shown["share_ideal"] * 100, shown["share_all"] * 100], axis=-1)
        if not shown.empty
        else None,
        hovertemplate="<b>%{y}</b><br>%{customdata[0]:.0f}% of ideal customers, "
        "%{customdata[1]:.0f}% of all<extra></extra>",
        name="Lift",
    )
    for x, dash, text in (
        (1.0, "dot", "1×: as common"),
        (min_lift, "dash", f"{min_lift:g}×: stands out"),
    ):
        fig.add_vline(x=x, line_dash=dash, line_color="#333")
        fig.add_annotation(
            x=x, y=1, yref="paper", yanchor="bottom", text=text, showarrow=False, font={"size": 11}
        )
    fig.update_layout(
        **{**LAYOUT, "hovermode": "closest", "height": max(260, 28 * len(shown) + 120)},
        title="How much more common each trait is among ideal customers (lift)",
        xaxis_title="Lift (× as common among ideal customers as among all)",
        showlegend=False,
    )
    fig.update_yaxes(autorange="reversed")
    return fig


@figure_cache.once
def benchmark(
    value: float | None, green: float, red: float, higher_is_better: bool, title: str
) -> go.Figure:
    """Where a share sits against a public reference range: weak, middle and strong zones
    (named, not only coloured) and the owner's value as a marker."""
    fig = go.Figure()
    weak = (0.0, red) if higher_is_better else (red, 1.0)
    strong = (green, 1.0) if higher_is_better else (0.0, green)
    middle = (red, green) if higher_is_better else (green, red)
    zones = (
        (weak, RED_ZONE, "weak"),
        (middle, "rgba(0,0,0,0)", "between"),
        (strong, GREEN_ZONE, "strong"),
    )
    for (lo, hi), colour, label in zones:
        fig.add_vrect(x0=lo * 100, x1=hi * 100, fillcolor=colour, line_width=0)
        fig.add_annotation(
            x=(lo + hi) * 50, y=1.35, text=label, showarrow=False, font={"color": "#333"}
        )
    if value is not None and not math.isnan(value):
        fig.add_scatter(
            x=[value * 100],
            y=[1],
            mode="markers+text",
            marker={"symbol": "diamond", "size": 16, "color": "#222"},
            text=[f"You: {_pct(value)}"],
            textposition="bottom center",
            hovertemplate="You: %{x:.1f}%<extra></extra>",
            name="You",
        )
    fig.update_layout(
        **{**LAYOUT, "height": 170, "margin": {"l": 10, "r": 10, "t": 40, "b": 30}},
        title=title,
        xaxis={"range": [0, 100], "ticksuffix": "%"},
        yaxis={"visible": False, "range": [0.4, 1.6]},
        showlegend=False,
    )
    return fig
