"""Pace indicators on tiny hand-made stores; every expected number is worked out in the comments."""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import pytest

from analytics import indicators, store
from analytics.indicators import pace
from analytics.settings import defaults
from tests.conftest import insert_rows as insert


def settings(**overrides: Any) -> dict[str, Any]:
    return {**defaults(), "pace_weeks": 4, **overrides}


def run(
    con: store.Connection, ws: int, ind_id: str, as_of: date, **overrides: Any
) -> indicators.Result:
    ctx = indicators.Context(con, ws, as_of, settings(**overrides), explicit=True)
    return indicators.compute(indicators.get(ind_id), ctx)


# ---------------------------------------------------------------- prospecting_hours

AS_OF = date(2025, 3, 30)  # a Sunday: the week of Mon 24 Mar is the last complete week


@pytest.fixture
def prospecting_store(con: store.Connection, workspace: store.Workspace) -> int:
    ws = workspace.id
    insert(con, "invoices", [{"date": date(2025, 1, 15), "customer": "Acme", "amount": 500}], ws)
    insert(
        con,
        "activities",
        [
            {"date": date(2025, 2, 11), "type": "cold-call", "minutes": 120},  # wk 10 Feb: 2 h
            {"date": date(2025, 3, 4), "type": "Cold Call", "minutes": 30},  # wk 3 Mar: 0.5 h
            {"date": date(2025, 3, 6), "type": "Mailshot", "minutes": None},  # + default 30 min
            {"date": date(2025, 3, 12), "type": "Prospecting", "minutes": 90},  # wk 10 Mar: 1.5 h
            # wk 17 Mar: a call to a paying customer is not prospecting; an email to a
            # prospect is (default 5 min = 0.0833 h)
            {"date": date(2025, 3, 18), "type": "Call", "customer": "Acme", "minutes": 60},
            {"date": date(2025, 3, 19), "type": "Email", "customer": "NewCo", "minutes": None},
            {"date": date(2025, 3, 25), "type": "Meeting", "customer": "NewCo", "minutes": 60},
            {"date": date(2025, 3, 31), "type": "Prospecting", "minutes": 600},  # after as-of
        ],
        ws,
    )
    # wk 24 Mar: 2 h of time logged as sales
    insert(
        con,
        "time_entries",
        [{"date": date(2025, 3, 26), "person": "Owner", "hours": 2.0, "category": "Sales"}],
        ws,
    )
    return ws


@pytest.mark.hand_worked("prospecting_hours")
def test_prospecting_hours_by_hand(con: store.Connection, prospecting_store: int) -> None:
    r = run(con, prospecting_store, "prospecting_hours", AS_OF)
    # Weeks from 10 Feb to 24 Mar: 2, 0, 0, 1.0, 1.5, 0.0833, 2.0 hours.
    # Last 4: (1.0 + 1.5 + 5/60 + 2.0) / 4 = 1.1458333
    assert r.value == pytest.approx((1.0 + 1.5 + 5 / 60 + 2.0) / 4)
    assert r.status == "green"  # ≥ the 1 h target
    d = r.details
    assert d["weeks_met"] == 3 and d["weeks_met_share"] == 0.75
    assert d["current_streak"] == 1  # 24 Mar met, 17 Mar not
    assert d["longest_streak"] == 2  # 3 and 10 Mar
    assert d["longest_gap_weeks"] == 2  # 17 and 24 Feb
    assert d["longest_gap_ended"] == date(2025, 3, 2)
    assert "3 of the last 4 weeks" in r.message and "2 Mar 2025" in r.message
    assert list(r.frame["hours"].round(4)) == [2.0, 0.0, 0.0, 1.0, 1.5, 0.0833, 2.0]


def test_prospecting_target_from_settings_moves_the_status(
    con: store.Connection, prospecting_store: int
) -> None:
    r = run(con, prospecting_store, "prospecting_hours", AS_OF, prospecting_target_hours=1.5)
    # Met at 1.5 h: 10 Mar (1.5) and 24 Mar (2.0) only; 1.146 h is between 0.75 and 1.5.
    assert r.details["weeks_met"] == 2
    assert r.status == "amber"


def test_prospecting_needs_four_weeks(con: store.Connection, prospecting_store: int) -> None:
    # 23 Feb is a Sunday: the weeks of 10 and 17 Feb are complete, two of the four needed.
    r = run(con, prospecting_store, "prospecting_hours", date(2025, 2, 23))
    assert r.value is None and r.status == "unknown"
    assert "2 complete weeks" in r.message


def test_prospecting_with_no_data_says_what_to_load(
    con: store.Connection, workspace: store.Workspace
) -> None:
    r = run(con, workspace.id, "prospecting_hours", AS_OF)
    assert r.status == "unknown" and "activities" in r.message


# ---------------------------------------------------------------- activity_consistency


@pytest.mark.hand_worked("activity_consistency")
def test_activity_consistency_by_hand(con: store.Connection, workspace: store.Workspace) -> None:
    ws = workspace.id
    # Weeks of 3, 10, 17, 24 Mar: 2, 6, 0, 4 activities.
    per_week = {date(2025, 3, 3): 2, date(2025, 3, 10): 6, date(2025, 3, 24): 4}
    rows = [{"date": d, "type": "call"} for d, n in per_week.items() for _ in range(n)]
    insert(con, "activities", rows, ws)
    r = run(con, ws, "activity_consistency", AS_OF)
    # mean 3; population sd = sqrt((1 + 9 + 9 + 1) / 4) = sqrt(5); cv = sqrt(5) / 3 = 0.745
    assert r.value == pytest.approx(math.sqrt(5) / 3)
    assert r.details["label"] == "stormy" and r.status == "red"
    assert r.details["silent_weeks"] == 1
    assert "stormy" in r.message and "3.0 activities a week" in r.message


def test_activity_consistency_ignores_weeks_before_the_first_activity(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    insert(con, "activities", [{"date": date(2025, 3, 20), "type": "call"}], ws)
    r = run(con, ws, "activity_consistency", AS_OF)
    assert r.status == "unknown" and "20 Mar 2025" in r.message


# ---------------------------------------------------------------- workload_pace


@pytest.mark.hand_worked("workload_pace")
def test_workload_pace_by_hand(con: store.Connection, workspace: store.Workspace) -> None:
    ws = workspace.id
    weeks = [date(2025, 3, 3), date(2025, 3, 10), date(2025, 3, 17), date(2025, 3, 24)]
    hours = {"Ana": [40, 50, 20, None], "Ben": [45, 30, 44, 46]}
    rows = [
        {"date": w, "person": p, "hours": h}
        for p, hs in hours.items()
        for w, h in zip(weeks, hs, strict=True)
        if h is not None
    ]
    insert(con, "time_entries", rows, ws)
    r = run(con, ws, "workload_pace", AS_OF)
    # 7 person-weeks logged; outside 30–45: Ana 50 (fast), Ana 20 (slow), Ben 46 (fast).
    # 45 and 30 sit on the band's edges and count as sustainable.
    assert r.value == pytest.approx(3 / 7)
    assert r.status == "red"
    people = {p["person"]: p for p in r.details["people"]}
    assert (people["Ana"]["too_fast"], people["Ana"]["too_slow"]) == (1, 1)
    assert (people["Ben"]["too_fast"], people["Ben"]["too_slow"]) == (1, 0)
    assert r.message.startswith("42.9% of person-weeks")


# ---------------------------------------------------------------- order_book_cover


@pytest.mark.hand_worked("order_book_cover")
def test_order_book_cover_by_hand(con: store.Connection, workspace: store.Workspace) -> None:
    ws = workspace.id
    months = [date(2025, m, 10) for m in range(1, 7)]
    insert(con, "invoices", [{"date": d, "customer": "Acme", "amount": 1000} for d in months], ws)
    won = [1000, 1000, 1000, 1000, 800, 400]
    insert(
        con,
        "deals",
        [
            {"deal_id": f"D{i}", "status": "won", "closed": d, "value": v, "batch_id": 1}
            for i, (d, v) in enumerate(zip(months, won, strict=True))
        ],
        ws,
    )
    r = run(con, ws, "order_book_cover", date(2025, 6, 30))
    # Lag: the 2-month default (less than 24 months of history). July expects May's 800,
    # August June's 400: 1,200 against an average month of 1,000 → 1.2.
    assert r.value == pytest.approx(1.2)
    assert r.details["lag_months"] == 2 and r.details["lag_estimated"] is False
    # Typical month's bookings = 5,200 / 6 = 866.67; a hole is under 60% = 520: August (400).
    assert r.details["typical_monthly_bookings"] == pytest.approx(5200 / 6)
    assert r.details["hole_months"] == [date(2025, 8, 1)]
    assert r.status == "green"
    assert "Aug 2025" in r.message and "$1,200" in r.message


def test_order_book_cover_without_deals_says_what_to_load(
    con: store.Connection, workspace: store.Workspace
) -> None:
    insert(
        con, "invoices", [{"date": date(2025, 1, 10), "customer": "A", "amount": 5}], workspace.id
    )
    r = run(con, workspace.id, "order_book_cover", date(2025, 6, 30))
    assert r.status == "unknown" and "deals" in r.message


def test_lag_is_estimated_from_history() -> None:
    # Bookings jump around; revenue repeats them exactly three months later.
    import pandas as pd

    won = [100, 400, 150, 700, 200, 300, 900, 100, 500, 250, 650, 120] * 3
    revenue = [1000.0] * 3 + [1000 + w for w in won[:-3]]
    frame = pd.DataFrame({"future": [False] * 36, "won_value": won, "revenue": revenue})
    lag, score = pace.estimate_lag(frame)
    assert lag == 3 and score == pytest.approx(1.0)
    assert pace.estimate_lag(frame.head(20)) == (None, None)  # under 24 months: no estimate


# ---------------------------------------------------------------- lately_vs_lifetime


@pytest.mark.hand_worked("lately_vs_lifetime")
def test_lately_vs_lifetime_by_hand(con: store.Connection, workspace: store.Workspace) -> None:
    ws = workspace.id
    old = {f"C{i:02d}": 1300 - 100 * i for i in range(1, 13)}  # C01 1200 … C12 100
    recent = {"C11": 550, "C12": 450, "C03": 50, "C05": 20}
    rows = [{"date": date(2024, 6, 1), "customer": c, "amount": a} for c, a in old.items()]
    rows += [{"date": date(2025, 5, 1), "customer": c, "amount": a} for c, a in recent.items()]
    insert(con, "invoices", rows, ws)
    r = run(con, ws, "lately_vs_lifetime", date(2025, 5, 31))
    # Lifetime top 10: C01 C02 C03(1050) C04 C05(820) C11(750) C06 C07 C12(550) C08.
    # Recent (90 days): C11, C12, C03, C05 only → C01 C02 C04 C06 C07 C08 dropped out.
    assert r.value == 6
    assert r.details["dropped_from_top"] == ["C01", "C02", "C04", "C06", "C07", "C08"]
    assert r.status == "red"
    risers = [(x["customer"], x["rank_change"]) for x in r.details["customer_risers"]]
    assert risers == [("C12", 7), ("C11", 5), ("C05", 1)]
    fallers = [x["customer"] for x in r.details["customer_fallers"]]
    assert fallers == ["C01", "C02", "C04", "C06", "C07"]  # unranked counts as #13


def test_lately_window_follows_the_season_start(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    insert(con, "invoices", [{"date": date(2024, 1, 5), "customer": "A", "amount": 10}], ws)
    r = run(con, ws, "lately_vs_lifetime", date(2025, 6, 30), season_start="2025-04-15")
    assert r.details["since"] == date(2025, 4, 15)


def test_every_pace_result_is_plain_json(con: store.Connection, prospecting_store: int) -> None:
    results = indicators.compute_all(con, prospecting_store, AS_OF, area="pace")
    assert set(results) == {
        "prospecting_hours",
        "activity_consistency",
        "order_book_cover",
        "workload_pace",
        "lately_vs_lifetime",
        "dso_days",
        "cash_gap_weeks",
    }
    for r in results.values():
        payload = json.dumps(indicators.result_json(r))  # no default=: must be plain already
        assert r.status in ("green", "amber", "red", "unknown")
        assert isinstance(json.loads(payload)["value"], float | int | type(None))
