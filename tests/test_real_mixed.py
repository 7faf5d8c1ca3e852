"""Real exports that end on different days, imported through the CLI as an owner would:
Superstore's order lines (invoices to 30 Dec 2019) and an IT support-ticket log (Jan–Mar
2020). Every figure counts to its own data's last day, and the pages say so."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from analytics import store
from tests.apptest import no_failure, run_page, texts
from tests.conftest import ROOT, shared_file


def cli(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if "--json" in args else {}


@pytest.fixture(scope="module")
def mixed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("mixed") / "mixed.duckdb"
    superstore = shared_file("superstore-classic", "superstore.csv")
    common = ("--db", str(db), "--workspace", "Mixed")
    cli("import", *common, "--entity", "invoices", str(superstore))
    for n in (2, 3, 4):
        log = shared_file("support-tickets", f"input_0{n}.csv")
        cli(
            "import",
            *common,
            "--entity",
            "tickets",
            "--map",
            "opened=Timestamp",
            "customer=Ticket",
            str(log),
        )
    # A copy with the invoices alone: the same figures by a second route.
    cli("import", "--db", str(db), "--workspace", "Alone", "--entity", "invoices", str(superstore))
    return db


def last_order_day() -> date:
    with shared_file("superstore-classic", "superstore.csv").open(encoding="utf-8-sig") as f:
        days = [
            date(int(y), int(m), int(d))
            for m, d, y in (r["Order Date"].split("/") for r in csv.DictReader(f))
        ]
    return max(days)


def last_ticket_day() -> date:
    days = []
    for n in (2, 3, 4):
        with shared_file("support-tickets", f"input_0{n}.csv").open(encoding="utf-8-sig") as f:
            days += [date.fromisoformat(r["Timestamp"][:10]) for r in csv.DictReader(f)]
    return max(days)


def test_each_figure_counts_to_its_own_sources_last_day(mixed_store: Path) -> None:
    mixed = cli("kpis", "--db", str(mixed_store), "--workspace", "Mixed", "--json")
    alone = cli("kpis", "--db", str(mixed_store), "--workspace", "Alone", "--json")
    invoices_end, tickets_end = last_order_day(), last_ticket_day()
    assert invoices_end == date(2019, 12, 30) and tickets_end > invoices_end
    assert mixed["as_of"] == tickets_end.isoformat()  # the latest thing that happened
    figures = mixed["indicators"]
    for ind_id in ("lately_vs_lifetime", "revenue_pareto", "segment_growth", "churn_rate"):
        assert figures[ind_id]["details"]["as_of"] == invoices_end.isoformat(), ind_id
        # The tickets change nothing in a revenue figure.
        same = alone["indicators"][ind_id]
        assert (figures[ind_id]["value"], figures[ind_id]["message"]) == (
            same["value"],
            same["message"],
        ), ind_id
    # Gone quiet counts the 90 days to the invoices' end, not to the tickets'.
    since = invoices_end - timedelta(days=90) + timedelta(days=1)
    assert f"since {since.day} {since:%b %Y}" in figures["lately_vs_lifetime"]["message"]
    assert figures["lately_vs_lifetime"]["value"] < 10
    # The ticket figure reads the tickets, on their own day.
    tickets = figures["ticket_pareto"]
    assert tickets["details"]["as_of"] == tickets_end.isoformat()
    assert "No tickets loaded yet" not in tickets["message"]


@pytest.mark.usefixtures("fresh_streamlit")
def test_the_pages_say_the_sources_end_on_different_days(
    mixed_store: Path, db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(store.DB_ENV, str(mixed_store))
    tickets_end = last_ticket_day()
    line = f"invoices run to 30 Dec 2019, tickets to {tickets_end.day} {tickets_end:%b %Y}"
    for page in ("pages/home.py", "pages/fit.py", "pages/scoreboard.py"):
        at = run_page(page, ws="Mixed")
        no_failure(at)
        assert line in texts(at), page
