"""The pack log: every review pack made (workspace, when, the days it covered, its pages,
format and the file's SHA-256), and the day the last one ran to, the default "since" of the
next when no review session came in between."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from analytics.store import Connection, transaction


@dataclass(frozen=True)
class Made:
    id: int
    workspace_id: int
    made_at: datetime
    as_of: date
    since: date
    pages: tuple[str, ...]
    format: str
    sha256: str


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record(
    con: Connection,
    workspace_id: int,
    *,
    as_of: date,
    since: date,
    pages: list[str],
    format_: str,
    data: bytes,
    made_at: datetime | None = None,
) -> Made:
    """Note one pack made; returns its row."""
    with transaction(con) as tx:
        row = (
            tx.cursor()
            .execute(
                """INSERT INTO packs (workspace_id, made_at, as_of, since, pages, format, sha256)
                VALUES ($w, coalesce($at, current_localtimestamp()), $as_of, $since, $pages,
                        $format, $sha)
                RETURNING id, made_at""",
                {
                    "w": workspace_id,
                    "at": made_at,
                    "as_of": as_of,
                    "since": since,
                    "pages": ",".join(pages),
                    "format": format_,
                    "sha": digest(data),
                },
            )
            .fetchall()[0]
        )
    return Made(row[0], workspace_id, row[1], as_of, since, tuple(pages), format_, digest(data))


def last_made(con: Connection, workspace_id: int) -> date | None:
    """The day the workspace's last pack ran to (its as-of day; None before the first): the
    next pack compares with what that one showed, whenever it was made."""
    rows = (
        con.cursor()
        .execute(
            """SELECT as_of FROM packs WHERE workspace_id = $w
            ORDER BY made_at DESC, id DESC LIMIT 1""",
            {"w": workspace_id},
        )
        .fetchall()
    )
    return pd.Timestamp(rows[0][0]).date() if rows else None


def history(con: Connection, workspace_id: int) -> list[Made]:
    """The workspace's packs, newest first."""
    rows = (
        con.cursor()
        .execute(
            """SELECT id, workspace_id, made_at, as_of, since, pages, format, sha256
            FROM packs WHERE workspace_id = $w ORDER BY made_at DESC, id DESC""",
            {"w": workspace_id},
        )
        .fetchall()
    )
    return [
        Made(r[0], r[1], r[2], r[3], r[4], tuple(p for p in r[5].split(",") if p), r[6], r[7])
        for r in rows
    ]
