"""Re-importing the same file: with the same mapping nothing is added; with another mapping
the result names the earlier batch and its mapping, and --replace undoes that batch and
imports again in one transaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import importer, store
from analytics.errors import RowsRejected
from tests.test_cli import run_cli

# Two customer columns: the first import reads Company, the second Contact.
TEXT = "Date,Company,Contact,Amount\n2025-01-05,Acme,Ann,100\n2025-01-06,Beta,Bob,50\n"


def write(tmp_path: Path) -> Path:
    path = tmp_path / "invoices.csv"
    path.write_text(TEXT, encoding="utf-8")
    return path


def customers_on_invoices(con: store.Connection, ws: int) -> list[str]:
    rows = con.execute(
        "SELECT customer FROM invoices WHERE workspace_id = $w ORDER BY 1", {"w": ws}
    ).fetchall()
    return [r[0] for r in rows]


def test_same_mapping_adds_nothing_another_mapping_says_which_batch_and_how(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    ws, path = workspace.id, write(tmp_path)
    first = importer.import_file(con, ws, path, entity="invoices", mapping={"customer": "Company"})
    assert first.batch_id == 1 and customers_on_invoices(con, ws) == ["Acme", "Beta"]

    same = importer.import_file(con, ws, path, entity="invoices", mapping={"customer": "Company"})
    assert same.already_imported and same.batch_id == 1 and same.earlier_mapping is None
    assert "nothing was added" in same.warnings[0]

    other = importer.import_file(con, ws, path, entity="invoices", mapping={"customer": "Contact"})
    assert other.already_imported and other.batch_id == 1 and other.rows_imported == 0
    assert other.earlier_mapping is not None and other.earlier_mapping["customer"] == "Company"
    message = other.warnings[0]
    assert "imported before as batch 1" in message
    assert "customer = Company → Contact" in message
    assert "--replace" in message and "Replace batch 1" in message
    assert customers_on_invoices(con, ws) == ["Acme", "Beta"]  # nothing changed


def test_replace_undoes_the_batch_and_imports_with_the_new_mapping(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    ws, path = workspace.id, write(tmp_path)
    importer.import_file(con, ws, path, entity="invoices", mapping={"customer": "Company"})
    result = importer.import_file(
        con, ws, path, entity="invoices", mapping={"customer": "Contact"}, replace=True
    )
    assert (result.batch_id, result.replaced_batch, result.rows_imported) == (2, 1, 2)
    assert customers_on_invoices(con, ws) == ["Ann", "Bob"]
    batches = {b.id: b.undone_at is not None for b in store.list_batches(con, ws)}
    assert batches == {1: True, 2: False}
    # The customers Company named were created for batch 1 and go with it.
    names = con.execute("SELECT customer FROM customers_current ORDER BY 1").fetchall()
    assert names == [("Ann",), ("Bob",)]
    assert "Replaced batch 1." in result.summary()


def test_a_failing_replacement_leaves_the_earlier_batch_in_place(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    ws, path = workspace.id, write(tmp_path)
    importer.import_file(con, ws, path, entity="invoices", mapping={"customer": "Company"})
    with pytest.raises(RowsRejected):  # Contact is not an amount: every row is rejected
        importer.import_file(
            con,
            ws,
            path,
            entity="invoices",
            mapping={"customer": "Company", "amount": "Contact"},
            replace=True,
        )
    assert [(b.id, b.undone_at) for b in store.list_batches(con, ws)] == [(1, None)]
    assert customers_on_invoices(con, ws) == ["Acme", "Beta"]


def test_cli_replace(tmp_path: Path) -> None:
    db, path = tmp_path / "s.duckdb", write(tmp_path)
    base = ("import", "--db", db, "--workspace", "W", "--entity", "invoices")
    assert run_cli(*base, "--map", "customer=Company", "--", path).returncode == 0
    proc = run_cli(*base, "--map", "customer=Contact", "--", path)
    assert proc.returncode == 0
    assert "imported before as batch 1" in proc.stdout and "--replace" in proc.stdout
    proc = run_cli(*base, "--map", "customer=Contact", "--replace", "--", path)
    assert proc.returncode == 0, proc.stderr
    assert "Read 2 rows from invoices.csv: imported 2 as invoices (batch 2)" in proc.stdout
    assert "Replaced batch 1." in proc.stdout


@pytest.mark.usefixtures("fresh_streamlit")
def test_data_page_offers_to_replace_an_import_read_with_other_columns(
    with_workspace: store.Workspace,
) -> None:
    from tests.apptest import no_failure, run_page, texts

    con = store.connect(store.db_path())
    source = importer.read_source(TEXT.encode(), "invoices.csv")
    importer.import_source(
        con, with_workspace.id, source, entity="invoices", mapping={"customer": "Company"}
    )
    con.close()
    at = run_page("pages/data.py")
    at.file_uploader[0].set_value(("invoices.csv", TEXT.encode(), "text/csv"))
    at.run()
    no_failure(at)
    assert not [b for b in at.button if b.label.startswith("Replace")]  # same columns
    customer = next(s for s in at.selectbox if s.key and s.key.endswith(":invoices:customer"))
    customer.set_value("Contact").run()
    assert "read this file with other columns: customer = Company → Contact" in texts(at)
    # "Import" with the new columns adds nothing and says how to replace; the offer stays.
    next(b for b in at.button if b.label.startswith("Import 2 rows")).click().run()
    no_failure(at)
    assert "was imported before as batch 1" in texts(at)
    next(b for b in at.button if b.label == "Replace batch 1").click().run()
    no_failure(at)
    con = store.connect(store.db_path())
    assert customers_on_invoices(con, with_workspace.id) == ["Ann", "Bob"]
    assert [b.undone_at is None for b in store.list_batches(con, with_workspace.id)] == [
        True,
        False,
    ]
    con.close()
