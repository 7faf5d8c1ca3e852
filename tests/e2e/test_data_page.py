"""An owner's first session in a real browser: first-run screen, demo, then importing a file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import shared_file

pytestmark = pytest.mark.e2e

INVOICES_CSV = """Invoice Date,Customer Name,Invoice No,Amount,Service Line
10/02/2026,Harbour Dental,E2E-1001,"$1,250.00",Managed services
10/09/2026,Harbour Dental,E2E-1002,480.50,Projects
10/15/2026,Brightline Logistics,E2E-1003,"$2,900.00",Managed services
"""


def test_first_run_demo_then_import(owner: Any, tmp_path: Path) -> None:
    page = owner.page
    # 1. An empty store opens on the first-run screen.
    owner.open()
    owner.wait_for("Welcome to Opening Day")
    assert page.get_by_text("What to load").first.is_visible()
    owner.shot("01-first-run")

    # 2. Load the demo business: the home page becomes its overview.
    page.get_by_role("button", name=re.compile("Load the demo business")).click()
    page.get_by_text("Demo business loaded", exact=False).first.wait_for(timeout=120_000)
    owner.wait_idle()
    page.get_by_role("heading", name="What is loaded").wait_for()
    assert "ws=" in page.url, "the workspace should be in the URL so a copied link reopens it"
    owner.shot("02-demo-overview")

    # 3. The Data page lists the demo's imports (if any) and offers the upload box.
    page.get_by_role("link", name=re.compile("Data")).first.click()
    owner.wait_for("Your data")
    assert "ws=" in page.url
    owner.shot("03-data-page")

    # 4. Upload a small invoices CSV: the page guesses what it is and previews it.
    csv = tmp_path / "october_invoices.csv"
    csv.write_text(INVOICES_CSV)
    page.set_input_files('input[type="file"]', str(csv))
    page.get_by_role("heading", name=re.compile("october_invoices.csv")).wait_for()
    page.get_by_role("button", name=re.compile(r"Import 3 rows")).wait_for()
    owner.wait_idle()
    owner.shot("04-preview")

    # 5. Import it: a success message with the counts, and the batch in the history.
    page.get_by_role("button", name=re.compile(r"Import 3 rows")).click()
    page.get_by_text(re.compile(r"Imported 3 of 3 rows as invoices")).wait_for()
    owner.wait_idle()
    # The history's picker now offers the new import (the grid itself is a canvas).
    picker = page.get_by_role("combobox", name=re.compile("Choose an import to undo"))
    expect(picker).to_have_value(re.compile(r"#\d+ · october_invoices\.csv · invoices"))
    owner.shot("05-imported")

    # 6. Undo it, after a confirmation.
    page.get_by_role("button", name=re.compile(r"Undo import #\d+")).click()
    page.get_by_role("button", name=re.compile(r"Yes, undo import #\d+")).click()
    page.get_by_text(re.compile(r"Import #\d+ \(october_invoices\.csv\) was undone")).wait_for()
    owner.wait_idle()
    owner.shot("06-undone")


def test_real_exports_import_side_by_side(owner: Any) -> None:
    """Two public exports at once: UCI Online Retail (amount = Quantity × UnitPrice, blank
    customers) and the Maven CRM pipeline (deal stages read as open/won/lost)."""
    retail = shared_file("online-retail-2010-12", "online_retail_2010-12.csv")
    pipeline = shared_file("maven-crm", "sales_pipeline.csv")
    page = owner.page

    # A new owner starts on the Data page and names their business.
    owner.open("/data")
    owner.wait_for("Your data")
    page.get_by_role("textbox", name="Name of the business").fill("Retail Co")
    page.get_by_role("textbox", name="Name of the business").press("Enter")
    page.get_by_role("button", name="Create the workspace").click()
    page.get_by_role("heading", name="Import files").wait_for()
    owner.wait_idle()

    page.set_input_files('input[type="file"]', [str(retail), str(pipeline)])
    page.get_by_role("heading", name=re.compile("online_retail_2010-12.csv")).wait_for()
    page.get_by_role("heading", name=re.compile("sales_pipeline.csv")).wait_for()
    skip = page.get_by_text(re.compile(r"Skip the 15,631 rows that cannot be read"))
    skip.wait_for(timeout=120_000)
    page.get_by_text(re.compile("how each stage name in your file is read")).wait_for()
    owner.wait_idle()
    owner.shot("01-two-files")

    # Blank customers block the retail import until the owner chooses to skip them.
    assert page.get_by_role("button", name=re.compile(r"Import 42,481 rows")).is_disabled()
    skip.click()
    import_retail = page.get_by_role("button", name=re.compile(r"Import 26,850 rows as invoices"))
    import_retail.click()
    page.get_by_text(re.compile(r"Imported [\d,]+ of 42,481 rows as invoices")).wait_for(
        timeout=120_000
    )
    owner.wait_idle()
    page.get_by_role("button", name=re.compile(r"Import 8,800 rows as deals")).click()
    page.get_by_text(re.compile(r"Imported 8,800 of 8,800 rows as deals")).wait_for(timeout=120_000)
    owner.wait_idle()
    owner.shot("02-both-imported")
