"""Settings: the targets, bands and thresholds the figures are judged against, per business."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from analytics import access, indicators, period_goals, scorecard
from analytics.indicators import pace
from analytics.settings import SETTINGS, Setting, save_settings
from ui import access as ui_access
from ui import sidebar
from ui import store as ui_store
from ui.format import plain
from ui.widgets import dataframe, page_header, save_then_rerun, stop_unless

page_header(
    "Settings",
    "Your targets, the band of a sustainable week, your cost rates and the thresholds that turn "
    "a figure green, amber or red. They belong to this business and take effect at once.",
)

ctx = sidebar.current()
stop_unless(
    ctx.workspace is not None,
    "Create a workspace first (load the demo or import a file on the Data page).",
)

ws = ctx.workspace
current = ui_store.settings(ws.id)
# What a list setting offers beside the names already chosen: the workspace's own activity
# types for the prospecting list.
list_options: dict[str, list[str]] = {
    "prospecting_types": pace.activity_types(ui_store.connection(), ws.id, current)["type"]
    .astype(str)
    .tolist()
}


def widget(s: Setting, value: Any) -> Any:
    """One input for one setting, keyed by workspace so businesses never share a widget."""
    key = f"setting_{ws.id}_{s.key}"
    if s.kind == "choice":
        return st.selectbox(
            s.label, s.choices, index=s.choices.index(value), help=s.help or None, key=key
        )
    if s.kind == "date":
        picked = st.date_input(
            s.label,
            value=date.fromisoformat(value) if value else None,
            help=s.help or None,
            format="YYYY-MM-DD",
            key=key,
        )
        return picked.isoformat() if isinstance(picked, date) else None
    if s.kind == "text":
        return st.text_input(s.label, value=str(value or ""), help=s.help or None, key=key)
    if s.kind == "list":
        chosen = [str(v) for v in value or []]
        offered = chosen + [t for t in list_options.get(s.key, []) if t not in chosen]
        return st.multiselect(
            s.label,
            offered,
            default=chosen,
            help=f"{s.help} Pick from the list, or type a name to add it.",
            accept_new_options=True,
            key=key,
        )
    if s.kind == "int":
        return st.number_input(
            s.label,
            value=int(value),
            min_value=int(s.minimum) if s.minimum is not None else None,
            max_value=int(s.maximum) if s.maximum is not None else None,
            step=1,
            help=s.help or None,
            key=key,
        )
    return st.number_input(
        s.label,
        value=float(value),
        min_value=float(s.minimum) if s.minimum is not None else None,
        max_value=float(s.maximum) if s.maximum is not None else None,
        # a share (0–1) moves in hundredths; hours and money in halves
        step=0.01 if s.maximum is not None and s.maximum <= 1 else 0.5,
        help=s.help or None,
        key=key,
    )


groups: dict[str, list[Setting]] = {}
for s in SETTINGS.values():
    groups.setdefault(s.group, []).append(s)

with st.form(f"settings_{ws.id}"):
    values: dict[str, Any] = {}
    for group, members in groups.items():
        st.subheader(group)
        # A list (the prospecting types) gets the whole width, so its names can be read.
        singles = [s for s in members if s.kind != "list"]
        cols = st.columns(3)
        for i, s in enumerate(singles):
            with cols[i % 3]:
                values[s.key] = widget(s, current[s.key])
        for s in members:
            if s.kind == "list":
                values[s.key] = widget(s, current[s.key])

    st.subheader("Thresholds")
    st.caption(
        "Where each figure turns green and where it turns red; amber lies between. Leave both "
        "empty to use the default shown."
    )
    for ind in indicators.REGISTRY.values():
        default = ind.default_thresholds(current)
        saved = current.get(f"threshold:{ind.id}") or {}
        better = "higher is better" if ind.higher_is_better else "lower is better"
        c1, c2, c3 = st.columns([2, 1, 1])
        c1.markdown(f"**{plain(ind.label)}** ({better})")
        green, red = (
            column.number_input(
                heading,
                value=saved.get(end),
                placeholder=f"default {getattr(default, end):g}",
                key=f"thr_{ws.id}_{ind.id}_{end}",
                format="%g",
            )
            for column, heading, end in ((c2, "Green from", "green"), (c3, "Red beyond", "red"))
        )
        values[f"threshold:{ind.id}"] = (
            None if green is None and red is None else {"green": green, "red": red}
        )

    st.subheader("Weekly scorecard goals")
    st.caption("Empty: the goal is your own average over the year before the 13 weeks shown.")
    goal_cols = st.columns(3)
    for i, m in enumerate(scorecard.MEASURABLES):
        if m.goal_setting:
            continue  # its goal is a setting above (the prospecting target)
        with goal_cols[i % 3]:
            values[f"goal:{m.id}"] = st.number_input(
                m.label,
                value=current.get(f"goal:{m.id}"),
                min_value=0.0,
                placeholder="your own average",
                key=f"goal_{ws.id}_{m.id}",
                format="%g",
            )

    submitted = st.form_submit_button("Save settings", type="primary", icon="💾")

if submitted:
    thresholds = {k: v for k, v in values.items() if k.startswith("threshold:")}
    half = [k for k, v in thresholds.items() if v is not None and None in v.values()]
    if half:
        names = ", ".join(indicators.get(k.split(":", 1)[1]).label for k in half)
        st.error(
            f"Give both a green and a red threshold (or neither) for: {plain(names)}.", icon="⛔"
        )
    else:
        save_then_rerun(
            lambda: save_settings(ui_store.connection(), ws.id, values),
            "Settings saved. Every page now uses them.",
        )

# ---------------------------------------------------------------- period goals
st.subheader("Goals that change with the season")
st.caption(
    "A different weekly goal for some months of every year: the busy quarter is not the quiet "
    "one. A period is one month or a run of months (Oct–Dec; Nov–Feb runs across the new "
    "year); a week counts in the month of its Thursday. One measurable's periods may not share "
    "a month. Outside its periods a measurable keeps the goal above."
)
labels = {m.id: m.label for m in scorecard.MEASURABLES}
months = list(range(1, 13))
month_name = period_goals.MONTHS.__getitem__
existing = period_goals.list_period_goals(ui_store.connection(), ws.id)


def period_fields(
    key: str, measurable: str, p: period_goals.PeriodGoal | None
) -> tuple[period_goals.PeriodGoalDraft, str]:
    """The period goal for `measurable` as typed (goal None when empty; `p` fills the fields
    in) and who is changing it."""
    c1, c2, c3, c4, c5 = st.columns([2, 1, 1, 1, 1])
    name = c1.text_input(
        "Name (optional)",
        value=p.name if p else "",
        max_chars=period_goals.MAX_NAME,
        placeholder="busy quarter",
        key=f"{key}_name",
    )
    first, last = (
        column.selectbox(
            heading,
            months,
            index=(start or 1) - 1,
            format_func=lambda n: month_name(n - 1),
            key=f"{key}_{end}",
        )
        for column, heading, end, start in (
            (c2, "First month", "from", p.from_month if p else None),
            (c3, "Last month", "to", p.to_month if p else None),
        )
    )
    goal = c4.number_input(
        "Weekly goal", value=p.goal if p else None, placeholder="a number", key=f"{key}_goal"
    )
    by = c5.text_input("Changed by", max_chars=80, key=f"{key}_by")
    draft = period_goals.PeriodGoalDraft(measurable, int(first or 1), int(last or 1), goal, name)
    return draft, by


if existing:
    dataframe(
        pd.DataFrame(
            [
                {
                    "Measurable": labels.get(p.measurable, p.measurable),
                    "Period": p.label,
                    "Weekly goal": f"{p.goal:g}",
                }
                for p in existing
            ]
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.caption("No period goals yet: every week is judged against the goals above.")

with st.form(f"period_goal_add_{ws.id}", clear_on_submit=True):
    st.markdown("**Add a period goal**")
    measurable = st.selectbox(
        "Measurable", list(labels), format_func=labels.__getitem__, key=f"pg_{ws.id}_measurable"
    )
    draft, by = period_fields(f"pg_{ws.id}_add", str(measurable), None)
    if st.form_submit_button("Add period goal", icon="➕"):
        save_then_rerun(
            lambda: period_goals.save_period_goal(ui_store.connection(), ws.id, draft, by=by),
            "Period goal added. The scorecard judges its weeks against it.",
        )

if existing:
    # The pick sits outside the form, so the fields below follow it at once.
    chosen = st.selectbox(
        "Change or remove a period goal",
        existing,
        format_func=lambda p: f"{labels.get(p.measurable, p.measurable)}: {p.label}",
        key=f"pg_{ws.id}_pick",
    )
    with st.form(f"period_goal_edit_{ws.id}"):
        picked = chosen or existing[0]
        draft, by = period_fields(f"pg_{ws.id}_{picked.id}", picked.measurable, picked)
        save_col, remove_col = st.columns(2)
        if save_col.form_submit_button("Save change", icon="💾"):
            save_then_rerun(
                lambda: period_goals.save_period_goal(
                    ui_store.connection(), ws.id, draft, by=by, replacing=picked.id
                ),
                "Period goal changed.",
            )
        if remove_col.form_submit_button("Remove", icon="🗑️"):
            save_then_rerun(
                lambda: period_goals.remove_period_goal(
                    ui_store.connection(), ws.id, picked.id, by
                ),
                "Period goal removed: its months go back to the everyday goal.",
            )
    with st.expander("Changes to period goals"):
        log = pd.DataFrame(period_goals.revisions(ui_store.connection(), ws.id))
        if not log.empty:
            dataframe(
                pd.DataFrame(
                    {
                        "When": log["changed_at"].astype(str),
                        "Who": log["changed_by"].astype(str),
                        "What": log["what"].astype(str),
                        "Before": log["old"].map(lambda v: "" if v is None else str(v)),
                        "After": log["new"].map(lambda v: "" if v is None else str(v)),
                    }
                ),
                hide_index=True,
                width="stretch",
            )

st.divider()
ui_access.passphrase_section(ws)
st.divider()
ui_access.invitations_section(ws)
if not access.shared_mode():
    # A normal server's owner runs the machine, so they are the shared server's admin too.
    ui_access.admin_section()
