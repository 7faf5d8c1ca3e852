"""The command line's entry: one real `python -m analytics` run, and `main(argv)` in-process
(exit codes returned, never raised; the store let go when a command ends)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb

from analytics import access, store
from analytics.cli import main
from tests.conftest import ROOT
from tests.test_cli import run_cli


def test_python_dash_m_analytics_runs(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "analytics", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )

    helped = run("--help")
    assert helped.returncode == 0 and helped.stderr == ""
    assert helped.stdout.startswith("usage: python -m analytics [-h] COMMAND ...")
    for command in ("demo", "import", "batches", "kpis", "snapshot", "invite"):
        assert f"\n    {command} " in helped.stdout

    src = tmp_path / "inv.csv"
    src.write_text("Date,Customer,Amount\n2025-01-05,Acme,100.50\n2025-02-01,Beta,20.25\n")
    db = str(tmp_path / "s.duckdb")
    done = run("import", "--db", db, "--workspace", "W", "--entity", "invoices", str(src), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["ok"], out["rows_read"], out["rows_imported"], out["batch_id"]) == (True, 2, 2, 1)
    refused = run("undo", "--db", db, "--workspace", "W", "7")
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == "error: No batch 7 in this workspace.\n"


def test_main_returns_usage_exit_codes_instead_of_exiting() -> None:
    assert run_cli("--help").returncode == 0
    ran = run_cli("kpis", "--workspace", "W", "--as-of", "2025-13-01")
    assert ran.returncode == 2 and ran.stdout == ""
    assert ran.stderr.endswith("argument --as-of: '2025-13-01' is not a date like 2025-03-31\n")
    assert main(["no-such-command"]) == 2


def test_each_run_lets_go_of_the_store(tmp_path: Path) -> None:
    src = tmp_path / "inv.csv"
    src.write_text("Date,Customer,Amount\n2025-01-05,Acme,100.50\n2025-02-01,Beta,20.25\n")
    db = tmp_path / "s.duckdb"
    ran = run_cli("import", "--db", db, "--workspace", "W", "--entity", "invoices", src)
    assert ran.returncode == 0, ran.stderr
    # A leaked connection would make this fail: DuckDB refuses a second configuration.
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT sum(amount)::VARCHAR FROM invoices").fetchone() == ("120.7500",)
    con.close()
    listed = run_cli("batches", "--db", db, "--workspace", "W", "--json")
    assert [b["rows_imported"] for b in json.loads(listed.stdout)] == [2]
    undone = run_cli("undo", "--db", db, "--workspace", "W", "1")
    assert undone.stdout == "Undid batch 1 (inv.csv): 2 invoices rows removed.\n"
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM invoices").fetchone() == (0,)
    con.close()


def test_a_piped_secret_is_read_in_process_and_never_printed(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    con = store.connect(db)
    store.create_workspace(con, "Harbour IT")
    con.close()
    base = ("workspace", "passphrase", "--db", db, "--workspace", "Harbour IT")
    # No --stdin: a stdin that is not a terminal is read all the same, its first line only.
    ran = run_cli(*base, stdin="four unrelated words here\nsecond line\n")
    assert (ran.returncode, ran.stderr) == (0, "")
    assert ran.stdout == (
        "Passphrase set for 'Harbour IT'. Keep it safe: it cannot be shown, only replaced.\n"
    )
    con = store.connect(db)
    ws = store.get_workspace(con, "Harbour IT")
    assert access.check_passphrase(con, ws.id, "four unrelated words here")
    assert not access.check_passphrase(con, ws.id, "second line")
    con.close()
    assert sys.stdin is not None and not isinstance(sys.stdin, io.StringIO)  # put back
