"""Sales-vs-tech friction indicators on tiny hand-made stores (answers worked out in the
comments), on a real CRM export that cannot support most of them, and on the demo business."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pandas as pd
import pytest

from analytics import importer, indicators, store
from analytics.indicators import friction
from analytics.settings import defaults, get_settings, save_settings
from tests.conftest import insert_rows as insert
from tests.conftest import shared_file

# The area's indicators, as registered (tests/test_registry_contract.py checks each is on its
# page and has a test of its value worked out by hand, marked `hand_worked`).
FRICTION_IDS = [i.id for i in indicators.in_area("friction")]

# Every window below is the 12 months to 30 Jun 2025: 1 Jul 2024 – 30 Jun 2025.
AS_OF = date(2025, 6, 30)


def settings(**overrides: Any) -> dict[str, Any]:
    return {**defaults(), **overrides}


def deal(
    deal_id: str,
    status: str,
    closed: date | None,
    *,
    owner: str = "Ann",
    created: date | None = None,
    **fields: Any,
) -> dict[str, Any]:
    return {
        "deal_id": deal_id,
        "status": status,
        "closed": closed,
        "owner": owner,
        "created": created,
        "customer": f"Customer {deal_id}",
        **fields,
    }


def hours(
    day: date, person: str, amount: float, deal_id: str | None = None, **fields: Any
) -> dict[str, Any]:
    return {"date": day, "person": person, "hours": amount, "deal_id": deal_id, **fields}


def run(
    con: store.Connection, ws: int, ind_id: str, as_of: date | None = AS_OF, **overrides: Any
) -> indicators.Result:
    """as_of None: each indicator anchors on the last date of the data it reads."""
    ctx = indicators.context(con, ws, as_of, settings(**overrides))
    assert ctx is not None
    return indicators.compute(indicators.get(ind_id), ctx)


def plain_json(result: indicators.Result) -> None:
    json.dumps(indicators.result_json(result), allow_nan=False)


# ---------------------------------------------------------------- discount_depth


@pytest.fixture
def discount_store(con: store.Connection, workspace: store.Workspace) -> int:
    ws = workspace.id
    insert(
        con,
        "deals",
        [
            deal("D1", "won", date(2025, 1, 10), list_value=1000, value=900),  # 10%
            deal("D2", "won", date(2025, 2, 10), list_value=1000, value=700),  # 30%, deep
            deal("D3", "won", date(2025, 3, 10), list_value=2000, value=1600),  # 20%, deep
            deal("D4", "won", date(2025, 4, 10), owner="Bob", list_value=1000, value=950),  # 5%
            deal("D5", "won", date(2025, 5, 10), owner="Bob", list_value=500, value=500),  # 0%
            deal("D6", "won", date(2025, 5, 20), owner="Bob", value=800),  # no list value
            deal("D7", "won", date(2025, 5, 21), owner="Bob", list_value=0, value=300),  # list 0
            deal("D10", "won", date(2025, 6, 30), owner="Bob", list_value=1000, value=880),  # 12%
            # left out: closed exactly 12 months before as-of, lost, still open
            deal("D8", "won", date(2024, 6, 30), list_value=1000, value=500),
            deal("D9", "lost", date(2025, 3, 1), list_value=1000, value=100),
            deal("D11", "open", None, list_value=1000, value=100),
        ],
        ws,
    )
    return ws


@pytest.mark.hand_worked("discount_depth")
def test_discount_depth_by_hand(con: store.Connection, discount_store: int) -> None:
    r = run(con, discount_store, "discount_depth")
    # Priced: 0, 5, 10, 12, 20, 30 % → median (10 + 12) / 2 = 11 % → red (above 10 %)
    assert r.value == pytest.approx(0.11)
    assert r.status == "red"
    d = r.details
    assert (d["won_deals"], d["priced_deals"], d["without_list_value"]) == (8, 6, 2)
    assert d["deep_share"] == pytest.approx(2 / 6)  # 30 % and 20 % are above 15 %
    assert d["given_away"] == pytest.approx(100 + 300 + 400 + 50 + 0 + 120)
    owners = {row["owner"]: row for row in d["by_salesperson"]}
    # Ann: 10, 20, 30 → 20 %, 2 of 3 deep; Bob: 0, 5, 12 → 5 %, none deep
    assert owners["Ann"]["median_discount"] == pytest.approx(0.20)
    assert owners["Ann"]["deep_share"] == pytest.approx(2 / 3)
    assert owners["Bob"]["median_discount"] == pytest.approx(0.05)
    assert owners["Bob"]["deals"] == 3 and owners["Bob"]["deep_share"] == 0
    assert d["discount_happy"] == ["Ann"]
    assert d["by_salesperson"][0]["owner"] == "Ann"  # deepest first
    assert "Ann discounts deepest: median 20.0%" in r.message
    assert "2 won deals without a list value left out" in r.message
    assert "30 Jun 2025" in r.message
    # the frame keeps every won deal in the window, priced or not, for the page
    assert sorted(r.frame["deal_id"]) == ["D1", "D10", "D2", "D3", "D4", "D5", "D6", "D7"]
    assert r.frame.loc[r.frame["deal_id"] == "D6", "discount"].isna().all()
    plain_json(r)


def test_discount_line_comes_from_settings(con: store.Connection, discount_store: int) -> None:
    r = run(con, discount_store, "discount_depth", discount_threshold=0.25)
    assert r.details["deep_share"] == pytest.approx(1 / 6)  # only 30 % is above 25 %
    assert r.details["discount_happy"] == []
    assert r.value == pytest.approx(0.11)  # the median does not move


def test_discount_without_list_values_is_unknown(
    con: store.Connection, workspace: store.Workspace
) -> None:
    insert(con, "deals", [deal("A", "won", date(2025, 3, 1), value=500)], workspace.id)
    r = run(con, workspace.id, "discount_depth")
    assert r.status == "unknown" and r.value is None
    assert "list value" in r.message and "1 deal won" in r.message
    assert r.details["without_list_value"] == 1
    plain_json(r)


# ---------------------------------------------------------------- effort_overrun


@pytest.fixture
def effort_store(con: store.Connection, workspace: store.Workspace) -> int:
    ws = workspace.id
    won = date(2025, 1, 15)
    insert(
        con,
        "deals",
        [
            deal("E1", "won", won, estimated_hours=10),
            deal("E2", "won", won, estimated_hours=20),
            deal("E3", "won", won, owner="Bob", estimated_hours=10),
            deal("E4", "won", won, owner="Bob", estimated_hours=10),
            deal("E5", "won", won, owner="Bob", estimated_hours=40),
            deal("E6", "won", won, owner="Bob"),  # no estimate
            deal("E7", "won", won, owner="Bob", estimated_hours=8),  # nothing logged
            deal("E8", "won", date(2025, 6, 1), estimated_hours=10),  # still in delivery
        ],
        ws,
    )
    feb = date(2025, 2, 1)
    insert(
        con,
        "time_entries",
        [
            hours(feb, "Tess", 15, "E1", category="customer"),
            hours(feb, "Tess", 5, "E1", category="Presales"),  # presales: not delivery
            hours(feb, "Tess", 18, "E2", category="customer"),
            hours(feb, "Tom", 12, "E2"),  # no category: delivery
            hours(feb, "Tom", 10, "E3", category="customer"),
            hours(date(2025, 7, 5), "Tom", 100, "E3", category="customer"),  # after as-of
            hours(feb, "Tom", 9, "E4", category="customer"),
            hours(feb, "Tom", 46, "E5", category="customer"),
            hours(feb, "Tom", 5, "E6", category="customer"),
            hours(date(2025, 6, 25), "Tess", 4, "E8", category="customer"),  # 5 days before
        ],
        ws,
    )
    return ws


@pytest.mark.hand_worked("effort_overrun")
def test_effort_overrun_by_hand(con: store.Connection, effort_store: int) -> None:
    r = run(con, effort_store, "effort_overrun")
    # Judged: E1 15/10, E2 30/20 → +50 % each; E3 10/10 → 0; E4 9/10 → -10 %; E5 46/40 → +15 %
    # Sorted -10, 0, 15, 50, 50 → median +15 % → amber (between +10 % and +25 %)
    assert r.value == pytest.approx(0.15)
    assert r.status == "amber"
    d = r.details
    assert (d["won_deals"], d["judged_deals"], d["still_in_delivery"]) == (8, 5, 1)
    assert (d["without_estimate"], d["without_hours"]) == (1, 1)
    # (15 + 30 + 10 + 9 + 46) - (10 + 20 + 10 + 10 + 40) = 20 h over
    assert d["hours_over_estimate"] == pytest.approx(20)
    owners = {row["owner"]: row for row in d["by_salesperson"]}
    assert owners["Ann"]["median_overrun"] == pytest.approx(0.5)
    assert owners["Bob"]["median_overrun"] == pytest.approx(0.0)
    assert "15.0% more hours than estimated" in r.message
    assert "Ann's deals ran +50.0%" in r.message
    assert "1 deal still in delivery" in r.message
    e3 = r.frame.set_index("deal_id").loc["E3"]
    assert e3["actual_hours"] == 10  # the July entry is after the as-of day
    plain_json(r)


def test_effort_without_estimates_or_hours_is_unknown(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    insert(con, "deals", [deal("A", "won", date(2025, 3, 1))], ws)
    r = run(con, ws, "effort_overrun")
    assert r.status == "unknown" and "estimated delivery hours" in r.message
    insert(con, "deals", [deal("B", "won", date(2025, 3, 2), estimated_hours=5)], ws)
    r = run(con, ws, "effort_overrun")
    assert r.status == "unknown" and "no delivery hours are logged" in r.message


# ---------------------------------------------------------------- presales_lift


def presales_deals() -> list[dict[str, Any]]:
    jan = date(2025, 1, 1)

    def closed(days: int) -> date:
        return date.fromordinal(jan.toordinal() + days)

    return [
        # with technical presales: 4 won of 6; cycle 20, 30, 10, 40, 20, 50 days
        deal("P1", "won", closed(20), created=jan, presales_hours=3),
        deal("P2", "won", closed(30), created=jan, presales_hours=3),
        deal("P3", "won", closed(10), created=jan, presales_hours=3),
        deal("P4", "lost", closed(40), created=jan, presales_hours=3),
        deal("P5", "won", closed(20), created=jan),  # presales logged as time, below
        deal("P6", "lost", closed(50), created=jan),  # likewise
        # without: 2 won of 5; cycle 30, 60, 40, 50, 45 days
        deal("N1", "won", closed(30), created=jan, presales_hours=0),
        deal("N2", "lost", closed(60), created=jan),
        deal("N3", "lost", closed(40), created=jan),
        deal("N4", "lost", closed(50), created=jan),
        deal("N5", "won", closed(45), created=jan),  # delivery time only, below
        # not counted: still open, and closed before the window
        deal("X1", "open", None, created=jan, presales_hours=8),
        deal("X2", "won", date(2024, 5, 1), created=date(2024, 4, 1), presales_hours=8),
    ]


@pytest.mark.hand_worked("presales_lift")
def test_presales_lift_by_hand(con: store.Connection, workspace: store.Workspace) -> None:
    ws = workspace.id
    insert(con, "deals", presales_deals(), ws)
    insert(
        con,
        "time_entries",
        [
            hours(date(2025, 1, 5), "Tess", 2, "P5", category="presales"),
            hours(date(2025, 1, 5), "Tess", 4, "P6", category="Pre-sales"),
            hours(date(2025, 3, 1), "Tess", 7, "N5", category="customer"),
        ],
        ws,
    )
    r = run(con, ws, "presales_lift")
    # 4/6 - 2/5 = 0.6667 - 0.4 = +26.7 points → green (from +5)
    assert r.value == pytest.approx(4 / 6 - 2 / 5)
    assert r.status == "green"
    w, wo = r.details["with_presales"], r.details["without_presales"]
    assert (w["deals"], w["won"], wo["deals"], wo["won"]) == (6, 4, 5, 2)
    assert w["median_cycle_days"] == 25  # 10 20 20 30 40 50
    assert wo["median_cycle_days"] == 45  # 30 40 45 50 60
    assert w["median_presales_hours"] == 3  # 3 3 3 3 2 4
    assert r.details["cycle_days_saved"] == 20
    assert "+26.7 points" in r.message and "25 days against 45" in r.message
    plain_json(r)


def test_presales_lift_needs_five_in_each_group(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    insert(con, "deals", [d for d in presales_deals() if d["deal_id"] != "N4"], ws)
    r = run(con, ws, "presales_lift")
    # P5 and P6 have no presales time logged here: 4 with (3 won), 6 without (3 won). The
    # lift, 3/4 - 3/6 = +25 points, is shown with its counts but not judged.
    assert r.status == "unknown" and r.value is None
    assert r.details["value"] == pytest.approx(0.25) and r.details["count"] == 4
    assert "won 3 of 4 with technical presales against 3 of 6 without" in r.message
    assert "too few to judge; needs at least 5 closed deals in each group" in r.message
    plain_json(r)


# ---------------------------------------------------------------- lost_deal_hours


@pytest.fixture
def lost_store(con: store.Connection, workspace: store.Workspace) -> int:
    ws = workspace.id
    insert(
        con,
        "deals",
        [
            # 60 days; presales 10 h on the deal, the same hours also logged (6 h so far): 10,
            # plus 2 h of other work before it was lost → 12 h
            deal("L1", "lost", date(2025, 3, 2), created=date(2025, 1, 1), presales_hours=10),
            # 10 days; 5 h presales logged; 3 h logged after it was lost do not count → 5 h
            deal("L2", "lost", date(2025, 4, 11), owner="Bob", created=date(2025, 4, 1)),
            # 91 days, no hours
            deal("L3", "lost", date(2025, 5, 3), owner="Bob", created=date(2025, 2, 1)),
            # lost before the window
            deal("L4", "lost", date(2024, 5, 1), created=date(2024, 1, 1), presales_hours=50),
            # won in 30 and 50 days: a typical win takes 40
            deal("W1", "won", date(2025, 1, 31), created=date(2025, 1, 1)),
            deal("W2", "won", date(2025, 3, 23), created=date(2025, 2, 1)),
        ],
        ws,
    )
    insert(
        con,
        "time_entries",
        [
            hours(date(2025, 1, 10), "Tess", 6, "L1", category="presales"),
            hours(date(2025, 2, 1), "Tess", 2, "L1", category="internal"),
            hours(date(2025, 4, 5), "Tess", 5, "L2", category="presales"),
            hours(date(2025, 5, 1), "Tess", 3, "L2", category="customer"),
        ],
        ws,
    )
    return ws


@pytest.mark.hand_worked("lost_deal_hours")
def test_lost_deal_hours_by_hand(con: store.Connection, lost_store: int) -> None:
    r = run(con, lost_store, "lost_deal_hours")
    assert r.value == pytest.approx(12 + 5 + 0)
    assert r.status == "green"  # up to one 40-hour week
    d = r.details
    assert d["lost_deals"] == 3 and d["lost_with_hours"] == 2
    assert d["median_days_to_loss"] == 60  # 10, 60, 91
    assert d["median_days_to_win"] == 40  # 30, 50
    # lost after more than 40 days: L1 (60) and L3 (91), with 12 of the 17 hours
    assert d["lost_later_than_typical_win"] == 2 and d["hours_lost_late"] == 12
    assert [w["deal_id"] for w in d["worst_deals"]] == ["L1", "L2", "L3"]
    assert {o["owner"]: o["hours"] for o in d["by_salesperson"]} == {"Ann": 12, "Bob": 5}
    assert "17.0 h went into 3 deals lost" in r.message
    assert "Costliest: L1 (Customer L1, Ann), 12.0 h over 60 days" in r.message
    assert "70.6% of the hours" in r.message
    plain_json(r)


def test_lost_deal_hours_thresholds_follow_capacity(con: store.Connection, lost_store: int) -> None:
    # a 2-hour week: green up to 2 h, red above 8 h; 17 h is red
    assert run(con, lost_store, "lost_deal_hours", capacity_hours_per_week=2).status == "red"


def test_lost_deal_hours_without_any_hours_is_unknown(
    con: store.Connection, workspace: store.Workspace
) -> None:
    insert(
        con, "deals", [deal("L", "lost", date(2025, 3, 1), created=date(2025, 1, 1))], workspace.id
    )
    r = run(con, workspace.id, "lost_deal_hours")
    assert r.status == "unknown" and "no hours are recorded on any deal" in r.message


# ---------------------------------------------------------------- cut_and_run

# Won deals (value, pursuit hours, days to close). Value quartiles (linear): 275, 450, 625.
#   band 1 (≤ 275):  W1 100 2 h 10 d, W2 200 4 h 30 d → limits 3.5 h, 25 d
#   band 2 (≤ 450):  W3 300 0 h 20 d, W4 400 8 h 40 d → 6 h, 35 d
#   band 3 (≤ 625):  W5 500 10 h 50 d, W6 600 20 h 70 d → 17.5 h, 65 d
#   band 4 (> 625):  W7 700 1 h 10 d, W8 800 3 h 30 d → 2.5 h, 25 d
#   all won deals (for a deal without a value): hours 0 1 2 3 4 8 10 20 → 8.5 h;
#   days 10 10 20 30 30 40 50 70 → 42.5 d
WON_BASELINE = [
    ("W1", 100, 2, 10),
    ("W2", 200, 4, 30),
    ("W3", 300, 0, 20),
    ("W4", 400, 8, 40),
    ("W5", 500, 10, 50),
    ("W6", 600, 20, 70),
    ("W7", 700, 1, 10),
    ("W8", 800, 3, 30),
]


def won_baseline() -> list[dict[str, Any]]:
    rows = []
    for deal_id, value, pursuit_hours, days in WON_BASELINE:
        created = date(2025, 1, 1)
        closed = date.fromordinal(created.toordinal() + days)
        presales = None if deal_id == "W4" else pursuit_hours  # W4's hours are logged, below
        rows.append(
            deal(deal_id, "won", closed, created=created, value=value, presales_hours=presales)
        )
    return rows


@pytest.fixture
def cut_store(con: store.Connection, workspace: store.Workspace) -> int:
    ws = workspace.id
    insert(
        con,
        "deals",
        [
            *won_baseline(),
            # band 1, 10 days old, 5 h in: past 3.5 h → flagged (hours)
            deal("O1", "open", None, created=date(2025, 6, 20), value=150, presales_hours=5),
            # band 2, 90 days old, no hours: past 35 days → flagged (age)
            deal("O2", "open", None, owner="Bob", created=date(2025, 4, 1), value=350),
            # band 3, 20 days, 10 h: within 65 days and 17.5 h → fine
            deal("O3", "open", None, created=date(2025, 6, 10), value=550),
            # no value: all won deals; 180 days and 9 h, past 42.5 days and 8.5 h → both
            deal("O4", "open", None, owner="Bob", created=date(2025, 1, 1), presales_hours=9),
            # won after the as-of day, so open on it: band 4, 29 days, past 25 → age
            deal("O5", "won", date(2025, 7, 15), created=date(2025, 6, 1), value=750),
            # created after the as-of day: not yet a deal
            deal("O6", "open", None, created=date(2025, 7, 2), value=100),
        ],
        ws,
    )
    insert(
        con,
        "time_entries",
        [
            hours(date(2025, 1, 20), "Tess", 8, "W4", category="presales"),
            # delivery after W4 was won is not pursuit
            hours(date(2025, 3, 1), "Tess", 100, "W4", category="customer"),
            hours(date(2025, 6, 15), "Tess", 10, "O3", category="presales"),
        ],
        ws,
    )
    return ws


def test_size_bands_by_hand(con: store.Connection, cut_store: int) -> None:
    deals = friction.deal_facts(con, cut_store, AS_OF)
    edges, bands = friction.size_bands(deals[deals["state"] == "won"])
    assert edges == pytest.approx([275, 450, 625])
    limits = bands.set_index("band")[["hours_limit", "days_limit", "won_deals"]]
    assert limits.loc[1].tolist() == pytest.approx([3.5, 25, 2])
    assert limits.loc[2].tolist() == pytest.approx([6, 35, 2])
    assert limits.loc[3].tolist() == pytest.approx([17.5, 65, 2])
    assert limits.loc[4].tolist() == pytest.approx([2.5, 25, 2])
    assert limits.loc[0].tolist() == pytest.approx([8.5, 42.5, 8])


@pytest.mark.hand_worked("cut_and_run")
def test_cut_and_run_by_hand(con: store.Connection, cut_store: int) -> None:
    r = run(con, cut_store, "cut_and_run")
    # O1 (hours), O2 (age), O4 (both), O5 (age) → 4 → amber (green ≤ 2, red above 5)
    assert r.value == 4 and r.status == "amber"
    # worst first, by how far past the limit: O4 180/42.5, O2 90/35, O1 5/3.5, O5 29/25
    assert r.frame["deal_id"].tolist() == ["O4", "O2", "O1", "O5"]
    assert r.frame["reason"].tolist() == ["hours and age", "age", "hours", "age"]
    assert r.details["open_deals"] == 5 and r.details["judged_on"] == "hours and age"
    o1 = r.frame.set_index("deal_id").loc["O1"]
    assert (o1["days"], o1["pursuit_hours"], o1["band_label"]) == (10, 5, "up to $275")
    assert r.frame.set_index("deal_id").loc["O4", "band_label"] == "size unknown (all won deals)"
    assert "4 of your 5 open deals" in r.message
    assert "O4 (Customer O4, Bob), 180 days and 9.0 h in, against 42 days and 8.5 h" in r.message
    assert "quartiles" in r.details["bands_rule"]
    plain_json(r)


def test_cut_and_run_needs_a_baseline(con: store.Connection, workspace: store.Workspace) -> None:
    insert(con, "deals", won_baseline()[:7], workspace.id)
    r = run(con, workspace.id, "cut_and_run")
    assert (
        r.status == "unknown" and "at least 8 deals won" in r.message and "you have 7" in r.message
    )


# ---------------------------------------------------------------- time_tracking_coverage

# 30 Mar 2025 is a Sunday: the 13 complete weeks run from Mon 30 Dec 2024 to Sun 30 Mar 2025.
COVERAGE_AS_OF = date(2025, 3, 30)
MONDAYS = [date.fromordinal(date(2024, 12, 30).toordinal() + 7 * k) for k in range(13)]


@pytest.fixture
def coverage_store(con: store.Connection, workspace: store.Workspace) -> int:
    ws = workspace.id
    # Ann (logging since 2024): 40 h in 10 weeks, 50 h in one, nothing in two
    ann = [hours(d, "Ann", 40) for d in MONDAYS[:10]] + [hours(MONDAYS[10], "Ann", 50)]
    # Bob starts in the week of 10 Mar: 3 weeks counted, 20 h each
    bob = [hours(d, "Bob", 20) for d in MONDAYS[10:]]
    rows = [
        hours(date(2024, 6, 3), "Ann", 8),
        *ann,
        *bob,
        hours(date(2024, 9, 2), "Cat", 40),  # Cat logged nothing in the 13 weeks
        hours(date(2025, 3, 31), "Bob", 40),  # after the as-of day
    ]
    insert(con, "time_entries", rows, ws)
    return ws


@pytest.mark.hand_worked("time_tracking_coverage")
def test_coverage_by_hand(con: store.Connection, coverage_store: int) -> None:
    r = run(con, coverage_store, "time_tracking_coverage", COVERAGE_AS_OF)
    # Ann: 11 weeks × 40 (the 50 h week counts 40) of 13 × 40 = 440 / 520
    # Bob: 3 × 20 of 3 × 40 = 60 / 120; together 500 / 640 = 0.78125 → amber
    assert r.value == pytest.approx(500 / 640)
    assert r.status == "amber"
    people = {p["person"]: p for p in r.details["people"]}
    assert people["Ann"]["coverage"] == pytest.approx(440 / 520)
    assert (people["Ann"]["weeks"], people["Ann"]["weeks_logged"]) == (13, 11)
    assert (people["Bob"]["weeks"], people["Bob"]["coverage"]) == (3, 0.5)
    assert r.details["silent"] == ["Cat"]
    assert (r.details["from"], r.details["to"]) == ("2024-12-30", "2025-03-30")
    assert "Least covered: Bob, 50.0%" in r.message and "Not counted: Cat" in r.message
    # the heat map's grid: a row per person-week counted
    assert len(r.frame) == 13 + 3
    plain_json(r)


def test_zero_capacity_never_divides(con: store.Connection, coverage_store: int) -> None:
    weeks = friction.coverage_weeks(con, coverage_store, COVERAGE_AS_OF, 0.0)
    assert weeks["coverage"].isna().all() and weeks["covered_hours"].isna().all()
    r = run(
        con, coverage_store, "time_tracking_coverage", COVERAGE_AS_OF, capacity_hours_per_week=0
    )
    assert r.status == "unknown" and r.value is None
    assert "Capacity is set to 0" in r.message
    plain_json(r)
    # 0 is a value the owner may save
    save_settings(con, coverage_store, {"capacity_hours_per_week": 0})
    assert get_settings(con, coverage_store)["capacity_hours_per_week"] == 0


def test_coverage_without_time_entries_is_unknown(
    con: store.Connection, workspace: store.Workspace
) -> None:
    insert(con, "invoices", [{"date": AS_OF, "customer": "A", "amount": 10}], workspace.id)
    r = run(con, workspace.id, "time_tracking_coverage", None)
    assert r.status == "unknown" and "timesheets" in r.message


# ---------------------------------------------------------------- improvement, billable, rate


@pytest.fixture
def time_store(con: store.Connection, workspace: store.Workspace) -> int:
    ws = workspace.id
    day = date(2025, 3, 3)
    insert(
        con,
        "time_entries",
        [
            hours(day, "Ann", 60, category="customer", billable=True, customer="Acme"),
            hours(day, "Ann", 20, category="customer", billable=False, customer="Acme"),
            hours(day, "Ann", 2, category="Improvement"),  # flag unknown
            hours(day, "Bob", 30, category="customer", billable=True, customer="Zed"),
            hours(day, "Bob", 30, category="internal", billable=False),
            hours(day, "Bob", 1, category="process improving"),  # flag unknown
            hours(day, "Bob", 7),  # no category, flag unknown
            hours(day, "Sue", 40, category="internal", billable=False),
            hours(date(2024, 6, 30), "Ann", 100, category="improvement"),  # before the window
        ],
        ws,
    )
    return ws


@pytest.mark.hand_worked("improvement_time_share")
def test_improvement_share_by_hand(con: store.Connection, time_store: int) -> None:
    r = run(con, time_store, "improvement_time_share")
    # 3 improvement hours of 82 + 68 + 40 = 190 → 1.58 % → red (below 2 %)
    assert r.value == pytest.approx(3 / 190)
    assert r.status == "red"
    assert r.details["uncategorised_hours"] == 7
    people = {p["person"]: p for p in r.details["people"]}
    assert people["Bob"]["improvement_share"] == pytest.approx(1 / 68)
    assert "Most: Ann (2.0 h)" in r.message and "1 person logged none" in r.message
    plain_json(r)


@pytest.mark.hand_worked("billable_utilization")
def test_billable_utilization_by_hand(con: store.Connection, time_store: int) -> None:
    r = run(con, time_store, "billable_utilization")
    # people who bill: Ann 60 of 80 flagged, Bob 30 of 60; Sue never bills
    # (60 + 30) / (80 + 60) = 64.3 % → amber (green from 70 %, red below 55 %)
    assert r.value == pytest.approx(90 / 140)
    assert r.status == "amber"
    assert r.details["billing_people"] == 2
    assert "75% typical" in r.message and "Definition" in r.message
    assert "Lowest: Bob, 50.0%" in r.message
    plain_json(r)


@pytest.mark.hand_worked("effective_hourly_rate")
def test_effective_hourly_rate_by_hand(con: store.Connection, time_store: int) -> None:
    ws = time_store
    insert(
        con,
        "invoices",
        [
            {
                "date": date(2025, 2, 1),
                "customer": "Acme",
                "amount": 10000,
                "product": "Managed services",
            },
            {"date": date(2025, 2, 1), "customer": "Acme", "amount": 4000, "product": "Hardware"},
            {"date": date(2025, 2, 1), "customer": "Zed", "amount": 2000},  # no product: service
            {"date": date(2024, 3, 1), "customer": "Zed", "amount": 9000},  # before the window
            # after the last time entry (3 Mar 2025): outside the months both sides cover
            {"date": date(2025, 3, 20), "customer": "Zed", "amount": 5000},
        ],
        ws,
    )
    r = run(con, ws, "effective_hourly_rate", None)
    # (10,000 + 2,000) / (80 + 30 hours with a customer) = 109.09 an hour; 2 × 60 = 120 is
    # green, 1.25 × 60 = 75 red → amber
    assert r.value == pytest.approx(12000 / 110)
    assert r.status == "amber"
    assert r.details["to"] == "2025-03-03" and r.details["hardware_excluded"] is True
    assert "leaving out $4,000 of hardware" in r.message and "2–3×" in r.message
    # a higher cost rate moves the thresholds: 2 × 50 = 100 → green
    assert run(con, ws, "effective_hourly_rate", None, cost_rate_tech=50).status == "green"
    plain_json(r)


def test_billable_and_improvement_without_flags_or_categories(
    con: store.Connection, workspace: store.Workspace
) -> None:
    insert(con, "time_entries", [hours(date(2025, 3, 3), "Ann", 8)], workspace.id)
    assert "billable flag" in run(con, workspace.id, "billable_utilization").message
    assert "has a category" in run(con, workspace.id, "improvement_time_share").message
    assert "No invoices for services" in run(con, workspace.id, "effective_hourly_rate").message


# ---------------------------------------------------------------- every friction indicator


def test_every_friction_indicator_is_registered_and_json_plain(
    con: store.Connection, workspace: store.Workspace
) -> None:
    empty = workspace.id
    results = indicators.compute_all(con, empty, area="friction", settings=settings())
    for ind_id in FRICTION_IDS:
        ind = indicators.get(ind_id)
        assert ind.page == "friction" and ind.description and ind.next_step and ind.checklists
        r = results[ind_id]
        assert r.status == "unknown" and r.message
        plain_json(r)


# ---------------------------------------------------------------- a real CRM export


def test_maven_crm_cannot_support_most_and_says_why(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    importer.import_file(con, ws, shared_file("maven-crm", "accounts.csv"))
    importer.import_file(con, ws, shared_file("maven-crm", "sales_pipeline.csv"))
    results = indicators.compute_all(con, ws, area="friction")
    for r in results.values():
        plain_json(r)
    why = {k: r.message for k, r in results.items() if r.status == "unknown"}
    assert "list value" in why["discount_depth"]
    assert "estimated delivery hours" in why["effort_overrun"]
    assert "shows technical presales" in why["presales_lift"]
    assert "no hours are recorded on any deal" in why["lost_deal_hours"]
    for ind_id in ("time_tracking_coverage", "improvement_time_share", "billable_utilization"):
        assert "timesheets" in why[ind_id], ind_id
    assert "No invoices" in why["effective_hourly_rate"]
    # Open deals can still be judged on age against won deals of their size
    cut = results["cut_and_run"]
    assert cut.known and cut.details["judged_on"] == "age only"
    assert "judged on age alone" in cut.message


# ---------------------------------------------------------------- the demo business


@pytest.fixture(scope="module")
def demo_results(demo_read: store.Connection, demo_ws: int) -> dict[str, indicators.Result]:
    return indicators.compute_all(demo_read, demo_ws, area="friction")


def test_demo_discounter_discounts_deep_and_overruns(
    demo_results: dict[str, indicators.Result],
) -> None:
    discounts = pd.DataFrame(demo_results["discount_depth"].details["by_salesperson"])
    deep = discounts[discounts["median_discount"] > 0.15]
    assert len(deep) == 1, discounts
    discounter = deep["owner"].iloc[0]
    assert (discounts.loc[discounts["owner"] != discounter, "median_discount"] < 0.15).all()
    assert demo_results["discount_depth"].details["discount_happy"] == [discounter]
    assert f"{discounter} discounts deepest" in demo_results["discount_depth"].message

    effort = pd.DataFrame(demo_results["effort_overrun"].details["by_salesperson"]).set_index(
        "owner"
    )
    assert 0.4 <= effort.loc[discounter, "median_overrun"] <= 0.6
    others = effort.drop(index=discounter)["median_overrun"]
    assert ((others >= -0.03) & (others <= 0.1)).all(), others
    assert f"{discounter}'s deals ran" in demo_results["effort_overrun"].message


def test_demo_other_patterns(demo_results: dict[str, indicators.Result]) -> None:
    # presales wins more often and sooner
    lift = demo_results["presales_lift"]
    assert lift.value is not None and lift.value > 0.1
    assert lift.details["cycle_days_saved"] > 0
    # the stalled deals with heavy presales are on the cut-and-run list
    cut = demo_results["cut_and_run"]
    assert cut.value is not None and cut.value >= 5
    assert (cut.frame["days"] > 365).sum() >= 5
    for ind_id in FRICTION_IDS:
        r = demo_results[ind_id]
        assert r.known, (ind_id, r.message)
        assert type(r.value) in (float, int)
        plain_json(r)
        ind = indicators.get(ind_id)
        if ind.spark is not None:
            assert len(ind.spark(r)) > 0, ind_id


def test_shared_frames_live_and_die_with_their_context(
    con: store.Connection, discount_store: int
) -> None:
    ctx = indicators.context(con, discount_store, AS_OF, settings())
    assert ctx is not None
    first = indicators.compute(indicators.get("discount_depth"), ctx)
    assert id(ctx) in friction._SHARED
    # new data: a fresh context (the next compute_all) sees it, never a stale frame
    insert(
        con,
        "deals",
        [deal("D12", "won", date(2025, 6, 1), list_value=100, value=50)],
        discount_store,
    )
    again = run(con, discount_store, "discount_depth")
    assert again.details["priced_deals"] == first.details["priced_deals"] + 1
    del ctx
    assert len(friction._SHARED) == 0
