"""The issues list on a page: "Add to issues list" beside a red or amber card or a Hard reset
item, and the list a review session works in order — identify, discuss, solve.

The owner's words (titles, names) are shown with `plain` or in tables, never as HTML. Writes go
through analytics.issues_list, which keeps each change as a revision that can be undone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pandas as pd
import streamlit as st

from analytics import areas, review
from analytics import issues_list as il
from analytics.checklists import Item, Template
from analytics.errors import OpeningDayError
from analytics.indicators import Indicator, Result
from analytics.store import Connection
from ui import capture, sidebar
from ui import store as ui_store
from ui.format import day, plain
from ui.lazy import opened_popover
from ui.state import flash

WHO_KEY = "issues_who"  # the name kept with each change, as typed once per browser session
PRIORITIES = [1, 2, 3]
STATE_WORDS = {
    "open": "○ Open",
    "discussing": "💬 Discussing",
    "solved": "✔ Solved",
    "dropped": "✘ Dropped",
}
HOW_IT_WORKS = (
    "Anything that needs the room goes on the list: a red or amber figure, a Hard reset item, "
    "or a topic typed in. The session works it in order — priority 1 (high), 2 (medium), "
    "3 (low), then oldest first: **identify** (is this the real issue?), **discuss**, "
    "**solve** — a solved issue becomes a commitment with an owner and a due date. What is "
    "left open stays on the list for the next session."
)


def _priority_word(p: int) -> str:
    return f"{p} · {il.PRIORITY_WORDS[p]}"


def _who() -> str:
    return str(st.session_state.get(WHO_KEY) or "")


def _add_form(
    key: str,
    workspace_id: int,
    title: str,
    source: il.Source,
    session_id: int | None = None,
) -> None:
    """Title (pre-filled), who raised it, priority → on the list."""
    with st.form(key, clear_on_submit=source.kind == "typed"):
        typed = st.text_input("Issue", value=title, max_chars=il.MAX_TITLE, key=f"{key}_title")
        left, right = st.columns([3, 2])
        by = left.text_input("Raised by", value=_who(), max_chars=il.MAX_NAME)
        priority = right.selectbox(
            "Priority", PRIORITIES, index=1, format_func=_priority_word, key=f"{key}_prio"
        )
        if source.kind != "typed":
            st.caption(plain(source.text))
        if st.form_submit_button("Put it on the list", type="primary"):
            try:
                new = il.add_issue(
                    ui_store.connection(),
                    workspace_id,
                    typed,
                    raised_by=by,
                    priority=int(priority),
                    source=source,
                    session_id=session_id,
                )
            except OpeningDayError as exc:
                st.error(plain(exc), icon="⛔")
            else:
                flash("success", f"#{new} is on the issues list.")
                st.rerun()


def _offer(key: str, workspace_id: int, title: str, source: il.Source, label: str) -> None:
    """The button (a popover with the form), or where it is on the list already."""
    # One query a run for every card of the page (a Scoreboard has a dozen red and amber ones).
    listed = capture.once_per_run(
        ("issues open", workspace_id),
        lambda: il.open_sources(ui_store.connection(), workspace_id),
    )
    there = listed.get((source.kind, source.id))
    if there is not None:
        number, state = there
        st.caption(f"📋 On the issues list as #{number} ({STATE_WORDS[state]}).")
        return
    # The form only once its popover is opened: a Scoreboard of a dozen red and amber cards
    # sends a button each, not a form each.
    offer = opened_popover(label, f"{key}_open", icon="📋")
    if offer is not None:
        with offer:
            _add_form(key, workspace_id, title, source)


def add_figure_action(
    ind: Indicator,
    result: Result,
    currency: str,
    *,
    place: str | None = None,
    workspace_id: int | None = None,
) -> None:
    """'Add to issues list' beside a red or amber card (nothing for green or unknown ones).
    `place` is where the card is shown: 'Scoreboard', or by default its area page's title;
    the workspace is the one picked in the sidebar unless given."""
    if result.status not in ("red", "amber"):
        return
    if workspace_id is None:
        chosen = sidebar.current().workspace
        if chosen is None:
            return
        workspace_id = chosen.id
    where = place or areas.page(ind.page).title
    source = il.figure_source(ind.id, result.status, result.value, currency, place=where)
    title = f"{ind.label} is {result.status}"
    _offer(f"il_fig_{ind.id}", workspace_id, title, source, "Add to issues list")


def add_checklist_action(workspace_id: int, template: Template, item: Item) -> None:
    """'Put on the issues list' for one Hard reset item."""
    source = il.checklist_source(template.id, item.id, item.prompt)
    key = f"il_ck_{template.id}_{item.id}"
    _offer(key, workspace_id, item.prompt, source, "Put on the issues list")


# ---------------------------------------------------------------- the list in a session


def _act(done: str, change: Callable[..., object], *args: object, **kwargs: object) -> None:
    """Make a change; say so on the next run, or the refusal now."""
    try:
        said = change(ui_store.connection(), *args, **kwargs)
    except OpeningDayError as exc:
        st.error(plain(exc), icon="⛔")
    else:
        flash("success", said if isinstance(said, str) else done)
        st.rerun()


def _where(issue: il.Issue, carried: bool) -> str:
    parts = [plain(issue.source.text)]
    if issue.raised_by:
        parts.append(f"raised by {plain(issue.raised_by)}")
    if issue.raised_on is not None:
        parts.append(f"raised in the session of {day(issue.raised_on)}")
    else:
        parts.append(f"raised {day(issue.raised_at.date())}")
    if carried:
        parts.append("carried over")
    if issue.closed_on is not None:
        parts.append(f"{issue.state} in the session of {day(issue.closed_on)}")
    if issue.commitment_id is not None:
        parts.append(f"commitment #{issue.commitment_id}")
    return " · ".join(parts)


def _solve_form(workspace_id: int, issue: il.Issue, session: review.Session | None) -> None:
    if session is None or session.is_closed:
        st.caption("Solve it in an open review session: it becomes that session's commitment.")
        return
    with st.form(f"il_solve_{issue.id}"):
        text = st.text_input("What will be done", value=issue.title, max_chars=300)
        left, right = st.columns([3, 2])
        owner = left.text_input("Owner (who does it)", key=f"il_owner_{issue.id}")
        due = right.date_input(
            "Due", value=session.held_on + timedelta(days=28), format="YYYY-MM-DD"
        )
        if st.form_submit_button("Solve it → commitment", type="primary"):
            _act(
                f"#{issue.id} is solved: a commitment of this session.",
                il.solve,
                workspace_id,
                issue.id,
                session.id,
                owner,
                due,
                text=text,
                who=_who(),
            )


def _buttons(workspace_id: int, issue: il.Issue, session_id: int | None) -> None:
    """The moves the item's state allows, each a button: (label, key, message, change, kwargs)."""
    who: dict[str, object] = {"who": _who()}
    at: dict[str, object] = {**who, "session_id": session_id}
    iid = issue.id
    moves: list[tuple[str, str, str, Callable[..., object], dict[str, object]]] = []
    if issue.state == "open":
        moves.append(("Discuss", "discuss", f"Discussing #{iid}.", il.discuss, at))
    if issue.state == "discussing":
        back: dict[str, object] = {**at, "state": "open"}
        moves.append(("Back to the list", "back", f"#{iid} is open.", il.set_state, back))
    if issue.is_open:
        moves += [
            ("Drop", "drop", f"#{iid} dropped.", il.drop, at),
            ("▲ Up", "up", f"#{iid} moved up.", il.move, {**who, "up": True}),
            ("▼ Down", "down", f"#{iid} moved down.", il.move, {**who, "up": False}),
        ]
    if issue.state == "dropped":
        moves.append(("Restore", "restore", f"#{iid} is back on the list.", il.restore, at))
    cols = st.columns([2, 2, 2, 2, 3])
    for col, (label, key, done, change, kwargs) in zip(cols, moves, strict=False):
        first = key in ("discuss", "restore")
        if col.button(label, key=f"il_{key}_{iid}", type="primary" if first else "secondary"):
            _act(done, change, workspace_id, iid, **kwargs)
    if issue.is_open:
        key = f"il_prio_{iid}"
        st.session_state[key] = issue.priority  # the stored one: an undo shows at once
        cols[4].selectbox(
            "Priority",
            PRIORITIES,
            key=key,
            format_func=_priority_word,
            on_change=_reprioritise,
            args=(workspace_id, iid, key),
            label_visibility="collapsed",
        )


def _reprioritise(workspace_id: int, issue_id: int, key: str) -> None:
    """Priority picked: saved before the page runs again (a refusal shows on that run)."""
    try:
        il.set_priority(
            ui_store.connection(), workspace_id, issue_id, int(st.session_state[key]), who=_who()
        )
    except OpeningDayError as exc:
        flash("error", str(exc))
    else:
        flash("success", f"#{issue_id} is now priority {_priority_word(st.session_state[key])}.")


def _item(
    workspace_id: int,
    issue: il.Issue,
    carried: bool,
    session: review.Session | None,
    n: int,
) -> None:
    with st.container(border=True, key=f"il_item_{issue.id}"):
        number = f"{n}. " if n else ""
        st.markdown(
            f"**{number}{plain(issue.title)}** · #{issue.id} · priority "
            f"{_priority_word(issue.priority)} · {STATE_WORDS[issue.state]}"
        )
        st.caption(_where(issue, carried))
        if session is not None and session.is_closed:
            return
        _buttons(workspace_id, issue, None if session is None else session.id)
        if issue.state == "discussing":
            _solve_form(workspace_id, issue, session)


def revisions_table(con: Connection, workspace_id: int) -> pd.DataFrame:
    log = il.revisions(con, workspace_id)
    return pd.DataFrame(
        {
            "When": [f"{t:%Y-%m-%d %H:%M}" for t in log["changed_at"]],
            "Issue": [f"#{i}" for i in log["issue_id"]],
            "Change": [
                f"{w}: {o} → {n}" if o else f"{w}: {n}"
                for w, o, n in zip(log["what"], log["old"], log["new"], strict=True)
            ],
            "Who": log["changed_by"].astype(str),
            "Undone": ["yes" if pd.notna(u) else "" for u in log["undone_at"]],
        }
    )


def section(con: Connection, workspace_id: int, session: review.Session | None) -> None:
    """The business's issues list: in a session, what it works (open items carried over, those
    raised, solved or dropped in it); outside one, the open list."""
    st.header("Issues list")
    st.markdown(HOW_IT_WORKS)
    if session is None:
        rows = [(i, False) for i in il.list_issues(con, workspace_id)]
    else:
        rows = il.session_issues(con, workspace_id, session.id)
    closed = session is not None and session.is_closed
    if not closed:
        st.text_input("Your name (kept with each change)", key=WHO_KEY, max_chars=il.MAX_NAME)
    if not rows:
        st.caption("The issues list is empty: put a topic on it below, or add a red figure "
                   "from the Scoreboard.")  # fmt: skip
    for n, (issue, carried) in enumerate(rows, start=1):
        _item(workspace_id, issue, carried, session, n)
    if closed:
        return
    st.subheader("Put a topic on the list")
    _add_form("il_add", workspace_id, "", il.TYPED, None if session is None else session.id)
    dropped = [
        i
        for i in il.list_issues(con, workspace_id, include_closed=True)
        if i.state == "dropped" and i.id not in {r.id for r, _ in rows}
    ]
    with st.expander(f"Dropped earlier ({len(dropped)})"):
        for issue in dropped:
            _item(workspace_id, issue, False, session, 0)
    with st.expander("Changes to the list"):
        st.dataframe(revisions_table(con, workspace_id), hide_index=True, width="stretch")
        if st.button("↶ Undo the last change", key="il_undo"):
            _act("Undone.", il.undo_last, workspace_id, who=_who())
