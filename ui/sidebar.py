"""The sidebar every page shares: which business (workspace) and which day ("as of").

The choice lives in session state (it must survive page changes) and in the URL
(`?ws=NAME&asof=YYYY-MM-DD`) so that a copied link reopens the same view. Pages read
it with `current()`. On a shared server (see ui/access.py) a workspace this session has
not unlocked is never handed to a page: the main area asks for its passphrase instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NoReturn

import streamlit as st

from analytics import store
from ui import access as ui_access
from ui import store as ui_store
from ui.boot import require_app
from ui.format import day
from ui.state import app_state, flash

WS_PARAM = "ws"
AS_OF_PARAM = "asof"
_PICKER_KEY = "_od_workspace_picker"
_AS_OF_KEY = "_od_as_of_picker"


@dataclass(frozen=True)
class Context:
    """What every page needs to know: the workspace and the day its figures run to."""

    workspace: store.Workspace | None
    as_of: date | None  # the day figures run to; None when the workspace has no dated data
    last_data_date: date | None  # the default as-of day

    @property
    def picked_as_of(self) -> bool:
        return self.as_of is not None and self.as_of != self.last_data_date


def _parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _default_workspace(workspaces: list[store.Workspace]) -> store.Workspace:
    """The first workspace that holds data, else the first one."""
    for ws in workspaces:
        if sum(ui_store.entity_counts(ws.id).values()) > 0:
            return ws
    return workspaces[0]


def select_workspace(name: str) -> None:
    """Make `name` the workspace every page shows (after creating, renaming or loading one)."""
    state = app_state()
    state.workspace = name
    st.session_state.pop(_PICKER_KEY, None)


def _resolve(workspaces: list[store.Workspace]) -> store.Workspace | None:
    state = app_state()
    by_name = {w.name: w for w in workspaces}
    if not by_name:
        state.workspace = None
        return None
    if state.workspace not in by_name:
        # A new session (or the workspace was deleted): the URL decides, else a sensible default.
        wanted = st.query_params.get(WS_PARAM)
        ws = by_name.get(wanted) if wanted else None
        if ws is None:
            ws = _default_workspace(workspaces)
        elif (picked := _parse_day(st.query_params.get(AS_OF_PARAM))) is not None:
            state.as_of[ws.id] = picked
        state.workspace = ws.name
    return by_name[state.workspace]  # type: ignore[index]


def _chosen() -> Context:
    """The choice, locked or not; a locked workspace comes without any of its dates."""
    require_app()
    ws = _resolve(ui_store.workspaces())
    if ws is None:
        return Context(None, None, None)
    if not ui_access.is_open(ws.id):
        return Context(ws, None, None)
    last = ui_store.last_data_date(ws.id)
    picked = app_state().as_of.get(ws.id)
    return Context(ws, picked or last, last)


def _locked(ws: store.Workspace | None) -> bool:
    return ws is not None and not ui_access.is_open(ws.id)


def _stop_at_the_gate(ws: store.Workspace) -> NoReturn:
    """Show the passphrase form (or why the workspace cannot be opened) instead of the page."""
    created = ui_access.locked_screen(ws)
    if created is not None:
        ui_store.changed()
        select_workspace(created.name)
        flash("success", f"Workspace {created.name} created, protected by its passphrase.")
        st.rerun()
    st.stop()


def current() -> Context:
    """The workspace and as-of day chosen in this session (no widgets drawn).

    On a shared server a workspace this session has not unlocked never comes back from
    here: the unlock form is shown in its place and the page stops.
    """
    ctx = _chosen()
    if ctx.workspace is not None and _locked(ctx.workspace):
        _stop_at_the_gate(ctx.workspace)
    return ctx


def _on_pick_workspace() -> None:
    app_state().workspace = st.session_state[_PICKER_KEY]


def _on_pick_as_of() -> None:
    state = app_state()
    ws = store.find_workspace(ui_store.connection(), state.workspace or "")
    if ws is None:
        return
    picked = st.session_state.get(_AS_OF_KEY)
    if picked is None or picked == ui_store.last_data_date(ws.id):
        state.as_of.pop(ws.id, None)
    else:
        state.as_of[ws.id] = picked


def _sync_url(ctx: Context) -> None:
    """Write the choice back to the URL (sidebar navigation drops the query string)."""
    wanted: dict[str, str] = {}
    if ctx.workspace is not None:
        wanted[WS_PARAM] = ctx.workspace.name
        if ctx.picked_as_of and ctx.as_of is not None:
            wanted[AS_OF_PARAM] = ctx.as_of.isoformat()
    for key in (WS_PARAM, AS_OF_PARAM):
        if key in wanted:
            if st.query_params.get(key) != wanted[key]:
                st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]


def render() -> Context:
    """Draw the workspace picker and the as-of day in the sidebar; return the choice."""
    workspaces = ui_store.workspaces()
    ctx = _chosen()
    locked = _locked(ctx.workspace)
    with st.sidebar:
        if ctx.workspace is None:
            st.caption("No business yet: load the demo or create a workspace on the Data page.")
            _sync_url(ctx)
            return ctx
        st.session_state[_PICKER_KEY] = ctx.workspace.name
        labels = {w.name: w.display_name for w in workspaces}
        st.selectbox(
            "Business",
            list(labels),
            format_func=lambda name: labels.get(name, name),
            key=_PICKER_KEY,
            on_change=_on_pick_workspace,
            help="Each business has its own workspace. Add or rename one on the Data page.",
        )
        if locked:
            st.caption("🔒 Locked on this shared server.")
        elif ctx.as_of is None:
            st.caption("No dated data yet, so there is no day to look back from.")
        else:
            st.session_state[_AS_OF_KEY] = ctx.as_of
            st.date_input(
                "Figures as of",
                key=_AS_OF_KEY,
                on_change=_on_pick_as_of,
                format="YYYY-MM-DD",
                max_value=max(ctx.as_of, date.today()),
                min_value=date(1990, 1, 1),
                help="Figures count everything up to and including this day. It starts at the "
                "last day in your data; pick an earlier day to see where you stood then.",
            )
            if ctx.picked_as_of:
                st.caption(f"Your data runs to {day(ctx.last_data_date)}.")
                if st.button("Back to the latest day", key="_od_as_of_reset"):
                    app_state().as_of.pop(ctx.workspace.id, None)
                    st.rerun()
            else:
                st.caption("The last day in your data.")
    _sync_url(ctx)
    if locked and ctx.workspace is not None:
        _stop_at_the_gate(ctx.workspace)  # the page never runs
    return ctx
