"""Notes on the timeline in the app, headless: added on Pace it is listed and drawn on the
page's date charts; hostile text stays plain text; edit, remove and Restore; Home lists every
note; a page's snapshot holds its notes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from analytics import notes, store
from tests.apptest import each_tab, no_failure, run_page, texts

pytestmark = pytest.mark.usefixtures("fresh_streamlit")

HOSTILE = '<a href="http://evil.example">click</a> <b>bold</b> [x](http://y.z) & $1$'


def demo_workspace(db: Path) -> store.Workspace:
    con = store.connect(db)
    try:
        return store.list_workspaces(con)[0]
    finally:
        con.close()


def charts_with_note(at, note_id: int) -> list[dict]:  # type: ignore[no-untyped-def]
    """The page's Plotly specs that draw note `note_id`, on every tab of its sections."""
    specs = [json.loads(c.proto.spec) for step in each_tab(at) for c in step.get("plotly_chart")]
    return [
        s
        for s in specs
        if any(shape.get("name") == f"note {note_id}" for shape in s["layout"].get("shapes", []))
    ]


def test_a_note_added_on_pace_is_listed_and_drawn_on_its_charts(demo_db: Path) -> None:
    at = run_page("pages/pace.py")
    no_failure(at)
    form = "notes_pace_new"
    day = at.date_input(key=f"{form}_day").value
    assert isinstance(day, date)  # the page's as-of day by default: inside its charts
    at.text_area(key=f"{form}_text").input(HOSTILE)
    at.text_input(key=f"{form}_author").input("Ann")
    at.button(key=f"FormSubmitter:{form}-Add the note").click().run()
    no_failure(at)
    assert "Note added" in texts(at)
    # The form is blank again for the next note; the name stays.
    assert at.text_area(key=f"{form}_text").value == ""
    assert at.text_input(key=f"{form}_author").value == "Ann"
    listed = [t.value for t in at.text]
    assert HOSTILE in listed  # st.text: shown as typed, never as markup or a link
    assert all(HOSTILE not in m.value for m in at.markdown)

    ws = demo_workspace(demo_db)
    con = store.connect(demo_db)
    try:
        (added,) = notes.list_notes(con, ws.id)
    finally:
        con.close()
    assert (added.day, added.text, added.author, added.concerns) == (day, HOSTILE, "Ann", None)
    drawn = charts_with_note(at, added.id)
    assert drawn, "no chart of the page draws the note"
    for spec in drawn:
        (label,) = [a for a in spec["layout"]["annotations"] if a.get("name") == f"note {added.id}"]
        assert "<a" not in label["text"] and "<a" not in label["hovertext"]
        assert "&lt;a href=" in label["hovertext"]

    # Edit it (the old text is kept as a revision), then remove it and bring it back.
    at.button(key=f"notes_pace_edit_{added.id}").click().run()
    edit = f"notes_pace_{added.id}"
    at.text_area(key=f"{edit}_text").input("Raised prices 8 %")
    at.button(key=f"FormSubmitter:{edit}-Save the note").click().run()
    no_failure(at)
    assert "Raised prices 8 %" in [t.value for t in at.text]
    at.button(key=f"notes_pace_remove_{added.id}").click().run()
    no_failure(at)
    assert "Raised prices 8 %" not in [t.value for t in at.text]
    assert not charts_with_note(at, added.id)
    at.button(key="notes_pace_restore").click().run()
    no_failure(at)
    assert "Raised prices 8 %" in [t.value for t in at.text]
    con = store.connect(demo_db)
    try:
        history = notes.note_history(con, ws.id, added.id)
    finally:
        con.close()
    assert [r.text for r in history] == [HOSTILE]


def test_home_lists_every_note_and_a_page_only_its_own(demo_db: Path) -> None:
    ws = demo_workspace(demo_db)
    con = store.connect(demo_db)
    try:
        last = store.last_data_date(con, ws.id)
        assert last is not None
        notes.add_note(con, ws.id, day=last, text="Lost our second tech", concerns="fit")
        notes.add_note(con, ws.id, day=last, text="New CRM", concerns="pace")
    finally:
        con.close()
    home = run_page("pages/home.py")
    no_failure(home)
    assert {"Lost our second tech", "New CRM"} <= {t.value for t in home.text}
    pace = run_page("pages/pace.py")
    no_failure(pace)
    shown = {t.value for t in pace.text}
    assert "New CRM" in shown and "Lost our second tech" not in shown
    assert "Notes on the timeline" in [e.label for e in pace.expander]
