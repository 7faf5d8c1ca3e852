"""Hard reset, editing what you wrote: the remembered "who", own templates and items (rename,
reorder, edit, delete or archive), copies of built-ins, and goals and steps after saving."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from analytics.checklists import edits, goals, history
from analytics.checklists.templates import Template
from analytics.errors import OpeningDayError
from ui import store as ui_store
from ui.format import moment, plain
from ui.lazy import opened_popover
from ui.reset import WHO_KEY, people, pick_person
from ui.state import flash

WHO_WORKSPACE = "reset_who_ws"  # the workspace the picker was filled for


def who() -> str:
    return str(st.session_state.get(WHO_KEY) or "").strip()


def who_picker(workspace_id: int) -> str:
    """ "You are": the last person picked in this workspace, from the people in the data."""
    con = ui_store.connection()
    if st.session_state.get(WHO_WORKSPACE) != workspace_id:
        st.session_state[WHO_KEY] = history.last_who(con, workspace_id) or None
        st.session_state[WHO_WORKSPACE] = workspace_id
    name = pick_person(
        "You are",
        WHO_KEY,
        people(workspace_id),
        "Your name goes on every answer and edit you save, so the history shows who changed "
        "what, when. Remembered for this business: next time it is already filled in.",
    )
    if name and name != history.last_who(con, workspace_id):
        history.remember_who(con, workspace_id, name)
    return name


def attempt(action: Callable[[], object], success: str = "") -> bool:
    """Run a change (from a button callback); an error is shown, not raised."""
    try:
        action()
    except OpeningDayError as exc:
        flash("error", str(exc))
        return False
    ui_store.changed()
    if success:
        flash("success", success)
    return True


# ---------------------------------------------------------------- own templates and items


def _copy(workspace_id: int, template_id: str) -> None:
    con = ui_store.connection()
    attempt(
        lambda: edits.copy_template(con, workspace_id, template_id, who()),
        "Copied: find your copy under “Your own checklists” and change it as you like.",
    )


def copy_button(workspace_id: int, template: Template) -> None:
    st.button(
        "Copy to edit",
        key=f"reset_copy_{template.id}",
        on_click=_copy,
        args=(workspace_id, template.id),
        help="Built-in checklists stay as shipped; this makes an own copy, yours to rename and edit.",
    )


def _delete_template(workspace_id: int, template: Template) -> None:
    con = ui_store.connection()
    outcome: list[str] = []
    if attempt(
        lambda: outcome.append(edits.delete_template(con, workspace_id, template.id, who()))
    ):
        if outcome == ["archived"]:
            flash("success", f"“{template.title}” is archived: its runs stay listed and readable.")
        else:
            flash("success", f"“{template.title}” is deleted (it had no runs).")


def _move(workspace_id: int, template_id: str, item_id: str, by: int) -> None:
    con = ui_store.connection()
    attempt(lambda: edits.move_item(con, workspace_id, template_id, item_id, by, who()))


def _delete_item(workspace_id: int, template_id: str, item_id: str) -> None:
    con = ui_store.connection()
    attempt(
        lambda: edits.delete_item(con, workspace_id, template_id, item_id, who()),
        "Item removed. Answers already given to it stay in the runs' history.",
    )


def _item_row(workspace_id: int, template: Template, n: int) -> None:
    item = template.items[n]
    base = f"rse_{template.id}_{item.id}"
    left, up, down, drop = st.columns([8, 1, 1, 1])
    left.markdown(f"{n + 1}. {plain(item.prompt)}")
    up.button(
        "↑",
        key=f"{base}_up",
        on_click=_move,
        args=(workspace_id, template.id, item.id, -1),
        help="Move up",
        disabled=n == 0,
    )
    down.button(
        "↓",
        key=f"{base}_down",
        on_click=_move,
        args=(workspace_id, template.id, item.id, 1),
        help="Move down",
        disabled=n == len(template.items) - 1,
    )
    drop.button(
        "✕",
        key=f"{base}_delete",
        on_click=_delete_item,
        args=(workspace_id, template.id, item.id),
        help="Remove this item",
    )
    edit = opened_popover("Edit wording", f"{base}_edit")
    if edit is None:
        return
    with edit, st.form(f"{base}_form"):
        prompt = st.text_input("Question or task", value=item.prompt)
        help_text = st.text_input("Help", value=item.help)
        section = st.text_input("Section", value=item.section)
        if st.form_submit_button("Save item"):
            con = ui_store.connection()
            if attempt(
                lambda: edits.edit_item(
                    con, workspace_id, template.id, item.id, prompt, help_text, section, who()
                ),
                "Item saved.",
            ):
                st.rerun()


def own_template_editor(workspace_id: int, template: Template) -> None:
    """Rename, reorder, edit and delete an own checklist (archived when it has runs)."""
    con = ui_store.connection()
    with st.expander(f"Edit “{plain(template.title)}”", key=f"rse_{template.id}"):
        with st.form(f"rse_{template.id}_rename"):
            title = st.text_input("Title", value=template.title)
            purpose = st.text_area("What it is for", value=template.purpose, height=68)
            if st.form_submit_button("Save title") and attempt(
                lambda: edits.rename_template(
                    con, workspace_id, template.id, title, purpose, who()
                ),
                "Checklist renamed.",
            ):
                st.rerun()
        if not template.items:
            st.caption("No items yet: start a run and add your items there.")
        for n in range(len(template.items)):
            _item_row(workspace_id, template, n)
        st.button(
            "Delete this checklist",
            key=f"rse_{template.id}_delete",
            on_click=_delete_template,
            args=(workspace_id, template),
            help="A checklist with runs is archived: the runs stay listed and readable.",
        )
        changes = history.edits(con, workspace_id, "template", template.id)
        items = history.edits(con, workspace_id, "item", template.id)
        revisions_table(pd.concat([changes, items]) if not items.empty else changes)


def revisions_table(frame: pd.DataFrame) -> None:
    """Who changed what, when: newest first (text shown as data, never as markup)."""
    if frame.empty:
        st.caption("No changes yet.")
        return
    frame = frame.sort_values("changed_at", ascending=False, kind="stable")
    st.dataframe(
        pd.DataFrame(
            {
                "When": frame["changed_at"].map(moment),
                "Who": frame["changed_by"].replace("", "—"),
                "What": frame["what"],
                "Before": frame["old_value"],
                "After": frame["new_value"],
            }
        ),
        hide_index=True,
        width="stretch",
    )


# ---------------------------------------------------------------- goals after saving


def _move_step(workspace_id: int, step_id: int, by: int) -> None:
    con = ui_store.connection()
    attempt(lambda: goals.move_step(con, workspace_id, step_id, by, who()))


def _remove_step(workspace_id: int, step_id: int) -> None:
    con = ui_store.connection()
    attempt(lambda: goals.remove_step(con, workspace_id, step_id, who()), "Step removed.")


def goal_editor(workspace_id: int, row: dict[str, Any], plan: pd.DataFrame) -> None:
    """Change a goal's wording and date, and each step's wording, date and place."""
    con = ui_store.connection()
    goal_id = int(row["id"])
    with st.expander("Edit this goal", key=f"goal_{goal_id}_edit"):
        with st.form(f"goal_{goal_id}_edit_form"):
            left, right = st.columns([3, 1])
            title = left.text_input("The goal", value=str(row["title"]))
            target = right.date_input(
                "By", value=pd.Timestamp(row["target_date"]).date(), format="YYYY-MM-DD"
            )
            if st.form_submit_button("Save the goal") and attempt(
                lambda: goals.edit_goal(con, workspace_id, goal_id, title, target, who()),
                "Goal saved.",
            ):
                st.rerun()
        records = [s for s in plan.to_dict("records") if s["kind"] != "goal"]
        step_ids = [int(s["id"]) for s in records if s["kind"] == "step"]
        for step in records:
            _step_row(workspace_id, goal_id, step, step_ids)
        revisions_table(
            pd.concat(
                [
                    history.edits(con, workspace_id, "goal", str(goal_id)),
                    history.edits(con, workspace_id, "step", str(goal_id)),
                ]
            )
        )


def _step_row(workspace_id: int, goal_id: int, step: dict[Any, Any], step_ids: list[int]) -> None:
    con = ui_store.connection()
    step_id = int(step["id"])
    base = f"goal_{goal_id}_step_{step_id}"
    with st.form(f"{base}_form", border=False):
        label = goals.KIND_LABEL[step["kind"]]
        a, b, c = st.columns([4, 2, 1], vertical_alignment="bottom")
        title = a.text_input(label, value=str(step["title"]), key=f"{base}_title")
        due = b.date_input(
            f"{label} due",
            value=pd.Timestamp(step["due"]).date(),
            format="YYYY-MM-DD",
            key=f"{base}_due",
        )
        if c.form_submit_button("Save") and attempt(
            lambda: goals.edit_step(con, workspace_id, step_id, title, due, who()), "Step saved."
        ):
            st.rerun()
    if step["kind"] == "step":
        at = step_ids.index(step_id)
        up, down, drop, _ = st.columns([1, 1, 2, 6])
        up.button(
            "↑",
            key=f"{base}_up",
            on_click=_move_step,
            args=(workspace_id, step_id, -1),
            disabled=at == 0,
            help="Move this step earlier in the plan",
        )
        down.button(
            "↓",
            key=f"{base}_down",
            on_click=_move_step,
            args=(workspace_id, step_id, 1),
            disabled=at == len(step_ids) - 1,
            help="Move this step later in the plan",
        )
        drop.button(
            "Remove", key=f"{base}_remove", on_click=_remove_step, args=(workspace_id, step_id)
        )
