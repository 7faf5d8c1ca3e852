"""Review sessions: dated sessions, an agenda from the cards, commitments and their follow-up at
the next session, the timer's arithmetic — worked out by hand on a tiny store."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from analytics import peers, review, store
from analytics.errors import PeerError
from analytics.indicators import Result

JUNE = date(2025, 6, 2)
JULY = date(2025, 7, 7)


@pytest.fixture
def group(con: store.Connection) -> tuple[peers.Group, dict[str, str]]:
    """Alpha (anonymous, two reds), Beta (named, one red), Gamma (anonymous, no card)."""
    g = peers.create_group(con, "Harbour circle")
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
        ws = store.create_workspace(con, name)
        member = peers.join_group(
            con,
            g.id,
            ws.id,
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
    june = review.start_session(con, g.id, JUNE, minutes_per_item=7)
    july = review.start_session(con, g.id, JULY)
    assert (june.held_on, june.minutes_per_item, july.minutes_per_item) == (JUNE, 7, 5)
    with pytest.raises(PeerError, match="already has a session on 2025-06-02"):
        review.start_session(con, g.id, JUNE)
    with pytest.raises(PeerError, match="between 1 and 60"):
        review.start_session(con, g.id, date(2025, 8, 1), minutes_per_item=0)
    assert [s.held_on for s in review.sessions(con, g.id)] == [JULY, JUNE]
    assert review.previous_session(con, july.id) == june
    assert review.previous_session(con, june.id) is None
    closed = review.close_session(con, june.id)
    assert closed.is_closed


def test_the_agenda_walks_each_member_with_reds_and_reset_item(
    con: store.Connection, group: tuple[peers.Group, dict[str, str]]
) -> None:
    g, keys = group
    s = review.start_session(con, g.id, JUNE)
    items = review.agenda(con, s.id)
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
    early = review.start_session(con, g.id, date(2025, 5, 1))
    assert all(i.reds == () for i in review.agenda(con, early.id))
    assert keys["Alpha"] == alpha.member_key


def test_commitments_are_reviewed_at_the_next_session(
    con: store.Connection, group: tuple[peers.Group, dict[str, str]]
) -> None:
    g, keys = group
    june = review.start_session(con, g.id, JUNE)
    first = review.add_commitment(
        con, june.id, keys["Alpha"], " Sam ", "Cap discounts at 15%", date(2025, 6, 30)
    )
    second = review.add_commitment(
        con, june.id, keys["Beta"], "Lee", "Call the five churned clients", date(2025, 7, 1)
    )
    made = review.commitments(con, june.id)
    assert list(made["owner"]) == ["Sam", "Lee"]
    assert list(made["label"]) == ["Member A", "Beta"]
    assert made["done"].isna().all()

    july = review.start_session(con, g.id, JULY)
    due = review.to_review(con, july.id)
    assert list(due["commitment_id"]) == [first, second]
    assert due["done"].isna().all()  # not reviewed yet
    review.review_commitment(con, july.id, first, done=False)
    review.review_commitment(con, july.id, first, done=True, note="done on the 28th")
    review.review_commitment(con, july.id, second, done=False)
    due = review.to_review(con, july.id).set_index("commitment_id")
    # the latest review wins; the earlier one stays in the log
    assert due.loc[first, "done"] == True  # noqa: E712 - a pandas boolean
    assert due.loc[first, "note"] == "done on the 28th"
    assert due.loc[second, "done"] == False  # noqa: E712
    logged = con.cursor().execute("SELECT count(*) FROM peer_commitment_reviews").fetchall()
    assert logged[0][0] == 3
    # the June session now shows what was decided and whether it got done
    made = review.commitments(con, june.id).set_index("commitment_id")
    assert made.loc[first, "done"] == True  # noqa: E712
    assert pd.Timestamp(made.loc[first, "reviewed_on"]).date() == JULY
    overview = review.session_overview(con, g.id).set_index("held_on")
    assert overview.loc[pd.Timestamp(JUNE), "commitments_made"] == 2
    assert overview.loc[pd.Timestamp(JULY), "reviewed"] == 2
    assert overview.loc[pd.Timestamp(JULY), "found_done"] == 1
    # the first session has nothing to review
    assert review.to_review(con, june.id).empty


def test_bad_commitments_and_reviews_are_refused(
    con: store.Connection, group: tuple[peers.Group, dict[str, str]]
) -> None:
    g, keys = group
    june = review.start_session(con, g.id, JUNE)
    with pytest.raises(PeerError, match="owner's name"):
        review.add_commitment(con, june.id, keys["Alpha"], "  ", "Do it", JUNE)
    with pytest.raises(PeerError, match="commitment first"):
        review.add_commitment(con, june.id, keys["Alpha"], "Sam", "", JUNE)
    with pytest.raises(PeerError, match="before the session"):
        review.add_commitment(con, june.id, keys["Alpha"], "Sam", "Do it", date(2025, 6, 1))
    with pytest.raises(PeerError, match="not in this peer group"):
        review.add_commitment(con, june.id, "0" * 32, "Sam", "Do it", JUNE)
    made = review.add_commitment(con, june.id, keys["Alpha"], "Sam", "Do it", JUNE)
    with pytest.raises(PeerError, match="later session"):
        review.review_commitment(con, june.id, made, done=True)
    other = peers.create_group(con, "Elsewhere")
    there = review.start_session(con, other.id, JULY)
    with pytest.raises(PeerError, match="another peer group"):
        review.review_commitment(con, there.id, made, done=True)
    with pytest.raises(PeerError, match="No commitment"):
        review.review_commitment(con, there.id, 999, done=True)


def test_the_timer_counts_down_whole_seconds_and_goes_negative_when_over() -> None:
    assert review.seconds_left(1000.0, 1000.0, 5) == 300
    assert review.seconds_left(1000.0, 1000.4, 5) == 300  # 299.6 s left still shows 5:00
    assert review.seconds_left(1000.0, 1061.0, 5) == 239
    assert review.seconds_left(1000.0, 1330.0, 5) == -30
    assert review.clock(300) == "5:00"
    assert review.clock(239) == "3:59"
    assert review.clock(5) == "0:05"
    assert review.clock(-30) == "-0:30"
