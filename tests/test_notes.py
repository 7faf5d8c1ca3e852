"""Notes on the timeline: write, read by range and concern, edit with revisions, remove and
restore, each scoped to its workspace, with every refusal saying why."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from analytics import notes, store
from analytics.errors import OpeningDayError
from analytics.notes import NoteError, add_note, edit_note, list_notes, remove_note, restore_note

D = date


def texts(found: list[notes.Note]) -> list[str]:
    return [n.text for n in found]


@pytest.fixture
def three(con: store.Connection, workspace: store.Workspace) -> list[notes.Note]:
    """Prices on 1 Mar, a March-to-May CRM change about pace, a tech leaving 10 Jun (fit)."""
    return [
        add_note(con, workspace.id, day=D(2025, 3, 1), text="Raised prices 8 %", author="Ann"),
        add_note(
            con,
            workspace.id,
            day=D(2025, 3, 15),
            until=D(2025, 5, 31),
            text="New CRM",
            concerns="pace",
        ),
        add_note(
            con, workspace.id, day=D(2025, 6, 10), text="Lost our second tech", concerns="fit"
        ),
    ]


def test_a_note_is_written_and_read_back_as_given(
    con: store.Connection, workspace: store.Workspace, three: list[notes.Note]
) -> None:
    first = three[0]
    assert (first.workspace_id, first.day, first.until, first.concerns) == (
        workspace.id,
        D(2025, 3, 1),
        None,
        None,
    )
    assert (first.text, first.author, first.updated_at) == ("Raised prices 8 %", "Ann", None)
    assert [n.id for n in three] == sorted(n.id for n in three)
    assert list_notes(con, workspace.id) == three
    assert three[1].when == "2025-03-15 – 2025-05-31" and three[1].last_day == D(2025, 5, 31)


def test_the_range_takes_every_note_whose_days_overlap_it(
    con: store.Connection, workspace: store.Workspace, three: list[notes.Note]
) -> None:
    ws = workspace.id
    # The CRM change runs 15 Mar – 31 May: a window inside it, or touching either end, finds it.
    assert texts(list_notes(con, ws, start=D(2025, 4, 1), end=D(2025, 4, 30))) == ["New CRM"]
    assert texts(list_notes(con, ws, start=D(2025, 5, 31), end=D(2025, 6, 9))) == ["New CRM"]
    assert texts(list_notes(con, ws, start=D(2025, 6, 1), end=D(2025, 6, 9))) == []
    # A single day counts on its day only (both ends of the window included).
    assert texts(list_notes(con, ws, start=D(2025, 3, 1), end=D(2025, 3, 1))) == [
        "Raised prices 8 %"
    ]
    assert texts(list_notes(con, ws, start=D(2025, 3, 2), end=D(2025, 3, 14))) == []
    # Open ends.
    assert texts(list_notes(con, ws, end=D(2025, 3, 14))) == ["Raised prices 8 %"]
    assert texts(list_notes(con, ws, start=D(2025, 6, 10))) == ["Lost our second tech"]


def test_a_concern_takes_its_own_notes_and_those_about_the_whole_business(
    con: store.Connection, workspace: store.Workspace, three: list[notes.Note]
) -> None:
    ws = workspace.id
    assert texts(list_notes(con, ws, concerns="pace")) == ["Raised prices 8 %", "New CRM"]
    assert texts(list_notes(con, ws, concerns="fit")) == [
        "Raised prices 8 %",
        "Lost our second tech",
    ]
    assert texts(list_notes(con, ws, concerns="niche")) == ["Raised prices 8 %"]
    # An indicator of pace sees pace's notes; pace sees notes about its indicators.
    assert texts(list_notes(con, ws, concerns="prospecting_hours")) == [
        "Raised prices 8 %",
        "New CRM",
    ]
    streak = add_note(con, ws, day=D(2025, 7, 1), text="Sales hire", concerns="prospecting_hours")
    assert list_notes(con, ws, concerns="pace")[-1] == streak
    assert streak not in list_notes(con, ws, concerns="fit")
    with pytest.raises(NoteError, match="not 'cash'"):
        list_notes(con, ws, concerns="cash")


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"text": "   "}, "needs a text"),
        ({"text": "x" * 501}, "at most 500 characters; this one has 501"),
        ({"until": D(2025, 2, 28)}, "ends (2025-02-28) before it starts (2025-03-01)"),
        ({"concerns": "cash"}, "an area (pace, niche, fit, friction) or an indicator's id"),
        ({"day": D(1899, 12, 31)}, "out of range"),
        ({"day": date.today() + timedelta(days=notes.MAX_DAYS_AHEAD + 1)}, "out of range"),
        ({"author": "a" * 81}, "at most 80 characters"),
    ],
)
def test_a_bad_note_is_refused_with_the_reason_and_nothing_is_written(
    con: store.Connection, workspace: store.Workspace, kwargs: dict, says: str
) -> None:
    given = {"day": D(2025, 3, 1), "text": "Raised prices", **kwargs}
    with pytest.raises(NoteError, match=None) as err:
        add_note(con, workspace.id, **given)
    assert says in str(err.value)
    assert isinstance(err.value, OpeningDayError)
    assert list_notes(con, workspace.id) == []


def test_a_planned_change_ahead_and_an_exact_limit_are_accepted(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ahead = date.today() + timedelta(days=90)
    planned = add_note(con, workspace.id, day=ahead, text="New price list")
    assert planned.day == ahead
    longest = add_note(con, workspace.id, day=D(2025, 1, 1), text="  " + "y" * 500 + "\n")
    assert longest.text == "y" * 500
    # An end on the same day is a single day.
    same = add_note(con, workspace.id, day=D(2025, 1, 2), until=D(2025, 1, 2), text="One day")
    assert same.until is None


def test_text_is_kept_exactly_as_typed_markup_and_all(
    con: store.Connection, workspace: store.Workspace
) -> None:
    hostile = '<a href="http://x">click</a> & <b>bold</b> **star** =SUM(A1)'
    note = add_note(con, workspace.id, day=D(2025, 3, 1), text=hostile)
    assert list_notes(con, workspace.id)[0].text == hostile == note.text
    assert note.label == '<a href="http://x">clic…'  # 23 characters and the ellipsis
    assert len(note.label) == notes.LABEL_CHARS


def test_an_edit_keeps_the_note_as_it_was(
    con: store.Connection, workspace: store.Workspace, three: list[notes.Note]
) -> None:
    ws, crm = workspace.id, three[1]
    edited = edit_note(con, ws, crm.id, text="New CRM (HubSpot)", until=None)
    assert (edited.id, edited.text, edited.day, edited.until) == (
        crm.id,
        "New CRM (HubSpot)",
        D(2025, 3, 15),
        None,
    )
    assert edited.concerns == "pace" and edited.updated_at is not None
    again = edit_note(con, ws, crm.id, day=D(2025, 3, 16), concerns=None)
    assert (again.day, again.concerns, again.text) == (D(2025, 3, 16), None, "New CRM (HubSpot)")
    history = notes.note_history(con, ws, crm.id)
    assert [(r.revision, r.text, r.day, r.until, r.concerns) for r in history] == [
        (1, "New CRM", D(2025, 3, 15), D(2025, 5, 31), "pace"),
        (2, "New CRM (HubSpot)", D(2025, 3, 15), None, "pace"),
    ]
    # An edit that changes nothing writes no revision.
    assert edit_note(con, ws, crm.id, text="New CRM (HubSpot)") == again
    assert len(notes.note_history(con, ws, crm.id)) == 2
    # A refused edit changes nothing.
    with pytest.raises(NoteError, match="before it starts"):
        edit_note(con, ws, crm.id, until=D(2025, 1, 1))
    assert list_notes(con, ws)[1] == again
    assert len(notes.note_history(con, ws, crm.id)) == 2


def test_remove_then_restore_brings_the_note_back_as_it_was(
    con: store.Connection, workspace: store.Workspace, three: list[notes.Note]
) -> None:
    ws, prices = workspace.id, three[0]
    assert remove_note(con, ws, prices.id) == prices
    assert texts(list_notes(con, ws)) == ["New CRM", "Lost our second tech"]
    with pytest.raises(NoteError, match="was removed; restore it first"):
        edit_note(con, ws, prices.id, text="Raised prices 9 %")
    with pytest.raises(NoteError, match="was removed"):
        remove_note(con, ws, prices.id)
    assert restore_note(con, ws, prices.id) == prices
    assert list_notes(con, ws) == three
    with pytest.raises(NoteError, match="on the timeline already"):
        restore_note(con, ws, prices.id)


def test_another_workspaces_note_is_not_found(
    con: store.Connection, workspace: store.Workspace, three: list[notes.Note]
) -> None:
    other = store.create_workspace(con, "Other").id
    theirs = three[0].id
    for act in (
        lambda: notes.get_note(con, other, theirs),
        lambda: edit_note(con, other, theirs, text="mine now"),
        lambda: remove_note(con, other, theirs),
        lambda: restore_note(con, other, theirs),
        lambda: notes.note_history(con, other, theirs),
    ):
        with pytest.raises(NoteError, match=f"no note {theirs} in this business"):
            act()
    assert list_notes(con, other) == []
    assert list_notes(con, workspace.id) == three
    with pytest.raises(NoteError, match="no business with id 999"):
        add_note(con, 999, day=D(2025, 1, 1), text="x")


def test_a_note_written_inside_a_larger_write_goes_with_it(
    con: store.Connection, workspace: store.Workspace
) -> None:
    with pytest.raises(RuntimeError), store.transaction(con) as tx:
        add_note(tx, workspace.id, day=D(2025, 1, 1), text="part of a failed change")
        raise RuntimeError("the rest failed")
    assert list_notes(con, workspace.id) == []


def test_plain_lines_and_json() -> None:
    from datetime import datetime

    note = notes.Note(
        7, 1, D(2025, 3, 1), D(2025, 3, 3), "pace", "Trade\nshow", "Bo", datetime(2025, 3, 4), None
    )
    assert notes.note_line(note) == "2025-03-01 – 2025-03-03 [pace]: Trade show — Bo"
    assert notes.note_json(note) == {
        "id": 7,
        "day": "2025-03-01",
        "until": "2025-03-03",
        "concerns": "pace",
        "text": "Trade\nshow",
        "author": "Bo",
        "created_at": "2025-03-04T00:00:00",
        "updated_at": None,
    }
