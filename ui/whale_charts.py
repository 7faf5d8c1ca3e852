"""The profit whale curve: customers ranked by profit after the cost to serve them (most
profitable first) against the running total of profit as a share of the whole, the 100 %
line, the peak marked and the loss-making tail shaded.

The curve is thinned to at most `WHALE_POINTS` points, the origin, the first customer, the
peak and the last customer kept exactly, so a business of thousands of customers draws (and
freezes in a snapshot) a few hundred points, not one per customer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui import figure_cache
from ui.charts import ACCENT, BAD, CURVE_LAYOUT, LAYOUT, reference_line

# The most points a whale curve keeps (the origin included).
WHALE_POINTS = 500
TAIL_ZONE = "rgba(198, 40, 40, 0.10)"
POINT_COLUMNS = ["rank", "customer", "profit", "cumulative_share"]


def whale_points(frame: pd.DataFrame, max_points: int = WHALE_POINTS) -> pd.DataFrame:
    """The curve's points from a `fit.whale_frame` (ranked, with cumulative_share): rank,
    customer, profit, cumulative_share, starting at the origin (rank 0, share 0). With more
    customers than fit, evenly spaced ranks and always the first, the peak (the first rank
    where the running total is highest) and the last: at most `max_points` rows."""
    if frame.empty or frame["cumulative_share"].isna().all():
        return pd.DataFrame(columns=POINT_COLUMNS)
    ordered = frame.sort_values("rank")
    n = len(ordered)
    peak = int(ordered["peak_rank"].iloc[0]) - 1  # its position
    keep = np.arange(n)
    if n > max_points - 1:  # one point is the origin
        # the first and the last are spaced ranks; the peak may add one more
        spread = np.linspace(0, n - 1, max_points - 2).round().astype(int)
        keep = np.unique(np.concatenate([spread, [peak]]))
    picked = ordered.iloc[keep][POINT_COLUMNS]
    origin = pd.DataFrame(
        {"rank": [0], "customer": ["(none yet)"], "profit": [0.0], "cumulative_share": [0.0]}
    )
    return pd.concat([origin, picked], ignore_index=True)


@figure_cache.once
def whale_curve(
    points: pd.DataFrame,
    customers: int,
    peak_rank: int,
    peak_share: float,
    loss_making: int,
    currency: str,
) -> go.Figure:
    """The running total of profit (% of the whole) as customers are added, most profitable
    first; the 100 % line is the business's whole profit, the marked peak how much the
    profitable customers earn, the shaded tail the customers who give part of it away."""
    fig = go.Figure()
    title = "The profit whale: running total of profit, most profitable customer first"
    if points.empty:
        fig.update_layout(**LAYOUT, title=title)
        return fig
    fig.add_scatter(
        x=points["rank"],
        y=points["cumulative_share"] * 100,
        mode="lines",
        name=f"Your customers, most profitable first ({customers:,})",
        line={"color": ACCENT, "width": 3},
        # objects, so the profit stays a number in the figure's JSON
        customdata=points[["customer", "profit"]].to_numpy(dtype=object),
        hovertemplate="<b>%{customdata[0]}</b> (no. %{x:,})<br>Profit "
        + currency
        + " %{customdata[1]:,.0f}<br>Running total: %{y:.1f}% of your profit<extra></extra>",
    )
    if loss_making:
        first_loser = customers - loss_making + 1
        fig.add_vrect(
            x0=first_loser - 0.5,
            x1=customers,
            fillcolor=TAIL_ZONE,
            line_width=0,
            annotation_text=f"The tail: {loss_making:,} cost more than they pay",
            annotation_position="bottom right",
        )
    reference_line(fig, "100%: your whole profit", y=100, position="bottom right")
    fig.add_scatter(
        x=[peak_rank],
        y=[peak_share * 100],
        mode="markers+text",
        marker={"color": BAD if loss_making else ACCENT, "size": 12, "symbol": "diamond"},
        text=[f"Peak: {peak_share * 100:.0f}% from {peak_rank:,} customers"],
        textposition="top center",
        name=f"Peak: the top {peak_rank:,} earn {peak_share * 100:.1f}% of your profit",
        hovertemplate=f"The top {peak_rank:,} customers earn {peak_share * 100:.1f}% of your "
        "profit<extra></extra>",
    )
    low = min(0.0, float(points["cumulative_share"].min()) * 100)
    fig.update_layout(
        **CURVE_LAYOUT,
        title=title,
        xaxis={"title": "Customers, most profitable first", "range": [0, customers]},
        yaxis={
            "title": "Running total of profit (% of your whole profit)",
            "range": [low - 2, max(peak_share * 100, 100) * 1.12],
        },
    )
    return fig
