"""The profit whale curve (`profit_whale`) on a tiny hand-made store, every number worked out
by hand in the comments, and on the demo against a pandas recomputation.

The last invoice is 30 Jun 2025, so the figure counts the 12 months 1 Jul 2024 – 30 Jun 2025.
Cost rates are the defaults: tech 60/h, sales 70/h, admin 40/h, anything else 60/h; ticket
hours at the tech rate, 60/h.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analytics import indicators, store
from analytics.indicators import fit
from analytics.indicators.common import months_back
from tests.test_indicators_fit import add_invoices, add_tickets, add_time, json_plain, run

# Per customer in the window (revenue − invoice cost − time − tickets = profit):
#   A  1,000 + 500 − 200 (cost on the 500) − 5 h tech × 60 = 300 − 1 h ticket × 60 = 60
#      → 1,500 − 200 − 300 − 60 = 940   (its 4 h on 30 Jun 2024 and −3 h are left out)
#   B  800 − 2 h sales × 70 = 140 → 660            (its ticket of 30 Jun 2024 is outside)
#   C  400 − 100 − 4 h "Admin " × 40 = 160 − 2 h tickets × 60 = 120 → 20
#   D  300 − 6 h no role × 60 = 360 − 1.5 h ticket × 60 = 90 → −150
#   E  200 − 50 − 10 h "Technician" × 60 = 600 → −450
#   F  invoiced only on 30 Jun 2024 (the year before): no revenue in the window, but a
#      ticket of 2.5 h × 60 = 150 in it → −150
#   G  a prospect, never invoiced: its 8 h are left out
# Ranked by profit, ties by name: A 940, B 660, C 20, D −150, F −150, E −450.
# Total profit 940 + 660 + 20 − 150 − 150 − 450 = 870.
# Running total: 940, 1,600, 1,620 (the peak, at 3 customers), 1,470, 1,320, 870.
# Peak share 1,620 / 870 = 1.8621 → red (above 1.5). The tail: E, D, F lose 750 in all;
# 1,620 − 750 = 870.
INVOICES = [
    (date(2024, 7, 1), "A", 1000),
    (date(2025, 6, 30), "A", 500, 200),
    (date(2025, 1, 10), "B", 800),
    (date(2025, 2, 1), "C", 400, 100),
    (date(2025, 3, 1), "D", 300),
    (date(2025, 4, 1), "E", 200, 50),
    (date(2024, 6, 30), "F", 1000),
]
TIME = [
    (date(2025, 1, 5), 5.0, "A", "tech"),
    (date(2024, 6, 30), 4.0, "A", "tech"),  # the year before
    (date(2025, 1, 6), -3.0, "A", "tech"),  # negative: flagged at import, left out
    (date(2025, 1, 7), 2.0, "B", "Sales"),
    (date(2025, 2, 7), 4.0, "C", "Admin "),
    (date(2025, 3, 7), 6.0, "D", None),
    (date(2025, 4, 7), 10.0, "E", "Technician"),
    (date(2025, 5, 7), 8.0, "G", "tech"),  # a prospect
]
TICKETS = [
    (date(2025, 1, 20), "A", "incident", 1.0),
    (date(2024, 6, 30), "B", "incident", 9.0),  # the year before
    (date(2025, 2, 20), "C", "request", 0.5),
    (date(2025, 2, 21), "C", "complaint", 1.5),
    (date(2025, 3, 20), "D", "incident", 1.5),
    (date(2025, 5, 20), "F", "incident", 2.5),
]


def whale_store(con: store.Connection, ws: int) -> int:
    add_invoices(con, ws, INVOICES)
    add_time(con, ws, TIME)
    add_tickets(con, ws, TICKETS)
    store.refresh_facts(con, ws)
    return ws


@pytest.fixture
def whale(con: store.Connection, workspace: store.Workspace) -> int:
    return whale_store(con, workspace.id)


@pytest.mark.hand_worked("profit_whale")
def test_profit_whale_by_hand(con: store.Connection, whale: int) -> None:
    r = run(con, whale, "profit_whale")
    assert r.value == pytest.approx(1620 / 870)
    assert r.status == "red"
    d = r.details
    assert (d["customers"], d["peak_customers"], d["loss_making"]) == (6, 3, 3)
    assert d["peak_profit"] == pytest.approx(1620)
    assert d["total_profit"] == pytest.approx(870)
    assert d["tail_loss"] == pytest.approx(750)
    assert d["window_from"] == "2024-07-01" and d["window_to"] == "2025-06-30"
    assert (d["invoice_costs"], d["delivery_hours"], d["support_hours"]) == (True, True, True)
    # the ranking, ties (D and F at −150) by name, and each customer's cost by source
    frame = r.frame.set_index("customer")
    assert list(r.frame["customer"]) == ["A", "B", "C", "D", "F", "E"]
    assert list(r.frame["profit"]) == pytest.approx([940, 660, 20, -150, -150, -450])
    assert list(r.frame["cumulative"]) == pytest.approx([940, 1600, 1620, 1470, 1320, 870])
    a = frame.loc["A"]
    assert (a["revenue"], a["invoice_cost"], a["delivery_cost"], a["support_cost"]) == (
        1500,
        200,
        300,
        60,
    )
    assert (a["delivery_hours"], a["support_hours"]) == (5, 1)
    assert frame.loc["F", "revenue"] == 0 and frame.loc["F", "support_cost"] == 150
    assert "G" not in frame.index
    # the message: the peak, the count at the peak, the tail worst first
    assert "Your 3 most profitable customers (of 6) earned $1,620" in r.message
    assert "186.2% of your $870 profit" in r.message
    assert "3 customers cost you $750 more than they paid" in r.message
    assert "Worst: E (-$450), D (-$150) and F (-$150)." in r.message
    assert "end on" not in r.message  # every source runs to within 90 days of the day
    assert [t["customer"] for t in d["tail"]] == ["E", "D", "F"]
    # the margin card counts without ticket hours: F (a ticket only) is not among its losers
    assert 'The "Customers losing money" card leaves ticket hours out' in r.message
    assert run(con, whale, "loss_making_customers").value == 2  # D (−60) and E (−450)
    json_plain(r)


def test_the_next_step_names_the_tail_in_the_owners_numbers(
    con: store.Connection, whale: int
) -> None:
    r = run(con, whale, "profit_whale")
    advice = fit.tail_advice(r, "USD")
    # 750 of the 1,620 the best three earned: 46.3 %
    assert advice.startswith("3 customers cost you $750 more than they paid, 46.3% of what")
    # E: revenue 200, cost 650: a loss above its revenue; D: 150 on 300 → 50 % higher;
    # F: nothing invoiced
    assert "E (revenue $200, cost to serve $650: $450 lost; covering it would take" in advice
    assert "D (revenue $300, cost to serve $450: $150 lost; a price 50.0% higher" in advice
    assert "F (revenue $0, cost to serve $150: $150 lost; nothing was invoiced" in advice
    assert "reprice" in advice and "change the service" in advice and "let them go" in advice
    assert "your profit would have been $1,620 instead of $870" in advice


def test_the_cost_rates_come_from_settings(con: store.Connection, whale: int) -> None:
    # Tech at 30/h (tickets too): A's time 150 and ticket 30 → 1,120; C's tickets 60 → 80;
    # D's ticket 45 → 300 − 360 − 45 = −105; E's time 300 → −150; F's ticket 75 → −75;
    # B 660 (sales) stays. Ranked: A 1,120, B 660, C 80, F −75, D −105, E −150.
    # Total 1,530; peak 1,860 at 3: 1,860 / 1,530 = 1.2157, amber (above 1.2, up to 1.5).
    r = run(con, whale, "profit_whale", cost_rate_tech=30.0)
    assert r.value == pytest.approx(1860 / 1530)
    assert r.status == "amber"
    assert list(r.frame["customer"]) == ["A", "B", "C", "F", "D", "E"]


def test_unknown_when_the_customers_make_a_loss(con: store.Connection, whale: int) -> None:
    # Anything-else role at 300/h: D's 6 h cost 1,800 → D −1,590; total 870 − 1,440 = −570.
    r = run(con, whale, "profit_whale", cost_rate_default=300.0)
    assert (r.value, r.status) == (None, "unknown")
    assert "made a loss of $570" in r.message
    assert "Check the cost rates in Settings" in r.message
    assert r.details["total_profit"] == pytest.approx(-570)
    assert r.details["peak_profit"] == pytest.approx(1620)


def test_unknown_without_any_cost_data(con: store.Connection, workspace: store.Workspace) -> None:
    # Invoices without costs, no time entries, no tickets: every customer would be pure profit.
    add_invoices(con, workspace.id, [(date(2025, 6, 30), c, 100) for c in "ABCDEF"])
    r = run(con, workspace.id, "profit_whale")
    assert (r.value, r.status) == (None, "unknown")
    assert "No cost to serve in the 12 months to 30 Jun 2025" in r.message
    assert "invoices with a cost column" in r.message and "tickets with hours" in r.message


def test_no_tail_peaks_at_exactly_one(con: store.Connection, workspace: store.Workspace) -> None:
    # Five customers, 100 each with a cost of 10: every one earns 90, A 30 after its hour at
    # 60. The running total only rises: the peak is the total (390 / 390 = 1.0), at all 5.
    add_invoices(con, workspace.id, [(date(2025, 6, 30), c, 100, 10) for c in "ABCDE"])
    add_time(con, workspace.id, [(date(2025, 1, 1), 1.0, "A", "tech")])
    store.refresh_facts(con, workspace.id)
    r = run(con, workspace.id, "profit_whale")
    assert (r.value, r.status) == (1.0, "green")
    assert r.details["peak_customers"] == 5 and r.details["loss_making"] == 0
    assert "Every one of your 5 customers paid for the cost to serve them" in r.message
    assert "No ticket records hours, so support time is not counted." in r.message
    # the time entries stop 180 days before the invoices' last day: said, not hidden
    assert "Your time entries end on 1 Jan 2025" in r.message
    assert fit.tail_advice(r, "USD") == ""


def test_too_few_customers_show_the_figure_without_a_colour(
    con: store.Connection, workspace: store.Workspace
) -> None:
    # A 300 (cost 0), B 100 − 4 h tech × 60 = −140, C 200 − 50 = 150, D 100: four customers,
    # under the five needed (min_cases). Ranked A 300, C 150, D 100, B −140: total 410, peak
    # 550 at 3: 550 / 410 = 1.3415, shown but not coloured.
    add_invoices(
        con,
        workspace.id,
        [
            (date(2025, 1, 1), "A", 300),
            (date(2025, 1, 1), "B", 100),
            (date(2025, 1, 1), "C", 200, 50),
            (date(2025, 6, 30), "D", 100),
        ],
    )
    add_time(con, workspace.id, [(date(2025, 2, 1), 4.0, "B", "tech")])
    r = run(con, workspace.id, "profit_whale")
    assert (r.value, r.status) == (None, "unknown")
    assert r.details["value"] == pytest.approx(550 / 410)
    assert r.details["peak_customers"] == 3
    assert "134.1% (the top 3 of 4 customers) — too few to judge" in r.message


def test_a_picked_day_moves_the_window(con: store.Connection, whale: int) -> None:
    # As of 31 Mar 2025 (window 1 Apr 2024 – 31 Mar 2025), the rows of 30 Jun 2024 are in:
    # A 1,000 (its 500 is later) − 9 h tech × 60 = 540 − 60 = 400; B 800 − 140 − its 9 h
    # ticket × 60 = 540 → 120; C 20; D −150; F's 1,000 of 30 Jun 2024 is in and its ticket
    # (20 May 2025) is not: 1,000; E's invoice and time are later, so E is out.
    # Ranked F 1,000, A 400, B 120, C 20, D −150: total 1,390, peak 1,540 at 4.
    r = run(con, whale, "profit_whale", date(2025, 3, 31))
    assert list(r.frame["customer"]) == ["F", "A", "B", "C", "D"]
    assert r.value == pytest.approx(1540 / 1390)
    assert r.details["peak_customers"] == 4
    assert r.details["as_of"] == date(2025, 3, 31)


def test_the_demo_matches_a_pandas_recomputation(demo_db: Path) -> None:
    """A different method: the raw rows read into pandas, costed, ranked and summed there."""
    con = store.connect(demo_db)
    ws = store.list_workspaces(con)[0].id
    ctx = indicators.context(con, ws)
    assert ctx is not None
    r = indicators.compute(indicators.get("profit_whale"), ctx)
    day = ctx.entity_as_of("invoices")
    assert day is not None
    after = months_back(day, 12)
    rows = {
        table: con.execute(
            f"SELECT {cols} FROM {table} WHERE workspace_id = ? AND {day_col} > ? "
            f"AND {day_col} <= ?",
            [ws, after, day],
        ).df()
        for table, day_col, cols in (
            ("invoices", "date", "customer, amount, cost"),
            ("time_entries", "date", "customer, hours, role"),
            ("tickets", "opened", "customer, hours"),
        )
    }
    ever = con.execute(
        "SELECT DISTINCT customer FROM invoices WHERE workspace_id = ? AND date <= ? "
        "AND amount IS NOT NULL AND customer IS NOT NULL",
        [ws, day],
    ).df()["customer"]
    con.close()
    inv = rows["invoices"].dropna(subset=["customer", "amount"])
    revenue = inv.groupby("customer")["amount"].sum()
    invoice_cost = inv.groupby("customer")["cost"].sum()
    te = rows["time_entries"]
    te = te[te["customer"].notna() & (te["hours"] >= 0)]
    role = te["role"].fillna("").str.strip().str.lower()
    rate = pd.Series(60.0, index=te.index)
    rate[role.str.startswith("tech")] = 60.0
    rate[role.str.startswith("sales")] = 70.0
    rate[role.str.startswith("admin")] = 40.0
    delivery = (te["hours"] * rate).groupby(te["customer"]).sum()
    tk = rows["tickets"]
    tk = tk[tk["customer"].notna()]  # a ticket without hours still names its customer
    support = (tk["hours"].where(tk["hours"] >= 0, 0.0) * 60.0).groupby(tk["customer"]).sum()
    names = revenue.index.union(delivery.index).union(support.index)
    names = names[names.isin(revenue.index) | names.isin(ever)]
    profit = (
        revenue.reindex(names, fill_value=0)
        - invoice_cost.reindex(names, fill_value=0)
        - delivery.reindex(names, fill_value=0)
        - support.reindex(names, fill_value=0)
    )
    ranked = profit.sort_values(ascending=False)
    running = ranked.cumsum()
    assert r.known, r.message  # the demo shows the figure
    assert len(ranked) == r.details["customers"]
    assert r.value == pytest.approx(running.max() / profit.sum(), rel=1e-9)
    assert r.details["peak_customers"] == int((ranked > 0).sum())
    assert r.details["loss_making"] == int((ranked < 0).sum())
