"""Workspace passphrases: who may open a business on a shared server.

A passphrase is never stored, logged or returned: only a scrypt hash of it, with its
random salt and the cost parameters (n, r, p) it was made with, so the cost can be
raised later without locking anyone out (old hashes are checked with their own cost).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import unicodedata
from datetime import datetime

from analytics import store
from analytics.errors import AccessError

SHARED_ENV = "OPENING_DAY_SHARED"
MIN_LENGTH = 10
# scrypt cost: about 16 MiB of memory and a few tens of milliseconds per try on a small server.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32


def shared_mode() -> bool:
    """True when this server was started for several businesses (OPENING_DAY_SHARED=1/true/yes)."""
    return os.environ.get(SHARED_ENV, "").strip().lower() in {"1", "true", "yes"}


def check_strength(phrase: str) -> None:
    """Refuse a passphrase too short to resist guessing; says what is required."""
    if not phrase.strip():
        raise AccessError(
            f"A passphrase cannot be only spaces: use at least {MIN_LENGTH} characters, "
            "for example four unrelated words."
        )
    if len(phrase) < MIN_LENGTH:
        raise AccessError(
            f"That passphrase is too short ({len(phrase)} characters): use at least "
            f"{MIN_LENGTH}, for example four unrelated words."
        )


def _derive(phrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # NFC: the same phrase typed on two keyboards (composed or decomposed accents) matches.
    secret = unicodedata.normalize("NFC", phrase).encode("utf-8")
    return hashlib.scrypt(
        secret, salt=salt, n=n, r=r, p=p, maxmem=max(64 * 2**20, 256 * n * r * p), dklen=HASH_BYTES
    )


def set_passphrase(con: store.Connection, workspace_id: int, phrase: str) -> None:
    """Protect a workspace with `phrase` (replacing any earlier one)."""
    check_strength(phrase)
    store.get_workspace_by_id(con, workspace_id)  # an unknown workspace says so
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _derive(phrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    with store.transaction(con) as tx:
        tx.execute(
            """INSERT INTO workspace_passphrases (workspace_id, salt, hash, n, r, p, set_at)
            VALUES ($w, $salt, $hash, $n, $r, $p, current_localtimestamp())
            ON CONFLICT (workspace_id) DO UPDATE SET salt = excluded.salt,
              hash = excluded.hash, n = excluded.n, r = excluded.r, p = excluded.p,
              set_at = excluded.set_at""",
            {
                "w": workspace_id,
                "salt": salt,
                "hash": digest,
                "n": SCRYPT_N,
                "r": SCRYPT_R,
                "p": SCRYPT_P,
            },
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


def check_passphrase(con: store.Connection, workspace_id: int, phrase: str) -> bool:
    """True only when `phrase` is the workspace's passphrase (False when it has none)."""
    rows = (
        con.cursor()
        .execute(
            "SELECT salt, hash, n, r, p FROM workspace_passphrases WHERE workspace_id = $w",
            {"w": workspace_id},
        )
        .fetchall()
    )
    if not rows:
        return False
    salt, expected, n, r, p = rows[0]
    return hmac.compare_digest(_derive(phrase, bytes(salt), n, r, p), bytes(expected))


def create_protected_workspace(con: store.Connection, name: str, phrase: str) -> store.Workspace:
    """A new workspace that has its passphrase from the start (for shared servers)."""
    check_strength(phrase)  # before anything is written
    ws = store.create_workspace(con, name)
    try:
        set_passphrase(con, ws.id, phrase)
    except BaseException:
        store.delete_workspace(con, ws.name)
        raise
    return ws
