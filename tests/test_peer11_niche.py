"""Segment growth's months (niche_months.sql), its trend worked out in SQL and the span that
counts customers only when asked, on tiny hand-made stores; answers worked out in comments."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analytics import indicators, store
from analytics.indicators import common, niche
from tests.test_indicators_niche import add_customers, add_invoices, settings

# as_of 15 Jun 2025 (not a month end). The comparison year is cut at the 15th into 12 slices,
# newest first: slice k runs (as_of - (13 + k) months, as_of - (12 + k) months], so slice 0 is
# (15 May 2024, 15 Jun 2024] and slice 11 is (15 Jun 2023, 15 Jul 2023].
MONTHS_AS_OF = date(2025, 6, 15)
MONTHS_INVOICES: list[tuple[date, str | None, float]] = [
    (date(2023, 5, 20), "A", 10),  # the first invoice ever; before the comparison year
    (date(2023, 6, 15), "B", 1),  # exactly its start boundary: in no slice
    (date(2023, 6, 16), None, 7),  # slice 11, but names no customer: does not cover it
    (date(2023, 7, 1), None, 5),  # no customer: revenue all the same
    (date(2024, 1, 10), "B", 30),  # slice 5: (15 Dec 2023, 15 Jan 2024]
    (date(2024, 6, 15), "A", 20),  # exactly as_of - 12 months: slice 0
    (date(2025, 3, 3), "C", 40),  # the last 12 months
    (date(2025, 7, 1), "C", 99),  # after as_of: in no month
]


def months_store(con: store.Connection, ws: int) -> None:
    con.cursor().executemany(
        "INSERT INTO invoices (workspace_id, date, customer, amount) VALUES (?, ?, ?, ?)",
        [(ws, d, c, a) for d, c, a in MONTHS_INVOICES],
    )
    store.refresh_facts(con, ws)


def test_months_revenue_per_month_and_the_comparison_cover(
    con: store.Connection, workspace: store.Workspace
) -> None:
    months_store(con, workspace.id)
    frame = niche.months_frame(con, workspace.id, MONTHS_AS_OF)
    # every month from May 2023 (the first invoice) to Jun 2025: 8 + 12 + 6 = 26
    assert len(frame) == 26
    revenue = dict(zip(pd.to_datetime(frame["month"]).dt.date, frame["revenue"], strict=True))
    assert revenue[date(2023, 5, 1)] == 10
    assert revenue[date(2023, 6, 1)] == 8  # 1 + 7 (the line without a customer counts)
    assert revenue[date(2023, 7, 1)] == 5
    assert revenue[date(2024, 1, 1)] == 30
    assert revenue[date(2024, 6, 1)] == 20
    assert revenue[date(2025, 3, 1)] == 40
    assert revenue[date(2025, 6, 1)] == 0  # the 99 of 1 Jul 2025 is after as_of
    assert sum(revenue.values()) == 10 + 8 + 5 + 30 + 20 + 40
    # slices 0 and 5 hold a line naming a customer; 11 only an unnamed one
    assert niche.comparison_months(con, workspace.id, MONTHS_AS_OF) == {
        "months_with_invoices": 2,
        "months": 12,
        "first_invoice": date(2023, 5, 20),
    }


def test_trailing_revenue_sums_the_twelve_months_to_each_month(
    con: store.Connection, workspace: store.Workspace
) -> None:
    months_store(con, workspace.id)
    trailing = niche.trailing_revenue(con, workspace.id, MONTHS_AS_OF)
    # complete 12-month windows end from Apr 2024 (the 12th month) on: 15 of them, the last
    # 13 kept, Jun 2024 to Jun 2025
    assert list(trailing.columns) == ["month", "revenue"]
    assert trailing["month"].tolist()[0] == date(2024, 6, 1)
    assert trailing["month"].tolist()[-1] == date(2025, 6, 1)
    assert len(trailing) == 13
    by_month = dict(zip(trailing["month"], trailing["revenue"], strict=True))
    assert by_month[date(2024, 6, 1)] == 5 + 30 + 20  # Jul 2023 – Jun 2024
    assert by_month[date(2024, 7, 1)] == 30 + 20  # Aug 2023 – Jul 2024
    assert by_month[date(2025, 5, 1)] == 20 + 40  # Jun 2024 – May 2025
    assert by_month[date(2025, 6, 1)] == 40  # Jul 2024 – Jun 2025


def test_months_before_any_invoice_is_one_empty_row(
    con: store.Connection, workspace: store.Workspace
) -> None:
    months_store(con, workspace.id)
    day = date(2020, 1, 31)
    frame = niche.months_frame(con, workspace.id, day)
    assert len(frame) == 1
    assert pd.isna(frame["month"].iloc[0]) and pd.isna(frame["revenue"].iloc[0])
    # nothing up to the day, so nothing in the year before it; the first invoice is still known
    assert niche.comparison_months(con, workspace.id, day) == {
        "months_with_invoices": 0,
        "months": 12,
        "first_invoice": date(2023, 5, 20),
    }
    assert niche.trailing_revenue(con, workspace.id, day).empty


# as_of 30 Jun 2025: last 12 months (30 Jun 2024, 30 Jun 2025], the 12 before (30 Jun 2023,
# 30 Jun 2024]. The first invoice (15 Jul 2022) falls in the first month of the window
# (30 Jun 2022, 30 Jun 2023], the oldest full one.
TREND_SEGMENTS: dict[str, str | None] = {
    "L": "Lost",
    "N": "New",
    "S": "Shrinking",
    "G": "Growing",
    "F": "Flat",
    "O": "Old",
    "C": "Credit",
}
TREND_INVOICES: list[tuple[date, str, float] | tuple[date, str, float, float]] = [
    (date(2022, 7, 15), "O", 70),  # only the first full window: kept, 0 against 0 → flat
    (date(2023, 8, 1), "L", 100),  # before: 100, now: nothing → lost
    (date(2024, 8, 1), "N", 50),  # before: nothing, now: 50 → new
    (date(2023, 8, 1), "S", 100),
    (date(2024, 8, 1), "S", 60),  # 60 < 100 → shrinking
    (date(2023, 8, 1), "G", 100),
    (date(2024, 8, 1), "G", 130),  # 130 > 100 → growing
    (date(2023, 8, 1), "F", 100),
    (date(2024, 8, 1), "F", 100),  # the same → flat
    (date(2024, 8, 1), "C", -20),  # a credit note, nothing before: -20 < 0 → shrinking
]


def test_segment_trends(con: store.Connection, workspace: store.Workspace) -> None:
    add_customers(con, workspace.id, TREND_SEGMENTS)
    add_invoices(con, workspace.id, TREND_INVOICES)
    frame = niche.segment_windows(con, workspace.id, date(2025, 6, 30))
    trends = dict(zip(frame["segment"], frame["trend"], strict=True))
    assert trends == {
        "Lost": "lost",
        "New": "new",
        "Shrinking": "shrinking",
        "Growing": "growing",
        "Flat": "flat",
        "Old": "flat",
        "Credit": "shrinking",
    }
    assert frame["trend"].dtype == pd.StringDtype(na_value=float("nan"))
    old = frame[frame["segment"] == "Old"].iloc[0]
    assert (old["revenue"], old["revenue_prior"], old["revenue_first_full"]) == (0, 0, 70)
    assert int(old["cagr_years"]) == 2  # the oldest full window is two windows back


def test_the_span_counts_customers_only_when_asked(
    con: store.Connection, workspace: store.Workspace
) -> None:
    add_customers(con, workspace.id, {"A": "Health", "B": None})
    add_invoices(con, workspace.id, [(date(2025, 1, 5), "A", 10), (date(2025, 2, 5), "B", 20)])
    ctx = indicators.context(con, workspace.id, date(2025, 3, 31), settings())
    assert ctx is not None
    plain = common.ctx_invoice_span(ctx, ctx.as_of)
    counted = common.ctx_invoice_span(ctx, ctx.as_of, customers=True)
    assert (plain["first_date"], plain["last_date"], plain["lines"]) == (
        date(2025, 1, 5),
        date(2025, 2, 5),
        2,
    )
    assert (plain["customers"], plain["segmented_customers"]) == (0, 0)
    assert (counted["customers"], counted["segmented_customers"]) == (2, 1)
    assert {k: counted[k] for k in ("first_date", "last_date", "lines")} == {
        k: plain[k] for k in ("first_date", "last_date", "lines")
    }
