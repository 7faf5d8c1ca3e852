"""Peers: where does my business stand among businesses like it?"""

from __future__ import annotations

import streamlit as st

from analytics import access, peers
from analytics.indicators import REGISTRY
from ui import peers as ui_peers
from ui import sidebar
from ui import store as ui_store
from ui.format import day, moment, plain
from ui.widgets import dataframe, page_header

page_header(
    "Peers",
    "Your own figures only tell half the story: a discount rate or a churn rate means more "
    "beside five businesses like yours. Each member publishes a dated card of rates and "
    "statuses (never customers, names or amounts unless they choose), and this page shows "
    "where everyone stands.",
)

ctx = sidebar.current()
if ctx.workspace is None:
    st.info(
        "No business yet: load the demo business or create a workspace on the Data page, then "
        "come back to join a peer group.",
        icon="ℹ️",
    )
    st.page_link("pages/data.py", label="Go to Data", icon="📥")
    st.stop()

ws = ctx.workspace
con = ui_store.connection()
group = ui_peers.pick_group(con, ws)
if access.shared_mode():
    ui_peers.join_with_code(con, ws)
if group is None:
    st.info(
        "No peer group for this business yet. Start one above (you become its first member), "
        "then invite your peers to join with theirs, or send you their card files."
        + (
            " Were you sent an invitation code? Use it above."
            if access.shared_mode()
            else " Groups of your other businesses show here too."
        ),
        icon="ℹ️",
    )
    st.stop()

member = peers.membership(con, group.id, ws.id)
if member is None:
    # A group of another of this owner's businesses (a normal server): a group's figures are
    # for its members, so joining comes first.
    st.header("Your card")
    st.markdown(
        f"This business has not joined **{plain(group.name)}** yet; only its members see its "
        "figures. Choose what to publish, then join."
    )
    ui_peers.membership_form(con, group, ws, None, sponsor=ui_peers.sponsor_for(con, group, ws))
    st.stop()

labels = peers.member_labels(con, group.id, viewer=ws.id)
stats = peers.spread(con, group.id, viewer=ws.id)
standing = peers.standing(con, group.id, viewer=ws.id)
figures = peers.latest_figures(con, group.id, viewer=ws.id)

# ---------------------------------------------------------------- the headline
left, middle, right = st.columns(3)
left.metric("Members", len(labels))
if not standing.empty:
    shown = ui_peers.shown_positions(standing)
    compared = int(shown.isin(["bottom quartile", "middle", "top quartile"]).sum())
    bottom = int((shown == "bottom quartile").sum())
    middle.metric(
        "Your figures in the bottom quarter",
        f"{bottom} of {compared}",
        help="Figures where you are on the wrong side of Q1 (or of Q3, where lower is better).",
    )
    right.metric("In the top quarter", int((shown == "top quartile").sum()))
else:
    middle.metric("Your figures compared", "none yet")
public = peers.member_labels(con, group.id, viewer=ws.id, mark_you=False)
seen_as = public.loc[public["member_key"] == member.member_key, "label"]
st.caption(
    f"The others see you as {plain(seen_as.iloc[0])}."
    + ("" if member.show_name else " Your name stays on this server.")
)
st.caption(ui_peers.QUARTILE_NOTE)

# ---------------------------------------------------------------- your card
st.header("Your card")
latest = figures[figures["is_you"]]
published = latest["published_at"].max() if not latest.empty else None
st.markdown(
    f"Last published {plain(moment(published)) if published is not None else 'never'}"
    f" · {len(member.published_ids)} figures chosen · name "
    f"{'shown' if member.show_name else 'hidden'} · amounts "
    f"{'shared' if member.share_amounts else 'not shared'}."
)
st.caption(
    f"Publishing sends your figures as of {day(ctx.as_of)} (the day in the sidebar), dated now."
    if ctx.as_of
    else "Your business has no data yet, so every figure would go out as not enough data."
)
cols = st.columns(2)
with cols[0]:
    ui_peers.publish_button(con, group, ws, ctx.as_of, ctx.picked_as_of)
with cols[1]:
    ui_peers.export_button(con, group, member)
with st.expander("Change what you publish, your name, your reset item"):
    ui_peers.membership_form(con, group, ws, member)
ui_peers.invite_to_group(group, ws)

with st.expander("Import a card from a group on another server"):
    st.caption(
        "A member on another server exports their card as a JSON file; import it here to add "
        "them to this group. The file is checked first: anything that is not a valid card, or "
        "that carries a name or amounts the member did not choose to share, is refused."
    )
    ui_peers.import_form(con, group, ws)

# ---------------------------------------------------------------- where everyone stands
st.header("Where everyone stands")
if stats.empty:
    st.info(
        "No figures published in this group yet. Publish your card above; the strips appear "
        "as soon as cards arrive.",
        icon="ℹ️",
    )
    st.stop()

if not standing.empty:
    st.subheader("Your figures beside the group")
    dataframe(ui_peers.standing_table(standing), hide_index=True, width="stretch")

order = {i: n for n, i in enumerate(REGISTRY)}
for rec in sorted(stats.to_dict("records"), key=lambda r: order.get(str(r["indicator_id"]), 99)):
    ind_id, basis = str(rec["indicator_id"]), str(rec["basis"])
    if ind_id not in REGISTRY:
        continue
    ind = REGISTRY[ind_id]
    rows = figures[(figures["indicator_id"] == ind_id) & (figures["basis"] == basis)]
    older, rows = rows[~rows["current"]], rows[rows["current"]]
    st.subheader(ind.label + (f" ({basis})" if basis else ""))
    where = ""
    if not standing.empty:
        mine = standing[(standing["indicator_id"] == ind_id) & (standing["basis"] == basis)]
        if not mine.empty:
            where = ui_peers.POSITION_WORD[str(ui_peers.shown_positions(mine).iloc[0])] + " · "
    st.caption(
        f"{where}{int(rec['members'])} members · "
        + ("higher is better" if ind.higher_is_better else "lower is better")
        + f" · definition version {int(rec['version'])}"
    )
    for note in peers.pooling_notes(int(rec["members"]), int(rec["older"])):
        st.caption(note)
    if int(rec["members"]):
        st.plotly_chart(
            ui_peers.strip_chart(ind, rows, rec, basis),
            width="stretch",
            key=f"peers_strip_{ind_id}_{basis}",
            config={"displayModeBar": False},
        )
        with st.expander("The values behind the chart"):
            st.dataframe(ui_peers.values_table(ind, rows, basis), hide_index=True, width="stretch")
    if not older.empty:
        with st.expander("Older definitions, listed apart"):
            st.dataframe(ui_peers.values_table(ind, older, basis), hide_index=True, width="stretch")

with st.expander(f"Members of {plain(group.name)}"):
    dataframe(
        ui_peers.members_table(labels, peers.cards(con, group.id, viewer=ws.id)),
        hide_index=True,
        width="stretch",
    )
