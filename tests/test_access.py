"""Workspace passphrases: only a salted scrypt hash is kept, and only the right phrase opens."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analytics import access, store
from analytics.errors import AccessError, WorkspaceError
from tests.conftest import ROOT

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


def run_cli(*args: str | Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


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
