"""Answers over time: every run of a checklist side by side — per section, how many items got
each kind of answer at each run, and which answers changed from one run to the next."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analytics import format as fmt
from analytics.checklists.runs import Answer, answer_map, list_runs
from analytics.checklists.templates import NOT_STARTED, STATUS_LABEL, Template
from analytics.store import Connection

# Answers grouped for the chart: it works (yes, done, keep), halfway, it does not, not answered.
GROUPS: dict[str, tuple[str, ...]] = {
    "works": ("yes", "done", "keep"),
    "partly": ("partly", "doing", "fix"),
    "not": ("no", "replace", "reset"),
    "open": (NOT_STARTED,),
}
GROUP_LABEL = {
    "works": "✔ Yes / done / keep",
    "partly": "◐ Partly / fix",
    "not": "✘ No / replace / reset",
    "open": "○ Not answered",
}
_GROUP_OF = {status: group for group, statuses in GROUPS.items() for status in statuses}


def history(con: Connection, workspace_id: int, template: Template) -> pd.DataFrame:
    """Every run of the template, oldest first, item by item: run_id, run (its day as the
    owner reads it, "10 Jan 2026"; "#id" added when two runs share a day),
    item_id, section, prompt, status."""
    these = [r for r in list_runs(con, workspace_id) if r.template_id == template.id]
    these.sort(key=lambda r: (r.started_on, r.id))
    rows: list[dict[str, Any]] = []
    for run in these:
        answered = answer_map(con, workspace_id, run.id)
        label = fmt.day(run.started_on)  # "10 Jan 2026", as the owner reads a day
        if sum(r.started_on == run.started_on for r in these) > 1:
            label += f" (#{run.id})"
        for it in template.items:
            rows.append(
                {
                    "run_id": run.id,
                    "run": label,
                    "item_id": it.id,
                    "section": it.section,
                    "prompt": it.prompt,
                    "status": answered.get(it.id, Answer()).status,
                }
            )
    return pd.DataFrame(rows, columns=["run_id", "run", "item_id", "section", "prompt", "status"])


def section_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Per section and run (in run order): works, partly, not, open — how many items each."""
    cols = ["section", "run", *GROUPS]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    grouped = frame.assign(group=frame["status"].map(_GROUP_OF))
    table = (
        grouped.groupby(["section", "run_id", "run", "group"], sort=False)
        .size()
        .unstack("group", fill_value=0)
        .reindex(columns=list(GROUPS), fill_value=0)
        .reset_index()
    )
    order = list(dict.fromkeys(frame["section"]))
    table["section_order"] = table["section"].map(order.index)
    table = table.sort_values(["section_order", "run_id"], kind="stable")
    return table[cols].reset_index(drop=True)


def changes(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per item, one column per run (its answer in words, "→" when it changed from the
    run before), and how many times the answer changed."""
    if frame.empty:
        return pd.DataFrame(columns=["section", "prompt", "changes"])
    runs_in_order = list(dict.fromkeys(frame["run"]))
    rows: list[dict[str, Any]] = []
    for _, part in frame.groupby("item_id", sort=False):
        row: dict[str, Any] = {"section": part["section"].iloc[0], "prompt": part["prompt"].iloc[0]}
        before, moves = None, 0
        for run, status in zip(part["run"], part["status"], strict=True):
            moved = before is not None and status != before
            moves += moved
            row[run] = ("→ " if moved else "") + STATUS_LABEL[status]
            before = status
        row["changes"] = moves
        rows.append(row)
    return pd.DataFrame(rows, columns=["section", "prompt", *runs_in_order, "changes"])


def changed_per_run(frame: pd.DataFrame) -> dict[str, int]:
    """Run → how many items were answered differently from the run before (the first: 0)."""
    table = changes(frame)
    runs_in_order = [c for c in table.columns if c not in ("section", "prompt", "changes")]
    return {run: int(table[run].str.startswith("→ ").sum()) for run in runs_in_order}
