"""'What changed' at the top of the Scoreboard (and on the Review session page), on the demo."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from analytics import format as fmt
from analytics import indicators, peers, review, store
from tests.apptest import no_failure, run_page, texts

pytestmark = pytest.mark.usefixtures("fresh_streamlit")


def _demo_days(db: Path) -> tuple[int, date]:
    con = store.connect(db)
    try:
        ws = store.list_workspaces(con)[0].id
        return ws, store.last_data_date(con, ws)
    finally:
        con.close()


def _section(at: object) -> object:
    found = [e for e in at.expander if e.label.startswith("Since ")]  # type: ignore[attr-defined]
    assert len(found) == 1, [e.label for e in at.expander]  # type: ignore[attr-defined]
    return found[0]


def test_the_scoreboard_opens_with_what_changed_in_90_days(demo_db: Path) -> None:
    ws, last = _demo_days(demo_db)
    since = last - timedelta(days=90)  # the demo has no review session and no pack
    # Worked out apart from analytics.changes: the registry on both days, straight.
    con = store.connect(demo_db)
    then = indicators.compute_all(con, ws, since)
    now = indicators.compute_all(con, ws)
    con.close()
    new_reds = [i for i, r in now.items() if r.status == "red" and then[i].status != "red"]
    recoloured = [
        i
        for i, r in now.items()
        if "unknown" not in (r.status, then[i].status)
        and r.status != then[i].status
        and r.status != "red"
    ]
    assert new_reds, "the demo's 90 days should turn something red"

    at = run_page("pages/scoreboard.py")
    no_failure(at)
    box = _section(at)
    label = box.label  # type: ignore[attr-defined]
    day = f"{since.day} {since:%b}"
    assert label.startswith(f"Since {day} (90 days before {fmt.day(last)})"), label
    assert f"{len(new_reds)} new red" in label
    assert f"{len(recoloured)} other colour change" in label
    shown = texts(at)
    for ind_id in new_reds:
        assert f"🔴 Act now · {indicators.get(ind_id).label}:" in shown, ind_id
    assert "Largest moves" in shown
    # the section comes first, above the cards (and their "Why this matters")
    assert at.expander[0].label == label, [e.label for e in at.expander][:3]
    picker = at.date_input(key=f"changes_since_scoreboard_{ws}")
    assert picker.value == since


def test_after_a_review_session_it_counts_from_that_session(demo_db: Path) -> None:
    ws, last = _demo_days(demo_db)
    held_on = last - timedelta(days=40)
    con = store.connect(demo_db)
    group = peers.create_group(con, "Harbour peers", founder=ws)
    member = peers.membership(con, group.id, ws)
    assert member is not None
    session = review.start_session(con, group.id, held_on, viewer=ws)
    review.add_commitment(
        con,
        session.id,
        member.member_key,
        "Sam",
        "Call ten lapsed customers",
        held_on + timedelta(days=14),
        viewer=ws,
    )
    con.close()

    at = run_page("pages/scoreboard.py")
    no_failure(at)
    label = _section(at).label  # type: ignore[attr-defined]
    assert label.startswith(f"Since your last review, {held_on.day} {held_on:%b}"), label
    assert "1 fell due" in label
    shown = texts(at)
    assert "✘ not done · Call ten lapsed customers (Sam), due" in shown
    assert f"Review session {fmt.day(held_on)}" in shown

    # Another day picked: the section says it is the owner's choice.
    other = held_on - timedelta(days=30)
    at.date_input(key=f"changes_since_scoreboard_{ws}").set_value(other).run()
    no_failure(at)
    label = _section(at).label  # type: ignore[attr-defined]
    assert label.startswith(f"Since {other.day} {other:%b} (the day you chose)"), label


def test_the_review_session_page_shows_the_business_own_changes(demo_db: Path) -> None:
    ws, last = _demo_days(demo_db)
    earlier = last - timedelta(days=60)
    con = store.connect(demo_db)
    group = peers.create_group(con, "Harbour peers", founder=ws)
    review.start_session(con, group.id, earlier, viewer=ws)
    today = review.start_session(con, group.id, last + timedelta(days=5), viewer=ws)
    con.close()

    at = run_page("pages/review.py", session=str(today.id))
    no_failure(at)
    label = _section(at).label  # type: ignore[attr-defined]
    # the session before the data's last day is the last review this business can look back to
    assert label.startswith(f"Since your last review, {earlier.day} {earlier:%b}"), label
    assert not _section(at).proto.expanded  # type: ignore[attr-defined]
