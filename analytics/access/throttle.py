"""The server-wide throttle on wrong tries: counted in the store per target, so every browser
session sees the same count and a restart forgets nothing.

After FREE_TRIES tries in a row that opened nothing, the next one waits 2 s, then 4, 8, 16 …
up to MAX_WAIT; a right answer clears the count.
"""

from __future__ import annotations

import math

from analytics import access, store
from analytics.access import Clock, TryLater, _stamp, log

FREE_TRIES = 3  # tries in a row before the first wait
MAX_WAIT = 15 * 60  # seconds: the longest wait between two tries
FORGET_AFTER = 24 * 3600  # a count with no try for this long starts again from zero


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
    return max(0, math.ceil(float(rows[0][0]) - access._now(clock))) if rows else 0


def clear_throttle(con: store.Connection, keys: list[str] | None = None) -> int:
    """Forget the counts of wrong tries at these keys (None: every key); returns how many."""
    where, params = ("WHERE list_contains($k, key)", {"k": keys}) if keys is not None else ("", {})
    with store.transaction(con) as tx:
        n = tx.execute(f"SELECT count(*) FROM access_attempts {where}", params).fetchall()[0][0]
        tx.execute(f"DELETE FROM access_attempts {where}", params)
    return int(n)
