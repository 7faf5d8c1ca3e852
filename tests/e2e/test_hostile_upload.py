"""A hostile upload in a real browser: the Data page refuses it with one clear message,
nothing is imported, and the server goes on serving everyone else."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import TIMEOUT_MS, wait_idle
from tests.test_importer_hostile import far_cell_xlsx, zip_bomb_xlsx

pytestmark = pytest.mark.e2e


def test_far_cell_and_zip_bomb_uploads_are_refused_and_the_server_keeps_serving(
    owner: Any, stranger: Any, tmp_path: Path
) -> None:
    page = owner.page
    owner.open("/data")
    owner.wait_for("Your data")
    page.get_by_role("textbox", name="Name of the business").fill("Hostile Co")
    page.get_by_role("textbox", name="Name of the business").press("Enter")
    page.get_by_role("button", name="Create the workspace").click()
    page.get_by_role("heading", name="Import files").wait_for()
    owner.wait_idle()
    assert page.get_by_text("Files up to 200 MB; for larger, use the command line").is_visible()

    # A 1.5 KB workbook whose one stray value sits in XFD1048576 (512 GiB to python-calamine
    # alone), and a 2.4 MB one whose sheet unpacks to a gigabyte.
    far = far_cell_xlsx(tmp_path / "far_cell.xlsx")
    bomb = zip_bomb_xlsx(tmp_path / "zip_bomb.xlsx")
    page.set_input_files('input[type="file"]', [str(far), str(bomb)])
    page.get_by_role("heading", name=re.compile(r"far_cell\.xlsx")).wait_for()
    refusal = page.get_by_text(re.compile(r"far_cell\.xlsx, sheet 'Invoices': .*XFD1048576"))
    refusal.wait_for(timeout=TIMEOUT_MS)
    assert "up to 1,000 columns" in refusal.inner_text()
    assert "Save only the sheet you need as CSV" in refusal.inner_text()
    page.get_by_text(re.compile(r"zip_bomb\.xlsx: the part xl/worksheets/sheet1\.xml")).wait_for()
    owner.wait_idle()
    # Nothing to import from either file, and nothing imported.
    assert page.get_by_role("button", name=re.compile(r"^Import \d")).count() == 0
    assert page.get_by_text("No imports yet in this workspace.").is_visible()
    owner.shot("01-refused")

    # Someone else, in a browser of their own, still gets pages from the same server.
    stranger.goto(owner.server.url + "/")
    stranger.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
    wait_idle(stranger)
    assert stranger.get_by_role("heading").count() > 0
    assert owner.server.process.poll() is None, owner.server.log_text()[-2000:]
    # The owner's session is still alive too: the Data page reruns and answers.
    owner.open("/data")
    owner.wait_for("Your data")
    assert "Traceback" not in owner.server.log_text()
