"""The command line as an owner or a script uses it: real exports in, JSON and exit codes out."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from unittest import mock

import duckdb
import pytest

from analytics.cli import main
from tests.conftest import shared_file

CENT = Decimal("0.01")


@dataclass
class Ran:
    """What a run of the command line left: its exit code and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path, stdin: str = "") -> Ran:
    """`python -m analytics ARGS`, in this process (one subprocess run is in test_cli_main),
    with `stdin` as a pipe that is not a terminal."""
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.object(sys, "stdin", io.StringIO(stdin)),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = main([str(a) for a in args])
    return Ran(code, out.getvalue(), err.getvalue())


def import_json(db: Path, *args: str | Path) -> tuple[int, dict, str]:
    proc = run_cli("import", "--db", db, *args, "--json")
    payload = json.loads(proc.stdout) if proc.stdout.strip() else {}
    return proc.returncode, payload, proc.stderr


def scalar(db: Path, sql: str) -> object:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


def test_every_command_has_help() -> None:
    for command in ("demo", "import", "batches", "undo", "export"):
        proc = run_cli(command, "--help")
        assert proc.returncode == 0, proc.stderr
        assert "--db" in proc.stdout


def test_superstore_imports_every_line_to_the_cent(tmp_path: Path) -> None:
    path = shared_file("superstore-classic", "superstore.csv")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    expected_total = sum(Decimal(r["Sales"]) for r in rows)
    expected_customers = len({r["Customer Name"] for r in rows})

    db = tmp_path / "s.duckdb"
    code, out, err = import_json(db, "--workspace", "Superstore", path)
    assert code == 0, err
    assert out["entity"] == "invoices"
    assert out["rows_read"] == len(rows) == 9994
    assert out["rows_imported"] == 9994
    assert out["rows_rejected"] == 0 and out["rejects"] == []
    assert out["already_imported"] is False
    assert isinstance(out["batch_id"], int)
    total = Decimal(str(scalar(db, "SELECT sum(amount) FROM invoices")))
    assert total == expected_total  # exact: fractions of a cent are kept, not rounded away
    assert total.quantize(CENT) == Decimal("2297200.86")
    assert scalar(db, "SELECT count(*) FROM customers_current") == expected_customers
    assert scalar(db, "SELECT min(date)::VARCHAR FROM invoices") == "2016-01-03"

    # The same file again adds nothing.
    code, again, _ = import_json(db, "--workspace", "Superstore", path)
    assert code == 0
    assert again["already_imported"] is True
    assert again["batch_id"] == out["batch_id"]
    assert scalar(db, "SELECT count(*) FROM invoices") == 9994


def test_maven_crm_deals_and_accounts(tmp_path: Path) -> None:
    deals_path = shared_file("maven-crm", "sales_pipeline.csv")
    accounts_path = shared_file("maven-crm", "accounts.csv")
    with deals_path.open(newline="") as f:
        stages = [r["deal_stage"] for r in csv.DictReader(f)]
    with accounts_path.open(newline="") as f:
        sectors = {r["account"]: r["sector"] for r in csv.DictReader(f)}

    db = tmp_path / "m.duckdb"
    code, out, err = import_json(db, "--workspace", "Maven", accounts_path)
    assert code == 0, err
    assert (out["entity"], out["rows_imported"]) == ("customers", 85)
    code, out, err = import_json(db, "--workspace", "Maven", deals_path)
    assert code == 0, err
    assert (out["entity"], out["rows_imported"]) == ("deals", 8800)

    counts = dict(
        duckdb.connect(str(db), read_only=True)
        .execute("SELECT status, count(*) FROM deals_current GROUP BY 1")
        .fetchall()
    )
    assert counts == {
        "won": stages.count("Won"),
        "lost": stages.count("Lost"),
        "open": len(stages) - stages.count("Won") - stages.count("Lost"),
    }
    assert (
        scalar(db, "SELECT segment FROM customers_current WHERE customer = 'Acme Corporation'")
        == (sectors["Acme Corporation"])
    )
    # Open deals often have no account: the rest name the 85 known accounts only.
    assert scalar(db, "SELECT count(*) FROM customers_current WHERE auto") == 0


def test_online_retail_with_a_computed_amount_and_skipped_rows(tmp_path: Path) -> None:
    path = shared_file("online-retail-2010-12", "online_retail_2010-12.csv")
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    blank = [r for r in rows if not r["CustomerID"].strip()]
    kept = [r for r in rows if r["CustomerID"].strip()]
    expected_total = sum(Decimal(r["Quantity"]) * Decimal(r["UnitPrice"]) for r in kept)

    db = tmp_path / "r.duckdb"
    # Without the choice to skip, nothing is imported and the file is blamed.
    code, out, err = import_json(
        db,
        "--workspace",
        "Retail",
        "--entity",
        "invoices",
        "--map",
        "amount=Quantity*UnitPrice",
        path,
    )
    assert code == 2
    assert out["rows_imported"] == 0 and out["batch_id"] is None
    assert out["rows_rejected"] == len(blank)
    assert len(out["rejects"]) == 100  # listed up to 100, counted in full
    assert {r["column"] for r in out["rejects"]} == {"customer"}
    assert err.count("\n") == 1 and "Traceback" not in err
    assert scalar(db, "SELECT count(*) FROM invoices") == 0

    code, out, err = import_json(
        db,
        "--workspace",
        "Retail",
        "--entity",
        "invoices",
        "--map",
        "amount=Quantity*UnitPrice",
        "--skip-bad-rows",
        path,
    )
    assert code == 0, err
    assert out["rows_rejected"] == len(blank) == 15631
    assert out["rows_imported"] == len(kept)  # exact duplicate lines survive as lines
    total = Decimal(str(scalar(db, "SELECT sum(amount) FROM invoices")))
    assert total.quantize(CENT) == expected_total.quantize(CENT)
    # The rejects are kept with the batch.
    assert scalar(db, f"SELECT count(*) FROM rejects WHERE batch_id = {out['batch_id']}") == len(
        blank
    )


def test_overlapping_export_adds_only_new_rows_and_undo(tmp_path: Path) -> None:
    header = "Date,Customer,Amount\n"
    jan = "2025-01-05,Acme,100.00\n2025-01-05,Acme,100.00\n2025-01-20,Beta,50.00\n"
    feb = "2025-02-03,Acme,70.00\n"
    first = tmp_path / "jan.csv"
    first.write_text(header + jan)
    second = tmp_path / "jan_feb.csv"
    second.write_text(header + jan + feb)
    db = tmp_path / "o.duckdb"

    code, a, _ = import_json(db, "--workspace", "W", "--entity", "invoices", first)
    assert code == 0 and a["rows_imported"] == 3  # the two identical lines are both real
    code, b, _ = import_json(db, "--workspace", "W", "--entity", "invoices", second)
    assert code == 0
    assert (b["rows_read"], b["rows_imported"], b["duplicates_skipped"]) == (4, 1, 3)
    assert Decimal(str(scalar(db, "SELECT sum(amount) FROM invoices"))) == Decimal("320")

    listing = json.loads(run_cli("batches", "--db", db, "--workspace", "W", "--json").stdout)
    assert [x["batch_id"] for x in listing] == [b["batch_id"], a["batch_id"]]
    proc = run_cli("undo", "--db", db, "--workspace", "W", str(a["batch_id"]))
    assert proc.returncode == 0, proc.stderr
    assert Decimal(str(scalar(db, "SELECT sum(amount) FROM invoices"))) == Decimal("70")
    assert scalar(db, "SELECT count(*) FROM customers_current") == 1  # Beta went with its batch


def test_bad_files_exit_2_with_one_clear_line(tmp_path: Path) -> None:
    db = tmp_path / "b.duckdb"
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("Date,Customer,Amount\n2025-01-01,Acme,1\n".encode("utf-16-le"))
    proc = run_cli("import", "--db", db, "--workspace", "W", "--entity", "invoices", utf16)
    assert proc.returncode == 2
    assert "utf16.csv" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1

    missing = tmp_path / "missing.csv"
    missing.write_text("Date,Amount\n2025-01-01,10\n")
    proc = run_cli("import", "--db", db, "--workspace", "W", "--entity", "invoices", missing)
    assert proc.returncode == 2
    assert "customer" in proc.stderr.lower() and "Traceback" not in proc.stderr

    bad_value = tmp_path / "bad_value.csv"
    bad_value.write_text("Date,Customer,Amount\n2025-01-01,Acme,10\n2025-01-02,Beta,ten\n")
    code, out, err = import_json(db, "--workspace", "W", "--entity", "invoices", bad_value)
    assert code == 2
    assert out["rejects"] == [
        {"row": 3, "column": "amount", "value": "ten", "reason": out["rejects"][0]["reason"]}
    ]
    assert scalar(db, "SELECT count(*) FROM invoices") == 0

    proc = run_cli("import", "--db", db, "--workspace", "W", tmp_path / "nope.csv")
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_export_restores_through_import(tmp_path: Path) -> None:
    src = tmp_path / "inv.csv"
    src.write_text(
        "Date,Customer,Amount,Recurring\n2025-01-05,Acme,100.50,yes\n2025-02-01,Beta,(20.00),no\n"
    )
    db = tmp_path / "e.duckdb"
    assert import_json(db, "--workspace", "W", "--entity", "invoices", src)[0] == 0
    out_dir = tmp_path / "export"
    proc = run_cli("export", "--db", db, "--workspace", "W", out_dir)
    assert proc.returncode == 0, proc.stderr
    assert (out_dir / "invoices.parquet").exists()

    db2 = tmp_path / "e2.duckdb"
    for entity in ("customers", "invoices"):
        code, out, err = import_json(
            db2, "--workspace", "W", "--entity", entity, out_dir / f"{entity}.parquet"
        )
        assert code == 0, err
    rows = (
        duckdb.connect(str(db2), read_only=True)
        .execute(
            "SELECT date::VARCHAR, customer, amount::DOUBLE, recurring FROM invoices ORDER BY date"
        )
        .fetchall()
    )
    assert rows == [("2025-01-05", "Acme", 100.5, True), ("2025-02-01", "Beta", -20.0, False)]


@pytest.mark.parametrize("scale", ["small"])
def test_demo_command_is_idempotent(tmp_path: Path, scale: str) -> None:
    db = tmp_path / "d.duckdb"
    proc = run_cli("demo", "--db", db, "--scale", scale)
    assert proc.returncode == 0, proc.stderr
    assert "loaded" in proc.stdout
    n = scalar(db, "SELECT count(*) FROM invoices")
    proc = run_cli("demo", "--db", db)
    assert proc.returncode == 0 and "nothing to do" in proc.stdout
    assert scalar(db, "SELECT count(*) FROM invoices") == n


def test_one_file_can_feed_two_entities(tmp_path: Path) -> None:
    # Superstore lines are invoices, and the same file also says each customer's segment.
    path = shared_file("superstore-classic", "superstore.csv")
    db = tmp_path / "two.duckdb"
    code, inv, _ = import_json(db, "--workspace", "S", "--entity", "invoices", path)
    assert code == 0 and inv["rows_imported"] == 9994
    code, cust, err = import_json(
        db,
        "--workspace",
        "S",
        "--entity",
        "customers",
        "--map",
        "customer=Customer Name",
        "segment=Segment",
        path,
    )
    assert code == 0, err
    assert cust["already_imported"] is False
    assert cust["batch_id"] != inv["batch_id"]
    assert scalar(db, "SELECT count(DISTINCT segment) FROM customers_current") == 3
    # The same file as customers again: nothing new.
    code, again, _ = import_json(
        db,
        "--workspace",
        "S",
        "--entity",
        "customers",
        "--map",
        "customer=Customer Name",
        "segment=Segment",
        path,
    )
    assert again["already_imported"] is True and again["batch_id"] == cust["batch_id"]
