"""The cash calendar: expected cash in for each of the coming weeks by source (open invoices
due, won deals not yet invoiced, recurring billing expected) against the weekly costs, the weeks that fall short marked
with a sign and a word (not by colour alone); and days sales outstanding month by month.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui import figure_cache
from ui.charts import ACCENT, BAD, FORECAST, LAYOUT, NEUTRAL, line, reference_line, shade_holes

HOLE_MARK = "⚠ gap"


@figure_cache.once
def cash_calendar(weeks: pd.DataFrame, costs: float, currency: str) -> go.Figure:
    """Stacked bars of the cash expected in each week (invoices due, won deals, recurring
    billing not yet invoiced), the weekly
    costs as a line, and each week under it shaded and labelled "⚠ gap"."""
    fig = go.Figure()
    x = weeks["week_start"]
    for column, name, colour, pattern in (
        ("from_invoices", "Open invoices due (at each customer's usual lateness)", ACCENT, ""),
        ("from_deals", "Won deals not yet invoiced", FORECAST, "/"),
        ("from_recurring", "Recurring billing, expected", NEUTRAL, "."),
    ):
        fig.add_bar(
            x=x,
            y=weeks[column],
            name=name,
            marker_color=colour,
            marker_pattern_shape=pattern,
            hovertemplate="Week of %{x|%d %b %Y}: %{y:,.0f} "
            + currency
            + "<extra>"
            + name
            + "</extra>",
        )
    line(
        fig,
        x,
        [costs] * len(weeks),
        f"Weekly costs ({costs:,.0f} {currency})",
        BAD,
        dash="dash",
        hover="Weekly costs: %{y:,.0f} " + currency + "<extra></extra>",
    )
    holes = weeks[weeks["expected"] < costs]
    for start, expected in zip(holes["week_start"], holes["expected"], strict=True):
        fig.add_annotation(
            x=start, y=max(float(expected), 0), text=HOLE_MARK, showarrow=False, yshift=12
        )
    shade_holes(
        fig,
        holes["week_start"],
        pd.Timedelta(days=3.5),
        f"{HOLE_MARK}: less cash expected than the weekly costs",
    )
    fig.update_layout(
        **LAYOUT,
        title=f"Cash expected in, week by week ({currency})",
        yaxis_title=currency,
        barmode="stack",
    )
    return fig


@figure_cache.once
def dso_months(history: pd.DataFrame, green: float, red: float) -> go.Figure:
    """Days sales outstanding at each month end (and on the day), with the two thresholds."""
    known = history.dropna(subset=["dso"])
    fig = go.Figure()
    line(
        fig,
        known["day"],
        known["dso"],
        "Days sales outstanding",
        NEUTRAL,
        hover="%{x|%d %b %Y}: %{y:,.0f} days<extra></extra>",
    )
    reference_line(fig, f"Green up to {green:g} days", y=green)
    reference_line(fig, f"Red over {red:g} days", y=red)
    fig.update_layout(**LAYOUT, title="Days sales outstanding, month by month", yaxis_title="days")
    return fig
