"""The gate of a shared server: a business opens only in a browser session that gave its name
and passphrase; new businesses come by invitation.

Outside shared mode nothing here asks for anything. In shared mode (OPENING_DAY_SHARED=1) the
sidebar lists only the businesses this session has unlocked, and while there is none every
page gives way to `locked_screen`: the business name and its passphrase asked together, so a
wrong answer never says whether a name exists. What a session has unlocked lives in its own
session state, tied to the moment the passphrase was set, so changing a passphrase locks every
other session out. Wrong tries are counted server-wide (analytics.access). Typed secrets are
never kept: the forms clear on submit, and an invitation code is shown once, when it is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import streamlit as st

from analytics import access, store
from analytics.errors import OpeningDayError
from ui import store as ui_store
from ui.format import day, plain
from ui.state import flash, session_object, show_flash

STATE_KEY = "_od_access"
WS_PARAM = "ws"  # the sidebar's deep-link parameter: prefills the name, reveals nothing
CLI_HINT = "python -m analytics workspace passphrase --workspace NAME"
INVITE_HINT = "python -m analytics invite create"
KIND_WORD = {"workspace": "New business", "group": "Join a peer group"}
STATE_WORD = {"open": "open", "used": "used", "revoked": "withdrawn", "expired": "expired"}


@dataclass
class AccessState:
    # workspace id -> when the passphrase this session unlocked it with was set
    unlocked: dict[int, datetime] = field(default_factory=dict)


def _state() -> AccessState:
    return session_object(STATE_KEY, AccessState)


def is_open(workspace_id: int) -> bool:
    """May this session see the workspace? Always, unless the server is shared."""
    if not access.shared_mode():
        return True
    if workspace_id not in _state().unlocked:
        return False
    set_at = access.passphrase_set_at(ui_store.connection(), workspace_id)
    return set_at is not None and _state().unlocked.get(workspace_id) == set_at


def open_workspaces(workspaces: list[store.Workspace]) -> list[store.Workspace]:
    """The workspaces this session may see and pick: all of them, or on a shared server those
    it unlocked (and whose passphrase has not changed since)."""
    return [w for w in workspaces if is_open(w.id)]


def lock_all() -> None:
    """Forget every business this session unlocked (the sidebar's Lock button)."""
    _state().unlocked.clear()


def remember(workspace_id: int) -> None:
    set_at = access.passphrase_set_at(ui_store.connection(), workspace_id)
    if set_at is not None:
        _state().unlocked[workspace_id] = set_at


# ---------------------------------------------------------------- opening a business


def unlock_form(key: str, *, name: str = "", label: str = "Open") -> store.Workspace | None:
    """Business name and passphrase, together. Returns the workspace once unlocked (the caller
    switches to it); a wrong pair, an unknown name and a wait all show one message."""
    with st.form(key, clear_on_submit=True):
        typed = st.text_input(
            "Business name", value=name, key=f"{key}:name", placeholder="e.g. Northwind IT"
        )
        phrase = st.text_input("Passphrase", type="password", key=f"{key}:phrase")
        submitted = st.form_submit_button(label, key=f"{key}:go", type="primary", icon="🔓")
    if not submitted:
        return None
    try:
        ws = access.unlock(ui_store.connection(), typed or "", phrase or "")
    except OpeningDayError as exc:
        st.error(plain(exc), icon="⛔")
        return None
    remember(ws.id)
    return ws


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
    """Start a business on a shared server: its name, its passphrase (typed twice) and an
    invitation code or the admin secret.

    Returns the workspace once created, already unlocked for this session; the caller
    switches to it.
    """
    with st.form(f"{key}:protected", clear_on_submit=True):
        name = st.text_input(
            "Name of the business",
            key=f"{key}:name",
            placeholder="e.g. Northwind IT",
            help="Letters, digits, spaces and . & ' - (up to 80 characters). You type it, with "
            "the passphrase, to open the business.",
        )
        phrase, again = _new_phrase_inputs(key, "Choose its passphrase")
        credential = st.text_input(
            "Invitation code (or the server's admin secret)",
            type="password",
            key=f"{key}:credential",
            help=f"A code starting with {access.CODE_PREFIX}, from a business already on this "
            "server or from whoever runs it; it works once. Whoever runs the server may type "
            "its admin secret instead.",
        )
        st.caption(
            "This server is shared: a new business needs an invitation, and a passphrase of "
            "its own."
        )
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
        ws = access.create_shared_workspace(
            ui_store.connection(), name or "", phrase, credential or ""
        )
    except OpeningDayError as exc:
        st.error(plain(exc), icon="⛔")
        return None
    remember(ws.id)
    return ws


def locked_screen() -> store.Workspace | None:
    """The main area while this session has no business open on a shared server.

    Returns a workspace opened or started here (the caller switches to it), else None. A
    deep link's `?ws=NAME` only fills in the name box: whether NAME exists shows nowhere.
    """
    show_flash()
    st.title("🔒 Open your business")
    st.markdown(
        "This server is shared between businesses, so each one opens only with its name and "
        "passphrase, asked together. You are asked once; it stays open until you close this "
        "browser tab (or press Lock in the sidebar)."
    )
    opened = unlock_form("unlock", name=st.query_params.get(WS_PARAM, ""))
    st.caption(
        "A business without a passphrase (the demo business, for one) cannot be opened here. "
        "Whoever runs the server sets one on the Settings page of Opening Day started without "
        f"shared mode (`make run`), or with the command line: `{CLI_HINT}`."
    )
    with st.expander("➕ Start a new business on this server"):
        st.markdown(
            "Ask a business already on this server (Settings → Invite another business) or "
            "whoever runs it for an invitation code."
        )
        created = new_workspace_form(key="locked_new", label="Create and open it")
    return opened or created


# ---------------------------------------------------------------- Settings: the passphrase


def passphrase_section(ws: store.Workspace) -> None:
    """Settings: the workspace's passphrase — its status, set or change it, remove it."""
    con = ui_store.connection()
    shared = access.shared_mode()
    set_at = access.passphrase_set_at(con, ws.id)
    st.subheader("Passphrase")
    st.markdown(f"🔒 Protected since {day(set_at)}" if set_at else "🔓 No passphrase")
    st.caption(
        "A passphrase matters when Opening Day runs as a shared server (started with "
        f"{access.SHARED_ENV}=1, e.g. `make run-shared`): there, this business opens only "
        "for someone who types its name and passphrase, its name is never listed to anyone "
        "else, and a business without a passphrase cannot be opened at all. Snapshot links "
        "never need it and never open anything but their own frozen page."
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
        try:
            if current is not None:
                access.verify_passphrase(con, ws.id, current or "")
            if phrase != again:
                st.error("The two new passphrases differ. Type the same one twice.", icon="⛔")
            else:
                access.set_passphrase(con, ws.id, phrase)
                remember(ws.id)  # this session stays in; every other one is asked again
                flash("success", "Passphrase saved. Keep it somewhere safe: it cannot be shown.")
                st.rerun()
        except OpeningDayError as exc:
            st.error(plain(exc), icon="⛔")
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


# ---------------------------------------------------------------- invitations


def invitation_table(invitations: list[access.Invitation]) -> pd.DataFrame:
    """Invitations as their maker sees them: never the code, which only its hash keeps."""
    return pd.DataFrame(
        {
            "Id": [i.id for i in invitations],
            "For": [KIND_WORD[i.kind] for i in invitations],
            "Note": [i.note for i in invitations],
            "Made": [day(i.created_at) for i in invitations],
            "Expires": [day(i.expires_at) for i in invitations],
            "State": [
                STATE_WORD[i.state()] + (f" {day(i.used_at)}" if i.used_at else "")
                for i in invitations
            ],
        }
    )


def invite_form(*, key: str, by: int | None, group_id: int | None = None, what: str) -> None:
    """Make an invitation (shown once, to copy now), list those made here, withdraw one."""
    con = ui_store.connection()
    with st.form(f"{key}:new", clear_on_submit=True):
        left, right = st.columns([3, 1])
        note = left.text_input(
            "Note for yourself (who it is for)", key=f"{key}:note", placeholder="e.g. Lee at Bay IT"
        )
        days = right.number_input(
            "Valid for (days)",
            min_value=1,
            max_value=access.MAX_INVITATION_DAYS,
            value=access.INVITATION_DAYS,
            step=1,
            key=f"{key}:days",
        )
        made = st.form_submit_button(f"Make an invitation {what}", key=f"{key}:make", icon="✉️")
    if made:
        try:
            inv, code = access.create_invitation(
                con, by=by, group_id=group_id, days=int(days), note=note or ""
            )
        except OpeningDayError as exc:
            st.error(plain(exc), icon="⛔")
        else:
            st.success(
                f"Invitation {inv.id} made, valid until {day(inv.expires_at)} and good for one "
                "use. Copy the code now and send it privately: it is not kept, so it cannot be "
                "shown again.",
                icon="✉️",
            )
            st.code(code, language=None)
    mine = access.list_invitations(con, by=by, group_id=group_id)
    if group_id is None:
        mine = [i for i in mine if i.kind == "workspace"]
    if not mine:
        st.caption("No invitations made here yet.")
        return
    st.dataframe(invitation_table(mine), hide_index=True, width="stretch")
    open_ids = [i.id for i in mine if i.state() == "open"]
    if not open_ids:
        return
    left, right = st.columns([3, 1])
    picked = left.selectbox("Withdraw an open invitation", open_ids, key=f"{key}:pick")
    if right.button("Withdraw it", key=f"{key}:revoke", icon="🚫") and picked is not None:
        try:
            access.revoke_invitation(con, int(picked), by=by)
        except OpeningDayError as exc:
            st.error(plain(exc), icon="⛔")
        else:
            flash("success", f"Invitation {picked} withdrawn: its code no longer works.")
            st.rerun()


def invitations_section(ws: store.Workspace) -> None:
    """Settings: invite another business onto the server. On a shared server the invitation is
    this business's; on a normal one its owner runs the server, so it is the admin's."""
    shared = access.shared_mode()
    st.subheader("Invite another business")
    st.caption(
        "On a shared server a new business can only be started with an invitation code (or "
        "the admin secret). A code works once, expires, and can be withdrawn until it is used. "
        "To invite a business into a peer group, use the Peers page."
    )
    invite_form(
        key="invite_ws" if shared else "invite_admin",
        by=ws.id if shared else None,
        what="to start a business",
    )


def admin_section() -> None:
    """Settings on a normal server: the shared server's admin secret (kept as a scrypt hash)."""
    con = ui_store.connection()
    set_at = access.admin_passphrase_set_at(con)
    st.subheader("Admin secret for a shared server")
    env = f" One is set in the environment ({access.ADMIN_ENV})."
    st.markdown(
        (f"🔑 Set since {day(set_at)}." if set_at else "No admin secret in the store.")
        + (env if access.admin_in_environment() else "")
    )
    st.caption(
        "Whoever runs a shared server can start a business there by typing this secret instead "
        f"of an invitation code. It can also come from the environment ({access.ADMIN_ENV}) "
        "or the command line: `python -m analytics admin passphrase`."
    )
    with st.form("admin_secret", clear_on_submit=True):
        phrase, again = _new_phrase_inputs("admin_secret", "New admin secret")
        submitted = st.form_submit_button(
            "Change the admin secret" if set_at else "Set the admin secret",
            key="admin_secret:go",
            icon="🔑",
        )
    if submitted:
        if phrase != again:
            st.error("The two secrets differ. Type the same one twice.", icon="⛔")
        else:
            try:
                access.set_admin_passphrase(con, phrase)
            except OpeningDayError as exc:
                st.error(plain(exc), icon="⛔")
            else:
                flash("success", "Admin secret saved. It cannot be shown, only replaced.")
                st.rerun()
    if set_at and st.button("Remove the admin secret", key="admin_secret:clear"):
        access.clear_admin_passphrase(con)
        flash("success", "Admin secret removed.")
        st.rerun()
