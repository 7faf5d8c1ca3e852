"""Ids resolved through another file: customers' external ids (a CRM's account ids) and a
people name list (a CRM's users) turn the id columns of later files into names, with counts
of what resolved and what did not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics import importer, schema, store
from analytics.importer.resolve import Resolution
from tests.conftest import shared_file
from tests.files import write
from tests.test_cli import run_cli

ACCOUNTS = "Account ID,Account Name,Industry\n001A,Acme Dental,Dental\n001B,Beta Legal,Legal\n"
USERS = "Id,FirstName,LastName\n005X,Ann,Lee\n005Y,Bob,Ray\n"
# Customer values: 001A (twice) and 001B are ids → 3 rows resolved; 'Beta Legal' is a known
# name; 009Q is neither. Owner values: 005X (twice) and 005Y (twice) are ids → 4 rows; 005Z
# is not.
DEALS = (
    "Opportunity Id,Stage,AccountId,OwnerId,Amount\n"
    "O1,Closed Won,001A,005X,100\n"
    "O2,Closed Lost,001B,005Y,50\n"
    "O3,Prospecting,001A,005Z,70\n"
    "O4,Closed Won,009Q,005X,20\n"
    "O5,Closed Won,Beta Legal,005Y,30\n"
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "accounts": write(tmp_path, "accounts.csv", ACCOUNTS),
        "users": write(tmp_path, "users.csv", USERS),
        "deals": write(tmp_path, "deals.csv", DEALS),
    }


def test_account_and_owner_ids_resolve_to_names(
    con: store.Connection, workspace: store.Workspace, files: dict[str, Path]
) -> None:
    ws = workspace.id
    accounts = importer.import_file(con, ws, files["accounts"])
    assert accounts.entity == "customers"
    assert accounts.mapping == {
        "customer": "Account Name",
        "external_id": "Account ID",
        "segment": "Industry",
    }
    people = importer.import_file(con, ws, files["users"], entity="people")
    assert people.rows_imported == 2 and people.mapping["person_id"] == "Id"

    deals = importer.import_file(con, ws, files["deals"])
    assert deals.entity == "deals" and deals.mapping["customer"] == "AccountId"
    assert deals.resolutions == [
        Resolution("customer", "customers", 4, 2, 3, 1, 1, ("009Q",)),
        Resolution("owner", "people", 3, 2, 4, 0, 1, ("005Z",)),
    ]
    assert deals.customers_created == 1  # 009Q, as for any customer not known
    rows = con.execute("SELECT deal_id, customer, owner FROM deals_current ORDER BY 1").fetchall()
    assert rows == [
        ("O1", "Acme Dental", "Ann Lee"),
        ("O2", "Beta Legal", "Bob Ray"),
        ("O3", "Acme Dental", "005Z"),
        ("O4", "009Q", "Ann Lee"),
        ("O5", "Beta Legal", "Bob Ray"),
    ]
    notes = deals.notes()
    assert notes[0].startswith("Customer column: 4 distinct values; 2 were external ids")
    assert "1 did not resolve (e.g. '009Q')" in notes[0]
    # The stored row is the resolved one: the same deals with names add nothing.
    by_name = DEALS.replace("001A", "Acme Dental").replace("001B", "Beta Legal")
    again = importer.import_source(con, ws, importer.read_source(by_name.encode(), "names.csv"))
    assert (again.rows_imported, again.duplicates_skipped) == (0, 5)


def test_without_ids_in_the_store_nothing_is_resolved_or_said(
    con: store.Connection, workspace: store.Workspace, files: dict[str, Path]
) -> None:
    deals = importer.import_file(con, workspace.id, files["deals"])
    assert deals.resolutions == [] and deals.notes() == []
    assert deals.customers_created == 4  # 001A, 001B, 009Q, Beta Legal


def test_cli_map_customer_to_account_id_counts_what_did_not_resolve(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    db = tmp_path / "s.duckdb"
    base = ("import", "--db", db, "--workspace", "W")
    assert run_cli(*base, files["accounts"]).returncode == 0
    proc = run_cli(*base, "--entity", "people", files["users"])
    assert proc.returncode == 0, proc.stderr
    proc = run_cli(*base, "--entity", "deals", "--map", "customer=AccountId", "--", files["deals"])
    assert proc.returncode == 0, proc.stderr
    assert "2 were external ids, now read as names (3 rows)" in proc.stdout
    assert "1 did not resolve (e.g. '009Q')" in proc.stdout
    assert "Owner column: 3 distinct values; 2 were people's ids" in proc.stdout
    proc = run_cli(*base, "--entity", "deals", "--map", "customer=AccountId", "--replace", "--json", "--", files["deals"])  # fmt: skip
    payload = json.loads(proc.stdout)
    assert payload["replaced_batch"] == 3
    customer, owner = payload["resolutions"]
    assert (customer["resolved"], customer["unresolved"], customer["examples"]) == (2, 1, ["009Q"])
    assert (owner["resolved"], owner["rows"], owner["unresolved"]) == (2, 4, 1)


def test_maven_crm_pipeline_names_are_the_accounts(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    accounts = importer.import_file(
        con, ws, shared_file("maven-crm", "accounts.csv"), mapping={"segment": "sector"}
    )
    assert accounts.entity == "customers" and accounts.rows_imported == 85
    assert accounts.customers_with_conflicts == 0
    segment = con.execute(
        "SELECT segment FROM customers_current WHERE customer = 'Acme Corporation'"
    ).fetchall()
    assert segment == [("technolgy",)]  # as the file spells it
    deals = importer.import_file(con, ws, shared_file("maven-crm", "sales_pipeline.csv"))
    assert deals.entity == "deals" and deals.mapping["customer"] == "account"
    assert (deals.rows_read, deals.rows_imported, deals.rows_rejected) == (8800, 8800, 0)
    # Every account the pipeline names is one of the 85 accounts: nothing unresolved, no
    # customer created. (Deals still being engaged carry no account.)
    [resolution] = deals.resolutions
    assert (resolution.values, resolution.matched, resolution.unresolved) == (85, 85, 0)
    assert deals.customers_created == 0
    assert store.entity_counts(con, ws)["customers"] == 85


def test_a_store_from_before_external_ids_is_upgraded_and_its_customers_still_match(
    db_file: Path, tmp_path: Path
) -> None:
    con = store.connect(db_file)
    ws = store.create_workspace(con, "Old")
    importer.import_file(con, ws.id, write(tmp_path, "a.csv", "Customer,Segment\nAcme,Dental\n"))
    # Back to schema 9: no external id, no people or row_checks, fingerprints without the field.
    before = ("customer", "segment", "region", "size", "channel", "first_seen")
    parts = ", ".join(
        f"coalesce(CAST({f} AS VARCHAR), chr(30))" for f in (*before, "renewal_date", "status")
    )
    con.execute("DROP TABLE customers_current")  # a view before migration 11
    con.execute("DROP TABLE deals_current")
    con.execute(schema.DEALS_CURRENT_SQL)
    con.execute("ALTER TABLE customers DROP COLUMN external_id")
    con.execute(f"UPDATE customers SET row_fp = md5_number(concat_ws(chr(31), {parts}))")
    con.execute(
        "CREATE VIEW customers_current AS SELECT workspace_id, customer, "
        "arg_max(segment, coalesce(batch_id, 0)) AS segment, bool_and(auto) AS auto "
        "FROM customers GROUP BY workspace_id, customer"
    )
    con.execute("DROP TABLE people")
    con.execute("DROP TABLE row_checks")
    for fact in schema.FACTS:  # the summaries migration 15 made, which schema 9 had not
        if fact.table not in ("customers_current", "deals_current"):
            con.execute(f"DROP TABLE {fact.table}")
    con.execute("DELETE FROM schema_version WHERE version >= 10")  # 10 and on run again
    con.close()

    con = store.connect(db_file)  # migration 10 runs
    assert store.schema_version(con) == store.SCHEMA_VERSION >= 10
    row = con.execute("SELECT customer, external_id, segment FROM customers_current").fetchall()
    assert row == [("Acme", None, "Dental")]
    # The same customer from another file is recognised: its fingerprint was brought up to date.
    again = importer.import_file(
        con, ws.id, write(tmp_path, "b.csv", "Customer,Segment,Region\nAcme,Dental,\n")
    )
    assert (again.rows_imported, again.duplicates_skipped) == (0, 1)
    assert con.execute("SELECT count(*) FROM people").fetchall() == [(0,)]
    con.close()
