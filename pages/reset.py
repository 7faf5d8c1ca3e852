"""Hard reset: guided checklists, goals broken into steps, and the season reset."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from analytics import checklists, indicators
from analytics.checklists import goals, runs, seasons
from analytics.errors import OpeningDayError
from ui import indicators as ui_ind
from ui import reset, reset_edit, reset_files, reset_rhythm, sidebar
from ui import store as ui_store
from ui.format import day, plain
from ui.state import flash
from ui.widgets import page_header, save_then_rerun

page_header(
    "Hard reset",
    "Figures tell you where you stand; a reset is where you decide what changes. Pick a "
    "checklist, answer it honestly (each answer is kept with who and when, so next quarter you "
    "can see what moved), turn the big decisions into goals with dated steps, and start a new "
    "season when it is time to count from zero again.",
)

for problem in reset.library_errors():
    st.warning(f"A checklist file could not be loaded: {plain(problem)}", icon="⚠️")

ctx = sidebar.current()
if ctx.workspace is None:
    st.info(
        "No business yet: load the demo business or create a workspace on the Data page, "
        "then come back to work through the checklists.",
        icon="ℹ️",
    )
    st.page_link("pages/data.py", label="Go to Data", icon="📥")
    st.stop()

ws = ctx.workspace
con = ui_store.connection()
currency = ui_store.currency(ws.id)
results = ui_ind.for_page(ctx, None) if ctx.as_of is not None else None
templates = reset.templates(ws.id)
today = date.today()

if st.session_state.get(reset.SECTION_KEY) not in reset.SECTIONS:
    st.session_state[reset.SECTION_KEY] = reset.SECTIONS[0]
section = st.segmented_control("Section", reset.SECTIONS, key=reset.SECTION_KEY, required=True)
reset_edit.who_picker(ws.id)

# ---------------------------------------------------------------- checklists
if section == "Checklists":
    all_runs = runs.list_runs(con, ws.id)
    chosen = st.session_state.get(reset.RUN_KEY)
    current = next((r for r in all_runs if r.id == chosen), None)

    if current is not None and current.template_id in templates:
        if st.button("← All checklists", key="reset_back"):
            st.session_state.pop(reset.RUN_KEY, None)
            st.rerun()
        reset.run_editor(ws.id, current, templates[current.template_id], results, currency)
        st.stop()

    if results is None:
        st.caption(
            "Load your data to see your own figures beside the questions and which checklists "
            "your red figures point to."
        )
    else:
        suggested = reset.suggested(results)
        st.header("Suggested by your figures")
        if not suggested:
            st.caption("No figure is red right now, so nothing is pressing. Any checklist helps.")
        for template_id, reds in suggested.items():
            if template_id not in templates:
                continue
            labels = ", ".join(indicators.get(i).label for i in reds)
            left, right = st.columns([5, 1])
            left.markdown(
                f"🔴 **{plain(templates[template_id].title)}** — because these need you now "
                f"(Act now): {plain(labels)}"
            )
            right.button(
                "Start a run",
                key=f"reset_suggested_{template_id}",
                on_click=reset.start_run,
                args=(ws.id, templates[template_id], st.session_state.get(reset.WHO_KEY) or ""),
            )

    reset_rhythm.due_section(
        ws.id,
        templates,
        results,
        today,
        lambda template: reset.start_run(ws.id, template, reset_edit.who()),
    )

    st.header("Open runs")
    open_runs = [r for r in all_runs if r.is_open]
    if not open_runs:
        st.caption("Nothing in progress. Start a checklist below; you can stop and come back.")
    for run in open_runs:
        template = templates.get(run.template_id)
        if template is None:
            continue
        done, total = runs.progress(template, runs.answer_map(con, ws.id, run.id))
        with st.container(border=True):
            left, right = st.columns([4, 1])
            left.markdown(
                f"**{plain(template.title)}** · started {day(run.started_on)}"
                + (" · archived checklist" if template.archived else "")
            )
            left.progress(done / total if total else 0.0, text=reset.progress_caption(done, total))
            right.button(
                "Continue", key=f"reset_open_{run.id}", on_click=reset.open_run, args=(run.id,)
            )
    finished = [r for r in all_runs if not r.is_open]
    if finished:
        with st.expander(f"Finished runs ({len(finished)})"):
            for run in finished:
                template = templates.get(run.template_id)
                if template is None:
                    continue
                left, right = st.columns([4, 1])
                left.markdown(
                    f"{plain(template.title)} · {day(run.started_on)}"
                    + (" · archived checklist" if template.archived else "")
                )
                right.button(
                    "Open", key=f"reset_open_{run.id}", on_click=reset.open_run, args=(run.id,)
                )

    st.header("Start a checklist")
    st.caption("Each run is dated, so you can repeat a checklist every quarter and compare.")
    cols = st.columns(2)
    live = [t for t in templates.values() if not t.archived]
    for n, template in enumerate(live):
        with cols[n % 2], st.container(border=True):
            count = len(template.items)
            st.markdown(
                f"**{plain(template.title)}** · {count} item{'' if count == 1 else 's'}"
                + (" · your own" if template.custom else "")
            )
            st.caption(plain(template.purpose))
            start, copy, download = st.columns(3)
            with start:
                st.button(
                    "Start a run",
                    key=f"reset_start_{template.id}",
                    on_click=reset.start_run,
                    args=(ws.id, template, st.session_state.get(reset.WHO_KEY) or ""),
                )
            if not template.custom:
                with copy:
                    reset_edit.copy_button(ws.id, template)
            with download:
                reset_files.download_button(template)
            reset_rhythm.repeat_picker(ws.id, template, reset_edit.who())
    own = [t for t in live if t.custom]
    if own:
        st.header("Your own checklists")
        st.caption(
            "Rename, reorder, reword or delete what you wrote; every change is kept with who "
            "made it and when. A checklist that has runs is archived, not erased."
        )
        for template in own:
            reset_edit.own_template_editor(ws.id, template)
    reset_files.import_section(ws.id)
    reset_files.peer_section(ws.id, own)
    with (
        st.expander("Make your own checklist"),
        st.form("reset_new_template", clear_on_submit=True),
    ):
        title = st.text_input("Title")
        purpose = st.text_area("What it is for", height=68)
        if st.form_submit_button("Create checklist"):
            save_then_rerun(
                lambda: checklists.add_template(con, ws.id, title, purpose),
                "Checklist created: start a run, then add your items.",
            )

# ---------------------------------------------------------------- goals
elif section == "Goals":
    st.header("Elephant walk")
    st.markdown(
        "A big goal is eaten one bite at a time: the goal and its date, one thing you can do "
        "today, and short steps you can count, each with a date. Tick steps off as they are done."
    )
    board = goals.overview(con, ws.id, today)
    if board.empty:
        st.caption("No goals yet. Write your first one below.")
    for row in board.to_dict("records"):
        reset.goal_card(ws.id, row, today)

    st.subheader("A new goal")
    with st.form("reset_new_goal", clear_on_submit=True):
        title = st.text_input(
            "The goal", key=reset.GOAL_PREFILL, placeholder="e.g. Ten new dental customers"
        )
        left, right = st.columns(2)
        target = left.date_input("By", value=today + timedelta(days=90), format="YYYY-MM-DD")
        with right:
            owner = reset.pick_person("Owner", "reset_goal_owner", reset.people(ws.id))
        task = st.text_input(
            "One thing you can do today", placeholder="e.g. List 20 practices to call"
        )
        steps: list[tuple[str, date]] = []
        for n in range(3):
            a, b = st.columns([3, 1])
            text = a.text_input(f"Step {n + 1}", placeholder="e.g. Call 20 practices")
            due = b.date_input(
                f"Step {n + 1} due", value=today + timedelta(days=30 * (n + 1)), format="YYYY-MM-DD"
            )
            steps.append((text, due))
        if st.form_submit_button("Save the goal", type="primary"):
            try:
                source = st.session_state.get(reset.GOAL_SOURCE) or (None, None)
                goals.create_goal(
                    con,
                    ws.id,
                    title,
                    target,
                    task,
                    today,
                    steps,
                    owner=owner,
                    source_run_id=source[0],
                    source_item_id=source[1],
                )
            except OpeningDayError as exc:
                st.error(plain(exc), icon="⛔")
            else:
                st.session_state.pop(reset.GOAL_SOURCE, None)
                ui_store.changed()
                flash("success", "Goal saved. Do today's task now.")
                st.rerun()

# ---------------------------------------------------------------- seasons
else:
    st.header("Seasons")
    start = seasons.current_start(con, ws.id)
    st.markdown(
        f"This season started on **{day(start)}**."
        if start
        else "No season started yet: figures count over all your history."
    )
    st.caption(
        "Starting a new season keeps a frozen copy of every figure as the season closes, then "
        "counts season figures (such as recent ranks) from the new opening day. Your history "
        "stays; only the starting line moves."
    )
    with st.form("reset_new_season"):
        opening = st.date_input("The new season starts on", value=today, format="YYYY-MM-DD")
        sure = st.checkbox("Freeze this season's figures and start the new season")
        if st.form_submit_button("Start a new season", type="primary"):
            if not sure:
                st.warning("Tick the box to confirm first.", icon="⚠️")
            else:
                who = st.session_state.get(reset.WHO_KEY) or ""
                with st.spinner("Freezing this season's figures…"):
                    save_then_rerun(
                        lambda: seasons.start_season(con, ws.id, opening, who),
                        f"Opening day: the new season starts {day(opening)}.",
                    )
    closed = seasons.list_seasons(con, ws.id)
    st.subheader("Seasons side by side")
    if not closed:
        st.caption("No season closed yet. After your first reset, past seasons show here.")
    else:
        st.dataframe(
            reset.seasons_table(closed, results, currency), hide_index=True, width="stretch"
        )
