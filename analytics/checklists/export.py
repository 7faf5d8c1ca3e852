"""A checklist run or a goal plan as Markdown and as CSV that is safe to open in a spreadsheet."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analytics.checklists.goals import KIND_LABEL, Goal
from analytics.checklists.runs import Answer, Run
from analytics.checklists.templates import STATUS_LABEL, Template
from analytics.format import safe_cell
from analytics.format import safe_csv_text as safe_csv

__all__ = ["goal_frame", "goal_markdown", "run_frame", "run_markdown", "safe_cell", "safe_csv"]


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def run_frame(template: Template, answers: dict[str, Answer]) -> pd.DataFrame:
    """One row per item: section, question, answer, note, owner, due."""
    blank = Answer()
    rows = [
        {
            "section": it.section,
            "question": it.prompt,
            "answer": STATUS_LABEL[answers.get(it.id, blank).status].split(" ", 1)[1],
            "note": answers.get(it.id, blank).note,
            "owner": answers.get(it.id, blank).owner,
            "due": _day(answers.get(it.id, blank).due),
        }
        for it in template.items
    ]
    return pd.DataFrame(rows, columns=["section", "question", "answer", "note", "owner", "due"])


def _md(text: str) -> str:
    """Owner text made inert in Markdown: no links, HTML or headings sneak into the file."""
    return "".join("\\" + ch if ch in "\\`*_[]<>#|!" else ch for ch in text).replace("\n", " ")


def run_markdown(template: Template, run: Run, answers: dict[str, Answer]) -> str:
    lines = [f"# {template.title}", "", f"Run of {_day(run.started_on)}", ""]
    section = None
    blank = Answer()
    for it in template.items:
        if it.section != section:
            section = it.section
            lines += [f"## {_md(section or 'Items')}", ""]
        a = answers.get(it.id, blank)
        lines.append(f"- **{_md(it.prompt)}** — {STATUS_LABEL[a.status]}")
        if a.note:
            lines.append(f"  - Note: {_md(a.note)}")
        if a.owner or a.due:
            lines.append(f"  - Owner: {_md(a.owner) or '—'}; due: {_day(a.due) or '—'}")
    return "\n".join(lines) + "\n"


def goal_frame(plan: pd.DataFrame) -> pd.DataFrame:
    """A goal plan for export: kind, step, due, done on."""
    return pd.DataFrame(
        {
            "kind": plan["kind"].map(KIND_LABEL),
            "step": plan["title"],
            "due": [_day(pd.Timestamp(d).date()) for d in plan["due"]],
            "done_on": [
                "" if pd.isna(d) else _day(pd.Timestamp(d).date()) for d in plan["done_on"]
            ],
        },
        columns=["kind", "step", "due", "done_on"],
    )


def goal_markdown(goal: Goal, plan: pd.DataFrame) -> str:
    frame = goal_frame(plan)
    lines = [f"# Goal: {_md(goal.title)}", "", f"Target date: {_day(goal.target_date)}", ""]
    for kind, step, due, done in zip(
        frame["kind"], frame["step"], frame["due"], frame["done_on"], strict=True
    ):
        box = "x" if done else " "
        lines.append(f"- [{box}] {kind}: {_md(step)} (due {due}{', done ' + done if done else ''})")
    return "\n".join(lines) + "\n"
