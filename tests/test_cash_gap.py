"""cash_gap_weeks on a tiny hand-made store; every expected number is worked out in the comments."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from analytics import indicators, store
from analytics.indicators import pace
from analytics.settings import defaults
from tests.conftest import insert_rows as insert

D = date(2025, 3, 31)  # week k of the 13 after it: 1 Apr + 7(k-1) … 7 Apr + 7(k-1)


def run(
    con: store.Connection, ws: int, ind_id: str = "cash_gap_weeks", **overrides: Any
) -> indicators.Result:
    ctx = indicators.Context(con, ws, D, {**defaults(), **overrides}, explicit=True)
    return indicators.compute(indicators.get(ind_id), ctx)


def inv(no: str, customer: str, day: date, amount: float, **more: Any) -> dict[str, Any]:
    return {"invoice_no": no, "customer": customer, "date": day, "amount": amount, **more}


def ten_days(day: date) -> date:
    return day + timedelta(days=10)


@pytest.fixture
def cash_store(con: store.Connection, workspace: store.Workspace) -> int:
    ws = workspace.id
    d = date
    rows = [
        # Late paid 10, 20 and 30 days after due within the 12 months to D: median 20. The
        # 415 days of L_old were paid before 1 Apr 2024, outside the 12 months.
        inv("L_old", "Late", d(2023, 1, 1), 100, due=d(2023, 1, 11), paid=d(2024, 3, 1)),
        inv("L1", "Late", d(2024, 10, 1), 100, due=d(2024, 10, 11), paid=d(2024, 10, 21)),
        inv("L2", "Late", d(2024, 11, 1), 100, due=d(2024, 11, 11), paid=d(2024, 12, 1)),
        inv("L3", "Late", d(2024, 12, 1), 100, due=d(2024, 12, 11), paid=d(2025, 1, 10), cost=1000),
        # open: due 20 Mar + 20 days late = 9 Apr → week 2
        inv("L4", "Late", d(2025, 3, 10), 1000, due=d(2025, 3, 20), cost=300),
        # open: due 11 Jun 2024 + 20 = 1 Jul 2024, more than 90 days past: doubtful, left out
        inv("L0", "Late", d(2024, 6, 1), 50, due=d(2024, 6, 11)),
        # Few paid once, 4 days late: under 3 invoices, so the workspace's median lateness
        # counts for it: median of 10, 20, 30, 4 = 15.
        inv("F1", "Few", d(2025, 1, 5), 100, due=d(2025, 1, 15), paid=d(2025, 1, 19)),
        # open: due 11 Feb + 15 = 26 Feb, already past (within 90 days) → week 1
        inv("F0", "Few", d(2025, 2, 1), 100, due=d(2025, 2, 11)),
        # open: due 3 Apr + 15 = 18 Apr → week 3
        inv("F2", "Few", d(2025, 3, 25), 700, due=d(2025, 4, 3)),
        # open, no due date: the usual terms (median due − date: 10 days on all but F2's 9)
        # → 31 Mar + 10 + 15 = 25 Apr → week 4
        inv("F3", "Few", d(2025, 3, 31), 200),
    ]
    insert(con, "invoices", rows, ws)
    deals = [
        # won, + 2 months (the default lag: too little history to estimate it)
        {"deal_id": "W1", "status": "won", "closed": d(2025, 2, 10), "value": 3000},  # 10 Apr: wk 2
        {
            "deal_id": "W2",
            "status": "won",
            "closed": d(2025, 1, 5),
            "value": 999,
        },  # 5 Mar: invoiced
        {"deal_id": "W3", "status": "won", "closed": d(2025, 3, 20), "value": 400},  # 20 May: wk 8
        {"deal_id": "O1", "status": "open", "closed": d(2025, 3, 1), "value": 9999},  # not won
    ]
    insert(con, "deals", deals, ws)
    time = [
        {"date": d(2025, 3, 3), "person": "Ann", "hours": 10, "role": "tech"},  # 10 × 60 = 600
        {"date": d(2025, 2, 1), "person": "Bob", "hours": 5, "role": "Sales"},  # 5 × 70 = 350
        {"date": d(2024, 12, 15), "person": "Cy", "hours": 100, "role": "admin"},  # before
    ]
    insert(con, "time_entries", time, ws)
    return ws


@pytest.mark.hand_worked("cash_gap_weeks")
def test_cash_gap_weeks_by_hand(con: store.Connection, cash_store: int) -> None:
    r = run(con, cash_store, "cash_gap_weeks", weekly_costs=500)
    # Expected by week: 1: 100 (F0); 2: 1,000 (L4) + 3,000 (W1); 3: 700 (F2); 4: 200 (F3);
    # 8: 400 (W3); the rest 0. Under 500: weeks 1, 4–13 = 11 holes.
    weeks = r.frame.set_index("week")
    assert list(weeks["from_invoices"]) == [100, 1000, 700, 200] + [0] * 9
    assert list(weeks["from_deals"]) == [0, 3000, 0, 0, 0, 0, 0, 400] + [0] * 5
    assert weeks.loc[1, "week_start"] == date(2025, 4, 1)
    assert weeks.loc[13, "week_end"] == date(2025, 6, 30)
    assert r.value == 11 and r.status == "red"
    assert r.details["doubtful"] == pytest.approx(50)
    assert r.details["lag_months"] == 2
    assert r.details["hole_weeks"][0] == date(2025, 4, 1)
    # Late payers: Late median 20 days, open 1,000 + 50; Few median 4 days, open 1,000.
    payers = [
        (p["customer"], p["median_days_late"], p["open_amount"]) for p in r.details["late_payers"]
    ]
    assert payers == [("Late", 20, 1050), ("Few", 4, 1000)]
    assert "Late (20 days late, $1,050 open)" in r.message
    assert "$500 a week (your setting)" in r.message
    assert json.loads(json.dumps(indicators.result_json(r)))["value"] == 11  # plain JSON


def test_weekly_costs_default_to_the_last_13_weeks(con: store.Connection, cash_store: int) -> None:
    r = run(con, cash_store, weekly_costs=0)
    # 91 days to D (1 Jan–31 Mar): invoice cost 300 (L4; L3's 1,000 is older) + time
    # 600 + 350 (Cy's 100 admin hours are older) = 1,250 → 96.15 a week. Weeks under it:
    # 5, 6, 7, 9–13 = 8 (week 1 brings 100, week 4 200, week 8 400).
    assert r.details["weekly_costs"] == pytest.approx(1250 / 13)
    assert r.details["costs_from_setting"] is False
    assert r.value == 8


def test_cash_gap_weeks_needs_paid_dates_and_costs(
    con: store.Connection, workspace: store.Workspace
) -> None:
    insert(con, "invoices", [inv("A", "Acme", D, 100, due=ten_days(D))], workspace.id)
    r = run(con, workspace.id)
    assert r.status == "unknown" and "Paid / Payment Date column" in r.message
    insert(con, "invoices", [inv("B", "Acme", D, 100, paid=D)], workspace.id)
    r = run(con, workspace.id)
    assert r.status == "unknown" and "weekly costs" in r.message


def test_what_to_do_next_cites_the_numbers(con: store.Connection, cash_store: int) -> None:
    r = run(con, cash_store, "cash_gap_weeks", weekly_costs=500)
    advice = pace.cash_advice(r, "USD")
    # Week 1 brings 100 against 500: 400 short. Late: 20 days late, 1,050 open. Deals: 3,400.
    # The first hole after week 4 is week 5 (29 Apr).
    assert advice == (
        "The week of 1 Apr 2025 is $400 short of your $500 of weekly costs: plan for it now. "
        "Call Late first: they pay a typical 20 days after the due date and owe $1,050 today. "
        "Won deals worth $3,400 are not invoiced yet: ask for a deposit or invoice the first "
        "stage when work starts. From the week of 29 Apr 2025 little is booked: what you sell "
        "this month pays then, so prospect now."
    )


def test_weeks_add_up_exactly_whatever_order_the_amounts_come_in(
    con: store.Connection, workspace: store.Workspace
) -> None:
    # Three open invoices of one customer dated 25 Mar 2025, due 11 Apr (week 2: 8–14 Apr; the
    # one paid invoice, another customer's, was paid on its due day: no lateness): 0.10 + 0.20
    # + 0.30. Added as doubles in this order they make
    # 0.6000000000000001, in another 0.6 — so the figure moved in its last digits between
    # runs on a large store. Summed as decimals it is 0.6 whatever the order.
    rows = [
        inv(f"T{i}", "Tiny", date(2025, 3, 25), amount, due=date(2025, 4, 11))
        for i, amount in enumerate((0.1, 0.2, 0.3))
    ]
    rows.append(
        inv("P", "Prompt", date(2025, 1, 1), 5, due=date(2025, 1, 11), paid=date(2025, 1, 11))
    )
    insert(con, "invoices", rows, workspace.id)
    frame = run(con, workspace.id, weekly_costs=1000).frame  # costs set: the weeks are worked out
    week2 = frame[frame["week_start"] == date(2025, 4, 8)].iloc[0]
    assert week2["from_invoices"] == 0.6
    assert frame["from_invoices"].sum() == 0.6
