"""A shared server shows no business to a session that has not given its passphrase —
run headless with AppTest (the environment variable is set in-process by monkeypatch)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import access, store
from analytics.demo import DEMO_WORKSPACE
from tests.apptest import no_failure, run_page, texts

pytestmark = pytest.mark.usefixtures("fresh_streamlit")

PHRASE = "otter lantern quarry fig"


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(access.SHARED_ENV, "1")


def protect(db: Path, name: str, phrase: str = PHRASE) -> int:
    con = store.connect(db)
    try:
        ws = store.get_workspace(con, name)
        access.set_passphrase(con, ws.id, phrase)
        return ws.id
    finally:
        con.close()


def charts(at: AppTest) -> list:
    return list(at.get("plotly_chart"))


def unlock_inputs(at: AppTest) -> list:
    return [t for t in at.text_input if t.key and t.key.startswith("unlock_")]


def unlock(at: AppTest, workspace_id: int, phrase: str) -> AppTest:
    at.text_input(key=f"unlock_{workspace_id}:phrase").input(phrase)
    return at.button(key=f"unlock_{workspace_id}:go").click().run()


def assert_locked(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.metric, "a locked workspace showed figures"
    assert not charts(at), "a locked workspace showed a chart"
    assert not at.dataframe and not at.table
    assert at.title and at.title[0].value.startswith("🔒")
    assert "Figures as of" not in [d.label for d in at.sidebar.date_input]


# ---------------------------------------------------------------- locked until unlocked


@pytest.mark.usefixtures("shared")
def test_a_protected_workspace_shows_the_unlock_form_and_no_figures(demo_db: Path) -> None:
    ws_id = protect(demo_db, DEMO_WORKSPACE)
    at = run_page("pages/pace.py")
    assert_locked(at)
    assert at.text_input(key=f"unlock_{ws_id}:phrase").label == "Passphrase"
    assert "Pace" not in [t.value for t in at.title]
    # the picker still works, so another business can be chosen
    assert at.sidebar.selectbox(key="_od_workspace_picker").value == DEMO_WORKSPACE
    assert "Locked" in " ".join(str(c.value) for c in at.sidebar.caption)


@pytest.mark.usefixtures("shared")
def test_a_wrong_phrase_is_refused_with_a_clear_message(demo_db: Path) -> None:
    ws_id = protect(demo_db, DEMO_WORKSPACE)
    at = run_page("pages/pace.py")
    unlock(at, ws_id, "not the passphrase at all")
    assert_locked(at)
    message = " ".join(str(e.value) for e in at.error)
    assert "not the one for" in message and "4 tries" in message


@pytest.mark.usefixtures("shared")
def test_the_right_phrase_unlocks_the_page_for_the_session(demo_db: Path) -> None:
    ws_id = protect(demo_db, DEMO_WORKSPACE)
    at = run_page("pages/pace.py")
    unlock(at, ws_id, PHRASE)
    no_failure(at)
    assert at.title[0].value == "Pace"
    assert at.metric, "the page's headline figures are missing"
    assert charts(at)
    assert not unlock_inputs(at)  # the unlock form is gone
    # once per session: another page opens without asking again
    at.switch_page("pages/fit.py").run()
    no_failure(at)
    assert at.title[0].value == "Customer fit" and at.metric


@pytest.mark.usefixtures("shared")
def test_five_wrong_tries_make_the_session_wait(demo_db: Path) -> None:
    ws_id = protect(demo_db, DEMO_WORKSPACE)
    at = run_page("pages/pace.py")
    for _ in range(5):
        unlock(at, ws_id, "not the passphrase at all")
    assert "wait 30 seconds" in " ".join(str(e.value) for e in at.error)
    unlock(at, ws_id, PHRASE)  # even the right one waits
    assert_locked(at)
    assert "Too many wrong passphrases" in " ".join(str(e.value) for e in at.error)
    at.session_state["_od_access"].wait_until = 0.0  # the 30 seconds have passed
    unlock(at, ws_id, PHRASE)
    no_failure(at)
    assert at.title[0].value == "Pace"


@pytest.mark.usefixtures("shared")
def test_a_workspace_without_passphrase_cannot_be_opened(demo_db: Path) -> None:
    at = run_page("pages/pace.py")
    assert_locked(at)
    assert "cannot be opened here" in at.title[0].value
    said = texts(at)
    assert "no passphrase" in said and "Settings page" in said
    assert "python -m analytics workspace passphrase" in said
    assert "demo business is made without one" in said
    assert not unlock_inputs(at)


@pytest.mark.usefixtures("shared")
def test_switching_workspace_asks_again_for_a_locked_one(demo_db: Path) -> None:
    con = store.connect(demo_db)
    other = access.create_protected_workspace(con, "Other Co", "another long phrase")
    con.close()
    ws_id = protect(demo_db, DEMO_WORKSPACE)
    at = run_page("pages/pace.py", ws=DEMO_WORKSPACE)
    unlock(at, ws_id, PHRASE)
    assert at.title[0].value == "Pace"
    at.sidebar.selectbox(key="_od_workspace_picker").select("Other Co").run()
    assert_locked(at)
    assert at.text_input(key=f"unlock_{other.id}:phrase")
    unlock(at, other.id, PHRASE)  # the first workspace's phrase does not open the second
    assert_locked(at)
    at.sidebar.selectbox(key="_od_workspace_picker").select(DEMO_WORKSPACE).run()
    no_failure(at)
    assert at.title[0].value == "Pace"  # the unlocked one stays unlocked


@pytest.mark.usefixtures("shared")
def test_the_data_page_is_locked_too_but_offers_a_new_protected_business(demo_db: Path) -> None:
    protect(demo_db, DEMO_WORKSPACE)
    at = run_page("pages/data.py")
    assert_locked(at)
    assert "Your data" not in [t.value for t in at.title]
    at.text_input(key="locked_new:name").input("Northwind IT")
    at.text_input(key="locked_new:phrase").input("short")
    at.text_input(key="locked_new:again").input("short")
    at.button(key="locked_new:create").click().run()
    assert "at least 10" in " ".join(str(e.value) for e in at.error)
    con = store.connect(demo_db)
    assert store.find_workspace(con, "Northwind IT") is None
    con.close()

    at.text_input(key="locked_new:name").input("Northwind IT")
    at.text_input(key="locked_new:phrase").input("blue heron at dawn")
    at.text_input(key="locked_new:again").input("blue heron at dawn")
    at.button(key="locked_new:create").click().run()
    no_failure(at)
    assert at.title[0].value == "Your data"  # created, current and open
    assert at.sidebar.selectbox(key="_od_workspace_picker").value == "Northwind IT"
    con = store.connect(demo_db)
    ws = store.get_workspace(con, "Northwind IT")
    assert access.check_passphrase(con, ws.id, "blue heron at dawn")
    con.close()


@pytest.mark.usefixtures("shared")
def test_creating_the_first_workspace_on_a_shared_server_asks_for_a_passphrase(
    db_file: Path,
) -> None:
    at = run_page("pages/data.py")
    no_failure(at)
    at.text_input(key="first:name").input("Harbour IT")
    at.text_input(key="first:phrase").input("blue heron at dawn")
    at.text_input(key="first:again").input("blue heron at noon")
    at.button(key="first:create").click().run()
    assert "differ" in " ".join(str(e.value) for e in at.error)
    at.text_input(key="first:name").input("Harbour IT")
    at.text_input(key="first:phrase").input("blue heron at dawn")
    at.text_input(key="first:again").input("blue heron at dawn")
    at.button(key="first:create").click().run()
    no_failure(at)
    assert at.title[0].value == "Your data"
    con = store.connect(db_file)
    ws = store.get_workspace(con, "Harbour IT")
    assert access.check_passphrase(con, ws.id, "blue heron at dawn")
    con.close()


# ---------------------------------------------------------------- the Settings section


def test_settings_sets_and_removes_a_passphrase_without_shared_mode(demo_db: Path) -> None:
    at = run_page("pages/settings.py")
    no_failure(at)
    assert "🔓 No passphrase" in texts(at)
    con = store.connect(demo_db)
    ws_id = store.get_workspace(con, DEMO_WORKSPACE).id
    con.close()
    key = f"passphrase_{ws_id}"
    assert f"{key}:old" not in [t.key for t in at.text_input]  # no current one to give
    at.text_input(key=f"{key}:phrase").input(PHRASE)
    at.text_input(key=f"{key}:again").input(PHRASE)
    at.button(key=f"{key}:go").click().run()
    no_failure(at)
    assert "🔒 Protected since" in texts(at)
    con = store.connect(demo_db)
    assert access.check_passphrase(con, ws_id, PHRASE)
    con.close()
    at.button(key=f"{key}:clear").click().run()
    no_failure(at)
    assert "🔓 No passphrase" in texts(at)


@pytest.mark.usefixtures("shared")
def test_settings_on_a_shared_server_needs_the_current_phrase_and_cannot_remove(
    demo_db: Path,
) -> None:
    ws_id = protect(demo_db, DEMO_WORKSPACE)
    at = run_page("pages/settings.py")
    unlock(at, ws_id, PHRASE)
    no_failure(at)
    assert "🔒 Protected since" in texts(at)
    key = f"passphrase_{ws_id}"
    assert f"{key}:clear" not in [b.key for b in at.button]
    at.text_input(key=f"{key}:old").input("not the passphrase at all")
    at.text_input(key=f"{key}:phrase").input("a brand new passphrase")
    at.text_input(key=f"{key}:again").input("a brand new passphrase")
    at.button(key=f"{key}:go").click().run()
    assert "not the one for" in " ".join(str(e.value) for e in at.error)
    at.text_input(key=f"{key}:old").input(PHRASE)
    at.text_input(key=f"{key}:phrase").input("a brand new passphrase")
    at.text_input(key=f"{key}:again").input("a brand new passphrase")
    at.button(key=f"{key}:go").click().run()
    no_failure(at)
    assert at.title[0].value == "Settings"  # this session stays unlocked
    con = store.connect(demo_db)
    assert access.check_passphrase(con, ws_id, "a brand new passphrase")
    con.close()
    # another browser session is asked for the new phrase
    other = run_page("pages/pace.py")
    unlock(other, ws_id, PHRASE)
    assert_locked(other)


# ---------------------------------------------------------------- nothing changes otherwise


def test_without_shared_mode_a_protected_workspace_opens_as_before(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(access.SHARED_ENV, raising=False)
    protect(demo_db, DEMO_WORKSPACE)
    at = run_page("pages/pace.py")
    no_failure(at)
    assert at.title[0].value == "Pace"
    assert at.metric and charts(at)
    assert not unlock_inputs(at)


@pytest.mark.usefixtures("shared")
def test_the_demo_still_loads_on_a_shared_server_and_stays_locked() -> None:
    at = run_page("pages/home.py")
    no_failure(at)
    assert at.title[0].value == "Welcome to Opening Day"
    at.button(key="home_demo").click().run(timeout=300)
    assert_locked(at)
    assert "cannot be opened here" in at.title[0].value
    said = texts(at)
    assert "Demo business loaded" in said  # the flash is shown on the locked screen
    assert "demo business is made without one" in said
