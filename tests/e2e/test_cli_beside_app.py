"""The command line beside a running app: with the app serving the demo store and a page
viewed (the page keeps being reloaded meanwhile), `batches`, `import`, `snapshot revoke` and
`workspace passphrase` all succeed on the same store, and Home then counts the new lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from analytics import demo
from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_db(demo_app_db: Path) -> Path:
    return demo_app_db


def cli(db: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args, "--db", str(db), "--wait", "60"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=180,
    )


def invoice_lines(owner: Any) -> int:
    """The "Invoice lines" figure on Home (a cached count: stale if the app missed a change)."""
    owner.open(f"/?ws={demo.DEMO_WORKSPACE}")
    owner.wait_for(demo.DEMO_DISPLAY_NAME)
    metric = owner.page.locator('[data-testid="stMetric"]').filter(has_text="Invoice lines")
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def import_invoices(db: Path, export: Path, lines: list[tuple[str, str, str]]) -> int:
    """Invoice lines (date, amount, invoice no.) of one customer written to `export` and
    imported into the demo business with the command line; the rows it imported."""
    rows = [f"{day},Beside The App Ltd,{amount},{number}" for day, amount, number in lines]
    export.write_text("Date,Customer,Amount,Invoice No\n" + "\n".join(rows) + "\n", "utf-8")
    imported = cli(
        db,
        "import",
        "--workspace",
        demo.DEMO_WORKSPACE,
        "--entity",
        "invoices",
        str(export),
        "--json",
    )
    assert imported.returncode == 0, imported.stderr
    return int(json.loads(imported.stdout)["rows_imported"])


def test_every_kind_of_command_works_while_the_app_serves_the_store(
    owner: Any, app_db: Path, tmp_path: Path
) -> None:
    ws = demo.DEMO_WORKSPACE
    lines_before = invoice_lines(owner)
    owner.open(f"/data?ws={ws}")
    owner.wait_for("Data")

    listed = cli(app_db, "batches", "--workspace", ws, "--json")
    assert listed.returncode == 0, listed.stderr
    before = len(json.loads(listed.stdout))

    owner.page.reload()  # the app is used between the commands, not left idle
    owner.wait_for("Data")
    lines = [("2026-03-02", "1200.00", "CLI-1"), ("2026-03-09", "800.00", "CLI-2")]
    assert import_invoices(app_db, tmp_path / "march.csv", lines) == 2

    made = cli(app_db, "snapshot", "create", "--workspace", ws, "--json")
    assert made.returncode == 0, made.stderr
    snap_id = str(json.loads(made.stdout)["id"])
    owner.page.reload()
    owner.wait_for("Data")
    revoked = cli(app_db, "snapshot", "revoke", snap_id)
    assert revoked.returncode == 0, revoked.stderr
    assert "is revoked" in revoked.stdout

    phrase = cli(
        app_db,
        "workspace",
        "passphrase",
        "--workspace",
        ws,
        "--stdin",
        stdin="four quiet words here\n",
    )
    assert phrase.returncode == 0, phrase.stderr

    # The app carries on with the store the commands changed.
    after = cli(app_db, "batches", "--workspace", ws, "--json")
    assert after.returncode == 0 and len(json.loads(after.stdout)) == before + 1
    # Figures cached before the import are not served after it.
    assert invoice_lines(owner) == lines_before + 2


def test_a_command_line_import_while_the_app_is_idle_is_worked_out_before_the_next_visit(
    owner: Any, app_db: Path, app_server: Any, tmp_path: Path
) -> None:
    import time

    lines_before = invoice_lines(owner)
    refills_before = app_server.log_text().count("refilled after a change")
    lines = [
        ("2026-04-01", "300.00", "CLI-APR-1"),
        ("2026-04-02", "500.00", "CLI-APR-2"),
        ("2026-04-03", "700.00", "CLI-APR-3"),
    ]
    assert import_invoices(app_db, tmp_path / "april.csv", lines) == 3
    # No visit meanwhile: the app notices the command's writes by itself and works the
    # workspace's figures out again (the server log says so; polled, not slept on).
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if app_server.log_text().count("refilled after a change") > refills_before:
            break
        time.sleep(0.2)
    log = app_server.log_text()
    assert "another program changed workspaces" in log, log[-3000:]
    assert log.count("refilled after a change") > refills_before, log[-3000:]
    # … and what it worked out is the data after the import
    assert invoice_lines(owner) == lines_before + 3
