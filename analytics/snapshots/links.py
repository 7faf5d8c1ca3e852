"""Snapshot links kept in the store: make one, list, change its expiry, revoke it, copy it
again, and resolve a token to what the link shows.

Every lookup by token is by its SHA-256, and every one that fails for any reason (malformed,
unknown, revoked, expired) returns the same None.
"""

from __future__ import annotations

import hmac
import json
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from analytics import format as fmt
from analytics import store
from analytics.errors import SnapshotError
from analytics.snapshots.blocks import check_blocks
from analytics.snapshots.model import (
    ANONYMOUS,
    MAX_AUTHOR,
    MAX_EXPIRY_DAYS,
    MAX_TITLE,
    PAGES,
    PAYLOAD_VERSION,
    Frozen,
    Snapshot,
)
from analytics.snapshots.tokens import SALT_BYTES, _key, derive_token, token_hash, well_formed
from analytics.store import Connection
from analytics.store.rows import row_by_id

_COLUMNS = (
    "id, workspace_id, page, title, shown_name, author, as_of, created_at, expires_at, revoked_at, "
    "token_salt IS NOT NULL"
)


def _snapshot(row: tuple[Any, ...]) -> Snapshot:
    return Snapshot(*row)


def create(
    con: Connection,
    workspace_id: int,
    page: str,
    blocks: list[dict[str, Any]],
    *,
    title: str = "",
    author: str = "",
    anonymous: bool = False,
    expires_days: int | None = None,
    as_of: date | None = None,
    now: datetime | None = None,
) -> tuple[Snapshot, str]:
    """Freeze `blocks` (what page `page` shows) and return the snapshot and its token.

    The token is returned once; the store keeps its salt and its hash (see the module). The
    key file is read (or made) first, so a damaged one stops here with nothing written.
    """
    if page not in PAGES:
        raise SnapshotError(f"Unknown page {page!r}: snapshots can be made of {', '.join(PAGES)}.")
    ws = store.get_workspace_by_id(con, workspace_id)
    title = " ".join(str(title).split()) or (
        f"{PAGES[page]} as of {fmt.day(as_of)}" if as_of else PAGES[page]
    )
    if len(title) > MAX_TITLE:
        raise SnapshotError(f"The title is {len(title)} characters; keep it to {MAX_TITLE}.")
    author = " ".join(str(author).split())
    if len(author) > MAX_AUTHOR:
        raise SnapshotError(f"The author is {len(author)} characters; keep it to {MAX_AUTHOR}.")
    if expires_days is not None and not (1 <= int(expires_days) <= MAX_EXPIRY_DAYS):
        raise SnapshotError(
            f"A link can expire after 1 to {MAX_EXPIRY_DAYS} days; got {expires_days}."
        )
    content = check_blocks(blocks)
    made = (now or datetime.now()).replace(microsecond=0)
    expires = made + timedelta(days=int(expires_days)) if expires_days else None
    shown_name = ANONYMOUS if anonymous else (ws.display_name or ws.name)
    key = _key(con, make=True)
    assert key is not None
    salt = secrets.token_bytes(SALT_BYTES)
    token = derive_token(key, salt)
    payload = json.dumps(
        {"version": PAYLOAD_VERSION, "page": page, "blocks": content},
        allow_nan=False,
        separators=(",", ":"),
    )
    with store.transaction(con) as tx:
        row = tx.execute(
            f"""INSERT INTO snapshots (workspace_id, token_hash, token_salt, page, title,
                  shown_name, author, as_of, created_at, expires_at, payload)
                VALUES ($w, $h, $s, $p, $t, $n, $a, $d, $c, $e, $payload)
                RETURNING {_COLUMNS}""",
            {
                "w": workspace_id,
                "h": token_hash(token),
                "s": salt,
                "p": page,
                "t": title,
                "n": shown_name,
                "a": author,
                "d": as_of,
                "c": made,
                "e": expires,
                "payload": payload,
            },
        ).fetchall()[0]
    return _snapshot(row), token


def list_snapshots(con: Connection, workspace_id: int) -> list[Snapshot]:
    """A workspace's snapshots, newest first."""
    rows = (
        con.cursor()
        .execute(
            f"SELECT {_COLUMNS} FROM snapshots WHERE workspace_id = $w ORDER BY created_at DESC, id DESC",
            {"w": workspace_id},
        )
        .fetchall()
    )
    return [_snapshot(r) for r in rows]


def get(con: Connection, workspace_id: int, snapshot_id: int) -> Snapshot:
    missing = SnapshotError(f"There is no snapshot {snapshot_id} in this workspace.")
    return _snapshot(
        row_by_id(con.cursor(), "snapshots", _COLUMNS, workspace_id, snapshot_id, missing)
    )


def find(con: Connection, snapshot_id: int) -> Snapshot:
    """A snapshot by id in any workspace (the CLI names snapshots by id alone)."""
    rows = (
        con.cursor()
        .execute(f"SELECT {_COLUMNS} FROM snapshots WHERE id = $i", {"i": snapshot_id})
        .fetchall()
    )
    if not rows:
        raise SnapshotError(f"There is no snapshot {snapshot_id}.")
    return _snapshot(rows[0])


def revoke(
    con: Connection, workspace_id: int, snapshot_id: int, now: datetime | None = None
) -> Snapshot:
    """Turn a link off for good (its content stays, for the owner's own record)."""
    snap = get(con, workspace_id, snapshot_id)
    if snap.revoked_at is not None:
        return snap
    with store.transaction(con) as tx:
        tx.execute(
            "UPDATE snapshots SET revoked_at = $t WHERE id = $i",
            {"t": (now or datetime.now()).replace(microsecond=0), "i": snapshot_id},
        )
    return get(con, workspace_id, snapshot_id)


def set_expiry(
    con: Connection,
    workspace_id: int,
    snapshot_id: int,
    expires_at: datetime | None,
    now: datetime | None = None,
) -> Snapshot:
    """Change when a link stops working (None: never). A revoked link stays revoked."""
    snap = get(con, workspace_id, snapshot_id)
    if snap.revoked_at is not None:
        raise SnapshotError(f"“{snap.title}” is revoked; make a new snapshot instead.")
    if expires_at is not None and expires_at <= (now or datetime.now()):
        raise SnapshotError("That expiry is in the past: to turn the link off now, revoke it.")
    with store.transaction(con) as tx:
        tx.execute(
            "UPDATE snapshots SET expires_at = $e WHERE id = $i",
            {"e": expires_at, "i": snapshot_id},
        )
    return get(con, workspace_id, snapshot_id)


def token_of(con: Connection, snap: Snapshot) -> str | None:
    """The snapshot's token again, for the owner to copy: derived anew from the key file and
    the link's salt, and given only if it is the token whose hash the store holds.

    None when it cannot be had: a link made before schema 8 (`copyable` is False), no key file
    beside the store (a copy of the store alone), or another store's key. A key file of the
    wrong length raises SnapshotError saying what to do.
    """
    rows = (
        con.cursor()
        .execute("SELECT token_salt, token_hash FROM snapshots WHERE id = $i", {"i": snap.id})
        .fetchall()
    )
    if not rows or rows[0][0] is None:
        return None
    key = _key(con, make=False)
    if key is None:
        return None
    token = derive_token(key, bytes(rows[0][0]))
    return token if hmac.compare_digest(token_hash(token), rows[0][1]) else None


def _content(con: Connection, snapshot_id: int) -> list[dict[str, Any]]:
    rows = (
        con.cursor()
        .execute("SELECT payload FROM snapshots WHERE id = $i", {"i": snapshot_id})
        .fetchall()
    )
    payload = json.loads(rows[0][0])
    return list(payload.get("blocks", []))


def frozen(con: Connection, workspace_id: int, snapshot_id: int) -> Frozen:
    """A workspace's own snapshot with its content, whatever its state (for export)."""
    snap = get(con, workspace_id, snapshot_id)
    return Frozen(snap, _content(con, snap.id))


def resolve(con: Connection, token: object, now: datetime | None = None) -> Frozen | None:
    """What a link shows, or None: malformed, unknown, revoked and expired are all None.

    A malformed token never reaches the store; a well-formed one is looked up by its hash,
    in one query against the snapshots table and nothing else.
    """
    if not well_formed(token):
        return None
    assert isinstance(token, str)
    rows = (
        con.cursor()
        .execute(
            f"SELECT {_COLUMNS}, payload FROM snapshots WHERE token_hash = $h",
            {"h": token_hash(token)},
        )
        .fetchall()
    )
    if not rows:
        return None
    snap = _snapshot(rows[0][:-1])
    if snap.state(now) != "live":
        return None
    return Frozen(snap, list(json.loads(rows[0][-1]).get("blocks", [])))
