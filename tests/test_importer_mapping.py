"""Header mapping: synonyms of common exports, the entity guess, --map, checks, saved mappings."""

from __future__ import annotations

import pytest

from analytics import importer, store
from analytics.entities import ENTITIES, ENTITY_NAMES
from analytics.errors import BadMapping, MissingColumn, UnknownEntity
from analytics.importer.mapping import resolve_mapping
from analytics.importer.synonyms import EXTRA_FIELDS, normalise, synonym_table

# Header rows as the exports write them, and what each field should map to.
EXPORTS: dict[str, tuple[list[str], str, dict[str, object]]] = {
    "tableau superstore": (
        ["Row ID", "Order ID", "Order Date", "Ship Date", "Ship Mode", "Customer ID",
         "Customer Name", "Segment", "Country", "City", "State", "Postal Code", "Region",
         "Product ID", "Category", "Sub-Category", "Product Name", "Sales", "Quantity",
         "Discount", "Profit"],
        "invoices",
        {"date": "Order Date", "customer": "Customer Name", "amount": "Sales",
         "invoice_no": "Order ID", "product": "Category"},
    ),
    "maven pipeline": (
        ["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date",
         "close_date", "close_value"],
        "deals",
        {"deal_id": "opportunity_id", "owner": "sales_agent", "customer": "account",
         "status": "deal_stage", "created": "engage_date", "closed": "close_date",
         "value": "close_value"},
    ),
    "maven accounts": (
        ["account", "sector", "year_established", "revenue", "employees", "office_location",
         "subsidiary_of"],
        "customers",
        {"customer": "account", "segment": "sector", "size": "employees",
         "region": "office_location"},
    ),
    "online retail": (
        ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
         "CustomerID", "Country"],
        "invoices",
        {"date": "InvoiceDate", "customer": "CustomerID", "invoice_no": "InvoiceNo",
         "product": "Description", "amount": ("Quantity", "UnitPrice")},
    ),
    "quickbooks sales detail": (
        ["Date", "Transaction Type", "Num", "Customer", "Product/Service", "Memo/Description",
         "Qty", "Sales Price", "Amount", "Balance"],
        "invoices",
        {"date": "Date", "customer": "Customer", "amount": "Amount", "invoice_no": "Num",
         "product": "Product/Service"},
    ),
    "xero sales invoices": (
        ["ContactName", "EmailAddress", "InvoiceNumber", "Reference", "InvoiceDate", "DueDate",
         "Total", "InventoryItemCode", "Description", "Quantity", "UnitAmount", "LineAmount",
         "AccountCode", "TaxType", "Currency"],
        "invoices",
        {"date": "InvoiceDate", "customer": "ContactName", "amount": "LineAmount",
         "invoice_no": "InvoiceNumber", "product": "Description", "due": "DueDate"},
    ),
    "hubspot deals": (
        ["Record ID", "Deal Name", "Deal Stage", "Amount", "Create Date", "Close Date",
         "Deal owner", "Pipeline", "Associated Company"],
        "deals",
        {"deal_id": "Record ID", "status": "Deal Stage", "value": "Amount",
         "created": "Create Date", "closed": "Close Date", "owner": "Deal owner",
         "customer": "Associated Company"},
    ),
    "salesforce opportunities": (
        ["Opportunity ID", "Opportunity Name", "Account Name", "Stage", "Amount",
         "Created Date", "Close Date", "Opportunity Owner", "Lead Source", "IsClosed", "IsWon"],
        "deals",
        {"deal_id": "Opportunity ID", "customer": "Account Name", "status": "Stage",
         "value": "Amount", "created": "Created Date", "closed": "Close Date",
         "owner": "Opportunity Owner", "source": "Lead Source", "is_closed": "IsClosed",
         "is_won": "IsWon"},
    ),
    "hubspot companies": (
        ["Record ID", "Company name", "Industry", "Number of Employees", "Country/Region",
         "Original Source", "Create Date", "Lifecycle Stage"],
        "customers",
        {"customer": "Company name", "segment": "Industry", "size": "Number of Employees",
         "region": "Country/Region", "channel": "Original Source", "first_seen": "Create Date",
         "status": "Lifecycle Stage"},
    ),
    "connectwise time": (
        ["Member", "Company", "Charge To", "Work Type", "Work Role", "Date Start",
         "Hours Actual", "Billable Option", "Notes"],
        "time_entries",
        {"person": "Member", "customer": "Company", "deal_id": "Charge To",
         "category": "Work Type", "role": "Work Role", "date": "Date Start",
         "hours": "Hours Actual", "billable": "Billable Option"},
    ),
    "autotask time": (
        ["Resource", "Date Worked", "Hours Worked", "Account", "Project", "Role", "Billable",
         "Work Type"],
        "time_entries",
        {"person": "Resource", "date": "Date Worked", "hours": "Hours Worked",
         "customer": "Account", "deal_id": "Project", "role": "Role", "billable": "Billable",
         "category": "Work Type"},
    ),
    "halopsa tickets": (
        ["Ticket ID", "Client", "Date Occurred", "Ticket Type", "Priority", "Date Closed",
         "Time Taken", "Summary"],
        "tickets",
        {"opened": "Date Occurred", "customer": "Client", "type": "Ticket Type",
         "severity": "Priority", "resolved": "Date Closed", "hours": "Time Taken"},
    ),
    "connectwise tickets": (
        ["Ticket #", "Company", "Date Entered", "Type", "Priority", "Closed Date",
         "Hours Actual", "Summary"],
        "tickets",
        {"customer": "Company", "opened": "Date Entered", "type": "Type",
         "severity": "Priority", "resolved": "Closed Date", "hours": "Hours Actual"},
    ),
    "hubspot calls": (
        ["Activity date", "Activity type", "Activity assigned to", "Associated Company",
         "Call outcome", "Call duration"],
        "activities",
        {"date": "Activity date", "type": "Activity type", "person": "Activity assigned to",
         "customer": "Associated Company", "outcome": "Call outcome",
         "minutes": "Call duration"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("export", list(EXPORTS))
def test_common_exports_are_recognised_and_mapped(export: str) -> None:
    headers, entity, expected = EXPORTS[export]
    assert importer.guess_entity(headers) == entity
    assert importer.auto_map(entity, headers) == expected


@pytest.mark.parametrize(
    "headers",
    [
        ["ORDER_DATE", "customer-name", "  SALES  ", "order id"],
        ["Order Date", "CUSTOMER NAME", "Sales", "Order-ID"],
        ["order.date", "Customer_Name", "sales", "OrderID"],
    ],
)
def test_matching_ignores_case_spaces_and_punctuation(headers: list[str]) -> None:
    mapping = importer.auto_map("invoices", headers)
    assert mapping == {
        "date": headers[0],
        "customer": headers[1],
        "amount": headers[2],
        "invoice_no": headers[3],
    }


def test_amount_column_beats_quantity_times_price() -> None:
    headers = ["Date", "Customer", "Quantity", "Unit Price", "Sales"]
    assert importer.auto_map("invoices", headers)["amount"] == "Sales"
    assert importer.auto_map("invoices", headers[:4])["amount"] == ("Quantity", "Unit Price")
    assert importer.auto_map("invoices", ["Date", "Customer", "Qty", "Price"])["amount"] == (
        "Qty",
        "Price",
    )


@pytest.mark.parametrize("entity", ENTITY_NAMES)
def test_canonical_names_map_exactly(entity: str) -> None:
    """Files written by the export carry the field names and must map to themselves."""
    headers = list(ENTITIES[entity].field_names) + (["stage"] if entity == "deals" else [])
    mapping = importer.auto_map(entity, headers)
    assert mapping == {h: h for h in headers}
    assert importer.guess_entity(headers) == entity


@pytest.mark.parametrize("entity", ENTITY_NAMES)
def test_a_header_name_means_one_field_per_entity(entity: str) -> None:
    table = synonym_table()[entity]
    owners: dict[str, str] = {}
    for field, names in table.items():
        if field == "stage":
            continue  # on purpose: a stage column is the status when there is no status column
        for name in names:
            assert name not in owners, f"{entity}: {name!r} is under {owners.get(name)} and {field}"
            owners[name] = field


def test_every_field_has_export_names_beyond_its_own() -> None:
    for entity, fields in synonym_table().items():
        for field, names in fields.items():
            assert names[0] == normalise(field)
            if field not in {f.name for f in EXTRA_FIELDS.get(entity, ())}:
                assert len(names) > 1, f"{entity}.{field} has no synonyms"


def test_unknown_files_get_none_and_a_helpful_error(
    con: store.Connection, workspace: store.Workspace
) -> None:
    headers = ["Timestamp", "Ticket", "Severity", "Status No.", "Assigned To", "Status Name"]
    assert importer.guess_entity(headers) is None
    source = importer.read_source(
        (
            "\n".join([",".join(headers), "2020-01-13 17:24:25,C1 / HR / Ann,5,1,Bo,Logged"]) + "\n"
        ).encode(),
        "input_02.csv",
    )
    with pytest.raises(UnknownEntity) as err:
        importer.import_source(con, workspace.id, source)
    message = str(err.value)
    assert message.startswith("input_02.csv: cannot tell what this file holds")
    assert "Timestamp, Ticket, Severity" in message  # the file's columns
    assert "tickets" in message and "customers" in message  # the kinds to choose from
    assert "no column for" in message  # what the nearest kind is missing


def test_unknown_entity_name_is_an_error() -> None:
    with pytest.raises(UnknownEntity, match="expected one of customers"):
        importer.auto_map("orders", ["Date"])


# ---------------------------------------------------------------- --map


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["amount=Quantity*UnitPrice"], {"amount": ("Quantity", "UnitPrice")}),
        (["customer=Customer Name"], {"customer": "Customer Name"}),
        (["amount = Quantity * Unit Price"], {"amount": ("Quantity", "Unit Price")}),
        (["amount=Qty×Price"], {"amount": ("Qty", "Price")}),
        (["Customer='Customer Name'"], {"customer": "Customer Name"}),
        (["product="], {"product": None}),
        (["opened=Timestamp", "customer=Ticket"], {"opened": "Timestamp", "customer": "Ticket"}),
        ([], {}),
    ],
)
def test_parse_map_args(args: list[str], expected: dict[str, object]) -> None:
    assert importer.parse_map_args(args) == expected


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        ("customer", "expected field=Column"),
        ("=Customer", "expected field=Column"),
        ("colour=Red", "there is no field 'colour'"),
        ("amount=A*B*C", "exactly two columns"),
        ("amount=A*", "exactly two columns"),
    ],
)
def test_bad_map_args(arg: str, message: str) -> None:
    with pytest.raises(BadMapping, match=message):
        importer.parse_map_args([arg])


# ---------------------------------------------------------------- checking a mapping


HEADERS = ["Order Date", "Customer Name", "Sales", "Quantity", "Unit Price", "Segment"]


def test_mapping_to_a_missing_column_names_it_and_lists_the_columns() -> None:
    with pytest.raises(BadMapping) as err:
        resolve_mapping("invoices", {"customer": "Client"}, HEADERS, "orders.csv")
    message = str(err.value)
    assert message.startswith("orders.csv: ")
    assert "'Client'" in message
    assert "Order Date, Customer Name, Sales, Quantity, Unit Price, Segment" in message


def test_mapping_a_missing_column_in_a_product_is_an_error() -> None:
    with pytest.raises(BadMapping, match="'Price Each'"):
        resolve_mapping("invoices", {"amount": ("Quantity", "Price Each")}, HEADERS, "o.csv")


def test_mapping_columns_by_case_blind_name() -> None:
    resolved = resolve_mapping("invoices", {"customer": "customer name"}, HEADERS, "o.csv")
    assert resolved == {"customer": "Customer Name"}


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"colour": "Sales"}, "no field 'colour'"),
        ({"customer": ("Sales", "Quantity")}, "only numbers"),
        ({"amount": ["Sales"]}, "one column or the product of two"),
    ],
)
def test_bad_mappings(mapping: dict[str, object], message: str) -> None:
    with pytest.raises(BadMapping, match=message):
        resolve_mapping("invoices", mapping, HEADERS, "o.csv")


def test_missing_required_field_lists_fields_and_headers(
    con: store.Connection, workspace: store.Workspace
) -> None:
    source = importer.read_source(b"Order Date,Sales,Segment\n2025-01-01,1,A\n", "no_customer.csv")
    with pytest.raises(MissingColumn) as err:
        importer.import_source(con, workspace.id, source, entity="invoices")
    assert err.value.fields == ("customer",)
    message = str(err.value)
    assert message.startswith("no_customer.csv: no column for customer")
    assert "Order Date, Sales, Segment" in message
    assert store.list_batches(con, workspace.id) == []


def test_unmapping_a_required_field_is_missing_column(
    con: store.Connection, workspace: store.Workspace
) -> None:
    source = importer.read_source(b"Date,Customer,Amount\n2025-01-01,A,1\n", "x.csv")
    with pytest.raises(MissingColumn, match="customer"):
        importer.import_source(con, workspace.id, source, mapping={"customer": None})


def test_deal_status_can_come_from_is_won_alone() -> None:
    headers = ["Opportunity ID", "IsWon"]
    assert importer.guess_entity(headers) == "deals"
    assert importer.auto_map("deals", headers) == {"deal_id": "Opportunity ID", "is_won": "IsWon"}


def test_overrides_merge_over_the_automatic_mapping(
    con: store.Connection, workspace: store.Workspace
) -> None:
    data = b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
    data += b"1,A1,Mug,2,2010-12-01 08:26:00,2.50,17850.0\n"
    source = importer.read_source(data, "retail.csv")
    result = importer.import_source(
        con, workspace.id, source, mapping=importer.parse_map_args(["product=StockCode"])
    )
    assert result.rows_imported == 1
    row = (
        con.cursor()
        .execute("SELECT customer, amount, product, invoice_no FROM invoices")
        .fetchall()
    )
    assert [(c, float(a), p, i) for c, a, p, i in row] == [("17850", 5.0, "A1", "1")]


# ---------------------------------------------------------------- saved mappings


def test_saved_mapping_is_found_for_next_months_export(
    con: store.Connection, workspace: store.Workspace
) -> None:
    headers = ["Fecha", "Cliente", "Importe"]
    mapping = {"date": "Fecha", "customer": "Cliente", "amount": "Importe"}
    saved = importer.save_mapping(con, workspace.id, "Spanish books", "invoices", mapping, headers)
    assert (saved.name, saved.entity, saved.mapping, saved.headers) == (
        "Spanish books",
        "invoices",
        mapping,
        headers,
    )
    assert [m.name for m in importer.list_mappings(con, workspace.id)] == ["Spanish books"]
    # Next month: same columns, another order and spelling; found and used by itself.
    again = ["importe", "FECHA", "Cliente"]
    found = importer.find_saved_mapping(con, workspace.id, again)
    assert found is not None and found.name == "Spanish books"
    assert importer.find_saved_mapping(con, workspace.id, ["Fecha", "Cliente"]) is None
    assert importer.guess_entity(again) is None  # nothing but the saved mapping knows it

    source = importer.read_source(b"importe,FECHA,Cliente\n12.50,2025-02-01,Acme\n", "feb.csv")
    result = importer.import_source(con, workspace.id, source)
    assert (result.entity, result.rows_imported) == ("invoices", 1)
    row = (
        con.cursor()
        .execute("SELECT date::VARCHAR, customer, amount::DOUBLE FROM invoices")
        .fetchall()
    )
    assert row == [("2025-02-01", "Acme", 12.5)]


def test_saved_mapping_keeps_products_and_replaces_by_name(
    con: store.Connection, workspace: store.Workspace
) -> None:
    headers = ["Date", "Who", "Qty", "Each"]
    first = {"date": "Date", "customer": "Who", "amount": ("Qty", "Each")}
    importer.save_mapping(con, workspace.id, "shop", "invoices", first, headers)
    importer.save_mapping(
        con, workspace.id, "shop", "invoices", {**first, "product": "Each"}, headers
    )
    saved = importer.list_mappings(con, workspace.id)
    assert len(saved) == 1
    assert saved[0].mapping["amount"] == ("Qty", "Each")
    assert saved[0].mapping["product"] == "Each"


def test_saved_mappings_are_per_workspace(
    con: store.Connection, workspace: store.Workspace
) -> None:
    other = store.create_workspace(con, "Other Co")
    importer.save_mapping(con, workspace.id, "m", "customers", {"customer": "Name"}, ["Name"])
    assert importer.list_mappings(con, other.id) == []
    assert importer.find_saved_mapping(con, other.id, ["Name"]) is None


def test_saving_a_mapping_checks_it(con: store.Connection, workspace: store.Workspace) -> None:
    with pytest.raises(BadMapping, match="'Nope'"):
        importer.save_mapping(con, workspace.id, "x", "customers", {"customer": "Nope"}, ["Name"])
    with pytest.raises(BadMapping, match="name"):
        importer.save_mapping(con, workspace.id, "  ", "customers", {"customer": "Name"}, ["Name"])
    assert importer.list_mappings(con, workspace.id) == []
