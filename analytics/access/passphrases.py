"""The secrets that open things: a workspace's passphrase (set, check, unlock with a business
name) and the server's admin secret (in the store or the environment).

Both are kept as scrypt hashes with their salt and cost; every try a person types is throttled
(`throttle._gate`) and costs one scrypt whether or not there is anything to check.
"""

from __future__ import annotations

import os
from datetime import datetime
from functools import lru_cache
from typing import Any

from analytics import access, store
from analytics.access import (
    ADMIN_ENV,
    ADMIN_KEY,
    MIN_LENGTH,
    WRONG_CREDENTIAL,
    Clock,
    _hashed,
    _matches,
    _new_hash,
    _slot,
    _stamp,
    check_strength,
    log,
)
from analytics.access.throttle import _gate, _passed, name_key
from analytics.errors import AccessDenied

WRONG_PAIR = (
    "That business name and passphrase do not open a business on this server. Check both for "
    "typing mistakes (the name is written exactly as when the business was started) and try again."
)


def set_passphrase(con: store.Connection, workspace_id: int, phrase: str) -> None:
    """Protect a workspace with `phrase` (replacing any earlier one)."""
    check_strength(phrase)
    store.get_workspace_by_id(con, workspace_id)  # an unknown workspace says so
    with store.transaction(con) as tx:
        tx.execute(
            """INSERT INTO workspace_passphrases (workspace_id, salt, hash, n, r, p, set_at)
            VALUES ($w, $salt, $hash, $n, $r, $p, current_localtimestamp())
            ON CONFLICT (workspace_id) DO UPDATE SET salt = excluded.salt,
              hash = excluded.hash, n = excluded.n, r = excluded.r, p = excluded.p,
              set_at = excluded.set_at""",
            {"w": workspace_id, **_new_hash(phrase)},
        )


def clear_passphrase(con: store.Connection, workspace_id: int) -> None:
    """Remove a workspace's passphrase (nothing happens if it has none)."""
    with store.transaction(con) as tx:
        tx.execute("DELETE FROM workspace_passphrases WHERE workspace_id = $w", {"w": workspace_id})


def passphrase_set_at(con: store.Connection, workspace_id: int) -> datetime | None:
    """When the current passphrase was set; None when the workspace has none."""
    rows = (
        con.cursor()
        .execute(
            "SELECT set_at FROM workspace_passphrases WHERE workspace_id = $w", {"w": workspace_id}
        )
        .fetchall()
    )
    return rows[0][0] if rows else None


def has_passphrase(con: store.Connection, workspace_id: int) -> bool:
    return passphrase_set_at(con, workspace_id) is not None


def _hash_row(con: store.Connection, workspace_id: int) -> tuple[Any, ...] | None:
    rows = (
        con.cursor()
        .execute(
            "SELECT salt, hash, n, r, p FROM workspace_passphrases WHERE workspace_id = $w",
            {"w": workspace_id},
        )
        .fetchall()
    )
    return tuple(rows[0]) if rows else None


def check_passphrase(con: store.Connection, workspace_id: int, phrase: str) -> bool:
    """True only when `phrase` is the workspace's passphrase (False when it has none).

    Not throttled: a person's tries go through `unlock` or `verify_passphrase`.
    """
    row = _hash_row(con, workspace_id)
    with _slot():
        return _matches(phrase, row)


def unlock(
    con: store.Connection, name: str, phrase: str, *, clock: Clock | None = None
) -> store.Workspace:
    """The workspace called `name`, when `phrase` is its passphrase; else AccessDenied.

    An unknown name, a workspace without a passphrase and a wrong passphrase get the same
    message after the same work (one scrypt, against a dummy hash when there is nothing to
    check), and their wrong tries are throttled alike, so nothing tells whether a name exists.
    """
    now = access._now(clock)
    ws = store.find_workspace(con, name) if name.strip() else None
    key = name_key(name)
    with _slot():
        _gate(con, key, now)
        row = _hash_row(con, ws.id if ws is not None else -1)
        opened = _matches(phrase, row)
    if not opened or ws is None:
        log.warning(
            "wrong passphrase: workspace %s at %s",
            ws.id if ws is not None else "(no such name)",
            _stamp(now),
        )
        raise AccessDenied(WRONG_PAIR)
    _passed(con, key)
    return ws


def verify_passphrase(
    con: store.Connection, workspace_id: int, phrase: str, *, clock: Clock | None = None
) -> None:
    """Check a workspace's current passphrase (before changing it), throttled like `unlock`."""
    now = access._now(clock)
    key = name_key(store.get_workspace_by_id(con, workspace_id).name)  # the lock screen's count
    with _slot():
        _gate(con, key, now)
        opened = _matches(phrase, _hash_row(con, workspace_id))
    if not opened:
        log.warning("wrong current passphrase: workspace %s at %s", workspace_id, _stamp(now))
        raise AccessDenied("That is not the current passphrase. Check for typing mistakes.")
    _passed(con, key)


def create_protected_workspace(con: store.Connection, name: str, phrase: str) -> store.Workspace:
    """A new workspace that has its passphrase from the start (no credential asked: for the
    owner of a normal server and for `create_shared_workspace` once it has checked one)."""
    check_strength(phrase)  # before anything is written
    with store.transaction(con) as tx:  # one write: never a workspace without its passphrase
        ws = store.create_workspace(tx, name)
        set_passphrase(tx, ws.id, phrase)
    return ws


# ---------------------------------------------------------------- the admin secret


def set_admin_passphrase(con: store.Connection, phrase: str) -> None:
    """Keep (a scrypt hash of) the server's admin secret, replacing any earlier one."""
    check_strength(phrase)
    with store.transaction(con) as tx:
        tx.execute(
            """INSERT INTO admin_passphrase (id, salt, hash, n, r, p, set_at)
            VALUES (1, $salt, $hash, $n, $r, $p, current_localtimestamp())
            ON CONFLICT (id) DO UPDATE SET salt = excluded.salt, hash = excluded.hash,
              n = excluded.n, r = excluded.r, p = excluded.p, set_at = excluded.set_at""",
            _new_hash(phrase),
        )


def clear_admin_passphrase(con: store.Connection) -> None:
    with store.transaction(con) as tx:
        tx.execute("DELETE FROM admin_passphrase")


def admin_passphrase_set_at(con: store.Connection) -> datetime | None:
    rows = con.cursor().execute("SELECT set_at FROM admin_passphrase").fetchall()
    return rows[0][0] if rows else None


@lru_cache(maxsize=1)
def _env_admin_hash(value: str) -> tuple[bytes, bytes, int, int, int]:
    # Hashed once per process with a salt of its own, then checked like a stored one.
    return _hashed(value)


def _env_admin() -> str | None:
    value = os.environ.get(ADMIN_ENV, "")
    if not value.strip():
        return None
    if len(value) < MIN_LENGTH:
        log.warning("%s is shorter than %s characters: ignored", ADMIN_ENV, MIN_LENGTH)
        return None
    return value


def admin_in_environment() -> bool:
    """Is a usable admin secret set in the environment (OPENING_DAY_ADMIN_PASSPHRASE)?"""
    return _env_admin() is not None


def admin_configured(con: store.Connection) -> bool:
    """Is there an admin secret (in the environment or in the store) to start businesses with?"""
    return admin_in_environment() or admin_passphrase_set_at(con) is not None


def _admin_matches(con: store.Connection, secret: str) -> bool:
    """One scrypt per admin secret there is (environment, store), or one against the dummy."""
    stored = con.cursor().execute("SELECT salt, hash, n, r, p FROM admin_passphrase").fetchall()
    rows: list[tuple[Any, ...] | None] = [tuple(r) for r in stored]
    env = _env_admin()
    if env is not None:
        rows.append(_env_admin_hash(env))
    return any([_matches(secret, row) for row in rows or [None]])


def _admin_try(con: store.Connection, secret: str, now: float) -> None:
    """One throttled try at the admin secret; AccessDenied when it is wrong. The caller clears
    the count (`_passed`) once what the secret opens is done."""
    with _slot():
        _gate(con, ADMIN_KEY, now)
        opened = _admin_matches(con, secret)
    if not opened:
        log.warning("wrong admin secret at %s", _stamp(now))
        raise AccessDenied(WRONG_CREDENTIAL)


def check_admin(con: store.Connection, secret: str, *, clock: Clock | None = None) -> None:
    """Accept the admin secret (environment or store), throttled; else AccessDenied."""
    _admin_try(con, secret, access._now(clock))
    _passed(con, ADMIN_KEY)
