"""A link's token: HMAC-SHA256 under the store's snapshot key of a random salt per link.

The 32-byte key lives in a file beside the store (`<store>.snapshot-key`, owner-only, written
atomically); an in-memory store has one key per process. The store keeps only each link's
salt and the SHA-256 of its token, so a copy of the store without its key file holds no
working link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import threading
from pathlib import Path

from analytics.errors import SnapshotError
from analytics.store import Connection

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # 32 bytes in URL-safe base64, unpadded
KEY_BYTES = 32
SALT_BYTES = 16
TOKEN_LABEL = b"opening-day snapshot v1"  # a new way to derive tokens gets a new label
_MEMORY_KEY = secrets.token_bytes(KEY_BYTES)  # an in-memory store lives as long as the process
_KEY_LOCK = threading.Lock()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: object) -> bool:
    return isinstance(token, str) and TOKEN_SHAPE.fullmatch(token) is not None


def key_file(con: Connection) -> Path | None:
    """Where this store's snapshot key lives (`<store>.snapshot-key`); None in memory."""
    rows = (
        con.cursor()
        .execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
        .fetchall()
    )
    path = rows[0][0] if rows else None
    return Path(f"{path}.snapshot-key") if path else None


def _read_key(path: Path) -> bytes | None:
    """The key in `path` (None if there is no such file); any other length is an error."""
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SnapshotError(
            f"The snapshot key {path} cannot be read ({exc.strerror or exc}): give the owner of "
            "the store read access to it, or restore it from a backup."
        ) from None
    if len(key) != KEY_BYTES:
        raise SnapshotError(
            f"The snapshot key {path} is damaged ({len(key)} bytes, not {KEY_BYTES}): restore it "
            "from a backup, or delete it to make new links (links made before then still open, "
            "but can no longer be copied again)."
        )
    return key


def _write_key(path: Path) -> bytes:
    """A new random key in `path`, all or nothing: written owner-only to a temporary file
    beside it, flushed to disk, then renamed into place (a crash leaves the old state or the
    whole key, never a short one)."""
    key = secrets.token_bytes(KEY_BYTES)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(key)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the rename itself survives a power cut
        finally:
            os.close(dir_fd)
    except OSError as exc:
        raise SnapshotError(
            f"The snapshot key {path} cannot be written ({exc.strerror or exc}): check that the "
            "folder of the store is writable and the disk is not full, then try again."
        ) from None
    return key


def _key(con: Connection, *, make: bool) -> bytes | None:
    """This store's key: read from the file beside it; made there first if `make` and there
    is none yet (the one in-memory key serves in-memory stores). A damaged key file raises
    SnapshotError, never silently becomes a new key."""
    path = key_file(con)
    if path is None:
        return _MEMORY_KEY
    with _KEY_LOCK:  # one writer per store file (DuckDB's own lock) and, here, per process
        key = _read_key(path)
        if key is None and make:
            key = _write_key(path)
    return key


def derive_token(key: bytes, salt: bytes) -> str:
    """A link's token: HMAC-SHA256 under the store's key of a label and the link's random
    salt, in URL-safe base64 (43 characters). Without the key, salt and hash give nothing."""
    mac = hmac.new(key, TOKEN_LABEL + salt, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def link(base_url: str, token: str) -> str:
    """The address to share: `<base>/?snapshot=TOKEN`."""
    return f"{base_url.strip().rstrip('/')}/?snapshot={token}"
