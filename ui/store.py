"""The store as the app sees it: one DuckDB connection per process, cached reads, guarded writes.

Every query takes its own `cursor()` (DuckDB 2.0 refuses a connection shared across
threads); writes go through `analytics.store.transaction`, which holds the process's
write lock. Cached functions take scalars only, and always the workspace id, so one
business's figures can never be served for another.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from analytics import store
from analytics.errors import OpeningDayError
from analytics.settings import get_settings
from ui.format import plain


def _close(con: store.Connection) -> None:
    con.close()


@st.cache_resource(show_spinner=False, on_release=_close)
def _connection(path: str) -> store.Connection:
    return store.connect(path)


def connection() -> store.Connection:
    """The process's connection. A locked or unreadable store stops the page with one line."""
    try:
        return _connection(str(store.db_path()))
    except OpeningDayError as exc:
        st.error(plain(exc), icon="⛔")
        st.stop()


def changed() -> None:
    """Forget cached reads after a write (import, undo, demo, workspace change)."""
    st.cache_data.clear()


# ---------------------------------------------------------------- cached reads


@st.cache_data(show_spinner=False, max_entries=256)
def entity_counts(workspace_id: int) -> dict[str, int]:
    return store.entity_counts(connection(), workspace_id)


@st.cache_data(show_spinner=False, max_entries=256)
def data_range(workspace_id: int) -> pd.DataFrame:
    return store.data_range(connection(), workspace_id)


@st.cache_data(show_spinner=False, max_entries=256)
def last_data_date(workspace_id: int) -> date | None:
    value: Any = store.last_data_date(connection(), workspace_id)
    if value is None:
        return None
    return pd.Timestamp(value).date()


@st.cache_data(show_spinner=False, max_entries=256)
def settings(workspace_id: int) -> dict[str, Any]:
    return get_settings(connection(), workspace_id)


def currency(workspace_id: int) -> str:
    return str(settings(workspace_id)["currency"])


# ---------------------------------------------------------------- uncached, cheap reads


def workspaces() -> list[store.Workspace]:
    return store.list_workspaces(connection())


def store_is_empty() -> bool:
    return store.is_empty(connection())


def batches(workspace_id: int) -> list[store.Batch]:
    return store.list_batches(connection(), workspace_id)
