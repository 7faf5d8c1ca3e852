"""The store: schema and migrations, workspaces, transactions, batches, customer reconciling."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analytics import schema, store
from analytics.entities import ENTITIES, ENTITY_NAMES
from analytics.errors import StoreError, StoreLocked, StoreTooNew, WorkspaceError
from tests.conftest import ROOT


def _columns(con: store.Connection, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $t",
        {"t": table},
    ).fetchall()
    return dict(rows)


def test_schema_has_every_entity_with_typed_canonical_columns(con: store.Connection) -> None:
    for name in ENTITY_NAMES:
        cols = _columns(con, name)
        for f in ENTITIES[name].fields:
            assert f.name in cols, f"{name}.{f.name} missing"
        assert {"workspace_id", "batch_id", "row_fp", "occurrence", "source_row"} <= set(cols)
    assert _columns(con, "invoices")["amount"] == "DECIMAL(18,4)"
    assert _columns(con, "invoices")["date"] == "DATE"
    assert _columns(con, "deals")["list_value"] == "DECIMAL(18,4)"
    assert _columns(con, "tickets")["resolved"] == "DATE"
    assert _columns(con, "time_entries")["billable"] == "BOOLEAN"


def test_migrations_run_once_and_record_the_version(db_file: Path) -> None:
    con = store.connect(db_file)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    con.close()
    con = store.connect(db_file)  # reopening must not re-run or fail
    n = con.execute("SELECT count(*) FROM schema_version").fetchall()[0][0]
    assert n == len(store.MIGRATIONS)
    con.close()


def test_a_store_from_a_newer_version_is_refused(db_file: Path) -> None:
    con = store.connect(db_file)
    con.execute("INSERT INTO schema_version (version) VALUES (999)")
    with pytest.raises(StoreTooNew, match="newer Opening Day"):
        store.migrate(con)
    con.close()


def test_workspaces_create_list_rename_delete(con: store.Connection) -> None:
    a = store.create_workspace(con, "Harbour IT")
    b = store.create_workspace(con, "Beacon Consulting", display_name="Beacon")
    assert [w.name for w in store.list_workspaces(con)] == ["Beacon Consulting", "Harbour IT"]
    assert b.display_name == "Beacon"
    with pytest.raises(WorkspaceError, match="already exists"):
        store.create_workspace(con, "Harbour IT")
    with pytest.raises(WorkspaceError, match="not allowed"):
        store.create_workspace(con, "<script>")
    renamed = store.rename_workspace(con, "Harbour IT", "Harbour IT Ltd")
    assert renamed.id == a.id and renamed.display_name == "Harbour IT Ltd"
    with pytest.raises(WorkspaceError, match="already exists"):
        store.rename_workspace(con, "Harbour IT Ltd", "Beacon Consulting")
    store.delete_workspace(con, "Harbour IT Ltd")
    assert [w.name for w in store.list_workspaces(con)] == ["Beacon Consulting"]
    with pytest.raises(WorkspaceError, match="No workspace called 'Nope'"):
        store.get_workspace(con, "Nope")


def test_delete_workspace_removes_its_rows_and_no_others(con: store.Connection) -> None:
    a = store.create_workspace(con, "A")
    b = store.create_workspace(con, "B")
    for ws in (a, b):
        with store.transaction(con) as tx:
            bid = store.record_batch(
                tx,
                ws.id,
                entity="invoices",
                file_name="x.csv",
                sha256="h",
                rows_read=1,
                rows_imported=1,
                rows_rejected=0,
                duplicates_skipped=0,
            )
            tx.execute(
                "INSERT INTO invoices (workspace_id, batch_id, date, customer, amount) "
                "VALUES ($w, $b, DATE '2025-01-31', 'Acme', 100)",
                {"w": ws.id, "b": bid},
            )
            store.reconcile_customers(tx, ws.id)
            store.refresh_facts(tx, ws.id)
    store.delete_workspace(con, "A")
    assert store.entity_counts(con, b.id)["invoices"] == 1
    assert store.entity_counts(con, b.id)["customers"] == 1
    left = con.execute("SELECT count(*) FROM invoices WHERE workspace_id = $w", {"w": a.id})
    assert left.fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) FROM batches").fetchall()[0][0] == 1


def test_transaction_rolls_back_everything_on_error(
    con: store.Connection, workspace: store.Workspace
) -> None:
    with pytest.raises(RuntimeError), store.transaction(con) as tx:
        tx.execute(
            "INSERT INTO invoices (workspace_id, date, customer, amount) "
            "VALUES ($w, DATE '2025-01-01', 'Acme', 10)",
            {"w": workspace.id},
        )
        raise RuntimeError("crash mid-import")
    assert store.entity_counts(con, workspace.id)["invoices"] == 0


def _import_rows(con: store.Connection, ws: int, entity: str, rows: list[str]) -> int:
    """Insert hand-written rows as one batch (what the importer does, minus the parsing)."""
    with store.transaction(con) as tx:
        bid = store.record_batch(
            tx,
            ws,
            entity=entity,
            file_name=f"{entity}.csv",
            sha256=f"{entity}{len(rows)}",
            rows_read=len(rows),
            rows_imported=len(rows),
            rows_rejected=0,
            duplicates_skipped=0,
        )
        for values in rows:
            tx.execute(
                f"INSERT INTO {entity} BY NAME SELECT $w AS workspace_id, $b AS batch_id, {values}",
                {"w": ws, "b": bid},
            )
        store.set_customers_created(tx, bid, store.reconcile_customers(tx, ws))
        store.refresh_facts(tx, ws, (entity,))
    return bid


def test_unknown_customers_are_created_and_removed_with_their_batch(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    _import_rows(con, ws, "customers", ["'Acme' AS customer, 'Dental' AS segment"])
    first = _import_rows(
        con,
        ws,
        "invoices",
        [
            "DATE '2025-01-02' AS date, 'Acme' AS customer, 10 AS amount",
            "DATE '2025-01-03' AS date, 'Beta' AS customer, 20 AS amount",
        ],
    )
    second = _import_rows(con, ws, "tickets", ["DATE '2025-02-01' AS opened, 'Beta' AS customer"])
    assert store.get_batch(con, ws, first).customers_created == 1  # Beta only: Acme was known
    assert store.get_batch(con, ws, second).customers_created == 0
    assert store.entity_counts(con, ws)["customers"] == 2

    store.undo_batch(con, ws, first)
    # Beta is still named by a ticket, so it stays; Acme came from the customers file.
    names = con.execute(
        "SELECT customer, segment, auto FROM customers_current ORDER BY 1"
    ).fetchall()
    assert names == [("Acme", "Dental", False), ("Beta", None, True)]
    store.undo_batch(con, ws, second)
    names = con.execute("SELECT customer FROM customers_current").fetchall()
    assert names == [("Acme",)]
    with pytest.raises(StoreError, match="already undone"):
        store.undo_batch(con, ws, second)
    assert [b.undone_at is not None for b in store.list_batches(con, ws)] == [True, True, False]


def test_customers_current_takes_the_latest_known_attributes(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    _import_rows(
        con, ws, "customers", ["'Acme' AS customer, 'Dental' AS segment, 'North' AS region"]
    )
    _import_rows(con, ws, "customers", ["'Acme' AS customer, 'Legal' AS segment"])
    row = con.execute("SELECT segment, region FROM customers_current").fetchall()
    assert row == [("Legal", "North")]  # newer segment wins; region kept from the older file


def test_deals_current_is_the_latest_version_of_each_deal(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    _import_rows(
        con, ws, "deals", ["'D1' AS deal_id, 'open' AS status", "'D2' AS deal_id, 'open' AS status"]
    )
    _import_rows(con, ws, "deals", ["'D1' AS deal_id, 'won' AS status"])
    rows = con.execute("SELECT deal_id, status FROM deals_current ORDER BY 1").fetchall()
    assert rows == [("D1", "won"), ("D2", "open")]
    assert store.entity_counts(con, ws)["deals"] == 2


def test_last_data_date_is_the_latest_date_across_entities(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    assert store.last_data_date(con, ws) is None
    assert store.is_empty(con)
    _import_rows(
        con, ws, "invoices", ["DATE '2025-03-31' AS date, 'Acme' AS customer, 5 AS amount"]
    )
    _import_rows(
        con, ws, "deals", ["'D1' AS deal_id, 'won' AS status, DATE '2025-04-15' AS closed"]
    )
    assert str(store.last_data_date(con, ws)) == "2025-04-15"
    assert not store.is_empty(con)


def test_a_second_process_gets_a_one_line_explanation(db_file: Path) -> None:
    con = store.connect(db_file)
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "analytics",
                "batches",
                "--db",
                str(db_file),
                "--workspace",
                "x",
                "--wait",
                "0",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
    finally:
        con.close()
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert (
        f"process {os.getpid()})" in proc.stderr and "is in use by another program" in proc.stderr
    )


def test_connect_raises_store_locked_in_process_terms(db_file: Path) -> None:
    # Same message path as above, without a subprocess: simulate by holding the file elsewhere.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,sys,time; c=duckdb.connect({str(db_file)!r}); print('ok', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        with pytest.raises(StoreLocked, match=rf"in use by .*process {holder.pid}\)"):
            store.connect(db_file)
    finally:
        holder.kill()
        holder.wait()


def test_a_version_1_store_is_upgraded_in_place(db_file: Path) -> None:
    # Build a store as version 1 left it, with one batch, then open it with today's code.
    con = store.connect(db_file)
    con.execute("DROP TABLE batches")
    [v1_batches] = [sql for sql in schema._MIGRATION_1 if "TABLE IF NOT EXISTS batches" in sql]
    con.execute(v1_batches)
    for fact in schema.FACTS:  # views before migration 11
        con.execute(f"DROP TABLE {fact.table}")
    con.execute(schema._customers_current_sql())
    con.execute(schema.DEALS_CURRENT_SQL)
    con.execute("DELETE FROM schema_version WHERE version > 1")
    con.execute(
        "INSERT INTO batches (workspace_id, entity, file_name, sha256, rows_read, rows_imported, "
        "rows_rejected, duplicates_skipped) VALUES (1, 'invoices', 'old.csv', 'abc', 3, 3, 0, 0)"
    )
    assert store.schema_version(con) == 1
    con.close()
    con = store.connect(db_file)
    assert store.schema_version(con) == store.SCHEMA_VERSION >= 2
    [batch] = store.list_batches(con, 1)
    assert (batch.file_name, batch.sheet) == ("old.csv", None)
    con.close()
