"""Hard reset on a page: the run editor (one Save per item), goal plans, seasons and suggestions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from analytics import checklists, indicators
from analytics.checklists import export, goals, runs, seasons
from analytics.checklists.runs import Answer, Run
from analytics.checklists.templates import STATUS_LABEL, Item, Template
from analytics.errors import OpeningDayError
from analytics.indicators import Result
from ui import issues_list as ui_issues_list
from ui import reset_rhythm
from ui import store as ui_store
from ui.format import day, moment, plain, safe_csv
from ui.indicators import status_text, value_text
from ui.state import flash
from ui.widgets import save_then_rerun

RESET_PAGE = "pages/reset.py"
SECTION_KEY = "reset_section"
RUN_KEY = "reset_run"
WHO_KEY = "reset_who"
SECTIONS = ("Checklists", "Goals", "Seasons")
GOAL_PREFILL = "reset_goal_title"
GOAL_SOURCE = "reset_goal_source"  # (run id, item id) of the action a new goal comes from
NEW_NAME = "Someone else (type a name)"


# ---------------------------------------------------------------- cached reads


@st.cache_data(show_spinner=False, max_entries=64)
def people(workspace_id: int) -> list[str]:
    """Names to pick from: timesheets, activities, deal owners and names already used."""
    return runs.people(ui_store.connection(), workspace_id)


def templates(workspace_id: int) -> dict[str, Template]:
    return checklists.templates_for(ui_store.connection(), workspace_id)


def library_errors() -> list[str]:
    return [str(e) for e in checklists.builtin().errors]


def suggested(results: dict[str, Result]) -> dict[str, list[str]]:
    """Template id → the red indicators that suggest it."""
    return checklists.suggestions(
        {k: r.status for k, r in results.items()},
        {i.id: i.checklists for i in indicators.REGISTRY.values()},
    )


# ---------------------------------------------------------------- small pieces


def status_words(status: str) -> str:
    return STATUS_LABEL.get(status, status)


def pick_person(label: str, key: str, names: list[str], help_text: str = "") -> str:
    """A name from the workspace's people, or any name typed in (stored as free text)."""
    current = st.session_state.get(key)
    options = list(names)
    if isinstance(current, str) and current and current not in options:
        options.append(current)
    value = st.selectbox(
        label,
        options,
        index=None,
        key=key,
        placeholder="Pick or type a name",
        accept_new_options=True,
        help=help_text or None,
    )
    return str(value or "").strip()


def start_run(workspace_id: int, template: Template, who: str) -> None:
    """Start a run today and open it in the editor (button callback)."""
    try:
        run = runs.start_run(ui_store.connection(), workspace_id, template, date.today(), who)
    except OpeningDayError as exc:
        flash("error", str(exc))
        return
    ui_store.changed()
    st.session_state[RUN_KEY] = run.id
    st.session_state[SECTION_KEY] = "Checklists"
    flash("success", f"Started “{template.title}”. Answer below; each item has its own Save.")


def open_run(run_id: int) -> None:
    st.session_state[RUN_KEY] = run_id
    st.session_state[SECTION_KEY] = "Checklists"


def progress_caption(done: int, total: int) -> str:
    return f"{done} of {total} answered"


# ---------------------------------------------------------------- evidence


def evidence_line(item: Item, results: dict[str, Result] | None, currency: str) -> str | None:
    """The item's indicators with their value and status, in one markdown line (text escaped)."""
    if not item.indicators or results is None:
        return None
    parts = []
    for ind_id in item.indicators:
        ind = indicators.get(ind_id)
        r = results.get(ind_id)
        if r is None:
            continue
        parts.append(
            f"{plain(ind.label)}: **{plain(value_text(ind, r.value, currency))}** "
            f"({status_text(r.status)})"
        )
    return "Your figures · " + " · ".join(parts) if parts else None


def last_time_line(answer: Answer | None, before: Run | None) -> str | None:
    """The previous run's answer: "last time (date) you said …; today?" (text escaped)."""
    if before is None or answer is None or answer.status == "not_started":
        return None
    said = status_words(answer.status) + (f" — {answer.note}" if answer.note else "")
    return f"↩ Last time ({day(before.started_on)}) you said: *{plain(said)}*. Today?"


# ---------------------------------------------------------------- the run editor


def _keys(run_id: int, item_id: str) -> dict[str, str]:
    base = f"rs_{run_id}_{item_id}"
    return {
        "status": f"{base}_status",
        "note": f"{base}_note",
        "owner": f"{base}_owner",
        "due": f"{base}_due",
        "base": f"{base}_base",
    }


def _widget_answer(keys: dict[str, str]) -> Answer:
    return Answer(
        st.session_state.get(keys["status"]) or "not_started",
        str(st.session_state.get(keys["note"]) or "").strip(),
        str(st.session_state.get(keys["owner"]) or "").strip(),
        st.session_state.get(keys["due"]),
    )


def _load_widgets(keys: dict[str, str], stored: Answer) -> None:
    """Fill an item's widgets from the store, unless the owner has typed something unsaved.

    When another session saved this item and this session has not touched it, the new
    answer is shown; edits in progress are never overwritten.
    """
    base = st.session_state.get(keys["base"])
    if base is None or (base != stored and _widget_answer(keys) == base):
        st.session_state[keys["status"]] = stored.status
        st.session_state[keys["note"]] = stored.note
        st.session_state[keys["owner"]] = stored.owner or None
        st.session_state[keys["due"]] = stored.due
        st.session_state[keys["base"]] = stored


def _save_item(workspace_id: int, run_id: int, template_id: str, item_id: str) -> None:
    """Button callback: write this one item (a new revision), nothing else."""
    con = ui_store.connection()
    keys = _keys(run_id, item_id)
    answer = _widget_answer(keys)
    try:
        run = runs.get_run(con, workspace_id, run_id)
        template = checklists.templates_for(con, workspace_id)[template_id]
        changed = runs.answer_item(
            con, workspace_id, run, template, item_id, answer, st.session_state.get(WHO_KEY) or ""
        )
    except OpeningDayError as exc:
        flash("error", str(exc))
        return
    st.session_state[keys["base"]] = answer
    ui_store.changed()
    # A toast, not a banner at the top: the owner is looking at the item they saved.
    st.toast("Saved." if changed else "No change to save.", icon="✅" if changed else "ℹ️")


def goal_title_from(item: Item, answer: Answer) -> str:
    """A first wording for a goal made from an action: "Fix software: ticketing is slow"."""
    action = STATUS_LABEL[answer.status].split(" ", 1)[1] if answer.status != "not_started" else ""
    head = f"{action} {item.section.lower()}".strip() if action else item.section
    return f"{head}: {answer.note}" if answer.note else head


def _goal_from_item(run_id: int, item: Item) -> None:
    """Button callback: open Goals with the goal's wording taken from this action."""
    st.session_state[GOAL_PREFILL] = goal_title_from(item, _widget_answer(_keys(run_id, item.id)))
    st.session_state[GOAL_SOURCE] = (run_id, item.id)
    st.session_state[SECTION_KEY] = "Goals"


def item_editor(
    workspace_id: int,
    run: Run,
    template: Template,
    item: Item,
    stored: Answer,
    names: list[str],
    evidence: str | None,
    last_time: str | None = None,
) -> None:
    """One item: the question, its help and evidence, last run's answer, the answer widgets
    and its own Save."""
    keys = _keys(run.id, item.id)
    _load_widgets(keys, stored)
    with st.container(border=True, key=f"rsbox_{run.id}_{item.id}"):
        st.markdown(f"**{plain(item.prompt)}**")
        st.caption(plain(item.help))
        if evidence:
            st.markdown(evidence)
        if last_time:
            st.markdown(last_time)
        st.radio(
            "Answer",
            item.statuses,
            key=keys["status"],
            format_func=status_words,
            horizontal=True,
        )
        left, mid, right = st.columns([3, 2, 2])
        with left:
            st.text_area("Note", key=keys["note"], height=68, placeholder="What you found, why")
        with mid:
            pick_person("Owner", keys["owner"], names, "Who takes this on.")
        with right:
            st.date_input("Due", key=keys["due"], format="YYYY-MM-DD")
        unsaved = _widget_answer(keys) != stored
        buttons = st.columns([1, 4, 2]) if item.kind == "action" else st.columns([1, 6])
        buttons[0].button(
            "Save",
            key=f"rs_{run.id}_{item.id}_save",
            type="primary" if unsaved else "secondary",
            on_click=_save_item,
            args=(workspace_id, run.id, template.id, item.id),
            help="Saves this item only. Other people can answer other items at the same time.",
        )
        if unsaved:
            buttons[1].markdown("⚠️ **Not saved yet**: press Save to keep this answer.")
        elif stored.status != "not_started":
            buttons[1].caption(f"Saved: {status_words(stored.status)}")
        if item.kind == "action":
            buttons[2].button(
                "Make it a goal",
                key=f"rs_{run.id}_{item.id}_goal",
                on_click=_goal_from_item,
                args=(run.id, item),
                help="Turn this action into a goal with steps and dates (Goals).",
            )
        ui_issues_list.add_checklist_action(workspace_id, template, item)


def _answers_table(template: Template, answered: dict[str, Answer]) -> pd.DataFrame:
    frame = export.run_frame(template, answered)
    return frame.rename(columns=str.capitalize)


def compare_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Question": frame["prompt"],
            "Last time": frame["then_status"].map(status_words)
            + frame["then_note"].map(lambda n: f" — {n}" if n else ""),
            "Today": frame["now_status"].map(status_words)
            + frame["now_note"].map(lambda n: f" — {n}" if n else ""),
            "Changed": frame["changed"].map({True: "changed", False: ""}),
        }
    )


def run_editor(
    workspace_id: int,
    run: Run,
    template: Template,
    results: dict[str, Result] | None,
    currency: str,
) -> None:
    """The whole run: who is answering, progress, compare, exports, then every item."""
    con = ui_store.connection()
    answered = runs.answer_map(con, workspace_id, run.id)
    done, total = runs.progress(template, answered)
    st.subheader(f"{template.title} · run of {day(run.started_on)}")
    st.progress(done / total if total else 0.0, text=progress_caption(done, total))
    names = people(workspace_id)
    if template.archived:
        st.info(
            "This checklist is archived: it is no longer offered for new runs, and its runs "
            "stay here to read (answers can still be corrected).",
            icon="🗄️",
        )
    if not run.is_open:
        st.info("This run is marked finished. You can still correct answers.", icon="ℹ️")

    before, frame = runs.compare(con, workspace_id, run, template)
    with st.expander(
        f"Compare with the previous run ({day(before.started_on)})"
        if before
        else "Compare with the previous run"
    ):
        if before is None:
            st.caption("This is the first run of this checklist: next time, you can compare.")
        else:
            changed = frame[frame["changed"]]
            st.caption(f"{len(changed)} of {len(frame)} items answered differently from last time.")
            st.dataframe(compare_table(frame), hide_index=True, width="stretch")

    reset_rhythm.trend_section(workspace_id, template)

    names_used = sorted({*names, *(a.owner for a in answered.values() if a.owner)})
    then = runs.answer_map(con, workspace_id, before.id) if before else {}
    section = None
    for item in template.items:
        if item.section != section:
            section = item.section
            st.markdown(f"#### {plain(section or 'Items')}")
        item_editor(
            workspace_id,
            run,
            template,
            item,
            answered.get(item.id, Answer()),
            names_used,
            evidence_line(item, results, currency),
            last_time_line(then.get(item.id), before),
        )

    with st.expander("Who changed what, when"):
        revs = runs.revisions(con, workspace_id, run.id)
        if revs.empty:
            st.caption("No answers saved yet.")
        else:
            prompts = {it.id: it.prompt for it in template.items}
            st.dataframe(
                pd.DataFrame(
                    {
                        "When": revs["changed_at"].map(moment),
                        "Who": revs["changed_by"].replace("", "—"),
                        "Item": revs["item_id"].map(prompts).fillna(revs["item_id"]),
                        "What": revs["what"],
                    }
                ),
                hide_index=True,
                width="stretch",
            )

    if not template.archived:
        _add_item_form(workspace_id, run, template)

    left, mid, right = st.columns(3)
    _downloads(
        (left, mid),
        "Download as",
        export.run_markdown(template, run, answered),
        export.run_frame(template, answered),
        f"{template.id}_{run.started_on.isoformat()}",
        f"rs_{run.id}",
    )
    if right.button(
        "Mark this run finished" if run.is_open else "Reopen this run",
        key=f"rs_{run.id}_close",
    ):
        runs.set_closed(con, workspace_id, run.id, run.is_open)
        ui_store.changed()
        st.rerun()


def _add_item_form(workspace_id: int, run: Run, template: Template) -> None:
    """Add an owner's item to this checklist (and to its future runs)."""
    con = ui_store.connection()
    with (
        st.expander("Add your own item to this checklist"),
        st.form(f"rs_{run.id}_add_item", clear_on_submit=True),
    ):
        prompt = st.text_input("Question or task")
        help_text = st.text_input("Help (optional)")
        kind = st.radio(
            "Answered with",
            list(checklists.KINDS),
            format_func=lambda k: {
                "question": "Yes / partly / no",
                "task": "In progress / done",
                "action": "Keep / fix / replace / reset",
            }[k],
            horizontal=True,
        )
        if st.form_submit_button("Add item"):
            save_then_rerun(
                lambda: checklists.add_item(
                    con, workspace_id, template.id, prompt, help_text, kind=kind
                ),
                "Item added to this checklist (and to its future runs).",
            )


def _downloads(
    columns: Sequence[Any], label: str, markdown: str, frame: pd.DataFrame, stem: str, key: str
) -> None:
    """A checklist run's or a goal's two downloads, side by side: Markdown and CSV."""
    md, csv = columns[0], columns[1]
    md.download_button(
        f"{label} Markdown",
        markdown,
        file_name=f"{stem}.md",
        mime="text/markdown",
        on_click="ignore",
        key=f"{key}_md",
    )
    csv.download_button(
        f"{label} CSV",
        safe_csv(frame),
        file_name=f"{stem}.csv",
        mime="text/csv",
        on_click="ignore",
        key=f"{key}_csv",
    )


# ---------------------------------------------------------------- goals


def _toggle_step(workspace_id: int, step_id: int, key: str) -> None:
    done_on = date.today() if st.session_state.get(key) else None
    goals.set_step_done(ui_store.connection(), workspace_id, step_id, done_on)
    ui_store.changed()


def goal_card(workspace_id: int, row: dict[str, Any], today: date) -> None:
    """One goal: progress, overdue steps in words, the plan with a tick per step, exports."""
    con = ui_store.connection()
    goal_id = int(row["id"])
    target = pd.Timestamp(row["target_date"]).date()
    with st.container(border=True):
        st.markdown(f"**{plain(row['title'])}** · by {day(target)}")
        done, steps = int(row["done"]), int(row["steps"])
        st.progress(done / steps if steps else 0.0, text=f"{done} of {steps} steps done")
        if int(row["overdue"]):
            st.markdown(f"⚠️ **{int(row['overdue'])} overdue** (past their date, not done)")
        plan = goals.plan(con, workspace_id, goal_id, today)
        for step in plan.to_dict("records"):
            key = f"goal_step_{int(step['id'])}"
            st.session_state[key] = bool(step["done"])
            label = f"{goals.KIND_LABEL[step['kind']]}: {step['title']} — due {day(step['due'])}"
            if step["overdue"]:
                label += " · ⚠️ overdue"
            st.checkbox(
                plain(label),
                key=key,
                on_change=_toggle_step,
                args=(workspace_id, int(step["id"]), key),
            )
        with st.form(f"goal_{goal_id}_step", clear_on_submit=True):
            left, right = st.columns([3, 1])
            title = left.text_input("Add a step", placeholder="Short and measurable")
            due = right.date_input("Due", value=min(today, target), format="YYYY-MM-DD")
            if st.form_submit_button("Add step"):
                try:
                    goals.add_step(con, workspace_id, goal_id, title, due)
                except OpeningDayError as exc:
                    st.error(plain(exc), icon="⛔")
                else:
                    ui_store.changed()
                    st.rerun()
        from ui import reset_edit  # it builds on this module

        reset_edit.goal_editor(workspace_id, row, plan)
        goal = goals.get_goal(con, workspace_id, goal_id)
        _downloads(
            st.columns(2),
            "Plan as",
            export.goal_markdown(goal, plan),
            export.goal_frame(plan),
            f"goal_{goal_id}",
            f"goal_{goal_id}",
        )


# ---------------------------------------------------------------- seasons


def seasons_table(
    closed: list[seasons.Season], current: dict[str, Result] | None, currency: str
) -> pd.DataFrame:
    """Indicator × season, each cell the value in its unit and its status in words."""
    long = seasons.side_by_side(closed, current)
    if long.empty:
        return pd.DataFrame()
    known = long[long["indicator_id"].isin(list(indicators.REGISTRY))].copy()
    known["cell"] = [
        f"{value_text(indicators.get(i), None if pd.isna(v) else float(v), currency)} "
        f"{status_text(s or 'unknown').split(' ', 1)[0]}"
        for i, v, s in zip(known["indicator_id"], known["value"], known["status"], strict=True)
    ]
    known["Indicator"] = known["indicator_id"].map(lambda i: indicators.get(i).label)
    order = list(dict.fromkeys(known["season"]))
    table = known.pivot_table(index="Indicator", columns="season", values="cell", aggfunc="first")
    return table.reindex(columns=order).reset_index()


# ---------------------------------------------------------------- the scoreboard's section


def scoreboard_section(workspace_id: int, results: dict[str, Result], today: date) -> None:
    """Checklists that red figures suggest, open runs with progress and overdue goal steps."""
    con = ui_store.connection()
    st.header("Hard reset: what to work on")
    all_templates = templates(workspace_id)
    shown = False
    for template_id, reds in suggested(results).items():
        template = all_templates.get(template_id)
        if template is None:
            continue
        labels = ", ".join(indicators.get(i).label for i in reds)
        st.markdown(f"🔴 **{plain(template.title)}** — suggested by: {plain(labels)} (Act now)")
        shown = True
    for due in reset_rhythm.pressing(workspace_id, all_templates, results, today):
        if due.state != "later":  # red-only ones are listed above
            st.markdown(reset_rhythm.line(due))
            shown = True
    open_runs = [r for r in runs.list_runs(con, workspace_id) if r.is_open]
    for run in open_runs:
        template = all_templates.get(run.template_id)
        if template is None:
            continue
        done, total = runs.progress(template, runs.answer_map(con, workspace_id, run.id))
        st.markdown(
            f"📝 **{plain(template.title)}** (run of {day(run.started_on)}): "
            f"{progress_caption(done, total)}"
        )
        shown = True
    late = goals.overdue_steps(con, workspace_id, today)
    for step in late.to_dict("records"):
        st.markdown(
            f"⚠️ **Overdue step** of “{plain(step['goal'])}”: {plain(step['step'])} "
            f"(due {day(step['due'])}, {int(step['days_late'])} days late)"
        )
        shown = True
    if not shown:
        st.caption(
            "No red figure suggests a checklist, none is due, nothing is open and no goal step "
            "is late."
        )
    st.page_link(RESET_PAGE, label="Open Hard reset", icon="🧰")
