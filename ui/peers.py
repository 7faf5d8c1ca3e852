"""Peer groups on a page: the group picker, joining and publishing, card files, strip charts.

A page sees only the groups of the businesses this session may act for (see `scope`), and
every read goes through analytics.peers with the current business as `viewer`, which refuses
a group it is not a member of.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import access, checklists, peers
from analytics.errors import OpeningDayError
from analytics.format import inert_figure
from analytics.indicators import REGISTRY, Indicator
from analytics.store import Connection, Workspace, list_workspaces
from ui import access as ui_access
from ui import charts
from ui import indicators as ui_ind
from ui.format import day, is_missing, moment, plain
from ui.state import flash

# The chosen group survives page changes (Peers ↔ Review session), so it is not a widget key.
GROUP_KEY = "peers_group_id"
_PICK_KEY = "peers_group_pick"
NO_ITEM = "(none chosen yet)"
QUARTILE_NOTE = (
    "Median and quartiles are taken over each member's latest card, by linear interpolation "
    "between members (as DuckDB's quantile_cont and Excel's QUARTILE.INC): three values 10%, "
    "20%, 40% give Q1 15%, median 20%, Q3 30%. They are drawn only where at least "
    f"{peers.MIN_FOR_QUARTILES} members published the figure under the same version of its "
    "definition (the peer dictionary); other versions are listed apart, never pooled. Figures "
    "a member could not compute are left out, not counted as zero."
)
POSITION_WORD = {
    "bottom quartile": "▼ Bottom quarter",
    "middle": "● Middle half",
    "top quartile": "▲ Top quarter",
    "unknown": "— No figure",
    "too few": f"— Fewer than {peers.MIN_FOR_QUARTILES} members",
}


def shown_positions(standing: pd.DataFrame) -> pd.Series:
    """Where each of your figures stands as the page says it: 'too few' where the group has
    fewer members on it than quartiles need."""
    few = ~standing["banded"].astype(bool) & (standing["position"] != "unknown")
    return standing["position"].where(~few, "too few")


# ---------------------------------------------------------------- the group


GROUP_PARAM = "group"
# The ?group= this session wrote last: only a different one is a link to follow, so a group
# picked or joined here is not snapped back to the one the URL still names.
_LINK_KEY = "peers_group_linked"


def _on_pick() -> None:
    st.session_state[GROUP_KEY] = st.session_state[_PICK_KEY]


def scope(con: Connection, ws: Workspace) -> list[int]:
    """The businesses whose groups this session sees: on a shared server only the current one;
    on a normal server every business, since one owner runs them all."""
    if access.shared_mode():
        return [ws.id]
    return [w.id for w in ui_access.open_workspaces(list_workspaces(con))]


def sponsor_for(con: Connection, group: peers.Group, ws: Workspace) -> int | None:
    """Another business of this owner that is in the group and can vouch for `ws` joining."""
    return next(
        (w for w in scope(con, ws) if w != ws.id and peers.membership(con, group.id, w)), None
    )


def pick_group(con: Connection, ws: Workspace, *, allow_create: bool = True) -> peers.Group | None:
    """The peer group being looked at (kept across pages) among those this session may see;
    a form to start one, with the current business as its first member."""
    groups = peers.list_groups(con, scope(con, ws))
    by_id = {g.id: g for g in groups}
    # A copied link (?group=ID) reopens the same group; otherwise the one picked last.
    linked = st.query_params.get(GROUP_PARAM, "")
    if linked != st.session_state.get(_LINK_KEY) and linked.isdigit() and int(linked) in by_id:
        st.session_state[GROUP_KEY] = int(linked)
    chosen = st.session_state.get(GROUP_KEY)
    if chosen not in by_id and groups:
        chosen = groups[0].id
        st.session_state[GROUP_KEY] = chosen
    if chosen in by_id:
        st.query_params[GROUP_PARAM] = st.session_state[_LINK_KEY] = str(chosen)
    if groups:
        st.session_state[_PICK_KEY] = chosen
        st.selectbox(
            "Peer group",
            list(by_id),
            format_func=lambda g: by_id[g].name,
            key=_PICK_KEY,
            on_change=_on_pick,
            help="Several businesses on this server (and cards imported from others) compared "
            "side by side.",
        )
    if allow_create:
        with (
            st.expander("Start a new peer group", expanded=not groups),
            st.form("peers_new_group", clear_on_submit=True),
        ):
            name = st.text_input("Group name", placeholder="e.g. Harbour MSP circle")
            if st.form_submit_button("Create the group"):
                try:
                    group = peers.create_group(con, name, founder=ws.id)
                except OpeningDayError as exc:
                    st.error(plain(exc), icon="⛔")
                else:
                    st.session_state[GROUP_KEY] = group.id
                    flash(
                        "success",
                        f"Peer group {group.name} created, with {ws.display_name} as its first "
                        "member. Choose what you publish below, then invite your peers.",
                    )
                    st.rerun()
    return by_id.get(chosen) if chosen is not None else None


# ---------------------------------------------------------------- joining


def reset_items(con: Connection, workspace_id: int) -> list[str]:
    """Every checklist item, as 'Checklist — item', to choose the one you bring to the group."""
    return [
        f"{t.title} — {it.prompt}"
        for t in checklists.templates_for(con, workspace_id).values()
        for it in t.items
    ]


def indicator_choice(ind_id: str) -> str:
    ind = REGISTRY[ind_id]
    amount = " (an amount)" if ind.unit in peers.AMOUNT_UNITS else ""
    return f"{ind.label}{amount}"


def membership_form(
    con: Connection,
    group: peers.Group,
    ws: Workspace,
    member: peers.Member | None,
    *,
    sponsor: int | None = None,
) -> None:
    """Join the group (vouched for by `sponsor`, another business of this owner in it), or
    change what you publish, whether your name shows, your reset item."""
    g = group.id
    keys = {f: f"peers_{f}_{g}" for f in ("name", "show", "amounts", "ids", "item")}
    items = reset_items(con, ws.id)
    current_item = member.reset_item if member and member.reset_item else NO_ITEM
    options = [NO_ITEM, *items]
    if current_item not in options:
        options.append(current_item)
    # Keyed widgets ignore a changed value=: seed them through session state once.
    seeds = {
        "name": member.name if member else ws.display_name,
        "show": member.show_name if member else False,
        "amounts": member.share_amounts if member else False,
        "ids": list(member.published_ids) if member else peers.publishable_ids(False),
        "item": current_item,
    }
    for field, key in keys.items():
        if key not in st.session_state:
            st.session_state[key] = seeds[field]
    with st.form(f"peers_join_{g}"):
        left, right = st.columns(2)
        with left:
            st.text_input(
                "Your name in the group",
                key=keys["name"],
                help="Kept on this server; it goes on your card only if you choose to show it.",
            )
            st.toggle("Show my name to the group", key=keys["show"])
        with right:
            st.toggle(
                "Share amounts (money and counts)",
                key=keys["amounts"],
                help="Off: only rates, ratios, shares, hours and statuses leave your business. "
                "On: amounts such as the effective hourly rate and counts of customers go too.",
            )
        st.multiselect(
            "Figures to publish",
            list(REGISTRY),
            key=keys["ids"],
            format_func=indicator_choice,
            help="Each figure goes out as its value and status only; never a coaching message, "
            "a customer or a person's name. Amounts need 'Share amounts'.",
        )
        st.selectbox(
            "Your chosen reset item",
            options,
            key=keys["item"],
            help="The one Hard reset item you bring to the next review session.",
        )
        label = "Save my choices" if member else "Join the group"
        if st.form_submit_button(label, type="primary"):
            item = st.session_state[keys["item"]]
            try:
                peers.join_group(
                    con,
                    g,
                    ws.id,
                    sponsor=sponsor,
                    published_ids=list(st.session_state[keys["ids"]]),
                    name=str(st.session_state[keys["name"]]),
                    show_name=bool(st.session_state[keys["show"]]),
                    share_amounts=bool(st.session_state[keys["amounts"]]),
                    reset_item="" if item == NO_ITEM else str(item),
                )
            except OpeningDayError as exc:
                st.error(plain(exc), icon="⛔")
            else:
                for key in keys.values():
                    st.session_state.pop(key, None)
                flash(
                    "success",
                    "Choices saved." if member else f"Joined {group.name}. Publish your card next.",
                )
                st.rerun()


def join_with_code(con: Connection, ws: Workspace) -> None:
    """Join a group with an invitation code a member sent (choices can be changed after)."""
    with (
        st.expander("🎟️ Join a peer group with an invitation code"),
        st.form("peers_join_code", clear_on_submit=True),
    ):
        code = st.text_input(
            "Invitation code",
            type="password",
            key="peers_join_code:code",
            help=f"A member of the group makes it on the Peers page; it starts with "
            f"{access.CODE_PREFIX} and works once.",
        )
        st.caption(
            "You join with your name hidden and every rate chosen, amounts not shared; nothing "
            "is published until you press Publish, and you can change each choice first."
        )
        if st.form_submit_button("Join the group", key="peers_join_code:go", type="primary"):
            try:
                group, _ = peers.accept_invitation(con, code or "", ws.id)
            except OpeningDayError as exc:
                st.error(plain(exc), icon="⛔")
            else:
                st.session_state[GROUP_KEY] = group.id
                flash("success", f"Joined {group.name}. Choose what you publish, then publish.")
                st.rerun()


def invite_to_group(group: peers.Group, ws: Workspace) -> None:
    """A member invites another business into the group with a single-use code."""
    with st.expander(f"✉️ Invite a business into {plain(group.name)}"):
        st.caption(
            "The code lets one business already on this server join the group; send it "
            "privately. A business that is not on the server yet needs an invitation to start "
            "one first (Settings)."
        )
        ui_access.invite_form(
            key=f"peers_invite_{group.id}", by=ws.id, group_id=group.id, what="to this group"
        )


# ---------------------------------------------------------------- cards


def card_file_name(group: peers.Group, when: date) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", group.name.lower()).strip("-") or "group"
    return f"kpi-card-{slug}-{when.isoformat()}.json"


def publish_button(
    con: Connection, group: peers.Group, ws: Workspace, as_of: date | None, picked: bool
) -> None:
    """Publish today's card with the figures as of the sidebar's day."""
    if st.button("Publish my card", key=f"peers_publish_{group.id}", type="primary"):
        day_arg = as_of if picked else None
        try:
            card = peers.publish(
                con, group.id, ws.id, day_arg, results=ui_ind.scoreboard(ws.id, day_arg)
            )
        except OpeningDayError as exc:
            st.error(plain(exc), icon="⛔")
        else:
            known = sum(f.status != "unknown" for f in card.figures)
            flash(
                "success",
                f"Card published to {group.name}: {known} of {len(card.figures)} figures, "
                f"as of {day(card.as_of)}.",
            )
            st.rerun()


def export_button(con: Connection, group: peers.Group, member: peers.Member) -> None:
    assert member.workspace_id is not None
    text = peers.latest_card_json(con, group.id, member.member_key, viewer=member.workspace_id)
    if text is None:
        st.caption("Publish a card first; then you can export it for a group on another server.")
        return
    st.download_button(
        "Export my latest card (JSON)",
        data=text.encode("utf-8"),
        file_name=card_file_name(group, date.today()),
        mime="application/json",
        key=f"peers_export_{group.id}",
        help="A small file with your published figures only. Import it on another server.",
    )


def import_form(con: Connection, group: peers.Group, ws: Workspace) -> None:
    """Import a card file from a group on another server; a bad file is refused with a reason."""
    upload = st.file_uploader(
        "A KPI card file (.json)", type=["json"], key=f"peers_upload_{group.id}"
    )
    if upload is not None and st.button("Import the card", key=f"peers_import_{group.id}"):
        try:
            outcome = peers.import_card(con, group.id, upload.getvalue(), viewer=ws.id)
        except OpeningDayError as exc:
            st.error(f"{plain(upload.name)} was not imported: {plain(exc)}", icon="⛔")
        else:
            flash("success" if outcome.added else "info", outcome.message)
            st.rerun()


# ---------------------------------------------------------------- where everyone stands


# How an axis shows a unit: factor, tick suffix, hover format.
_SCALES: dict[str, tuple[float, str, str]] = {
    "share": (100.0, "%", ".1f"),
    "cv": (100.0, "%", ".1f"),
    "points": (100.0, " pts", "+.1f"),
    "hours": (1.0, " h", ",.1f"),
    "ratio": (1.0, "×", ".2f"),
    "months": (1.0, " mo", ".1f"),
    "days": (1.0, " d", ",.0f"),
    "count": (1.0, "", ",.0f"),
}


def _scale(ind: Indicator) -> tuple[float, str, str]:
    """How an axis shows `ind`'s unit (money and plain numbers: as they are, two decimals)."""
    return _SCALES.get(ind.unit, (1.0, "", ",.2f"))


def strip_chart(
    ind: Indicator, rows: pd.DataFrame, stats: Mapping[str, Any], currency: str = ""
) -> go.Figure:
    """Each member a dot on one line, the middle half shaded and the median drawn when enough
    members published it (`stats["banded"]`); 'You' is a star with its label (never colour
    alone)."""
    factor, suffix, hover = _scale(ind)
    if ind.unit == "money":
        suffix = f" {currency}"
    known = rows[rows["value"].notna()].sort_values("value")
    fig = go.Figure()
    if bool(stats.get("banded", True)):
        _band(fig, ind, stats, currency, factor)
    for is_you, name, symbol, size, colour in (
        (False, "Other members", "circle", 12, charts.NEUTRAL),
        (True, "You", "star", 20, charts.ACCENT),
    ):
        part = known[known["is_you"] == is_you]
        if part.empty:
            continue
        # Alternate labels above and below so neighbours do not print over each other.
        positions = ["top center" if n % 2 == 0 else "bottom center" for n in range(len(part))]
        fig.add_scatter(
            x=(part["value"].astype(float) * factor).tolist(),
            y=[0] * len(part),
            mode="markers+text",
            name=name,
            text=part["label"].astype(str).tolist(),
            textposition=positions,
            textfont={"size": 14 if is_you else 11},
            marker={"symbol": symbol, "size": size, "color": colour, "line": {"width": 1}},
            hovertemplate="%{text}: %{x:" + hover + "}" + suffix + "<extra></extra>",
        )
    fig.update_layout(
        **{
            **charts.LAYOUT,
            "hovermode": "closest",
            "height": 240,
            "margin": {"l": 30, "r": 30, "t": 30, "b": 10},
            # Below the tick labels, not over them.
            "legend": {"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0},
        },
        showlegend=True,
        yaxis={"visible": False, "range": [-1, 1], "fixedrange": True},
        xaxis={"ticksuffix": suffix, "zeroline": False},
    )
    # Room either side so the end dots and their labels are not cut off.
    low, high = float(stats["low"]) * factor, float(stats["high"]) * factor
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    fig.update_xaxes(range=[low - pad, high + pad])
    return inert_figure(fig)  # members' shown names come from their owners


def _band(
    fig: go.Figure, ind: Indicator, stats: Mapping[str, Any], currency: str, factor: float
) -> None:
    """The middle half (Q1–Q3) shaded and the median drawn on a strip."""
    fig.add_vrect(
        x0=float(stats["q1"]) * factor,
        x1=float(stats["q3"]) * factor,
        fillcolor="rgba(96, 125, 139, 0.18)",
        line_width=0,
        annotation_text="Middle half (Q1–Q3)",
        annotation_position="top left",
    )
    fig.add_vline(
        x=float(stats["median"]) * factor,
        line_dash="dash",
        line_color="#333",
        annotation_text=f"Median {ui_ind.value_text(ind, float(stats['median']), currency)}",
        annotation_position="bottom right",
    )


def values_table(ind: Indicator, rows: pd.DataFrame, currency: str = "") -> pd.DataFrame:
    """The table behind a strip: member, value in its unit, status in words, the version of
    the figure's definition its card follows, card date."""
    ordered = rows.sort_values("value", na_position="last")
    return pd.DataFrame(
        {
            "Member": ordered["label"].astype(str),
            "Definition": [f"version {int(v)}" for v in ordered["version"]],
            "Value": [
                ui_ind.value_text(ind, None if pd.isna(v) else float(v), currency)
                for v in ordered["value"]
            ],
            "Status": [ui_ind.status_text(str(s)) for s in ordered["status"]],
            "Figures as of": [day(d) for d in ordered["as_of"]],
            "Published": [moment(p) for p in ordered["published_at"]],
        }
    )


def standing_table(standing: pd.DataFrame) -> pd.DataFrame:
    """Your figures beside the group's quartiles, one row per figure, in words (no quartiles
    where fewer members published it than they need)."""
    rows = []
    standing = standing.assign(shown=shown_positions(standing))
    for rec in standing.to_dict("records"):
        ind = REGISTRY[str(rec["indicator_id"])]
        cur = str(rec["basis"])

        def text(v: Any, ind: Indicator = ind, cur: str = cur) -> str:
            return ui_ind.value_text(ind, None if is_missing(v) else float(v), cur)

        banded = bool(rec["banded"])
        rows.append(
            {
                "Figure": ind.label + (f" ({cur})" if cur else ""),
                "You": text(rec["value"]),
                "Your status": ui_ind.status_text(str(rec["status"])),
                "Q1": text(rec["q1"]) if banded else "—",
                "Median": text(rec["median"]) if banded else "—",
                "Q3": text(rec["q3"]) if banded else "—",
                "Members": int(rec["members"]),
                "Where you stand": POSITION_WORD[str(rec["shown"])],
            }
        )
    return pd.DataFrame(rows)


def members_table(labels: pd.DataFrame, cards: pd.DataFrame) -> pd.DataFrame:
    """Who is in the group (as you see them), where they publish from, their latest card."""
    latest = cards.groupby("member_key", as_index=False)["published_at"].max()
    merged = labels.merge(latest, on="member_key", how="left")
    return pd.DataFrame(
        {
            "Member": merged["label"].astype(str),
            "Publishes": [
                "here" if bool(h) else "another server (imported card)" for h in merged["here"]
            ],
            "Latest card": [
                moment(p) if pd.notna(p) else "none yet" for p in merged["published_at"]
            ],
            "Joined": [day(j) for j in merged["joined_at"]],
        }
    )
