"""Review session: the peer group's meeting, run from the figures, one item at a time, and the
business's issues list worked in order."""

from __future__ import annotations

import streamlit as st

from analytics import peers, review
from ui import changes as ui_changes
from ui import issues_list as ui_issues
from ui import pack as ui_pack
from ui import peers as ui_peers
from ui import review as ui_review
from ui import sidebar
from ui import store as ui_store
from ui.format import day, plain
from ui.widgets import page_header

page_header(
    "Review session",
    "A peer group meets to hold each other to account: first what was promised last time, then "
    "each member's red figures and the reset item they are working on, then who commits to what "
    "by when. Put it on the projector; the timer keeps every member's turn fair. Below the "
    "agenda, your business's issues list is worked in order: identify, discuss, solve.",
)

ctx = sidebar.current()
if ctx.workspace is None:
    st.info(
        "No business yet: load the demo business or create a workspace on the Data page, then "
        "start or join a peer group on the Peers page.",
        icon="ℹ️",
    )
    st.page_link("pages/data.py", label="Go to Data", icon="📥")
    st.stop()

ws = ctx.workspace
con = ui_store.connection()
group = ui_peers.pick_group(con, ws, allow_create=False)
if group is None:
    st.info(
        "No peer group yet: start one on the Peers page, join it and publish your card, then "
        "run the group's sessions here.",
        icon="ℹ️",
    )
    st.page_link("pages/peers.py", label="Go to Peers", icon="👥")
    ui_issues.section(con, ws.id, None)  # the list is the business's: kept ready for a session
    st.stop()
if peers.membership(con, group.id, ws.id) is None:
    st.info(
        f"{plain(ws.display_name)} is not a member of {plain(group.name)}: a group's sessions "
        "are for its members. Join it on the Peers page, or pick one of this business's groups.",
        icon="ℹ️",
    )
    st.page_link("pages/peers.py", label="Go to Peers", icon="👥")
    st.stop()

projector = st.toggle(
    "Projector mode",
    key=ui_review.PROJECTOR_KEY,
    help="Large type, one agenda item at a time, nothing else on the screen.",
)
session = ui_review.current_session(con, group, ws.id)
if not projector:
    ui_review.sessions_panel(con, group, session, ws.id)
if session is None:
    st.info("Start today's session, or open an earlier one to see what it decided.", icon="ℹ️")
    ui_issues.section(con, ws.id, None)
    st.stop()

items = review.agenda(con, session.id, viewer=ws.id)
index = ui_review.item_index(session, len(items))

if projector:
    ui_review.controls(session, items, index)
    ui_review.show_item(con, session, items, index, viewer=ws.id, big=True)
    st.stop()

st.header(f"Session of {day(session.held_on)} · {plain(group.name)}")
if session.is_closed:
    st.caption("This session is closed. What it decided is below; it can be reopened.")
st.caption(
    "Members appear as they chose: by name if they show it, else as Member A, B… Reds come from "
    f"each member's latest card published by {day(session.held_on)}."
)
if ctx.as_of is not None:
    # This business's own figures since its last review, to speak to when its turn comes.
    ui_changes.section(
        ws.id, ctx.as_of, ctx.picked_as_of, ui_store.currency(ws.id), key="review", expanded=False
    )
    ui_pack.render(ctx, key="review_pack")
ui_review.controls(session, items, index)
for n in range(len(items)):
    with st.container(border=n == index):
        ui_review.show_item(con, session, items, n, viewer=ws.id, big=False, now=n == index)

st.divider()
ui_issues.section(con, ws.id, session)
st.divider()
if session.is_closed:
    if st.button("Reopen the session", key="review_reopen"):
        review.close_session(con, session.id, closed=False, viewer=ws.id)
        st.rerun()
elif st.button("Close the session", key="review_close"):
    review.close_session(con, session.id, viewer=ws.id)
    st.rerun()
