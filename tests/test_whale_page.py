"""The profit whale section on the Customer fit page, headless with AppTest: the section is
put in the page's SECTIONS as the integrator will (after the 80/20 section)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analytics import indicators, snapshots, store
from tests.apptest import no_failure, run_page, texts

pytestmark = pytest.mark.usefixtures("fresh_streamlit")

PAGE = "pages/fit.py"


@pytest.fixture
def with_whale_section() -> Iterator[None]:
    from ui.sections import fit as fit_sections
    from ui.sections.fit_whale import render_profit_whale

    saved = dict(fit_sections.SECTIONS)
    order = list(saved)
    at = order.index("revenue_pareto") + 1
    fit_sections.SECTIONS.clear()
    fit_sections.SECTIONS.update(
        {k: saved[k] for k in order[:at]}
        | {"profit_whale": render_profit_whale}
        | {k: saved[k] for k in order[at:]}
    )
    try:
        yield
    finally:
        fit_sections.SECTIONS.clear()
        fit_sections.SECTIONS.update(saved)


def specs(at: Any) -> list[dict[str, Any]]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def demo_whale(db: Path) -> indicators.Result:
    con = store.connect(db)
    ws = store.list_workspaces(con)[0].id
    result = indicators.compute_all(con, ws, area="fit")["profit_whale"]
    con.close()
    return result


@pytest.mark.usefixtures("with_whale_section")
def test_the_whale_section_on_the_demo(demo_db: Path) -> None:
    r = demo_whale(demo_db)
    assert r.known and r.value is not None and r.value >= 1.0  # the demo shows it
    at = run_page(PAGE)
    no_failure(at)
    pareto_charts = specs(at)  # the first tab: the 80/20 curves
    assert [t.label for t in at.tabs][:2] == ["The top 20%", "Profit whale peak"]
    at = run_page(PAGE, section="Profit whale peak")  # the whale's tab, opened by its link
    no_failure(at)
    shown = texts(at)
    charts = specs(at)
    assert [s["layout"]["title"]["text"] for s in charts] == [
        "The profit whale: running total of profit, most profitable customer first"
    ]
    whale = next(s for s in charts if s["layout"]["title"]["text"].startswith("The profit whale"))
    peak_marker = whale["data"][1]
    d = r.details
    assert peak_marker["x"] == [d["peak_customers"]]
    assert peak_marker["y"][0] == pytest.approx(d["peak_share"] * 100)
    hover = whale["data"][0]["customdata"]  # every customer from the origin, each named
    assert len(hover) == d["customers"] + 1 and hover[0][0] == "(none yet)"
    assert hover[1][0] == r.frame["customer"].iloc[0]
    assert hover[-1][1] == pytest.approx(float(r.frame["profit"].iloc[-1]))
    # the card, its heading, the tail under it and what to do, in the owner's numbers
    assert "Which customers eat your profit?" in shown
    assert "**Profit whale peak**" in shown
    assert "The tail: customers who cost more than they pay" in shown
    worst = d["tail"][0]["customer"]
    assert f"**What to do next:** {d['loss_making']} customers cost you" in shown
    assert worst in shown
    assert "fit_dl_profit_whale_tail" in {str(b.key) for b in at.get("download_button")}
    # the revenue 80/20 curve names both references
    pareto = next(
        s for s in pareto_charts if s["layout"]["title"]["text"] == "Revenue: the 80/20 curve"
    )
    notes = " ".join(a["text"] for a in pareto["layout"].get("annotations", []))
    assert "80/20 rule of thumb" in notes and "McCarthy & Winer" in notes


@pytest.mark.usefixtures("with_whale_section")
def test_a_snapshot_of_the_page_holds_the_whale_and_its_tail(demo_db: Path) -> None:
    r = demo_whale(demo_db)
    at = run_page(PAGE)
    no_failure(at)
    [b for b in at.button if b.label == "Create link"][0].click().run()
    no_failure(at)
    con = store.connect(demo_db)
    ws = store.list_workspaces(con)[0]
    [snap] = snapshots.list_snapshots(con, ws.id)
    blocks = snapshots.frozen(con, ws.id, snap.id).blocks
    con.close()
    whale = [
        b
        for b in blocks
        if b["kind"] == "chart"
        and b["figure"]["layout"]["title"]["text"].startswith("The profit whale")
    ]
    assert len(whale) == 1
    assert whale[0]["figure"]["data"][1]["x"] == [r.details["peak_customers"]]
    tail = [b for b in blocks if b["kind"] == "table" and "Cost to serve" in b["columns"]]
    assert len(tail) == 1 and len(tail[0]["rows"]) == r.details["loss_making"]
    cards = {b["label"]: b for b in blocks if b["kind"] == "card"}
    assert cards["Profit whale peak"]["status"] == r.status


@pytest.mark.usefixtures("with_whale_section")
def test_without_cost_data_the_section_says_what_to_load(invoices_only: Path) -> None:
    # three customers' invoices, no costs, no time entries, no tickets
    at = run_page(PAGE, section="Profit whale peak")
    no_failure(at)
    shown = texts(at)
    assert "Which customers eat your profit?" in shown
    assert "No cost to serve in the 12 months to" in shown
    assert "invoices with a cost column" in shown
    assert not any(s["layout"]["title"]["text"].startswith("The profit whale") for s in specs(at))
    assert "The tail: customers who cost more than they pay" not in shown
