"""A listed record (an invitation, a snapshot) as the JSON the command line prints."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any


def record_json(item: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """The dataclass `item`'s fields in order, but `leave_out` (what the listing keeps to
    itself), dates and times in ISO form, then its `state()`."""
    shown = {f.name: getattr(item, f.name) for f in fields(item) if f.name not in leave_out}
    return {
        **{k: v.isoformat() if isinstance(v, date) else v for k, v in shown.items()},
        "state": item.state(),
    }
