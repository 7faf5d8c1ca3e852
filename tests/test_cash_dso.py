"""dso_days on tiny hand-made stores; every expected number is worked out in the comments."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from analytics import indicators, store
from analytics.settings import defaults
from tests.conftest import insert_rows as insert

D = date(2025, 3, 31)  # the 90 days up to it: 1 Jan … 31 Mar 2025


def run(con: store.Connection, ws: int, ind_id: str, as_of: date) -> indicators.Result:
    ctx = indicators.Context(con, ws, as_of, defaults(), explicit=True)
    return indicators.compute(indicators.get(ind_id), ctx)


def line(day: date, customer: str, amount: float, paid: date | None = None) -> dict[str, Any]:
    return {"date": day, "customer": customer, "amount": amount, "paid": paid}


@pytest.mark.hand_worked("dso_days")
def test_dso_days_by_hand(con: store.Connection, workspace: store.Workspace) -> None:
    rows = [
        line(date(2024, 12, 20), "Old", 1000),  # open, before the 90 days
        line(date(2024, 12, 31), "Old", 200, date(2025, 1, 20)),  # paid before D
        line(date(2025, 1, 10), "Acme", 900, date(2025, 2, 5)),  # paid before D
        line(date(2025, 2, 15), "Acme", 600, date(2025, 4, 10)),  # paid after D: open on D
        line(date(2025, 3, 31), "Bolt", 300),  # open, dated on D
        line(date(2025, 4, 2), "Bolt", 5000),  # after D: not counted anywhere
    ]
    insert(con, "invoices", rows, workspace.id)
    r = run(con, workspace.id, "dso_days", D)
    # Open on D: 1,000 + 600 + 300 = 1,900. Revenue 1 Jan–31 Mar: 900 + 600 + 300 = 1,800,
    # 20 a day. DSO = 1,900 / 20 = 95 days → red (over 60).
    assert r.value == pytest.approx(95.0)
    assert r.details["open_receivables"] == pytest.approx(1900)
    assert r.details["revenue_90d"] == pytest.approx(1800)
    assert r.status == "red"
    assert "$1,900" in r.message and "95 days" in r.message
    # On 28 Feb 2025 (a month end the spark shows): open 1,000 + 600 = 1,600 (the 900 was
    # paid 5 Feb); revenue 1 Dec 2024–28 Feb 2025 = 1,000 + 200 + 900 + 600 = 2,700, 30 a
    # day → 53.33 days.
    feb = r.frame.set_index("day").loc[date(2025, 2, 28)]
    assert feb["dso"] == pytest.approx(1600 / 30)


def test_dso_days_without_paid_dates_says_what_to_load(
    con: store.Connection, workspace: store.Workspace
) -> None:
    insert(con, "invoices", [line(date(2025, 3, 1), "Acme", 100)], workspace.id)
    r = run(con, workspace.id, "dso_days", D)
    assert r.status == "unknown" and r.value is None
    assert "Paid / Payment Date column" in r.message


def test_dso_days_without_recent_revenue_is_unknown(
    con: store.Connection, workspace: store.Workspace
) -> None:
    # The only revenue is older than the 90 days to D: nothing to divide by.
    rows = [line(date(2024, 10, 1), "Acme", 100, date(2024, 11, 1)), line(D, "Acme", 0)]
    insert(con, "invoices", rows, workspace.id)
    r = run(con, workspace.id, "dso_days", D)
    assert r.status == "unknown" and "No revenue invoiced in the 90 days" in r.message
