"""The Sales vs tech page as an owner meets it, headless with AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics import indicators, store
from tests.apptest import PAGE_FILES, each_tab, no_failure, run_page, texts

pytestmark = pytest.mark.usefixtures("fresh_streamlit")

PAGE = "pages/friction.py"


def chart_titles(at: object) -> list[str]:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]  # type: ignore[attr-defined]
    return [s["layout"].get("title", {}).get("text", "") for s in specs]


def test_the_page_is_registered() -> None:
    assert PAGE in PAGE_FILES


def test_empty_store_says_what_to_load() -> None:
    at = run_page(PAGE)
    no_failure(at)
    assert "Nothing to show yet" in texts(at)


def test_invoices_only_asks_for_deals_and_timesheets(invoices_only: Path) -> None:
    at = run_page(PAGE)
    no_failure(at)
    shown = texts(at)
    assert "needs your pipeline and your timesheets" in shown
    assert not at.get("plotly_chart")


def test_the_demo_shows_every_section(demo_db: Path) -> None:
    at = run_page(PAGE)
    no_failure(at)
    # the discount chart draws the deep-discount line (the first tab's, open at first)
    discount = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert any("Deep discount" in a["text"] for a in discount["layout"]["annotations"])
    # every figure's card and headline: tests/test_registry_contract.py
    titles, texts_seen, captions, downloads = [], [], [], 0
    for step in each_tab(at):
        titles += chart_titles(step)
        texts_seen.append(texts(step))
        captions += [c.value for c in step.caption]
        downloads += len(step.get("download_button"))
    shown = "\n".join(texts_seen)
    assert any(t.startswith("Discount off list") for t in titles)
    assert any(t.startswith("Estimated vs actual") for t in titles)
    assert any("technical presales" in t for t in titles)
    assert any(t.startswith("Hours logged per person per week") for t in titles)
    # status is a word and an icon, never a colour alone
    assert any("Act now" in c or "Watch" in c for c in captions)
    assert "What to do next" in shown
    assert downloads  # the cut-and-run list


def test_the_salesperson_filter_lives_in_the_url(demo_db: Path) -> None:
    con = store.connect(demo_db)
    ws = store.list_workspaces(con)[0]
    result = indicators.compute_all(con, ws.id, area="friction")["discount_depth"]
    con.close()
    discounter = result.details["discount_happy"][0]
    at = run_page(PAGE, salesperson=discounter)
    no_failure(at)
    assert at.multiselect(key="friction_salespeople").value == [discounter]
    assert at.query_params.get("salesperson") == discounter
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    discount = next(s for s in specs if s["layout"]["title"]["text"].startswith("Discount"))
    assert [t["name"] for t in discount["data"]] == [discounter]
    # the per-salesperson table under the discount chart shows only them
    assert at.dataframe[0].value["Salesperson"].tolist() == [discounter]
    # so does the next tab's picture, opened by its link
    effort_at = run_page(PAGE, salesperson=discounter, section="Hours over estimate")
    no_failure(effort_at)
    specs = [json.loads(c.proto.spec) for c in effort_at.get("plotly_chart")]
    effort = next(s for s in specs if s["layout"]["title"]["text"].startswith("Estimated"))
    assert [t["name"] for t in effort["data"] if t["mode"] == "markers"] == [discounter]
    # picking someone else writes them back to the URL, for a link that reopens this view
    other = next(o for o in at.multiselect(key="friction_salespeople").options if o != discounter)
    at.multiselect(key="friction_salespeople").set_value([other]).run()
    no_failure(at)
    assert at.query_params.get("salesperson") == other
    assert at.dataframe[0].value["Salesperson"].tolist() == [other]
