"""The sidebar every page shares: which business (workspace) and which day ("as of").

The choice lives in session state (it must survive page changes) and in the URL
(`?ws=NAME&asof=YYYY-MM-DD`) so that a copied link reopens the same view. Pages read
it with `current()`. On a shared server (see ui/access.py) the picker lists only the
businesses this session has unlocked, and while there is none no page runs: the main area
asks for a business name and passphrase instead. A `?ws=NAME` link then only fills in the
name box, so a link never tells whether NAME exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NoReturn

import streamlit as st

from analytics import access, store
from ui import access as ui_access
from ui import store as ui_store
from ui.boot import require_app
from ui.format import day
from ui.state import app_state, flash

WS_PARAM = ui_access.WS_PARAM
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


def _chosen(visible: list[store.Workspace]) -> Context:
    """The choice among the workspaces this session may see."""
    require_app()
    ws = _resolve(visible)
    if ws is None:
        return Context(None, None, None)
    last = ui_store.last_data_date(ws.id)
    picked = app_state().as_of.get(ws.id)
    return Context(ws, picked or last, last)


def _visible() -> tuple[list[store.Workspace], bool]:
    """The workspaces this session may see, and whether it is held at the gate (a shared
    server where it has unlocked none yet)."""
    visible = ui_access.open_workspaces(ui_store.workspaces())
    return visible, access.shared_mode() and not visible


def _opened(ws: store.Workspace, *, created: bool = False) -> NoReturn:
    """Switch to a business just unlocked (or started) in this session, and rerun."""
    if created:
        ui_store.changed()
    select_workspace(ws.name)
    flash(
        "success",
        f"Workspace {ws.name} created, protected by its passphrase."
        if created
        else f"{ws.display_name} is open in this browser tab.",
    )
    st.rerun()


def _stop_at_the_gate() -> NoReturn:
    """Ask for a business name and passphrase (or an invitation) instead of running the page."""
    known = {w.id for w in ui_store.workspaces()}
    opened = ui_access.locked_screen()
    if opened is not None:
        _opened(opened, created=opened.id not in known)
    st.stop()


def current() -> Context:
    """The workspace and as-of day chosen in this session (no widgets drawn).

    On a shared server a session that has unlocked nothing never gets past here: the
    name-and-passphrase form is shown instead and the page stops.
    """
    require_app()  # a server's first deep link runs the page alone: hand it to app.py first
    visible, gated = _visible()
    if gated:
        _stop_at_the_gate()
    return _chosen(visible)


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


def _more_businesses() -> None:
    """Shared server: open one more business in this tab, or lock them all again."""
    with st.expander("🔑 Open another business"):
        opened = ui_access.unlock_form("unlock_more")
    if opened is not None:
        _opened(opened)
    if st.button("Lock", key="_od_lock", icon="🔒", help="Close every business in this tab."):
        ui_access.lock_all()
        app_state().workspace = None
        st.rerun()


def render() -> Context:
    """Draw the workspace picker and the as-of day in the sidebar; return the choice."""
    workspaces, gated = _visible()
    if gated:
        with st.sidebar:
            st.caption("🔒 A shared server: open your business with its name and passphrase.")
        _stop_at_the_gate()  # no page runs; the URL keeps its ?ws= for after the unlock
    ctx = _chosen(workspaces)
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
        if ctx.as_of is None:
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
                help="It starts at the last day in your data, and each figure then counts to "
                "the last day of the data it reads (invoices, deals, tickets… each have their "
                "own). Pick a day to see every figure as of that day.",
            )
            if ctx.picked_as_of:
                st.caption(f"Your data runs to {day(ctx.last_data_date)}.")
                if st.button("Back to the latest day", key="_od_as_of_reset"):
                    app_state().as_of.pop(ctx.workspace.id, None)
                    st.rerun()
            else:
                st.caption(
                    "The last day in your data; each figure counts to its own data's last day."
                )
        if access.shared_mode():
            _more_businesses()
    _sync_url(ctx)
    return ctx
