"""Elephant walk: a goal with a date, one task for today, short dated steps, and progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.checklists.history import log_edit, move_saved
from analytics.errors import ChecklistError
from analytics.store import Connection, reader, transaction
from analytics.store.rows import row_by_id

# A plan reads in this order: today's task, the steps, the finished goal.
STEP_KINDS = ("task", "step", "goal")
KIND_LABEL = {"task": "Today", "step": "Step", "goal": "Goal reached"}


@dataclass(frozen=True)
class Goal:
    id: int
    title: str
    target_date: date
    owner: str
    source_run_id: int | None
    source_item_id: str | None


def create_goal(
    con: Connection,
    workspace_id: int,
    title: str,
    target_date: date,
    immediate_task: str,
    today: date,
    steps: list[tuple[str, date]] | None = None,
    *,
    owner: str = "",
    source_run_id: int | None = None,
    source_item_id: str | None = None,
) -> int:
    """Save a goal with its task for today, its steps and the goal itself as the last step."""
    if not title.strip():
        raise ChecklistError("Name the goal first: one sentence someone else could check.")
    if not immediate_task.strip():
        raise ChecklistError("Add one thing you can do today toward the goal.")
    if target_date < today:
        raise ChecklistError("The goal's date has already passed: pick a day from today on.")
    clean_steps = [(t.strip(), d) for t, d in (steps or []) if t.strip()]
    late = [t for t, d in clean_steps if d > target_date]
    if late:
        raise ChecklistError(f"These steps are due after the goal's date: {', '.join(late)}.")
    with transaction(con) as tx:
        goal_id = int(
            tx.execute(
                "INSERT INTO goals (workspace_id, title, target_date, owner, source_run_id, "
                "source_item_id) VALUES ($w, $t, $d, $o, $r, $i) RETURNING id",
                {
                    "w": workspace_id,
                    "t": title.strip(),
                    "d": target_date,
                    "o": owner.strip(),
                    "r": source_run_id,
                    "i": source_item_id,
                },
            ).fetchall()[0][0]
        )
        plan = [("task", immediate_task.strip(), today)]
        plan += [("step", t, d) for t, d in clean_steps]
        plan += [("goal", title.strip(), target_date)]
        for kind, text, due in plan:
            tx.execute(
                "INSERT INTO goal_steps (workspace_id, goal_id, kind, title, due) "
                "VALUES ($w, $g, $k, $t, $d)",
                {"w": workspace_id, "g": goal_id, "k": kind, "t": text, "d": due},
            )
    return goal_id


def get_goal(con: Connection, workspace_id: int, goal_id: int) -> Goal:
    columns = "id, title, target_date, owner, source_run_id, source_item_id"
    missing = ChecklistError(f"No goal {goal_id} in this workspace.")
    return Goal(*row_by_id(con.cursor(), "goals", columns, workspace_id, goal_id, missing))


def add_step(con: Connection, workspace_id: int, goal_id: int, title: str, due: date) -> int:
    goal = get_goal(con, workspace_id, goal_id)
    if not title.strip():
        raise ChecklistError("Describe the step: something you can measure.")
    if due > goal.target_date:
        raise ChecklistError("A step cannot be due after the goal's own date.")
    with transaction(con) as tx:
        row = tx.execute(
            "INSERT INTO goal_steps (workspace_id, goal_id, kind, title, due) "
            "VALUES ($w, $g, 'step', $t, $d) RETURNING id",
            {"w": workspace_id, "g": goal_id, "t": title.strip(), "d": due},
        ).fetchall()
    return int(row[0][0])


def set_step_done(con: Connection, workspace_id: int, step_id: int, done_on: date | None) -> None:
    """Tick a step off on a day (or None: not done after all)."""
    with transaction(con) as tx:
        found = tx.execute(
            "UPDATE goal_steps SET done_on = $d WHERE workspace_id = $w AND id = $s RETURNING id",
            {"d": done_on, "w": workspace_id, "s": step_id},
        ).fetchall()
    if not found:
        raise ChecklistError(f"No goal step {step_id} in this workspace.")


def plan(con: Connection, workspace_id: int, goal_id: int, as_of: date) -> pd.DataFrame:
    """A goal's steps in plan order: id, kind, title, due, done_on, done, overdue."""
    return (
        con.cursor()
        .execute(
            """SELECT id, kind, title, due, done_on,
              done_on IS NOT NULL AND done_on <= $a AS done,
              due < $a AND (done_on IS NULL OR done_on > $a) AS overdue
            FROM goal_steps WHERE workspace_id = $w AND goal_id = $g
            ORDER BY CASE kind WHEN 'task' THEN 0 WHEN 'step' THEN 1 ELSE 2 END, position NULLS LAST,
              due, id""",
            {"w": workspace_id, "g": goal_id, "a": as_of},
        )
        .df()
    )


def overview(con: Connection, workspace_id: int, as_of: date) -> pd.DataFrame:
    """One row per goal: id, title, target_date, owner, steps, done, progress, overdue, reached."""
    return (
        con.cursor()
        .execute(
            """WITH steps AS (
              SELECT goal_id,
                count(*) AS steps,
                count(*) FILTER (WHERE done_on IS NOT NULL AND done_on <= $a) AS done,
                count(*) FILTER (WHERE due < $a AND (done_on IS NULL OR done_on > $a)) AS overdue,
                bool_or(kind = 'goal' AND done_on IS NOT NULL AND done_on <= $a) AS reached
              FROM goal_steps WHERE workspace_id = $w GROUP BY goal_id)
            SELECT g.id, g.title, g.target_date, g.owner,
              coalesce(s.steps, 0) AS steps, coalesce(s.done, 0) AS done,
              coalesce(s.done, 0) / greatest(coalesce(s.steps, 0), 1) AS progress,
              coalesce(s.overdue, 0) AS overdue, coalesce(s.reached, false) AS reached
            FROM goals g LEFT JOIN steps s ON s.goal_id = g.id
            WHERE g.workspace_id = $w ORDER BY g.target_date, g.id""",
            {"w": workspace_id, "a": as_of},
        )
        .df()
    )


def overdue_steps(con: Connection, workspace_id: int, as_of: date) -> pd.DataFrame:
    """Steps due before `as_of` and not done by then: goal, step, due, days_late."""
    return (
        con.cursor()
        .execute(
            """SELECT g.id AS goal_id, g.title AS goal, s.title AS step, s.kind, s.due,
              date_diff('day', s.due, $a) AS days_late
            FROM goal_steps s JOIN goals g ON g.id = s.goal_id AND g.workspace_id = s.workspace_id
            WHERE s.workspace_id = $w AND s.due < $a AND (s.done_on IS NULL OR s.done_on > $a)
            ORDER BY s.due, g.id, s.id""",
            {"w": workspace_id, "a": as_of},
        )
        .df()
    )


# ---------------------------------------------------------------- editing a goal after saving


def edit_goal(
    con: Connection, workspace_id: int, goal_id: int, title: str, target_date: date, who: str = ""
) -> bool:
    """A goal's new wording or date (its "goal reached" step follows); False when unchanged."""
    goal = get_goal(con, workspace_id, goal_id)
    clean = title.strip()
    if not clean:
        raise ChecklistError("Name the goal first: one sentence someone else could check.")
    late = (
        reader(con)
        .execute(
            "SELECT title FROM goal_steps WHERE workspace_id = $w AND goal_id = $g "
            "AND kind <> 'goal' AND due > $d ORDER BY due, id",
            {"w": workspace_id, "g": goal_id, "d": target_date},
        )
        .fetchall()
    )
    if late:
        names = ", ".join(r[0] for r in late)
        raise ChecklistError(f"These steps are due after the new date: {names}.")
    if (clean, target_date) == (goal.title, goal.target_date):
        return False
    with transaction(con) as tx:
        params = {"w": workspace_id, "g": goal_id, "t": clean, "d": target_date}
        tx.execute(
            "UPDATE goals SET title = $t, target_date = $d WHERE workspace_id = $w AND id = $g",
            params,
        )
        tx.execute(
            "UPDATE goal_steps SET title = $t, due = $d "
            "WHERE workspace_id = $w AND goal_id = $g AND kind = 'goal'",
            params,
        )
        if clean != goal.title:
            log_edit(tx, workspace_id, "goal", str(goal_id), "title", goal.title, clean, who)
        if target_date != goal.target_date:
            log_edit(
                tx, workspace_id, "goal", str(goal_id), "date", goal.target_date, target_date, who
            )
    return True


def _step(con: Connection, workspace_id: int, step_id: int) -> tuple[int, str, str, date]:
    rows = (
        reader(con)
        .execute(
            "SELECT goal_id, kind, title, due FROM goal_steps WHERE workspace_id = $w AND id = $s",
            {"w": workspace_id, "s": step_id},
        )
        .fetchall()
    )
    if not rows:
        raise ChecklistError(f"No goal step {step_id} in this workspace.")
    goal_id, kind, title, due = rows[0]
    return int(goal_id), str(kind), str(title), due


def edit_step(
    con: Connection, workspace_id: int, step_id: int, title: str, due: date, who: str = ""
) -> bool:
    """A step's (or today's task's) new wording and date; the goal itself is edited above."""
    goal_id, kind, old_title, old_due = _step(con, workspace_id, step_id)
    if kind == "goal":
        raise ChecklistError("Change the goal's own wording and date on the goal.")
    clean = title.strip()
    if not clean:
        raise ChecklistError("Describe the step: something you can measure.")
    if due > get_goal(con, workspace_id, goal_id).target_date:
        raise ChecklistError("A step cannot be due after the goal's own date.")
    if (clean, due) == (old_title, old_due):
        return False
    subject = f"{goal_id}/{step_id}"
    with transaction(con) as tx:
        tx.execute(
            "UPDATE goal_steps SET title = $t, due = $d WHERE workspace_id = $w AND id = $s",
            {"t": clean, "d": due, "w": workspace_id, "s": step_id},
        )
        if clean != old_title:
            log_edit(tx, workspace_id, "step", subject, "title", old_title, clean, who)
        if due != old_due:
            log_edit(tx, workspace_id, "step", subject, "due", old_due, due, who)
    return True


def remove_step(con: Connection, workspace_id: int, step_id: int, who: str = "") -> None:
    """Take a step out of the plan (today's task and the goal itself stay)."""
    goal_id, kind, title, _ = _step(con, workspace_id, step_id)
    if kind != "step":
        raise ChecklistError("Only steps can be removed; edit today's task or the goal instead.")
    with transaction(con) as tx:
        tx.execute(
            "DELETE FROM goal_steps WHERE workspace_id = $w AND id = $s",
            {"w": workspace_id, "s": step_id},
        )
        log_edit(tx, workspace_id, "step", f"{goal_id}/{step_id}", "removed", title, "", who)


def move_step(con: Connection, workspace_id: int, step_id: int, by: int, who: str = "") -> bool:
    """Move a step up (by < 0) or down among the goal's steps; False at either end."""
    goal_id, kind, _, _ = _step(con, workspace_id, step_id)
    if kind != "step":
        raise ChecklistError("Only steps move; today's task comes first and the goal last.")
    frame = plan(con, workspace_id, goal_id, date.min)
    steps = [int(i) for i, k in zip(frame["id"], frame["kind"], strict=True) if k == "step"]
    return move_saved(
        con,
        workspace_id,
        steps,
        step_id,
        by,
        "UPDATE goal_steps SET position = $p WHERE workspace_id = $w AND id = $i",
        {},
        ("step", f"{goal_id}/{step_id}"),
        who,
    )
