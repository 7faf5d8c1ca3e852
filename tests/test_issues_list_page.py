"""The issues list as an owner meets it on the Review session page (AppTest, on the demo): add a
topic, discuss it, solve it into a commitment; the list survives from one session to the next;
hostile text stays text; the add-to-list actions for a figure and a checklist item."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import checklists, peers, review, store
from analytics import issues_list as il
from tests.apptest import no_failure, run_page, texts

pytestmark = pytest.mark.usefixtures("fresh_streamlit")

REVIEW = "pages/review.py"


def demo_session(db: Path, held_on: date | None = None) -> tuple[int, int, int]:
    """The demo business in its own circle, with a session today: (workspace, group, session)."""
    con = store.connect(db)
    try:
        ws = store.list_workspaces(con)[0].id
        group = peers.create_group(con, "Demo circle", founder=ws)
        session = review.start_session(con, group.id, held_on or date.today(), viewer=ws)
        return ws, group.id, session.id
    finally:
        con.close()


def open_session(session_id: int) -> AppTest:
    at = run_page(REVIEW, session=str(session_id))
    no_failure(at)
    return at


def item_text(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if " · #" in m.value and " · priority " in m.value]


def test_add_a_topic_discuss_solve_and_see_the_commitment(demo_db: Path) -> None:
    ws, _, session = demo_session(demo_db)
    at = open_session(session)
    assert "Issues list" in texts(at) and "The issues list is empty" in texts(at)
    at.text_input(key="issues_who").set_value("Sam").run()
    # a form's fields go in with its button: set them, then submit once
    at.text_input(key="il_add_title").set_value("Quotes take a week")
    at.selectbox(key="il_add_prio").set_value(1)
    at.button(key="FormSubmitter:il_add-Put it on the list").click().run()
    no_failure(at)
    assert "#1 is on the issues list." in texts(at)
    assert item_text(at) == ["**1. Quotes take a week** · #1 · priority 1 · high · ○ Open"]
    today = date.today()
    assert f"typed in · raised by Sam · raised in the session of {today:%-d %b %Y}" in texts(at)

    at.button(key="il_discuss_1").click().run()
    no_failure(at)
    assert item_text(at) == ["**1. Quotes take a week** · #1 · priority 1 · high · 💬 Discussing"]
    at.text_input(key="il_owner_1").set_value("Pat")
    at.button(key="FormSubmitter:il_solve_1-Solve it → commitment").click().run()
    no_failure(at)
    assert "#1 is solved: a commitment of this session." in texts(at)
    assert item_text(at) == ["**1. Quotes take a week** · #1 · priority 1 · high · ✔ Solved"]
    decided = next(t.value for t in at.dataframe if "Commitment" in t.value)
    assert list(decided["Commitment"]) == ["Quotes take a week"]
    assert list(decided["Owner"]) == ["Pat"]
    assert list(decided["Due"]) == [f"{today + timedelta(days=28):%-d %b %Y}"]
    con = store.connect(demo_db)
    issue = il.get_issue(con, ws, 1)
    log = il.revisions(con, ws)
    con.close()
    assert (issue.state, issue.closed_session_id) == ("solved", session)
    assert list(zip(log["what"], log["new"], log["changed_by"], strict=True)) == [
        ("state", "solved", "Sam"),
        ("state", "discussing", "Sam"),
        ("added", "Quotes take a week", "Sam"),
    ]


def test_the_issues_list_survives_across_review_sessions(demo_db: Path) -> None:
    ws, group, first = demo_session(demo_db, date.today() - timedelta(days=14))
    at = open_session(first)
    for title in ("Carried to the next one", "Dropped today"):
        at.text_input(key="il_add_title").set_value(title)
        at.button(key="FormSubmitter:il_add-Put it on the list").click().run()
        no_failure(at)
    at.button(key="il_drop_2").click().run()
    no_failure(at)
    at.button(key="review_close").click().run()
    no_failure(at)
    assert "This session is closed" in texts(at)
    assert len(item_text(at)) == 2  # the closed session shows what it worked

    at = run_page(REVIEW)
    at.button(key="FormSubmitter:review_new-Start the session").click().run()
    no_failure(at)
    con = store.connect(demo_db)
    second = review.sessions(con, group, viewer=ws)[0]
    con.close()
    assert second.held_on == date.today() and second.id != first
    # June's open item is on today's list; the one dropped then waits under "Dropped earlier"
    assert item_text(at) == [
        "**1. Carried to the next one** · #1 · priority 2 · medium · ○ Open",
        "**Dropped today** · #2 · priority 2 · medium · ✘ Dropped",
    ]
    assert "carried over" in texts(at)
    # restored, it is back in the working order
    at.button(key="il_restore_2").click().run()
    no_failure(at)
    assert [t.split(" · #")[0] for t in item_text(at)] == [
        "**1. Carried to the next one**",
        "**2. Dropped today**",
    ]
    at.button(key="il_undo").click().run()
    no_failure(at)
    assert "#2 is dropped again." in texts(at)


def test_hostile_titles_show_as_written(demo_db: Path) -> None:
    ws, _, session = demo_session(demo_db)
    con = store.connect(demo_db)
    il.add_issue(con, ws, "<img src=x onerror=alert(1)> **loud** [x](http://evil.example)")
    con.close()
    at = open_session(session)
    (line,) = item_text(at)
    assert "<img src=x" not in line  # escaped for markdown, so it shows literally
    assert "&lt;img" in line or "\\<img" in line
    assert "**loud**" not in line.replace("\\*", "")
    assert "](http://evil.example)" not in line


def test_without_a_group_the_list_still_shows_and_takes_topics(demo_db: Path) -> None:
    at = run_page(REVIEW)
    no_failure(at)
    assert "No peer group yet" in texts(at)
    at.text_input(key="il_add_title").set_value("Hire a second tech")
    at.button(key="FormSubmitter:il_add-Put it on the list").click().run()
    no_failure(at)
    assert item_text(at) == ["**1. Hire a second tech** · #1 · priority 2 · medium · ○ Open"]
    assert "Solve it in an open review session" not in texts(at)
    at.button(key="il_discuss_1").click().run()
    assert "Solve it in an open review session" in texts(at)


# ---------------------------------------------------------------- the add actions


def _figure_script() -> None:
    from analytics import indicators
    from ui import issues_list as ui_issues

    ind = indicators.get("discount_depth")
    red = indicators.Result("discount_depth", 0.2, "red", "deep")
    green = indicators.Result("discount_depth", 0.05, "green", "fine")
    ui_issues.add_figure_action(ind, green, "USD", workspace_id=1)
    ui_issues.add_figure_action(ind, red, "USD", place="Scoreboard", workspace_id=1)


def test_a_red_card_goes_on_the_list_once(with_workspace: store.Workspace, db_file: Path) -> None:
    at = AppTest.from_function(_figure_script, default_timeout=60).run()
    no_failure(at)
    assert at.text_input.len == 0  # the form is drawn once its popover opens
    at.session_state["il_fig_discount_depth_open"] = True  # the red card's popover, opened
    at.run()
    assert [t.label for t in at.text_input] == ["Issue", "Raised by"]  # red only, not green
    at.text_input(key="il_fig_discount_depth_title").set_value("Discounts too deep")
    at.button(key="FormSubmitter:il_fig_discount_depth-Put it on the list").click()
    at.run()
    no_failure(at)
    assert "📋 On the issues list as #1 (○ Open)." in texts(at)
    con = store.connect(db_file)
    (issue,) = il.list_issues(con, with_workspace.id)
    con.close()
    assert issue.title == "Discounts too deep"
    assert issue.source.text == "from: Scoreboard — Discount on won deals (red, 20.0%)"


def _card_script() -> None:
    from analytics import indicators
    from ui import indicators as ui_ind

    ind = indicators.get("discount_depth")
    red = indicators.Result("discount_depth", 0.2, "red", "deep")
    # a Scoreboard card without a trend picture
    ui_ind.card(ind, red, "USD", workspace_id=1, place="Scoreboard")


def test_a_scoreboard_card_without_a_trend_files_its_issue_from_the_scoreboard(
    with_workspace: store.Workspace, db_file: Path
) -> None:
    at = AppTest.from_function(_card_script, default_timeout=60).run()
    no_failure(at)
    assert at.get("image") == []  # no picture on this card
    at.session_state["il_fig_discount_depth_open"] = True
    at.run()
    at.button(key="FormSubmitter:il_fig_discount_depth-Put it on the list").click().run()
    no_failure(at)
    con = store.connect(db_file)
    (issue,) = il.list_issues(con, with_workspace.id)
    con.close()
    assert issue.source.text == "from: Scoreboard — Discount on won deals (red, 20.0%)"


def _checklist_script() -> None:
    from analytics import checklists as ck
    from ui import issues_list as ui_issues

    template = ck.builtin().templates["assumptions"]
    ui_issues.add_checklist_action(1, template, template.items[0])


def test_a_checklist_item_goes_on_the_list(with_workspace: store.Workspace, db_file: Path) -> None:
    at = AppTest.from_function(_checklist_script, default_timeout=60).run()
    no_failure(at)
    item = checklists.builtin().templates["assumptions"].items[0]
    key = f"il_ck_assumptions_{item.id}"
    at.session_state[f"{key}_open"] = True  # its popover, opened
    at.run()
    assert at.text_input(key=f"{key}_title").value == item.prompt
    at.button(key=f"FormSubmitter:{key}-Put it on the list").click().run()
    no_failure(at)
    con = store.connect(db_file)
    (issue,) = il.list_issues(con, with_workspace.id)
    con.close()
    assert issue.source == il.Source(
        "checklist", f"assumptions/{item.id}", f"Hard reset — {item.prompt}"
    )
    assert "📋 On the issues list as #1" in texts(at)


def test_priority_and_moves_reorder_the_list_and_undo_puts_it_back(demo_db: Path) -> None:
    ws, _, session = demo_session(demo_db)
    con = store.connect(demo_db)
    for title in ("Oldest", "Middle", "Newest"):
        il.add_issue(con, ws, title)
    con.close()
    at = open_session(session)

    def order() -> list[str]:
        return [t.split("**")[1] for t in item_text(at)]

    assert order() == ["1. Oldest", "2. Middle", "3. Newest"]
    at.selectbox(key="il_prio_3").set_value(1).run()
    no_failure(at)
    assert "#3 is now priority 1 · high." in texts(at)
    assert order() == ["1. Newest", "2. Oldest", "3. Middle"]
    at.button(key="il_down_1").click().run()
    no_failure(at)
    assert order() == ["1. Newest", "2. Middle", "3. Oldest"]
    at.button(key="il_up_3").click().run()  # first among the high ones already
    assert [e.value.replace("\\", "") for e in at.error] == [
        "Issue #3 is first among the high-priority issues: change its priority to move it further."
    ]
    at.button(key="il_undo").click().run()
    at.button(key="il_undo").click().run()
    no_failure(at)
    assert order() == ["1. Oldest", "2. Middle", "3. Newest"]
    assert at.selectbox(key="il_prio_3").value == 2
