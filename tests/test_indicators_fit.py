"""Customer fit indicators on tiny hand-made stores; answers worked out by hand in comments.

Unless a test says otherwise the last invoice is 30 Jun 2025, so as_of = 30 Jun 2025 and the
last 12 months run 1 Jul 2024 – 30 Jun 2025 (a line on 30 Jun 2024 belongs to the year before).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analytics import importer, indicators, store
from analytics.indicators import fit
from analytics.settings import defaults
from tests.conftest import shared_file

# The area's indicators, as registered (tests/test_registry_contract.py checks each is on its
# page and has a test of its value worked out by hand, marked `hand_worked`).
FIT_IDS = [i.id for i in indicators.in_area("fit")]
AS_OF = date(2025, 6, 30)


def settings(**overrides: Any) -> dict[str, Any]:
    return {**defaults(), **overrides}


def run(
    con: store.Connection,
    ws: int,
    ind_id: str,
    as_of: date | None = None,
    **overrides: Any,
) -> indicators.Result:
    """as_of None: the default context (the fit indicators anchor on the last invoice date)."""
    ctx = indicators.context(con, ws, as_of, settings(**overrides))
    assert ctx is not None
    return indicators.compute(indicators.get(ind_id), ctx)


def add_invoices(
    con: store.Connection,
    ws: int,
    rows: list[tuple[Any, ...]],
) -> None:
    """Rows of (date, customer, amount[, cost[, recurring]])."""
    con.cursor().executemany(
        "INSERT INTO invoices (workspace_id, date, customer, amount, cost, recurring) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(ws, *r, *([None] * (5 - len(r)))) for r in rows],
    )
    store.refresh_facts(con, ws)  # what an import does after writing rows


def add_customers(con: store.Connection, ws: int, rows: dict[str, dict[str, Any]]) -> None:
    con.cursor().executemany(
        "INSERT INTO customers (workspace_id, customer, segment, region, size, channel) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (ws, name, a.get("segment"), a.get("region"), a.get("size"), a.get("channel"))
            for name, a in rows.items()
        ],
    )
    store.refresh_facts(con, ws)  # what an import does after writing rows


def add_tickets(con: store.Connection, ws: int, rows: list[tuple[Any, ...]]) -> None:
    """Rows of (opened, customer, type, hours)."""
    con.cursor().executemany(
        "INSERT INTO tickets (workspace_id, opened, customer, type, hours) VALUES (?, ?, ?, ?, ?)",
        [(ws, *r) for r in rows],
    )


def add_time(con: store.Connection, ws: int, rows: list[tuple[Any, ...]]) -> None:
    """Rows of (date, hours, customer, role)."""
    con.cursor().executemany(
        "INSERT INTO time_entries (workspace_id, date, person, hours, customer, role) "
        "VALUES (?, ?, 'Sam', ?, ?, ?)",
        [(ws, *r) for r in rows],
    )


def add_activities(con: store.Connection, ws: int, rows: list[tuple[Any, ...]]) -> None:
    """Rows of (date, type, customer)."""
    con.cursor().executemany(
        "INSERT INTO activities (workspace_id, date, type, customer) VALUES (?, ?, ?, ?)",
        [(ws, *r) for r in rows],
    )


def json_plain(result: indicators.Result) -> None:
    json.dumps(indicators.result_json(result), allow_nan=False)


# ---------------------------------------------------------------- the 80/20 store

# Revenue in the last 12 months: 1,000 over ten customers.
#   A 400 (300 on 1 Jul 2024, the window's first day, + 100), B 200, C 200 (ties with B at
#   the cut), D 100, E 40, F 20, G 20, H 10, I 5, J 5 (on 30 Jun 2025, the as-of day).
# Left out: K nets to zero (100 and a 100 credit), L is negative, M's 1,000 is dated
# 30 Jun 2024, exactly 12 months before the as-of day.
PARETO_INVOICES: list[tuple[Any, ...]] = [
    (date(2024, 7, 1), "A", 300),
    (date(2025, 3, 1), "A", 100),
    (date(2025, 1, 15), "B", 200),
    (date(2025, 1, 15), "C", 200),
    (date(2025, 1, 15), "D", 100),
    (date(2025, 1, 15), "E", 40),
    (date(2025, 1, 15), "F", 20),
    (date(2025, 1, 15), "G", 20),
    (date(2025, 1, 15), "H", 10),
    (date(2025, 1, 15), "I", 5),
    (date(2025, 6, 30), "J", 5),
    (date(2025, 2, 1), "K", 100),
    (date(2025, 2, 2), "K", -100),
    (date(2025, 2, 1), "L", -50),
    (date(2024, 6, 30), "M", 1000),
]


@pytest.fixture
def pareto_store(con: store.Connection, workspace: store.Workspace) -> int:
    add_invoices(con, workspace.id, PARETO_INVOICES)
    add_customers(
        con,
        workspace.id,
        {c: {"segment": "Health"} for c in "ABC"} | {c: {"segment": "Legal"} for c in "DEF"},
    )
    return workspace.id


@pytest.mark.hand_worked("revenue_pareto")
def test_revenue_pareto_counts_ceil_20_percent_and_breaks_ties_by_name(
    con: store.Connection, pareto_store: int
) -> None:
    r = run(con, pareto_store, "revenue_pareto")
    # 10 customers above zero → top 20% = ceil(2) = 2 customers: A 400 and, of B and C tied at
    # 200, B (by name). (400 + 200) / 1,000 = 0.6. 10 customers meet the top-20 % minimum (10)
    # but not the top-4 % one (25): the top 4 % (one customer, A) is left out, and says why.
    assert r.value == pytest.approx(0.6)
    assert r.status == "green"  # ≤ 80 %
    d = r.details
    assert (d["customers"], d["top20_customers"], d["top4_customers"]) == (10, 2, None)
    assert d["revenue"] == pytest.approx(1000)
    assert d["top4_share"] is None
    assert "top 4% is left out below 25 customers: with 10 it would be 1 customer" in r.message
    # With the top-4 % minimum lowered to 10: top 4% = ceil(0.4) = 1: A, 400 / 1,000.
    d4 = run(con, pareto_store, "revenue_pareto", min_customers_top4=10).details
    assert (d4["top4_customers"], d4["top4_share"]) == (1, pytest.approx(0.4))
    assert [c["customer"] for c in d["top_customers"]] == ["A", "B"]
    assert d["window_from"] == "2024-07-01" and d["window_to"] == "2025-06-30"
    # Gini, ascending x = 5 5 10 20 20 40 100 200 200 400:
    #   Σ i·x = 5 + 10 + 30 + 80 + 100 + 240 + 700 + 1600 + 1800 + 4000 = 8565
    #   G = 2 · 8565 / (10 · 1000) − 11 / 10 = 0.613
    assert d["gini"] == pytest.approx(0.613)
    assert "2 of 10" in r.message and "60.0%" in r.message and "A ($400)" in r.message
    # the ranking behind it: K (nets to zero), L (negative) and M (outside) are not there
    assert list(r.frame["customer"]) == list("ABCDEFGHIJ")
    assert list(r.frame["top20"]) == [True, True] + [False] * 8


def test_revenue_pareto_lorenz_curve(con: store.Connection, pareto_store: int) -> None:
    points = run(con, pareto_store, "revenue_pareto").details["lorenz"]
    # (0, 0) then one point per customer, smallest first: the 8 smallest hold 400 of 1,000
    assert len(points) == 11
    assert points[0] == {"customer_share": 0.0, "value_share": 0.0}
    assert points[8]["customer_share"] == pytest.approx(0.8)
    assert points[8]["value_share"] == pytest.approx(0.4)
    assert points[-1] == {"customer_share": 1.0, "value_share": 1.0}


def test_lorenz_points_are_downsampled_for_large_data() -> None:
    values = pd.Series(np.arange(1, 5001, dtype=float))
    points = fit.lorenz_points(values)
    assert len(points) == fit.LORENZ_POINTS
    assert points.iloc[0].tolist() == [0.0, 0.0] and points.iloc[-1].tolist() == [1.0, 1.0]
    assert points["customer_share"].is_monotonic_increasing
    assert points["value_share"].is_monotonic_increasing
    # values 1..5000: the smallest half holds 1250·2501 / (5000·5001/2) ≈ 25 %
    half = np.interp(0.5, points["customer_share"], points["value_share"])
    assert half == pytest.approx(0.25, abs=0.001)


def test_revenue_pareto_window_edges_move_with_the_as_of_day(
    con: store.Connection, pareto_store: int
) -> None:
    # As of 29 Jun 2025 the window is 30 Jun 2024 – 29 Jun 2025: M's 1,000 (30 Jun 2024) is in,
    # J's 5 (30 Jun 2025) is out. Ten customers again: M 1,000 + A 400 of 1,995.
    r = run(con, pareto_store, "revenue_pareto", as_of=date(2025, 6, 29))
    assert r.details["customers"] == 10
    assert [c["customer"] for c in r.details["top_customers"]] == ["M", "A"]
    assert r.value == pytest.approx(1400 / 1995)


@pytest.mark.hand_worked("top3_concentration")
def test_top3_concentration(con: store.Connection, pareto_store: int) -> None:
    r = run(con, pareto_store, "top3_concentration")
    # A 400 + B 200 + C 200 of 1,000
    assert r.value == pytest.approx(0.8)
    assert r.status == "red"  # > 45 %
    assert [c["customer"] for c in r.details["top3"]] == ["A", "B", "C"]
    assert "under 20% strong" in r.message and "three largest" in r.message


def test_pareto_by_segment_ranks_the_segment_among_itself(
    con: store.Connection, pareto_store: int
) -> None:
    p = fit.pareto(con, pareto_store, None, "revenue", segments=("Health",))
    # A 400, B 200, C 200: top 20 % = ceil(0.6) = 1 customer, 400 / 800
    assert (p.customers, p.k20) == (3, 1)
    assert p.top20_share == pytest.approx(0.5)
    assert set(p.ranks["segment"]) == {"Health"}
    rest = fit.pareto(con, pareto_store, None, "revenue", segments=(fit.NO_SEGMENT,))
    assert set(rest.ranks["customer"]) == set("GHIJ")


def test_pareto_needs_ten_customers(con: store.Connection, workspace: store.Workspace) -> None:
    add_invoices(con, workspace.id, [(AS_OF, c, 100) for c in "ABCD"])
    r = run(con, workspace.id, "revenue_pareto")
    # 4 customers of 100: the top 20 % is 1 of them, 100 / 400 = 25 %, shown but not judged
    assert r.status == "unknown" and r.value is None
    assert r.details["value"] == pytest.approx(0.25) and r.details["count"] == 4
    assert "1 customer of the 4" in r.message and "needs at least 10 customers" in r.message
    # the top-3 benchmark still answers: 300 of 400
    assert run(con, workspace.id, "top3_concentration").value == pytest.approx(0.75)


def test_no_invoices_is_unknown_with_what_to_load(
    con: store.Connection, workspace: store.Workspace
) -> None:
    add_tickets(con, workspace.id, [(AS_OF, "A", "complaint", 1.0)])
    for ind_id in FIT_IDS:
        r = run(con, workspace.id, ind_id)
        assert r.status == "unknown" and r.value is None, ind_id
        assert r.message, ind_id
        json_plain(r)
    assert "Load your invoices" in run(con, workspace.id, "revenue_pareto").message


# ---------------------------------------------------------------- tickets

# On top of the 80/20 store, tickets opened in the last 12 months:
#   A 5 complaints, B 2 complaints + 3 requests, C, D, E 1 complaint each, F 3 requests;
#   G's complaint on 30 Jun 2024 is outside the window.
TICKETS: list[tuple[Any, ...]] = [
    *[(date(2025, 2, 1), "A", "Complaint", 1.0)] * 5,
    *[(date(2025, 2, 1), "B", "complaint - billing", 1.0)] * 2,
    *[(date(2025, 2, 1), "B", "request", 0.5)] * 3,
    (date(2025, 2, 1), "C", "complaint", 2.0),
    (date(2025, 2, 1), "D", "COMPLAINT", 2.0),
    (date(2025, 2, 1), "E", "complaint", None),
    *[(date(2025, 2, 1), "F", "request", 1.0)] * 3,
    # Tickets count to their own last day (1 Feb 2025), not the invoices' (30 Jun 2025):
    # the window is 1 Feb 2024 < opened ≤ 1 Feb 2025, so G's complaint on 1 Feb 2024 is out.
    (date(2024, 2, 1), "G", "complaint", 1.0),
]


@pytest.mark.hand_worked("ticket_pareto")
def test_ticket_pareto_counts_complaints_when_they_are_marked(
    con: store.Connection, pareto_store: int
) -> None:
    add_tickets(con, pareto_store, TICKETS)
    # 5 customers is below the default minimums (10 for the top 20 %, 25 for the top 4 %:
    # see test_indicators_small_bases.py); lowered here to check the arithmetic.
    r = run(con, pareto_store, "ticket_pareto", min_customers_top20=5, min_customers_top4=5)
    # 10 complaints from 5 customers: top 20 % = 1 customer (A, 5 of 10); top 4 % = 1 too
    assert r.details["complaints_only"] is True and r.details["counted"] == "complaints"
    assert r.value == pytest.approx(0.5)
    assert r.details["top4_share"] == pytest.approx(0.5)
    assert (r.details["customers"], r.details["counted_total"]) == (5, 10)
    assert r.details["tickets"] == 16 and r.details["complaints"] == 10
    assert r.status == "green"  # ≤ 60 %
    assert "A (5)" in r.message and "10 of your 16 tickets" in r.message
    assert [c["customer"] for c in r.details["top_customers"]] == ["A"]


def test_ticket_pareto_on_every_ticket(con: store.Connection, pareto_store: int) -> None:
    add_tickets(con, pareto_store, TICKETS)
    p = fit.pareto(con, pareto_store, None, "tickets", tickets="all")
    # 16 tickets from 6 customers: A 5, B 5, F 3, C 1, D 1, E 1. Top 20 % = ceil(1.2) = 2:
    # A and B, 10 of 16. Top 4 % = 1: A and B tie at 5, A by name: 5 of 16.
    assert p.complaints_only is False
    assert (p.customers, p.k20, p.k4) == (6, 2, 1)
    assert p.top20_share == pytest.approx(10 / 16)
    assert p.top4_share == pytest.approx(5 / 16)
    assert list(p.ranks["customer"]) == ["A", "B", "F", "C", "D", "E"]


def test_ticket_pareto_without_complaints_counts_every_ticket(
    con: store.Connection, pareto_store: int
) -> None:
    add_tickets(
        con,
        pareto_store,
        [(date(2025, 2, 1), c, "incident", 1.0) for c in "AAAAAABCDE"],
    )
    r = run(con, pareto_store, "ticket_pareto", min_customers_top20=5)  # 5 customers
    # 10 incidents from 5 customers; A raised 6: top 20 % = 1 customer, 6 / 10
    assert r.details["complaints_only"] is False and r.details["counted"] == "tickets"
    assert r.value == pytest.approx(0.6)
    assert "none is marked as a complaint" in r.message


def test_ticket_pareto_unknown_without_tickets(con: store.Connection, pareto_store: int) -> None:
    r = run(con, pareto_store, "ticket_pareto")
    assert r.status == "unknown" and "Load your support tickets" in r.message
    add_tickets(con, pareto_store, [(date(2024, 1, 1), "A", "complaint", 1.0)])
    # On the tickets' own day (1 Jan 2024) one customer is too few for an 80/20 split.
    r = run(con, pareto_store, "ticket_pareto")
    assert r.status == "unknown" and "needs at least 10 customers" in r.message
    # On a day the owner picks, a year and more after the last ticket, the window is empty.
    r = run(con, pareto_store, "ticket_pareto", date(2025, 6, 30))
    assert r.status == "unknown" and "last one was opened on 1 Jan 2024" in r.message


# ---------------------------------------------------------------- value vs burden

# Revenue (last 12 months) and tickets (hours):
#   P 1,000 · 1 ticket, 2 h      Q 800 · 2 tickets, 10 h    R 600 · 1 ticket, 1 h
#   S 400 · 2 tickets, 8 h       T 200 · none               U 100 · 3 tickets, 12 h
#   V no revenue · 1 ticket, 9 h
# Medians over these 7: revenue 400 (0 100 200 [400] 600 800 1000), burden 8 h
# (0 1 2 [8] 9 10 12). High = strictly above:
#   P ideal, Q maintain, R ideal, S grow (400 and 8 are not above), T grow,
#   U fix or fire, V fix or fire. Ideal revenue (1,000 + 600) / 3,100.
QUADRANT_REVENUE = {"P": 1000, "Q": 800, "R": 600, "S": 400, "T": 200, "U": 100}
QUADRANT_TICKETS: list[tuple[Any, ...]] = [
    (date(2025, 3, 1), "P", "incident", 2.0),
    *[(date(2025, 3, 1), "Q", "incident", 5.0)] * 2,
    (date(2025, 3, 1), "R", "request", 1.0),
    *[(date(2025, 3, 1), "S", "incident", 4.0)] * 2,
    *[(date(2025, 3, 1), "U", "complaint", 4.0)] * 3,
    (date(2025, 3, 1), "V", "complaint", 9.0),
]
QUADRANT_CUSTOMERS: dict[str, dict[str, Any]] = {
    "P": {"segment": "Health", "size": 5, "region": "North"},
    "Q": {"segment": "Legal", "size": 120, "region": "North"},
    "R": {"segment": "Health", "size": 30, "region": "North"},
    "S": {"segment": "Legal", "size": 8, "region": "South"},
    "T": {"segment": "Health", "size": 300, "region": "South"},
    "U": {"segment": "Retail", "region": "South"},
    "V": {"segment": "Health"},
}


def build_quadrant(con: store.Connection, ws: int, *, hours: bool = True) -> int:
    add_invoices(con, ws, [(date(2025, 3, 1), c, v) for c, v in QUADRANT_REVENUE.items()])
    add_invoices(con, ws, [(AS_OF, "P", 0)])  # sets the as-of day; adds nothing
    add_tickets(con, ws, [(d, c, t, h if hours else None) for d, c, t, h in QUADRANT_TICKETS])
    add_customers(con, ws, QUADRANT_CUSTOMERS)
    return ws


@pytest.fixture
def quadrant_store(con: store.Connection, workspace: store.Workspace) -> int:
    return build_quadrant(con, workspace.id)


@pytest.mark.hand_worked("customer_quadrant")
def test_quadrant_splits_at_the_medians(con: store.Connection, quadrant_store: int) -> None:
    r = run(con, quadrant_store, "customer_quadrant")
    assert r.value == pytest.approx(1600 / 3100)
    assert r.status == "green"  # ≥ 40 %
    assert r.details["burden_basis"] == "hours"
    assert (r.details["median_revenue"], r.details["median_burden"]) == (400, 8)
    groups = dict(zip(r.frame["customer"], r.frame["quadrant"], strict=True))
    assert groups == {
        "P": "ideal",
        "Q": "maintain",
        "R": "ideal",
        "S": "grow",
        "T": "grow",
        "U": "fix_or_fire",
        "V": "fix_or_fire",
    }
    counts = {q["quadrant"]: q["customers"] for q in r.details["quadrants"]}
    assert counts == {"ideal": 2, "maintain": 1, "grow": 2, "fix_or_fire": 2}
    # fix or fire, heaviest burden first: U 12 h, then V 9 h
    assert [c["customer"] for c in r.details["fix_or_fire"]] == ["U", "V"]
    assert "2 ideal customers" in r.message and "U ($100, 12.0 h of support)" in r.message


def test_quadrant_counts_tickets_when_hours_are_not_logged(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = build_quadrant(con, workspace.id, hours=False)
    r = run(con, ws, "customer_quadrant")
    # tickets P 1, Q 2, R 1, S 2, T 0, U 3, V 1 → median 1 (0 1 1 [1] 2 2 3); above: Q, S, U
    assert r.details["burden_basis"] == "tickets"
    groups = dict(zip(r.frame["customer"], r.frame["quadrant"], strict=True))
    assert groups["S"] == "fix_or_fire" and groups["V"] == "grow"
    assert r.value == pytest.approx(1600 / 3100)


def test_quadrant_unknown_without_tickets(con: store.Connection, pareto_store: int) -> None:
    r = run(con, pareto_store, "customer_quadrant")
    assert r.status == "unknown" and "Load your tickets" in r.message


@pytest.mark.hand_worked("ideal_profile")
def test_ideal_profile_lift(con: store.Connection, quadrant_store: int) -> None:
    # 2 ideal customers, below the default minimum of 5 cases: lowered to check the lift
    r = run(con, quadrant_store, "ideal_profile", min_cases=2)
    # Customers with revenue P–U (6), ideal P and R.
    #   Health: 3 of 6 customers, 2 of 2 ideal → lift 2.0; North: P Q R, 3 of 6, 2 of 2 → 2.0
    #   10–49 employees: R only → lift 2.5, but one ideal customer is not a profile
    assert r.value == pytest.approx(2.0)
    assert r.status == "green"  # ≥ 1.5×
    traits = [(t["attribute"], t["value"]) for t in r.details["traits"]]
    assert traits == [("region", "North"), ("segment", "Health")]
    size = r.frame[(r.frame["attribute"] == "size_band") & (r.frame["value"] == "10–49")]
    assert size["lift"].iloc[0] == pytest.approx(2.5) and size["ideal"].iloc[0] == 1
    assert "the North region, 2.0×" in r.message and "the Health segment" in r.message
    assert "Not compared (not in your customers file): channel" in r.message


def test_ideal_profile_unknown_without_attributes(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    add_invoices(con, ws, [(date(2025, 3, 1), c, v) for c, v in QUADRANT_REVENUE.items()])
    add_tickets(con, ws, QUADRANT_TICKETS)
    r = run(con, ws, "ideal_profile")
    assert r.status == "unknown"
    assert "segment, size, region or acquisition channel" in r.message


# ---------------------------------------------------------------- margins

# Cost rates: tech 60, sales 70, admin 40, anyone else 60 an hour.
#   W 1,000 − cost 100 − 10 h tech (600) = 300; its 100 h on 30 Jun 2024 are outside
#   X 500 − 5 h sales (350) − 2 h admin (80) − 1 h without role (60) = 10
#   Y 200 − 5 h "Technician" (300) = −100          → loses money
#   Z 300, no time entries, no cost = 300         → not loss-making on time
#   Z2 50 − cost 80 = −30                           → loses money
#   F1 invoiced in 2023 only, 2 h tech now = −120   → loses money
#   P1 a prospect, never invoiced: 3 h, left out
LOSS_INVOICES: list[tuple[Any, ...]] = [
    (AS_OF, "W", 1000, 100),
    (date(2025, 1, 1), "X", 500),
    (date(2025, 1, 1), "Y", 200),
    (date(2025, 1, 1), "Z", 300),
    (date(2025, 1, 1), "Z2", 50, 80),
    (date(2023, 1, 10), "F1", 300),
]
LOSS_TIME: list[tuple[Any, ...]] = [
    (date(2025, 2, 1), 10.0, "W", "tech"),
    (date(2024, 6, 30), 100.0, "W", "tech"),
    (date(2025, 2, 1), 5.0, "X", "Sales"),
    (date(2025, 2, 1), 2.0, "X", "admin"),
    (date(2025, 2, 1), 1.0, "X", None),
    (date(2025, 2, 1), 5.0, "Y", "Technician"),
    (date(2025, 2, 1), 2.0, "F1", "tech"),
    (date(2025, 2, 1), 3.0, "P1", "tech"),
    (date(2025, 2, 1), 8.0, None, "tech"),  # internal time: no customer
]


@pytest.mark.hand_worked("loss_making_customers")
def test_loss_making_customers(con: store.Connection, workspace: store.Workspace) -> None:
    ws = workspace.id
    add_invoices(con, ws, LOSS_INVOICES)
    add_time(con, ws, LOSS_TIME)
    r = run(con, ws, "loss_making_customers")
    assert r.value == 3
    assert r.status == "amber"  # 1–3
    margin = dict(zip(r.frame["customer"], r.frame["margin"], strict=True))
    assert margin == pytest.approx({"W": 300, "X": 10, "Y": -100, "Z": 300, "Z2": -30, "F1": -120})
    losers = r.details["customers_losing_money"]
    assert [c["customer"] for c in losers] == ["F1", "Y", "Z2"]
    assert r.details["loss"] == pytest.approx(-250)
    z = r.frame[r.frame["customer"] == "Z"].iloc[0]
    assert (z["hours"], z["time_cost"], bool(z["loss_making"])) == (0, 0, False)
    assert "3 customers cost you more than they paid" in r.message and "$250" in r.message


def test_loss_making_follows_the_cost_rates(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    add_invoices(con, ws, LOSS_INVOICES)
    add_time(con, ws, LOSS_TIME)
    # tech at 30: Y 200 − 150 = 50 and F1 −60; Z2 still −30 on its invoice cost
    r = run(con, ws, "loss_making_customers", cost_rate_tech=30.0)
    assert r.value == 2
    assert [c["customer"] for c in r.details["customers_losing_money"]] == ["F1", "Z2"]


def test_loss_making_unknown_without_time_or_costs(
    con: store.Connection, pareto_store: int
) -> None:
    r = run(con, pareto_store, "loss_making_customers")
    assert r.status == "unknown"
    assert "timesheets with a customer column" in r.message and "cost column" in r.message


# ---------------------------------------------------------------- churn

# Year before = 1 Jul 2023 – 30 Jun 2024, last 12 months = 1 Jul 2024 – 30 Jun 2025.
#   A bought in both (its first invoice, 15 Jul 2023, falls in the earlier year's first month,
#   so that year counts as fully covered); B only the year before; C only on 30 Jun 2024 (the
#   year before's last day); D both (again on 30 Jun 2025); E is new this year.
# Customers the year before: A B C D; lost: B and C → 2 / 4.
CHURN_INVOICES: list[tuple[Any, ...]] = [
    (date(2023, 7, 15), "A", 100),
    (date(2025, 1, 10), "A", 100),
    (date(2024, 1, 10), "B", 200),
    (date(2024, 6, 30), "C", 150),
    (date(2024, 3, 1), "D", 100),
    (AS_OF, "D", 100),
    (date(2025, 2, 1), "E", 50),
]


@pytest.fixture
def churn_store(con: store.Connection, workspace: store.Workspace) -> int:
    add_invoices(con, workspace.id, CHURN_INVOICES)
    add_customers(
        con,
        workspace.id,
        {"A": {"segment": "Health"}, "B": {"segment": "Health"}}
        | {c: {"segment": "Legal"} for c in "CDE"},
    )
    return workspace.id


@pytest.mark.hand_worked("churn_rate")
def test_churn_rate(con: store.Connection, churn_store: int) -> None:
    # 4 customers the year before, below the default minimum of 5: lowered to check the rate
    r = run(con, churn_store, "churn_rate", min_cases=2)
    assert r.value == pytest.approx(0.5)
    assert r.status == "red"  # above the 25 % reference
    assert (r.details["customers_prior"], r.details["churned"]) == (4, 2)
    assert r.details["revenue_lost"] == pytest.approx(350)
    assert [c["customer"] for c in r.details["churned_customers"]] == ["B", "C"]
    assert r.details["churned_customers"][1]["last_invoice"] == "2024-06-30"
    segments = {s["segment"]: (s["customers"], s["churned"]) for s in r.details["by_segment"]}
    assert segments == {"Health": (2, 1), "Legal": (2, 1)}
    assert r.details["by_year"] == [
        {
            "year_from": "2024-07-01",
            "year_to": "2025-06-30",
            "customers": 4,
            "churned": 2,
            "churn": 0.5,
        }
    ]
    assert "25.0%" in r.message and "B ($200 the year before)" in r.message


def test_churn_per_year_when_the_history_allows(con: store.Connection, churn_store: int) -> None:
    # A and B also bought in Jul–Aug 2022: that year (1 Jul 2022 – 30 Jun 2023) is covered too.
    # Of A and B, both bought again the next year: 0 / 2 lost to Jun 2024.
    add_invoices(con, churn_store, [(date(2022, 7, 5), "A", 10), (date(2022, 8, 1), "B", 10)])
    r = run(con, churn_store, "churn_rate", min_cases=2)
    assert [(y["year_to"], y["customers"], y["churned"]) for y in r.details["by_year"]] == [
        ("2024-06-30", 2, 0),
        ("2025-06-30", 4, 2),
    ]
    assert r.value == pytest.approx(0.5)
    spark = indicators.get("churn_rate").spark
    assert spark is not None and spark(r).tolist() == [0.0, 0.5]


def test_churn_needs_two_full_years(con: store.Connection, workspace: store.Workspace) -> None:
    add_invoices(con, workspace.id, [(date(2024, 1, 10), "A", 100), (AS_OF, "A", 100)])
    r = run(con, workspace.id, "churn_rate")
    assert r.status == "unknown"
    assert "two full years" in r.message and "10 Jan 2024" in r.message


# ---------------------------------------------------------------- contact gaps

# The 80/20 store's top 20 %: A and B. Contact interval 30 days, as of 30 Jun 2025:
#   A called 1 Jun 2025 (29 days before: inside), B emailed 31 May 2025 (30 days: outside);
#   B's meeting on 5 Jul 2025 is after the as-of day. C (not a top customer) met yesterday.
CONTACTS: list[tuple[Any, ...]] = [
    (date(2025, 6, 1), "call", "A"),
    (date(2025, 5, 31), "email", "B"),
    (date(2025, 7, 5), "meeting", "B"),
    (date(2025, 6, 29), "meeting", "C"),
]


@pytest.mark.hand_worked("contact_gaps")
def test_contact_gaps(con: store.Connection, pareto_store: int) -> None:
    add_activities(con, pareto_store, CONTACTS)
    r = run(con, pareto_store, "contact_gaps")
    assert r.value == 1
    assert r.status == "amber"  # 1–2
    assert r.details["customers_not_contacted"] == [
        {
            "customer": "B",
            "segment": "Health",
            "revenue": 200.0,
            "last_contact": "2025-05-31",
            "days_since": 30,
        }
    ]
    assert "B ($200, 30 days ago)" in r.message
    recency = r.frame.set_index("customer")
    assert recency.loc["A", "days_since"] == 29 and not recency.loc["A", "gap"]
    assert pd.isna(recency.loc["D", "days_since"])  # never contacted
    # a 31-day interval takes B off the list
    assert run(con, pareto_store, "contact_gaps", contact_interval_days=31).value == 0


def test_contact_gaps_never_contacted(con: store.Connection, pareto_store: int) -> None:
    add_activities(con, pareto_store, [(date(2025, 6, 29), "meeting", "C")])
    r = run(con, pareto_store, "contact_gaps")
    assert r.value == 2 and r.status == "amber"
    assert [c["days_since"] for c in r.details["customers_not_contacted"]] == [None, None]
    assert "A ($400, never contacted)" in r.message


def test_contact_gaps_unknown_reasons(con: store.Connection, pareto_store: int) -> None:
    r = run(con, pareto_store, "contact_gaps")
    assert r.status == "unknown" and "Load your calls, emails and meetings" in r.message
    add_activities(con, pareto_store, [(date(2025, 6, 1), "mailshot", None)])
    r = run(con, pareto_store, "contact_gaps")
    assert r.status == "unknown" and "None of your 1 activities names a customer" in r.message
    add_activities(con, pareto_store, [(date(2025, 4, 1), "call", "A")])
    r = run(con, pareto_store, "contact_gaps")
    assert r.status == "unknown" and "stop on 1 Apr 2025" in r.message


# ---------------------------------------------------------------- recurring revenue


@pytest.mark.hand_worked("recurring_revenue_share")
def test_recurring_revenue_share(con: store.Connection, workspace: store.Workspace) -> None:
    ws = workspace.id
    add_invoices(
        con,
        ws,
        [
            (date(2025, 1, 1), "A", 600, None, True),
            (AS_OF, "B", 400, None, False),
            (date(2025, 1, 1), "C", 200),  # flag unknown: left out
            (date(2024, 6, 30), "A", 1000, None, True),  # outside the window
        ],
    )
    r = run(con, ws, "recurring_revenue_share")
    # 600 recurring of the 1,000 whose flag is known
    assert r.value == pytest.approx(0.6)
    assert r.status == "amber"  # between 40 % and 65 %
    assert r.details["coverage"] == pytest.approx(1000 / 1200)
    assert "65% or more is strong" in r.message and "83.3%" in r.message


def test_recurring_unknown_without_the_flag(con: store.Connection, pareto_store: int) -> None:
    r = run(con, pareto_store, "recurring_revenue_share")
    assert r.status == "unknown" and "recurring column" in r.message


# ---------------------------------------------------------------- registry and JSON


def test_every_fit_indicator_is_registered_documented_and_json_plain(
    con: store.Connection, pareto_store: int
) -> None:
    add_tickets(con, pareto_store, TICKETS)
    add_activities(con, pareto_store, CONTACTS)
    quadrant = build_quadrant(con, store.create_workspace(con, "Quadrant").id)
    empty = store.create_workspace(con, "Empty").id
    for ws in (pareto_store, quadrant, empty):
        results = indicators.compute_all(con, ws, area="fit", settings=settings())
        assert list(results) == FIT_IDS
        for ind_id, r in results.items():
            ind = indicators.get(ind_id)
            assert ind.page == "fit" and ind.area == "fit"
            assert ind.description and ind.next_step and ind.checklists, ind_id
            assert r.value is None or type(r.value) in (float, int), ind_id
            assert r.message
            json_plain(r)
            if ind.spark is not None and not r.frame.empty:
                ind.spark(r)


# ---------------------------------------------------------------- the demo business


@pytest.fixture(scope="module")
def demo_results(demo_read: store.Connection, demo_ws: int) -> dict[str, indicators.Result]:
    return indicators.compute_all(demo_read, demo_ws, area="fit")


def test_demo_patterns_are_found(demo_results: dict[str, indicators.Result]) -> None:
    tickets = demo_results["ticket_pareto"]
    # a complaint-heavy minority: the top 4 % of complainers raise a large share
    assert tickets.details["complaints_only"] is True
    assert tickets.details["top4_share"] >= 0.35
    loudest = tickets.details["top_customers"][0]["customer"]
    # they pay little for it: the loudest complainer is not an ideal customer
    quadrant = demo_results["customer_quadrant"].frame.set_index("customer")
    assert quadrant.loc[loudest, "quadrant"] != "ideal"
    # valuable customers left uncontacted, and some who cost more than they pay
    assert (demo_results["contact_gaps"].value or 0) >= 1
    assert (demo_results["loss_making_customers"].value or 0) >= 1
    # about 80/20, and about a fifth to a quarter lost each year
    assert 0.7 <= (demo_results["revenue_pareto"].value or 0) <= 0.9
    assert 0.1 <= (demo_results["churn_rate"].value or 0) <= 0.4
    for r in demo_results.values():
        assert r.status != "unknown", r.message
        json_plain(r)


# ---------------------------------------------------------------- real data: Superstore


def test_superstore_matches_a_plain_pandas_computation(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    path = shared_file("superstore-classic", "superstore.csv")
    ws = workspace.id
    importer.import_file(con, ws, path, entity="invoices", mapping={"customer": "Customer Name"})
    raw = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    # The same file again would count as already imported: the customers list goes in as its
    # own export, one row per customer with the segment.
    customers = raw[["Customer Name", "Segment"]].drop_duplicates("Customer Name")
    customers.to_csv(tmp_path / "customers.csv", index=False)
    importer.import_file(
        con,
        ws,
        tmp_path / "customers.csv",
        entity="customers",
        mapping={"customer": "Customer Name", "segment": "Segment"},
    )

    lines = pd.DataFrame(
        {
            "date": pd.to_datetime(raw["Order Date"], format="%m/%d/%Y"),
            "customer": raw["Customer Name"],
            "segment": raw["Segment"],
            "amount": raw["Sales"].astype(float),
        }
    )
    as_of = lines["date"].max()
    last12 = lines[(lines["date"] > as_of - pd.DateOffset(months=12)) & (lines["date"] <= as_of)]

    def expected(frame: pd.DataFrame) -> tuple[float, float]:
        """Top-20 % share (ceil, ties by name) and the top 3's share."""
        revenue = frame.groupby("customer")["amount"].sum()
        revenue = revenue[revenue > 0].reset_index()
        revenue = revenue.sort_values(["amount", "customer"], ascending=[False, True])
        n = len(revenue)
        k20 = -(-n * 20 // 100)
        total = revenue["amount"].sum()
        return revenue["amount"].head(k20).sum() / total, revenue["amount"].head(3).sum() / total

    top20, top3 = expected(last12)
    pareto = run(con, ws, "revenue_pareto")
    assert pareto.value is not None and round(pareto.value, 4) == round(top20, 4)
    concentration = run(con, ws, "top3_concentration")
    assert concentration.value is not None and round(concentration.value, 4) == round(top3, 4)
    corporate = fit.pareto(con, ws, None, "revenue", segments=("Corporate",))
    assert corporate.top20_share is not None
    assert round(corporate.top20_share, 4) == round(
        expected(last12[last12["segment"] == "Corporate"])[0], 4
    )
    # the whole area runs and serialises on real data (no tickets, time or activities)
    for ind_id in FIT_IDS:
        json_plain(run(con, ws, ind_id))


def test_the_curve_marks_the_top_4_percent_only_on_enough_customers(
    con: store.Connection, pareto_store: int
) -> None:
    from ui import fit_charts

    # 10 customers with revenue: the top 4 % would be 1 customer, under the 25 needed.
    p = fit.pareto(con, pareto_store, None, "revenue")
    few = [t.name for t in fit_charts.pareto_curve(p, "t", "revenue", min_top4=25).data]
    assert not any(str(n).startswith("Top 4%") for n in few)
    assert any(str(n).startswith("Top 20%") for n in few)
    many = [t.name for t in fit_charts.pareto_curve(p, "t", "revenue", min_top4=10).data]
    assert any(str(n).startswith("Top 4%") for n in many)
