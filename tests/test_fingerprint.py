"""The row fingerprint covers the identity fields of an entity, pinned per version: a field
added to an entity later never changes a stored fingerprint, so last month's export imported
again after the upgrade is recognised row by row instead of counted twice."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from decimal import Decimal

import pytest

from analytics import demo, importer, schema, store
from analytics.entities import ENTITIES, IMPORTABLE, Field
from analytics.importer.fingerprint import (
    FINGERPRINT_VERSION,
    IDENTITY_FIELDS,
    LATER_FIELDS,
    fingerprint_sql,
)

HEADER = "Date,Customer,Amount\n"
JAN = "2025-01-05,Acme,100.00\n2025-01-05,Acme,100.00\n2025-01-20,Beta,50.00\n"


def md5_number(*values: str | None) -> int:
    """DuckDB's md5_number of the fingerprint's text: the digest read little-endian."""
    text = "\x1f".join("\x1e" if v is None else v for v in values)
    return int.from_bytes(hashlib.md5(text.encode()).digest(), "little")


def source(text: str, name: str) -> importer.Source:
    return importer.read_source(text.encode(), name)


def stored(con: store.Connection, ws: int) -> list[tuple[int, int, int, int]]:
    return con.execute(
        "SELECT batch_id, source_row, row_fp, occurrence FROM invoices "
        "WHERE workspace_id = $w ORDER BY batch_id, source_row",
        {"w": ws},
    ).fetchall()


def test_the_fingerprint_is_the_md5_of_the_identity_values(
    con: store.Connection, workspace: store.Workspace
) -> None:
    importer.import_source(con, workspace.id, source(HEADER + JAN, "jan.csv"))
    # date, customer, amount (four decimals, as stored), then invoice_no, product, recurring
    # and cost: not in the file, so NULL (chr(30)).
    acme = md5_number("2025-01-05", "Acme", "100.0000", None, None, None, None)
    beta = md5_number("2025-01-20", "Beta", "50.0000", None, None, None, None)
    [(batch, *_)] = con.execute("SELECT id FROM batches").fetchall()
    assert stored(con, workspace.id) == [
        (batch, 2, acme, 1),
        (batch, 3, acme, 2),  # the same line again: its second occurrence
        (batch, 4, beta, 1),
    ]


def test_identity_fields_are_pinned_and_cover_every_entity() -> None:
    assert FINGERPRINT_VERSION == 2
    assert set(IDENTITY_FIELDS) == set(IMPORTABLE)
    # Version 1 was every field each entity had when fingerprints were first stored; version
    # 2 leaves out a ticket's resolved day and hours. Those, and an invoice's due and paid
    # days (added later, never identity), fill in after a row first appears: LATER_FIELDS.
    assert dict(LATER_FIELDS) == {"invoices": ("due", "paid"), "tickets": ("resolved", "hours")}
    for name, fields in IDENTITY_FIELDS.items():
        extra = ("stage",) if name == "deals" else ()
        then = tuple(f for f in ENTITIES[name].field_names if f not in LATER_FIELDS.get(name, ()))
        assert fields == then + extra, name
    assert IDENTITY_FIELDS["tickets"] == ("opened", "customer", "type", "severity")
    # Migration 12 brings stored rows to the same formula, written out as literal SQL;
    # migration 20 brings tickets to version 2.
    [v12] = [s for v, s in schema.MIGRATIONS if v == 12]
    [v20] = [s for v, s in schema.MIGRATIONS if v == 20]
    for name in IMPORTABLE:
        [stmt] = [
            s for s in (v20 if name == "tickets" else v12) if s.startswith(f"UPDATE {name} ")
        ][:1]
        assert f"SET row_fp = {fingerprint_sql(name)} WHERE" in stmt, name


def test_the_fingerprint_formula_and_fields_never_move(con: store.Connection) -> None:
    # IDENTITY_FIELDS is migration 12's own (frozen) tuples, read-only through this name.
    with pytest.raises(TypeError):
        IDENTITY_FIELDS["people"] = ("name",)  # type: ignore[index]
    # Every entity's fingerprint expression, as version 2 (migration 20) makes them: a change
    # here without a migration would make every stored row look new to a re-import.
    text = "\n".join(fingerprint_sql(name) for name in IMPORTABLE)
    assert hashlib.sha256(text.encode()).hexdigest() == (
        "500114c5d0a0c5bbda844aaedfca79817cf1f7b18dfd2ac2398b72ba5b03d05b"
    )
    # A person as a name list gives them: person_id, name, first_name, last_name in that
    # order, the missing last name as NULL.
    [(fp,)] = con.execute(
        f"SELECT {fingerprint_sql('people')} FROM (SELECT 'P1' AS person_id, "
        "'Ann Lee' AS name, 'Ann' AS first_name, NULL::VARCHAR AS last_name)"
    ).fetchall()
    assert fp == md5_number("P1", "Ann Lee", "Ann", None)


def test_an_unmapped_identity_field_counts_as_null() -> None:
    both = fingerprint_sql("tickets", {"opened", "customer"})
    assert both == (
        "md5_number(concat_ws(chr(31), coalesce(CAST(opened AS VARCHAR), chr(30)), "
        "coalesce(CAST(customer AS VARCHAR), chr(30)), chr(30), chr(30)))"
    )


@pytest.fixture
def invoices_with_po(con: store.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    """Invoices gain an optional field (a purchase-order number), as a later release might:
    in the registry, and as a column of the store's table (what its migration would add)."""
    ent = ENTITIES["invoices"]
    monkeypatch.setitem(
        ENTITIES, "invoices", replace(ent, fields=(*ent.fields, Field("po_number", "text")))
    )
    con.execute("ALTER TABLE invoices ADD COLUMN po_number VARCHAR")


def test_a_field_added_later_changes_no_fingerprint(
    con: store.Connection, workspace: store.Workspace, request: pytest.FixtureRequest
) -> None:
    before = {name: fingerprint_sql(name) for name in IMPORTABLE}
    importer.import_source(con, workspace.id, source(HEADER + JAN, "jan.csv"))
    jan_rows = stored(con, workspace.id)
    request.getfixturevalue("invoices_with_po")
    assert "po_number" in ENTITIES["invoices"].field_names
    assert {name: fingerprint_sql(name) for name in IMPORTABLE} == before

    # Last month's export again, now with February's line and the new column filled in:
    # January's three lines are recognised (the repeated one as its second occurrence),
    # only February's is added.
    text = (
        "Date,Customer,Amount,PO\n"
        "2025-01-05,Acme,100.00,PO-1\n2025-01-05,Acme,100.00,PO-1\n"
        "2025-01-20,Beta,50.00,PO-2\n2025-02-03,Acme,70.00,PO-3\n"
    )
    mapping = {"date": "Date", "customer": "Customer", "amount": "Amount", "po_number": "PO"}
    result = importer.import_source(
        con, workspace.id, source(text, "jan_feb.csv"), entity="invoices", mapping=mapping
    )
    assert (result.rows_read, result.rows_imported, result.duplicates_skipped) == (4, 1, 3)
    after = stored(con, workspace.id)
    assert after[:3] == jan_rows  # the stored fingerprints did not move
    assert after[3][1:] == (5, md5_number("2025-02-03", "Acme", "70.0000", *[None] * 4), 1)
    total, n, po = con.execute(
        "SELECT sum(amount), count(*), string_agg(po_number, ',' ORDER BY source_row) "
        "FROM invoices WHERE workspace_id = $w",
        {"w": workspace.id},
    ).fetchall()[0]
    assert (total, n, po) == (Decimal("320.0000"), 4, "PO-3")  # 100 + 100 + 50 + 70


def test_the_demo_writes_the_importers_fingerprint(
    con: store.Connection, workspace: store.Workspace
) -> None:
    demo.generate_demo(con, workspace.id)
    for name in demo.ENTITY_QUERIES:
        [(n, wrong)] = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE row_fp <> {fingerprint_sql(name)}) "
            f"FROM {name} WHERE workspace_id = $w",
            {"w": workspace.id},
        ).fetchall()
        assert n > 0 and wrong == 0, name
