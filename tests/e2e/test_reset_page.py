"""Hard reset in a real browser: start a run, answer two items, reload, and find the answers kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytics import demo, store
from analytics.checklists import runs
from tests.e2e.conftest import stop_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_db(demo_app_db: Path) -> Path:
    """The served store: a copy of the demo business (overrides the empty store)."""
    return demo_app_db


def _item(page: Any, item_id: str, run_id: int = 1) -> Any:
    """The bordered box holding one checklist item (keyed rsbox_<run>_<item>); the demo copy
    holds no runs, so the first run started in a test is run 1."""
    return page.locator(f".st-key-rsbox_{run_id}_{item_id}")


def _start(page: Any, template_id: str) -> None:
    page.locator(f".st-key-reset_start_{template_id} button").click()


def test_a_run_answered_in_the_browser_survives_a_reload(owner: Any) -> None:
    page = owner.page
    owner.open(f"/reset?ws={demo.DEMO_WORKSPACE}")
    owner.wait_for("Hard reset")
    owner.shot("gallery")
    _start(page, "tear_down_the_wall")
    owner.wait_for("Tear down the wall · run of")

    huddle = _item(page, "huddle")
    huddle.get_by_text("✘ No", exact=True).click()
    owner.wait_idle()
    huddle.get_by_text("Not saved yet").wait_for()
    note = huddle.get_by_label("Note")
    note.fill("We never meet before a demo")
    note.press("Tab")  # leaving the box hands the text to the app
    owner.wait_idle()
    assert huddle.get_by_text("Not saved yet").count() == 1
    huddle.get_by_role("button", name="Save").click()
    huddle.get_by_text("Saved: ✘ No").wait_for()

    rules = _item(page, "discount_rules")
    rules.get_by_text("◐ Partly", exact=True).click()
    rules.get_by_text("Not saved yet").wait_for()
    rules.get_by_role("button", name="Save").click()
    rules.get_by_text("Saved: ◐ Partly").wait_for()
    owner.shot("answered")

    # A fresh page load: a new session that knows nothing but the store.
    page.reload()
    owner.wait_for("Hard reset")
    page.get_by_role("button", name="Continue").first.click()
    owner.wait_for("Tear down the wall · run of")
    huddle = _item(page, "huddle")
    assert huddle.get_by_label("Note").input_value() == "We never meet before a demo"
    assert huddle.get_by_role("radio", name="✘ No").is_checked()
    rules = _item(page, "discount_rules")
    assert rules.get_by_role("radio", name="◐ Partly").is_checked()
    assert page.get_by_text("2 of 5 answered").count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0
    owner.shot("after-reload")


def test_answers_are_in_the_store_after_the_browser_saved_them(owner: Any, app_db: Path) -> None:
    # The same flow, checked from the store's side once the server has stopped.
    page = owner.page
    owner.open(f"/reset?ws={demo.DEMO_WORKSPACE}")
    owner.wait_for("Hard reset")
    _start(page, "assumptions")
    owner.wait_for("Assumptions · run of")
    item = _item(page, "outsider")
    item.get_by_text("✔ Done", exact=True).click()
    item.get_by_text("Not saved yet").wait_for()
    item.get_by_role("button", name="Save").click()
    owner.wait_idle()
    item.get_by_text("Saved: ✔ Done").wait_for()
    stop_app(owner.server)
    con = store.connect(app_db)
    ws = store.find_workspace(con, demo.DEMO_WORKSPACE)
    assert ws is not None
    run = runs.list_runs(con, ws.id)[0]
    assert runs.answer_map(con, ws.id, run.id)["outsider"].status == "done"
    con.close()


def test_a_goal_is_written_and_ticked_off_and_seasons_show(owner: Any) -> None:
    page = owner.page
    owner.open(f"/reset?ws={demo.DEMO_WORKSPACE}")
    owner.wait_for("Hard reset")
    page.locator(".st-key-reset_section").get_by_text("Goals", exact=True).click()
    owner.wait_for("Elephant walk")
    owner.fill(page.get_by_label("The goal"), "Ten new dental customers")
    owner.fill(page.get_by_label("One thing you can do today"), "List 20 practices to call")
    owner.fill(page.get_by_label("Step 1", exact=True), "Call 20 practices")
    page.get_by_role("button", name="Save the goal").click()
    page.get_by_text("0 of 3 steps done").wait_for()
    page.get_by_text("Today: List 20 practices to call").click()  # tick today's task
    page.get_by_text("1 of 3 steps done").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    owner.shot("goals")
    page.locator(".st-key-reset_section").get_by_text("Seasons", exact=True).click()
    owner.wait_for("Seasons")
    assert page.get_by_text("No season started yet").count() == 1
    owner.shot("seasons")
