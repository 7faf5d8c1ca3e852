"""What changed since the last review, on a tiny store whose two days are worked out by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from analytics import changes, peers, review, store
from analytics.checklists import goals
from tests.conftest import insert_rows as insert

# The review was on 31 Mar 2025 (day A); we look again on 30 Jun 2025 (day B). Every deal and
# time-entry figure counts the 12 months to its day.
DAY_A = date(2025, 3, 31)
DAY_B = date(2025, 6, 30)


def won(deal_id: str, closed: date, list_value: float, value: float) -> dict[str, Any]:
    return {
        "deal_id": deal_id,
        "status": "won",
        "created": date(2024, 12, 1),
        "closed": closed,
        "owner": "Ann",
        "customer": f"Customer {deal_id}",
        "list_value": list_value,
        "value": value,
    }


@pytest.fixture
def two_days(con: store.Connection, workspace: store.Workspace) -> int:
    ws = workspace.id
    insert(
        con,
        "deals",
        [
            # Won by day A, discounts 2 %, 3 %, 4 %, 4 %, 4 %: median 4 % → green (≤ 5 %).
            won("A1", date(2025, 1, 10), 1000, 980),
            won("A2", date(2025, 1, 20), 1000, 970),
            won("A3", date(2025, 2, 10), 1000, 960),
            won("A4", date(2025, 2, 20), 1000, 960),
            won("A5", date(2025, 3, 10), 1000, 960),
            # Won after day A, six at 20 %: by day B the eleven discounts are 2, 3, 4, 4, 4 and
            # six times 20 %, median (the 6th) 20 % → red (above 10 %).
            *(won(f"B{n}", date(2025, 5, n), 1000, 800) for n in range(1, 7)),
        ],
        ws,
    )
    insert(
        con,
        "time_entries",
        [
            # No time logged by day A: improvement time is unknown then. By day B, 10 of the
            # 50 hours logged went into improvement: 20 % → green (from 5 %).
            {"date": date(2025, 5, 5), "person": "Tom", "hours": 40, "category": "customer"},
            {"date": date(2025, 5, 6), "person": "Tom", "hours": 10, "category": "improvement"},
        ],
        ws,
    )
    return ws


def test_a_green_figure_that_turned_red(con: store.Connection, two_days: int) -> None:
    ch = changes.compare(con, two_days, since=DAY_A, as_of=DAY_B)
    assert (ch.since, ch.as_of, ch.since_reason) == (DAY_A, DAY_B, "the day you chose")
    red = next(m for m in ch.new_reds if m.indicator_id == "discount_depth")
    assert (red.before_status, red.after_status) == ("green", "red")
    assert red.before_value == pytest.approx(0.04) and red.after_value == pytest.approx(0.20)
    assert (red.before_text, red.after_text) == ("4.0%", "20.0%")
    assert red.change == pytest.approx(0.16)
    assert (red.label, red.area, red.unit) == ("Discount on won deals", "friction", "share")
    # a new red is listed there, not again among the other colour changes
    assert "discount_depth" not in {m.indicator_id for m in ch.status_changes}
    # 4 % → 20 % is 0.16 against the larger 0.20: 80 %, the largest move on this store
    assert ch.largest_moves[0].indicator_id == "discount_depth"
    assert ch.largest_moves[0].relative == pytest.approx(0.8)


def test_a_figure_that_became_known(con: store.Connection, two_days: int) -> None:
    ch = changes.compare(con, two_days, since=DAY_A, as_of=DAY_B)
    known = {m.indicator_id: m for m in ch.became_known}
    move = known["improvement_time_share"]
    assert (move.before_status, move.after_status) == ("unknown", "green")
    assert move.before_value is None and move.after_value == pytest.approx(0.2)
    assert (move.before_text, move.after_text) == ("—", "20.0%")
    assert move.change is None
    assert "improvement_time_share" not in {m.indicator_id for m in ch.largest_moves}
    assert ch.became_unknown == []  # nothing was known on day A that is not known on day B


def test_what_fell_due_in_between(
    con: store.Connection, workspace: store.Workspace, two_days: int
) -> None:
    ws = two_days
    group = peers.create_group(con, "Harbour peers", founder=ws)
    key = peers.membership(con, group.id, ws)
    assert key is not None
    first = review.start_session(con, group.id, date(2025, 2, 15), viewer=ws)
    made = {
        due: review.add_commitment(con, first.id, key.member_key, "Ann", text, due, viewer=ws)
        for text, due in [
            ("Raise the day rate", date(2025, 3, 15)),  # due before day A: not in between
            ("Stop discounting past 10%", date(2025, 5, 1)),  # in between
            ("Call the bank", date(2025, 6, 30)),  # on day B: in between (day B counts)
            ("Hire a second tech", date(2025, 7, 15)),  # after day B
        ]
    }
    second = review.start_session(con, group.id, date(2025, 6, 1), viewer=ws)
    review.review_commitment(con, second.id, made[date(2025, 5, 1)], True, viewer=ws)
    goals.create_goal(
        con,
        ws,
        "Win back five lapsed customers",
        date(2025, 9, 30),  # the goal itself: after day B
        "List the lapsed customers",  # today's task, due 1 Jan 2025: before day A
        date(2025, 1, 1),
        [("Call the first five", date(2025, 4, 20))],  # in between, not ticked off
        owner="Ann",
    )
    ch = changes.compare(con, ws, since=DAY_A, as_of=DAY_B)
    assert [(i.kind, i.title, i.owner, i.due, i.done, i.source) for i in ch.fell_due] == [
        (
            "goal step",
            "Call the first five (goal: Win back five lapsed customers)",
            "Ann",
            date(2025, 4, 20),
            False,
            "Hard reset: Elephant walk",
        ),
        (
            "commitment",
            "Stop discounting past 10%",
            "Ann",
            date(2025, 5, 1),
            True,
            "Review session 15 Feb 2025",
        ),
        (
            "commitment",
            "Call the bank",
            "Ann",
            date(2025, 6, 30),
            False,
            "Review session 15 Feb 2025",
        ),
    ]
    lines = changes.summary_lines(ch, "USD")
    assert lines[0] == "Since 31 Mar 2025 (the day you chose), up to 30 Jun 2025."
    assert "Discount on won deals turned red: 20.0% now, 4.0% on 31 Mar 2025." in lines
    assert "3 commitments and goal steps fell due in between; 1 done." in lines
    assert (
        "Stop discounting past 10% (Ann), due 1 May 2025 from Review session 15 Feb 2025: done."
        in lines
    )
    assert "Discount on won deals moved +16.0 pts: 4.0% on 31 Mar, 20.0% on 30 Jun 2025." in lines


def test_another_groups_commitments_are_not_mine(con: store.Connection, two_days: int) -> None:
    other = store.create_workspace(con, "Other Co")
    group = peers.create_group(con, "Other peers", founder=other.id)
    member = peers.membership(con, group.id, other.id)
    assert member is not None
    session = review.start_session(con, group.id, date(2025, 2, 15), viewer=other.id)
    review.add_commitment(
        con, session.id, member.member_key, "Bo", "Not mine", date(2025, 5, 1), viewer=other.id
    )
    assert changes.compare(con, two_days, since=DAY_A, as_of=DAY_B).fell_due == []
    # …nor is their session my last review
    assert changes.default_since(con, two_days, as_of=DAY_B)[0] == date(2025, 4, 1)


def test_the_second_look_reads_the_kept_results(con: store.Connection, two_days: int) -> None:
    first = changes.compare(con, two_days, since=DAY_A, as_of=DAY_B)
    kept = con.execute(
        "SELECT DISTINCT as_of_key FROM indicator_results WHERE workspace_id = $w ORDER BY 1",
        {"w": two_days},
    ).fetchall()
    assert kept == [("2025-03-31",), ("2025-06-30",)]
    assert changes.compare(con, two_days, since=DAY_A, as_of=DAY_B) == first


def test_a_day_on_or_after_the_as_of_day_is_refused(con: store.Connection, two_days: int) -> None:
    with pytest.raises(ValueError, match="Pick a day before 30 Jun 2025"):
        changes.compare(con, two_days, since=DAY_B, as_of=DAY_B)


# ---------------------------------------------------------------- the default day


def test_default_since_is_the_last_review_session(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    group = peers.create_group(con, "Harbour peers", founder=ws)
    for held_on in (date(2025, 2, 15), date(2025, 6, 1), date(2025, 8, 1)):
        review.start_session(con, group.id, held_on, viewer=ws)
    # the latest session before the as-of day (1 Aug is after it), even with a pack made later
    assert changes.default_since(con, ws, as_of=DAY_B, last_pack=date(2025, 6, 20)) == (
        date(2025, 6, 1),
        "your last review session (1 Jun 2025)",
    )
    # a session on the as-of day itself is not "since": the one before it is
    assert changes.default_since(con, ws, as_of=date(2025, 6, 1))[0] == date(2025, 2, 15)


def test_default_since_is_the_last_pack_without_a_session(
    con: store.Connection, workspace: store.Workspace
) -> None:
    assert changes.default_since(con, workspace.id, as_of=DAY_B, last_pack=date(2025, 5, 2)) == (
        date(2025, 5, 2),
        "your last review pack (2 May 2025)",
    )


def test_default_since_is_90_days_before_without_either(
    con: store.Connection, workspace: store.Workspace
) -> None:
    # 30 Jun 2025 − 90 days = 1 Apr 2025; a pack made on or after the as-of day does not count
    expected = (date(2025, 4, 1), "90 days before 30 Jun 2025")
    assert changes.default_since(con, workspace.id, as_of=DAY_B) == expected
    assert changes.default_since(con, workspace.id, as_of=DAY_B, last_pack=DAY_B) == expected
