"""Imports as batches: all or nothing, duplicates, undo, crashes mid-way, progress, export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from analytics import importer, store
from analytics.entities import ENTITIES, ENTITY_NAMES
from analytics.errors import RowsRejected
from analytics.settings import save_setting

HEADER = "Date,Customer,Amount\n"
JAN = "2025-01-05,Acme,100.00\n2025-01-05,Acme,100.00\n2025-01-20,Beta,50.00\n"
FEB = "2025-02-03,Acme,70.00\n"


def source(text: str, name: str = "export.csv") -> importer.Source:
    return importer.read_source(text.encode(), name)


def snapshot(con: store.Connection) -> dict[str, Any]:
    """Everything an import can touch, to compare before and after."""
    cur = con.cursor()
    tables = (*ENTITY_NAMES, "batches", "rejects", "mappings")
    out: dict[str, Any] = {
        t: cur.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables
    }
    return out


def invoices(con: store.Connection, ws: store.Workspace) -> list[tuple]:
    return (
        con.cursor()
        .execute(
            "SELECT date::VARCHAR, customer, amount::VARCHAR, occurrence FROM invoices "
            "WHERE workspace_id = $w ORDER BY source_row, batch_id",
            {"w": ws.id},
        )
        .fetchall()
    )


# ---------------------------------------------------------------- duplicates


def test_same_file_twice_adds_nothing(con: store.Connection, workspace: store.Workspace) -> None:
    first = importer.import_source(con, workspace.id, source(HEADER + JAN))
    before = snapshot(con)
    again = importer.import_source(con, workspace.id, source(HEADER + JAN, "renamed.csv"))
    assert again.already_imported is True
    assert again.batch_id == first.batch_id
    assert (again.rows_imported, again.entity) == (0, "invoices")
    assert snapshot(con) == before


def test_an_undone_file_can_be_imported_again(
    con: store.Connection, workspace: store.Workspace
) -> None:
    first = importer.import_source(con, workspace.id, source(HEADER + JAN))
    assert first.batch_id is not None
    store.undo_batch(con, workspace.id, first.batch_id)
    again = importer.import_source(con, workspace.id, source(HEADER + JAN))
    assert again.already_imported is False
    assert again.batch_id != first.batch_id
    assert again.rows_imported == 3


def test_overlapping_export_adds_only_new_rows(
    con: store.Connection, workspace: store.Workspace
) -> None:
    a = importer.import_source(con, workspace.id, source(HEADER + JAN, "jan.csv"))
    assert (a.rows_read, a.rows_imported, a.duplicates_skipped) == (3, 3, 0)
    b = importer.import_source(con, workspace.id, source(HEADER + JAN + FEB, "jan_feb.csv"))
    assert (b.rows_read, b.rows_imported, b.duplicates_skipped) == (4, 1, 3)
    assert store.get_batch(con, workspace.id, b.batch_id or 0).duplicates_skipped == 3
    total = con.cursor().execute("SELECT sum(amount)::VARCHAR FROM invoices").fetchall()[0][0]
    assert float(total) == 320.0


def test_repeated_lines_in_one_file_all_survive(
    con: store.Connection, workspace: store.Workspace
) -> None:
    text = HEADER + "2025-01-05,Acme,100.00\n" * 3 + "2025-01-06,Acme,100.00\n"
    result = importer.import_source(con, workspace.id, source(text))
    assert result.rows_imported == 4
    occurrences = [r[3] for r in invoices(con, workspace)]
    assert occurrences == [1, 2, 3, 1]
    # A later export with one more copy of the line adds exactly that copy.
    more = importer.import_source(
        con, workspace.id, source(HEADER + "2025-01-05,Acme,100.00\n" * 4)
    )
    assert (more.rows_imported, more.duplicates_skipped) == (1, 3)


def test_repeats_are_told_by_the_fingerprints_not_by_their_hashes_alone() -> None:
    from analytics.importer import batch, parse

    con = duckdb.connect()
    table = parse.PARSED_TABLE
    con.execute(f"CREATE TEMP TABLE {table} AS SELECT range::UHUGEINT AS row_fp FROM range(5)")
    assert batch._repeats(con, 5) is False
    con.execute(f"INSERT INTO {table} VALUES (3)")  # the fingerprint 3 comes twice
    assert batch._repeats(con, 6) is True
    # Two fingerprints whose hashes were alike: the hashes count fewer than the rows, the
    # fingerprints do not, so nothing repeats. (A hash that maps 0 and 1 alike stands in for
    # a real 64-bit collision.)
    con.execute(f"DELETE FROM {table} WHERE rowid = 5")
    assert con.execute(f"SELECT count(DISTINCT row_fp), count(*) FROM {table}").fetchall() == [
        (5, 5)
    ]
    con.create_function("hash", lambda v: 7 if int(v) < 2 else int(v), ["UHUGEINT"], "UBIGINT")
    assert con.execute(f"SELECT count(DISTINCT hash(row_fp)) FROM {table}").fetchall() == [(4,)]
    assert batch._repeats(con, 5) is False


def test_same_rows_in_another_workspace_are_not_duplicates(
    con: store.Connection, workspace: store.Workspace
) -> None:
    other = store.create_workspace(con, "Other")
    importer.import_source(con, workspace.id, source(HEADER + JAN))
    result = importer.import_source(con, other.id, source(HEADER + JAN))
    assert (result.already_imported, result.rows_imported) == (False, 3)


def test_changed_deal_is_a_new_version_and_the_latest_counts(
    con: store.Connection, workspace: store.Workspace
) -> None:
    importer.import_source(
        con, workspace.id, source("Deal ID,Stage,Value\nD1,Proposal,100\nD2,Won,50\n")
    )
    later = importer.import_source(
        con, workspace.id, source("Deal ID,Stage,Value\nD1,Closed Lost,100\nD2,Won,50\n")
    )
    assert (later.rows_imported, later.duplicates_skipped) == (1, 1)
    current = (
        con.cursor()
        .execute("SELECT deal_id, status, stage FROM deals_current ORDER BY 1")
        .fetchall()
    )
    assert current == [("D1", "lost", "Closed Lost"), ("D2", "won", "Won")]


# ---------------------------------------------------------------- undo and customers


def test_undo_removes_rows_and_the_customers_they_created(
    con: store.Connection, workspace: store.Workspace
) -> None:
    importer.import_source(con, workspace.id, source("Customer,Segment\nAcme,Retail\n", "c.csv"))
    result = importer.import_source(con, workspace.id, source(HEADER + JAN))
    assert result.customers_created == 1  # Beta; Acme was known
    cur = con.cursor()
    names = cur.execute("SELECT customer, auto FROM customers_current ORDER BY 1").fetchall()
    assert names == [("Acme", False), ("Beta", True)]
    store.undo_batch(con, workspace.id, result.batch_id or 0)
    assert invoices(con, workspace) == []
    assert cur.execute("SELECT customer FROM customers_current").fetchall() == [("Acme",)]


def test_importing_a_customer_that_was_created_automatically_makes_it_real(
    con: store.Connection, workspace: store.Workspace
) -> None:
    importer.import_source(con, workspace.id, source(HEADER + JAN))
    importer.import_source(con, workspace.id, source("Customer,Industry\nBeta,Health\n", "c.csv"))
    row = (
        con.cursor()
        .execute("SELECT segment, auto FROM customers_current WHERE customer = 'Beta'")
        .fetchall()
    )
    assert row == [("Health", False)]


# ---------------------------------------------------------------- all or nothing


BAD = HEADER + "2025-01-05,Acme,100\n2025-13-45,Beta,10\n2025-01-07,,5\n2025-01-08,Gamma,ten\n"


def test_one_bad_row_stops_the_whole_import(
    con: store.Connection, workspace: store.Workspace
) -> None:
    before = snapshot(con)
    with pytest.raises(RowsRejected) as err:
        importer.import_source(con, workspace.id, source(BAD, "bad.csv"))
    assert snapshot(con) == before
    message = str(err.value)
    assert message.startswith("bad.csv: 3 rows of 4 cannot be read, so nothing was imported")
    assert "\n" not in message
    result = err.value.result
    assert isinstance(result, importer.ImportResult)
    assert (result.batch_id, result.rows_read, result.rows_imported, result.rows_rejected) == (
        None,
        4,
        0,
        3,
    )
    assert [(r.row, r.column, r.value) for r in result.rejects] == [
        (3, "date", "2025-13-45"),
        (4, "customer", None),
        (5, "amount", "ten"),
    ]
    assert all(r.reason for r in result.rejects)


def test_skip_bad_rows_imports_the_rest_and_keeps_the_rejects(
    con: store.Connection, workspace: store.Workspace
) -> None:
    result = importer.import_source(con, workspace.id, source(BAD, "bad.csv"), skip_bad_rows=True)
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (4, 1, 3)
    assert result.batch_id is not None
    kept = store.batch_rejects(con, result.batch_id)
    assert list(kept.columns) == ["row", "column", "value", "reason"]
    assert list(zip(kept["row"], kept["column"], strict=True)) == [
        (3, "date"),
        (4, "customer"),
        (5, "amount"),
    ]
    assert list(kept["reason"]) == [r.reason for r in result.rejects]
    batch = store.get_batch(con, workspace.id, result.batch_id)
    assert (batch.rows_read, batch.rows_imported, batch.rows_rejected) == (4, 1, 3)
    assert [r[1] for r in invoices(con, workspace)] == ["Acme"]


def test_a_row_with_several_problems_counts_once(
    con: store.Connection, workspace: store.Workspace
) -> None:
    text = HEADER + "someday,,lots\n2025-01-01,Acme,1\n"
    with pytest.raises(RowsRejected) as err:
        importer.import_source(con, workspace.id, source(text))
    result = err.value.result
    assert result.rows_rejected == 1
    assert sorted(r.column for r in result.rejects) == ["amount", "customer", "date"]


def test_to_json_lists_up_to_max_rejects(con: store.Connection, workspace: store.Workspace) -> None:
    text = HEADER + "".join(f"2025-01-01,,{i}\n" for i in range(150))
    with pytest.raises(RowsRejected) as err:
        importer.import_source(con, workspace.id, source(text, "many.csv"))
    payload = err.value.result.to_json()
    # The counts every import reports (the kind, customers, ids and checks add their own).
    assert set(payload) >= {
        "batch_id", "entity", "file_name", "rows_read", "rows_imported", "rows_rejected",
        "duplicates_skipped", "already_imported", "customers_created", "rejects", "warnings",
    }  # fmt: skip
    assert payload["rows_rejected"] == 150 and len(payload["rejects"]) == 100
    assert payload["rejects"][0] == {
        "row": 2,
        "column": "customer",
        "value": None,
        "reason": payload["rejects"][0]["reason"],
    }
    assert len(err.value.result.to_json(max_rejects=5)["rejects"]) == 5


# ---------------------------------------------------------------- a crash half-way


@pytest.mark.parametrize("skip_bad_rows", [False, True])
def test_a_failure_after_rows_were_written_leaves_the_store_as_it_was(
    con: store.Connection,
    workspace: store.Workspace,
    monkeypatch: pytest.MonkeyPatch,
    skip_bad_rows: bool,
) -> None:
    importer.import_source(con, workspace.id, source(HEADER + JAN, "jan.csv"))
    before = snapshot(con)
    seen: dict[str, int] = {}

    def crash(tx: store.Connection, workspace_id: int) -> int:
        # By now the batch, its rows and (when skipping) its rejects are written.
        seen["rows"] = tx.execute("SELECT count(*) FROM invoices").fetchall()[0][0]
        seen["batches"] = tx.execute("SELECT count(*) FROM batches").fetchall()[0][0]
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "reconcile_customers", crash)
    text = HEADER + JAN + FEB + "2025-03-01,Zed,1\n" + ("2025-03-02,,1\n" if skip_bad_rows else "")
    with pytest.raises(RuntimeError, match="power cut"):
        importer.import_source(
            con, workspace.id, source(text, "jan_feb.csv"), skip_bad_rows=skip_bad_rows
        )
    assert seen == {"rows": 5, "batches": 2}
    assert snapshot(con) == before
    # The store still works, and the same file imports once the fault is gone.
    monkeypatch.undo()
    result = importer.import_source(
        con, workspace.id, source(text, "jan_feb.csv"), skip_bad_rows=True
    )
    assert result.rows_imported == 2


def test_preview_writes_nothing(con: store.Connection, workspace: store.Workspace) -> None:
    before = snapshot(con)
    src = source(BAD)
    result = importer.preview(con, src, "invoices", importer.auto_map("invoices", src.headers), n=2)
    assert snapshot(con) == before
    assert list(result.rows.columns) == ["row", "date", "customer", "amount"]
    assert list(result.rows["row"]) == [2, 3]
    assert result.rows_read == 4 and len(result.rejects) == 3
    assert result.stage_counts is None


# ---------------------------------------------------------------- options


def test_progress_is_reported_in_stages(con: store.Connection, workspace: store.Workspace) -> None:
    calls: list[tuple[float, str]] = []
    importer.import_source(
        con, workspace.id, source(HEADER + JAN), progress=lambda f, label: calls.append((f, label))
    )
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[0] <= 0.1 and fractions[-1] == 1.0
    labels = " / ".join(label for _, label in calls).lower()
    for stage in ("reading", "checking", "saving"):
        assert stage in labels
    assert all(label and label[0].isupper() for _, label in calls)


def test_date_order_comes_from_the_workspace_setting(
    con: store.Connection, workspace: store.Workspace
) -> None:
    save_setting(con, workspace.id, "date_order", "dmy")
    result = importer.import_source(con, workspace.id, source(HEADER + "3/4/2025,Acme,1\n"))
    assert any("day first" in w for w in result.warnings)
    assert invoices(con, workspace)[0][0] == "2025-04-03"
    other = store.create_workspace(con, "Other")
    importer.import_source(con, other.id, source(HEADER + "3/4/2025,Acme,1\n"), date_order="mdy")
    assert invoices(con, other)[0][0] == "2025-03-04"


def test_headers_never_become_sql(con: store.Connection, workspace: store.Workspace) -> None:
    evil = 'Customer"; DROP TABLE invoices; --'
    text = f'Date,"{evil.replace(chr(34), chr(34) * 2)}",Amount\n2025-01-01,Acme,1\n'
    src = source(text)
    assert src.headers[1] == evil
    result = importer.import_source(
        con, workspace.id, src, entity="invoices", mapping={"customer": evil}
    )
    assert result.rows_imported == 1
    assert invoices(con, workspace)[0][1] == "Acme"


def test_import_file_reads_from_disk(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "jan.csv"
    path.write_text(HEADER + JAN)
    result = importer.import_file(con, workspace.id, path, entity="invoices")
    assert (result.file_name, result.rows_imported) == ("jan.csv", 3)
    # The same content uploaded as bytes is recognised as already imported.
    assert importer.import_source(con, workspace.id, source(HEADER + JAN)).already_imported


def test_batch_records_file_hash_mapping_and_counts(
    con: store.Connection, workspace: store.Workspace
) -> None:
    src = source(HEADER + JAN, "jan.csv")
    result = importer.import_source(con, workspace.id, src)
    batch = store.get_batch(con, workspace.id, result.batch_id or 0)
    assert (batch.entity, batch.file_name, batch.sha256) == ("invoices", "jan.csv", src.sha256)
    assert (batch.rows_read, batch.rows_imported, batch.customers_created) == (3, 3, 2)
    mapping = (
        con.cursor()
        .execute("SELECT mapping FROM batches WHERE id = $b", {"b": batch.id})
        .fetchall()
    )
    assert '"customer": "Customer"' in mapping[0][0]


# ---------------------------------------------------------------- export and restore


FILES = {
    "customers": "Customer,Segment,Region,Employees,Channel,First Seen,Renewal Date,Status\n"
    "Acme,Retail,North,12,Referral,2021-03-01,2026-03-01,active\n"
    "Beta,Health,,1200,,,,\n",
    "invoices": "Date,Customer,Amount,Invoice No,Product,Recurring,Cost\n"
    "2025-01-05,Acme,100.5,I-1,Support,yes,40.25\n"
    "2025-01-05,Acme,100.5,I-1,Support,yes,40.25\n"
    "2025-01-06,Zeta,-20,I-2,,no,\n",
    "deals": "Deal ID,Stage,Customer,Created,Closed,Value,List Value,Owner,Estimated Hours,"
    "Presales Hours,Source\n"
    "D1,Closed Won,Acme,2024-11-01,2025-01-02,5000,5500,Sam,40,3.5,Referral\n"
    "D2,Negotiation,Newco,2025-01-03,,800,,Sam,,,\n",
    "time_entries": "Date,Person,Hours,Customer,Project,Role,Billable,Category\n"
    "2025-01-05,Ann,1.5,Acme,D1,tech,yes,customer\n"
    "2025-01-06,Bob,0.25,,,sales,no,presales\n",
    "activities": "Date,Type,Person,Customer,Minutes,Outcome\n"
    "2025-01-05,call,Sam,Acme,15,booked meeting\n",
    "tickets": "Opened,Customer,Type,Severity,Resolved,Hours\n"
    "2025-01-05,Acme,complaint,high,2025-01-07,2.5\n"
    "2025-01-06,Beta,request,low,,\n",
}

CURRENT = {"customers": "customers_current", "deals": "deals_current"}


def canonical_rows(con: store.Connection, ws: store.Workspace, entity: str) -> list[tuple]:
    cols = list(ENTITIES[entity].field_names) + (["stage"] if entity == "deals" else [])
    cols += ["auto"] if entity == "customers" else []
    table = CURRENT.get(entity, entity)
    sql = f"SELECT {', '.join(cols)} FROM {table} WHERE workspace_id = $w ORDER BY ALL"
    return con.cursor().execute(sql, {"w": ws.id}).fetchall()


def test_export_restores_through_import(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    for entity, text in FILES.items():
        result = importer.import_source(
            con, workspace.id, source(text, f"{entity}.csv"), entity=entity
        )
        assert result.rows_imported == text.count("\n") - 1, entity
    paths = importer.export_workspace(con, workspace.id, tmp_path / "out")
    assert [p.name for p in paths] == [f"{e}.parquet" for e in ENTITY_NAMES]
    for entity, path in zip(ENTITY_NAMES, paths, strict=True):
        names = [
            r[0]
            for r in duckdb.connect()
            .execute("DESCRIBE SELECT * FROM read_parquet($p)", {"p": str(path)})
            .fetchall()
        ]
        assert names == list(ENTITIES[entity].field_names) + (
            ["stage"] if entity == "deals" else []
        )

    restored = store.create_workspace(con, "Restored")
    for path in paths:  # each file is recognised by its canonical headers
        result = importer.import_file(con, restored.id, path)
        assert result.rejects == [] and result.entity == path.stem
    for entity in ENTITY_NAMES:
        assert canonical_rows(con, restored, entity) == canonical_rows(con, workspace, entity), (
            entity
        )
    # Customers made up only because an invoice or deal named them stay automatic.
    auto = con.cursor().execute(
        "SELECT customer FROM customers_current WHERE workspace_id = $w AND auto ORDER BY 1",
        {"w": restored.id},
    )
    assert auto.fetchall() == [("Newco",), ("Zeta",)]


def test_export_of_an_empty_workspace_restores_to_nothing(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    paths = importer.export_workspace(con, workspace.id, tmp_path)
    other = store.create_workspace(con, "Other")
    for path in paths:
        result = importer.import_file(con, other.id, path, entity=path.stem)
        assert (result.batch_id, result.rows_read) == (None, 0)
    assert store.list_batches(con, other.id) == []
