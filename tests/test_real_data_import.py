"""The real exports in ../shared/data imported as an owner would; every expected figure is
worked out here independently, with the csv module and Decimal."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from analytics import importer, store
from analytics.errors import RowsRejected, UnknownEntity
from tests.conftest import shared_file


def read_rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def scalar(con: store.Connection, sql: str, ws: store.Workspace) -> object:
    return con.cursor().execute(sql, {"w": ws.id}).fetchall()[0][0]


# ---------------------------------------------------------------- Superstore


def test_superstore_order_lines_to_the_cent(
    con: store.Connection, workspace: store.Workspace
) -> None:
    path = shared_file("superstore-classic", "superstore.csv")
    rows = read_rows(path, encoding="utf-8-sig")
    expected_total = sum(Decimal(r["Sales"]) for r in rows)
    dates = [datetime.strptime(r["Order Date"], "%m/%d/%Y").date() for r in rows]

    source = importer.read_source(path)
    assert (source.encoding, source.n_rows) == ("utf-8-sig", 9994)
    assert importer.guess_entity(source.headers) == "invoices"
    result = importer.import_source(con, workspace.id, source)
    assert (result.entity, result.rows_read, result.rows_imported) == ("invoices", 9994, 9994)
    assert (result.rows_rejected, result.duplicates_skipped) == (0, 0)
    assert result.warnings == []  # some dates have a day above 12: month first, no doubt
    assert len(rows) == 9994

    total = scalar(con, "SELECT sum(amount) FROM invoices WHERE workspace_id = $w", workspace)
    assert isinstance(total, Decimal)
    assert total.quantize(Decimal("0.01")) == expected_total.quantize(Decimal("0.01"))
    assert total == expected_total  # no line has more decimals than the store keeps
    assert scalar(con, "SELECT min(date) FROM invoices WHERE workspace_id = $w", workspace) == min(
        dates
    )
    assert scalar(con, "SELECT max(date) FROM invoices WHERE workspace_id = $w", workspace) == max(
        dates
    )
    by_category = Counter(r["Category"] for r in rows)
    stored = dict(
        con.cursor()
        .execute(
            "SELECT product, count(*) FROM invoices WHERE workspace_id = $w GROUP BY 1",
            {"w": workspace.id},
        )
        .fetchall()
    )
    assert stored == dict(by_category)
    customers = {r["Customer Name"] for r in rows}
    assert result.customers_created == len(customers) == 793


# ---------------------------------------------------------------- Maven CRM


def test_maven_accounts_and_pipeline(con: store.Connection, workspace: store.Workspace) -> None:
    accounts_path = shared_file("maven-crm", "accounts.csv")
    deals_path = shared_file("maven-crm", "sales_pipeline.csv")
    accounts = read_rows(accounts_path)
    deals = read_rows(deals_path)

    result = importer.import_file(con, workspace.id, accounts_path)
    assert (result.entity, result.rows_imported) == ("customers", 85)
    sectors = dict(
        con.cursor()
        .execute(
            "SELECT customer, segment FROM customers_current WHERE workspace_id = $w",
            {"w": workspace.id},
        )
        .fetchall()
    )
    assert sectors == {a["account"]: a["sector"] for a in accounts}
    assert (
        Counter(sectors.values())["technolgy"]
        == sum(a["sector"] == "technolgy" for a in accounts)
        > 0
    )
    sizes = con.cursor().execute(
        "SELECT size FROM customers_current WHERE workspace_id = $w AND customer = 'Acme Corporation'",
        {"w": workspace.id},
    )
    acme = next(a for a in accounts if a["account"] == "Acme Corporation")
    assert sizes.fetchall() == [(int(acme["employees"]),)]

    source = importer.read_source(deals_path)
    mapping = importer.auto_map("deals", source.headers)
    preview = importer.preview(con, source, "deals", mapping)
    stages = Counter(d["deal_stage"] for d in deals)
    assert preview.stage_counts is not None
    previewed = {
        (s, st): int(n)
        for s, st, n in zip(
            preview.stage_counts["stage"],
            preview.stage_counts["status"],
            preview.stage_counts["n"],
            strict=True,
        )
    }
    status_of = {"Won": "won", "Lost": "lost"}
    assert previewed == {(s, status_of.get(s, "open")): n for s, n in stages.items()}

    result = importer.import_source(con, workspace.id, source)
    assert (result.entity, result.rows_read, result.rows_imported) == ("deals", 8800, 8800)
    counts = dict(
        con.cursor()
        .execute(
            "SELECT status, count(*) FROM deals_current WHERE workspace_id = $w GROUP BY 1",
            {"w": workspace.id},
        )
        .fetchall()
    )
    won, lost = stages["Won"], stages["Lost"]
    assert counts == {"won": won, "lost": lost, "open": len(deals) - won - lost}
    won_value = sum(Decimal(d["close_value"]) for d in deals if d["deal_stage"] == "Won")
    assert (
        scalar(
            con,
            "SELECT sum(value) FROM deals WHERE workspace_id = $w AND status = 'won'",
            workspace,
        )
        == won_value
    )
    no_account = sum(not d["account"] for d in deals)
    assert scalar(
        con, "SELECT count(*) FROM deals WHERE workspace_id = $w AND customer IS NULL", workspace
    ) == (no_account)
    first = deals[0]
    row = con.cursor().execute(
        "SELECT owner, customer, stage, created, closed FROM deals WHERE deal_id = $d",
        {"d": first["opportunity_id"]},
    )
    assert row.fetchall() == [
        (
            first["sales_agent"],
            first["account"],
            first["deal_stage"],
            date.fromisoformat(first["engage_date"]),
            date.fromisoformat(first["close_date"]),
        )
    ]
    # Every account named by a deal is one of the 85: no customer had to be made up.
    assert result.customers_created == 0


# ---------------------------------------------------------------- Online Retail


def test_online_retail_amounts_skipped_rows_and_duplicate_lines(
    con: store.Connection, workspace: store.Workspace
) -> None:
    path = shared_file("online-retail-2010-12", "online_retail_2010-12.csv")
    rows = read_rows(path)
    blank = [r for r in rows if not r["CustomerID"].strip()]
    kept = [r for r in rows if r["CustomerID"].strip()]
    expected_total = sum(Decimal(r["Quantity"]) * Decimal(r["UnitPrice"]) for r in kept)
    as_lines = [tuple(r.values()) for r in rows]
    assert len(as_lines) - len(set(as_lines)) == 500  # the file's exact duplicate lines
    kept_lines = [tuple(r.values()) for r in kept]
    kept_repeats = len(kept_lines) - len(set(kept_lines))

    source = importer.read_source(path)
    assert importer.guess_entity(source.headers) == "invoices"
    mapping = importer.auto_map("invoices", source.headers)
    assert mapping["amount"] == ("Quantity", "UnitPrice")  # proposed: there is no amount column

    with pytest.raises(RowsRejected) as err:
        importer.import_source(con, workspace.id, source)
    assert err.value.result.rows_rejected == len(blank)
    assert {r.column for r in err.value.result.rejects} == {"customer"}
    assert store.list_batches(con, workspace.id) == []

    result = importer.import_source(con, workspace.id, source, skip_bad_rows=True)
    assert result.rows_read == len(rows) == 42481
    assert result.rows_rejected == len(blank) == 15631
    assert result.rows_imported == len(kept)  # exact duplicate lines survive as lines
    assert any("17850.0" in w for w in result.warnings)
    total = scalar(con, "SELECT sum(amount) FROM invoices WHERE workspace_id = $w", workspace)
    assert total == expected_total
    repeats = scalar(
        con, "SELECT count(*) FROM invoices WHERE workspace_id = $w AND occurrence > 1", workspace
    )
    assert isinstance(repeats, int) and repeats >= kept_repeats > 0
    assert result.batch_id is not None
    assert len(store.batch_rejects(con, result.batch_id)) == len(blank)
    customers = {str(int(float(r["CustomerID"]))) for r in kept}
    stored = {
        c for (c,) in con.cursor().execute("SELECT DISTINCT customer FROM invoices").fetchall()
    }
    assert stored == customers  # "17850.0" is customer 17850
    # A cancellation (C-prefixed invoice, negative quantity) is a negative amount.
    cancel = next(r for r in kept if r["InvoiceNo"].startswith("C"))
    row = con.cursor().execute(
        "SELECT min(amount) FROM invoices WHERE invoice_no = $i", {"i": cancel["InvoiceNo"]}
    )
    assert row.fetchall()[0][0] < 0

    again = importer.import_source(
        con, workspace.id, importer.read_source(path), skip_bad_rows=True
    )
    assert again.already_imported and again.batch_id == result.batch_id


# ---------------------------------------------------------------- support tickets


def test_support_ticket_log_imports_with_an_explicit_mapping(
    con: store.Connection, workspace: store.Workspace
) -> None:
    """The log packs "ID / Department / Person" into Ticket and has one row per status
    change. The importer cannot split a field, so the customer is the whole Ticket value
    and each status change is a row: enough to load it, not yet a ticket per ticket."""
    path = shared_file("support-tickets", "input_02.csv")
    rows = read_rows(path)
    source = importer.read_source(path)
    with pytest.raises(UnknownEntity, match="input_02.csv"):
        importer.import_source(con, workspace.id, source)

    mapping = importer.parse_map_args(["opened=Timestamp", "customer=Ticket"])
    result = importer.import_source(con, workspace.id, source, entity="tickets", mapping=mapping)
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (
        len(rows),
        len(rows),
        0,
    )
    assert result.customers_created == len({r["Ticket"] for r in rows})
    severities = Counter(r["Severity"] for r in rows)
    stored = dict(
        con.cursor()
        .execute(
            "SELECT severity, count(*) FROM tickets WHERE workspace_id = $w GROUP BY 1",
            {"w": workspace.id},
        )
        .fetchall()
    )
    assert stored == dict(severities)
    first = rows[0]
    assert scalar(con, "SELECT min(opened) FROM tickets WHERE workspace_id = $w", workspace) == min(
        datetime.fromisoformat(r["Timestamp"]).date() for r in rows
    )
    assert first["Ticket"].count(" / ") == 2
