"""Charts for the Sales vs tech page: discounts, estimates, presales, lost hours, tracking."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics import format as fmt
from ui.charts import ACCENT, BAD, GOOD, LAYOUT, NEUTRAL

# One colour per salesperson, the same in every chart on the page (Plotly's default palette).
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def owner_colours(owners: list[str]) -> dict[str, str]:
    """A stable colour per salesperson (alphabetical order, so filters do not repaint)."""
    return {o: PALETTE[i % len(PALETTE)] for i, o in enumerate(sorted(owners))}


def discount_by_salesperson(
    deals: pd.DataFrame, threshold: float, colours: dict[str, str]
) -> go.Figure:
    """Each won deal's discount off list, one box of points per salesperson, and the line."""
    priced = deals.dropna(subset=["discount"])
    order = priced.groupby("owner")["discount"].median().sort_values(ascending=False).index.tolist()
    fig = go.Figure()
    for owner in order:
        part = priced[priced["owner"] == owner]
        fig.add_box(
            x=[owner] * len(part),
            y=part["discount"] * 100,
            name=owner,
            boxpoints="all",
            jitter=0.4,
            pointpos=0,
            marker={"color": colours.get(owner, NEUTRAL), "size": 6, "opacity": 0.7},
            line={"color": colours.get(owner, NEUTRAL)},
            customdata=part[["deal_id", "customer"]].astype(str).to_numpy(),
            hovertemplate="%{customdata[0]} (%{customdata[1]}): %{y:.1f}% off list"
            + f"<extra>{owner}</extra>",
        )
    fig.add_hline(
        y=threshold * 100,
        line_dash="dash",
        line_color=BAD,
        annotation_text=f"Deep discount: over {threshold * 100:g}%",
        annotation_position="top right",
    )
    fig.update_layout(
        **{**LAYOUT, "hovermode": "closest"},
        title="Discount off list on each won deal, by salesperson (last 12 months)",
        yaxis_title="Discount off list (%)",
        showlegend=False,
    )
    return fig


def estimate_vs_actual(deals: pd.DataFrame, colours: dict[str, str]) -> go.Figure:
    """Delivery hours against the estimate per won deal, on log scales so small and large jobs
    both show; above the diagonal a deal ran over, on the dotted line it took half as long
    again."""
    fig = go.Figure()
    low = float(min(deals["estimated_hours"].min(), deals["actual_hours"].min())) * 0.8
    high = float(max(deals["estimated_hours"].max(), deals["actual_hours"].max())) * 1.25
    fig.add_scatter(
        x=[low, high],
        y=[low, high],
        mode="lines",
        line={"color": "#333", "dash": "dash"},
        name="Took what was estimated",
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=[low, high / 1.5],
        y=[low * 1.5, high],
        mode="lines",
        line={"color": BAD, "dash": "dot", "width": 1},
        name="Half as long again (+50%)",
        hoverinfo="skip",
    )
    for owner, part in deals.groupby("owner", sort=True):
        fig.add_scatter(
            x=part["estimated_hours"],
            y=part["actual_hours"],
            mode="markers",
            name=str(owner),
            marker={"color": colours.get(str(owner), NEUTRAL), "size": 8, "opacity": 0.75},
            customdata=part[["deal_id", "customer"]].astype(str).to_numpy(),
            hovertemplate="%{customdata[0]} (%{customdata[1]}): estimated %{x:.1f} h, "
            "took %{y:.1f} h" + f"<extra>{owner}</extra>",
        )
    fig.update_layout(
        **{
            **LAYOUT,
            "hovermode": "closest",
            "height": 500,
            "legend": {"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0},
        },
        title="Estimated vs actual delivery hours per won deal (above the dashed line: ran over)",
        xaxis_title="Estimated hours (log scale)",
        yaxis_title="Hours logged (log scale)",
    )
    fig.update_xaxes(type="log")
    fig.update_yaxes(type="log")
    return fig


def presales_effect(groups: pd.DataFrame) -> go.Figure:
    """Win rate and days to close, with vs without technical presales, side by side."""
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("Win rate (%)", "Median days from created to closed")
    )
    colours = [ACCENT, NEUTRAL]
    labels = groups["group"].tolist()
    rates = (groups["win_rate"] * 100).tolist()
    days = groups["median_cycle_days"].tolist()
    counts = [f"{int(w)} of {int(n)}" for w, n in zip(groups["won"], groups["deals"], strict=True)]
    fig.add_bar(
        x=labels,
        y=rates,
        marker_color=colours,
        text=[
            "n/a" if pd.isna(r) else f"{r:.0f}% ({c})" for r, c in zip(rates, counts, strict=True)
        ],
        textposition="auto",
        name="Win rate",
        hovertemplate="%{x}: %{y:.1f}% won<extra></extra>",
        row=1,
        col=1,
    )
    fig.add_bar(
        x=labels,
        y=days,
        marker_color=colours,
        text=["n/a" if pd.isna(d) else f"{d:.0f} days" for d in days],
        textposition="auto",
        name="Days to close",
        hovertemplate="%{x}: %{y:.0f} days<extra></extra>",
        row=1,
        col=2,
    )
    fig.update_layout(
        **{**LAYOUT, "height": 320, "hovermode": "closest"},
        title="Deals closed in the last 12 months: with vs without technical presales",
        showlegend=False,
    )
    return fig


def lost_hours_by_salesperson(lost: pd.DataFrame, colours: dict[str, str]) -> go.Figure:
    """Hours sunk in lost deals per salesperson, with how many deals they were."""
    per = (
        lost.groupby("owner", as_index=False)
        .agg(hours=("pursuit_hours", "sum"), deals=("deal_id", "size"))
        .sort_values("hours")
    )
    fig = go.Figure()
    fig.add_bar(
        y=per["owner"],
        x=per["hours"],
        orientation="h",
        marker_color=[colours.get(o, NEUTRAL) for o in per["owner"]],
        text=[f"{h:,.1f} h in {n} deals" for h, n in zip(per["hours"], per["deals"], strict=True)],
        textposition="auto",
        hovertemplate="%{y}: %{x:,.1f} h<extra></extra>",
        name="Hours",
    )
    fig.update_layout(
        **{**LAYOUT, "height": max(220, 40 * len(per) + 120), "hovermode": "closest"},
        title="Hours sunk in deals lost in the last 12 months, by salesperson",
        xaxis_title="Hours",
        showlegend=False,
    )
    return fig


def coverage_heatmap(weeks: pd.DataFrame, capacity: float) -> go.Figure:
    """Hours logged per person per week; colour = share of capacity, each cell shows hours."""
    grid = weeks.pivot(index="person", columns="week_start", values="hours")
    share = grid / capacity * 100 if capacity > 0 else grid * float("nan")
    text = grid.map(lambda h: "" if pd.isna(h) else f"{h:.0f}")
    fig = go.Figure(
        go.Heatmap(
            z=share.clip(upper=150).to_numpy(),
            x=[fmt.day(pd.Timestamp(c).date()) for c in grid.columns],
            y=[str(p) for p in grid.index],
            text=text.to_numpy(),
            texttemplate="%{text}",
            # red where hours are missing, white around a full week, blue above capacity
            colorscale=[
                [0, BAD],
                [0.4, "#ffe0b2"],
                [0.57, "#ffffff"],
                [0.67, "#ffffff"],
                [1, "#64b5f6"],
            ],
            zmin=0,
            zmax=150,
            colorbar={"title": "% of capacity"},
            hovertemplate="%{y}, week of %{x}: %{text} h<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    fig.update_layout(
        **{**LAYOUT, "height": max(260, 28 * len(grid) + 140), "hovermode": "closest"},
        title=f"Hours logged per person per week against {capacity:g} h (red: hours missing; "
        "blue: over capacity; blank: before their first entry)",
    )
    fig.update_yaxes(autorange="reversed")
    return fig


def improvement_by_person(people: pd.DataFrame, target: float) -> go.Figure:
    """Each person's share of logged hours spent improving the business, against the target."""
    shown = people.sort_values("improvement_share")
    fig = go.Figure()
    fig.add_bar(
        y=shown["person"],
        x=shown["improvement_share"] * 100,
        orientation="h",
        marker_color=[GOOD if s >= target else NEUTRAL for s in shown["improvement_share"]],
        text=[
            f"{s * 100:.1f}% ({h:,.0f} h)"
            for s, h in zip(shown["improvement_share"], shown["improvement_hours"], strict=True)
        ],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        name="Improvement share",
    )
    fig.add_vline(x=target * 100, line_dash="dash", line_color="#333")
    top = max(float(shown["improvement_share"].max()), target) * 100 * 1.3
    fig.update_xaxes(range=[0, top])
    fig.update_layout(
        **{**LAYOUT, "height": max(240, 26 * len(shown) + 120), "hovermode": "closest"},
        title=f"Share of each person's logged hours spent improving the business, 12 months "
        f"(dashed: the {target * 100:g}% target)",
        xaxis_title="% of logged hours",
        showlegend=False,
    )
    return fig


def benchmark_bullet(
    value: float, low: float, high: float, *, title: str, suffix: str = "", prefix: str = ""
) -> go.Figure:
    """One figure against its reference range (shaded), as a bullet gauge."""
    top = max(value, high) * 1.3
    fig = go.Figure(
        go.Indicator(
            mode="number+gauge",
            value=value,
            number={"prefix": prefix, "suffix": suffix, "valueformat": ",.0f"},
            gauge={
                "shape": "bullet",
                "axis": {"range": [0, top]},
                "bar": {"color": ACCENT, "thickness": 0.4},
                "steps": [{"range": [low, high], "color": "#c8e6c9"}],
            },
            domain={"x": [0, 1], "y": [0.15, 0.75]},
        )
    )
    fig.update_layout(
        height=170,
        margin={"l": 20, "r": 20, "t": 40, "b": 10},
        title={"text": title, "font": {"size": 13}},
    )
    return fig
