"""A red card put on the issues list in a real browser: its form is drawn only once the
popover opens (ui/lazy.py), and it still takes the issue in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from analytics import demo, store
from analytics import issues_list as il
from tests.e2e.conftest import TIMEOUT_MS

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_db(demo_app_db: Path) -> Path:
    """The served store: a copy of the demo business (overrides the empty store)."""
    return demo_app_db


def test_a_red_card_goes_on_the_issues_list_from_its_popover(owner: Any, app_db: Path) -> None:
    page = owner.page
    owner.open(f"/scoreboard?ws={demo.DEMO_WORKSPACE}")
    owner.wait_for("Scoreboard")
    owner.wait_idle()
    offers = page.get_by_role("button", name=re.compile("Add to issues list"))
    offers.first.wait_for(timeout=TIMEOUT_MS)
    # no form is sent before a popover opens
    assert page.get_by_role("button", name="Put it on the list").count() == 0
    offers.first.click()
    submit = page.get_by_role("button", name="Put it on the list")
    submit.wait_for(timeout=TIMEOUT_MS)  # the rerun that opening it asked for drew the form
    box = page.get_by_role("textbox", name="Issue", exact=True)
    # pre-filled with the card's figure (the box may show before its value does)
    expect(box).to_have_value(re.compile(r" is red$"), timeout=TIMEOUT_MS)
    title = box.input_value()
    owner.shot("issue-form")
    submit.click()
    page.get_by_text(re.compile(r"#1 is on the issues list")).wait_for(timeout=TIMEOUT_MS)
    owner.wait_idle()
    page.get_by_text(re.compile(r"On the issues list as #1")).first.wait_for(timeout=TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0

    con = store.connect(app_db, read_only=True, wait=30)
    try:
        ws = store.get_workspace(con, demo.DEMO_WORKSPACE)
        (issue,) = il.list_issues(con, ws.id)
    finally:
        con.close()
    assert issue.title == title
    assert issue.source.text.startswith("from: Scoreboard — ")
