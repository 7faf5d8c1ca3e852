"""Review sessions: dated sessions, an agenda from the cards, commitments and their follow-up at
the next session, the timer's arithmetic — worked out by hand on a tiny store."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from analytics import peers, review, store
from analytics.errors import AccessDenied, PeerError
from analytics.indicators import Result

JUNE = date(2025, 6, 2)
JULY = date(2025, 7, 7)


VIEWER = 1  # Alpha's workspace: the member running the sessions in these tests


@pytest.fixture
def group(con: store.Connection) -> tuple[peers.Group, dict[str, str]]:
    """Alpha (anonymous, two reds, founded the group), Beta (named, one red), Gamma (anonymous,
    no card)."""
    alpha = store.create_workspace(con, "Alpha")
    assert alpha.id == VIEWER
    g = peers.create_group(con, "Harbour circle", founder=alpha.id)
    keys = {}
    cards = {
        "Alpha": {
            "discount_depth": (0.40, "red"),
            "prospecting_hours": (0.2, "red"),
            "churn_rate": (0.1, "green"),
        },
        "Beta": {"discount_depth": (0.10, "green"), "churn_rate": (0.45, "red")},
        "Gamma": None,
    }
    for name, figs in cards.items():
        ws = store.find_workspace(con, name) or store.create_workspace(con, name)
        member = peers.join_group(
            con,
            g.id,
            ws.id,
            sponsor=alpha.id,
            published_ids=["discount_depth", "prospecting_hours", "churn_rate"],
            show_name=name == "Beta",
            reset_item=f"Tear down the wall — {name}: huddle before meetings",
        )
        keys[name] = member.member_key
        if figs:
            results = {i: Result(i, v, s, "m") for i, (v, s) in figs.items()}  # type: ignore[arg-type]
            peers.publish(
                con,
                g.id,
                ws.id,
                date(2025, 5, 31),
                results=results,
                published_at=datetime(2025, 6, 1, 8, 0),
            )
    return g, keys


def test_sessions_are_dated_one_per_day_and_listed_newest_first(
    con: store.Connection, group: tuple[peers.Group, dict[str, str]]
) -> None:
    g, _ = group
    june = review.start_session(con, g.id, JUNE, minutes_per_item=7, viewer=VIEWER)
    july = review.start_session(con, g.id, JULY, viewer=VIEWER)
    assert (june.held_on, june.minutes_per_item, july.minutes_per_item) == (JUNE, 7, 5)
    with pytest.raises(PeerError, match="already has a session on 2025-06-02"):
        review.start_session(con, g.id, JUNE, viewer=VIEWER)
    with pytest.raises(PeerError, match="between 1 and 60"):
        review.start_session(con, g.id, date(2025, 8, 1), minutes_per_item=0, viewer=VIEWER)
    assert [s.held_on for s in review.sessions(con, g.id, viewer=VIEWER)] == [JULY, JUNE]
    assert review.previous_session(con, july.id, viewer=VIEWER) == june
    assert review.previous_session(con, june.id, viewer=VIEWER) is None
    closed = review.close_session(con, june.id, viewer=VIEWER)
    assert closed.is_closed


def test_the_agenda_walks_each_member_with_reds_and_reset_item(
    con: store.Connection, group: tuple[peers.Group, dict[str, str]]
) -> None:
    g, keys = group
    s = review.start_session(con, g.id, JUNE, viewer=VIEWER)
    items = review.agenda(con, s.id, viewer=VIEWER)
    assert [i.kind for i in items] == ["review", "member", "member", "member", "commitments"]
    alpha, beta, gamma = items[1:4]
    assert (alpha.label, beta.label, gamma.label) == ("Member A", "Beta", "Member B")
    # registry order: prospecting (pace) before discount (friction)
    assert [f.id for f in alpha.reds] == ["prospecting_hours", "discount_depth"]
    assert [f.value for f in alpha.reds] == [0.2, 0.40]
    assert [f.id for f in beta.reds] == ["churn_rate"]
    assert gamma.reds == () and not gamma.has_card and alpha.has_card
    assert beta.reset_item == "Tear down the wall — Beta: huddle before meetings"
    # a session held before any card was published sees no reds
    early = review.start_session(con, g.id, date(2025, 5, 1), viewer=VIEWER)
    assert all(i.reds == () for i in review.agenda(con, early.id, viewer=VIEWER))
    assert keys["Alpha"] == alpha.member_key


def test_commitments_are_reviewed_at_the_next_session(
    con: store.Connection, group: tuple[peers.Group, dict[str, str]]
) -> None:
    g, keys = group
    june = review.start_session(con, g.id, JUNE, viewer=VIEWER)
    first = review.add_commitment(
        con,
        june.id,
        keys["Alpha"],
        " Sam ",
        "Cap discounts at 15%",
        date(2025, 6, 30),
        viewer=VIEWER,
    )
    second = review.add_commitment(
        con,
        june.id,
        keys["Beta"],
        "Lee",
        "Call the five churned clients",
        date(2025, 7, 1),
        viewer=VIEWER,
    )
    made = review.commitments(con, june.id, viewer=VIEWER)
    assert list(made["owner"]) == ["Sam", "Lee"]
    assert list(made["label"]) == ["Member A", "Beta"]
    assert made["done"].isna().all()

    july = review.start_session(con, g.id, JULY, viewer=VIEWER)
    due = review.to_review(con, july.id, viewer=VIEWER)
    assert list(due["commitment_id"]) == [first, second]
    assert due["done"].isna().all()  # not reviewed yet
    review.review_commitment(con, july.id, first, done=False, viewer=VIEWER)
    review.review_commitment(con, july.id, first, done=True, note="done on the 28th", viewer=VIEWER)
    review.review_commitment(con, july.id, second, done=False, viewer=VIEWER)
    due = review.to_review(con, july.id, viewer=VIEWER).set_index("commitment_id")
    # the latest review wins; the earlier one stays in the log
    assert due.loc[first, "done"] == True  # noqa: E712 - a pandas boolean
    assert due.loc[first, "note"] == "done on the 28th"
    assert due.loc[second, "done"] == False  # noqa: E712
    logged = con.cursor().execute("SELECT count(*) FROM peer_commitment_reviews").fetchall()
    assert logged[0][0] == 3
    # the June session now shows what was decided and whether it got done
    made = review.commitments(con, june.id, viewer=VIEWER).set_index("commitment_id")
    assert made.loc[first, "done"] == True  # noqa: E712
    assert pd.Timestamp(made.loc[first, "reviewed_on"]).date() == JULY
    overview = review.session_overview(con, g.id, viewer=VIEWER).set_index("held_on")
    assert overview.loc[pd.Timestamp(JUNE), "commitments_made"] == 2
    assert overview.loc[pd.Timestamp(JULY), "reviewed"] == 2
    assert overview.loc[pd.Timestamp(JULY), "found_done"] == 1
    # the first session has nothing to review
    assert review.to_review(con, june.id, viewer=VIEWER).empty


def test_bad_commitments_and_reviews_are_refused(
    con: store.Connection, group: tuple[peers.Group, dict[str, str]]
) -> None:
    g, keys = group
    june = review.start_session(con, g.id, JUNE, viewer=VIEWER)
    with pytest.raises(PeerError, match="owner's name"):
        review.add_commitment(con, june.id, keys["Alpha"], "  ", "Do it", JUNE, viewer=VIEWER)
    with pytest.raises(PeerError, match="commitment first"):
        review.add_commitment(con, june.id, keys["Alpha"], "Sam", "", JUNE, viewer=VIEWER)
    with pytest.raises(PeerError, match="before the session"):
        review.add_commitment(
            con, june.id, keys["Alpha"], "Sam", "Do it", date(2025, 6, 1), viewer=VIEWER
        )
    with pytest.raises(PeerError, match="not in this peer group"):
        review.add_commitment(con, june.id, "0" * 32, "Sam", "Do it", JUNE, viewer=VIEWER)
    made = review.add_commitment(con, june.id, keys["Alpha"], "Sam", "Do it", JUNE, viewer=VIEWER)
    with pytest.raises(PeerError, match="later session"):
        review.review_commitment(con, june.id, made, done=True, viewer=VIEWER)
    other = peers.create_group(con, "Elsewhere", founder=VIEWER)
    there = review.start_session(con, other.id, JULY, viewer=VIEWER)
    # another group's commitment is as unknown as one that does not exist
    with pytest.raises(PeerError, match="No commitment with id .* in this peer group"):
        review.review_commitment(con, there.id, made, done=True, viewer=VIEWER)
    with pytest.raises(PeerError, match="No commitment"):
        review.review_commitment(con, there.id, 999, done=True, viewer=VIEWER)


def test_the_timer_counts_down_whole_seconds_and_goes_negative_when_over() -> None:
    assert review.seconds_left(1000.0, 1000.0, 5) == 300
    assert review.seconds_left(1000.0, 1000.4, 5) == 300  # 299.6 s left still shows 5:00
    assert review.seconds_left(1000.0, 1061.0, 5) == 239
    assert review.seconds_left(1000.0, 1330.0, 5) == -30
    assert review.clock(300) == "5:00"
    assert review.clock(239) == "3:59"
    assert review.clock(5) == "0:05"
    assert review.clock(-30) == "-0:30"


def test_a_member_of_one_group_cannot_read_or_change_another_groups_sessions(
    con: store.Connection, group: tuple[peers.Group, dict[str, str]]
) -> None:
    g, keys = group
    june = review.start_session(con, g.id, JUNE, viewer=VIEWER)
    made = review.add_commitment(
        con, june.id, keys["Beta"], "Lee", "Call the churned clients", JULY, viewer=VIEWER
    )
    outsider = store.create_workspace(con, "Delta")
    bay = peers.create_group(con, "Bay circle", founder=outsider.id)
    theirs = review.start_session(con, bay.id, JULY, viewer=outsider.id)
    o = outsider.id
    attempts = {
        "get_session": lambda: review.get_session(con, june.id, viewer=o),
        "sessions": lambda: review.sessions(con, g.id, viewer=o),
        "session_overview": lambda: review.session_overview(con, g.id, viewer=o),
        "session_on": lambda: review.session_on(con, g.id, JUNE, viewer=o),
        "previous_session": lambda: review.previous_session(con, june.id, viewer=o),
        "agenda": lambda: review.agenda(con, june.id, viewer=o),
        "commitments": lambda: review.commitments(con, june.id, viewer=o),
        "to_review": lambda: review.to_review(con, june.id, viewer=o),
        "start_session": lambda: review.start_session(con, g.id, JULY, viewer=o),
        "close_session": lambda: review.close_session(con, june.id, viewer=o),
        "add_commitment": lambda: review.add_commitment(
            con, june.id, keys["Alpha"], "Eve", "Nothing good", JULY, viewer=o
        ),
        "review_commitment": lambda: review.review_commitment(
            con, june.id, made, done=False, viewer=o
        ),
    }
    for what, attempt in attempts.items():
        with pytest.raises(AccessDenied, match="not a member"):
            attempt()
        assert what  # every one refused
    # its own session cannot reach the other group's commitment either
    with pytest.raises(PeerError, match="No commitment with id .* in this peer group"):
        review.review_commitment(con, theirs.id, made, done=False, viewer=o)
    # a session id that does not exist gets the same answer as another group's
    with pytest.raises(AccessDenied) as unknown:
        review.get_session(con, 999, viewer=VIEWER)
    with pytest.raises(AccessDenied) as other:
        review.get_session(con, theirs.id, viewer=VIEWER)
    assert str(unknown.value) == str(other.value)
    counts = con.execute(
        "SELECT (SELECT count(*) FROM peer_sessions), (SELECT count(*) FROM peer_commitments), "
        "(SELECT count(*) FROM peer_commitment_reviews), "
        "(SELECT count(*) FROM peer_sessions WHERE closed_at IS NOT NULL)"
    ).fetchall()
    assert counts == [(2, 1, 0, 0)]
