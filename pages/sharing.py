"""Shared links: which snapshots of this business are out there, and who can still open them?"""

from __future__ import annotations

import functools
from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from analytics import snapshots
from analytics.errors import OpeningDayError
from ui import share, sidebar
from ui import store as ui_store
from ui.format import day, moment, plain
from ui.state import flash
from ui.widgets import page_header, stop_unless

page_header(
    "Shared links",
    "Every snapshot you have shared from this business: a frozen, read-only copy of a page "
    "that anyone holding its link can open. Check who can still open what, copy a link "
    "again, change when it stops working, revoke it, or save it as one HTML file for email.",
)

ctx = sidebar.current()
stop_unless(ctx.workspace is not None, "No business yet: load the demo or your own data first.")
ws = ctx.workspace
assert ws is not None
con = ui_store.connection()
now = datetime.now()
listed = snapshots.list_snapshots(con, ws.id)

STATE = {"live": "🟢 Live", "expired": "⏳ Expired", "revoked": "⛔ Revoked"}
live = sum(s.state(now) == "live" for s in listed)
left, right = st.columns(2)
left.metric("Links that open now", live)
right.metric("Expired or revoked", len(listed) - live)

if not listed:
    st.info(
        "No snapshots yet. Open the Scoreboard or any indicator page and use “Share snapshot” "
        "at the top to freeze it under a private link.",
        icon="ℹ️",
    )
    st.page_link("pages/scoreboard.py", label="Go to the Scoreboard", icon="🏁")
    st.stop()

table = pd.DataFrame(
    [
        {
            "#": s.id,
            "Title": s.title,
            "Page": s.page_title,
            "Shows the business as": s.shown_name,
            "Figures as of": day(s.as_of),
            "Made": moment(s.created_at),
            "By": s.author or "—",
            "Works until": moment(s.expires_at) if s.expires_at else "No expiry",
            "State": STATE[s.state(now)],
            "Copy again": "Yes" if s.copyable else "No (older link)",
        }
        for s in listed
    ]
)
st.dataframe(table, hide_index=True, width="stretch")
st.caption(
    f"Links start with {share.base_url(ws.id)}; behind a proxy, set the address in Settings "
    "(Sharing). A revoked or expired link shows only “this link is not valid”."
)

st.header("Manage one link")
by_id = {s.id: s for s in listed}
# ?link=ID reopens the same snapshot (not ?snapshot=, which opens a snapshot's read-only view).
linked = st.query_params.get("link", "")
if linked.isdigit() and int(linked) in by_id and "sharing_pick" not in st.session_state:
    st.session_state["sharing_pick"] = int(linked)
picked = st.selectbox(
    "Snapshot",
    list(by_id),
    format_func=lambda i: f"#{i} · {by_id[i].title} · {STATE[by_id[i].state(now)]}",
    key="sharing_pick",
)
snap = by_id[int(picked)]
st.query_params["link"] = str(snap.id)
state = snap.state(now)

if state == "live":
    try:
        token = snapshots.token_of(con, snap)
        key_error = None
    except OpeningDayError as exc:  # a damaged key file: say which and what to do
        token, key_error = None, exc
    if key_error is not None:
        st.error(plain(key_error), icon="⛔")
    elif token:
        st.markdown("**Link** (copy it with the button at the right of the box):")
        st.code(snapshots.link(share.base_url(ws.id), token), language=None)
    elif not snap.copyable:
        st.warning(
            "This link was made by an earlier version of Opening Day, which kept it in a form "
            "that can no longer be shown. The link still opens for whoever has it; if you lost "
            "it, make a new snapshot (and revoke this one if you no longer want it open).",
            icon="⚠️",
        )
    else:
        st.warning(
            "This link cannot be shown again here: the key file beside the store "
            "(`.snapshot-key`) is missing or belongs to another store. The link still works; "
            "make a new snapshot if you lost it.",
            icon="⚠️",
        )
else:
    st.markdown(f"{STATE[state]}: this link shows “not valid” to anyone who opens it.")

cols = st.columns(3)
with cols[0], st.form(f"expiry_{snap.id}", border=True):
    st.markdown("**When the link stops working**")
    never = st.checkbox("No expiry", value=snap.expires_at is None, disabled=state == "revoked")
    until = st.date_input(
        "Works until the end of",
        value=(snap.expires_at or now + timedelta(days=30)).date(),
        min_value=now.date(),
        format="YYYY-MM-DD",
        disabled=state == "revoked",
    )
    if st.form_submit_button("Save expiry", disabled=state == "revoked"):
        try:
            expires = None if never else datetime.combine(until, time(23, 59, 59))
            snapshots.set_expiry(con, ws.id, snap.id, expires)
        except OpeningDayError as exc:
            st.error(plain(exc), icon="⛔")
        else:
            flash(
                "success",
                f"“{snap.title}” now works until {moment(expires)}."
                if expires
                else f"“{snap.title}” no longer expires.",
            )
            st.rerun()

with cols[1], st.container(border=True):
    st.markdown("**Revoke**")
    st.caption("Turns the link off for good. The snapshot stays listed here.")
    sure = st.checkbox(
        "Yes, turn this link off", key=f"revoke_sure_{snap.id}", disabled=state == "revoked"
    )
    if st.button("Revoke link", disabled=state == "revoked" or not sure, key=f"revoke_{snap.id}"):
        snapshots.revoke(con, ws.id, snap.id)
        flash("success", f"“{snap.title}” is revoked: its link now says it is not valid.")
        st.rerun()

with cols[2], st.container(border=True):
    st.markdown("**One HTML file**")
    st.caption("Charts and numbers in a single file that opens in any browser, offline.")
    st.download_button(
        "Download HTML",
        data=functools.partial(share.html_file, ws.id, snap.id),
        file_name=f"snapshot-{snap.id}.html",
        mime="text/html",
        key=f"html_{snap.id}",
        icon="📄",
    )
