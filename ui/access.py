"""The gate of a shared server: a business opens only in a browser session that gave its passphrase.

Outside shared mode nothing here asks for anything. In shared mode (OPENING_DAY_SHARED=1)
the sidebar calls `locked_screen` instead of running the page for a workspace this session
has not unlocked. What a session has unlocked lives in its own session state, tied to the
moment the passphrase was set, so changing a passphrase locks every other session out.
Typed phrases are never kept: the forms clear on submit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

import streamlit as st

from analytics import access, store
from analytics.demo import DEMO_WORKSPACE
from analytics.errors import OpeningDayError
from ui import store as ui_store
from ui.format import day, plain
from ui.state import flash, show_flash

STATE_KEY = "_od_access"
MAX_TRIES = 5  # wrong passphrases in one session before it has to wait
WAIT_SECONDS = 30
CLI_HINT = "python -m analytics workspace passphrase --workspace NAME"


@dataclass
class AccessState:
    # workspace id -> when the passphrase this session unlocked it with was set
    unlocked: dict[int, datetime] = field(default_factory=dict)
    wrong: int = 0  # wrong tries since the last wait
    wait_until: float = 0.0  # epoch seconds; no try is checked before then


def _state() -> AccessState:
    state = st.session_state.get(STATE_KEY)
    if not isinstance(state, AccessState):
        state = AccessState()
        st.session_state[STATE_KEY] = state
    return state


def is_open(workspace_id: int) -> bool:
    """May this session see the workspace? Always, unless the server is shared."""
    if not access.shared_mode():
        return True
    set_at = access.passphrase_set_at(ui_store.connection(), workspace_id)
    return set_at is not None and _state().unlocked.get(workspace_id) == set_at


def _remember(workspace_id: int) -> None:
    set_at = access.passphrase_set_at(ui_store.connection(), workspace_id)
    if set_at is not None:
        _state().unlocked[workspace_id] = set_at


def seconds_to_wait() -> int:
    """How long this session must wait before its next try (0: it may try now)."""
    return max(0, int(_state().wait_until - time.time() + 0.999))


def try_phrase(ws: store.Workspace, phrase: str) -> str | None:
    """Check a passphrase, counting wrong tries. None when right, else what to tell the person."""
    state = _state()
    wait = seconds_to_wait()
    if wait:
        return f"Too many wrong passphrases. Wait {wait} seconds, then try again."
    if access.check_passphrase(ui_store.connection(), ws.id, phrase):
        state.wrong = 0
        _remember(ws.id)
        return None
    state.wrong += 1
    if state.wrong >= MAX_TRIES:
        state.wrong = 0
        state.wait_until = time.time() + WAIT_SECONDS
        return (
            f"That passphrase is not the one for {ws.display_name}. After {MAX_TRIES} wrong "
            f"tries, wait {WAIT_SECONDS} seconds before the next one."
        )
    left = MAX_TRIES - state.wrong
    return (
        f"That passphrase is not the one for {ws.display_name}. Check for typing mistakes "
        f"and try again ({left} {'try' if left == 1 else 'tries'} before a "
        f"{WAIT_SECONDS}-second wait)."
    )


def _new_phrase_inputs(key: str, label: str) -> tuple[str, str]:
    phrase = st.text_input(
        label,
        type="password",
        key=f"{key}:phrase",
        help=f"At least {access.MIN_LENGTH} characters; a few unrelated words are easy to "
        "remember and hard to guess. Nobody can read it back, so keep it somewhere safe.",
    )
    again = st.text_input("Type it again", type="password", key=f"{key}:again")
    return phrase or "", again or ""


def new_workspace_form(*, key: str, label: str = "Create workspace") -> store.Workspace | None:
    """Name and passphrase (typed twice) of a new business on a shared server.

    Returns the workspace once created, already unlocked for this session; the caller
    switches to it.
    """
    with st.form(f"{key}:protected", clear_on_submit=True):
        name = st.text_input(
            "Name of the business",
            key=f"{key}:name",
            placeholder="e.g. Northwind IT",
            help="Letters, digits, spaces and . & ' - (up to 80 characters).",
        )
        phrase, again = _new_phrase_inputs(key, "Choose its passphrase")
        st.caption("This server is shared: every business on it needs a passphrase.")
        submitted = st.form_submit_button(label, key=f"{key}:create", type="primary")
    if not submitted:
        return None
    if not (name or "").strip():
        st.error("Give the business a name.", icon="⛔")
        return None
    if phrase != again:
        st.error("The two passphrases differ. Type the same one twice.", icon="⛔")
        return None
    try:
        ws = access.create_protected_workspace(ui_store.connection(), name or "", phrase)
    except OpeningDayError as exc:
        st.error(plain(exc), icon="⛔")
        return None
    _remember(ws.id)
    return ws


def locked_screen(ws: store.Workspace) -> store.Workspace | None:
    """The main area for a workspace this session may not open (instead of the page).

    Shows the unlock form, or why the workspace cannot be opened here, and a form to start
    another business. Returns a workspace created there, else None; after an unlock the
    script reruns, showing the page.
    """
    show_flash()
    con = ui_store.connection()
    name = plain(ws.display_name)
    if not access.has_passphrase(con, ws.id):
        st.title(f"🔒 {name} cannot be opened here")
        demo = (
            " The demo business is made without one, so on a shared server it stays locked."
            if ws.name == DEMO_WORKSPACE
            else ""
        )
        st.warning(
            f"This server is shared between businesses, and {name} has no passphrase, so "
            f"nobody can open it here.{plain(demo)} To protect it, whoever runs the server sets "
            "a passphrase: on the Settings page of Opening Day started without shared mode "
            f"(`make run`), or with the command line while this server is stopped: `{CLI_HINT}`.",
            icon="🔒",
        )
    else:
        st.title(f"🔒 {name}")
        st.markdown(
            f"This server is shared between businesses, so {name} opens only with its "
            "passphrase. You are asked once; it stays open until you close this browser tab."
        )
        with st.form(f"unlock_{ws.id}", clear_on_submit=True):
            phrase = st.text_input("Passphrase", type="password", key=f"unlock_{ws.id}:phrase")
            submitted = st.form_submit_button(
                "Unlock", key=f"unlock_{ws.id}:go", type="primary", icon="🔓"
            )
        if submitted:
            problem = try_phrase(ws, phrase or "")
            if problem is None:
                st.rerun()
            st.error(plain(problem), icon="⛔")
    st.markdown("Pick another business in the sidebar, or start one of your own.")
    with st.expander("➕ Start a new business on this server"):
        return new_workspace_form(key="locked_new", label="Create and open it")


def passphrase_section(ws: store.Workspace) -> None:
    """Settings: the workspace's passphrase — its status, set or change it, remove it."""
    con = ui_store.connection()
    shared = access.shared_mode()
    set_at = access.passphrase_set_at(con, ws.id)
    st.subheader("Passphrase")
    st.markdown(f"🔒 Protected since {day(set_at)}" if set_at else "🔓 No passphrase")
    st.caption(
        "A passphrase matters when Opening Day runs as a shared server (started with "
        f"{access.SHARED_ENV}=1, e.g. `make run-shared`): there, nobody sees this business's "
        "figures without it, and a business without one cannot be opened at all. Snapshot "
        "links never need it and never open anything but their own frozen page."
    )
    with st.form(f"passphrase_{ws.id}", clear_on_submit=True):
        current = (
            st.text_input("Current passphrase", type="password", key=f"passphrase_{ws.id}:old")
            if shared and set_at
            else None
        )
        phrase, again = _new_phrase_inputs(f"passphrase_{ws.id}", "New passphrase")
        submitted = st.form_submit_button(
            "Change the passphrase" if set_at else "Set the passphrase",
            key=f"passphrase_{ws.id}:go",
            icon="🔒",
        )
    if submitted:
        problem = try_phrase(ws, current or "") if current is not None else None
        if problem is not None:
            st.error(plain(problem), icon="⛔")
        elif phrase != again:
            st.error("The two new passphrases differ. Type the same one twice.", icon="⛔")
        else:
            try:
                access.set_passphrase(con, ws.id, phrase)
            except OpeningDayError as exc:
                st.error(plain(exc), icon="⛔")
            else:
                _remember(ws.id)  # this session stays in; every other one is asked again
                flash("success", "Passphrase saved. Keep it somewhere safe: it cannot be shown.")
                st.rerun()
    if set_at is None:
        return
    if shared:
        st.caption(
            "On a shared server a passphrase can be changed but not removed: a business without "
            "one could not be opened here."
        )
    elif st.button("Remove the passphrase", key=f"passphrase_{ws.id}:clear", icon="🔓"):
        access.clear_passphrase(con, ws.id)
        flash("success", "Passphrase removed. On a shared server this business cannot be opened.")
        st.rerun()
