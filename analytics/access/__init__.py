"""Who may open or start a business on a shared server: passphrases, the admin secret,
invitation codes, and the server-wide throttle on wrong tries.

No secret is ever stored, logged or returned. A workspace passphrase and the admin secret are
kept as scrypt hashes with their random salt and cost (n, r, p), so the cost can be raised
later without locking anyone out; an invitation code (about 130 random bits, far too many to
guess) as its SHA-256.

Every typed secret passes `_gate` first: wrong tries are counted in the store per target (a
workspace, a name nobody has, the admin secret, invitation codes), so the count is the same
for every browser session and survives a restart. After FREE_TRIES tries in a row that did
not open anything, the next one waits 2 s, then 4, 8, 16 … up to MAX_WAIT; a right answer
clears the count. At most SCRYPT_SLOTS hashes run at once; a try that finds no slot within
SCRYPT_QUEUE_SECONDS is told the server is busy and is not counted. Lock order: a scrypt slot
may be taken before the store's write lock, never while holding it.

One module per question: `throttle` (counting wrong tries), `passphrases` (a workspace's
passphrase and the admin secret) and `invitations` (codes to start a business or join a peer
group). What they share lives here: the settings, the errors, the scrypt slots and hashing, and
the clock. The modules read `_derive`, `_now` and the scrypt cost from this package at call
time, so a test that swaps one here changes it everywhere. Everything is reachable as
`access.<name>`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from analytics.errors import AccessDenied, AccessError

SHARED_ENV = "OPENING_DAY_SHARED"
ADMIN_ENV = "OPENING_DAY_ADMIN_PASSPHRASE"
MIN_LENGTH = 10
# scrypt cost: about 16 MiB of memory and a few tens of milliseconds per try on a small server.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
SCRYPT_SLOTS = 2  # hashes computed at once in this process
SCRYPT_QUEUE_SECONDS = 10.0  # how long a try waits for a free slot before "server busy"

CODE_PREFIX = "od-inv-"  # tells a code from an admin secret typed in the same box
# The throttle's counts for the secrets that are not a business's own.
ADMIN_KEY = "admin"
INVITATION_KEY = "invitation"

Clock = Callable[[], float]

log = logging.getLogger("opening_day.access")

WRONG_CREDENTIAL = (
    "That is not a valid invitation code or admin secret. An invitation code starts with "
    f"'{CODE_PREFIX}': copy it again from the message you were sent."
)


class TryLater(AccessDenied):
    """Too many wrong tries at one target: nothing is checked until `seconds` have passed."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        super().__init__(
            f"Too many wrong tries. Wait {seconds} second{'s' if seconds != 1 else ''}, then "
            "try again; each further wrong try doubles the wait (up to 15 minutes)."
        )


class ServerBusy(AccessError):
    """Every scrypt slot stayed taken: the try was not checked, and not counted."""


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


# ---------------------------------------------------------------- hashing


_slots = threading.BoundedSemaphore(SCRYPT_SLOTS)
# Checked against when a name is unknown or has no passphrase, so a wrong pair costs the same
# scrypt either way; a random hash that no phrase can match.
_DUMMY = (secrets.token_bytes(SALT_BYTES), secrets.token_bytes(HASH_BYTES))


@contextmanager
def _slot() -> Iterator[None]:
    if not _slots.acquire(timeout=SCRYPT_QUEUE_SECONDS):
        raise ServerBusy(
            "The server is busy checking other passphrases. Try again in a few seconds."
        )
    try:
        yield
    finally:
        _slots.release()


def _derive(phrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # NFC: the same phrase typed on two keyboards (composed or decomposed accents) matches.
    secret = unicodedata.normalize("NFC", phrase).encode("utf-8")
    return hashlib.scrypt(
        secret, salt=salt, n=n, r=r, p=p, maxmem=max(64 * 2**20, 256 * n * r * p), dklen=HASH_BYTES
    )


def _hashed(phrase: str) -> tuple[bytes, bytes, int, int, int]:
    """(salt, hash, n, r, p) of `phrase` at today's cost with a new random salt; the caller
    holds a scrypt slot."""
    salt = secrets.token_bytes(SALT_BYTES)
    return salt, _derive(phrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P), SCRYPT_N, SCRYPT_R, SCRYPT_P


def _new_hash(phrase: str) -> dict[str, Any]:
    """What the store keeps of a new secret: its salt, hash and cost, as query parameters."""
    with _slot():
        salt, digest, n, r, p = _hashed(phrase)
    return {"salt": salt, "hash": digest, "n": n, "r": r, "p": p}


def _matches(phrase: str, row: tuple[Any, ...] | None) -> bool:
    """Run scrypt for (salt, hash, n, r, p) — against the dummy when row is None (never True)."""
    salt, expected, n, r, p = row if row is not None else (*_DUMMY, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    same = hmac.compare_digest(_derive(phrase, bytes(salt), n, r, p), bytes(expected))
    return same and row is not None


def _now(clock: Clock | None) -> float:
    return clock() if clock is not None else time.time()


def _stamp(now: float) -> str:
    return datetime.fromtimestamp(now).isoformat(timespec="seconds")


# The modules read what is above from this package, so they are imported after it.
from analytics.access.invitations import (  # noqa: E402
    INVITATION_DAYS,
    MAX_INVITATION_DAYS,
    NOT_A_MEMBER,
    Invitation,
    InvitationKind,
    create_invitation,
    create_shared_workspace,
    is_member,
    list_invitations,
    looks_like_code,
    redeem_group_invitation,
    revoke_invitation,
)
from analytics.access.passphrases import (  # noqa: E402
    WRONG_PAIR,
    admin_configured,
    admin_in_environment,
    admin_passphrase_set_at,
    check_admin,
    check_passphrase,
    clear_admin_passphrase,
    clear_passphrase,
    create_protected_workspace,
    has_passphrase,
    passphrase_set_at,
    set_admin_passphrase,
    set_passphrase,
    unlock,
    verify_passphrase,
)
from analytics.access.throttle import (  # noqa: E402
    FORGET_AFTER,
    FREE_TRIES,
    MAX_WAIT,
    clear_throttle,
    name_key,
    seconds_to_wait,
    wait_after,
)

__all__ = [
    "ADMIN_ENV",
    "ADMIN_KEY",
    "CODE_PREFIX",
    "FORGET_AFTER",
    "FREE_TRIES",
    "HASH_BYTES",
    "INVITATION_DAYS",
    "INVITATION_KEY",
    "MAX_INVITATION_DAYS",
    "MAX_WAIT",
    "MIN_LENGTH",
    "NOT_A_MEMBER",
    "SALT_BYTES",
    "SCRYPT_N",
    "SCRYPT_P",
    "SCRYPT_QUEUE_SECONDS",
    "SCRYPT_R",
    "SCRYPT_SLOTS",
    "SHARED_ENV",
    "WRONG_CREDENTIAL",
    "WRONG_PAIR",
    "Clock",
    "Invitation",
    "InvitationKind",
    "ServerBusy",
    "TryLater",
    "admin_configured",
    "admin_in_environment",
    "admin_passphrase_set_at",
    "check_admin",
    "check_passphrase",
    "check_strength",
    "clear_admin_passphrase",
    "clear_passphrase",
    "clear_throttle",
    "create_invitation",
    "create_protected_workspace",
    "create_shared_workspace",
    "has_passphrase",
    "is_member",
    "list_invitations",
    "looks_like_code",
    "name_key",
    "passphrase_set_at",
    "redeem_group_invitation",
    "revoke_invitation",
    "seconds_to_wait",
    "set_admin_passphrase",
    "set_passphrase",
    "shared_mode",
    "unlock",
    "verify_passphrase",
    "wait_after",
]
