"""The one DuckDB store, a package by question: opening it (connection), writes and the
journal (transactions), its schema version (migrations), workspaces and batches. Everything
is reachable here, as `store.x`; what is loaded (the data's dates and counts) lives here
too, so a test that moves `store.today` moves every "as of" day with it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from analytics.entities import ENTITY_NAMES
from analytics.schema import MIGRATIONS as MIGRATIONS
from analytics.schema import SCHEMA_VERSION as SCHEMA_VERSION
from analytics.store.batches import BATCH_COLUMNS as BATCH_COLUMNS
from analytics.store.batches import Batch as Batch
from analytics.store.batches import batch_rejects as batch_rejects
from analytics.store.batches import find_imported as find_imported
from analytics.store.batches import get_batch as get_batch
from analytics.store.batches import list_batches as list_batches
from analytics.store.batches import reconcile_customers as reconcile_customers
from analytics.store.batches import record_batch as record_batch
from analytics.store.batches import refresh_facts as refresh_facts
from analytics.store.batches import set_customers_created as set_customers_created
from analytics.store.batches import undo_batch as undo_batch
from analytics.store.batches import undo_batch_in as undo_batch_in
from analytics.store.connection import DB_ENV as DB_ENV
from analytics.store.connection import DEFAULT_DB as DEFAULT_DB
from analytics.store.connection import DUCKDB_CONFIG as DUCKDB_CONFIG
from analytics.store.connection import PROJECT_ROOT as PROJECT_ROOT
from analytics.store.connection import connect as connect
from analytics.store.connection import db_path as db_path
from analytics.store.migrations import migrate as migrate
from analytics.store.migrations import schema_version as schema_version
from analytics.store.transactions import WRITE_LOCK as WRITE_LOCK
from analytics.store.transactions import Connection as Connection
from analytics.store.transactions import Notice as Notice
from analytics.store.transactions import dismiss_notice as dismiss_notice
from analytics.store.transactions import in_transaction as in_transaction
from analytics.store.transactions import journal_seq as journal_seq
from analytics.store.transactions import reader as reader
from analytics.store.transactions import store_notices as store_notices
from analytics.store.transactions import transaction as transaction
from analytics.store.workspaces import WORKSPACE_TABLES as WORKSPACE_TABLES
from analytics.store.workspaces import Workspace as Workspace
from analytics.store.workspaces import create_workspace as create_workspace
from analytics.store.workspaces import delete_workspace as delete_workspace
from analytics.store.workspaces import ensure_workspace as ensure_workspace
from analytics.store.workspaces import find_workspace as find_workspace
from analytics.store.workspaces import get_workspace as get_workspace
from analytics.store.workspaces import get_workspace_by_id as get_workspace_by_id
from analytics.store.workspaces import list_workspaces as list_workspaces
from analytics.store.workspaces import rename_workspace as rename_workspace
from analytics.store_faults import MARKER_FRESH_SECONDS as MARKER_FRESH_SECONDS
from analytics.store_faults import STORE_FAULTS as STORE_FAULTS
from analytics.store_faults import someone_waiting as someone_waiting
from analytics.store_faults import translate_error as translate_error
from analytics.store_faults import waiting_marker as waiting_marker

if TYPE_CHECKING:
    import pandas as pd

# ---------------------------------------------------------------- what is loaded


def entity_counts(con: Connection, workspace_id: int) -> dict[str, int]:
    """Rows per entity in a workspace (customers counted once each)."""
    parts = [
        f"SELECT '{name}' AS entity, count(*) AS n FROM "
        f"{'customers_current' if name == 'customers' else 'deals_current' if name == 'deals' else name}"
        " WHERE workspace_id = $w"
        for name in ENTITY_NAMES
    ]
    rows = reader(con).execute(" UNION ALL ".join(parts), {"w": workspace_id}).fetchall()
    return {r[0]: int(r[1]) for r in rows}


# The date that says "when" something happened, per entity: the data's range and every "as
# of" day come from it. An open deal's close date is a forecast, so an open deal counts by
# the day it was created; rows dated after today (a typo, a forecast) never set a day.
ENTITY_DATE: dict[str, str] = {
    "invoices": "date",
    "deals": "CASE WHEN status = 'open' THEN created ELSE coalesce(closed, created) END",
    "time_entries": "date",
    "activities": "date",
    "tickets": "opened",
}


def today() -> date:
    """The machine's date: no "as of" day runs past it (tests move it)."""
    return date.today()


def _real_dates(name: str) -> str:
    expr = ENTITY_DATE[name]
    return f"FROM {name} WHERE workspace_id = $w AND {expr} <= $today"


def data_range(con: Connection, workspace_id: int) -> pd.DataFrame:
    """First and last real date per dated entity (undated rows and days after today left out)."""
    parts = [
        f"SELECT '{name}' AS entity, min({expr}) AS first, max({expr}) AS last " + _real_dates(name)
        for name, expr in ENTITY_DATE.items()
    ]
    return (
        reader(con).execute(" UNION ALL ".join(parts), {"w": workspace_id, "today": today()}).df()
    )


def entity_last_day(con: Connection, workspace_id: int, name: str) -> date | None:
    """The last real date of one entity: its own "as of" day (None when it has none)."""
    expr = ENTITY_DATE[name]
    row = (
        reader(con)
        .execute(f"SELECT max({expr}) " + _real_dates(name), {"w": workspace_id, "today": today()})
        .fetchall()
    )
    value = row[0][0]
    if value is None or isinstance(value, date):
        return value
    import pandas as pd  # not at the top: the command-line import never needs pandas

    return pd.Timestamp(value).date()


def last_data_date(con: Connection, workspace_id: int) -> Any:
    """The last real date in the workspace's data: the default "as of" day. None when empty.

    The latest thing that happened: never an open deal's expected close, never after today.
    """
    parts = " UNION ALL ".join(
        f"SELECT max({expr}) AS d " + _real_dates(name) for name, expr in ENTITY_DATE.items()
    )
    return (
        reader(con)
        .execute(f"SELECT max(d) FROM ({parts})", {"w": workspace_id, "today": today()})
        .fetchall()[0][0]
    )


def is_empty(con: Connection) -> bool:
    """True when no workspace holds any data (the first-run screen)."""
    parts = " UNION ALL ".join(f"SELECT count(*) AS n FROM {n}" for n in ENTITY_NAMES)
    return int(reader(con).execute(f"SELECT sum(n) FROM ({parts})").fetchall()[0][0] or 0) == 0
