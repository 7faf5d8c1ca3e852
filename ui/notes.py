"""Notes on the timeline in the app: the list with add, edit and remove (with Restore) on
every area page and on Home, and the notes handed to the page's charts and its snapshot.

A note's text is the owner's plain text: shown with st.text (never markdown or HTML), and in
the snapshot as inert markdown (`snapshots.notes_blocks`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import streamlit as st

from analytics import notes
from analytics.checklists import history
from analytics.errors import OpeningDayError
from analytics.notes import Note
from analytics.snapshots.blocks import notes_blocks
from ui import capture
from ui import store as ui_store
from ui.format import plain
from ui.reset import WHO_KEY
from ui.state import flash

EXPANDER = "Notes on the timeline"
EDITING = "notes_editing"  # the id of the note whose edit form is open
REMOVED = "notes_removed"  # (workspace id, note id) of the last note removed: Restore offers it
AUTHOR = "notes_author"  # the name last written on a note in this session
WHOLE_BUSINESS = "The whole business"


def author_default(workspace_id: int) -> str:
    """The name this session last wrote on a note, else the one it gave on the Hard reset
    ("You are"), else the last one given in this business."""
    for key in (AUTHOR, WHO_KEY):
        name = str(st.session_state.get(key) or "").strip()
        if name:
            return name
    return history.last_who(ui_store.connection(), workspace_id)


def _write(write: Callable[[], object], done: str, after: Callable[[], None] | None = None) -> None:
    """A note written as the owner asked (its refusal shown), then the page run again. Notes
    are read fresh on every run, so no cached figure needs forgetting (unlike
    ui.widgets.save_then_rerun, which clears every cache: a page's figures would be computed
    again for a note)."""
    try:
        write()
    except OpeningDayError as exc:
        st.error(plain(exc), icon="⛔")
    else:
        if after is not None:
            after()
        flash("success", done)
        st.rerun()


def _concern_label(choices: dict[str, str]) -> Callable[[str | None], str]:
    return lambda c: WHOLE_BUSINESS if c is None else choices.get(c, c)


def _choices(area: str | None) -> list[str | None]:
    """What a note here can concern: the whole business, then the area and its indicators
    (every area and indicator on Home)."""
    every = notes.concern_choices()
    mine = [c for c in every if area is None or notes.area_of(c) == area]
    return [None, *mine]


def _form(
    where: str, workspace_id: int, area: str | None, default_day: date, note: Note | None = None
) -> None:
    """The add form (no `note`) or a note's edit form."""
    key = f"notes_{where}_{note.id if note else 'new'}"
    if st.session_state.pop(f"{key}_added", False):  # a note was just added: a blank form
        st.session_state[f"{key}_text"] = ""
        st.session_state[f"{key}_until"] = None
    choices = _choices(area)
    if note is not None and note.concerns not in choices:
        choices.append(note.concerns)
    with st.form(key, border=note is not None):
        left, right = st.columns(2)
        day = left.date_input("Day", value=note.day if note else default_day, key=f"{key}_day")
        until = right.date_input(
            "Until (for a period; leave empty for one day)",
            value=note.until if note else None,
            key=f"{key}_until",
        )
        text = st.text_area(
            "What happened",
            value=note.text if note else "",
            max_chars=notes.MAX_TEXT,
            placeholder="e.g. Raised prices 8 %",
            key=f"{key}_text",
        )
        left, right = st.columns(2)
        concerns = left.selectbox(
            "Concerns",
            choices,
            index=choices.index(note.concerns) if note else 0,
            format_func=_concern_label(notes.concern_choices()),
            key=f"{key}_concerns",
        )
        author = (
            note.author
            if note
            else right.text_input(
                "Your name", value=author_default(workspace_id), key=f"{key}_author"
            )
        )
        saved = st.form_submit_button("Save the note" if note else "Add the note", type="primary")
    if not saved:
        return
    con = ui_store.connection()
    if note is None:

        def added() -> None:
            st.session_state[f"{key}_added"] = True
            st.session_state[AUTHOR] = author

        _write(
            lambda: notes.add_note(
                con,
                workspace_id,
                day=day,
                until=until,
                text=text,
                author=author,
                concerns=concerns,
            ),
            "Note added: it shows on the charts that include its day.",
            added,
        )
    else:
        st.session_state[EDITING] = None
        _write(
            lambda: notes.edit_note(
                con, workspace_id, note.id, day=day, until=until, text=text, concerns=concerns
            ),
            "Note saved (its previous version is kept).",
        )


def _remove(workspace_id: int, note: Note) -> None:
    st.session_state[REMOVED] = (workspace_id, note.id)
    _write(
        lambda: notes.remove_note(ui_store.connection(), workspace_id, note.id),
        "Note removed. Restore brings it back.",
    )


def _restore_offer(where: str, workspace_id: int) -> None:
    """Undo for the last note removed in this session."""
    removed = st.session_state.get(REMOVED)
    if not removed or removed[0] != workspace_id:
        return
    if st.button("Restore the note just removed", key=f"notes_{where}_restore", icon="↩️"):
        st.session_state[REMOVED] = None
        _write(
            lambda: notes.restore_note(ui_store.connection(), workspace_id, removed[1]),
            "Note restored.",
        )


def note_list(
    where: str, workspace_id: int, found: Sequence[Note], area: str | None, default_day: date
) -> None:
    """Each note (when, what it concerns, who; its text as plain text) with Edit and Remove."""
    label = _concern_label(notes.concern_choices())
    if not found:
        st.caption("No notes in this range yet.")
    for note in found:
        if st.session_state.get(EDITING) == note.id:
            _form(where, workspace_id, area, default_day, note)
            if st.button("Cancel", key=f"notes_{where}_cancel_{note.id}"):
                st.session_state[EDITING] = None
                st.rerun()
            continue
        text, edit, remove = st.columns([8, 1, 1], vertical_alignment="center")
        by = f" · by {note.author}" if note.author else ""
        text.caption(plain(f"{note.when} · {label(note.concerns)}{by}"))
        text.text(note.text)
        if edit.button("Edit", key=f"notes_{where}_edit_{note.id}"):
            st.session_state[EDITING] = note.id
            st.rerun()
        if remove.button("Remove", key=f"notes_{where}_remove_{note.id}"):
            _remove(workspace_id, note)
    _restore_offer(where, workspace_id)


def timeline(workspace_id: int, area: str, as_of: date | None) -> list[Note]:
    """An area page's notes: handed to its charts (`capture.set_notes`), noted for its
    snapshot, and listed in an expander with add, edit and remove. Returns them."""
    start = notes.range_start(ui_store.data_range(workspace_id))
    found = notes.list_notes(
        ui_store.connection(), workspace_id, start=start, end=as_of, concerns=area
    )
    capture.set_notes(found)
    for block in notes_blocks(found):
        capture.note(block)
    # One label whatever the count: a changed label is a new expander, closed again.
    with st.expander(EXPANDER):
        st.caption(
            "Dated events of the business (a price change, a hire, a lost customer): each shows "
            "on every chart here that includes its day, and in snapshots. Notes about another "
            "page show there; notes about the whole business show everywhere."
        )
        note_list(area, workspace_id, found, area, as_of or date.today())
        st.markdown("**Add a note**")
        _form(area, workspace_id, area, as_of or date.today())
    return found


def home_section(workspace_id: int, as_of: date | None) -> None:
    """Home's Notes section: every note of the business, with the same actions."""
    st.subheader("Notes on the timeline", anchor=False)
    found = notes.list_notes(ui_store.connection(), workspace_id)
    st.caption(
        "Dated events of the business that explain a move in the figures. Each shows on the "
        "charts that include its day, on the page it concerns (or on every page)."
    )
    note_list("home", workspace_id, found, None, as_of or date.today())
    with st.expander("Add a note"):
        _form("home", workspace_id, None, as_of or date.today())
