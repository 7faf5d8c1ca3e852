"""Workspace passphrases: only a salted scrypt hash is kept, and only the right phrase opens."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from analytics import access, store
from analytics.errors import AccessDenied, AccessError, WorkspaceError
from tests.test_cli import run_cli

PHRASE = "otter lantern quarry fig"


def stored_row(con: store.Connection, workspace_id: int) -> tuple:
    rows = (
        con.cursor()
        .execute(
            "SELECT salt, hash, n, r, p, set_at FROM workspace_passphrases WHERE workspace_id = $w",
            {"w": workspace_id},
        )
        .fetchall()
    )
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize(
    ("value", "shared"),
    [("1", True), ("true", True), ("YES", True), (" yes ", True), ("0", False), ("", False)],
)
def test_shared_mode_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, shared: bool
) -> None:
    monkeypatch.setenv(access.SHARED_ENV, value)
    assert access.shared_mode() is shared


def test_shared_mode_is_off_without_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(access.SHARED_ENV, raising=False)
    assert access.shared_mode() is False


def test_the_right_phrase_opens_and_a_wrong_one_does_not(
    con: store.Connection, workspace: store.Workspace
) -> None:
    access.set_passphrase(con, workspace.id, PHRASE)
    assert access.has_passphrase(con, workspace.id)
    assert access.check_passphrase(con, workspace.id, PHRASE)
    assert not access.check_passphrase(con, workspace.id, PHRASE + " ")
    assert not access.check_passphrase(con, workspace.id, PHRASE.upper())
    assert not access.check_passphrase(con, workspace.id, "")


def test_only_a_hash_is_kept_never_the_phrase(
    con: store.Connection, workspace: store.Workspace, db_file: Path
) -> None:
    access.set_passphrase(con, workspace.id, PHRASE)
    salt, digest, *_ = stored_row(con, workspace.id)
    secret = PHRASE.encode()
    assert digest != secret and secret not in digest and secret not in salt
    assert PHRASE not in digest.hex() and PHRASE not in str(digest)
    con.execute("CHECKPOINT")
    assert secret not in db_file.read_bytes()  # nowhere in the store file either


def test_hash_parameters_are_stored_with_the_hash(
    con: store.Connection, workspace: store.Workspace
) -> None:
    access.set_passphrase(con, workspace.id, PHRASE)
    salt, digest, n, r, p, set_at = stored_row(con, workspace.id)
    assert (n, r, p) == (2**14, 8, 1)
    assert len(salt) == 16 and len(digest) == 32
    assert set_at is not None and access.passphrase_set_at(con, workspace.id) == set_at


def test_a_hash_made_at_an_older_cost_still_checks(
    con: store.Connection, workspace: store.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(access, "SCRYPT_N", 2**10)
    access.set_passphrase(con, workspace.id, PHRASE)
    monkeypatch.undo()  # the cost is raised: old hashes are checked with their own n
    assert stored_row(con, workspace.id)[2] == 2**10
    assert access.check_passphrase(con, workspace.id, PHRASE)
    assert not access.check_passphrase(con, workspace.id, "not the phrase at all")


def test_salt_and_hash_differ_each_time_a_phrase_is_set(
    con: store.Connection, workspace: store.Workspace
) -> None:
    other = store.create_workspace(con, "Other Co")
    access.set_passphrase(con, workspace.id, PHRASE)
    first = stored_row(con, workspace.id)
    access.set_passphrase(con, other.id, PHRASE)
    access.set_passphrase(con, workspace.id, PHRASE)  # the same phrase again
    second = stored_row(con, workspace.id)
    third = stored_row(con, other.id)
    assert len({first[0], second[0], third[0]}) == 3
    assert len({first[1], second[1], third[1]}) == 3
    assert second[5] >= first[5]
    assert access.check_passphrase(con, workspace.id, PHRASE)


def test_changing_the_phrase_retires_the_old_one(
    con: store.Connection, workspace: store.Workspace
) -> None:
    access.set_passphrase(con, workspace.id, PHRASE)
    access.set_passphrase(con, workspace.id, "a brand new passphrase")
    assert not access.check_passphrase(con, workspace.id, PHRASE)
    assert access.check_passphrase(con, workspace.id, "a brand new passphrase")


@pytest.mark.parametrize("phrase", ["", "short", "123456789", " " * 12, "\t\n   \t\n  "])
def test_a_weak_phrase_is_refused_and_says_what_is_required(
    con: store.Connection, workspace: store.Workspace, phrase: str
) -> None:
    with pytest.raises(AccessError, match="at least 10"):
        access.set_passphrase(con, workspace.id, phrase)
    assert not access.has_passphrase(con, workspace.id)


def test_ten_characters_are_enough(con: store.Connection, workspace: store.Workspace) -> None:
    access.set_passphrase(con, workspace.id, "ten chars!")
    assert access.check_passphrase(con, workspace.id, "ten chars!")


def test_clear_removes_the_passphrase(con: store.Connection, workspace: store.Workspace) -> None:
    access.set_passphrase(con, workspace.id, PHRASE)
    access.clear_passphrase(con, workspace.id)
    assert not access.has_passphrase(con, workspace.id)
    assert access.passphrase_set_at(con, workspace.id) is None
    assert not access.check_passphrase(con, workspace.id, PHRASE)
    access.clear_passphrase(con, workspace.id)  # clearing twice is harmless


def test_a_workspace_without_passphrase_never_checks_true(
    con: store.Connection, workspace: store.Workspace
) -> None:
    assert not access.has_passphrase(con, workspace.id)
    assert not access.check_passphrase(con, workspace.id, "")
    assert not access.check_passphrase(con, workspace.id, PHRASE)


def test_passphrases_belong_to_one_workspace(
    con: store.Connection, workspace: store.Workspace
) -> None:
    other = store.create_workspace(con, "Other Co")
    access.set_passphrase(con, workspace.id, PHRASE)
    assert not access.check_passphrase(con, other.id, PHRASE)


def test_an_unknown_workspace_is_refused(con: store.Connection) -> None:
    with pytest.raises(WorkspaceError):
        access.set_passphrase(con, 999, PHRASE)


def test_deleting_a_workspace_deletes_its_passphrase(
    con: store.Connection, workspace: store.Workspace
) -> None:
    access.set_passphrase(con, workspace.id, PHRASE)
    store.delete_workspace(con, workspace.name)
    assert con.execute("SELECT count(*) FROM workspace_passphrases").fetchall()[0][0] == 0


def test_a_protected_workspace_is_created_with_its_passphrase(con: store.Connection) -> None:
    ws = access.create_protected_workspace(con, "Shared Co", PHRASE)
    assert access.check_passphrase(con, ws.id, PHRASE)


def test_a_protected_workspace_with_a_weak_phrase_is_not_created(con: store.Connection) -> None:
    with pytest.raises(AccessError):
        access.create_protected_workspace(con, "Shared Co", "short")
    assert store.find_workspace(con, "Shared Co") is None


# ---------------------------------------------------------------- the command line


def test_cli_sets_and_clears_a_passphrase(db_file: Path) -> None:
    con = store.connect(db_file)
    ws = store.create_workspace(con, "Harbour IT")
    con.close()
    base = ("workspace", "passphrase", "--db", db_file, "--workspace", "Harbour IT")

    proc = run_cli(*base, "--stdin", stdin=PHRASE + "\n")
    assert proc.returncode == 0, proc.stderr
    assert "Passphrase set" in proc.stdout and PHRASE not in proc.stdout + proc.stderr
    con = store.connect(db_file)
    assert access.check_passphrase(con, ws.id, PHRASE)
    con.close()

    proc = run_cli(*base, "--clear")
    assert proc.returncode == 0, proc.stderr
    assert "removed" in proc.stdout
    con = store.connect(db_file)
    assert not access.has_passphrase(con, ws.id)
    con.close()


def test_cli_refuses_a_short_phrase_and_an_unknown_workspace(db_file: Path) -> None:
    con = store.connect(db_file)
    store.create_workspace(con, "Harbour IT")
    con.close()
    proc = run_cli(
        "workspace", "passphrase", "--db", db_file, "--workspace", "Harbour IT", stdin="short\n"
    )
    assert proc.returncode == 1
    assert "at least 10" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli(
        "workspace", "passphrase", "--db", db_file, "--workspace", "Nobody", stdin=PHRASE + "\n"
    )
    assert proc.returncode == 1
    assert "No workspace called" in proc.stderr


def test_cli_passphrase_has_help() -> None:
    proc = run_cli("workspace", "passphrase", "--help")
    assert proc.returncode == 0, proc.stderr
    assert "--db" in proc.stdout and "--clear" in proc.stdout and "--stdin" in proc.stdout


# ---------------------------------------------------------------- opening by name and passphrase

T0 = 1_000_000.0  # a fixed clock for the throttle: seconds since the epoch


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def protected(con: store.Connection, workspace: store.Workspace) -> store.Workspace:
    access.set_passphrase(con, workspace.id, PHRASE)
    return workspace


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts scrypt runs (their n), without changing what they compute."""
    calls: list[int] = []
    real = access._derive

    def counted(phrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        calls.append(n)
        return real(phrase, salt, n, r, p)

    monkeypatch.setattr(access, "_derive", counted)
    return calls


def test_the_right_pair_opens_the_workspace(
    con: store.Connection, protected: store.Workspace
) -> None:
    assert access.unlock(con, "Test Co", PHRASE, clock=Clock()) == protected
    assert access.unlock(con, "  Test Co ", PHRASE, clock=Clock()) == protected


def test_a_wrong_pair_says_the_same_and_costs_the_same_whatever_is_wrong(
    con: store.Connection, protected: store.Workspace, scrypt_calls: list[int]
) -> None:
    store.create_workspace(con, "Open Co")  # exists, but has no passphrase
    said = []
    for name, phrase in (
        ("Test Co", "not the passphrase at all"),  # wrong passphrase
        ("Nobody Ltd", PHRASE),  # no such business
        ("test co", PHRASE),  # names are exact
        ("Open Co", ""),  # no passphrase to check against
        ("", PHRASE),
    ):
        with pytest.raises(AccessDenied) as err:
            access.unlock(con, name, phrase, clock=Clock())
        said.append(str(err.value))
    assert set(said) == {access.WRONG_PAIR}
    # one scrypt each, at the same cost: a dummy hash stands in when there is nothing to check
    assert scrypt_calls == [access.SCRYPT_N] * 5


def test_four_sessions_of_five_tries_get_three_guesses_then_wait(
    con: store.Connection, protected: store.Workspace, scrypt_calls: list[int]
) -> None:
    # Before: each browser session had 5 tries of its own (20 guesses in 10 s from 4 tabs).
    # Now the count is the workspace's, whoever tries.
    clock = Clock()
    outcomes = []
    for _session in range(4):
        for _try in range(5):
            try:
                access.unlock(con, "Test Co", "a wrong guess here", clock=clock)
            except access.TryLater as wait:
                outcomes.append(f"wait {wait.seconds}")
            except AccessDenied:
                outcomes.append("checked")
    assert outcomes == ["checked"] * 3 + ["wait 2"] * 17
    assert len(scrypt_calls) == 3  # a try that must wait is not even hashed
    # even the right phrase waits; after 2 s it is checked and clears the count
    with pytest.raises(access.TryLater):
        access.unlock(con, "Test Co", PHRASE, clock=clock)
    clock.now += 2
    assert access.unlock(con, "Test Co", PHRASE, clock=clock) == protected
    assert access.seconds_to_wait(con, access.name_key("Test Co"), clock=clock) == 0


def test_each_wrong_try_after_the_third_doubles_the_wait_up_to_fifteen_minutes(
    con: store.Connection, protected: store.Workspace
) -> None:
    assert [access.wait_after(n) for n in range(1, 14)] == [
        0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900,
    ]  # fmt: skip
    clock = Clock()
    waits = []
    for _ in range(12):
        with pytest.raises(AccessDenied):
            access.unlock(con, "Test Co", "a wrong guess here", clock=clock)
        waits.append(access.seconds_to_wait(con, access.name_key("Test Co"), clock=clock))
        clock.now += waits[-1]  # the guesser waits exactly as long as told
    assert waits == [0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]
    # 12 guesses took 1,922 s (32 min) instead of a few seconds; the next ones 15 min each


def test_an_unknown_name_is_throttled_exactly_like_a_real_one(con: store.Connection) -> None:
    clock = Clock()
    for _ in range(3):
        with pytest.raises(AccessDenied):
            access.unlock(con, "Nobody Ltd", PHRASE, clock=clock)
    with pytest.raises(access.TryLater) as wait:
        access.unlock(con, "nobody  LTD", PHRASE, clock=clock)  # the same name, typed loosely
    assert wait.value.seconds == 2


def test_another_spelling_of_a_real_name_shares_its_count(
    con: store.Connection, protected: store.Workspace
) -> None:
    # "test co" is no business here (names are exact), yet it waits with "Test Co": a fresh
    # count for it would show that the first spelling is a real name.
    clock = Clock()
    for _ in range(3):
        with pytest.raises(AccessDenied):
            access.unlock(con, "Test Co", "a wrong guess here", clock=clock)
    with pytest.raises(access.TryLater):
        access.unlock(con, "TEST  co", PHRASE, clock=clock)


def test_the_count_survives_a_restart_and_is_forgotten_after_a_quiet_day(
    db_file: Path, protected: store.Workspace, con: store.Connection
) -> None:
    clock = Clock()
    for _ in range(3):
        with pytest.raises(AccessDenied):
            access.unlock(con, "Test Co", "a wrong guess here", clock=clock)
    con.close()
    again = store.connect(db_file)  # the server restarted
    try:
        with pytest.raises(access.TryLater):
            access.unlock(again, "Test Co", PHRASE, clock=clock)
        clock.now += access.FORGET_AFTER + 1
        with pytest.raises(AccessDenied):  # a fresh count: checked at once
            access.unlock(again, "Test Co", "a wrong guess here", clock=clock)
        assert access.seconds_to_wait(again, access.name_key("Test Co"), clock=clock) == 0
        assert access.clear_throttle(again) == 1
    finally:
        again.close()


def test_wrong_tries_are_logged_with_workspace_and_time_never_the_phrase(
    con: store.Connection, protected: store.Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="opening_day.access")
    with pytest.raises(AccessDenied):
        access.unlock(con, "Test Co", "my secret guess", clock=Clock())
    with pytest.raises(AccessDenied):
        access.unlock(con, "Nobody Ltd", "another secret guess", clock=Clock())
    messages = [r.getMessage() for r in caplog.records if r.name == "opening_day.access"]
    stamp = datetime.fromtimestamp(T0).isoformat(timespec="seconds")
    assert messages == [
        f"wrong passphrase: workspace {protected.id} at {stamp}",
        f"wrong passphrase: workspace (no such name) at {stamp}",
    ]
    assert not any("guess" in m or "Nobody" in m for m in messages)


def test_at_most_two_hashes_run_at_once_and_a_crowd_is_told_to_come_back(
    con: store.Connection, protected: store.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    running, peak = [0], [0]
    lock = threading.Lock()
    real = access._derive

    def slow(phrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        try:
            return real(phrase, salt, n, r, p)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(access, "_derive", slow)
    threads = [
        threading.Thread(target=access.check_passphrase, args=(con, protected.id, PHRASE))
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == access.SCRYPT_SLOTS == 2

    # every slot taken for longer than a try waits: "busy", and the try is not counted
    monkeypatch.setattr(access, "SCRYPT_QUEUE_SECONDS", 0.05)
    assert access._slots.acquire() and access._slots.acquire()
    try:
        with pytest.raises(access.ServerBusy, match="busy"):
            access.unlock(con, "Test Co", "a wrong guess here", clock=Clock())
    finally:
        access._slots.release()
        access._slots.release()
    assert access.clear_throttle(con) == 0


def test_verify_passphrase_is_throttled_on_the_same_count(
    con: store.Connection, protected: store.Workspace
) -> None:
    clock = Clock()
    for _ in range(2):
        with pytest.raises(AccessDenied, match="not the current passphrase"):
            access.verify_passphrase(con, protected.id, "a wrong guess here", clock=clock)
    with pytest.raises(AccessDenied):
        access.unlock(con, "Test Co", "a wrong guess here", clock=clock)
    with pytest.raises(access.TryLater):
        access.verify_passphrase(con, protected.id, PHRASE, clock=clock)


# ---------------------------------------------------------------- the admin secret


def test_the_admin_secret_is_kept_hashed_and_checked(
    con: store.Connection, db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(access.ADMIN_ENV, raising=False)
    assert not access.admin_configured(con)
    with pytest.raises(AccessDenied):  # no admin secret at all: nothing opens
        access.check_admin(con, "", clock=Clock())
    access.set_admin_passphrase(con, "harbour master key")
    assert access.admin_configured(con) and access.admin_passphrase_set_at(con) is not None
    access.check_admin(con, "harbour master key", clock=Clock())
    with pytest.raises(AccessDenied, match="not a valid invitation code or admin secret"):
        access.check_admin(con, "harbour master kez", clock=Clock())
    con.execute("CHECKPOINT")
    assert b"harbour master key" not in db_file.read_bytes()
    access.clear_admin_passphrase(con)
    assert not access.admin_configured(con)


def test_the_admin_secret_can_come_from_the_environment_if_long_enough(
    con: store.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(access.ADMIN_ENV, "short")
    assert not access.admin_configured(con)  # too short to trust: ignored
    with pytest.raises(AccessDenied):
        access.check_admin(con, "short", clock=Clock())
    monkeypatch.setenv(access.ADMIN_ENV, "environment admin secret")
    assert access.admin_configured(con)
    access.check_admin(con, "environment admin secret", clock=Clock())


def test_admin_secret_tries_are_throttled(con: store.Connection) -> None:
    access.set_admin_passphrase(con, "harbour master key")
    clock = Clock()
    for _ in range(3):
        with pytest.raises(AccessDenied):
            access.check_admin(con, "a guess at the key", clock=clock)
    with pytest.raises(access.TryLater):
        access.check_admin(con, "harbour master key", clock=clock)


# ---------------------------------------------------------------- invitations

MADE = datetime(2025, 7, 1, 9, 0)


def test_an_invitation_code_is_shown_once_and_kept_only_as_its_hash(
    con: store.Connection, workspace: store.Workspace, db_file: Path
) -> None:
    inv, code = access.create_invitation(con, by=workspace.id, note="for Lee", now=MADE)
    assert code.startswith("od-inv-") and len(code) == len("od-inv-") + 22  # 128 random bits
    assert (inv.kind, inv.made_by, inv.note, inv.group_id) == (
        "workspace",
        workspace.id,
        "for Lee",
        None,
    )
    assert inv.expires_at == datetime(2025, 7, 8, 9, 0)  # 7 days by default
    assert inv.state(MADE) == "open"
    stored = con.execute("SELECT code_hash FROM invitations").fetchall()[0][0]
    assert stored == hashlib.sha256(code.encode()).hexdigest()
    con.execute("CHECKPOINT")
    assert code.encode() not in db_file.read_bytes()
    assert not hasattr(inv, "code")
    assert access.list_invitations(con, by=workspace.id) == [inv]
    assert access.list_invitations(con, by=None) == []  # the admin's are another list
    assert access.list_invitations(con, by=None, everyone=True) == [inv]
    with pytest.raises(AccessError, match="between 1 and 90 days"):
        access.create_invitation(con, by=workspace.id, days=0)


def test_a_workspace_invitation_starts_one_business_once(
    con: store.Connection, workspace: store.Workspace
) -> None:
    _, code = access.create_invitation(con, by=workspace.id, now=MADE)
    when = MADE + timedelta(days=1)
    ws = access.create_shared_workspace(con, "Northwind IT", PHRASE, code, clock=Clock(), now=when)
    assert access.check_passphrase(con, ws.id, PHRASE)
    (used,) = access.list_invitations(con, by=workspace.id)
    assert (used.state(when), used.used_by, used.used_at) == ("used", ws.id, when)
    with pytest.raises(AccessDenied, match="already used"):
        access.create_shared_workspace(con, "Bay IT", PHRASE, code, clock=Clock(), now=when)
    assert store.find_workspace(con, "Bay IT") is None


def test_a_taken_name_or_a_weak_phrase_does_not_spend_the_code(
    con: store.Connection, workspace: store.Workspace
) -> None:
    _, code = access.create_invitation(con, by=None, now=MADE)
    with pytest.raises(AccessError, match="at least 10"):
        access.create_shared_workspace(con, "Bay IT", "short", code, clock=Clock(), now=MADE)
    with pytest.raises(WorkspaceError, match="already exists"):
        access.create_shared_workspace(con, "Test Co", PHRASE, code, clock=Clock(), now=MADE)
    ws = access.create_shared_workspace(con, "Bay IT", PHRASE, code, clock=Clock(), now=MADE)
    assert ws.name == "Bay IT"


def test_a_taken_name_counts_as_a_wrong_try_so_names_cannot_be_listed(
    con: store.Connection, workspace: store.Workspace
) -> None:
    store.create_workspace(con, "Acme")
    _, code = access.create_invitation(con, by=None, now=MADE)
    clock = Clock()
    for name in ("Test Co", "Acme", "Test Co"):  # an invitee probing for names
        with pytest.raises(WorkspaceError, match="already exists"):
            access.create_shared_workspace(con, name, PHRASE, code, clock=clock, now=MADE)
    with pytest.raises(access.TryLater):
        access.create_shared_workspace(con, "Bay IT", PHRASE, code, clock=clock, now=MADE)


def test_expired_revoked_and_unknown_codes_are_refused(
    con: store.Connection, workspace: store.Workspace
) -> None:
    inv, code = access.create_invitation(con, by=workspace.id, days=2, now=MADE)
    late = MADE + timedelta(days=2)
    assert inv.state(late) == "expired"
    with pytest.raises(AccessDenied, match="expired on 2025-07-03"):
        access.create_shared_workspace(con, "Bay IT", PHRASE, code, clock=Clock(), now=late)
    other, code2 = access.create_invitation(con, by=workspace.id, now=MADE)
    revoked = access.revoke_invitation(con, other.id, by=workspace.id, now=MADE)
    assert revoked.state(MADE) == "revoked"
    with pytest.raises(AccessDenied, match="withdrawn"):
        access.create_shared_workspace(con, "Bay IT", PHRASE, code2, clock=Clock(), now=MADE)
    with pytest.raises(AccessDenied, match="not a valid invitation code"):
        access.create_shared_workspace(
            con, "Bay IT", PHRASE, code2[:-1] + "x", clock=Clock(), now=MADE
        )
    with pytest.raises(AccessDenied, match="not a valid invitation code"):
        access.create_shared_workspace(con, "Bay IT", PHRASE, "", clock=Clock(), now=MADE)
    assert store.find_workspace(con, "Bay IT") is None


def test_only_the_maker_or_the_admin_withdraws_an_invitation(
    con: store.Connection, workspace: store.Workspace
) -> None:
    other = store.create_workspace(con, "Other Co")
    inv, _ = access.create_invitation(con, by=workspace.id, now=MADE)
    with pytest.raises(AccessDenied, match="No invitation"):
        access.revoke_invitation(con, inv.id, by=other.id)
    assert access.revoke_invitation(con, inv.id, by=None).revoked_at is not None
    with pytest.raises(AccessDenied, match="No invitation"):
        access.revoke_invitation(con, 999, by=None)


def test_invitation_code_tries_are_throttled(
    con: store.Connection, workspace: store.Workspace
) -> None:
    _, code = access.create_invitation(con, by=None, now=MADE)
    clock = Clock()
    for n in range(3):
        with pytest.raises(AccessDenied):
            access.create_shared_workspace(
                con, "Bay IT", PHRASE, f"od-inv-guess{n}", clock=clock, now=MADE
            )
    with pytest.raises(access.TryLater):
        access.create_shared_workspace(con, "Bay IT", PHRASE, code, clock=clock, now=MADE)
    clock.now += 2
    assert access.create_shared_workspace(con, "Bay IT", PHRASE, code, clock=clock, now=MADE)


def test_a_business_can_be_started_with_the_admin_secret(con: store.Connection) -> None:
    access.set_admin_passphrase(con, "harbour master key")
    ws = access.create_shared_workspace(con, "Bay IT", PHRASE, "harbour master key", clock=Clock())
    assert access.check_passphrase(con, ws.id, PHRASE)
    with pytest.raises(AccessDenied):
        access.create_shared_workspace(con, "Cove IT", PHRASE, "not the key at all", clock=Clock())
    assert store.find_workspace(con, "Cove IT") is None


def test_starting_a_business_with_the_admin_secret_shares_check_admin_s_count(
    con: store.Connection,
) -> None:
    access.set_admin_passphrase(con, "harbour master key")
    clock = Clock()
    for _ in range(2):
        with pytest.raises(AccessDenied):
            access.check_admin(con, "a guess at the key", clock=clock)
    with pytest.raises(AccessDenied, match="not a valid invitation code or admin secret"):
        access.create_shared_workspace(con, "Cove IT", PHRASE, "another guess here", clock=clock)
    # the third wrong try at the one admin count, whichever box it came from: 2 s to wait
    assert access.seconds_to_wait(con, access.ADMIN_KEY, clock=clock) == 2
    with pytest.raises(access.TryLater):
        access.create_shared_workspace(con, "Cove IT", PHRASE, "harbour master key", clock=clock)
    clock.now += 2
    assert access.create_shared_workspace(con, "Cove IT", PHRASE, "harbour master key", clock=clock)
    assert access.seconds_to_wait(con, access.ADMIN_KEY, clock=clock) == 0


def test_the_clock_and_the_hash_swapped_on_the_package_reach_every_module(
    con: store.Connection,
    protected: store.Workspace,
    monkeypatch: pytest.MonkeyPatch,
    scrypt_calls: list[int],
) -> None:
    """analytics.access is a package (throttle, passphrases, invitations) that reads its clock
    and its scrypt from the package at call time: a test swaps them in one place."""
    hashed = scrypt_calls  # access._derive swapped for one that counts
    monkeypatch.setattr(access, "_now", lambda clock=None: 1_000.0)
    monkeypatch.setattr(access, "SCRYPT_N", 2**10)
    access.set_admin_passphrase(con, "harbour master key")  # the stored hash at the new cost
    assert hashed == [2**10]
    for _ in range(3):  # unlock (passphrases) stamps its tries with the swapped clock
        with pytest.raises(AccessDenied):
            access.unlock(con, "Test Co", "a wrong guess here")
    # the third try at t=1000 waits until 1002; seconds_to_wait (throttle) reads t=1000 too
    assert access.seconds_to_wait(con, access.name_key("Test Co")) == 2
    # invitations: the code's tries are counted at t=1000 (no clock given), so none waits yet
    with pytest.raises(AccessDenied):
        access.create_shared_workspace(con, "Bay IT", PHRASE, "od-inv-guess")
    assert access.seconds_to_wait(con, access.INVITATION_KEY) == 0
    rows = con.execute("SELECT last_try FROM access_attempts WHERE key = 'invitation'").fetchall()
    assert rows == [(1_000.0,)]
    # three unlocks, each one scrypt at the protected workspace's stored cost (2**14)
    assert hashed == [2**10, 2**14, 2**14, 2**14]


def test_a_group_invitation_is_made_by_a_member_only_and_does_not_start_a_business(
    con: store.Connection, workspace: store.Workspace
) -> None:
    from analytics import peers

    outsider = store.create_workspace(con, "Outsider")
    group = peers.create_group(con, "North", founder=workspace.id)
    with pytest.raises(AccessDenied, match="not a member"):
        access.create_invitation(con, by=outsider.id, group_id=group.id)
    with pytest.raises(AccessDenied, match="Only a member"):
        access.create_invitation(con, by=None, group_id=group.id)
    inv, code = access.create_invitation(con, by=workspace.id, group_id=group.id, now=MADE)
    assert (inv.kind, inv.group_id) == ("group", group.id)
    with pytest.raises(AccessDenied, match="open your business first"):
        access.create_shared_workspace(con, "Bay IT", PHRASE, code, clock=Clock(), now=MADE)
    assert access.list_invitations(con, by=workspace.id, group_id=group.id) == [inv]


def test_deleting_a_workspace_deletes_the_invitations_it_made(
    con: store.Connection, workspace: store.Workspace
) -> None:
    access.create_invitation(con, by=workspace.id)
    access.create_invitation(con, by=None)
    store.delete_workspace(con, workspace.name)
    assert con.execute("SELECT workspace_id FROM invitations").fetchall() == [(None,)]


# ---------------------------------------------------------------- the schema


def test_migration_7_keeps_existing_groups_and_lets_names_repeat(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "v6.duckdb"
    raw = duckdb.connect(str(path))
    raw.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)")
    for version, statements in store.MIGRATIONS:
        if version > 6:
            continue
        for stmt in statements:
            raw.execute(stmt)
        raw.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    raw.execute("INSERT INTO peer_groups (name) VALUES ('Harbour circle')")
    raw.close()
    con = store.connect(path)
    try:
        assert con.execute("SELECT id, name FROM peer_groups").fetchall() == [(1, "Harbour circle")]
        con.execute("INSERT INTO peer_groups (name) VALUES ('Harbour circle')")  # no longer unique
        assert con.execute("SELECT max(id) FROM peer_groups").fetchall()[0][0] == 2
    finally:
        con.close()


# ---------------------------------------------------------------- the command line: admin, invite


def test_cli_sets_the_admin_secret_and_clears_waits(db_file: Path) -> None:
    con = store.connect(db_file)
    access.create_protected_workspace(con, "Harbour IT", PHRASE)
    for _ in range(3):
        with pytest.raises(AccessDenied):
            access.unlock(con, "Harbour IT", "a wrong guess here")
    con.close()

    proc = run_cli("admin", "passphrase", "--db", db_file, "--stdin", stdin="harbour master key\n")
    assert proc.returncode == 0, proc.stderr
    assert "Admin secret set" in proc.stdout
    assert "harbour master key" not in proc.stdout + proc.stderr
    proc = run_cli("admin", "unblock", "--db", db_file, "--workspace", "Harbour IT")
    assert proc.returncode == 0, proc.stderr
    assert "Cleared 1 count(s)" in proc.stdout
    con = store.connect(db_file)
    try:
        access.check_admin(con, "harbour master key")
        assert access.seconds_to_wait(con, access.name_key("Harbour IT")) == 0
    finally:
        con.close()
    proc = run_cli("admin", "passphrase", "--db", db_file, "--stdin", stdin="short\n")
    assert proc.returncode == 1 and "at least 10" in proc.stderr
    proc = run_cli("admin", "passphrase", "--db", db_file, "--clear")
    assert proc.returncode == 0 and "removed" in proc.stdout


def test_cli_makes_lists_and_withdraws_invitations(db_file: Path) -> None:
    from analytics import peers

    con = store.connect(db_file)
    ws = store.create_workspace(con, "Harbour IT")
    peers.create_group(con, "North circle", founder=ws.id)
    con.close()

    proc = run_cli("invite", "create", "--db", db_file, "--days", "3", "--note", "for Lee")
    assert proc.returncode == 0, proc.stderr
    (code,) = [line for line in proc.stdout.splitlines() if line.startswith("od-inv-")]
    assert "Invitation 1 to start a new business, single use" in proc.stdout
    proc = run_cli(
        "invite",
        "create",
        "--db",
        db_file,
        "--workspace",
        "Harbour IT",
        "--group",
        "north circle",
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    made = json.loads(proc.stdout)
    assert (made["id"], made["kind"], made["state"]) == (2, "group", "open")
    assert made["code"].startswith("od-inv-")
    proc = run_cli("invite", "create", "--db", db_file, "--group", "North circle")
    assert proc.returncode == 1 and "give --workspace" in proc.stderr

    proc = run_cli("invite", "list", "--db", db_file)  # the admin's: the first one only
    assert proc.returncode == 0, proc.stderr
    assert "new business" in proc.stdout and "for Lee" in proc.stdout
    assert "group" not in proc.stdout and code not in proc.stdout
    listed = json.loads(run_cli("invite", "list", "--db", db_file, "--all", "--json").stdout)
    assert [i["id"] for i in listed] == [2, 1] and all("code" not in i for i in listed)

    proc = run_cli("invite", "revoke", "--db", db_file, "2")
    assert proc.returncode == 0 and "withdrawn" in proc.stdout
    con = store.connect(db_file)
    try:
        started = access.create_shared_workspace(con, "Bay IT", PHRASE, code)
        assert access.check_passphrase(con, started.id, PHRASE)
        states = {i.id: i.state() for i in access.list_invitations(con, by=None, everyone=True)}
        assert states == {1: "used", 2: "revoked"}
    finally:
        con.close()


def test_cli_admin_and_invite_have_help() -> None:
    for args in (("admin", "passphrase"), ("admin", "unblock"), ("invite", "create")):
        proc = run_cli(*args, "--help")
        assert proc.returncode == 0, proc.stderr
        assert "--db" in proc.stdout
