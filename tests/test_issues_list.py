"""The issues list: items from a figure, a checklist item or typed in, worked in order by review
sessions (identify, discuss, solve → commitment), carried over, revised and undone — on a tiny
store, every answer worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from analytics import issues_list as il
from analytics import peers, review, store
from analytics.errors import AccessDenied, PeerError

JUNE = date(2025, 6, 2)
JULY = date(2025, 7, 7)


@pytest.fixture
def ws(con: store.Connection) -> int:
    return store.create_workspace(con, "Alpha").id


@pytest.fixture
def group(con: store.Connection, ws: int) -> peers.Group:
    return peers.create_group(con, "Harbour circle", founder=ws)


def titles(con: store.Connection, ws: int, **kw: bool) -> list[str]:
    return [i.title for i in il.list_issues(con, ws, **kw)]


def test_an_item_from_each_source_says_where_it_came_from(con: store.Connection, ws: int) -> None:
    fig = il.figure_source("discount_depth", "red", 0.2, "USD", place="Scoreboard")
    a = il.add_issue(con, ws, "Discounts are too deep", raised_by="Sam", source=fig)
    item = il.checklist_source("assumptions", "prices", "Are prices written down?")
    b = il.add_issue(con, ws, "Prices live in heads", priority="high", source=item)
    c = il.add_issue(con, ws, "  Hire a   second tech  ", priority=3)
    got = {i.id: i for i in il.list_issues(con, ws)}
    assert got[a].source == il.Source(
        "indicator", "discount_depth", "Scoreboard — Discount on won deals (red, 20.0%)"
    )
    assert got[a].source.text == "from: Scoreboard — Discount on won deals (red, 20.0%)"
    assert (got[a].raised_by, got[a].priority, got[a].state) == ("Sam", 2, "open")
    assert got[b].source.text == "from: Hard reset — Are prices written down?"
    assert got[b].source.id == "assumptions/prices" and got[b].priority == 1
    assert got[c].source.text == "typed in" and got[c].title == "Hire a second tech"
    assert got[c].priority_word == "low"


def test_only_red_or_amber_figures_and_no_twice(con: store.Connection, ws: int) -> None:
    with pytest.raises(il.IssueError, match="Only a red or amber figure .* is green"):
        il.figure_source("discount_depth", "green", 0.05)
    with pytest.raises(il.IssueError, match="not known yet"):
        il.figure_source("discount_depth", "unknown", None)
    with pytest.raises(il.IssueError, match="no figure 'nope'"):
        il.figure_source("nope", "red", 1.0)
    amber = il.figure_source("discount_depth", "amber", 0.12, place="Pace")
    first = il.add_issue(con, ws, "Discounts creeping", source=amber)
    with pytest.raises(il.IssueError, match=f"on the issues list already: #{first} Discounts"):
        il.add_issue(con, ws, "Again", source=amber)
    # once it is dropped, the same figure can be raised again
    il.drop(con, ws, first)
    il.add_issue(con, ws, "Again", source=amber)
    # typed topics may repeat
    il.add_issue(con, ws, "Same words")
    il.add_issue(con, ws, "Same words")
    assert titles(con, ws) == ["Again", "Same words", "Same words"]


def test_bad_text_and_priorities_are_refused_clearly(con: store.Connection, ws: int) -> None:
    with pytest.raises(il.IssueError, match="Write the issue's title first"):
        il.add_issue(con, ws, "   ")
    with pytest.raises(il.IssueError, match="at most 200 characters, got 201"):
        il.add_issue(con, ws, "x" * 201)
    with pytest.raises(il.IssueError, match=r"1 \(high\), 2 \(medium\) or 3 \(low\), not 'urgent'"):
        il.add_issue(con, ws, "Late invoices", priority="urgent")
    with pytest.raises(il.IssueError, match="not '0'"):
        il.add_issue(con, ws, "Late invoices", priority=0)
    assert [il.parse_priority(p) for p in ("HIGH", "medium", " low ", 1, "2", 3)] == [
        1, 2, 3, 1, 2, 3
    ]  # fmt: skip
    assert il.list_issues(con, ws) == []


def test_the_list_runs_by_priority_then_age_and_moves_within_a_priority(
    con: store.Connection, ws: int
) -> None:
    ids = {
        t: il.add_issue(con, ws, t, priority=p)
        for t, p in [("a-low", 3), ("b-med", 2), ("c-high", 1), ("d-med", 2), ("e-high", 1)]
    }
    assert titles(con, ws) == ["c-high", "e-high", "b-med", "d-med", "a-low"]
    il.move(con, ws, ids["d-med"], up=True, who="Sam")
    assert titles(con, ws) == ["c-high", "e-high", "d-med", "b-med", "a-low"]
    with pytest.raises(il.IssueError, match="first among the medium-priority issues"):
        il.move(con, ws, ids["d-med"], up=True)
    with pytest.raises(il.IssueError, match="last among the low-priority issues"):
        il.move(con, ws, ids["a-low"], up=False)
    il.set_priority(con, ws, ids["a-low"], "high", who="Sam")
    # raised first of all, it is the oldest of the high ones
    assert titles(con, ws) == ["a-low", "c-high", "e-high", "d-med", "b-med"]


def test_states_run_open_discussing_solved_or_dropped(con: store.Connection, ws: int) -> None:
    a = il.add_issue(con, ws, "Quotes take a week")
    with pytest.raises(il.IssueError, match=f"Issue #{a} is open: discuss it first"):
        il.set_state(con, ws, a, "solved")
    with pytest.raises(il.IssueError, match="open, discussing, solved or dropped, not 'done'"):
        il.set_state(con, ws, a, "done")
    with pytest.raises(il.IssueError, match=f"Issue #{a} is open already"):
        il.set_state(con, ws, a, "open")
    with pytest.raises(il.IssueError, match="only a dropped issue is restored"):
        il.restore(con, ws, a)
    assert il.discuss(con, ws, a).state == "discussing"
    with pytest.raises(il.IssueError, match="Solve issue #.* with an owner and a due date"):
        il.set_state(con, ws, a, "solved")
    assert il.set_state(con, ws, a, "open").state == "open"
    dropped = il.drop(con, ws, a, who="Sam")
    assert dropped.state == "dropped" and dropped.closed_at is not None
    assert titles(con, ws) == [] and titles(con, ws, include_closed=True) == ["Quotes take a week"]
    with pytest.raises(il.IssueError, match="was dropped: restore it first"):
        il.discuss(con, ws, a)
    back = il.restore(con, ws, a)
    assert (back.state, back.closed_at) == ("open", None)
    with pytest.raises(il.IssueError, match="No issue #999 on this business's list"):
        il.discuss(con, ws, 999)


def test_solving_makes_exactly_one_commitment_of_the_session(
    con: store.Connection, ws: int, group: peers.Group
) -> None:
    session = review.start_session(con, group.id, JUNE, viewer=ws)
    a = il.add_issue(con, ws, "Discounts are too deep", session_id=session.id)
    with pytest.raises(il.IssueError, match="is open: discuss it first"):
        il.solve(con, ws, a, session.id, "Pat", JULY)
    il.discuss(con, ws, a, session_id=session.id)
    # a bad owner or due date leaves the item discussing and no commitment behind
    with pytest.raises(PeerError, match="owner's name"):
        il.solve(con, ws, a, session.id, "  ", JULY)
    with pytest.raises(PeerError, match="before the session"):
        il.solve(con, ws, a, session.id, "Pat", date(2025, 5, 1))
    assert il.get_issue(con, ws, a).state == "discussing"
    assert review.commitments(con, session.id, viewer=ws).empty
    cid = il.solve(con, ws, a, session.id, "Pat", JULY, text="Cap discounts at 15%", who="Sam")
    made = review.commitments(con, session.id, viewer=ws)
    assert list(made["commitment_id"]) == [cid]
    assert (made["owner"][0], made["text"][0], made["due"][0].date()) == (
        "Pat",
        "Cap discounts at 15%",
        JULY,
    )
    assert made["member_key"][0] == peers.membership(con, group.id, ws).member_key  # type: ignore[union-attr]
    solved = il.get_issue(con, ws, a)
    assert (solved.state, solved.commitment_id) == ("solved", cid)
    assert (solved.raised_on, solved.closed_on) == (JUNE, JUNE)
    with pytest.raises(il.IssueError, match=f"became commitment #{cid} and stays solved"):
        il.drop(con, ws, a)
    # the title is the commitment when nothing else is said; a closed session solves nothing
    b = il.add_issue(con, ws, "Ring lapsed customers")
    il.discuss(con, ws, b)
    il.solve(con, ws, b, session.id, "Jo", JULY)
    assert list(review.commitments(con, session.id, viewer=ws)["text"]) == [
        "Cap discounts at 15%",
        "Ring lapsed customers",
    ]
    c = il.add_issue(con, ws, "Third")
    il.discuss(con, ws, c)
    review.close_session(con, session.id, viewer=ws)
    with pytest.raises(il.IssueError, match="session is closed: reopen it"):
        il.solve(con, ws, c, session.id, "Jo", JULY)
    assert len(review.commitments(con, session.id, viewer=ws)) == 2


def test_the_list_survives_across_sessions_open_items_carry_over(
    con: store.Connection, ws: int, group: peers.Group
) -> None:
    first = review.start_session(con, group.id, JUNE, viewer=ws)
    a = il.add_issue(con, ws, "Carried", session_id=first.id)
    b = il.add_issue(con, ws, "Solved in June", session_id=first.id)
    c = il.add_issue(con, ws, "Dropped in June", session_id=first.id)
    il.discuss(con, ws, a, session_id=first.id)
    il.discuss(con, ws, b, session_id=first.id)
    il.solve(con, ws, b, first.id, "Pat", JULY)
    il.drop(con, ws, c, session_id=first.id)
    review.close_session(con, first.id, viewer=ws)
    between = il.add_issue(con, ws, "Raised between sessions")

    second = review.start_session(con, group.id, JULY, viewer=ws)
    june = [(i.title, carried) for i, carried in il.session_issues(con, ws, first.id)]
    assert june == [
        ("Carried", False),
        ("Solved in June", False),
        ("Dropped in June", False),
    ]
    july = [(i.title, carried) for i, carried in il.session_issues(con, ws, second.id)]
    assert july == [("Carried", True), ("Raised between sessions", True)]
    assert il.get_issue(con, ws, a).state == "discussing"  # where the room left it
    il.solve(con, ws, a, second.id, "Jo", date(2025, 8, 1))
    done = il.get_issue(con, ws, a)
    assert (done.raised_on, done.closed_on) == (JUNE, JULY)
    # what July worked stays on July's list; a third session starts with only what is open
    assert [i.title for i, _ in il.session_issues(con, ws, second.id)] == [
        "Carried",
        "Raised between sessions",
    ]
    review.close_session(con, second.id, viewer=ws)
    third = review.start_session(con, group.id, date(2025, 8, 4), viewer=ws)
    assert [i.id for i, _ in il.session_issues(con, ws, third.id)] == [between]


def test_revisions_and_undo(con: store.Connection, ws: int) -> None:
    a = il.add_issue(con, ws, "Late invoices", raised_by="Sam")
    b = il.add_issue(con, ws, "Slow quotes")
    c = il.add_issue(con, ws, "Thin pipeline")
    il.move(con, ws, c, up=True, who="Jo")
    assert titles(con, ws) == ["Late invoices", "Thin pipeline", "Slow quotes"]
    il.set_priority(con, ws, b, 1, who="Jo")
    il.discuss(con, ws, a, who="Kim")
    il.drop(con, ws, a, who="Kim")
    il.restore(con, ws, a, who="Kim")
    log = il.revisions(con, ws)
    assert list(zip(log["issue_id"], log["what"], log["old"], log["new"], log["changed_by"], strict=True)) == [
        (a, "state", "dropped", "open", "Kim"),
        (a, "state", "discussing", "dropped", "Kim"),
        (a, "state", "open", "discussing", "Kim"),
        (b, "priority", "2", "1", "Jo"),
        (c, "position", str(c), str(b), "Jo"),
        (c, "added", "", "Thin pipeline", ""),
        (b, "added", "", "Slow quotes", ""),
        (a, "added", "", "Late invoices", "Sam"),
    ]  # fmt: skip
    assert len(il.revisions(con, ws, a)) == 4
    # undo, newest first: the restore (dropped again, when it was), the drop, the discussing
    dropped_at = il.get_issue(con, ws, a)
    assert il.undo_last(con, ws, who="Kim") == f"#{a} is dropped again."
    again = il.get_issue(con, ws, a)
    assert again.state == "dropped" and again.closed_at is not None
    assert dropped_at.closed_at is None
    assert il.undo_last(con, ws) == f"#{a} is discussing again."
    assert il.get_issue(con, ws, a).closed_at is None
    assert il.undo_last(con, ws) == f"#{a} is open again."
    assert il.undo_last(con, ws) == f"#{b} is back to medium priority."
    assert titles(con, ws) == ["Late invoices", "Thin pipeline", "Slow quotes"]
    assert il.undo_last(con, ws) == f"#{c} is back in its place."
    assert titles(con, ws) == ["Late invoices", "Slow quotes", "Thin pipeline"]
    assert il.undo_last(con, ws) == f"Took #{c} Thin pipeline off the list."
    assert titles(con, ws, include_closed=True) == ["Late invoices", "Slow quotes"]
    log = il.revisions(con, ws)
    assert log["undone_at"].notna().sum() == 6 and log["undone_at"].isna().sum() == 2
    il.undo_last(con, ws)
    il.undo_last(con, ws)
    with pytest.raises(il.IssueError, match="Nothing to undo"):
        il.undo_last(con, ws)


def test_a_solve_is_not_undone(con: store.Connection, ws: int, group: peers.Group) -> None:
    session = review.start_session(con, group.id, JUNE, viewer=ws)
    a = il.add_issue(con, ws, "Late invoices")
    il.discuss(con, ws, a)
    il.solve(con, ws, a, session.id, "Pat", JULY)
    with pytest.raises(il.IssueError, match="session's record and stays"):
        il.undo_last(con, ws)
    assert il.get_issue(con, ws, a).state == "solved"
    assert len(review.commitments(con, session.id, viewer=ws)) == 1


def test_each_business_sees_only_its_own_list(
    con: store.Connection, ws: int, group: peers.Group
) -> None:
    other = store.create_workspace(con, "Beta").id
    mine = il.add_issue(con, ws, "Mine")
    theirs = il.add_issue(con, other, "Theirs")
    assert titles(con, ws) == ["Mine"] and titles(con, other) == ["Theirs"]
    with pytest.raises(il.IssueError, match=f"No issue #{theirs} on this business's list"):
        il.drop(con, ws, theirs)
    with pytest.raises(il.IssueError, match=f"No issue #{mine}"):
        il.get_issue(con, other, mine)
    # Beta is not in Alpha's group: it can neither raise in nor solve in its session
    session = review.start_session(con, group.id, JUNE, viewer=ws)
    with pytest.raises(AccessDenied):
        il.add_issue(con, other, "Sneaky", session_id=session.id)
    il.discuss(con, other, theirs)
    with pytest.raises(AccessDenied):
        il.solve(con, other, theirs, session.id, "Pat", JULY)
    with pytest.raises(AccessDenied):
        il.session_issues(con, other, session.id)
    # an undo on Beta's list never touches Alpha's
    il.undo_last(con, other)
    assert il.get_issue(con, other, theirs).state == "open"
    assert il.get_issue(con, ws, mine).state == "open"
    assert il.revisions(con, ws)["undone_at"].isna().all()


def test_hostile_text_is_kept_as_written(con: store.Connection, ws: int) -> None:
    nasty = '<script>alert(1)</script> =HYPERLINK("x") **bold** [a](http://x.y)'
    a = il.add_issue(con, ws, nasty, raised_by="<b>Eve</b>'); DROP TABLE issues;--")
    got = il.get_issue(con, ws, a)
    assert got.title == nasty
    assert got.raised_by == "<b>Eve</b>'); DROP TABLE issues;--"
    item = il.checklist_source("t", "i", "<img src=x onerror=alert(1)>")
    assert item.note == "Hard reset — <img src=x onerror=alert(1)>"


def test_open_sources_name_each_open_figure_and_item_once(con: store.Connection, ws: int) -> None:
    # What a page asks once per run for all its cards: the open or discussed items that came
    # from a figure or a checklist item, by source; typed topics, dropped items and another
    # business's list are not in it.
    fig = il.figure_source("discount_depth", "red", 0.2, "USD", place="Scoreboard")
    a = il.add_issue(con, ws, "Discounts are too deep", source=fig)
    item = il.checklist_source("assumptions", "prices", "Are prices written down?")
    b = il.add_issue(con, ws, "Prices live in heads", source=item)
    il.discuss(con, ws, b)
    il.add_issue(con, ws, "Hire a second tech")  # typed
    gone = il.add_issue(
        con, ws, "Churn", source=il.figure_source("churn_rate", "amber", 0.2, "USD")
    )
    il.drop(con, ws, gone)
    other = store.create_workspace(con, "Beta").id
    il.add_issue(con, other, "Theirs", source=il.figure_source("cut_and_run", "red", 3.0))
    assert il.open_sources(con, ws) == {
        ("indicator", "discount_depth"): (a, "open"),
        ("checklist", "assumptions/prices"): (b, "discussing"),
    }
    # the same answer find_open gives one source at a time
    found = il.find_open(con, ws, fig)
    assert found is not None and (found.id, found.state) == (a, "open")
