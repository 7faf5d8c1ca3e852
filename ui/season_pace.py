"""Season pace on the Scoreboard: per measurable, the actual since the season start against
the goal to date (the sum of each elapsed week's goal in force), as a table, a measurable
picker, the status in icon and word, the chart when asked for, and what to do next."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import format as fmt
from analytics import scorecard
from analytics.scorecard import Pace
from ui import capture, charts, figure_cache
from ui import store as ui_store
from ui.format import plain
from ui.scoreboard import weekly


def status(p: Pace) -> str:
    """The pace in icon and word: the colour is never the only sign."""
    if p.on_pace:
        return "✅ On pace"
    return "🔻 Behind" if p.higher_is_better else "🔺 Over the allowance"


def summary(paces: dict[str, Pace], currency: str) -> pd.DataFrame:
    """One row per measurable: actual, goal to date, the gap, the share of the goal, status."""
    return pd.DataFrame(
        [
            {
                "Measurable": p.label,
                "Since the season start": scorecard.cell_text(p.unit, p.actual, currency),
                "Goal to date": scorecard.cell_text(p.unit, p.goal_to_date, currency),
                "Ahead (+) / behind (−)": (
                    ("+" if p.gap >= 0 else "−") + scorecard.cell_text(p.unit, abs(p.gap), currency)
                ),
                "Of the goal": fmt.pct(p.share) if p.share is not None else "—",
                "Status": status(p),
            }
            for p in paces.values()
        ]
    )


def _chart(p: Pace) -> go.Figure:
    """Cumulative actual against the cumulative goal, one point per season week."""
    weeks = p.weeks
    fig = go.Figure()
    x = weeks["week_start"]
    charts.line(fig, x, weeks["cum_goal"], "Goal to date", charts.NEUTRAL, dash="dash")
    actual = charts.GOOD if p.on_pace else charts.BAD
    charts.line(fig, x, weeks["cum_actual"], "Actual since the season start", actual)
    fig.update_layout(
        **charts.LAYOUT,
        title=f"{p.label}: season to date against the goal to date",
        yaxis_title=p.label,
    )
    return fig


# Built once per pace drawn (see ui/figure_cache.py), not on every run of the Scoreboard.
chart = figure_cache.once(_chart)


@st.cache_data(show_spinner=False, max_entries=64)
def season(workspace_id: int, as_of: date) -> tuple[date, str, dict[str, Pace], dict[str, str]]:
    """The season's start (and where it comes from), each measurable's pace and those left
    out, for one workspace and day (cached like the weekly scorecard; cleared by any write)."""
    start, source = scorecard.season_start(ui_store.settings(workspace_id), as_of)
    paces, left_out = scorecard.season_pace(weekly(workspace_id, as_of), start)
    return start, source, paces, left_out


def render(workspace_id: int, as_of: date, currency: str) -> None:
    """The season pace section, drawn below the weekly scorecard."""
    capture.header("Season pace")
    start, source, paces, left_out = season(workspace_id, as_of)
    capture.markdown(
        f"Is the season on pace, not just last week? Since {fmt.day(start)} ({source}), each "
        "measurable's total against the goal to date: the sum of every complete week's goal "
        "in force, the goals that change with the season included."
    )
    if not paces:
        capture.info(
            "Nothing to pace yet: the season needs a complete week and measurables with a goal.",
            icon="ℹ️",
        )
    else:
        # A short static table (one row per measurable), so st.table, not a data grid.
        frame = summary(paces, currency)
        st.table(frame.set_index("Measurable"))
        capture.table(frame)
        picked = st.selectbox(
            "Measurable to chart",
            list(paces),
            format_func=lambda m: paces[m].label,
            key=f"season_pace_{workspace_id}",
        )
        p = paces[picked or next(iter(paces))]
        capture.markdown(f"**{status(p)}**: {plain(scorecard.pace_line(p, start, currency))}")
        # Asked for, not drawn on every view: it would be the Scoreboard's only Plotly chart,
        # and starting Plotly in a new tab is a second of the first view (a snapshot, a review
        # pack and the warm-up draw it anyway).
        shown = st.toggle(
            "Show the chart",
            key=f"season_pace_chart_{workspace_id}",
            help="The season week by week: the actual to date against the goal to date.",
        )
        if shown or capture.whole_page():
            capture.chart(chart(p))
        capture.markdown(plain(scorecard.next_step(p, currency)))
    if left_out:
        capture.caption(
            "Not paced: " + "; ".join(f"{label} ({why})" for label, why in left_out.items()) + "."
        )
