"""Small bases and incomplete periods give "not enough data" with the reason and the fix,
never a coloured number (issue 11); every expected figure is worked out in the comments."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from analytics import indicators, store
from analytics.settings import SETTINGS, SettingError, defaults, save_settings
from tests.conftest import insert_rows as insert


def settings(**overrides: Any) -> dict[str, Any]:
    return {**defaults(), **overrides}


def run(
    con: store.Connection, ws: int, ind_id: str, as_of: date, **overrides: Any
) -> indicators.Result:
    ctx = indicators.Context(con, ws, as_of, settings(**overrides), explicit=True)
    return indicators.compute(indicators.get(ind_id), ctx)


def invoices(con: store.Connection, ws: int, rows: list[tuple[date, str, float]]) -> None:
    insert(con, "invoices", [{"date": d, "customer": c, "amount": a} for d, c, a in rows], ws)
    store.reconcile_customers(con.cursor(), ws)
    store.refresh_facts(con, ws)  # what an import does after writing rows


def segments(con: store.Connection, ws: int, of: dict[str, str]) -> None:
    con.cursor().executemany(
        "INSERT INTO customers (workspace_id, customer, segment) VALUES (?, ?, ?)",
        [(ws, name, segment) for name, segment in of.items()],
    )
    store.refresh_facts(con, ws)  # what an import does after writing rows


def months(first: date, last: date) -> list[date]:
    """The 15th of every month from `first`'s month to `last`'s."""
    out, day = [], first.replace(day=15)
    while day <= last:
        out.append(day)
        day = (day.replace(day=1) + timedelta(days=32)).replace(day=15)
    return out


def plain(result: indicators.Result) -> None:
    json.dumps(indicators.result_json(result), allow_nan=False)


# ---------------------------------------------------------------- the helper


def test_too_few_keeps_the_figure_and_its_count_but_no_colour() -> None:
    ind = indicators.get("discount_depth")
    r = ind.too_few(0.75, 4, 5, "deal", count="3 of 4 deals", fix="Load more deals.")
    assert (r.value, r.status, r.known) == (None, "unknown", False)
    assert r.details == {"value": 0.75, "count": 4, "needed": 5, "too_few": True}
    assert (
        r.message
        == "75.0% (3 of 4 deals) — too few to judge; needs at least 5 deals. Load more deals."
    )


def test_the_minimums_live_in_settings_with_their_defaults() -> None:
    chosen = {k: s.default for k, s in SETTINGS.items() if s.group == "Minimum bases"}
    assert chosen == {
        "min_cases": 5,
        "min_customers_top20": 10,
        "min_customers_top4": 25,
        "comparison_months_needed": 10,
        "growth_min_customers": 5,
    }


# ---------------------------------------------------------------- growth on an incomplete year


@pytest.fixture
def two_prior_months(con: store.Connection, workspace: store.Workspace) -> int:
    # Six customers invoice 100 on the 3rd of every month from 3 Jan 2019 to 3 Feb 2020.
    rows = [
        (d.replace(day=3), c, 100.0)
        for d in months(date(2019, 1, 1), date(2020, 2, 29))
        for c in "ABCDEF"
    ]
    invoices(con, workspace.id, rows)
    segments(con, workspace.id, {c: "Legal" if c in "ABC" else "Health" for c in "ABCDEF"})
    return workspace.id


def test_growth_against_a_part_year_is_unknown_with_the_fix(
    con: store.Connection, two_prior_months: int
) -> None:
    # As of 29 Feb 2020 the year compared against runs 1 Mar 2018 – 28 Feb 2019 and holds
    # invoices in 2 of its months (Jan, Feb 2019): 1,200 against 7,200 since would read +500 %.
    r = run(con, two_prior_months, "segment_growth", date(2020, 2, 29))
    assert (r.value, r.status) == (None, "unknown")
    assert r.message == (
        "Your invoices start on 3 Jan 2019; a growth rate needs invoices in at least 10 of the "
        "12 months before 1 Mar 2019 (1 Mar 2018 to 28 Feb 2019), and 2 of them have any. "
        "Load older invoices, from 1 Mar 2018 on, to see it."
    )
    assert r.details["comparison_months_with_invoices"] == 2
    # the segments' revenue is still there for the page, without a growth rate
    assert r.frame["growth"].isna().all() and r.frame["revenue"].sum() == pytest.approx(7200)
    plain(r)
    # Saturation compares the same years.
    s = run(con, two_prior_months, "segment_saturation", date(2020, 2, 29))
    assert s.status == "unknown"


def test_the_months_needed_are_a_setting(con: store.Connection, two_prior_months: int) -> None:
    # With 2 months enough: (7,200 - 1,200) / 1,200 = +500 %, 6 customers the year before.
    r = run(con, two_prior_months, "segment_growth", date(2020, 2, 29), comparison_months_needed=2)
    assert r.value == pytest.approx(5.0) and r.status == "green"


def test_growth_on_too_few_customers_is_shown_but_not_judged(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    # X invoices 100 a month from Jul 2023 to Jun 2025 (every month of both years); five new
    # customers bring 100 each in Mar 2025. Prior 1,200 from 1 customer; now 1,200 + 500.
    rows = [(d, "X", 100.0) for d in months(date(2023, 7, 1), date(2025, 6, 30))]
    rows += [(date(2025, 3, 10), c, 100.0) for c in "PQRST"]
    invoices(con, ws, rows)
    segments(con, ws, {"X": "Legal", **{c: "Health" for c in "PQRST"}})
    r = run(con, ws, "segment_growth", date(2025, 6, 30))
    # (1,700 - 1,200) / 1,200 = 41.7 %
    assert (r.value, r.status) == (None, "unknown")
    assert r.details["value"] == pytest.approx(500 / 1200) and r.details["count"] == 1
    assert r.message.startswith(
        "41.7% ($1,700 against $1,200 from 1 customer in the 12 months before) — too few to "
        "judge; needs at least 5 customers."
    )
    # a segment's own rate on 1 customer is blanked too
    legal = next(s for s in r.details["segments"] if s["segment"] == "Legal")
    assert legal["growth"] is None and legal["customers_prior"] == 1
    # with a base of 1 allowed it is judged: +41.7 % is green
    assert run(con, ws, "segment_growth", date(2025, 6, 30), growth_min_customers=1).status == (
        "green"
    )


# ---------------------------------------------------------------- Pareto on five customers

FIVE = {"A": 500.0, "B": 200.0, "C": 150.0, "D": 100.0, "E": 50.0}


@pytest.fixture
def five_customers(con: store.Connection, workspace: store.Workspace) -> int:
    invoices(con, workspace.id, [(date(2025, 3, 1), c, a) for c, a in FIVE.items()])
    return workspace.id


def test_pareto_on_five_customers_is_a_count_not_a_colour(
    con: store.Connection, five_customers: int
) -> None:
    # top 20 % = ceil(1) = 1 customer, A: 500 / 1,000 = 50 %; top 4 % would be A again.
    r = run(con, five_customers, "revenue_pareto", date(2025, 6, 30))
    assert (r.value, r.status) == (None, "unknown")
    assert r.details["value"] == pytest.approx(0.5) and r.details["count"] == 5
    assert r.message.startswith(
        "50.0% (the top 20% is 1 customer of the 5 with revenue in the 12 months to "
        "30 Jun 2025) — too few to judge; needs at least 10 customers."
    )
    assert "top 4%" not in r.message
    plain(r)


def test_pareto_leaves_the_top_4_percent_out_below_its_minimum(
    con: store.Connection, five_customers: int
) -> None:
    r = run(con, five_customers, "revenue_pareto", date(2025, 6, 30), min_customers_top20=5)
    assert r.value == pytest.approx(0.5) and r.status == "green"  # ≤ 80 %
    assert "The top 4% is left out below 25 customers: with 5 it would be 1 customer" in (r.message)
    assert r.details["top4_share"] is None
    both = run(
        con,
        five_customers,
        "revenue_pareto",
        date(2025, 6, 30),
        min_customers_top20=5,
        min_customers_top4=5,
    )
    assert "the top 4% (1 customer) brought 50.0%" in both.message


# ---------------------------------------------------------------- rates over a handful of cases


def test_discounts_on_three_deals_are_too_few(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    won = {"D1": (1000, 900), "D2": (1000, 800), "D3": (1000, 1000)}  # 10 %, 20 % (deep), 0 %
    insert(
        con,
        "deals",
        [
            {"deal_id": d, "status": "won", "closed": date(2025, 5, 1), "owner": "Ann"}
            | {"list_value": lv, "value": v}
            for d, (lv, v) in won.items()
        ],
        ws,
    )
    r = run(con, ws, "discount_depth", date(2025, 6, 30))
    # median of 10 %, 20 %, 0 % = 10 %
    assert (r.value, r.status) == (None, "unknown")
    assert r.message.startswith(
        "10.0% (median of 3 won deals; 1 of them discounted more than 15.0%) — too few to "
        "judge; needs at least 5 won deals with a list value."
    )
    assert r.details["priced_deals"] == 3 and r.details["value"] == pytest.approx(0.1)
    # min_cases is the owner's: with 3 enough, 10 % is judged: amber (green ≤ 5 %, red > 10 %)
    judged = run(con, ws, "discount_depth", date(2025, 6, 30), min_cases=3)
    assert judged.value == pytest.approx(0.1) and judged.status == "amber"


def test_workload_over_four_person_weeks_is_too_few(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    week_hours = {date(2025, 3, 3): 50, date(2025, 3, 10): 40, date(2025, 3, 17): 40}
    week_hours[date(2025, 3, 24)] = 40
    insert(
        con,
        "time_entries",
        [{"date": d, "person": "Ana", "hours": h} for d, h in week_hours.items()],
        ws,
    )
    r = run(con, ws, "workload_pace", date(2025, 3, 30), pace_weeks=4)
    # 1 of 4 weeks above 45 h = 25 %
    assert r.status == "unknown" and r.details["value"] == pytest.approx(0.25)
    assert "25.0% (1 of 4 person-weeks outside 30–45 h) — too few to judge" in r.message


# ---------------------------------------------------------------- prospecting types


@pytest.fixture
def meetings_only(con: store.Connection, workspace: store.Workspace) -> int:
    # One meeting and one site visit a week in March 2025, no minutes, no time entries.
    rows = [
        {"date": d + timedelta(days=k), "type": t}
        for d in (date(2025, 3, 4), date(2025, 3, 11), date(2025, 3, 18), date(2025, 3, 25))
        for k, t in enumerate(("Meeting", "Site visit"))
    ]
    insert(con, "activities", rows, workspace.id)
    return workspace.id


def test_no_prospecting_type_is_unknown_not_zero(con: store.Connection, meetings_only: int) -> None:
    r = run(con, meetings_only, "prospecting_hours", date(2025, 3, 30), pace_weeks=4)
    assert (r.value, r.status) == (None, "unknown")
    assert "none of your activity types (Meeting, Site visit) counts as prospecting" in r.message
    assert "Activity types that count as prospecting" in r.message
    assert r.details["activity_types"] == ["Meeting", "Site visit"]


def test_prospecting_types_are_the_owners_choice(con: store.Connection, meetings_only: int) -> None:
    # Meetings count: 1 a week at the default 60 min for a prospecting activity = 1.0 h.
    r = run(
        con,
        meetings_only,
        "prospecting_hours",
        date(2025, 3, 30),
        pace_weeks=4,
        prospecting_types=["meeting"],
    )
    assert r.value == pytest.approx(1.0) and r.status == "green"


def test_the_prospecting_list_is_validated_and_saved(
    con: store.Connection, workspace: store.Workspace
) -> None:
    saved = save_settings(con, workspace.id, {"prospecting_types": " Site visit, cold ,,COLD"})
    assert saved["prospecting_types"] == ["Site visit", "cold"]
    with pytest.raises(SettingError, match="list of names"):
        save_settings(con, workspace.id, {"prospecting_types": 3})
    with pytest.raises(SettingError, match="at most 50 names"):
        save_settings(con, workspace.id, {"prospecting_types": [f"t{i}" for i in range(51)]})


# ---------------------------------------------------------------- segments


def test_saturation_and_concentration_need_real_segments(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    # Three years of invoices from ten customers, none with a segment (an invoices-only export).
    rows = [
        (d, f"C{i}", 100.0 * i)
        for d in months(date(2022, 7, 1), date(2025, 6, 1))
        for i in range(10)
    ]
    invoices(con, ws, rows)
    for ind_id in ("segment_saturation", "segment_concentration"):
        r = run(con, ws, ind_id, date(2025, 6, 30))
        assert (r.value, r.status) == (None, "unknown"), ind_id
        assert "segment or industry column" in r.message, ind_id
    assert (
        "pooled as '(no segment)'" in run(con, ws, "segment_saturation", date(2025, 6, 30)).message
    )
    # One named segment beside unnamed customers is not a spread of niches either: C5–C9 in
    # Legal bring 35 of every 45 (78 %, enough to pass the unsegmented-share check), the rest
    # has no segment.
    segments(con, ws, {f"C{i}": "Legal" for i in range(5, 10)})
    r = run(con, ws, "segment_concentration", date(2025, 6, 30))
    assert r.status == "unknown" and r.message.startswith("Only one segment (Legal)")
    assert run(con, ws, "segment_saturation", date(2025, 6, 30)).message.startswith(
        "Only one segment (Legal)"
    )
