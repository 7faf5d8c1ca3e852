"""A shared server keeps businesses apart — run headless with AppTest (the environment variable
is set in-process by monkeypatch): no name is shown before an unlock, a business opens with its
name and passphrase together, wrong tries are counted server-wide, new businesses come by
invitation."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import access, store
from analytics.demo import DEMO_DISPLAY_NAME, DEMO_WORKSPACE
from tests.apptest import no_failure, run_page, texts

pytestmark = pytest.mark.usefixtures("fresh_streamlit")

PHRASE = "otter lantern quarry fig"


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(access.SHARED_ENV, "1")
    monkeypatch.delenv(access.ADMIN_ENV, raising=False)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The throttle's clock, stopped (and moved by hand): a slow run never earns a free try."""
    now = [1_000_000.0]
    monkeypatch.setattr(access, "_now", lambda clock=None: now[0])
    return now


def protect(db: Path, name: str, phrase: str = PHRASE) -> int:
    con = store.connect(db)
    try:
        ws = store.get_workspace(con, name)
        access.set_passphrase(con, ws.id, phrase)
        return ws.id
    finally:
        con.close()


def invitation(db: Path, by: int | None = None) -> str:
    con = store.connect(db)
    try:
        return access.create_invitation(con, by=by)[1]
    finally:
        con.close()


def charts(at: AppTest) -> list:
    return list(at.get("plotly_chart"))


def errors(at: AppTest) -> str:
    return " ".join(str(e.value) for e in at.error).replace("\\", "")


def unlock(at: AppTest, name: str, phrase: str, key: str = "unlock") -> AppTest:
    at.text_input(key=f"{key}:name").input(name)
    at.text_input(key=f"{key}:phrase").input(phrase)
    return at.button(key=f"{key}:go").click().run()


def start_business(at: AppTest, name: str, phrase: str, credential: str) -> AppTest:
    at.text_input(key="locked_new:name").input(name)
    at.text_input(key="locked_new:phrase").input(phrase)
    at.text_input(key="locked_new:again").input(phrase)
    at.text_input(key="locked_new:credential").input(credential)
    return at.button(key="locked_new:create").click().run()


def assert_locked(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.metric, "a locked server showed figures"
    assert not charts(at), "a locked server showed a chart"
    assert not at.dataframe and not at.table
    assert at.title and at.title[0].value == "🔒 Open your business"
    assert not at.sidebar.selectbox, "the sidebar listed businesses before an unlock"
    assert "Figures as of" not in [d.label for d in at.sidebar.date_input]


def picker_options(at: AppTest) -> list[str]:
    """The businesses the sidebar lists, as shown (the demo as its display name)."""
    return list(at.sidebar.selectbox(key="_od_workspace_picker").options)


# ---------------------------------------------------------------- nothing before the unlock


@pytest.mark.usefixtures("shared")
def test_no_business_is_named_or_shown_before_an_unlock(demo_db: Path) -> None:
    protect(demo_db, DEMO_WORKSPACE)
    for page in ("pages/home.py", "pages/pace.py", "pages/peers.py", "pages/review.py"):
        at = run_page(page)
        assert_locked(at)
        assert DEMO_WORKSPACE not in texts(at) and "Harbour IT" not in texts(at)
        assert at.text_input(key="unlock:name").value == ""
        assert at.text_input(key="unlock:phrase").label == "Passphrase"
        assert "home_demo" not in [b.key for b in at.button]  # no demo built by a visitor


@pytest.mark.usefixtures("shared")
def test_a_deep_link_does_not_tell_whether_a_name_exists(demo_db: Path) -> None:
    protect(demo_db, DEMO_WORKSPACE)
    real = run_page("pages/pace.py", ws=DEMO_WORKSPACE)
    made_up = run_page("pages/pace.py", ws="Nobody Ltd")
    for at in (real, made_up):
        assert_locked(at)
    # the link only fills in the name box; everything else on the two pages is the same
    assert real.text_input(key="unlock:name").value == DEMO_WORKSPACE
    assert made_up.text_input(key="unlock:name").value == "Nobody Ltd"
    assert texts(real) == texts(made_up)
    assert [e.value for e in real.sidebar.caption] == [e.value for e in made_up.sidebar.caption]


@pytest.mark.usefixtures("shared", "frozen")
def test_a_wrong_pair_says_the_same_whatever_is_wrong(demo_db: Path) -> None:
    protect(demo_db, DEMO_WORKSPACE)
    said = []
    for name, phrase in (
        (DEMO_WORKSPACE, "not the passphrase at all"),
        ("Nobody Ltd", PHRASE),
    ):
        at = unlock(run_page("pages/pace.py"), name, phrase)
        assert_locked(at)
        said.append(errors(at))
    assert said[0] == said[1] == access.WRONG_PAIR


@pytest.mark.usefixtures("shared")
def test_the_right_pair_unlocks_that_business_only_for_the_session(demo_db: Path) -> None:
    con = store.connect(demo_db)
    access.create_protected_workspace(con, "Other Co", "another long phrase")
    con.close()
    protect(demo_db, DEMO_WORKSPACE)
    at = unlock(run_page("pages/pace.py"), DEMO_WORKSPACE, PHRASE)
    no_failure(at)
    assert at.title[0].value == "Pace"
    assert at.metric and charts(at)
    assert picker_options(at) == [DEMO_DISPLAY_NAME]  # Other Co is not listed
    at.switch_page("pages/fit.py").run()  # once per session: other pages open too
    no_failure(at)
    assert at.title[0].value == "Customer fit" and at.metric
    # another browser session starts at the gate again
    assert_locked(run_page("pages/pace.py"))


@pytest.mark.usefixtures("shared")
def test_a_second_business_opens_from_the_sidebar_and_lock_closes_both(demo_db: Path) -> None:
    con = store.connect(demo_db)
    access.create_protected_workspace(con, "Other Co", "another long phrase")
    con.close()
    protect(demo_db, DEMO_WORKSPACE)
    at = unlock(run_page("pages/pace.py"), DEMO_WORKSPACE, PHRASE)
    unlock(at, "Other Co", PHRASE, key="unlock_more")  # the first phrase does not open it
    assert errors(at) == access.WRONG_PAIR
    assert picker_options(at) == [DEMO_DISPLAY_NAME]
    unlock(at, "Other Co", "another long phrase", key="unlock_more")
    no_failure(at)
    assert picker_options(at) == [DEMO_DISPLAY_NAME, "Other Co"]
    assert at.sidebar.selectbox(key="_od_workspace_picker").value == "Other Co"
    at.sidebar.selectbox(key="_od_workspace_picker").select(DEMO_WORKSPACE).run()
    no_failure(at)
    assert at.title[0].value == "Pace" and at.metric  # still unlocked
    at.button(key="_od_lock").click().run()
    assert_locked(at)


@pytest.mark.usefixtures("shared", "frozen")
def test_a_workspace_without_passphrase_cannot_be_opened(demo_db: Path) -> None:
    at = run_page("pages/pace.py")
    assert_locked(at)
    said = texts(at)
    assert "cannot be opened here" in said and "Settings page" in said
    assert "python -m analytics workspace passphrase" in said
    unlock(at, DEMO_WORKSPACE, "")
    assert_locked(at)
    assert errors(at) == access.WRONG_PAIR


# ---------------------------------------------------------------- wrong tries, server-wide


@pytest.mark.usefixtures("shared")
def test_four_browser_sessions_share_one_count_of_wrong_tries(
    demo_db: Path, frozen: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    # Before: each session had 5 tries, so 4 fresh tabs gave 20 guesses in about 10 s.
    caplog.set_level(logging.WARNING, logger="opening_day.access")
    ws_id = protect(demo_db, DEMO_WORKSPACE)
    sessions = [run_page("pages/pace.py") for _ in range(4)]
    said = []
    for at in sessions:
        for _ in range(5):
            said.append(errors(unlock(at, DEMO_WORKSPACE, "a wrong guess here")))
    assert said[:3] == [access.WRONG_PAIR] * 3
    assert said[3:] == [str(access.TryLater(2))] * 17  # checked no more: wait 2 s
    unlock(sessions[0], DEMO_WORKSPACE, PHRASE)  # even the right phrase waits
    assert_locked(sessions[0])
    frozen[0] += 2
    at = unlock(sessions[1], DEMO_WORKSPACE, PHRASE)
    no_failure(at)
    assert at.title[0].value == "Pace"
    logged = [r.getMessage() for r in caplog.records if r.name == "opening_day.access"]
    assert sum(f"wrong passphrase: workspace {ws_id} at" in m for m in logged) == 3
    assert not any("guess" in m or PHRASE in m for m in logged)


@pytest.mark.usefixtures("shared")
def test_a_throttled_name_that_does_not_exist_looks_the_same(
    demo_db: Path, frozen: list[float]
) -> None:
    protect(demo_db, DEMO_WORKSPACE)
    said = {}
    for name in (DEMO_WORKSPACE, "Nobody Ltd"):
        at = run_page("pages/pace.py")
        said[name] = [errors(unlock(at, name, "a wrong guess here")) for _ in range(5)]
    assert said[DEMO_WORKSPACE] == said["Nobody Ltd"]


# ---------------------------------------------------------------- starting a business


@pytest.mark.usefixtures("shared", "frozen")
def test_a_new_business_needs_an_invitation_and_spends_it(demo_db: Path) -> None:
    protect(demo_db, DEMO_WORKSPACE)
    code = invitation(demo_db)
    at = run_page("pages/data.py")
    start_business(at, "Northwind IT", "blue heron at dawn", "")
    assert "not a valid invitation code" in errors(at)
    start_business(at, "Northwind IT", "blue heron at dawn", "od-inv-made-up")
    assert "not a valid invitation code" in errors(at)
    con = store.connect(demo_db)
    assert store.find_workspace(con, "Northwind IT") is None  # nobody starts one anonymously
    con.close()

    start_business(at, "Northwind IT", "blue heron at dawn", code)
    no_failure(at)
    assert at.title[0].value == "Your data"  # created, current and open
    assert picker_options(at) == ["Northwind IT"]  # still no other name
    con = store.connect(demo_db)
    ws = store.get_workspace(con, "Northwind IT")
    assert access.check_passphrase(con, ws.id, "blue heron at dawn")
    con.close()
    again = start_business(run_page("pages/data.py"), "Bay IT", "blue heron at dusk", code)
    assert "already used" in errors(again)


@pytest.mark.usefixtures("shared", "frozen")
def test_the_admin_secret_starts_a_business_even_on_an_empty_server(
    db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(access.ADMIN_ENV, "the server admin secret")
    at = run_page("pages/data.py")
    assert_locked(at)  # an empty shared server shows the same gate
    start_business(at, "Harbour IT", "blue heron at dawn", "not the admin secret")
    assert "not a valid invitation code or admin secret" in errors(at)
    start_business(at, "Harbour IT", "blue heron at dawn", "the server admin secret")
    no_failure(at)
    assert at.title[0].value == "Your data"
    con = store.connect(db_file)
    assert access.check_passphrase(
        con, store.get_workspace(con, "Harbour IT").id, "blue heron at dawn"
    )
    con.close()


@pytest.mark.usefixtures("shared")
def test_the_demo_is_not_built_by_a_visitor_and_a_demo_from_the_cli_stays_locked(
    demo_db: Path,
) -> None:
    at = run_page("pages/home.py")
    assert_locked(at)
    assert not [b for b in at.button if b.key == "home_demo"]
    unlock(at, DEMO_WORKSPACE, "anything at all here")
    assert_locked(at)


# ---------------------------------------------------------------- the Settings page


def test_settings_on_a_normal_server_sets_passphrase_admin_secret_and_invitations(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(access.SHARED_ENV, raising=False)
    monkeypatch.delenv(access.ADMIN_ENV, raising=False)
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
    at.button(key=f"{key}:clear").click().run()
    no_failure(at)
    assert "🔓 No passphrase" in texts(at)

    # the owner of a normal server is the shared server's admin
    assert "No admin secret in the store" in texts(at)
    at.text_input(key="admin_secret:phrase").input("the server admin secret")
    at.text_input(key="admin_secret:again").input("the server admin secret")
    at.button(key="admin_secret:go").click().run()
    no_failure(at)
    assert "🔑 Set since" in texts(at)
    at.text_input(key="invite_admin:note").input("for Lee at Bay IT")
    at.button(key="invite_admin:make").click().run()
    no_failure(at)
    (code,) = [c.value for c in at.code]
    assert code.startswith("od-inv-")
    listed = next(t.value for t in at.dataframe if "Note" in t.value)
    assert list(listed["Note"]) == ["for Lee at Bay IT"] and list(listed["State"]) == ["open"]
    assert code not in listed.to_json()  # the list never shows the code
    con = store.connect(demo_db)
    try:
        (inv,) = access.list_invitations(con, by=None)
        access.check_admin(con, "the server admin secret")
        assert inv.made_by is None
    finally:
        con.close()
    at.button(key="invite_admin:revoke").click().run()
    no_failure(at)
    listed = next(t.value for t in at.dataframe if "Note" in t.value)
    assert list(listed["State"]) == ["withdrawn"]


@pytest.mark.usefixtures("shared", "frozen")
def test_settings_on_a_shared_server_changes_the_phrase_and_invites_a_business(
    demo_db: Path,
) -> None:
    ws_id = protect(demo_db, DEMO_WORKSPACE)
    at = unlock(run_page("pages/settings.py"), DEMO_WORKSPACE, PHRASE)
    no_failure(at)
    assert "🔒 Protected since" in texts(at)
    assert "Admin secret for a shared server" not in texts(at)  # not from a shared server
    key = f"passphrase_{ws_id}"
    assert f"{key}:clear" not in [b.key for b in at.button]
    at.text_input(key=f"{key}:old").input("not the passphrase at all")
    at.text_input(key=f"{key}:phrase").input("a brand new passphrase")
    at.text_input(key=f"{key}:again").input("a brand new passphrase")
    at.button(key=f"{key}:go").click().run()
    assert "not the current passphrase" in errors(at)
    at.text_input(key=f"{key}:old").input(PHRASE)
    at.text_input(key=f"{key}:phrase").input("a brand new passphrase")
    at.text_input(key=f"{key}:again").input("a brand new passphrase")
    at.button(key=f"{key}:go").click().run()
    no_failure(at)
    assert at.title[0].value == "Settings"  # this session stays unlocked
    other = unlock(run_page("pages/pace.py"), DEMO_WORKSPACE, PHRASE)
    assert_locked(other)  # the old phrase opens nothing now

    # a member invites another business; the code works once, in another browser
    at.button(key="invite_ws:make").click().run()
    no_failure(at)
    (code,) = [c.value for c in at.code]
    newcomer = start_business(run_page("pages/home.py"), "Bay IT", "blue heron at dawn", code)
    no_failure(newcomer)
    assert picker_options(newcomer) == ["Bay IT"]
    con = store.connect(demo_db)
    try:
        (inv,) = access.list_invitations(con, by=ws_id)
        assert inv.state() == "used"
    finally:
        con.close()


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
    assert not [t for t in at.text_input if t.key and t.key.startswith("unlock")]
