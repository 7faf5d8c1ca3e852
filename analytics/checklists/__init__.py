"""Hard reset: checklist templates and runs, goals (elephant walk), season resets and exports."""

from __future__ import annotations

from analytics.checklists import edits, export, goals, history, runs, seasons
from analytics.checklists.templates import (
    KINDS,
    NOT_STARTED,
    STATUS_LABEL,
    TEMPLATE_DIR,
    Item,
    Library,
    Template,
    add_item,
    add_template,
    builtin,
    load_library,
    templates_for,
)

__all__ = [
    "KINDS",
    "NOT_STARTED",
    "STATUS_LABEL",
    "TEMPLATE_DIR",
    "Item",
    "Library",
    "Template",
    "add_item",
    "add_template",
    "builtin",
    "edits",
    "export",
    "goals",
    "history",
    "load_library",
    "runs",
    "seasons",
    "suggestions",
    "templates_for",
]


def suggestions(
    statuses: dict[str, str], checklists_of: dict[str, tuple[str, ...]]
) -> dict[str, list[str]]:
    """Template id → the red indicators that suggest it (from each indicator's `checklists`)."""
    out: dict[str, list[str]] = {}
    for ind_id, status in statuses.items():
        if status == "red":
            for template_id in checklists_of.get(ind_id, ()):
                out.setdefault(template_id, []).append(ind_id)
    return out
