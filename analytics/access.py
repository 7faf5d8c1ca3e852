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
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import os
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal, TypeVar

from analytics import store
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

FREE_TRIES = 3  # tries in a row before the first wait
MAX_WAIT = 15 * 60  # seconds: the longest wait between two tries
FORGET_AFTER = 24 * 3600  # a count with no try for this long starts again from zero
SCRYPT_SLOTS = 2  # hashes computed at once in this process
SCRYPT_QUEUE_SECONDS = 10.0  # how long a try waits for a free slot before "server busy"

INVITATION_DAYS = 7
MAX_INVITATION_DAYS = 90
CODE_PREFIX = "od-inv-"  # tells a code from an admin secret typed in the same box

ADMIN_KEY = "admin"
INVITATION_KEY = "invitation"

InvitationKind = Literal["workspace", "group"]
Clock = Callable[[], float]
R = TypeVar("R")

log = logging.getLogger("opening_day.access")

WRONG_PAIR = (
    "That business name and passphrase do not open a business on this server. Check both for "
    "typing mistakes (the name is written exactly as when the business was started) and try again."
)
WRONG_CREDENTIAL = (
    "That is not a valid invitation code or admin secret. An invitation code starts with "
    f"'{CODE_PREFIX}': copy it again from the message you were sent."
)
NOT_A_MEMBER = (
    "This business is not a member of that peer group (or there is no such group here). "
    "Ask a member for an invitation code."
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


def _new_hash(phrase: str) -> dict[str, Any]:
    salt = secrets.token_bytes(SALT_BYTES)
    with _slot():
        digest = _derive(phrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return {"salt": salt, "hash": digest, "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P}


def _matches(phrase: str, row: tuple[Any, ...] | None) -> bool:
    """Run scrypt for (salt, hash, n, r, p) — against the dummy when row is None (never True)."""
    salt, expected, n, r, p = row if row is not None else (*_DUMMY, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    same = hmac.compare_digest(_derive(phrase, bytes(salt), n, r, p), bytes(expected))
    return same and row is not None


def _now(clock: Clock | None) -> float:
    return clock() if clock is not None else time.time()


def _stamp(now: float) -> str:
    return datetime.fromtimestamp(now).isoformat(timespec="seconds")


# ---------------------------------------------------------------- the throttle


def wait_after(tries: int) -> int:
    """Seconds to wait after `tries` tries in a row that opened nothing: none for the first
    FREE_TRIES - 1, then 2, 4, 8 … capped at MAX_WAIT."""
    if tries < FREE_TRIES:
        return 0
    return int(min(MAX_WAIT, 2 ** (tries - FREE_TRIES + 1)))


def name_key(name: str) -> str:
    """The count of wrong tries at a business name, whether a business has it or not: the same
    key for any spelling that differs only in case or spacing, so that retyping a name in
    another case never shows, by a fresh count, that the first spelling exists."""
    return "name:" + " ".join(name.split()).casefold()


def _gate(con: store.Connection, key: str, now: float) -> None:
    """Count a try at `key` before it is checked, or refuse it while the key must wait.

    Counting first means tries that arrive together cannot all slip through before the first
    one fails; a try that turns out right clears the count (`_passed`).
    """
    with store.transaction(con) as tx:
        rows = tx.execute(
            "SELECT failures, last_try, wait_until FROM access_attempts WHERE key = $k",
            {"k": key},
        ).fetchall()
        tries = 0
        if rows:
            tries, last_try, wait_until = int(rows[0][0]), float(rows[0][1]), float(rows[0][2])
            if now < wait_until:
                raise TryLater(max(1, math.ceil(wait_until - now)))
            if now - last_try > FORGET_AFTER:
                tries = 0
        tries += 1
        tx.execute(
            "INSERT INTO access_attempts (key, failures, last_try, wait_until) "
            "VALUES ($k, $f, $t, $w) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, "
            "last_try = excluded.last_try, wait_until = excluded.wait_until",
            {"k": key, "f": tries, "t": now, "w": now + wait_after(tries)},
        )
        # Names nobody has would pile up: forget counts nobody has touched for a day.
        tx.execute(
            "DELETE FROM access_attempts WHERE last_try < $old AND wait_until <= $now",
            {"old": now - FORGET_AFTER, "now": now},
        )
    if wait_after(tries):
        log.warning(
            "throttle: %s waits %s s after %s tries (%s)",
            key,
            wait_after(tries),
            tries,
            _stamp(now),
        )


def _passed(con: store.Connection, key: str) -> None:
    with store.transaction(con) as tx:
        tx.execute("DELETE FROM access_attempts WHERE key = $k", {"k": key})


def seconds_to_wait(con: store.Connection, key: str, *, clock: Clock | None = None) -> int:
    """How long the next try at `key` must wait (0: it may try now)."""
    rows = (
        con.cursor()
        .execute("SELECT wait_until FROM access_attempts WHERE key = $k", {"k": key})
        .fetchall()
    )
    return max(0, math.ceil(float(rows[0][0]) - _now(clock))) if rows else 0


def clear_throttle(con: store.Connection, keys: list[str] | None = None) -> int:
    """Forget the counts of wrong tries at these keys (None: every key); returns how many."""
    where, params = ("WHERE list_contains($k, key)", {"k": keys}) if keys is not None else ("", {})
    with store.transaction(con) as tx:
        n = tx.execute(f"SELECT count(*) FROM access_attempts {where}", params).fetchall()[0][0]
        tx.execute(f"DELETE FROM access_attempts {where}", params)
    return int(n)


# ---------------------------------------------------------------- workspace passphrases


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
    now = _now(clock)
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
    now = _now(clock)
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
    ws = store.create_workspace(con, name)
    try:
        set_passphrase(con, ws.id, phrase)
    except BaseException:
        store.delete_workspace(con, ws.name)
        raise
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
    salt = secrets.token_bytes(SALT_BYTES)
    return salt, _derive(value, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P), SCRYPT_N, SCRYPT_R, SCRYPT_P


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


def check_admin(con: store.Connection, secret: str, *, clock: Clock | None = None) -> None:
    """Accept the admin secret (environment or store), throttled; else AccessDenied."""
    now = _now(clock)
    with _slot():
        _gate(con, ADMIN_KEY, now)
        opened = _admin_matches(con, secret)
    if not opened:
        log.warning("wrong admin secret at %s", _stamp(now))
        raise AccessDenied(WRONG_CREDENTIAL)
    _passed(con, ADMIN_KEY)


# ---------------------------------------------------------------- invitations


@dataclass(frozen=True)
class Invitation:
    """An invitation as its maker sees it: everything but the code, which only its hash keeps."""

    id: int
    kind: InvitationKind  # workspace: start a new business; group: join one peer group
    group_id: int | None
    made_by: int | None  # the workspace that made it; None: the server's admin
    note: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by: int | None  # the workspace created with it, or that joined the group
    revoked_at: datetime | None

    def state(self, now: datetime | None = None) -> str:
        """'open', 'used', 'revoked' or 'expired'."""
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or datetime.now()):
            return "expired"
        return "open"


_INVITATION_COLUMNS = (
    "id, kind, group_id, workspace_id, note, created_at, expires_at, used_at, used_by, revoked_at"
)


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


def looks_like_code(text: str) -> bool:
    return text.strip().startswith(CODE_PREFIX)


def _invitations(con: store.Connection, where: str, params: dict[str, Any]) -> list[Invitation]:
    rows = (
        con.cursor()
        .execute(
            f"SELECT {_INVITATION_COLUMNS} FROM invitations WHERE {where} "
            "ORDER BY created_at DESC, id DESC",
            params,
        )
        .fetchall()
    )
    return [Invitation(*r) for r in rows]


def is_member(con: store.Connection, group_id: int, workspace_id: int) -> bool:
    """Does this workspace belong to the peer group? (The one membership test both this module
    and analytics.peers rely on.)"""
    rows = (
        con.cursor()
        .execute(
            "SELECT 1 FROM peer_members WHERE group_id = $g AND workspace_id = $w",
            {"g": group_id, "w": workspace_id},
        )
        .fetchall()
    )
    return bool(rows)


def create_invitation(
    con: store.Connection,
    *,
    by: int | None,
    group_id: int | None = None,
    days: int = INVITATION_DAYS,
    note: str = "",
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """A new single-use invitation and its code (returned this once, never kept).

    Without `group_id` it lets someone start a new business here; `by` is the workspace that
    invites (None: the admin). With `group_id` it lets an existing business join that peer
    group, and only a member (`by`) may make it.
    """
    if not 1 <= int(days) <= MAX_INVITATION_DAYS:
        raise AccessError(f"An invitation lasts between 1 and {MAX_INVITATION_DAYS} days.")
    if by is not None:
        store.get_workspace_by_id(con, by)
    if group_id is not None and (by is None or not is_member(con, group_id, by)):
        raise AccessDenied(
            "Only a member of a peer group can invite a business into it."
            if by is None
            else NOT_A_MEMBER
        )
    when = (now or datetime.now()).replace(microsecond=0)
    code = CODE_PREFIX + secrets.token_urlsafe(16)
    with store.transaction(con) as tx:
        row = tx.execute(
            "INSERT INTO invitations (code_hash, kind, group_id, workspace_id, note, created_at, "
            "expires_at) VALUES ($h, $k, $g, $w, $n, $c, $e) RETURNING id",
            {
                "h": _code_hash(code),
                "k": "group" if group_id is not None else "workspace",
                "g": group_id,
                "w": by,
                "n": " ".join(note.split())[:200],
                "c": when,
                "e": when + timedelta(days=int(days)),
            },
        ).fetchall()
    (made,) = _invitations(con, "id = $i", {"i": int(row[0][0])})
    return made, code


def list_invitations(
    con: store.Connection, *, by: int | None, group_id: int | None = None, everyone: bool = False
) -> list[Invitation]:
    """The invitations `by` made (None: the admin's), newest first, optionally for one group;
    `everyone` lists every invitation on the server (the command line's admin view)."""
    clauses, params = [], {}
    if not everyone:
        clauses.append("workspace_id IS NOT DISTINCT FROM $by")
        params["by"] = by
    if group_id is not None:
        clauses.append("group_id = $g")
        params["g"] = group_id
    return _invitations(con, " AND ".join(clauses) or "true", params)


def revoke_invitation(
    con: store.Connection, invitation_id: int, *, by: int | None, now: datetime | None = None
) -> Invitation:
    """Turn an unused invitation off for good. Its maker may; so may the admin (by=None)."""
    found = _invitations(con, "id = $i", {"i": invitation_id})
    if not found or (by is not None and found[0].made_by != by):
        raise AccessDenied(f"No invitation {invitation_id} made by this business.")
    inv = found[0]
    if inv.used_at is not None:
        raise AccessError(f"Invitation {invitation_id} was already used; there is nothing to stop.")
    if inv.revoked_at is None:
        with store.transaction(con) as tx:
            tx.execute(
                "UPDATE invitations SET revoked_at = $t WHERE id = $i",
                {"t": (now or datetime.now()).replace(microsecond=0), "i": invitation_id},
            )
    return _invitations(con, "id = $i", {"i": invitation_id})[0]


def _open_invitation(
    con: store.Connection, code: str, kind: InvitationKind, when: datetime, at: float
) -> Invitation:
    """The open invitation of this kind behind `code`; AccessDenied says what is wrong."""
    found = _invitations(con, "code_hash = $h", {"h": _code_hash(code)}) if code.strip() else []
    if not found:
        log.warning("unknown invitation code at %s", _stamp(at))
        raise AccessDenied(WRONG_CREDENTIAL)
    inv = found[0]
    state = inv.state(when)
    if state != "open":
        said = {
            "used": "was already used",
            "revoked": "was withdrawn by whoever made it",
            "expired": f"expired on {inv.expires_at:%Y-%m-%d}",
        }[state]
        raise AccessDenied(f"That invitation {said}. Ask for a new one.")
    if inv.kind != kind:
        raise AccessDenied(
            "That code invites an existing business into a peer group: open your business "
            "first, then use it on the Peers page."
            if inv.kind == "group"
            else "That code is for starting a new business on this server, not for joining a "
            "peer group."
        )
    return inv


def _claim(tx: store.Connection, invitation_id: int, used_by: int, when: datetime) -> bool:
    """Mark an invitation used, unless someone used it a moment earlier (then False)."""
    rows = tx.execute(
        "UPDATE invitations SET used_at = $t, used_by = $u WHERE id = $i AND used_at IS NULL "
        "AND revoked_at IS NULL AND expires_at > $t RETURNING id",
        {"t": when.replace(microsecond=0), "u": used_by, "i": invitation_id},
    ).fetchall()
    return bool(rows)


def create_shared_workspace(
    con: store.Connection,
    name: str,
    phrase: str,
    credential: str,
    *,
    clock: Clock | None = None,
    now: datetime | None = None,
) -> store.Workspace:
    """Start a new business on a shared server, with its passphrase from the start.

    `credential` is a workspace invitation code (spent by this) or the admin secret; both are
    throttled. A name already taken is refused after the credential is checked, and counts
    as a wrong try, so an invitation cannot be used to list the names on the server.
    """
    check_strength(phrase)
    at = _now(clock)
    when = now or datetime.now()
    invitation: Invitation | None = None
    if looks_like_code(credential):
        key = INVITATION_KEY
        _gate(con, key, at)
        invitation = _open_invitation(con, credential, "workspace", when, at)
    else:
        key = ADMIN_KEY
        with _slot():
            _gate(con, key, at)
            opened = _admin_matches(con, credential)
        if not opened:
            log.warning("wrong admin secret at %s", _stamp(at))
            raise AccessDenied(WRONG_CREDENTIAL)
    ws = create_protected_workspace(con, name, phrase)
    if invitation is not None:
        with store.transaction(con) as tx:
            claimed = _claim(tx, invitation.id, ws.id, when)
        if not claimed:
            store.delete_workspace(con, ws.name)
            raise AccessDenied("That invitation was used a moment ago. Ask for a new one.")
    _passed(con, key)
    return ws


def redeem_group_invitation(
    con: store.Connection,
    code: str,
    workspace_id: int,
    join: Callable[[store.Connection, int], R],
    *,
    clock: Clock | None = None,
    now: datetime | None = None,
) -> R:
    """Use a group invitation for a workspace: `join(tx, group_id)` adds the membership in the
    transaction that spends the code, so a code is spent exactly when someone joins."""
    at = _now(clock)
    when = now or datetime.now()
    _gate(con, INVITATION_KEY, at)
    inv = _open_invitation(con, code, "group", when, at)
    assert inv.group_id is not None
    with store.transaction(con) as tx:
        if not _claim(tx, inv.id, workspace_id, when):
            raise AccessDenied("That invitation was used a moment ago. Ask for a new one.")
        result = join(tx, inv.group_id)
    _passed(con, INVITATION_KEY)
    return result
