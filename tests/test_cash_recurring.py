"""cash_gap_weeks' third source, recurring billing not yet invoiced, on a tiny hand-made store;
every expected number is worked out in the comments."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from analytics import indicators, store
from analytics.settings import defaults
from tests.conftest import insert_rows as insert

# A mid-month as-of day: the last 3 complete months are Jan, Feb and Mar 2025. Week k of the
# 13 after it: 16 Apr + 7(k-1) … 22 Apr + 7(k-1); the horizon ends on 15 Jul.
A = date(2025, 4, 15)


def line(
    no: str, customer: str, day: date, amount: float, late: int | None, recurring: bool | None
) -> dict[str, Any]:
    """An invoice due 20 days after its date (the usual terms: 20), paid `late` days after
    due (None: open)."""
    due = date.fromordinal(day.toordinal() + 20)
    paid = None if late is None else date.fromordinal(due.toordinal() + late)
    return {
        "invoice_no": no,
        "customer": customer,
        "date": day,
        "amount": amount,
        "due": due,
        "paid": paid,
        "recurring": recurring,
    }


@pytest.fixture
def recurring_store(con: store.Connection, workspace: store.Workspace) -> int:
    d = date
    rows = [
        # Retainer: recurring Jan 1,000, Feb 1,000, Mar 1,200 + 300 = 1,500 → median 1,000;
        # last recurring invoice 10 Apr → billed on the 10th. 3 paid invoices, each 5 days
        # late → its own lateness: 5.
        line("R1", "Retainer", d(2025, 1, 10), 1000, 5, True),
        line("R2", "Retainer", d(2025, 2, 10), 1000, 5, True),
        line("R3", "Retainer", d(2025, 3, 10), 1200, 5, True),
        # open: due 14 Apr + 5 = 19 Apr → week 1
        line("R4", "Retainer", d(2025, 3, 25), 300, None, True),
        # open: due 30 Apr + 5 = 5 May → week 3 (the April bill is raised: not projected again)
        line("R5", "Retainer", d(2025, 4, 10), 1000, None, True),
        # Managed: recurring Jan 400, Feb nothing (counts as 0), Mar 900 → median 400 (not
        # 650); last recurring invoice 31 Mar → billed on the 31st, the month's last day when
        # shorter. 1 paid invoice, 15 days late: under 3, so the business's lateness counts.
        line("M1", "Managed", d(2025, 1, 31), 400, 15, True),
        # open: due 20 Apr + 10 (the business's lateness) = 30 Apr → week 3
        line("M3", "Managed", d(2025, 3, 31), 900, None, True),
        # Stopped: recurring Jan 800, Feb 800, Mar 0 → median 800, but its last recurring
        # invoice (5 Feb) is more than 2 months before 15 Apr (15 Feb): not projected.
        line("S1", "Stopped", d(2025, 1, 5), 800, 25, True),
        line("S2", "Stopped", d(2025, 2, 5), 800, 25, True),
        # Project: one-off work (recurring false), never projected; paid 10 days late.
        line("P1", "Project", d(2025, 3, 15), 5000, 10, False),
    ]
    # The business's lateness: median of 5, 5, 5, 15, 25, 25, 10 = 10.
    insert(con, "invoices", rows, workspace.id)
    return workspace.id


@pytest.mark.hand_worked("cash_gap_weeks")
def test_recurring_billing_not_yet_invoiced_by_hand(
    con: store.Connection, recurring_store: int
) -> None:
    ctx = indicators.Context(
        con, recurring_store, A, {**defaults(), "weekly_costs": 350}, explicit=True
    )
    r = indicators.compute(indicators.get("cash_gap_weeks"), ctx)
    # Retainer, 1,000 billed 10 May, 10 Jun, 10 Jul (10 Apr is before A): + 20 days' terms
    # + 5 late = 4 Jun (week 8), 5 Jul (week 12), 4 Aug (after the 13 weeks).
    # Managed, 400 billed 30 Apr, 31 May, 30 Jun (31 Jul is after 15 Jul): + 20 + 10 =
    # 30 May (week 7), 30 Jun (week 11), 30 Jul (after).
    weeks = r.frame.set_index("week")
    assert list(weeks["from_recurring"]) == [0] * 6 + [400, 1000, 0, 0, 400, 1000, 0]
    assert list(weeks["from_invoices"]) == [300, 0, 1900] + [0] * 10
    assert list(weeks["from_deals"]) == [0] * 13
    assert weeks.loc[7, "week_start"] == date(2025, 5, 28)
    # Expected: 1: 300, 3: 1,900, 7: 400, 8: 1,000, 11: 400, 12: 1,000. At 350 a week only
    # weeks 3, 7, 8, 11, 12 are covered: 8 holes (12 without the recurring billing: only week 3 covered).
    assert r.value == 8 and r.status == "red"
    assert r.details["expected_from_recurring"] == pytest.approx(2800)
    assert r.details["recurring_customers"] == 2
    assert "$2,800 from the recurring billing of 2 customers" in r.message
    assert "One-off work not yet invoiced is not counted." in r.message


def test_recurring_billing_needs_a_true_flag(con: store.Connection, recurring_store: int) -> None:
    # Unflagged lines (recurring null) are not recurring, as in recurring_revenue_share: with
    # every flag cleared, nothing is projected and only week 3 (1,900) is covered: 12 holes.
    con.execute(
        "update invoices set recurring = null where workspace_id = $ws", {"ws": recurring_store}
    )
    ctx = indicators.Context(
        con, recurring_store, A, {**defaults(), "weekly_costs": 350}, explicit=True
    )
    r = indicators.compute(indicators.get("cash_gap_weeks"), ctx)
    assert list(r.frame["from_recurring"]) == [0] * 13
    assert r.details["recurring_customers"] == 0
    assert r.value == 12
