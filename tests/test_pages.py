"""Every page renders, on an empty store and on the demo business, and the Data page's
flows (upload, preview, import, undo, workspaces) work — run headless with AppTest."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import store
from tests.apptest import PAGE_FILES, app, no_failure, run_page, texts

pytestmark = pytest.mark.usefixtures("fresh_streamlit")

GOOD_INVOICES = b"""Invoice Date,Customer Name,Invoice No,Amount
2031-03-02,Harbour Dental,T-1001,"$1,250.00"
2031-03-09,Harbour Dental,T-1002,480.50
2031-03-15,Brightline Logistics,T-1003,"$2,900.00"
"""

BAD_INVOICES = b"""Invoice Date,Customer Name,Invoice No,Amount
2031-03-02,Harbour Dental,T-2001,"$1,250.00"
2031-03-09,Harbour Dental,T-2002,not a number
2031-03-15,Brightline Logistics,T-2003,"$2,900.00"
"""


# ---------------------------------------------------------------- every page renders


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_renders_on_an_empty_store(page: str) -> None:
    at = run_page(page)
    no_failure(at)
    assert at.title, f"{page} shows no title"


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_renders_on_the_demo_business(demo_db: Path, page: str) -> None:
    at = run_page(page)
    no_failure(at)
    assert at.title
    assert at.sidebar.selectbox(key="_od_workspace_picker").value is not None


def test_first_run_screen_says_what_to_load_and_offers_the_demo() -> None:
    at = run_page("pages/home.py")
    assert at.title[0].value == "Welcome to Opening Day"
    guide = at.table[0].value
    assert len(guide) == 6
    assert "Invoices (revenue lines)" in guide["Data"].tolist()
    assert at.button(key="home_demo").label == "Load the demo business"
    assert any(link.label == "Import your own data" for link in at.get("page_link"))


def test_the_demo_button_loads_the_demo_and_switches_to_it() -> None:
    from analytics import demo

    at = run_page("pages/home.py")
    at.button(key="home_demo").click().run(timeout=300)
    no_failure(at)
    assert at.query_params.get("ws") == demo.DEMO_WORKSPACE
    assert "Demo business loaded" in texts(at)
    assert at.sidebar.selectbox(key="_od_workspace_picker").value == demo.DEMO_WORKSPACE
    loaded = {m.label: m.value for m in at.metric}
    assert loaded["Kinds of data loaded"] == "6 of 6"


def test_home_overview_leads_with_what_is_loaded(demo_db: Path) -> None:
    at = run_page("pages/home.py")
    no_failure(at)
    metrics = {m.label: m.value for m in at.metric}
    assert list(metrics)[0] == "Kinds of data loaded"
    con = store.connect(demo_db)
    ws = store.list_workspaces(con)[0]
    counts = store.entity_counts(con, ws.id)
    last = store.last_data_date(con, ws.id)
    con.close()
    assert metrics["Customers"] == f"{counts['customers']:,}"
    assert metrics["Invoice lines"] == f"{counts['invoices']:,}"
    table = at.dataframe[0].value
    assert table.set_index("Data").loc["Invoices (revenue lines)", "Rows"] == counts["invoices"]
    assert at.sidebar.date_input(key="_od_as_of_picker").value == pd.Timestamp(last).date()


# ---------------------------------------------------------------- sidebar and links


def test_a_copied_link_reopens_its_workspace_and_day(db_file: Path) -> None:
    con = store.connect(db_file)
    store.create_workspace(con, "Alpha Co")
    beta = store.create_workspace(con, "Beta Co")
    con.execute(
        "INSERT INTO invoices (workspace_id, date, customer, amount) VALUES "
        "($w, DATE '2030-01-10', 'Acme', 100), ($w, DATE '2030-06-30', 'Acme', 200)",
        {"w": beta.id},
    )
    con.close()
    at = run_page("pages/home.py", ws="Beta Co", asof="2030-03-31")
    no_failure(at)
    assert at.title[0].value == "Beta Co"
    assert at.sidebar.date_input(key="_od_as_of_picker").value.isoformat() == "2030-03-31"
    assert "a day you picked" in texts(at)
    # Picking the other workspace writes it back to the URL.
    at.sidebar.selectbox(key="_od_workspace_picker").set_value("Alpha Co").run()
    assert at.query_params.get("ws") == "Alpha Co"
    assert "asof" not in at.query_params
    # Leaving the page keeps the choice (sidebar navigation drops the query string).
    at.switch_page("pages/data.py").run()
    assert at.query_params.get("ws") == "Alpha Co"
    assert "Alpha Co" in texts(at)


def test_a_locked_store_says_so_in_one_line(db_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.store

    monkeypatch.setattr(ui.store, "RUN_WAIT_SECONDS", 0.5)  # a real run waits a minute
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb,time; c=duckdb.connect("
            f"{str(db_file)!r}); print('ok', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        at = app().run()
    finally:
        holder.kill()
        holder.wait()
    assert not at.exception
    assert len(at.error) == 1
    assert "is in use by another program" in at.error[0].value.replace("\\", "")
    assert "(waited 0.5 s)" in at.error[0].value.replace("\\", "")


# ---------------------------------------------------------------- the Data page


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, content, "text/csv"))
    return at.run()


def test_data_page_without_a_workspace_offers_to_create_one() -> None:
    at = run_page("pages/data.py")
    no_failure(at)
    at.text_input(key="first:name").set_value("Harbour IT").run()
    at.button(key="first:create").click().run()
    no_failure(at)
    assert at.query_params.get("ws") == "Harbour IT"
    assert at.file_uploader, "after creating a workspace the upload box appears"


def test_an_unreadable_upload_shows_an_error_naming_the_file(
    with_workspace: store.Workspace,
) -> None:
    at = run_page("pages/data.py")
    at.file_uploader[0].set_value(("broken.xlsx", b"\x00\x01 not a spreadsheet", "application/x"))
    at.run()
    assert not at.exception
    assert at.error, "a file that cannot be read must say so"
    assert "broken.xlsx" in at.error[0].value.replace("\\", "")


def test_upload_preview_import_then_undo(with_workspace: store.Workspace) -> None:
    at = upload(run_page("pages/data.py"), "march.csv", GOOD_INVOICES)
    no_failure(at)
    assert at.selectbox(key=next(k for k in keys(at) if k.startswith("entity:"))).value == (
        "invoices"
    )
    preview = at.dataframe[0].value
    assert len(preview) == 3
    import_button = next(b for b in at.button if b.label.startswith("Import 3 rows"))
    import_button.click().run()
    no_failure(at)
    assert "Imported 3 of 3 rows" in texts(at)

    con = store.connect(store.db_path())
    batches = store.list_batches(con, with_workspace.id)
    assert [(b.file_name, b.rows_imported) for b in batches] == [("march.csv", 3)]
    con.close()
    history = at.dataframe[-1].value
    assert history.iloc[0]["File"] == "march.csv"
    assert history.iloc[0]["Status"] == "✅ In use"

    at.button(key="undo_ask").click().run()
    assert "Undo import" in texts(at)
    at.button(key="undo_yes").click().run()
    no_failure(at)
    assert "was undone" in texts(at)
    assert at.dataframe[-1].value.iloc[0]["Status"].startswith("↩️ Undone")
    con = store.connect(store.db_path())
    assert store.entity_counts(con, with_workspace.id)["invoices"] == 0
    con.close()


def test_next_months_export_updates_the_paid_dates_and_undo_says_so(
    with_workspace: store.Workspace,
) -> None:
    october = (
        b"Date,Customer,Amount,Invoice No,Paid Date\n"
        b"2026-10-01,Acme,1000.00,INV-1,\n2026-10-02,Beta,500.00,INV-2,2026-10-20\n"
    )
    november = october.replace(b"INV-1,", b"INV-1,2026-10-25") + b"2026-11-01,Gamma,700,INV-3,\n"
    at = upload(run_page("pages/data.py"), "october.csv", october)
    next(b for b in at.button if b.label.startswith("Import 2 rows")).click().run()
    at = upload(run_page("pages/data.py"), "november.csv", november)
    # before the import, the preview says what it will do
    assert (
        "2 of the file's 3 rows are already stored (an earlier export brought them) and are "
        "not added again; 1 is new. 1 of the stored rows came back changed and will be "
        "updated (1 with a paid date)" in texts(at)
    )
    next(
        b for b in at.button if b.label == "Import 3 rows as invoices (1 new, 1 updated)"
    ).click().run()
    no_failure(at)
    shown = texts(at)
    assert "Imported 1 of 3 rows" in shown and "2 already in the store" in shown
    assert (
        "Updated 1 row already stored, which came back changed (1 with a paid date); undoing "
        "this import puts the earlier values back." in shown
    )
    history = at.dataframe[-1].value
    assert list(history["Updated"]) == [1, 0]  # newest first
    at.button(key="undo_ask").click().run()
    assert "and puts back the earlier values of the 1 row it updated (a date filled in" in (
        texts(at)
    )
    at.button(key="undo_yes").click().run()
    no_failure(at)
    con = store.connect(store.db_path())
    assert con.execute("SELECT invoice_no, paid FROM invoices ORDER BY 1").fetchall() == [
        ("INV-1", None),
        ("INV-2", date(2026, 10, 20)),
    ]
    con.close()


def test_bad_rows_block_the_import_until_skipped(with_workspace: store.Workspace) -> None:
    at = upload(run_page("pages/data.py"), "bad.csv", BAD_INVOICES)
    assert not at.exception
    assert "Rows that cannot be read: 1 rows" in texts(at)
    rejects = at.dataframe[1].value
    assert rejects.iloc[0]["row"] == 3  # the header is row 1
    assert rejects.iloc[0]["column"] == "amount"
    assert "Amount" in rejects.iloc[0]["reason"]  # the reason names the file's column
    button = next(b for b in at.button if b.label.startswith("Import"))
    assert button.disabled
    skip = next(c for c in at.checkbox if c.label.startswith("Skip the 1 rows"))
    skip.check().run()
    button = next(b for b in at.button if b.label.startswith("Import 2 rows"))
    assert not button.disabled
    button.click().run()
    no_failure(at)
    assert "Imported 2 of 3 rows" in texts(at)
    assert at.dataframe[-1].value.iloc[0]["Rejected"] == 1


def test_the_mapping_can_multiply_two_columns(with_workspace: store.Workspace) -> None:
    content = (
        b"InvoiceDate,CustomerID,Quantity,UnitPrice\n2031-01-05,C1,3,2.50\n2031-01-06,C2,2,10\n"
    )
    at = upload(run_page("pages/data.py"), "retail.csv", content)
    entity_key = next(k for k in keys(at) if k.startswith("entity:"))
    if at.selectbox(key=entity_key).value != "invoices":
        at.selectbox(key=entity_key).set_value("invoices").run()
    sha = entity_key.split(":", 1)[1]
    at.selectbox(key=f"map:{sha}:invoices:amount").set_value("✖ multiply two columns…").run()
    at.selectbox(key=f"map:{sha}:invoices:amount:a").set_value("Quantity").run()
    at.selectbox(key=f"map:{sha}:invoices:amount:b").set_value("UnitPrice").run()
    if at.selectbox(key=f"map:{sha}:invoices:customer").value != "CustomerID":
        at.selectbox(key=f"map:{sha}:invoices:customer").set_value("CustomerID").run()
    no_failure(at)
    amounts = sorted(float(v) for v in at.dataframe[0].value["Amount"])
    assert amounts == [7.5, 20.0]


def test_workspaces_can_be_renamed_and_deleted_with_a_typed_confirmation(
    with_workspace: store.Workspace,
) -> None:
    at = run_page("pages/data.py")
    ws_id = with_workspace.id
    at.text_input(key=f"rename:{ws_id}").set_value("Harbour IT Group").run()
    at.button(key=f"rename_go:{ws_id}").click().run()
    no_failure(at)
    assert at.query_params.get("ws") == "Harbour IT Group"

    delete = at.button(key=f"delete_go:{ws_id}")
    assert delete.disabled
    at.text_input(key=f"delete:{ws_id}").set_value("Harbour IT Group").run()
    at.button(key=f"delete_go:{ws_id}").click().run()
    no_failure(at)
    assert "deleted" in texts(at)
    con = store.connect(store.db_path())
    assert store.list_workspaces(con) == []
    con.close()


def keys(at: AppTest) -> list[str]:
    return [str(k) for k in at.session_state.to_dict() if isinstance(k, str)]


# ---------------------------------------------------------------- formatting helpers


def test_downloads_are_safe_from_formula_injection() -> None:
    from ui.format import safe_csv

    frame = pd.DataFrame(
        {"value": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "plain", None], "n": range(6)}
    )
    lines = safe_csv(frame).decode("utf-8-sig").splitlines()
    assert lines[1].startswith("\"'=HYPERLINK")
    assert lines[2] == "'+1,1"
    assert lines[3] == "'-2,2"
    assert lines[4] == "'@SUM(A1),3"
    assert lines[5] == "plain,4"


def test_formats_an_owner_reads_at_a_glance() -> None:
    from ui import format as fmt

    assert fmt.money(1234.5, "USD") == "$1,234"
    assert fmt.money(-56, "EUR") == "-€56"
    assert fmt.money(980, "CHF") == "CHF 980"
    assert fmt.percent(0.1234) == "12.3%"
    assert fmt.count(1234567) == "1,234,567"
    assert fmt.day(pd.Timestamp("2025-06-30")) == "30 Jun 2025"
    assert fmt.day(None) == "—"


def test_user_text_is_made_inert_for_markdown() -> None:
    from ui.format import plain

    text = plain("[click](javascript:alert(1)) <b>x</b> :red[y] $z$")
    for raw in ("](", "<b>", ":red[", "$z$"):
        assert raw not in text
    assert text.replace("\\", "") == "[click](javascript:alert(1)) <b>x</b> :red[y] $z$"


def test_a_saved_mapping_is_reused_for_next_months_export(
    with_workspace: store.Workspace,
) -> None:
    content = b"Day,Client,Total\n2031-03-02,Harbour Dental,100\n"
    at = upload(run_page("pages/data.py"), "export_march.csv", content)
    entity_key = next(k for k in keys(at) if k.startswith("entity:"))
    sha = entity_key.split(":", 1)[1]
    # "Day" and "Client" are not names the importer knows: map them by hand, then save.
    at.selectbox(key=entity_key).set_value("invoices").run()
    at.selectbox(key=f"map:{sha}:invoices:date").set_value("Day").run()
    at.selectbox(key=f"map:{sha}:invoices:customer").set_value("Client").run()
    at.selectbox(key=f"map:{sha}:invoices:amount").set_value("Total").run()
    at.text_input(key=f"save_name:{sha}").set_value("Monthly invoices").run()
    at.button(key=f"save:{sha}").click().run()
    no_failure(at)

    april = b"Day,Client,Total\n2031-04-02,Harbour Dental,250\n"
    at = upload(run_page("pages/data.py"), "export_april.csv", april)
    no_failure(at)
    assert "Using your saved mapping “Monthly invoices”" in texts(at)
    assert at.dataframe[0].value["Customer"].tolist() == ["Harbour Dental"]


def test_a_field_set_to_not_in_this_file_stays_out_of_the_import(
    with_workspace: store.Workspace,
) -> None:
    content = b"Date,Customer,Amount,Invoice No\n2031-03-02,Harbour Dental,100,A-1\n"
    at = upload(run_page("pages/data.py"), "unmap.csv", content)
    sha = next(k for k in keys(at) if k.startswith("entity:")).split(":", 1)[1]
    at.selectbox(key=f"map:{sha}:invoices:invoice_no").set_value("— not in this file —").run()
    next(b for b in at.button if b.label.startswith("Import 1 rows")).click().run()
    no_failure(at)
    con = store.connect(store.db_path())
    rows = con.execute("SELECT invoice_no FROM invoices").fetchall()
    con.close()
    assert rows == [(None,)]


def test_file_names_and_headers_are_never_markup(with_workspace: store.Workspace) -> None:
    name = "[click me](javascript:alert(1)) <b>x</b>.csv"
    content = b"Date,Customer,**Amount**\n2031-03-02,<img src=x onerror=alert(1)>,100\n"
    at = upload(run_page("pages/data.py"), name, content)
    assert not at.exception
    heading = next(h.value for h in at.subheader if "click me" in h.value)
    assert "](" not in heading and "<b>" not in heading
    assert heading.replace("\\", "").endswith(name)


def test_the_workspace_exports_as_a_zip_of_parquet_files(demo_db: Path) -> None:
    import io
    import zipfile

    at = run_page("pages/data.py")
    ws_id = at.session_state["opening_day"].export
    assert ws_id is None
    export_key = next(b.key for b in at.button if str(b.key).startswith("export:"))
    at.button(key=export_key).click().run()
    no_failure(at)
    _, file_name, data = at.session_state["opening_day"].export
    assert file_name.endswith(".zip")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert {n.removesuffix(".parquet") for n in names} >= {"invoices", "customers", "deals"}
    assert any(b.label == "Download the export (zip)" for b in at.download_button)


def test_an_excel_workbook_offers_its_sheets(with_workspace: store.Workspace) -> None:
    import io

    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["Read me"])
    sheet = book.create_sheet("Invoices")
    sheet.append(["Date", "Customer", "Amount"])
    sheet.append(["2031-03-02", "Harbour Dental", 120])
    buffer = io.BytesIO()
    book.save(buffer)
    at = run_page("pages/data.py")
    at.file_uploader[0].set_value(("book.xlsx", buffer.getvalue(), "application/vnd.ms-excel"))
    at.run()
    assert not at.exception
    sheet_key = next(k for k in keys(at) if k.startswith("sheet:"))
    assert at.selectbox(key=sheet_key).options == ["Notes", "Invoices"]
    at.selectbox(key=sheet_key).set_value("Invoices").run()
    no_failure(at)
    assert at.dataframe[0].value["Customer"].tolist() == ["Harbour Dental"]
