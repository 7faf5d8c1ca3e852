"""All indicators together: the demo's planted patterns are found, `kpis --json` is complete,
and the real exports in ../shared/data give numbers or a plain reason — never an exception."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from analytics import demo, importer, indicators, store
from tests.conftest import ROOT, shared_file


@pytest.fixture(scope="module")
def demo_results(demo_read: store.Connection, demo_ws: int) -> dict[str, indicators.Result]:
    return indicators.compute_all(demo_read, demo_ws)


def kpis(db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`python -m analytics kpis --json` on the demo workspace of `db`, with `extra` options."""
    return subprocess.run(
        [sys.executable, "-m", "analytics", "kpis", "--db", str(db)]
        + ["--workspace", demo.DEMO_WORKSPACE, *extra, "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_kpis_json_has_every_indicator_as_plain_json(demo_db: Path) -> None:
    proc = kpis(demo_db)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["workspace"] == demo.DEMO_WORKSPACE
    assert out["as_of"] == demo.DEFAULT_END_DATE.isoformat()
    assert set(out["indicators"]) == set(indicators.REGISTRY)
    for ind_id, r in out["indicators"].items():
        assert set(r) == {"value", "status", "message", "details"}, ind_id
        assert r["status"] in ("green", "amber", "red", "unknown")
        assert r["message"], ind_id
        if r["status"] == "unknown":
            assert r["value"] is None
        else:
            assert isinstance(r["value"], int | float) and not isinstance(r["value"], bool), ind_id


def test_kpis_as_of_an_earlier_day(demo_db: Path) -> None:
    proc = kpis(demo_db, "--as-of", "2025-06-30")
    out = json.loads(proc.stdout)
    assert out["as_of"] == "2025-06-30"
    growth = out["indicators"]["segment_growth"]
    assert growth["details"]["as_of"] == "2025-06-30"  # the picked day, not the last invoice


def test_the_saturating_niche_is_flagged(demo_results: dict[str, indicators.Result]) -> None:
    r = demo_results["segment_saturation"]
    assert r.value is not None and r.value >= 1
    assert "Dental practices" in r.details["saturating"]
    assert r.status in ("amber", "red")
    assert "Dental practices" in r.message


def test_the_prospecting_gap_breaks_the_streak_then_opens_a_hole(
    demo_results: dict[str, indicators.Result],
) -> None:
    prospecting = demo_results["prospecting_hours"]
    # The demo stops prospecting for about six weeks, some five months before its end.
    assert prospecting.details["longest_gap_weeks"] >= 5
    gap_end = prospecting.details["longest_gap_ended"]
    assert date(2026, 4, 1) <= gap_end <= date(2026, 7, 31)
    # Bookings fall short right after it, and invoicing dips about two months later.
    book = demo_results["order_book_cover"]
    assert book.details["lag_months"] == 2 and book.details["lag_estimated"] is True
    hole = book.details["last_hole"]
    assert hole is not None and hole["revenue_change"] < -0.05
    short, hit = hole["bookings_short"][0], hole["cash_hit"][0]
    assert (hit.year * 12 + hit.month) - (short.year * 12 + short.month) == 2
    assert 0 <= (short.year * 12 + short.month) - (gap_end.year * 12 + gap_end.month) <= 2
    assert "It happened before" in book.message


def test_the_unsustainable_technician_is_named(demo_results: dict[str, indicators.Result]) -> None:
    r = demo_results["workload_pace"]
    people = {p["person"]: p for p in r.details["people"]}
    fastest = max(people.values(), key=lambda p: p["mean_hours"])
    assert fastest["mean_hours"] > 55 and fastest["too_fast"] >= 10
    assert str(fastest["person"]) in r.message


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Superstore as invoices (+ segments) and Maven CRM (deals + accounts), imported as a user would."""
    path = tmp_path_factory.mktemp("real") / "real.duckdb"
    con = store.connect(path)
    superstore = store.create_workspace(con, "Superstore")
    ss = shared_file("superstore-classic", "superstore.csv")
    importer.import_file(
        con, superstore.id, ss, entity="invoices", mapping={"customer": "Customer Name"}
    )
    importer.import_file(
        con,
        superstore.id,
        ss,
        entity="customers",
        mapping={"customer": "Customer Name", "segment": "Segment"},
    )
    maven = store.create_workspace(con, "Maven")
    importer.import_file(con, maven.id, shared_file("maven-crm", "accounts.csv"))
    importer.import_file(con, maven.id, shared_file("maven-crm", "sales_pipeline.csv"))
    con.close()
    return path, {"superstore": superstore.id, "maven": maven.id}


@pytest.mark.parametrize("which", ["superstore", "maven"])
def test_real_exports_give_numbers_or_a_reason(
    real_store: tuple[Path, dict[str, int]], which: str
) -> None:
    path, ids = real_store
    con = store.connect(path)
    try:
        results = indicators.compute_all(con, ids[which])
    finally:
        con.close()
    assert set(results) == set(indicators.REGISTRY)
    for ind_id, r in results.items():
        json.dumps(indicators.result_json(r))
        assert r.message, ind_id
        if r.status == "unknown":
            assert r.value is None, ind_id
        else:
            assert r.value is not None and math.isfinite(r.value), ind_id


def area_results(
    real_store: tuple[Path, dict[str, int]], source: str, area: str
) -> dict[str, indicators.Result]:
    """One area's figures for one of the real exports' workspaces."""
    path, ids = real_store
    con = store.connect(path)
    try:
        return indicators.compute_all(con, ids[source], area=area)
    finally:
        con.close()


def test_superstore_niche_figures_make_sense(real_store: tuple[Path, dict[str, int]]) -> None:
    r = area_results(real_store, "superstore", "niche")
    # Three segments (Consumer, Corporate, Home Office): horizontal, and revenue grew in 2019.
    assert {s["segment"] for s in r["segment_growth"].details["segments"]} == {
        "Consumer",
        "Corporate",
        "Home Office",
    }
    assert r["segment_growth"].value is not None and r["segment_growth"].value > 0
    assert 1 / 3 <= r["segment_concentration"].value < 0.5


def test_maven_pace_reads_its_deals(real_store: tuple[Path, dict[str, int]]) -> None:
    r = area_results(real_store, "maven", "pace")
    # Deals but no invoices: the order book cannot be compared with revenue, and says so.
    assert r["order_book_cover"].status == "unknown"
    assert "invoices" in r["order_book_cover"].message
    # Salespeople are still ranked lately vs lifetime? No invoices → not by customer revenue.
    assert r["lately_vs_lifetime"].status == "unknown"
