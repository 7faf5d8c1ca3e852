"""Hard reset on a rhythm: which checklists are due or overdue (red figures first), the repeat
chosen per checklist, and the answers of a checklist's runs over time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import checklists, indicators
from analytics.checklists import edits, rhythm, trend
from analytics.checklists.templates import REPEATS, Template
from analytics.errors import OpeningDayError
from analytics.indicators import Result
from ui import store as ui_store
from ui.format import plain
from ui.state import flash

REPEAT_CHOICES = ("never", *REPEATS)
ICON = {"overdue": "⏰", "due": "📅", "later": "🗓️"}


def suggested(results: dict[str, Result] | None) -> dict[str, list[str]]:
    if results is None:
        return {}
    return checklists.suggestions(
        {k: r.status for k, r in results.items()},
        {i.id: i.checklists for i in indicators.REGISTRY.values()},
    )


def pressing(
    workspace_id: int,
    templates: dict[str, Template],
    results: dict[str, Result] | None,
    today: date,
) -> list[rhythm.Due]:
    """Checklists due, overdue or addressed by a red figure, the red ones first."""
    last = rhythm.last_runs(ui_store.connection(), workspace_id)
    plan = rhythm.schedule(templates, last, today, suggested(results))
    return [d for d in plan if d.pressing]


def line(due: rhythm.Due) -> str:
    """One due checklist in Markdown (the title escaped), with the red figures behind it."""
    text = f"{ICON[due.state]} {due.sentence(plain(due.title))}"
    if due.suggested_by:
        labels = ", ".join(indicators.get(i).label for i in due.suggested_by)
        text += f" 🔴 Red now: {plain(labels)}."
    return text


def due_section(
    workspace_id: int,
    templates: dict[str, Template],
    results: dict[str, Result] | None,
    today: date,
    start: Callable[[Template], None],
) -> None:
    """The Hard reset page's list of due checklists, each with a button to start a run."""
    st.header("Due by your rhythm")
    due = pressing(workspace_id, templates, results, today)
    if not due:
        st.caption(
            "Nothing is due. Give a checklist a rhythm (Repeat, on its card) and it shows here "
            "when it comes round again."
        )
    for d in due:
        left, right = st.columns([5, 1])
        left.markdown(line(d))
        right.button(
            "Start a run",
            key=f"reset_due_{d.template_id}",
            on_click=start,
            args=(templates[d.template_id],),
        )


def _set_repeat(workspace_id: int, template_id: str, key: str, who: str) -> None:
    chosen = str(st.session_state.get(key) or "never")
    try:
        edits.set_repeat(ui_store.connection(), workspace_id, template_id, chosen, who)
    except OpeningDayError as exc:
        flash("error", str(exc))
        return
    ui_store.changed()


def repeat_picker(workspace_id: int, template: Template, who: str) -> None:
    """How often this checklist comes round, for this business (saved at once)."""
    key = f"reset_repeat_{template.id}"
    st.session_state[key] = template.repeat or "never"
    st.selectbox(
        "Repeat",
        REPEAT_CHOICES,
        key=key,
        format_func=lambda r: "Not on a rhythm" if r == "never" else rhythm.EVERY[r].capitalize(),
        on_change=_set_repeat,
        args=(workspace_id, template.id, key, who),
        help="Due a week before it comes round; overdue after. Shown here and on the Scoreboard.",
    )


# ---------------------------------------------------------------- answers over time

GROUP_COLOUR = {"works": "#2e7d32", "partly": "#f9a825", "not": "#c62828", "open": "#b0bec5"}


def section_chart(counts: pd.DataFrame) -> go.Figure:
    """One section's runs as stacked bars: how many items got each kind of answer."""
    fig = go.Figure()
    for group, label in trend.GROUP_LABEL.items():
        fig.add_bar(
            x=counts["run"].tolist(),
            y=[int(v) for v in counts[group]],
            name=label,
            marker_color=GROUP_COLOUR[group],
            hovertemplate="%{x}: %{y} items<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        height=180,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "h", "y": -0.3},
        xaxis={"type": "category", "title": None},
        yaxis={"title": "items", "dtick": 1},
    )
    return fig


def trend_section(workspace_id: int, template: Template) -> None:
    """Every run of this checklist side by side: a small chart per section, then each item's
    answer at each run with what changed (shown once there are two runs)."""
    frame = trend.history(ui_store.connection(), workspace_id, template)
    runs_seen = list(dict.fromkeys(frame["run"]))
    if len(runs_seen) < 2:
        return  # nothing to trace yet; the compare box says so
    with st.expander(f"Answers over time ({len(runs_seen)} runs)"):
        moved = trend.changed_per_run(frame)
        st.caption(
            "How many items got each answer at each run, section by section. "
            + " · ".join(f"{run}: {n} changed" for run, n in list(moved.items())[1:])
        )
        counts = trend.section_counts(frame)
        sections = list(dict.fromkeys(counts["section"]))
        cols = st.columns(2)
        for n, section in enumerate(sections):
            with cols[n % 2]:
                st.markdown(f"**{plain(section or 'Items')}**")
                st.plotly_chart(
                    section_chart(counts[counts["section"] == section]),
                    key=f"reset_trend_{template.id}_{n}",
                    config={"displayModeBar": False},
                )
        table = trend.changes(frame).rename(
            columns={"section": "Section", "prompt": "Question", "changes": "Times changed"}
        )
        st.caption("Each item's answer at each run; → marks an answer that changed.")
        st.dataframe(table, hide_index=True, width="stretch")
