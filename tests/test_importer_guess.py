"""Guessing what a file holds: the fit of each kind, the confidence, refusing an unclear
guess (API, CLI and the Data page), and what an import says about the kind it used.

Fits are worked out by hand: 3 points per required field with a column, 1 per optional
field with one, 3 off per required field without; confidence = (best - runner-up) / best.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics import importer, store
from analytics.entities import ENTITIES
from analytics.errors import UnclearEntity, UnknownEntity
from analytics.importer.mapping import guess
from tests.conftest import shared_file
from tests.test_cli import run_cli

USERS = b"""Id,Name,Email,Title,Department,IsActive,ManagerId,CreatedDate
005A1,Ann Lee,ann@example.com,CEO,Executive,true,,2020-01-02
005A2,Bo Chan,bo@example.com,Engineer,Operations,true,005A1,2020-02-03
005A3,Cy Dahl,cy@example.com,Engineer,Operations,false,005A1,2021-05-06
"""

COMPLAINTS = b"""Complaint ID,Date Received,Date Resolved,Customer ID
C-1,2024-01-05,2024-01-09,K100
C-2,2024-02-01,,K200
C-3,2024-02-03,2024-02-04,K100
"""

# Order lines without any date: not a customer list with the category as segment.
ORDER_LINES = b"""Order ID,Customer Name,Product,Category,Quantity,Unit Price,Sales
A1,Acme,Mug,Kitchen,2,2.50,5.00
A2,Brill,Pan,Kitchen,1,20.00,20.00
"""


def source(content: bytes, name: str) -> importer.Source:
    return importer.read_source(content, name)


# ---------------------------------------------------------------- the fit and the confidence


def test_fit_and_confidence_worked_out_by_hand() -> None:
    found = guess(["Date", "Customer", "Amount", "Invoice No"])
    # invoices: date, customer, amount (3 × 3) + invoice_no (1) = 10
    # tickets: opened = Date, customer (2 × 3) = 6, the runner-up
    # customers: customer = 3; activities: date 3 - type 3 = 0
    assert [(f.entity, f.score) for f in found.fits[:3]] == [
        ("invoices", 10),
        ("tickets", 6),
        ("customers", 3),
    ]
    assert found.entity == "invoices"
    assert found.confidence == pytest.approx((10 - 6) / 10)
    assert found.clear


def test_user_list_is_refused_not_tickets(
    con: store.Connection, workspace: store.Workspace
) -> None:
    found = guess(source(USERS, "users.csv").headers)
    # tickets: opened = CreatedDate, customer = Department: 6, only its required fields,
    # 6 of 8 columns unused: thin. customers: customer = Name, first_seen = CreatedDate: 4.
    assert (found.entity, found.clear) == ("tickets", False)
    assert found.fit("tickets").thin
    assert found.confidence == pytest.approx((6 - 4) / 6 * 2 / 8, abs=0.01)
    assert [f.entity for f in found.candidates] == ["tickets", "customers"]
    assert importer.guess_entity(source(USERS, "users.csv").headers) is None

    with pytest.raises(UnclearEntity) as err:
        importer.import_source(con, workspace.id, source(USERS, "users.csv"))
    message = str(err.value)
    assert message.startswith("users.csv: not clear what this file holds")
    assert "tickets (would use opened = CreatedDate, customer = Department)" in message
    assert "customers (would use customer = Name, first_seen = CreatedDate)" in message
    assert "--entity tickets or --entity customers" in message
    assert "If it is a list of people (a CRM's users), import it with --entity people." in message
    assert [c["kind"] for c in err.value.candidates] == ["tickets", "customers"]
    assert store.list_batches(con, workspace.id) == []
    assert store.entity_counts(con, workspace.id)["customers"] == 0


def test_complaints_log_is_tickets(con: store.Connection, workspace: store.Workspace) -> None:
    found = guess(source(COMPLAINTS, "complaints.csv").headers)
    # tickets: opened, customer (6) + resolved (1) = 7; customers: customer = Customer ID: 3
    assert (found.entity, found.clear) == ("tickets", True)
    assert found.confidence == pytest.approx((7 - 3) / 7, abs=0.01)
    result = importer.import_source(con, workspace.id, source(COMPLAINTS, "complaints.csv"))
    assert (result.entity, result.kind_source, result.rows_imported) == ("tickets", "guessed", 3)
    assert result.mapping == {
        "opened": "Date Received",
        "customer": "Customer ID",
        "resolved": "Date Resolved",
    }
    assert result.unused_columns == ["Complaint ID"]
    rows = (
        con.cursor()
        .execute("SELECT customer, opened, resolved FROM tickets ORDER BY opened")
        .fetchall()
    )
    assert [(c, str(o), str(r)) for c, o, r in rows] == [
        ("K100", "2024-01-05", "2024-01-09"),
        ("K200", "2024-02-01", "None"),
        ("K100", "2024-02-03", "2024-02-04"),
    ]


def test_order_lines_without_a_date_are_refused_not_customers(
    con: store.Connection, workspace: store.Workspace
) -> None:
    found = guess(source(ORDER_LINES, "lines.csv").headers)
    # customers: customer + segment = Category: 4 (complete)
    # invoices: customer, amount = Sales (6) + invoice_no, product (2) - date (3) = 5
    assert [(f.entity, f.score, f.complete) for f in found.candidates] == [
        ("customers", 4, True),
        ("invoices", 5, False),
    ]
    assert not found.clear and found.confidence == 0.0
    with pytest.raises(UnclearEntity) as err:
        importer.import_source(con, workspace.id, source(ORDER_LINES, "lines.csv"))
    message = str(err.value)
    assert "it has no column for date" in message
    assert "--map date=Column" in message
    assert store.entity_counts(con, workspace.id)["customers"] == 0

    # Saying which settles it.
    result = importer.import_source(
        con, workspace.id, source(ORDER_LINES, "lines.csv"), entity="customers"
    )
    assert (result.entity, result.kind_source, result.confidence) == ("customers", "given", None)


def test_a_mapping_can_settle_the_guess() -> None:
    headers = ["Order ID", "Customer Name", "Booked On", "Sales"]
    # Booked On is no date name we know: customers (3, thin) against invoices without a date
    # (customer, amount, invoice_no - date = 4).
    assert (guess(headers).entity, guess(headers).clear) == ("customers", False)
    found = guess(headers, {"date": "Booked On"})
    # Only kinds with a date field stay: invoices 10 (date, customer, amount + invoice_no),
    # activities 0 (date - type), time entries -2 (date + customer - person - hours).
    assert [(f.entity, f.score) for f in found.fits] == [
        ("invoices", 10),
        ("activities", 0),
        ("time_entries", -2),
    ]
    assert (found.entity, found.clear, found.confidence) == ("invoices", True, 1.0)
    # A field only one kind has narrows the guess to it.
    only = guess(["When", "Who", "Qty", "Price"], {"amount": ("Qty", "Price"), "date": "When"})
    assert [f.entity for f in only.fits] == ["invoices"]


def test_unknown_files_still_get_the_nearest_kind(
    con: store.Connection, workspace: store.Workspace
) -> None:
    products = b"product,series,sales_price\nGTX Basic,GTX,550\n"
    with pytest.raises(UnknownEntity) as err:
        importer.import_source(con, workspace.id, source(products, "products.csv"))
    assert not isinstance(err.value, UnclearEntity)
    assert "cannot tell what this file holds" in str(err.value)
    assert len(err.value.candidates) == 2


@pytest.mark.parametrize(
    ("folder", "name", "kind"),
    [
        ("superstore-classic", "superstore.csv", "invoices"),
        ("maven-crm", "sales_pipeline.csv", "deals"),
        ("maven-crm", "accounts.csv", "customers"),
        ("harvest-time-sample", "harvest-sample.csv", "time_entries"),
        ("toggl-time-entries", "Toggl_time_entries_2017-08-01_to_2017-08-31.csv", "time_entries"),
        ("online-retail-2010-12", "online_retail_2010-12.csv", "invoices"),
        ("ibm-accounts-receivable", "accounts-receivable.csv", "invoices"),
    ],
)
def test_real_exports_are_still_guessed(folder: str, name: str, kind: str) -> None:
    found = guess(importer.read_source(shared_file(folder, name)).headers)
    assert (found.entity, found.clear) == (kind, True)
    assert found.confidence >= 0.45


@pytest.mark.parametrize("name", ["products.csv", "sales_teams.csv", "data_dictionary.csv"])
def test_real_files_that_are_no_business_record_are_refused(name: str) -> None:
    found = guess(importer.read_source(shared_file("maven-crm", name)).headers)
    assert found.entity is None and not found.clear


# ---------------------------------------------------------------- what the result says


def test_result_states_kind_confidence_mapping_and_unused_columns(
    con: store.Connection, workspace: store.Workspace
) -> None:
    data = b"InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    data += b"1,A1,2,2010-12-01 08:26:00,2.50,17850,UK\n"
    result = importer.import_source(
        con,
        workspace.id,
        source(data, "retail.csv"),
        mapping=importer.parse_map_args(["amount=Quantity*UnitPrice"]),
    )
    assert (result.entity, result.kind_source, result.confidence) == ("invoices", "mapped", 1.0)
    assert result.mapping == {
        "date": "InvoiceDate",
        "customer": "CustomerID",
        "amount": "Quantity × UnitPrice",
        "invoice_no": "InvoiceNo",
        "product": "StockCode",
    }
    assert result.unused_columns == ["Country"]
    out = result.to_json()
    assert (out["ok"], out["exit"], out["kind"], out["guessed"]) == (True, 0, "invoices", False)
    assert result.kind_line() == (
        "Kind: invoices (settled by --map). Columns: date = InvoiceDate; customer = "
        "CustomerID; amount = Quantity × UnitPrice; invoice_no = InvoiceNo; product = "
        "StockCode. Not used: Country."
    )


def test_skipped_rows_are_counted_per_reason_and_a_biased_sample_is_named(
    con: store.Connection, workspace: store.Workspace
) -> None:
    data = b"Date,Customer,Amount\n" + b"".join(
        f"2025-01-0{i},{'' if i <= 3 else 'Acme'},10\n".encode() for i in range(1, 8)
    )
    result = importer.import_source(
        con, workspace.id, source(data, "lines.csv"), entity="invoices", skip_bad_rows=True
    )
    reason = "Customer is required but column 'Customer' is blank"
    assert result.dropped == {reason: 3}
    assert (result.rows_read, result.rows_imported) == (7, 4)
    # 3 of 7 (43 %) left out, all blank customers
    assert any("The figures will only see 4 of 7 rows" in w for w in result.warnings)


def test_one_stray_bad_row_is_not_called_biased(
    con: store.Connection, workspace: store.Workspace
) -> None:
    rows = [f"2025-01-{d:02d},Acme,10" for d in range(1, 21)] + ["2025-02-01,Acme,oops"]
    data = ("Date,Customer,Amount\n" + "\n".join(rows) + "\n").encode()
    result = importer.import_source(
        con, workspace.id, source(data, "lines.csv"), entity="invoices", skip_bad_rows=True
    )
    assert sum(result.dropped.values()) == 1
    assert not any("will only see" in w for w in result.warnings)


# ---------------------------------------------------------------- the CLI


def test_cli_refuses_an_unclear_file_with_one_json_object(tmp_path: Path) -> None:
    users = tmp_path / "users.csv"
    users.write_bytes(USERS)
    db = tmp_path / "x.duckdb"
    proc = run_cli("import", "--db", db, "--workspace", "W", users, "--json")
    assert proc.returncode == 2
    out = json.loads(proc.stdout)
    assert (out["ok"], out["exit"], out["kind"], out["file_name"]) == (
        False,
        2,
        None,
        "users.csv",
    )
    assert [c["kind"] for c in out["candidates"]] == ["tickets", "customers"]
    assert out["candidates"][0]["mapping"] == {"opened": "CreatedDate", "customer": "Department"}
    assert "--entity tickets" in out["error"]
    assert proc.stderr.startswith("error: users.csv: not clear")

    # Without --json: the same line on stderr, nothing on stdout.
    proc = run_cli("import", "--db", db, "--workspace", "W", users)
    assert proc.returncode == 2 and proc.stdout == ""

    # --entity settles it; the text output names the kind and every column.
    proc = run_cli("import", "--db", db, "--workspace", "W", users, "--entity", "customers")
    assert proc.returncode == 0, proc.stderr
    assert "Kind: customers (given). Columns: customer = Name; first_seen = CreatedDate." in (
        proc.stdout
    )


def test_cli_json_on_file_level_failures(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    proc = run_cli("import", "--db", db, "--workspace", "W", tmp_path / "nope.csv", "--json")
    assert proc.returncode == 2
    assert json.loads(proc.stdout) == {
        "ok": False,
        "error": f"{tmp_path / 'nope.csv'}: no such file",
        "exit": 2,
        "file_name": "nope.csv",
        "kind": None,
        "candidates": [],
    }
    missing = tmp_path / "missing.csv"
    missing.write_bytes(b"Date,Amount\n2025-01-01,3\n")
    proc = run_cli(
        "import", "--db", db, "--workspace", "W", "--entity", "invoices", missing, "--json"
    )
    out = json.loads(proc.stdout)
    assert (proc.returncode, out["ok"], out["kind"]) == (2, False, "invoices")
    assert "no column for customer" in out["error"]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Date,Customer,Amount\n2025-01-01,A,x\n")
    proc = run_cli("import", "--db", db, "--workspace", "W", bad, "--json")
    out = json.loads(proc.stdout)
    assert (proc.returncode, out["ok"], out["exit"], out["rows_rejected"]) == (2, False, 2, 1)
    assert out["mapping"] == {"date": "Date", "customer": "Customer", "amount": "Amount"}


# ---------------------------------------------------------------- the Data page


@pytest.mark.usefixtures("fresh_streamlit")
def test_data_page_asks_for_the_kind_when_unclear(with_workspace: store.Workspace) -> None:
    from tests.apptest import no_failure, run_page, texts

    at = run_page("pages/data.py")
    at.file_uploader[0].set_value(("users.csv", USERS, "text/csv"))
    at.run()
    no_failure(at)
    assert "not sure what this file holds" in texts(at)
    pick = next(s for s in at.selectbox if str(s.key).startswith("entity:"))
    assert pick.value is None
    assert pick.options[:2] == [
        f"{ENTITIES['tickets'].label} (would read opened = CreatedDate, customer = Department)",
        f"{ENTITIES['customers'].label} (would read customer = Name, first_seen = CreatedDate)",
    ]
    assert not any(b.label.startswith("Import") for b in at.button)  # nothing to import yet
    pick.set_value("customers").run()
    no_failure(at)
    assert "Read as **customers**, as you chose." in texts(at)
    assert any(b.label.startswith("Import 3 rows as customers") for b in at.button)


@pytest.mark.usefixtures("fresh_streamlit")
def test_data_page_shows_a_clear_guess_and_its_confidence(
    with_workspace: store.Workspace,
) -> None:
    from tests.apptest import no_failure, run_page, texts

    at = run_page("pages/data.py")
    at.file_uploader[0].set_value(("complaints.csv", COMPLAINTS, "text/csv"))
    at.run()
    no_failure(at)
    shown = texts(at).replace("\\", "")
    assert "guessed from the column names, confidence **57%**" in shown
    assert "Columns not read: Complaint ID." in shown
