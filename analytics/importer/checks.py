"""Sanity checks on imported rows: which rows fail which check, kept in `row_checks` so the
Home page can list them, and which figures leave them out.

The rows stay in the store (an owner may fix the file and re-import with --replace); the
figures they would distort skip them:
  - negative hours: every hours sum reads `hours >= 0` (analytics/sql/*.sql);
  - a deal id repeated in one file: deals are read through deals_current, one row per id
    (the file's last row for it), so the earlier rows are flagged and counted once;
  - a ticket resolved before it was opened: no figure reads resolution times yet; one that
    does must leave these tickets out;
  - a date after today: figures run up to today at most, so these rows fall outside them.
Duplicate ids are checked for deals only: the one kind of data with an id of its own.
Invoices have no line number, so the same invoice no. on several lines is normal, and an
identical line repeated is kept as a line (see the fingerprint rule in batch.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analytics import store
from analytics.queries import query
from analytics.store import Connection

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Check:
    """One sanity check on one kind of data. `label` follows a count ("3 tickets with …");
    `condition` and `detail` are SQL over the entity's rows (alias r) of one batch; `detail`
    names the row for the owner."""

    id: str
    entity: str
    label: str
    condition: str
    detail: str
    left_out: str


_LATER_ROW_SAME_DEAL = (
    "EXISTS (SELECT 1 FROM deals d WHERE d.workspace_id = r.workspace_id "
    "AND d.batch_id = r.batch_id AND d.deal_id = r.deal_id AND d.source_row > r.source_row)"
)
_FUTURE_LEFT_OUT = "Every figure: figures count up to today at most."

CHECKS: tuple[Check, ...] = (
    Check(
        "resolved_before_opened",
        "tickets",
        "tickets resolved before they were opened",
        "r.resolved < r.opened",
        "concat_ws(', ', r.customer, 'opened ' || r.opened, 'resolved ' || r.resolved)",
        "Resolution times (no figure uses them yet); the tickets still count as tickets.",
    ),
    Check(
        "negative_hours",
        "time_entries",
        "time entries with negative hours",
        "r.hours < 0",
        "concat_ws(', ', r.person, CAST(r.date AS VARCHAR), r.hours || ' h')",
        "Every hours figure: workload, prospecting, time use, coverage, margins, deal hours.",
    ),
    Check(
        "negative_hours",
        "tickets",
        "tickets with negative hours",
        "r.hours < 0",
        "concat_ws(', ', r.customer, CAST(r.opened AS VARCHAR), r.hours || ' h')",
        "Support hours (value vs burden, ticket hours); the tickets still count as tickets.",
    ),
    Check(
        "duplicate_id",
        "deals",
        "deal rows whose deal id a later row of the file repeats",
        _LATER_ROW_SAME_DEAL,
        "'deal ' || r.deal_id",
        "Counted once everywhere: each deal is read from the file's last row for its id.",
    ),
    Check(
        "future_date",
        "invoices",
        "invoice lines dated after today",
        "r.date > $today",
        "concat_ws(', ', r.customer, CAST(r.date AS VARCHAR))",
        _FUTURE_LEFT_OUT,
    ),
    Check(
        "future_date",
        "deals",
        "deals created, won or lost after today",
        "r.created > $today OR (r.status <> 'open' AND r.closed > $today)",
        "concat_ws(', ', 'deal ' || r.deal_id, 'created ' || r.created, 'closed ' || r.closed)",
        _FUTURE_LEFT_OUT,
    ),
    Check(
        "future_date",
        "time_entries",
        "time entries dated after today",
        "r.date > $today",
        "concat_ws(', ', r.person, CAST(r.date AS VARCHAR))",
        _FUTURE_LEFT_OUT,
    ),
    Check(
        "future_date",
        "activities",
        "activities dated after today",
        "r.date > $today",
        "concat_ws(', ', r.type, CAST(r.date AS VARCHAR))",
        _FUTURE_LEFT_OUT,
    ),
    Check(
        "future_date",
        "tickets",
        "tickets opened or resolved after today",
        "r.opened > $today OR r.resolved > $today",
        "concat_ws(', ', r.customer, 'opened ' || r.opened, 'resolved ' || r.resolved)",
        _FUTURE_LEFT_OUT,
    ),
    Check(
        "future_date",
        "customers",
        "customers first seen after today",
        "r.first_seen > $today",
        "concat_ws(', ', r.customer, CAST(r.first_seen AS VARCHAR))",
        "Counts of new customers per period: they fall after today.",
    ),
)


def checks_for(entity: str) -> tuple[Check, ...]:
    return tuple(c for c in CHECKS if c.entity == entity)


def check(entity: str, check_id: str) -> Check:
    for c in CHECKS:
        if c.entity == entity and c.id == check_id:
            return c
    raise KeyError(f"no check {check_id!r} on {entity}")


def run_checks(tx: Connection, workspace_id: int, entity: str, batch_id: int) -> dict[str, int]:
    """Flag the batch's rows that fail a check (in row_checks); returns the count per check."""
    mine = checks_for(entity)
    if not mine:
        return {}
    parts = [
        f"SELECT r.source_row, '{c.id}' AS check_id, {c.detail} AS detail FROM {entity} r "
        f"WHERE r.workspace_id = $w AND r.batch_id = $b AND ({c.condition})"
        for c in mine
    ]
    tx.execute(
        "INSERT INTO row_checks (workspace_id, batch_id, entity, source_row, check_id, detail) "
        f"SELECT $w, $b, '{entity}', source_row, check_id, detail FROM ({' UNION ALL '.join(parts)})",  # noqa: S608 - from CHECKS
        {"w": workspace_id, "b": batch_id, "today": store.today()},
    )
    rows = tx.execute(
        "SELECT check_id, count(*) FROM row_checks WHERE batch_id = $b GROUP BY check_id",
        {"b": batch_id},
    ).fetchall()
    found = {str(r[0]): int(r[1]) for r in rows}
    return {c.id: found[c.id] for c in mine if found.get(c.id)}


def data_checks(con: Connection, workspace_id: int) -> pd.DataFrame:
    """Per kind of data and check, the rows in use that fail it: how many, the first few
    (row number and what names the row) and the files; with the check's label and which
    figures leave them out."""
    frame = query(con, "import_row_checks", {"w": workspace_id})
    frame["label"] = [
        check(e, c).label for e, c in zip(frame["entity"], frame["check_id"], strict=True)
    ]
    frame["left_out"] = [
        check(e, c).left_out for e, c in zip(frame["entity"], frame["check_id"], strict=True)
    ]
    return frame
