"""Scoreboard, Pace, Niche growth and Settings as an owner meets them, headless with AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics import indicators, store
from analytics.settings import get_settings
from tests.apptest import PAGE_FILES, each_tab, every_tab, no_failure, run_page, texts

pytestmark = pytest.mark.usefixtures("fresh_streamlit")

INDICATOR_PAGES = ["pages/scoreboard.py", "pages/pace.py", "pages/niche.py", "pages/settings.py"]


def test_indicator_pages_are_registered() -> None:
    assert set(INDICATOR_PAGES) <= set(PAGE_FILES)


@pytest.mark.parametrize("page", INDICATOR_PAGES)
def test_pages_render_on_a_workspace_holding_only_invoices(invoices_only: Path, page: str) -> None:
    at = run_page(page)
    no_failure(at)
    assert at.title


def test_pace_on_invoices_only_says_what_data_is_missing(invoices_only: Path) -> None:
    at, shown, _ = every_tab("pages/pace.py")
    # Not zero: a reason and what to load.
    assert "Load your sales activities" in shown
    assert "Import your deals" in shown
    assert "Import timesheets" in shown
    metrics = {m.label: m.value for m in at.metric if m.label}
    assert metrics["Prospecting hours per week"] == "—"


def test_scoreboard_lists_every_indicator_reds_first(demo_db: Path) -> None:
    at = run_page("pages/scoreboard.py")
    no_failure(at)
    shown = texts(at)
    for ind in indicators.REGISTRY.values():
        assert ind.label in shown, ind.id
    # Cards come in status order: every red or amber card above every green one.
    con = store.connect(demo_db)
    results = indicators.compute_all(con, store.list_workspaces(con)[0].id)
    con.close()
    where = {i: shown.index(f"**{indicators.get(i).label}**") for i in results}
    needs_you = [where[i] for i, r in results.items() if r.status in ("red", "amber")]
    fine = [where[i] for i, r in results.items() if r.status == "green"]
    assert needs_you and fine
    assert max(needs_you) < min(fine)
    # The weekly scorecard: one row per measurable the demo has data for (all nine).
    scorecard = at.dataframe[-1].value
    assert len(scorecard) == 9
    assert "Prospecting hours" in scorecard["Measurable"].tolist()


def test_pace_on_the_demo_shows_its_charts_and_the_gap(demo_db: Path) -> None:
    at, shown, charts = every_tab("pages/pace.py")
    assert len(charts) >= 4
    titles = [json.loads(c)["layout"]["title"]["text"] for c in charts]
    assert "Prospecting hours per week" in titles
    assert any(t.startswith("Bookings vs revenue") for t in titles)
    assert "longest gap was" in shown


def test_niche_filters_live_in_the_url(demo_db: Path) -> None:
    at = run_page("pages/niche.py", grain="year", segment="Dental practices")
    no_failure(at)
    assert at.query_params.get("grain") == "year"
    assert at.multiselect(key="niche_segments").value == ["Dental practices"]
    revenue_chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["name"] for t in revenue_chart["data"]] == ["Dental practices"]


def test_settings_are_saved_per_workspace_and_take_effect(demo_db: Path) -> None:
    at = run_page("pages/settings.py")
    no_failure(at)
    con = store.connect(demo_db)
    ws = store.list_workspaces(con)[0]
    con.close()
    at.selectbox(key=f"setting_{ws.id}_currency").set_value("EUR")
    at.number_input(key=f"setting_{ws.id}_prospecting_target_hours").set_value(2.5)
    at.button[0].click().run()
    no_failure(at)
    con = store.connect(demo_db)
    saved = get_settings(con, ws.id)
    con.close()
    assert saved["currency"] == "EUR" and saved["prospecting_target_hours"] == 2.5
    at.switch_page("pages/pace.py").run()
    assert "2.5 h prospecting target" in texts(at)  # the first tab: prospecting
    assert "€" in "\n".join(texts(step) for step in each_tab(at))


def test_niche_shows_whole_periods_and_one_decimal_percentages(demo_db: Path) -> None:
    at = run_page("pages/niche.py")
    no_failure(at)
    # Shares are shown as percentages (× 100, one decimal), so a column of them sums to 100.
    table = next(df.value for df in at.dataframe if "Share" in df.value.columns)
    assert abs(float(table["Share"].sum()) - 100) < 0.01
    # The demo runs to 31 Oct 2026: the quarter from 1 Oct is not over and is left out.
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    last = max(str(x) for trace in spec["data"] for x in trace["x"])
    assert last.startswith("2026-07-01")
    assert "is not over yet" in texts(at)


def test_settings_show_the_minimum_bases_and_the_prospecting_types(demo_db: Path) -> None:
    at = run_page("pages/settings.py")
    no_failure(at)
    assert "Minimum bases" in [h.value for h in at.subheader]
    con = store.connect(demo_db)
    ws = store.list_workspaces(con)[0]
    con.close()
    types = at.multiselect(key=f"setting_{ws.id}_prospecting_types")
    # the chosen words first, then the demo's own activity types not among them
    assert types.value[:3] == ["prospect", "outreach", "cold"]
    assert "meeting" in types.options and "cold call" in types.options
    types.set_value(["cold call", "meeting"])
    at.number_input(key=f"setting_{ws.id}_min_cases").set_value(8)
    at.button[0].click().run()
    no_failure(at)
    con = store.connect(demo_db)
    saved = get_settings(con, ws.id)
    con.close()
    assert saved["prospecting_types"] == ["cold call", "meeting"] and saved["min_cases"] == 8


def test_niche_ends_with_a_tab_of_what_a_customer_is_worth(demo_db: Path) -> None:
    at = run_page("pages/niche.py")
    no_failure(at)
    assert [t.label for t in at.tabs] == [
        "Revenue growth by segment",
        "Saturating segments",
        "Segment concentration",
        "What a customer is worth",
    ]
    assert "What a customer in each segment is worth" not in texts(at)  # not the open tab
    at = run_page("pages/niche.py", section="What a customer is worth")
    no_failure(at)
    assert "What a customer in each segment is worth" in texts(at)
    [table] = [d.value for d in at.dataframe if "Revenue per customer (USD)" in d.value.columns]
    # money in the business's currency, in whole units
    assert (table["Revenue per customer (USD)"] % 1 == 0).all()
    assert (table["Margin per customer (USD)"] % 1 == 0).all()
    # a row per segment that invoiced in the 12 months to the demo's last invoice
    con = store.connect(demo_db)
    ws = store.list_workspaces(con)[0]
    segments = con.execute(
        """
        SELECT count(DISTINCT coalesce(nullif(trim(c.segment), ''), '(no segment)'))
        FROM invoices AS i
        LEFT JOIN customers_current AS c
            ON c.workspace_id = i.workspace_id AND c.customer = i.customer
        WHERE i.workspace_id = $ws AND i.customer IS NOT NULL
            AND i.date > (SELECT max(date) FROM invoices WHERE workspace_id = $ws)
                - INTERVAL 12 MONTH
        """,
        {"ws": ws.id},
    ).fetchone()[0]
    con.close()
    assert len(table) == segments


def test_pace_order_book_months_are_money_in_whole_units(demo_db: Path) -> None:
    at = run_page("pages/pace.py", section="Order book cover (next 2 months)")
    no_failure(at)
    [months] = [d.value for d in at.dataframe if "Invoiced (USD)" in d.value.columns]
    for column in ("Won (USD)", "Invoiced (USD)", "Expected from bookings (USD)"):
        values = months[column].dropna()
        assert len(values) and (values % 1 == 0).all(), column
    # the newest month first, at most three years of them
    assert 0 < len(months) <= 36
    assert months["Month"].is_monotonic_decreasing
