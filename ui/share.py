"""Snapshot links in the app: the "Share snapshot" control, making the snapshot once the page
has been drawn, and the read-only view a link opens."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import snapshots
from analytics.errors import OpeningDayError
from analytics.format import inert_figure
from analytics.snapshots import Frozen
from ui import capture
from ui import store as ui_store
from ui.format import plain, unlinked
from ui.sidebar import Context

_MADE_KEY = "_od_snapshot_made"
_AUTHOR_KEY = "_od_snapshot_author"
EXPIRY_CHOICES: dict[str, int | None] = {
    "7 days": 7,
    "30 days": 30,
    "90 days": 90,
    "1 year": 365,
    "No expiry": None,
}
INVALID = (
    "This link is not valid. It may be mistyped, or the person who shared it may have "
    "revoked it or let it expire. Ask them for a new one."
)


def base_url(workspace_id: int) -> str:
    """Where links point: the owner's setting (behind a proxy), else the address the owner's
    browser reached this server at, else the address it listens on."""
    saved = str(ui_store.settings(workspace_id).get("share_base_url") or "").strip()
    if saved:
        return saved
    host = str(st.context.headers.get("Host") or "").strip()
    if host and all(c.isalnum() or c in ".-:[]" for c in host):
        return f"http://{host}"
    address = st.get_option("server.address") or "localhost"
    if address in ("0.0.0.0", "::"):
        address = "localhost"
    return f"http://{address}:{st.get_option('server.port')}"


def control(page: str, ctx: Context) -> None:
    """'Share snapshot': start noting what this page draws, and offer to freeze it.

    The snapshot is made after the page has been drawn (see `finish`), so it holds the page
    exactly as it stands, filters included.
    """
    assert ctx.workspace is not None
    cap = capture.begin(page, ctx.workspace.id, ctx.as_of)
    made = st.session_state.pop(_MADE_KEY, None)
    if made:
        st.success(
            f"Snapshot “{plain(made['title'])}” is ready: anyone with this link sees it, "
            "read-only, and nothing else. Copy it with the button at the right of the box.",
            icon="🔗",
        )
        st.code(made["link"], language=None)
        st.page_link("pages/sharing.py", label="Manage shared links", icon="🗂️")
    with st.popover("Share snapshot", icon="🔗"):
        st.markdown(
            "Freeze this page as it is now (figures, charts and tables) under a private link. "
            "Later imports do not change it; you can revoke it at any time."
        )
        with st.form(f"share_{page}", border=False):
            title = st.text_input(
                "Title", placeholder=f"{snapshots.PAGES[page]} as of …", max_chars=120
            )
            author = st.text_input(
                "Your name, shown on the snapshot",
                value=st.session_state.get(_AUTHOR_KEY, ""),
                max_chars=80,
            )
            anonymous = st.checkbox(
                "Hide the business name (the snapshot says “anonymous”)",
                help="Names inside the figures, such as customers in a message, stay as the "
                "page shows them.",
            )
            expiry = st.selectbox("The link works for", list(EXPIRY_CHOICES), index=1)
            if st.form_submit_button("Create link", type="primary"):
                st.session_state[_AUTHOR_KEY] = author
                cap.request = {
                    "title": title,
                    "author": author,
                    "anonymous": anonymous,
                    "expires_days": EXPIRY_CHOICES[expiry],
                }


def finish() -> None:
    """After the page ran: if the owner asked for a snapshot, freeze what was drawn."""
    cap = capture.current()
    if cap is None or cap.request is None:
        return
    request, cap.request = cap.request, None
    try:
        snap, token = snapshots.create(
            ui_store.connection(),
            cap.workspace_id,
            cap.page,
            capture.blocks(cap),
            as_of=cap.as_of,
            **request,
        )
    except OpeningDayError as exc:
        st.error(plain(exc), icon="⛔")
        return
    st.session_state[_MADE_KEY] = {
        "title": snap.title,
        "link": snapshots.link(base_url(cap.workspace_id), token),
    }
    st.rerun()


def html_file(workspace_id: int, snapshot_id: int) -> bytes:
    """A snapshot's HTML export (`snapshots.to_html`), made when the browser asks for the
    download. By then the run that drew the button has ended and the store may have been let
    go (ui/store.py closes it when idle), so the store is held for this like a run and the
    connection taken from it now, never one kept from the run."""
    held = ui_store.handle()
    held.enter()
    try:
        item = snapshots.frozen(held.connection(), workspace_id, snapshot_id)
        return snapshots.to_html(item).encode("utf-8")
    finally:
        held.leave()


# ---------------------------------------------------------------- the read-only view


def route() -> None:
    """A `?snapshot=` link: show the frozen page or "not valid", and nothing else, ever.

    The only store access is the token lookup; the page registered here is the only page, so
    there is no navigation, no sidebar and no widget that could reach live data.
    """
    token = st.query_params.get("snapshot")
    item = snapshots.resolve(ui_store.connection(), token)
    page = st.Page(
        (lambda: view(item)) if item is not None else invalid,
        title=item.snapshot.title if item is not None else "Link not valid",
        icon="🔗",
        url_path="snapshot",
        default=True,
    )
    st.navigation([page], position="hidden").run()
    st.stop()


def invalid() -> None:
    st.title("This link is not valid")
    st.markdown(INVALID)


def view(item: Frozen) -> None:
    """A frozen page: a banner with what and when, then its blocks as they were drawn."""
    snap = item.snapshot
    st.title(plain(snap.title))
    st.info(
        "Read-only snapshot. " + plain(snapshots.banner(snap)) + ". "
        "The figures are frozen: they do not change when the business's data does.",
        icon="📌",
    )
    for i, block in enumerate(item.blocks):
        draw(block, f"snap_{i}")


def _figure(spec: dict[str, Any]) -> go.Figure:
    """A frozen chart to draw, its data text escaped for Plotly (see `inert_figure`)."""
    return inert_figure(go.Figure(spec))


def draw(block: dict[str, Any], key: str) -> None:
    kind = block.get("kind")
    if kind == "heading":
        level = int(block.get("level", 2))
        text = plain(block.get("text", ""))
        if level <= 1:
            st.header(text)  # the page title sits under the snapshot's own title
        elif level == 2:
            st.subheader(text)
        else:
            st.markdown(f"**{text}**")
    elif kind == "text":
        # Stored as the page wrote it (owner's text escaped); links are broken again here, so
        # a snapshot frozen before addresses were broken up shows none either.
        text = unlinked(block.get("text", ""))
        style = block.get("style")
        if style == "caption":
            st.caption(text)
        elif style == "info":
            st.info(text, icon="ℹ️")
        elif style == "success":
            st.success(text, icon="✅")
        elif style == "warning":
            st.warning(text, icon="⚠️")
        else:
            st.markdown(text)
    elif kind == "metrics":
        items = block.get("items", [])
        for start in range(0, len(items), 5):
            for col, m in zip(st.columns(5), items[start : start + 5], strict=False):
                col.metric(plain(m.get("label", "")), unlinked(m.get("value", "")))
                if m.get("note"):
                    col.caption(plain(m["note"]))
    elif kind == "card":
        with st.container(border=True):
            left, right = st.columns([3, 1])
            left.markdown(
                f"**{plain(block.get('label', ''))}** · {plain(block.get('status_text', ''))}"
            )
            left.markdown(plain(block.get("message", "")))
            if block.get("next_step") and block.get("status") != "green":
                left.caption("What to do next: " + plain(block["next_step"]))
            right.metric(
                plain(block.get("label", "")),
                unlinked(block.get("value", "")),
                label_visibility="collapsed",
            )
            if block.get("spark"):
                right.plotly_chart(
                    _figure(block["spark"]),
                    width="stretch",
                    config={"displayModeBar": False},
                    key=f"{key}_spark",
                )
    elif kind == "chart":
        st.plotly_chart(_figure(block["figure"]), width="stretch", key=key)
    elif kind == "table":
        frame = pd.DataFrame(block.get("rows", []), columns=block.get("columns", []))
        config = {
            col: st.column_config.NumberColumn(format=fmt)  # type: ignore[arg-type]
            for col, fmt in block.get("formats", {}).items()
        }
        st.dataframe(frame, hide_index=True, width="stretch", column_config=config or None)
    elif kind == "steps":
        st.markdown("\n".join(f"- {unlinked(line)}" for line in block.get("items", [])))
