"""Checklist runs: dated instances of a template, answered item by item, every change kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from analytics.checklists.templates import NOT_STARTED, STATUS_LABEL, Template
from analytics.errors import ChecklistError
from analytics.queries import query
from analytics.store import Connection, transaction
from analytics.store.rows import row_by_id


@dataclass(frozen=True)
class Run:
    id: int
    template_id: str
    started_on: date
    started_by: str
    created_at: datetime
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class Answer:
    status: str = NOT_STARTED
    note: str = ""
    owner: str = ""
    due: date | None = None


_RUN_COLUMNS = "id, template_id, started_on, started_by, created_at, closed_at"


def start_run(
    con: Connection, workspace_id: int, template: Template, started_on: date, started_by: str = ""
) -> Run:
    """A new dated run of `template`; nothing is answered yet."""
    with transaction(con) as tx:
        row = tx.execute(
            "INSERT INTO checklist_runs (workspace_id, template_id, started_on, started_by) "
            "VALUES ($w, $t, $d, $b) RETURNING id",
            {"w": workspace_id, "t": template.id, "d": started_on, "b": started_by.strip()},
        ).fetchall()
    return get_run(con, workspace_id, int(row[0][0]))


def get_run(con: Connection, workspace_id: int, run_id: int) -> Run:
    missing = ChecklistError(f"No checklist run {run_id} in this workspace.")
    return Run(
        *row_by_id(con.cursor(), "checklist_runs", _RUN_COLUMNS, workspace_id, run_id, missing)
    )


def list_runs(con: Connection, workspace_id: int) -> list[Run]:
    """Every run of the workspace, newest first."""
    rows = (
        con.cursor()
        .execute(
            f"SELECT {_RUN_COLUMNS} FROM checklist_runs WHERE workspace_id = $w "
            "ORDER BY started_on DESC, id DESC",
            {"w": workspace_id},
        )
        .fetchall()
    )
    return [Run(*r) for r in rows]


def set_closed(con: Connection, workspace_id: int, run_id: int, closed: bool) -> Run:
    """Mark a run finished (or open it again); its answers stay as they are."""
    get_run(con, workspace_id, run_id)
    with transaction(con) as tx:
        tx.execute(
            "UPDATE checklist_runs SET closed_at = CASE WHEN $c THEN current_localtimestamp() END "
            "WHERE workspace_id = $w AND id = $r",
            {"c": closed, "w": workspace_id, "r": run_id},
        )
    return get_run(con, workspace_id, run_id)


def answers(con: Connection, workspace_id: int, run_id: int) -> pd.DataFrame:
    """The current answer per answered item: item_id, status, note, owner, due, changed_by/at."""
    return query(con, "checklist_answers_current", {"w": workspace_id, "run": run_id})


def answer_map(con: Connection, workspace_id: int, run_id: int) -> dict[str, Answer]:
    frame = answers(con, workspace_id, run_id)
    due = [None if pd.isna(d) else pd.Timestamp(d).date() for d in frame["due"]]
    return {
        item: Answer(status, note, owner, d)
        for item, status, note, owner, d in zip(
            frame["item_id"], frame["status"], frame["note"], frame["owner"], due, strict=True
        )
    }


def answer_item(
    con: Connection,
    workspace_id: int,
    run: Run,
    template: Template,
    item_id: str,
    answer: Answer,
    changed_by: str = "",
) -> bool:
    """Save one item's answer as a new dated revision; False when nothing changed.

    Only this item is written (an appended row), so another session answering another
    item of the same run at the same time keeps its answer too.
    """
    item = template.item(item_id)
    if answer.status not in item.statuses:
        allowed = ", ".join(STATUS_LABEL[s] for s in item.statuses)
        raise ChecklistError(f"{item.prompt!r} can be answered: {allowed}.")
    clean = Answer(answer.status, answer.note.strip(), answer.owner.strip(), answer.due)
    if answer_map(con, workspace_id, run.id).get(item_id, Answer()) == clean:
        return False
    with transaction(con) as tx:
        tx.execute(
            "INSERT INTO checklist_answers "
            "(workspace_id, run_id, item_id, status, note, owner, due, changed_by) "
            "VALUES ($w, $r, $i, $s, $n, $o, $d, $b)",
            {
                "w": workspace_id,
                "r": run.id,
                "i": item_id,
                "s": clean.status,
                "n": clean.note,
                "o": clean.owner,
                "d": clean.due,
                "b": changed_by.strip(),
            },
        )
    return True


def revisions(con: Connection, workspace_id: int, run_id: int) -> pd.DataFrame:
    """Every change to a run, newest first: changed_at, changed_by, item_id, what, status, note."""
    return query(con, "checklist_revisions", {"w": workspace_id, "run": run_id})


def progress(template: Template, answered: dict[str, Answer]) -> tuple[int, int]:
    """(items answered, items in the template): an item counts once it is not 'not started'."""
    done = sum(answered.get(it.id, Answer()).status != NOT_STARTED for it in template.items)
    return done, len(template.items)


def previous_run(con: Connection, workspace_id: int, run: Run) -> Run | None:
    """The run of the same template just before this one (by date, then by when it was made)."""
    rows = (
        con.cursor()
        .execute(
            f"SELECT {_RUN_COLUMNS} FROM checklist_runs WHERE workspace_id = $w AND template_id = $t "
            "AND (started_on < $d OR (started_on = $d AND id < $r)) "
            "ORDER BY started_on DESC, id DESC LIMIT 1",
            {"w": workspace_id, "t": run.template_id, "d": run.started_on, "r": run.id},
        )
        .fetchall()
    )
    return Run(*rows[0]) if rows else None


def compare(
    con: Connection, workspace_id: int, run: Run, template: Template
) -> tuple[Run | None, pd.DataFrame]:
    """This run beside the previous run of the same template, item by item.

    Columns: item_id, section, prompt, then_status, then_note, now_status, now_note, changed.
    """
    before = previous_run(con, workspace_id, run)
    then = answer_map(con, workspace_id, before.id) if before else {}
    now = answer_map(con, workspace_id, run.id)
    blank = Answer()
    rows: list[dict[str, Any]] = [
        {
            "item_id": it.id,
            "section": it.section,
            "prompt": it.prompt,
            "then_status": then.get(it.id, blank).status,
            "then_note": then.get(it.id, blank).note,
            "now_status": now.get(it.id, blank).status,
            "now_note": now.get(it.id, blank).note,
        }
        for it in template.items
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "item_id",
            "section",
            "prompt",
            "then_status",
            "then_note",
            "now_status",
            "now_note",
        ],
    )
    frame["changed"] = (frame["then_status"] != frame["now_status"]) | (
        frame["then_note"] != frame["now_note"]
    )
    return before, frame


def people(con: Connection, workspace_id: int) -> list[str]:
    """The workspace's named people: timesheet and activity persons, deal owners, and names
    already used in checklists and goals — for "who" pickers (free text is allowed too)."""
    rows = (
        con.cursor()
        .execute(
            """SELECT DISTINCT trim(name) AS name FROM (
              SELECT person AS name FROM time_entries WHERE workspace_id = $w
              UNION ALL SELECT person FROM activities WHERE workspace_id = $w
              UNION ALL SELECT owner FROM deals WHERE workspace_id = $w
              UNION ALL SELECT changed_by FROM checklist_answers WHERE workspace_id = $w
              UNION ALL SELECT owner FROM checklist_answers WHERE workspace_id = $w
              UNION ALL SELECT started_by FROM checklist_runs WHERE workspace_id = $w
              UNION ALL SELECT owner FROM goals WHERE workspace_id = $w)
            WHERE name IS NOT NULL AND trim(name) <> '' ORDER BY name""",
            {"w": workspace_id},
        )
        .fetchall()
    )
    return [str(r[0]) for r in rows]
