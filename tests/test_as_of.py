"""The "as of" rule: each figure counts to its own data's last real day, never a forecast or
a day after today, and pages say when their sources end on different days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from analytics import asof, indicators, store
from analytics.settings import defaults
from tests.apptest import no_failure, run_page, texts
from tests.conftest import insert_rows as insert


def compute(
    con: store.Connection, ws: int, ind_id: str, as_of: date | None = None
) -> indicators.Result:
    ctx = indicators.context(con, ws, as_of, {**defaults(), "pace_weeks": 4})
    assert ctx is not None
    return indicators.compute(indicators.get(ind_id), ctx)


# ---------------------------------------------------------------- the day itself


def test_an_open_deals_expected_close_never_sets_the_day(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    insert(
        con,
        "deals",
        [
            {
                "deal_id": "W",
                "status": "won",
                "created": date(2025, 1, 5),
                "closed": date(2025, 3, 1),
            },
            {
                "deal_id": "L",
                "status": "lost",
                "created": date(2025, 1, 9),
                "closed": date(2025, 2, 20),
            },
            # Open, created 10 Mar 2025, forecast to close in 2030: counts by its creation.
            {
                "deal_id": "O",
                "status": "open",
                "created": date(2025, 3, 10),
                "closed": date(2030, 6, 30),
            },
        ],
        ws,
    )
    assert store.last_data_date(con, ws) == date(2025, 3, 10)
    assert store.entity_last_day(con, ws, "deals") == date(2025, 3, 10)
    ranges = store.data_range(con, ws).set_index("entity")
    assert str(ranges.at["deals", "last"])[:10] == "2025-03-10"
    # The deal figures count to that day: the open deal is 0 days old, not 2,000-odd.
    r = compute(con, ws, "cut_and_run")
    assert r.details["as_of"] == date(2025, 3, 10)


def test_a_day_after_today_never_sets_the_day(
    con: store.Connection, workspace: store.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "today", lambda: date(2025, 6, 1))
    ws = workspace.id
    insert(
        con,
        "invoices",
        [
            {"date": date(2025, 5, 10), "customer": "A", "amount": 10},
            {"date": date(2025, 6, 1), "customer": "A", "amount": 10},  # today counts
            {"date": date(2026, 1, 1), "customer": "A", "amount": 10},  # a typo for 2025
        ],
        ws,
    )
    assert store.last_data_date(con, ws) == date(2025, 6, 1)
    assert store.entity_last_day(con, ws, "invoices") == date(2025, 6, 1)
    monkeypatch.setattr(store, "today", lambda: date(2025, 5, 31))
    assert store.last_data_date(con, ws) == date(2025, 5, 10)


# ---------------------------------------------------------------- a workspace of two sources


@pytest.fixture
def mixed(con: store.Connection, workspace: store.Workspace) -> int:
    """Invoices to 30 Dec 2022; tickets from 1 Feb to 31 Dec 2023, after the invoices end.

    Lifetime revenue: C01 2,000 … C12 900 (100 less each), all invoiced on 15 Jan 2022. Over
    the 90 days to 30 Dec 2022 (since 1 Oct): C01–C08 and C11, C12 buy again (10 each).
    """
    ws = workspace.id
    rows = [
        {"date": date(2022, 1, 15), "customer": f"C{i:02d}", "amount": 2100 - 100 * i}
        for i in range(1, 13)
    ]
    recent = [f"C{i:02d}" for i in (1, 2, 3, 4, 5, 6, 7, 8, 11, 12)]
    rows += [{"date": date(2022, 12, 30), "customer": c, "amount": 10} for c in recent]
    insert(con, "invoices", rows, ws)
    tickets = [
        {"opened": date(2023, 2, 1), "customer": c, "type": "complaint"}
        for c in ("C01", "C01", "C01", *(f"C{i:02d}" for i in range(2, 11)))
    ]
    tickets.append({"opened": date(2023, 12, 31), "customer": "C01", "type": "complaint"})
    insert(con, "tickets", tickets, ws)
    return ws


def test_each_figure_counts_to_its_own_datas_last_day(con: store.Connection, mixed: int) -> None:
    # The workspace's day is the latest thing that happened: the last ticket.
    assert store.last_data_date(con, mixed) == date(2023, 12, 31)
    quiet = compute(con, mixed, "lately_vs_lifetime")
    # On the invoices' own day: the lifetime top 10 is C01–C10; since 2 Oct 2022 the top 10
    # is C01–C08, C11, C12, so C09 and C10 went quiet: 2. (On the tickets' day, 31 Dec
    # 2023, no invoice falls in the last 90 days and all 10 would read "gone quiet".)
    assert quiet.value == 2
    assert quiet.details["dropped_from_top"] == ["C09", "C10"]
    assert quiet.details["as_of"] == date(2022, 12, 30)
    assert "since 2 Oct 2022" in quiet.message
    tickets = compute(con, mixed, "ticket_pareto")
    # On the tickets' own day (31 Dec 2023): 13 complaints from 10 customers. Top 20 % =
    # 2 customers: C01 with 4 and C02 with 1 (ties broken by name): 5 of 13.
    assert tickets.details["as_of"] == date(2023, 12, 31)
    assert tickets.value == pytest.approx(5 / 13)
    assert tickets.status != "unknown"


def test_the_same_figure_as_on_a_workspace_of_invoices_alone(
    con: store.Connection, mixed: int
) -> None:
    # A different route to the same numbers: the invoice figures of the mixed workspace equal
    # those of a copy without the tickets.
    alone = store.create_workspace(con, "Invoices only").id
    con.execute(
        "INSERT INTO invoices (workspace_id, date, customer, amount) "
        "SELECT $a, date, customer, amount FROM invoices WHERE workspace_id = $w",
        {"a": alone, "w": mixed},
    )
    store.refresh_facts(con, alone)  # what an import does after writing rows
    for ind_id in ("lately_vs_lifetime", "revenue_pareto", "churn_rate", "top3_concentration"):
        a, b = compute(con, mixed, ind_id), compute(con, alone, ind_id)
        assert (a.value, a.status, a.message) == (b.value, b.status, b.message), ind_id


def test_a_picked_day_after_the_data_says_so_instead_of_counting_empty_days(
    con: store.Connection, mixed: int
) -> None:
    # 30 Jun 2023 is 182 days after the invoices end: "gone quiet" would count the empty
    # months as silence.
    r = compute(con, mixed, "lately_vs_lifetime", date(2023, 6, 30))
    assert r.status == "unknown" and r.value is None
    assert "Your invoices end on 30 Dec 2022, 182 days before the day you picked" in r.message
    assert r.details["value"] == 10  # what it would have said, kept for the table only
    # A share within the window is not bent by the empty months: it stays a figure.
    share = compute(con, mixed, "revenue_pareto", date(2023, 6, 30))
    assert share.status != "unknown" and share.value is not None
    # Within a month of the data's end the figure stands.
    assert compute(con, mixed, "lately_vs_lifetime", date(2023, 1, 30)).value is not None


def test_the_order_book_never_counts_to_a_forecast_day(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    months = [date(2025, m, 10) for m in range(1, 7)]
    insert(con, "invoices", [{"date": d, "customer": "A", "amount": 1000} for d in months], ws)
    deals = [
        {"deal_id": f"D{i}", "status": "won", "closed": d, "value": 1000}
        for i, d in enumerate(months)
    ]
    deals.append(
        {"deal_id": "F", "status": "open", "created": date(2025, 6, 1), "closed": date(2030, 1, 1)}
    )
    insert(con, "deals", deals, ws)
    r = compute(con, ws, "order_book_cover")
    # Both sources end on 10 Jun 2025 (the open deal counts by its creation, 1 Jun): the
    # complete months before are Jan–May 2025, five, not the six the cover needs.
    assert r.details["as_of"] == date(2025, 6, 10)
    assert r.status == "unknown"
    assert "6 complete months before 10 Jun 2025" in r.message
    assert "your data has 5 complete months before it" in r.message


# ---------------------------------------------------------------- what the page says


def test_the_line_names_each_sources_day() -> None:
    ends = [
        asof.SourceEnd("tickets", date(2023, 12, 31)),
        asof.SourceEnd("invoices", date(2022, 12, 30)),
    ]
    assert asof.sources_line(ends) == (
        "Each figure counts to its own data's last day: invoices run to 30 Dec 2022, "
        "tickets to 31 Dec 2023."
    )
    same = [
        asof.SourceEnd("invoices", date(2022, 12, 30)),
        asof.SourceEnd("deals", date(2022, 12, 30)),
    ]
    assert (
        asof.sources_line(same)
        == "Figures as of 30 Dec 2022, the last day of your invoices and deals."
    )
    assert asof.sources_line(ends, date(2023, 6, 1)) == (
        "Figures as of 1 Jun 2023, a day you picked. Your invoices end on 30 Dec 2022."
    )
    # 366 days apart: the invoices are stale; 90 days is not yet.
    assert [(s.entity, gap) for s, gap in asof.stale(ends)] == [("invoices", 366)]
    assert asof.stale([ends[0], asof.SourceEnd("deals", date(2023, 10, 2))]) == []


def test_every_indicator_says_what_it_reads() -> None:
    for ind in indicators.REGISTRY.values():
        assert ind.reads, ind.id
        assert set(ind.reads) <= set(asof.WORDS), ind.id
        assert ind.anchor in ("first", "latest", "common"), ind.id


@pytest.mark.usefixtures("fresh_streamlit")
def test_pages_say_when_their_sources_end_on_different_days(db_file: Path) -> None:
    con = store.connect(db_file)
    ws = store.create_workspace(con, "Mixed Co").id
    insert(con, "invoices", [{"date": date(2022, 12, 30), "customer": "A", "amount": 5}], ws)
    insert(con, "tickets", [{"opened": date(2023, 12, 31), "customer": "A"}], ws)
    con.close()
    home = run_page("pages/home.py")
    no_failure(home)
    shown = texts(home)
    assert "invoices run to 30 Dec 2022, tickets to 31 Dec 2023" in shown
    assert "Stale:" in shown and "your invoices end on 30 Dec 2022, 366 days before" in shown
    fit = run_page("pages/fit.py")
    no_failure(fit)
    assert "invoices run to 30 Dec 2022, tickets to 31 Dec 2023" in texts(fit)
    niche = run_page("pages/niche.py")
    no_failure(niche)
    assert "Figures as of 30 Dec 2022, the last day of your invoices." in texts(niche)


def test_sources_that_do_not_overlap_say_where_each_lies(con: store.Connection, mixed: int) -> None:
    # Revenue against support burden needs both in one year: the tickets all come after.
    r = compute(con, mixed, "customer_quadrant")
    assert r.status == "unknown"
    assert (
        "Your tickets run from 1 Feb 2023 to 31 Dec 2023, after the invoices' 12 months to "
        "30 Dec 2022" in r.message
    )
