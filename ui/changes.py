"""What changed since the last review, as a compact section: new reds first, then the rest on
demand, with a day picker to compare with another day."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from analytics import changes
from analytics.changes import Changes, DueItem, Move
from analytics.indicators import stored
from analytics.pack.log import last_made
from ui import indicators as ui_ind
from ui import store as ui_store
from ui.format import day, plain


@st.cache_data(show_spinner="Comparing with the earlier day…", max_entries=64)
def changes_for(
    workspace_id: int, since: date, as_of: date | None, reason: str, version: str
) -> Changes:
    """The comparison for one workspace, day pair and data version (`version` only keys the
    cache: any import, undo or settings change gives a new one)."""
    return changes.compare(
        ui_store.connection(), workspace_id, since=since, as_of=as_of, since_reason=reason
    )


def title(ch: Changes) -> str:
    """'Since your last review, 12 Sep' / 'Since 2 Aug (90 days before 31 Oct 2026)'."""
    short = changes.short_day(ch.since, ch.as_of)
    if ch.since_reason.startswith("your last review session"):
        return f"Since your last review, {short}"
    if ch.since_reason.startswith("your last review pack"):
        return f"Since your last review pack, {short}"
    return f"Since {short} ({ch.since_reason})"


def tally(ch: Changes) -> str:
    """One line of counts, so the collapsed section still says how much moved."""
    parts = [
        f"{len(ch.new_reds)} new red{'' if len(ch.new_reds) == 1 else 's'}",
        f"{len(ch.status_changes)} other colour change{'' if len(ch.status_changes) == 1 else 's'}",
        f"{len(ch.became_known) + len(ch.became_unknown)} known/unknown",
        f"{len(ch.fell_due)} fell due",
    ]
    if ch.notes:
        parts.append(f"{len(ch.notes)} note{'' if len(ch.notes) == 1 else 's'}")
    return " · ".join(parts)


def _both(m: Move, ch: Changes) -> str:
    then = changes.short_day(ch.since, ch.as_of)
    now = changes.short_day(ch.as_of, ch.as_of)
    return f"{plain(m.before_text)} on {then} → {plain(m.after_text)} on {now}"


def red_line(m: Move, ch: Changes) -> str:
    was = ui_ind.status_text(m.before_status)
    return f"{ui_ind.status_text('red')} · {plain(m.label)}: {_both(m, ch)} (was {was})"


def status_line(m: Move, ch: Changes) -> str:
    way = "↓ slipped" if m.worse_by > 0 else "↑ improved"
    return (
        f"{way} · {plain(m.label)}: {ui_ind.status_text(m.before_status)} → "
        f"{ui_ind.status_text(m.after_status)}; {_both(m, ch)}"
    )


def move_line(m: Move, ch: Changes, currency: str) -> str:
    return f"{plain(m.label)} {plain(changes.change_text(m, currency))}: {_both(m, ch)}"


def known_line(m: Move, ch: Changes) -> str:
    if m.after_status == "unknown":
        return (
            f"{ui_ind.status_text('unknown')} now · {plain(m.label)} (was {plain(m.before_text)})"
        )
    return (
        f"Now measurable · {plain(m.label)}: {plain(m.after_text)}, "
        f"{ui_ind.status_text(m.after_status)}"
    )


def due_line(item: DueItem) -> str:
    state = "✔ done" if item.done else "✘ not done"
    who = f" ({plain(item.owner)})" if item.owner else ""
    return f"{state} · {plain(item.title)}{who}, due {day(item.due)} · {plain(item.source)}"


def _bullets(lines: list[str]) -> None:
    st.markdown("\n".join(f"- {line}" for line in lines))


def details(ch: Changes, currency: str) -> None:
    """Everything after the new reds: colour changes, largest moves, known/unknown, what fell
    due and the notes written in between."""
    if ch.status_changes:
        st.markdown("**Colour changes**")
        _bullets([status_line(m, ch) for m in ch.status_changes])
    if ch.largest_moves:
        st.markdown("**Largest moves**")
        _bullets([move_line(m, ch, currency) for m in ch.largest_moves])
    if ch.became_known or ch.became_unknown:
        st.markdown("**Known and unknown**")
        _bullets([known_line(m, ch) for m in [*ch.became_known, *ch.became_unknown]])
    st.markdown("**What fell due**")
    if ch.fell_due:
        _bullets([due_line(i) for i in ch.fell_due])
    else:
        st.caption("No commitment or goal step fell due in between.")
    if ch.notes:
        st.markdown("**Your notes in between**")
        _bullets([f"📝 {day(n.day)}: {plain(n.text)}" for n in ch.notes])


def _since_key(key: str, workspace_id: int) -> str:
    return f"changes_since_{key}_{workspace_id}"


def section(
    workspace_id: int,
    as_of: date,
    picked: bool,
    currency: str,
    *,
    key: str = "scoreboard",
    expanded: bool | None = None,
) -> Changes | None:
    """The "what changed" section for a workspace: the default day (last review session, else
    last pack, else 90 days before `as_of`), or another the owner picks. `picked`: the owner
    picked `as_of` in the sidebar (else each figure counts to its own data's last day, as the
    Scoreboard does). Open at first when something turned red, unless `expanded` says."""
    con = ui_store.connection()
    default, reason = changes.default_since(
        con, workspace_id, as_of=as_of, last_pack=last_made(con, workspace_id)
    )
    state_key, default_key = (
        _since_key(key, workspace_id),
        _since_key(key + "_default", workspace_id),
    )
    if st.session_state.get(default_key) != default or state_key not in st.session_state:
        st.session_state[state_key] = default  # a new review session moves the default
        st.session_state[default_key] = default
    since = st.session_state[state_key]
    if since >= as_of:  # the sidebar's day moved before the day picked here
        st.session_state[state_key] = since = default
    if since != default:
        reason = "the day you chose"
    version = stored.data_version(con, workspace_id)
    try:
        ch = changes_for(workspace_id, since, as_of if picked else None, reason, version)
    except ValueError as exc:
        st.info(str(exc), icon="ℹ️")
        return None
    is_open = bool(ch.new_reds) if expanded is None else expanded
    with st.expander(f"{title(ch)} · {tally(ch)}", expanded=is_open):
        st.caption(
            f"Every figure on {day(ch.since)} ({plain(ch.since_reason)}) against "
            f"{day(ch.as_of)}; icons and words give the colour."
        )
        if ch.new_reds:
            st.markdown("**New reds**")
            _bullets([red_line(m, ch) for m in ch.new_reds])
        else:
            st.markdown("✔ Nothing turned red in between.")
        details(ch, currency)
        st.date_input(
            "Compare with another day",
            key=state_key,
            max_value=as_of - timedelta(days=1),
            help="The default is your last review session, else your last review pack, else "
            "90 days back.",
        )
    return ch
