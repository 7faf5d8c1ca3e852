"""Charts for the Sales vs tech page: discounts, estimates, presales, lost hours, tracking."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics import format as fmt
from ui import figure_cache
from ui.charts import (
    ACCENT,
    BAD,
    CELL_TEXT_MAX,
    GOOD,
    LAYOUT,
    NEUTRAL,
    cell_text,
    heatmap_height,
)

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


@figure_cache.once
def discount_by_salesperson(
    boxes: pd.DataFrame, outliers: pd.DataFrame, threshold: float, colours: dict[str, str]
) -> go.Figure:
    """Each salesperson's discounts off list as a box drawn from quartiles worked out in SQL
    (`friction.discount_boxes`), the deals beyond the whiskers as dots
    (`friction.discount_outliers`), and the deep-discount line."""
    order = [str(o) for o in boxes["owner"]]
    fig = go.Figure()
    for box in boxes.to_dict("records"):
        owner = str(box["owner"])
        colour = colours.get(owner, NEUTRAL)
        fig.add_trace(
            go.Box(
                x=[owner],
                q1=[box["q1"] * 100],
                median=[box["median"] * 100],
                q3=[box["q3"] * 100],
                lowerfence=[box["lowerfence"] * 100],
                upperfence=[box["upperfence"] * 100],
                name=owner,
                boxpoints=False,
                marker={"color": colour},
                line={"color": colour},
            )
        )
    if not outliers.empty:
        fig.add_scatter(
            x=outliers["owner"].astype(str),
            y=outliers["discount"] * 100,
            mode="markers",
            name="Beyond the whiskers",
            marker={
                "color": [colours.get(str(o), NEUTRAL) for o in outliers["owner"]],
                "size": 7,
                "line": {"width": 1, "color": "#333"},
            },
            customdata=outliers[["deal_id", "customer"]].astype(str).to_numpy(),
            hovertemplate="%{customdata[0]} (%{customdata[1]}): %{y:.1f}% off list"
            "<extra>%{x}</extra>",
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
        title="Discount off list on won deals, by salesperson (last 12 months)",
        yaxis_title="Discount off list (%)",
        showlegend=False,
    )
    fig.update_xaxes(categoryorder="array", categoryarray=order)
    fig.update_yaxes(hoverformat=".1f")
    return fig


def discount_caption(boxes: pd.DataFrame, outliers: pd.DataFrame) -> str:
    """What the boxes and dots are, and how many deals beyond the whiskers are drawn."""
    deals = int(boxes["deals"].sum())
    beyond = int(boxes["outliers"].sum())
    text = (
        f"Each box holds the middle half of a salesperson's won deals by discount (the line: "
        f"their median); the whiskers reach the furthest deal within 1.5 × the box's height. "
        f"{deals:,} won deals with a list value in all. "
    )
    if beyond == 0:
        return text + "No deal lies beyond the whiskers."
    if len(outliers) == beyond:
        return text + f"Dots: the {beyond:,} deals beyond the whiskers; hover for the deal."
    per = int(outliers["owner_rank"].max())
    return text + (
        f"Dots: {len(outliers):,} of the {beyond:,} deals beyond the whiskers, the {per} "
        "furthest of each salesperson; hover for the deal."
    )


@figure_cache.once
def estimate_vs_actual(points: pd.DataFrame, colours: dict[str, str]) -> go.Figure:
    """Delivery hours against the estimate per won deal (`friction.effort_points`: every deal,
    or the biggest overruns and a sample of the rest), on log scales so small and large jobs
    both show; above the diagonal a deal ran over, on the dotted line it took half as long
    again. The biggest overruns kept are drawn larger, with an outline."""
    fig = go.Figure()
    low = float(points["low"].iloc[0]) * 0.8
    high = float(points["high"].iloc[0]) * 1.25
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
    for owner, part in points.groupby("owner", sort=True):
        kept = part["shown"] == "overrun"
        fig.add_scatter(
            x=part["estimated_hours"],
            y=part["actual_hours"],
            mode="markers",
            name=str(owner),
            marker={
                "color": colours.get(str(owner), NEUTRAL),
                "size": (kept * 3 + 7).tolist() if kept.any() else 8,
                "opacity": 0.75,
                "line": {"width": (kept * 1.5).tolist(), "color": "#333"}
                if kept.any()
                else {"width": 0},
            },
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


def effort_caption(points: pd.DataFrame) -> str:
    """How many deals the estimated-vs-actual chart shows, and which."""
    total = int(points["total"].iloc[0]) if not points.empty else 0
    if points.empty or not (points["shown"] != "all").any():
        return (
            f"Each dot is a won deal ({total:,}): above the dashed line it took more hours "
            "than estimated."
        )
    overruns = int(points["overruns"].iloc[0])
    return (
        f"Showing {len(points):,} of {total:,} deals: all {overruns:,} biggest overruns (the "
        f"largest in hours over the estimate and in share of it, drawn larger and outlined), "
        "and an even sample of the rest. Above the dashed line a deal took more hours than "
        "estimated; the table below counts every deal."
    )


@figure_cache.once
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
    panels = (
        (
            "Win rate",
            rates,
            [
                "n/a" if pd.isna(r) else f"{r:.0f}% ({c})"
                for r, c in zip(rates, counts, strict=True)
            ],
            "%{x}: %{y:.1f}% won<extra></extra>",
        ),
        (
            "Days to close",
            days,
            ["n/a" if pd.isna(d) else f"{d:.0f} days" for d in days],
            "%{x}: %{y:.0f} days<extra></extra>",
        ),
    )
    for col, (name, values, text, hover) in enumerate(panels, 1):
        fig.add_bar(
            x=labels,
            y=values,
            marker_color=colours,
            text=text,
            textposition="auto",
            name=name,
            hovertemplate=hover,
            row=1,
            col=col,
        )
    fig.update_layout(
        **{**LAYOUT, "height": 320, "hovermode": "closest"},
        title="Deals closed in the last 12 months: with vs without technical presales",
        showlegend=False,
    )
    return fig


@figure_cache.once
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


@figure_cache.once
def coverage_heatmap(weeks: pd.DataFrame, capacity: float) -> go.Figure:
    """Hours logged per person per week (`friction.coverage_top_people`: the people with the
    most hours missing first, at the top); colour = share of capacity. Each cell shows its
    hours while the grid is small (CELL_TEXT_MAX cells), else on hover only."""
    grid = weeks.pivot(index="person", columns="week_start", values="hours")
    if "rank" in weeks:
        order = weeks.drop_duplicates("person").sort_values("rank")["person"]
        grid = grid.reindex(order)
    share = grid / capacity * 100 if capacity > 0 else grid * float("nan")
    text = cell_text(grid) if grid.size <= CELL_TEXT_MAX else None
    fig = go.Figure(
        go.Heatmap(
            z=share.clip(upper=150).to_numpy(dtype="float32"),
            x=[fmt.day(pd.Timestamp(c).date()) for c in grid.columns],
            y=[str(p) for p in grid.index],
            customdata=grid.to_numpy(dtype="float32"),
            text=text,
            texttemplate="%{text}" if text is not None else None,
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
            hovertemplate="%{y}, week of %{x}: %{customdata:.1f} h<extra></extra>",
            xgap=1,
            ygap=1 if len(grid) <= 60 else 0,
        )
    )
    fig.update_layout(
        **{**LAYOUT, "height": heatmap_height(len(grid)), "hovermode": "closest"},
        title=f"Hours logged per person per week against {capacity:g} h (red: hours missing; "
        "blue: over capacity; blank: before their first entry)",
    )
    fig.update_yaxes(autorange="reversed")
    return fig


@figure_cache.once
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


@figure_cache.once
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
