"""Customers from order lines: one row per customer, each attribute by a fixed rule, conflicts
counted; the same data in another line order gives the same customers."""

from __future__ import annotations

import json
from pathlib import Path

from analytics import importer, store
from tests.conftest import shared_file
from tests.test_cli import run_cli

# Acme: segment Dental on 10 Jan and 5 Mar, Legal on 1 Feb → Dental (latest dated row, 5 Mar);
#       region North on 10 Jan and 1 Feb, South on 5 Mar → South (latest), though North is
#       more frequent. First seen: 10 Jan (the earliest).
# Beta: both rows on 1 May, region East and West → a tie on date and on frequency → East
#       (alphabetically first). Segment Legal on both: no conflict.
# Cyan: one row.
LINES = [
    "Order Date,Customer Name,Segment,Region",
    "2024-01-10,Acme,Dental,North",
    "2024-03-05,Acme,Dental,South",
    "2024-02-01,Acme,Legal,North",
    "2024-05-01,Beta,Legal,West",
    "2024-05-01,Beta,Legal,East",
    "2024-04-01,Cyan,Retail,North",
]
EXPECTED = [
    ("Acme", "Dental", "South", "2024-01-10"),
    ("Beta", "Legal", "East", "2024-05-01"),
    ("Cyan", "Retail", "North", "2024-04-01"),
]


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def current(con: store.Connection, ws: store.Workspace) -> list[tuple]:
    return (
        con.cursor()
        .execute(
            "SELECT customer, segment, region, first_seen::VARCHAR FROM customers_current "
            "WHERE workspace_id = $w ORDER BY customer",
            {"w": ws.id},
        )
        .fetchall()
    )


def test_order_lines_become_one_customer_each_from_the_latest_dated_row(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    result = importer.import_file(
        con, workspace.id, write(tmp_path, "orders.csv", LINES), entity="customers"
    )
    assert result.mapping["first_seen"] == "Order Date"
    assert (result.rows_read, result.rows_imported, result.customers_in_file) == (6, 3, 3)
    assert result.customers_repeated == 2  # Acme, Beta
    assert result.customers_with_conflicts == 2  # Acme (segment, region), Beta (region)
    assert result.attribute_conflicts == {"segment": 1, "region": 2}
    assert current(con, workspace) == EXPECTED
    rows = con.execute("SELECT count(*) FROM customers WHERE workspace_id = 1").fetchall()[0][0]
    assert rows == 3  # stored once each, not once per line
    payload = result.to_json()
    assert payload["customers_with_conflicts"] == 2 and payload["customers_in_file"] == 3


def test_the_same_lines_in_another_order_give_the_same_customers(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    reordered = [LINES[0], *reversed(LINES[1:])]
    other = store.create_workspace(con, "Reversed")
    importer.import_file(con, workspace.id, write(tmp_path, "a.csv", LINES), entity="customers")
    importer.import_file(con, other.id, write(tmp_path, "b.csv", reordered), entity="customers")
    assert current(con, other) == current(con, workspace) == EXPECTED
    # The reordered file into the first workspace: new content, the same customers → nothing
    # new is stored ("already there as they are").
    again = importer.import_file(
        con, workspace.id, write(tmp_path, "b.csv", reordered), entity="customers"
    )
    assert (again.already_imported, again.rows_imported, again.duplicates_skipped) == (False, 0, 3)


def test_without_dates_the_most_frequent_value_then_the_first_alphabetically(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    lines = [
        "Customer,Region",
        "Acme,North",
        "Acme,South",
        "Acme,South",  # South twice, North once → South
        "Beta,West",
        "Beta,East",  # one each → East
        "Cyan,",  # no region at all: none is invented
    ]
    result = importer.import_file(con, workspace.id, write(tmp_path, "c.csv", lines))
    assert result.entity == "customers"
    assert (result.rows_read, result.rows_imported) == (6, 3)
    assert (result.customers_repeated, result.customers_with_conflicts) == (2, 2)
    got = con.execute("SELECT customer, region FROM customers_current ORDER BY 1").fetchall()
    assert got == [("Acme", "South"), ("Beta", "East"), ("Cyan", None)]


def test_a_one_row_per_customer_file_is_unchanged(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    lines = ["Customer,Segment,Size", "Acme,Dental,12", "Beta,Legal,40"]
    result = importer.import_file(con, workspace.id, write(tmp_path, "d.csv", lines))
    assert (result.rows_read, result.rows_imported, result.customers_repeated) == (2, 2, 0)
    assert result.customers_with_conflicts == 0 and result.notes() == []
    got = con.execute("SELECT customer, segment, size FROM customers_current ORDER BY 1").fetchall()
    assert got == [("Acme", "Dental", 12), ("Beta", "Legal", 40)]


def test_cli_counts_customers_as_customers(tmp_path: Path) -> None:
    db, path = tmp_path / "s.duckdb", write(tmp_path, "orders.csv", LINES)
    proc = run_cli("import", "--db", db, "--workspace", "W", "--entity", "customers", path)
    assert proc.returncode == 0, proc.stderr
    assert "Read 6 rows from orders.csv: imported or updated 3 of its 3 customers" in proc.stdout
    assert "2 of them have rows that disagree (segment 1, region 2)" in proc.stdout
    proc = run_cli(
        "import", "--db", db, "--workspace", "W2", "--entity", "customers", path, "--json"
    )
    payload = json.loads(proc.stdout)
    assert (payload["rows_read"], payload["rows_imported"]) == (6, 3)
    assert payload["customers_with_conflicts"] == 2
    assert payload["attribute_conflicts"] == {"segment": 1, "region": 2}


def test_superstore_order_lines_are_793_customers(
    con: store.Connection, workspace: store.Workspace
) -> None:
    path = shared_file("superstore-classic", "superstore.csv")
    result = importer.import_file(con, workspace.id, path, entity="customers")
    assert (result.rows_read, result.rows_imported, result.customers_in_file) == (9994, 793, 793)
    # Segment is the same on every line of a customer; the region is where the order went,
    # so almost every repeat customer has several: 766 of the 788 with more than one line.
    assert result.customers_repeated == 788
    assert result.attribute_conflicts == {"region": 766}
    assert result.customers_with_conflicts == 766
    assert store.entity_counts(con, workspace.id)["customers"] == 793
