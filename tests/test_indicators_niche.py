"""Niche growth indicators and page frames on tiny hand-made stores; answers worked out in comments."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pandas as pd
import pytest

from analytics import indicators, store
from analytics.indicators import niche
from analytics.settings import defaults, save_settings
from tests.conftest import shared_file

# The area's indicators, as registered (tests/test_registry_contract.py checks each is on its
# page and has a test of its value worked out by hand, marked `hand_worked`).
NICHE_IDS = [i.id for i in indicators.in_area("niche")]


# These stores are a few hand-written rows, far below the default minimum bases (a year
# compared against needs invoices in 10 of its months and 5 customers): the arithmetic tests
# lower them to 1; tests/test_indicators_small_bases.py tests the minimums themselves.
TINY_BASES = {"comparison_months_needed": 1, "growth_min_customers": 1}


def settings(**overrides: Any) -> dict[str, Any]:
    return {**defaults(), **TINY_BASES, **overrides}


def add_customers(con: store.Connection, ws: int, segments: dict[str, str | None]) -> None:
    con.cursor().executemany(
        "INSERT INTO customers (workspace_id, customer, segment) VALUES (?, ?, ?)",
        [(ws, name, segment) for name, segment in segments.items()],
    )
    store.refresh_facts(con, ws)  # what an import does after writing rows


def add_invoices(
    con: store.Connection,
    ws: int,
    rows: list[tuple[date, str, float] | tuple[date, str, float, float]],
) -> None:
    con.cursor().executemany(
        "INSERT INTO invoices (workspace_id, date, customer, amount, cost) VALUES (?, ?, ?, ?, ?)",
        [(ws, r[0], r[1], r[2], r[3] if len(r) > 3 else None) for r in rows],
    )
    store.refresh_facts(con, ws)  # what an import does after writing rows


def run(
    con: store.Connection, ws: int, ind_id: str, as_of: date | None = None
) -> indicators.Result:
    """as_of None: the default context (each indicator anchors on the last invoice date)."""
    ctx = indicators.context(con, ws, as_of, settings())
    assert ctx is not None
    return indicators.compute(indicators.get(ind_id), ctx)


def segment_row(result: indicators.Result, segment: str) -> dict[str, Any]:
    rows = [r for r in result.details["segments"] if r["segment"] == segment]
    assert len(rows) == 1, f"{segment} not in {result.details['segments']}"
    return rows[0]


# ---------------------------------------------------------------- segment_growth

# Last invoice 30 Jun 2025, so as_of = 30 Jun 2025:
#   last 12 months  = 1 Jul 2024 – 30 Jun 2025
#   the 12 before   = 1 Jul 2023 – 30 Jun 2024
GROWTH_SEGMENTS: dict[str, str | None] = {"A": "Health", "B": "Health", "C": "Legal", "D": "Retail"}
GROWTH_INVOICES: list[tuple[date, str, float] | tuple[date, str, float, float]] = [
    (date(2023, 7, 15), "A", 100),  # prior (first invoice: inside the prior year's first month)
    (date(2024, 9, 15), "A", 150),  # current
    (date(2024, 3, 1), "B", 100),  # prior
    (date(2025, 3, 1), "B", 50),  # current
    (date(2024, 6, 30), "C", 200),  # exactly as_of - 12 months: PRIOR
    (date(2025, 6, 30), "C", 300),  # exactly as_of: current
    (date(2025, 1, 10), "D", 100),  # current; D's first ever invoice → Retail is new
    (date(2024, 1, 10), "E", 50),  # E has no customers row: "(no segment)", prior
    (date(2025, 1, 10), "E", 50),  # current
]


@pytest.fixture
def growth_store(con: store.Connection, workspace: store.Workspace) -> int:
    add_customers(con, workspace.id, GROWTH_SEGMENTS)
    add_invoices(con, workspace.id, GROWTH_INVOICES)
    return workspace.id


@pytest.mark.hand_worked("segment_growth")
def test_growth_is_last_12_months_against_the_12_before(
    con: store.Connection, growth_store: int
) -> None:
    r = run(con, growth_store, "segment_growth")
    # prior = A 100 + B 100 + C 200 + E 50 = 450; current = 150 + 50 + 300 + 100 + 50 = 650
    # growth = (650 - 450) / 450 = 0.4444…
    assert r.value == pytest.approx(200 / 450)
    assert r.status == "green"  # ≥ +5 %
    assert r.details["revenue"] == pytest.approx(650)
    assert r.details["revenue_prior"] == pytest.approx(450)
    assert r.details["current_from"] == "2024-07-01" and r.details["prior_to"] == "2024-06-30"
    assert r.details["prior_window_complete"] is True
    assert "$650" in r.message and "44.4%" in r.message and "$450" in r.message
    # Legal moved most (+$100): named in the message
    assert "Legal" in r.message


def test_growth_per_segment_window_edges_new_and_no_segment(
    con: store.Connection, growth_store: int
) -> None:
    r = run(con, growth_store, "segment_growth")
    legal = segment_row(r, "Legal")
    # C's 30 Jun 2024 line is exactly as_of - 12 months → prior; 30 Jun 2025 → current
    assert (legal["revenue_prior"], legal["revenue"]) == (200, 300)
    assert legal["growth"] == pytest.approx(0.5)
    assert legal["share"] == pytest.approx(300 / 650)
    health = segment_row(r, "Health")
    # A 150 + B 50 = 200 now, A 100 + B 100 = 200 before; 2 customers, none new
    assert (health["revenue"], health["revenue_prior"], health["growth"]) == (200, 200, 0)
    assert (health["customers"], health["new_customers"], health["trend"]) == (2, 0, "flat")
    retail = segment_row(r, "Retail")
    # no revenue the year before: growth unknown, labelled new; D's first invoice is in window
    assert retail["growth"] is None and retail["trend"] == "new"
    assert (retail["customers"], retail["new_customers"]) == (1, 1)
    unsegmented = segment_row(r, niche.NO_SEGMENT)
    assert (unsegmented["revenue"], unsegmented["revenue_prior"]) == (50, 50)
    assert any("no segment" in note for note in r.details["notes"])
    assert (r.details["customers"], r.details["new_customers"]) == (5, 1)
    # The frame is the per-segment table, largest revenue first
    assert list(r.frame["segment"]) == ["Legal", "Health", "Retail", niche.NO_SEGMENT]
    # CAGR: the first full window is the 12 months before (first invoice 15 Jul 2023 falls in
    # its first month), so over one year CAGR equals growth
    assert r.details["cagr_years"] == 1
    assert r.details["cagr"] == pytest.approx(200 / 450)
    assert retail["cagr"] is None


def test_cagr_over_two_full_years(con: store.Connection, workspace: store.Workspace) -> None:
    ws = workspace.id
    add_customers(con, ws, {"A": "Health", "B": "Legal"})
    # as_of 30 Jun 2025; windows (30 Jun 2022, 30 Jun 2023], (…2024], (…2025]
    # the first invoice (10 Jul 2022) is in the oldest window's first month → 2 full years back
    add_invoices(
        con,
        ws,
        [
            (date(2022, 7, 10), "A", 100),
            (date(2023, 7, 10), "A", 120),
            (date(2025, 6, 30), "A", 144),
            (date(2025, 1, 1), "B", 56),
        ],
    )
    r = run(con, ws, "segment_growth")
    # whole business: 200 now vs 120 before → growth 0.6667; CAGR (200 / 100)^(1/2) - 1
    assert r.value == pytest.approx(200 / 120 - 1)
    assert r.details["cagr_years"] == 2
    assert r.details["cagr"] == pytest.approx(2**0.5 - 1)
    # Health: (144 / 100)^(1/2) - 1 = 0.2; Legal had nothing in the first window → None
    assert segment_row(r, "Health")["cagr"] == pytest.approx(0.2)
    assert segment_row(r, "Legal")["cagr"] is None


def test_as_of_override_moves_the_windows(con: store.Connection, growth_store: int) -> None:
    r = run(con, growth_store, "segment_growth", date(2025, 3, 1))
    # last 12 months = 2 Mar 2024 – 1 Mar 2025, the 12 before = 2 Mar 2023 – 1 Mar 2024
    # prior: A 100 (15 Jul 2023) + B 100 (1 Mar 2024, exactly on the edge) + E 50 = 250
    # current: A 150 + B 50 (1 Mar 2025 = as_of) + C 200 + D 100 + E 50 = 550
    # C's 300 on 30 Jun 2025 is after as_of: ignored.  growth = 300 / 250 = 1.2
    assert r.value == pytest.approx(1.2)
    assert r.details["current_from"] == "2024-03-02" and r.details["prior_from"] == "2023-03-02"
    # invoices start 15 Jul 2023, months into the earlier year: said plainly
    assert r.details["prior_window_complete"] is False
    assert "15 Jul 2023" in r.message


def test_growth_shrinking_is_red_and_says_so(
    con: store.Connection, workspace: store.Workspace
) -> None:
    add_customers(con, workspace.id, {"A": "Health"})
    add_invoices(con, workspace.id, [(date(2024, 1, 15), "A", 400), (date(2025, 1, 15), "A", 300)])
    r = run(con, workspace.id, "segment_growth")
    # (300 - 400) / 400 = -0.25
    assert r.value == pytest.approx(-0.25)
    assert r.status == "red"
    assert "down 25.0%" in r.message


def test_no_invoices_is_unknown_with_what_to_load(
    con: store.Connection, workspace: store.Workspace
) -> None:
    # Other data gives the workspace a date, but no invoices
    con.execute(
        "INSERT INTO activities (workspace_id, date, type) VALUES ($w, DATE '2025-01-01', 'call')",
        {"w": workspace.id},
    )
    store.refresh_facts(con, workspace.id)  # what an import does after writing rows
    for ind_id in NICHE_IDS:
        r = run(con, workspace.id, ind_id)
        assert r.value is None and r.status == "unknown"
        assert "invoices" in r.message.lower()
    # An explicit day before the first invoice says when the invoices start
    add_invoices(con, workspace.id, [(date(2025, 2, 1), "A", 10)])
    r = run(con, workspace.id, "segment_growth", date(2024, 12, 31))
    assert r.status == "unknown" and "1 Feb 2025" in r.message


def test_one_month_of_invoices_is_unknown(
    con: store.Connection, workspace: store.Workspace
) -> None:
    add_customers(con, workspace.id, {"A": "Health", "B": "Legal"})
    add_invoices(con, workspace.id, [(date(2025, 6, 2), "A", 100), (date(2025, 6, 30), "B", 50)])
    r = run(con, workspace.id, "segment_growth")
    assert r.value is None and r.status == "unknown"
    # why, and what data would fix it
    assert "1 Jul 2024" in r.message and "2 Jun 2025" in r.message and "30 Jun 2025" in r.message
    assert not r.frame.empty  # the segment table is still there to look at
    sat = run(con, workspace.id, "segment_saturation")
    assert sat.status == "unknown" and "first 12 months" in sat.message
    # concentration only needs the last 12 months: 100 / 150 and 50 / 150
    conc = run(con, workspace.id, "segment_concentration")
    assert conc.value == pytest.approx((2 / 3) ** 2 + (1 / 3) ** 2)


# ---------------------------------------------------------------- segment_saturation

# as_of 31 Dec 2025 (a month end, so periods are calendar quarters):
#   k0 Oct–Dec 2025, k1 Jul–Sep, k2 Apr–Jun, k3 Jan–Mar 2025, … k6 Apr–Jun 2024, k7 Jan–Mar 2024
# first invoice 5 Jan 2023 → new customers count from 5 Jan 2024: k0…k6 usable, k7 not.
# last 12 months = 2025; the 12 before = 2024.
Q2, Q3, Q4 = date(2025, 5, 1), date(2025, 8, 1), date(2025, 11, 1)


def _newcomers(prefix: str, counts: tuple[int, int, int]) -> list[tuple[date, str, float]]:
    """counts new customers in Q2, Q3 and Q4 2025, each billing 100 once."""
    rows: list[tuple[date, str, float]] = []
    for day, n in zip((Q2, Q3, Q4), counts, strict=True):
        rows += [(day, f"{prefix}{day.month}-{i}", 100) for i in range(n)]
    return rows


def build_saturation(con: store.Connection, ws: int) -> int:
    pharma = _newcomers("P", (3, 2, 1))  # 3 → 2 → 1: falling twice
    legal = _newcomers("L", (3, 1, 2))  # 3 → 1 → 2: not falling now
    retail = _newcomers("R", (3, 2, 1))  # falling, but revenue falls too
    loose = _newcomers("X", (3, 2, 1))  # no segment: never flagged
    segments: dict[str, str | None] = {"P0": "Pharma", "L0": "Legal", "R0": "Retail"}
    segments |= {c: "Pharma" for _, c, _ in pharma}
    segments |= {c: "Legal" for _, c, _ in legal}
    segments |= {c: "Retail" for _, c, _ in retail}
    add_customers(con, ws, segments)
    add_invoices(
        con,
        ws,
        [
            (date(2023, 1, 5), "P0", 100),  # the first invoice of all
            (date(2024, 6, 1), "P0", 1000),  # Pharma 2024: 1000
            (date(2025, 2, 1), "P0", 1000),  # Pharma 2025: 1000 + 6 × 100 = 1600 > 1000
            (date(2023, 3, 1), "L0", 100),
            (date(2024, 6, 1), "L0", 500),  # Legal 2024: 500; 2025: 6 × 100 = 600 > 500
            (date(2023, 3, 1), "R0", 100),
            (date(2024, 6, 1), "R0", 5000),  # Retail 2024: 5000; 2025: 600 < 5000
            (date(2024, 6, 1), "X0", 100),  # no segment 2024: 100; 2025: 600
            (date(2025, 12, 31), "P0", 0),  # pins as_of to 31 Dec 2025
            *pharma,
            *legal,
            *retail,
            *loose,
        ],
    )
    return ws


@pytest.fixture
def saturation_store(con: store.Connection, workspace: store.Workspace) -> int:
    return build_saturation(con, workspace.id)


@pytest.mark.hand_worked("segment_saturation")
def test_saturation_flags_growing_segment_with_falling_new_customers(
    con: store.Connection, saturation_store: int
) -> None:
    r = run(con, saturation_store, "segment_saturation")
    # Pharma: revenue 1600 > 1000 and new customers 3 → 2 → 1 → flagged
    # Legal: 3 → 1 → 2 (not falling now); Retail: falling but revenue 600 < 5000;
    # (no segment): 3 → 2 → 1 and growing, but it is not a niche → 1 in all
    assert r.value == 1
    assert isinstance(r.value, int)
    assert r.status == "amber"  # green at 0, red above 1
    assert r.details["saturating"] == ["Pharma"]
    pharma = segment_row(r, "Pharma")
    # usable periods k6 … k0 (Apr–Jun 2024 … Oct–Dec 2025), oldest first
    assert pharma["new_customers_by_quarter"] == [0, 0, 0, 0, 3, 2, 1]
    assert pharma["falls"] == 2
    assert segment_row(r, "Legal")["saturating"] is False
    assert (
        segment_row(r, "Retail")["falls"] == 2 and segment_row(r, "Retail")["saturating"] is False
    )
    assert segment_row(r, niche.NO_SEGMENT)["saturating"] is False
    assert "Pharma" in r.message and "3 → 2 → 1" in r.message and "peers" in r.message
    # the sparkline: new customers of all segments per quarter, oldest first, ending 31 Dec
    spark = indicators.get("segment_saturation").spark
    assert spark is not None
    series = spark(r)
    # X0 (no segment) first billed 1 Jun 2024 → 1 in Apr–Jun 2024; then 3+3+3+3, 2+1+2+2, 1+2+1+1
    assert list(series.to_numpy()) == [1, 0, 0, 0, 12, 7, 5]
    assert series.index[-1] == date(2025, 12, 31)


def test_saturation_needs_a_year_of_history_before_the_periods(
    con: store.Connection, workspace: store.Workspace
) -> None:
    add_customers(con, workspace.id, {"A": "Health"})
    # as_of 30 Jun 2025: the oldest of the three periods starts 1 Oct 2024, so invoices must
    # start by 1 Oct 2023; they start 1 Jun 2024
    add_invoices(con, workspace.id, [(date(2024, 6, 1), "A", 10), (date(2025, 6, 30), "A", 10)])
    r = run(con, workspace.id, "segment_saturation")
    assert r.status == "unknown" and r.value is None
    assert "1 Oct 2023" in r.message and "1 Jun 2024" in r.message


def test_new_customer_quarters_falls_counts_consecutive_drops(
    con: store.Connection, saturation_store: int
) -> None:
    q = niche.new_customer_quarters(con, saturation_store, date(2025, 12, 31))
    legal = q[q["segment"] == "Legal"].set_index("k")
    assert list(legal.loc[[2, 1, 0], "new_customers"]) == [3, 1, 2]
    assert int(legal["falls"].iloc[0]) == 0
    assert list(q[q["segment"] == "Pharma"]["usable"]) == [True] * 7 + [False]
    assert q["period_end"].iloc[0] == pd.Timestamp("2025-12-31")
    assert q["period_start"].iloc[0] == pd.Timestamp("2025-10-01")


# ---------------------------------------------------------------- segment_concentration


def concentration_store(
    con: store.Connection, ws: int, revenue: dict[str, float], unsegmented: float = 0
) -> None:
    """One customer per segment, billed on 1 Mar 2025; as_of pinned to 30 Jun 2025."""
    add_customers(con, ws, {f"c-{s}": s for s in revenue})
    rows: list[tuple[date, str, float] | tuple[date, str, float, float]] = [
        (date(2025, 3, 1), f"c-{s}", amount) for s, amount in revenue.items()
    ]
    if unsegmented:
        rows.append((date(2025, 3, 1), "loose", unsegmented))
    rows.append((date(2025, 6, 30), f"c-{next(iter(revenue))}", 0))
    add_invoices(con, ws, rows)


@pytest.mark.hand_worked("segment_concentration")
def test_hhi_of_half_three_tenths_one_fifth(
    con: store.Connection, workspace: store.Workspace
) -> None:
    concentration_store(con, workspace.id, {"A": 500, "B": 300, "C": 200}, unsegmented=100)
    # a big old line exactly on as_of - 12 months (30 Jun 2024) is outside the window
    add_customers(con, workspace.id, {"old": "D"})
    add_invoices(con, workspace.id, [(date(2024, 6, 30), "old", 10_000)])
    r = run(con, workspace.id, "segment_concentration")
    # shares 0.5, 0.3, 0.2 (the unsegmented 100 left out) → 0.25 + 0.09 + 0.04 = 0.38
    assert r.value == pytest.approx(0.38)
    assert r.status == "green"  # ≤ 0.40
    # sorted 500, 300, 200: cumulative 0.5, 0.8 → two segments reach 80 % → vertical
    assert r.details["segments_for_80"] == 2
    assert r.details["shape"] == "vertical"
    assert (r.details["top_segment"], r.details["top_share"]) == ("A", pytest.approx(0.5))
    assert r.details["unsegmented_revenue"] == pytest.approx(100)
    assert list(r.frame["segment"]) == ["A", "B", "C"]
    assert list(r.frame["in_80"]) == [True, True, False]
    assert "50.0%" in r.message and "2 of your 3 segments" in r.message


def test_hhi_horizontal_and_single_segment(
    con: store.Connection, workspace: store.Workspace
) -> None:
    concentration_store(con, workspace.id, {"A": 400, "B": 300, "C": 200, "D": 100})
    r = run(con, workspace.id, "segment_concentration")
    # 0.16 + 0.09 + 0.04 + 0.01 = 0.30; cumulative 0.4, 0.7, 0.9 → 3 segments → horizontal
    assert r.value == pytest.approx(0.30)
    assert (r.details["segments_for_80"], r.details["shape"]) == (3, "horizontal")

    other = store.create_workspace(con, "Solo")
    concentration_store(con, other.id, {"Only": 900})
    r = run(con, other.id, "segment_concentration")
    # one segment: 1.0, red (> 0.65), one segment makes 80 %
    assert r.value == pytest.approx(1.0) and r.status == "red"
    assert r.details["segments_for_80"] == 1
    assert "All of the last 12 months' revenue" in r.message and "Only" in r.message

    eighty = store.create_workspace(con, "Eighty")
    concentration_store(con, eighty.id, {"A": 800, "B": 200})
    r = run(con, eighty.id, "segment_concentration")
    # 0.64 + 0.04 = 0.68 (red); A alone is exactly 80 % → 1 segment suffices
    assert r.value == pytest.approx(0.68) and r.status == "red"
    assert r.details["segments_for_80"] == 1


def test_concentration_unknown_without_segments(
    con: store.Connection, workspace: store.Workspace
) -> None:
    add_invoices(con, workspace.id, [(date(2025, 3, 1), "A", 100)])
    r = run(con, workspace.id, "segment_concentration")
    assert r.status == "unknown" and "segment" in r.message
    # mostly unsegmented revenue: 300 of 400 from customers without a segment
    other = store.create_workspace(con, "Mostly loose")
    concentration_store(con, other.id, {"A": 100}, unsegmented=300)
    r = run(con, other.id, "segment_concentration")
    assert r.status == "unknown" and "75.0%" in r.message


# ---------------------------------------------------------------- every niche indicator


def test_every_niche_indicator_is_registered_and_json_friendly(
    con: store.Connection, growth_store: int
) -> None:
    empty = store.create_workspace(con, "Empty")
    saturating = build_saturation(con, store.create_workspace(con, "Saturating").id)
    for ws in (growth_store, saturating, empty.id):
        results = indicators.compute_all(con, ws, area="niche", settings=settings())
        for ind_id in NICHE_IDS:
            r = results[ind_id]
            ind = indicators.get(ind_id)
            assert ind.page == "niche" and ind.description and ind.next_step
            assert r.value is None or type(r.value) in (float, int)
            json.dumps(r.details, default=str)
            json.dumps(indicators.result_json(r), allow_nan=False)
            assert r.message
            if ind.spark is not None and not r.frame.empty:
                ind.spark(r)


# ---------------------------------------------------------------- page frames


@pytest.fixture
def period_store(con: store.Connection, workspace: store.Workspace) -> int:
    add_customers(con, workspace.id, {"X": "Health", "Y": "Legal"})
    add_invoices(
        con,
        workspace.id,
        [
            (date(2024, 3, 15), "X", 100),
            (date(2024, 4, 2), "X", 50),
            (date(2024, 4, 20), "Y", 150),
            (date(2025, 1, 5), "Y", 200),
        ],
    )
    return workspace.id


def test_revenue_by_period_year_follows_the_fiscal_year(
    con: store.Connection, period_store: int
) -> None:
    f = niche.segment_revenue_by_period(
        con, period_store, date(2025, 1, 5), "year", settings={"fiscal_year_start": 4}
    )
    assert list(f.columns) == ["period_start", "segment", "revenue", "customers", "share"]
    rows = {(r.date().isoformat(), s): (v, c, sh) for r, s, v, c, sh in f.to_numpy()}
    # FY from 1 Apr 2023: X's 15 Mar 2024 line only; FY from 1 Apr 2024: X 50, Y 150 + 200
    assert rows[("2023-04-01", "Health")] == (100, 1, 1.0)
    assert rows[("2023-04-01", "Legal")] == (0, 0, 0.0)
    assert rows[("2024-04-01", "Health")] == (50, 1, pytest.approx(50 / 400))
    assert rows[("2024-04-01", "Legal")] == (350, 1, pytest.approx(350 / 400))
    # the same from the store's settings
    save_settings(con, period_store, {"fiscal_year_start": 4})
    g = niche.segment_revenue_by_period(con, period_store, date(2025, 1, 5), "year")
    pd.testing.assert_frame_equal(f, g)


def test_revenue_by_period_month_and_quarter_are_dense(
    con: store.Connection, period_store: int
) -> None:
    q = niche.segment_revenue_by_period(con, period_store, None, "quarter", settings=settings())
    # Q1 2024 … Q1 2025 = 5 quarters × 2 segments, zeros included
    assert len(q) == 10
    q3 = q[q["period_start"] == pd.Timestamp("2024-07-01")]
    assert list(q3["revenue"]) == [0, 0] and q3["share"].isna().all()
    q2 = q[q["period_start"] == pd.Timestamp("2024-04-01")].set_index("segment")
    assert q2.loc["Health", "revenue"] == 50 and q2.loc["Legal", "share"] == pytest.approx(0.75)
    m = niche.segment_revenue_by_period(con, period_store, None, "month", settings=settings())
    assert len(m) == 11 * 2  # Mar 2024 … Jan 2025
    with pytest.raises(ValueError, match="grain"):
        niche.segment_revenue_by_period(con, period_store, None, "week")


def test_new_customers_by_period(con: store.Connection, period_store: int) -> None:
    f = niche.new_customers_by_period(
        con, period_store, date(2025, 1, 5), "year", settings={"fiscal_year_start": 4}
    )
    assert list(f.columns) == ["period_start", "segment", "new_customers"]
    # X first billed 15 Mar 2024 (FY from Apr 2023), Y 20 Apr 2024 (FY from Apr 2024)
    got = {(p.date().isoformat(), s): n for p, s, n in f.to_numpy()}
    assert got == {
        ("2023-04-01", "Health"): 1,
        ("2023-04-01", "Legal"): 0,
        ("2024-04-01", "Health"): 0,
        ("2024-04-01", "Legal"): 1,
    }
    empty = store.create_workspace(con, "Nothing")
    assert niche.new_customers_by_period(con, empty.id, None, "month").empty
    assert list(niche.segment_revenue_by_period(con, empty.id, None, "month").columns) == [
        "period_start",
        "segment",
        "revenue",
        "customers",
        "share",
    ]


def test_segment_economics(con: store.Connection, workspace: store.Workspace) -> None:
    ws = workspace.id
    add_customers(con, ws, {"A": "Health", "B": "Health", "C": "Legal"})
    # as_of 30 Jun 2025: last 12 months from 1 Jul 2024, the 12 before from 1 Jul 2023
    add_invoices(
        con,
        ws,
        [
            (date(2025, 1, 10), "A", 1000, 200),
            (date(2025, 2, 10), "B", 500),  # no cost given
            (date(2024, 3, 1), "B", 300),  # the year before
            (date(2024, 5, 1), "C", 400),  # the year before only: C churned
        ],
    )
    con.cursor().executemany(
        "INSERT INTO time_entries (workspace_id, date, person, hours, customer, role) "
        "VALUES (?, ?, 'Sam', ?, ?, ?)",
        [
            (ws, date(2025, 3, 1), 10, "A", "tech"),  # 10 × 60 = 600
            (ws, date(2025, 3, 1), 5, "B", None),  # 5 × default 60 = 300
            (ws, date(2025, 3, 1), 2, "C", "Sales"),  # 2 × 70 = 140 (Legal has no customers)
            (ws, date(2025, 3, 1), 3, "Zed", "tech"),  # a prospect: no segment economics
            (ws, date(2024, 1, 1), 10, "A", "tech"),  # before the window
        ],
    )
    con.cursor().executemany(
        "INSERT INTO tickets (workspace_id, opened, customer) VALUES (?, ?, ?)",
        [
            (ws, date(2025, 2, 1), "A"),
            (ws, date(2025, 4, 1), "A"),
            (ws, date(2025, 5, 1), "B"),
            (ws, date(2025, 5, 1), "C"),
            (ws, date(2024, 1, 1), "A"),  # before the window
        ],
    )
    f = niche.segment_economics(con, ws, date(2025, 6, 30), settings()).set_index("segment")
    health = f.loc["Health"]
    # 2 customers; revenue 1500 → 750 each; margin 1500 - 200 - (600 + 300) = 400 → 200 each
    # tickets 3 → 1.5 each; B had revenue the year before and still has → churn 0
    assert health["customers"] == 2
    assert health["revenue_per_customer"] == pytest.approx(750)
    assert health["margin_per_customer"] == pytest.approx(200)
    assert health["tickets_per_customer"] == pytest.approx(1.5)
    assert (health["prior_customers"], health["churned"], health["churn"]) == (1, 0, 0.0)
    legal = f.loc["Legal"]
    # C billed only the year before: churn 1 of 1; no customers now → per-customer figures null
    assert (legal["customers"], legal["churn"]) == (0, 1.0)
    assert pd.isna(legal["revenue_per_customer"]) and pd.isna(legal["margin_per_customer"])
    assert "Zed" not in f.index and niche.NO_SEGMENT not in f.index

    # Without costs or time entries the margin is unknown, not equal to revenue
    plain_ws = store.create_workspace(con, "No costs")
    add_customers(con, plain_ws.id, {"A": "Health"})
    add_invoices(con, plain_ws.id, [(date(2025, 1, 10), "A", 1000)])
    g = niche.segment_economics(con, plain_ws.id, None, settings())
    assert g["revenue_per_customer"].iloc[0] == pytest.approx(1000)
    assert pd.isna(g["margin_per_customer"].iloc[0])


# ---------------------------------------------------------------- real data

SUPERSTORE_LOAD = """
INSERT INTO invoices (workspace_id, date, customer, amount)
SELECT $w, strptime("Order Date", '%m/%d/%Y')::date, "Customer Name", "Sales"::decimal(18, 2)
FROM read_csv($path, header = true, all_varchar = true)
"""
SUPERSTORE_CUSTOMERS = """
INSERT INTO customers (workspace_id, customer, segment)
SELECT DISTINCT $w, "Customer Name", "Segment"
FROM read_csv($path, header = true, all_varchar = true)
"""


def test_superstore_matches_a_plain_pandas_computation(
    con: store.Connection, workspace: store.Workspace
) -> None:
    path = shared_file("superstore-classic", "superstore.csv")
    ws = workspace.id
    # The importer may not be there yet: load the export directly with DuckDB.
    for sql in (SUPERSTORE_LOAD, SUPERSTORE_CUSTOMERS):
        con.execute(sql, {"w": ws, "path": str(path)})
    store.refresh_facts(con, ws)  # what an import does after writing rows

    raw = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    lines = pd.DataFrame(
        {
            "date": pd.to_datetime(raw["Order Date"], format="%m/%d/%Y"),
            "segment": raw["Segment"],
            # amounts rounded to cents, as the store keeps them
            "amount": raw["Sales"].astype(float).round(2),
        }
    )
    as_of = lines["date"].max()
    cur = lines[(lines["date"] > as_of - pd.DateOffset(months=12)) & (lines["date"] <= as_of)]
    prior = lines[
        (lines["date"] > as_of - pd.DateOffset(months=24))
        & (lines["date"] <= as_of - pd.DateOffset(months=12))
    ]
    expected_growth = (cur["amount"].sum() - prior["amount"].sum()) / prior["amount"].sum()
    shares = cur.groupby("segment")["amount"].sum()
    shares = shares / shares.sum()
    expected_hhi = float((shares**2).sum())
    cumulative = shares.sort_values(ascending=False).cumsum()
    expected_n80 = int((cumulative.shift(fill_value=0) < 0.8).sum())

    growth = run(con, ws, "segment_growth")
    assert growth.value is not None
    assert round(growth.value, 4) == round(expected_growth, 4)
    per_segment = (
        cur.groupby("segment")["amount"].sum() / prior.groupby("segment")["amount"].sum() - 1
    )
    for segment, g in per_segment.items():
        assert round(segment_row(growth, str(segment))["growth"], 4) == round(g, 4)
    conc = run(con, ws, "segment_concentration")
    assert conc.value is not None
    assert round(conc.value, 4) == round(expected_hhi, 4)
    assert conc.details["segments_for_80"] == expected_n80
    assert conc.details["top_segment"] == shares.idxmax()
    # and the whole set runs and serialises on real data
    for ind_id in NICHE_IDS:
        json.dumps(indicators.result_json(run(con, ws, ind_id)), allow_nan=False)
