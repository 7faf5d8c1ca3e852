"""The Customer fit page as an owner meets it, headless with AppTest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analytics import indicators, store
from tests.apptest import PAGE_FILES, each_tab, every_tab, no_failure, run_page, texts

pytestmark = pytest.mark.usefixtures("fresh_streamlit")

PAGE = "pages/fit.py"


def chart_titles(at: Any) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def test_fit_page_is_registered() -> None:
    assert PAGE in PAGE_FILES


def test_fit_on_an_empty_store_says_what_to_load() -> None:
    at = run_page(PAGE)
    no_failure(at)
    assert at.title[0].value == "Customer fit"
    assert "load the demo business or your own invoices" in texts(at)


def test_fit_on_invoices_only_explains_every_missing_figure(invoices_only: Path) -> None:
    at, shown, _ = every_tab(PAGE)
    # three customers: too few for 80/20, but the top-3 benchmark answers (all of it)
    assert "too few to judge; needs at least 10 customers" in shown
    assert "Load your support tickets" in shown
    assert "recurring column" in shown
    metrics = {m.label: m.value for m in at.metric if m.label}
    assert metrics["Revenue from top 20%"] == "—"
    assert metrics["Revenue from top 3"] == "100.0%"


def test_fit_opens_on_the_first_tab_with_a_figure(invoices_only: Path) -> None:
    # Three customers' invoices: too few for the 80/20 curves, and no tickets, costs or time
    # for the tabs after them; the top-3 share (100 %) is the first figure worked out.
    at = run_page(PAGE)
    no_failure(at)
    assert "section" not in at.query_params  # no link needed for the tab a page opens on
    shown = texts(at)
    assert "Benchmarks for a service business" in shown
    assert "Who brings the revenue, who brings the trouble?" not in shown  # the first tab's
    assert not at.get("plotly_chart") or all(
        "80/20" not in json.loads(c.proto.spec)["layout"]["title"]["text"]
        for c in at.get("plotly_chart")
    )
    # the first tab is still there, by its link
    at = run_page(PAGE, section="The top 20%")
    no_failure(at)
    assert "Who brings the revenue, who brings the trouble?" in texts(at)


def test_fit_on_the_demo_shows_every_section(demo_db: Path) -> None:
    at = run_page(PAGE)
    no_failure(at)
    # one tab per section, the first open: only its charts are drawn
    assert [t.label for t in at.tabs] == [
        "The top 20%",
        "Profit whale peak",
        "Ideal customers' revenue",
        "Customers losing money",
        "Customers lost in a year",
        "Top customers neglected",
        "Ideal profile lift",
        "Benchmarks",
    ]
    assert chart_titles(at) == ["Revenue: the 80/20 curve", "Complaints: the 80/20 curve"]
    titles, shown, downloads = [], [], 0
    for step in each_tab(at):
        titles += chart_titles(step)
        shown.append(texts(step))
        downloads += len(step.get("download_button"))
    assert "Revenue: the 80/20 curve" in titles
    assert "Complaints: the 80/20 curve" in titles
    assert any(t.startswith("Value against burden") for t in titles)
    assert any(t.startswith("Customers who cost more than they paid") for t in titles)
    assert any(t.startswith("Customers lost each year") for t in titles)
    assert any(t.startswith("Top customers by days since") for t in titles)
    assert any(t.startswith("How much more common") for t in titles)
    assert len(titles) == 10  # each chart once: a tab draws only its own
    shown = "\n".join(shown)
    # every figure's card and headline: tests/test_registry_contract.py
    # every status in words, and the lists come with downloads
    assert "Act now" in shown or "Watch" in shown
    assert downloads >= 5
    # the contact list names the customers the card names
    con = store.connect(demo_db)
    gaps = indicators.compute_all(con, store.list_workspaces(con)[0].id, area="fit")
    con.close()
    first = gaps["contact_gaps"].details["customers_not_contacted"][0]["customer"]
    assert first in shown


def test_fit_filters_live_in_the_url(demo_db: Path) -> None:
    at = run_page(PAGE, tickets="all", segment="Dental practices")
    no_failure(at)
    assert at.query_params.get("tickets") == "all"
    assert at.multiselect(key="fit_segments").value == ["Dental practices"]
    titles = chart_titles(at)
    assert "Tickets: the 80/20 curve" in titles  # every ticket, not only complaints
    assert "Showing the customers of Dental practices only" in texts(at)
    # a link to another tab keeps the filters: the value-vs-burden tab
    at = run_page(
        PAGE, tickets="all", segment="Dental practices", section="Ideal customers' revenue"
    )
    no_failure(at)
    assert at.multiselect(key="fit_segments").value == ["Dental practices"]
    # the value-vs-burden picture shows Dental practices only
    scatter = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if json.loads(c.proto.spec)["layout"]["title"]["text"].startswith("Value against burden")
    )
    con = store.connect(demo_db)
    segment = dict(
        con.execute(
            "SELECT customer, segment FROM customers_current WHERE workspace_id = $w",
            {"w": store.list_workspaces(con)[0].id},
        ).fetchall()
    )
    con.close()
    # customdata rows: [customer, revenue, burden]
    shown_customers = {row[0] for trace in scatter["data"] for row in trace["customdata"]}
    assert shown_customers and {segment[c] for c in shown_customers} == {"Dental practices"}
