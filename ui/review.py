"""The review session on a page: sessions, the agenda one item at a time, the timer, commitments.

Every read and write passes the current business as `viewer`: analytics.review refuses a
session of a group it is not a member of, whatever the URL or session state asks for.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from analytics import peers, review
from analytics.errors import OpeningDayError
from analytics.indicators import REGISTRY
from analytics.store import Connection
from ui import indicators as ui_ind
from ui.format import day, is_missing, plain
from ui.state import flash

SESSION_KEY = "review_session_id"
PROJECTOR_KEY = "review_projector"
_OPEN_KEY = "review_session_pick"
NOT_REVIEWED = "Not reviewed yet"
DONE = "✔ Done"
NOT_DONE = "✘ Not done"


SESSION_PARAM = "session"
_LINK_KEY = "review_session_linked"  # the ?session= written last: only another one is a link


def _item_key(session_id: int) -> str:
    return f"review_item_{session_id}"


def _start_key(session_id: int) -> str:
    return f"review_started_{session_id}"


def open_session(session_id: int) -> None:
    """Make a session the one shown, back at its first item with the timer stopped."""
    st.session_state[SESSION_KEY] = session_id
    st.session_state[_item_key(session_id)] = 0
    st.session_state.pop(_start_key(session_id), None)


def _on_open() -> None:
    open_session(int(st.session_state[_OPEN_KEY]))


def current_session(con: Connection, group: peers.Group, viewer: int) -> review.Session | None:
    """The session being run, if it belongs to this group."""
    known = {s.id: s for s in review.sessions(con, group.id, viewer=viewer)}
    linked = st.query_params.get(SESSION_PARAM, "")
    if (
        linked != st.session_state.get(_LINK_KEY)
        and linked.isdigit()
        and int(linked) in known
        and st.session_state.get(SESSION_KEY) != int(linked)
    ):
        open_session(int(linked))  # a copied link (?session=ID) reopens that session
    chosen = st.session_state.get(SESSION_KEY)
    session = known.get(chosen) if isinstance(chosen, int) else None
    if session is not None:
        st.query_params[SESSION_PARAM] = st.session_state[_LINK_KEY] = str(session.id)
    else:
        st.query_params.pop(SESSION_PARAM, None)
        st.session_state[_LINK_KEY] = ""
    return session


def followed_up(done: Any, on: Any = None) -> str:
    """A commitment's follow-up in words (and a symbol, never colour alone)."""
    if is_missing(done):
        return NOT_REVIEWED
    word = DONE if bool(done) else NOT_DONE
    return f"{word} (reviewed {day(on)})" if on is not None and not is_missing(on) else word


# ---------------------------------------------------------------- sessions


def sessions_panel(
    con: Connection, group: peers.Group, session: review.Session | None, viewer: int
) -> None:
    """Past sessions by date (open one to see what it decided) and the form to start one."""
    overview = review.session_overview(con, group.id, viewer=viewer)
    with st.expander("Sessions", expanded=session is None):
        if overview.empty:
            st.caption(f"{plain(group.name)} has not held a session yet. Start the first below.")
        else:
            st.dataframe(
                pd.DataFrame(
                    {
                        "Held on": [day(d) for d in overview["held_on"]],
                        "Minutes per item": overview["minutes_per_item"],
                        "Commitments made": overview["commitments_made"],
                        "Earlier commitments reviewed": overview["reviewed"],
                        "Found done": overview["found_done"],
                        "Closed": ["yes" if pd.notna(c) else "" for c in overview["closed_at"]],
                    }
                ),
                hide_index=True,
                width="stretch",
            )
            ids = [int(i) for i in overview["session_id"]]
            dates = dict(zip(ids, overview["held_on"], strict=True))
            if session is not None:
                st.session_state[_OPEN_KEY] = session.id
            st.selectbox(
                "Open a session",
                ids,
                index=None if session is None else ids.index(session.id),
                format_func=lambda i: day(dates[i]),
                key=_OPEN_KEY,
                on_change=_on_open,
                placeholder="Pick a date",
            )
        st.subheader("Start a session")
        with st.form("review_new"):
            left, right = st.columns(2)
            held_on = left.date_input("Held on", value=date.today(), format="YYYY-MM-DD")
            minutes = right.number_input(
                "Minutes per agenda item", min_value=1, max_value=60, value=5, step=1
            )
            if st.form_submit_button("Start the session", type="primary"):
                try:
                    started = review.start_session(
                        con, group.id, held_on, int(minutes), viewer=viewer
                    )
                except OpeningDayError as exc:
                    st.error(plain(exc), icon="⛔")
                else:
                    open_session(started.id)
                    flash("success", f"Session of {day(started.held_on)} started.")
                    st.rerun()


# ---------------------------------------------------------------- moving through the agenda


def item_index(session: review.Session, count: int) -> int:
    key = _item_key(session.id)
    index = st.session_state.get(key, 0)
    index = min(max(int(index), 0), count - 1)
    st.session_state[key] = index
    return index


def _go(session_id: int, index: int) -> None:
    st.session_state[_item_key(session_id)] = index
    # Moving on starts the next item's clock at once, as a chair would.
    st.session_state[_start_key(session_id)] = time.time()


def _start(session_id: int) -> None:
    st.session_state[_start_key(session_id)] = time.time()


def _stop(session_id: int) -> None:
    st.session_state.pop(_start_key(session_id), None)


@st.fragment(run_every=1)
def _clock(start_key: str, minutes: int, big: bool) -> None:
    """Minutes:seconds left of this item; only this fragment reruns each second."""
    started = st.session_state.get(start_key)
    if started is None:
        shown, label = review.clock(minutes * 60), "Time for this item (not started)"
    else:
        left = review.seconds_left(float(started), time.time(), minutes)
        shown = review.clock(left)
        label = "Time left" if left >= 0 else "⏰ Over time"
    if big:
        st.markdown(f"# {label}: {shown}")
    else:
        st.metric(label, shown)


def controls(session: review.Session, items: list[review.AgendaItem], index: int) -> None:
    """Where we are in the agenda, the timer, and start / previous / next."""
    big = bool(st.session_state.get(PROJECTOR_KEY))
    sid = session.id
    left, right = st.columns([2, 3])
    with left:
        _clock(_start_key(sid), session.minutes_per_item, big)
    with right:
        st.markdown(
            f"**Item {index + 1} of {len(items)}:** {plain(items[index].title)} · "
            f"{session.minutes_per_item} min per item"
        )
        b1, b2, b3 = st.columns(3)
        b1.button(
            "◀ Previous",
            key="review_prev",
            disabled=index == 0,
            on_click=_go,
            args=(sid, index - 1),
        )
        if st.session_state.get(_start_key(sid)) is None:
            b2.button("▶ Start the timer", key="review_start", on_click=_start, args=(sid,))
        else:
            b2.button("■ Stop the timer", key="review_stop", on_click=_stop, args=(sid,))
        b3.button(
            "Next ▶",
            key="review_next",
            disabled=index >= len(items) - 1,
            on_click=_go,
            args=(sid, index + 1),
            type="primary",
        )


# ---------------------------------------------------------------- the items


def _red_line(fig: peers.Figure, currency: str) -> str:
    ind = REGISTRY.get(fig.id)
    if ind is None:
        return f"{ui_ind.status_text('red')} · {plain(fig.id)}"
    return (
        f"{ui_ind.status_text('red')} · **{plain(ind.label)}** — "
        f"{plain(ui_ind.value_text(ind, fig.value, currency))}"
    )


def review_item(con: Connection, session: review.Session, big: bool, viewer: int) -> None:
    """Last session's commitments: each marked done or not done (kept with this session)."""
    due = review.to_review(con, session.id, viewer=viewer)
    previous = review.previous_session(con, session.id, viewer=viewer)
    if previous is None:
        st.markdown("This is the group's first session: nothing to follow up yet.")
        return
    if due.empty:
        st.markdown(f"The session of {day(previous.held_on)} made no commitments.")
        return
    st.caption(f"Made at the session of {day(previous.held_on)}.")
    with st.form(f"review_followup_{session.id}"):
        choices: dict[int, str] = {}
        for rec in due.to_dict("records"):
            cid = int(rec["commitment_id"])
            was = followed_up(rec["done"])
            text = (
                f"{plain(rec['label'])} · {plain(rec['owner'])}: {plain(rec['text'])} "
                f"(due {day(rec['due'])})"
            )
            if big:
                st.markdown(f"### {text}")
            choices[cid] = str(
                st.radio(
                    text,
                    [NOT_REVIEWED, DONE, NOT_DONE],
                    index=[NOT_REVIEWED, DONE, NOT_DONE].index(was),
                    horizontal=True,
                    key=f"review_done_{session.id}_{cid}",
                    label_visibility="collapsed" if big else "visible",
                )
            )
        if st.form_submit_button("Save what was done"):
            before = {
                int(c): followed_up(d)
                for c, d in zip(due["commitment_id"], due["done"], strict=True)
            }
            changed = [(c, v) for c, v in choices.items() if v != before[c] and v != NOT_REVIEWED]
            try:
                for cid, value in changed:
                    review.review_commitment(con, session.id, cid, value == DONE, viewer=viewer)
            except OpeningDayError as exc:
                st.error(plain(exc), icon="⛔")
            else:
                flash("success", f"{len(changed)} follow-up(s) recorded with this session.")
                st.rerun()


def member_item(item: review.AgendaItem, big: bool) -> None:
    """One member's turn: their red figures, then the reset item they chose to work on."""
    head = "##" if big else "####"
    if not item.has_card:
        st.markdown(f"{plain(item.label)} has not published a card before this session.")
    elif not item.reds:
        st.markdown("No red figures on the latest card. ✅")
    else:
        st.markdown(f"{head} Red figures ({len(item.reds)})")
        st.markdown("\n".join(f"- {_red_line(f, item.currency)}" for f in item.reds))
    st.markdown(f"{head} Chosen reset item")
    st.markdown(plain(item.reset_item) if item.reset_item else "No reset item chosen yet.")


def commitments_item(
    con: Connection, session: review.Session, items: list[review.AgendaItem], viewer: int
) -> None:
    """New commitments: member, owner, what, by when; and those made so far."""
    members = {i.member_key: i.label for i in items if i.kind == "member" and i.member_key}
    if members:
        with st.form(f"review_commit_{session.id}", clear_on_submit=True):
            member = st.selectbox("Member", list(members), format_func=lambda k: members.get(k, ""))
            left, right = st.columns([2, 1])
            owner = left.text_input("Owner (who does it)")
            due = right.date_input(
                "Due", value=session.held_on + timedelta(days=28), format="YYYY-MM-DD"
            )
            text = st.text_input("Commitment", placeholder="e.g. Cap discounts at 15% for a month")
            if st.form_submit_button("Add the commitment"):
                try:
                    review.add_commitment(
                        con, session.id, str(member), owner, text, due, viewer=viewer
                    )
                except OpeningDayError as exc:
                    st.error(plain(exc), icon="⛔")
                else:
                    flash("success", "Commitment added.")
                    st.rerun()
    decided(con, session, viewer, empty="No commitments yet in this session.")


def decided(con: Connection, session: review.Session, viewer: int, empty: str) -> None:
    """What a session decided, with each commitment's follow-up at a later session."""
    made = review.commitments(con, session.id, viewer=viewer)
    if made.empty:
        st.caption(empty)
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Member": made["label"].astype(str),
                "Owner": made["owner"].astype(str),
                "Commitment": made["text"].astype(str),
                "Due": [day(d) for d in made["due"]],
                "Followed up": [
                    followed_up(d, o)
                    for d, o in zip(made["done"], made["reviewed_on"], strict=True)
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def show_item(
    con: Connection,
    session: review.Session,
    items: list[review.AgendaItem],
    index: int,
    *,
    viewer: int,
    big: bool,
    now: bool = False,
) -> None:
    item = items[index]
    marker = "▶ Now: " if now and not big else ""
    if big:
        st.title(item.title)
    else:
        st.subheader(f"{marker}{index + 1}. {item.title}")
    if item.kind == "review":
        review_item(con, session, big, viewer)
    elif item.kind == "member":
        member_item(item, big)
    else:
        commitments_item(con, session, items, viewer)
