"""Snapshot links: a page's figures and charts frozen under an unguessable token, read-only.

A snapshot holds only what the page showed: each block is a heading, a line of text, headline
numbers, an indicator card, a chart (its Plotly spec, which carries the aggregated data drawn)
or a table exactly as displayed. Nothing in it refers back to the store, so the view of a
snapshot can never reach live data, and later imports or undos never change it.

A link's token is derived with HMAC-SHA256 from a 32-byte key kept in a file beside the store
(`<store>.snapshot-key`, owner-only, written atomically) and a random salt per link
(`derive_token`). The store keeps only the salt and the token's SHA-256: every lookup is by
that hash, and every one that fails for any reason (malformed, unknown, revoked, expired)
returns the same None. "Copy the link again" derives the token anew from key and salt and
checks it against the hash, so a copy of the store without its key file holds no working link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analytics import figures, store
from analytics import format as fmt
from analytics.errors import SnapshotError
from analytics.indicators import STATUS_ICON, STATUS_ORDER, STATUS_WORD, Indicator, Result, stored
from analytics.store import Connection

# The pages a snapshot can freeze (page id → title); the ids are the page file names.
PAGES: dict[str, str] = {
    "scoreboard": "Scoreboard",
    "pace": "Pace",
    "niche": "Niche growth",
    "fit": "Customer fit",
    "friction": "Sales vs tech",
}
PAYLOAD_VERSION = 1
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # 32 bytes in URL-safe base64, unpadded
BLOCK_KINDS = frozenset({"heading", "text", "metrics", "card", "chart", "table", "steps"})
TEXT_STYLES = frozenset({"markdown", "caption", "info", "success", "warning"})
MAX_TITLE = 120
MAX_AUTHOR = 80
MAX_EXPIRY_DAYS = 3650
ANONYMOUS = "anonymous"
KEY_BYTES = 32
SALT_BYTES = 16
TOKEN_LABEL = b"opening-day snapshot v1"  # a new way to derive tokens gets a new label
_MEMORY_KEY = secrets.token_bytes(KEY_BYTES)  # an in-memory store lives as long as the process
_KEY_LOCK = threading.Lock()

State = Literal["live", "expired", "revoked"]


@dataclass(frozen=True)
class Snapshot:
    id: int
    workspace_id: int
    page: str
    title: str
    shown_name: str
    author: str
    as_of: date | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    # False for links made before tokens were derived from the key (schema 8): they still
    # open, but their token was never kept in a form that gives it back.
    copyable: bool = True

    @property
    def page_title(self) -> str:
        return PAGES.get(self.page, self.page)

    def state(self, now: datetime | None = None) -> State:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or datetime.now()):
            return "expired"
        return "live"


@dataclass(frozen=True)
class Frozen:
    """A snapshot with its content: what a link shows and what the HTML export holds."""

    snapshot: Snapshot
    blocks: list[dict[str, Any]]


# ---------------------------------------------------------------- tokens


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


# ---------------------------------------------------------------- blocks


def _clean(value: Any) -> Any:
    """A JSON-safe copy: NaN and infinities become null, dates ISO text, Decimals floats."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return _clean(float(value))
    if isinstance(value, datetime | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | bool):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    return str(value)


def heading_block(text: str, level: int = 2) -> dict[str, Any]:
    return {"kind": "heading", "level": level, "text": str(text)}


def text_block(text: str, style: str = "markdown") -> dict[str, Any]:
    """Text as the page showed it. Markdown text is already inert (the page escapes what the
    owner's files supplied) and is shown the same way again."""
    return {"kind": "text", "style": style if style in TEXT_STYLES else "markdown", "text": text}


def metrics_block(items: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Headline numbers: (label, value as shown, note under it such as the status)."""
    return {
        "kind": "metrics",
        "items": [{"label": a, "value": b, "note": c} for a, b, c in items],
    }


def chart_block(fig: go.Figure | dict[str, Any]) -> dict[str, Any]:
    spec = json.loads(pio.to_json(fig, validate=False)) if isinstance(fig, go.Figure) else fig
    return {"kind": "chart", "figure": _clean(spec)}


def table_block(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> dict[str, Any]:
    """A table as displayed: its columns, its rows, and each number column's display format."""
    shown = frame.reset_index(drop=True)
    for col in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(shown[col]):
            shown[col] = shown[col].dt.strftime("%Y-%m-%d")
    rows = [[_clean(v) for v in row] for row in shown.itertuples(index=False, name=None)]
    return {
        "kind": "table",
        "columns": [str(c) for c in shown.columns],
        "rows": rows,
        "formats": {str(k): str(v) for k, v in (formats or {}).items() if k in shown.columns},
    }


def card_block(
    *,
    label: str,
    status: str,
    status_text: str,
    value: str,
    message: str,
    description: str,
    next_step: str,
    spark: go.Figure | None = None,
) -> dict[str, Any]:
    """One indicator card. Message and texts are plain (not markdown)."""
    return {
        "kind": "card",
        "label": label,
        "status": status,
        "status_text": status_text,
        "value": value,
        "message": message,
        "description": description,
        "next_step": next_step,
        "spark": chart_block(spark)["figure"] if spark is not None else None,
    }


def steps_block(items: list[str]) -> dict[str, Any]:
    """'What to do next' lines, as inert markdown."""
    return {"kind": "steps", "items": list(items)}


def check_blocks(blocks: Any) -> list[dict[str, Any]]:
    """The blocks made JSON-safe, or SnapshotError saying what is wrong."""
    if not isinstance(blocks, list) or not blocks:
        raise SnapshotError("There is nothing on the page to freeze yet.")
    out = []
    for i, block in enumerate(blocks, start=1):
        if not isinstance(block, dict) or block.get("kind") not in BLOCK_KINDS:
            raise SnapshotError(f"Part {i} of the page is not something a snapshot can hold.")
        out.append(_clean(block))
    return out


# ---------------------------------------------------------------- from the registry


def status_text(status: str) -> str:
    """Never colour alone: an icon and a word."""
    return f"{STATUS_ICON[status]} {STATUS_WORD[status]}"


def indicator_card(
    ind: Indicator, result: Result, currency: str, spark: pd.Series | None = None
) -> dict[str, Any]:
    """The card block of one indicator, as every page shows it."""
    return card_block(
        label=ind.label,
        status=result.status,
        status_text=status_text(result.status),
        value=ind.format_value(result.value, currency),
        message=result.message,
        description=ind.description,
        next_step=ind.next_step,
        spark=figures.sparkline(spark, ind.label)
        if spark is not None and len(spark) >= 2
        else None,
    )


def headline_items(
    inds: list[Indicator], results: dict[str, Result], currency: str
) -> list[tuple[str, str, str]]:
    return [
        (i.label, i.format_value(results[i.id].value, currency), status_text(results[i.id].status))
        for i in inds
    ]


def next_step_lines(inds: list[Indicator], results: dict[str, Result]) -> list[str]:
    """'What to do next': each figure that is not green, worst first, with its next step and
    the Hard reset checklists that address it (inert markdown)."""
    from analytics.checklists import builtin

    shipped = builtin().templates
    todo = [i for i in inds if results[i.id].status in ("red", "amber")]
    todo.sort(key=lambda i: STATUS_ORDER[results[i.id].status])
    lines = []
    for ind in todo:
        res = results[ind.id]
        titles = ", ".join(shipped[t].title for t in ind.checklists if t in shipped)
        lines.append(
            f"{status_text(res.status)} **{fmt.inert(ind.label)}**: "
            f"{fmt.inert(ind.next_step or res.message)}"
            + (f" Checklist: *{fmt.inert(titles)}*." if titles else "")
        )
    return lines


def spark_series(ind: Indicator, result: Result) -> pd.Series | None:
    """The recent history behind a card's value (None when it has none to show)."""
    if list(result.frame.columns) == ["date", "value"]:
        return stored.stored_spark(result)
    if ind.spark is None or result.status == "unknown":
        return None
    try:
        return ind.spark(result)
    except (KeyError, ValueError):
        return None


def page_blocks(
    con: Connection, workspace_id: int, page: str, as_of: date | None = None
) -> tuple[list[dict[str, Any]], date | None]:
    """A page's figures built from the registry, without the app (the command line's snapshot).

    The Scoreboard comes out as the app shows it: the tally, every card with its trend, reds
    first, and the weekly scorecard. An area page gives its headline numbers, each card with
    its trend, and what to do next; the page's larger charts are drawn by the app, so a
    snapshot taken there holds them too. Returns the blocks and the day the figures run to.
    """
    from analytics import indicators, scorecard
    from analytics.settings import get_settings

    if page not in PAGES:
        raise SnapshotError(f"Unknown page {page!r}: snapshots can be made of {', '.join(PAGES)}.")
    settings = get_settings(con, workspace_id)
    currency = str(settings["currency"])
    last = store.last_data_date(con, workspace_id)
    day_ = as_of or (pd.Timestamp(last).date() if last is not None else None)
    if day_ is None:
        raise SnapshotError("This workspace holds no dated data yet: there is nothing to freeze.")
    blocks: list[dict[str, Any]] = [heading_block(PAGES[page], 1)]
    if page == "scoreboard":
        results = stored.scoreboard_results(con, workspace_id, as_of)
        tally = {s: sum(r.status == s for r in results.values()) for s in STATUS_ORDER}
        blocks.append(
            metrics_block(
                [(status_text(s), str(tally[s]), "") for s in ("red", "amber", "green", "unknown")]
            )
        )
        blocks.append(text_block(f"As of {fmt.day(day_)}.", "caption"))
        area_order = list(indicators.AREAS)
        ordered = sorted(
            results.items(),
            key=lambda kv: (
                STATUS_ORDER[kv[1].status],
                area_order.index(indicators.get(kv[0]).area),
            ),
        )
        for ind_id, result in ordered:
            ind = indicators.get(ind_id)
            blocks.append(indicator_card(ind, result, currency, spark_series(ind, result)))
        sc = scorecard.weekly_scorecard(con, workspace_id, day_, settings)
        blocks.append(heading_block("Weekly scorecard"))
        if sc.table.empty:
            blocks.append(text_block("No weekly figures yet.", "info"))
        else:
            blocks.append(table_block(scorecard.display(sc, currency)[0]))
        return blocks, day_
    inds = indicators.in_area(page)
    results = indicators.compute_all(con, workspace_id, as_of, area=page, settings=settings)
    blocks.append(metrics_block(headline_items(inds, results, currency)))
    blocks.append(text_block(f"Figures as of {fmt.day(day_)}.", "caption"))
    for ind in inds:
        blocks.append(heading_block(ind.label))
        blocks.append(
            indicator_card(ind, results[ind.id], currency, spark_series(ind, results[ind.id]))
        )
    blocks.append(heading_block("What to do next"))
    lines = next_step_lines(inds, results)
    blocks.append(
        steps_block(lines) if lines else text_block("Every figure here is on track.", "success")
    )
    return blocks, day_


# ---------------------------------------------------------------- storing


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
    rows = (
        con.cursor()
        .execute(
            f"SELECT {_COLUMNS} FROM snapshots WHERE workspace_id = $w AND id = $i",
            {"w": workspace_id, "i": snapshot_id},
        )
        .fetchall()
    )
    if not rows:
        raise SnapshotError(f"There is no snapshot {snapshot_id} in this workspace.")
    return _snapshot(rows[0])


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


# ---------------------------------------------------------------- reading it back


def banner(snap: Snapshot) -> str:
    """Who froze what, and when, in one plain line."""
    parts = [f"{snap.page_title} of {snap.shown_name}"]
    if snap.as_of is not None:
        parts.append(f"figures as of {fmt.day(snap.as_of)}")
    made = f"frozen {fmt.day(snap.created_at.date())} at {snap.created_at:%H:%M}"
    parts.append(f"{made} by {snap.author}" if snap.author else made)
    if snap.expires_at is not None:
        parts.append(f"link works until {fmt.day(snap.expires_at.date())}")
    return " · ".join(parts)


def cell_text(value: Any, format_: str | None) -> str:
    """A table cell as the page showed it (the formats the pages use)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, int | float) and format_:
        if format_ == "localized":
            return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
        if format_ == "percent":
            return fmt.pct(float(value))
        if format_.startswith("%"):
            try:
                return format_ % value
            except (TypeError, ValueError):
                return str(value)
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if isinstance(value, list):
        return ", ".join(cell_text(v, None) for v in value)
    return str(value)


_MD_TOKEN = re.compile(r"\\(.)|\*\*|\*|\n")


def markdown_html(text: str) -> str:
    """The small markdown the pages write (bold, italics, escapes) as safe HTML.

    Characters escaped with a backslash are literal (that is how the pages make the owner's
    text inert), every literal is HTML-escaped and bare addresses are broken up: nothing in a
    snapshot becomes markup or a link.
    """
    text = fmt.unlinked(text)
    out: list[str] = []
    bold = italic = False
    pos = 0
    for m in _MD_TOKEN.finditer(text):
        out.append(escape(text[pos : m.start()]))
        pos = m.end()
        if m.group(1) is not None:
            out.append(escape(m.group(1)))
        elif m.group(0) == "**":
            out.append("</strong>" if bold else "<strong>")
            bold = not bold
        elif m.group(0) == "*":
            out.append("</em>" if italic else "<em>")
            italic = not italic
        else:
            out.append("<br>")
    out.append(escape(text[pos:]))
    if italic:
        out.append("</em>")
    if bold:
        out.append("</strong>")
    return "".join(out)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;
margin:24px auto;padding:0 16px;color:#1f2933;line-height:1.45}
.banner{background:#fff8e1;border:1px solid #f0c36d;border-radius:6px;padding:10px 14px;
margin-bottom:18px}
.metrics{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.metric{border:1px solid #e0e0e0;border-radius:6px;padding:8px 12px;min-width:150px}
.metric .label{font-size:.85em;color:#52606d}.metric .value{font-size:1.5em;font-weight:600}
.metric .note,.caption{font-size:.85em;color:#616e7c}
.card{border:1px solid #e0e0e0;border-radius:6px;padding:10px 14px;margin:10px 0}
.card .value{float:right;font-size:1.4em;font-weight:600}
.note-box{border-radius:6px;padding:8px 12px;margin:8px 0;background:#e8f1fb}
table{border-collapse:collapse;margin:8px 0 16px;font-size:.9em}
th,td{border:1px solid #e0e0e0;padding:4px 8px;text-align:left}td.num{text-align:right}
th{background:#f5f7fa}
"""


def _text(value: object) -> str:
    """Text in the HTML file: HTML-escaped, with bare addresses broken up invisibly so that no
    browser or mail program shows them as links (`analytics.format.unlinked`)."""
    return escape(fmt.unlinked(value))


def _html_table(block: dict[str, Any]) -> str:
    formats = block.get("formats", {})
    cols = block.get("columns", [])
    head = "".join(f"<th>{_text(c)}</th>" for c in cols)
    body = []
    for row in block.get("rows", []):
        cells = []
        for col, value in zip(cols, row, strict=False):
            num = isinstance(value, int | float) and not isinstance(value, bool)
            cls = ' class="num"' if num else ""
            cells.append(f"<td{cls}>{_text(cell_text(value, formats.get(col)))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def to_html(item: Frozen) -> str:
    """One self-contained HTML file: Plotly's JavaScript inlined once, no network needed."""
    snap = item.snapshot
    parts: list[str] = []
    plotly_in = False

    def figure(spec: dict[str, Any], height: int | None = None) -> str:
        nonlocal plotly_in
        fig = fmt.inert_figure(go.Figure(spec))
        if height:
            fig.update_layout(height=height)
        html = pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=not plotly_in,
            config={"displaylogo": False, "responsive": True},
        )
        plotly_in = True
        return html

    for block in item.blocks:
        kind = block.get("kind")
        if kind == "heading":
            level = min(max(int(block.get("level", 2)), 1), 4)
            parts.append(f"<h{level}>{_text(block.get('text', ''))}</h{level}>")
        elif kind == "text":
            style = block.get("style", "markdown")
            text = markdown_html(str(block.get("text", "")))
            if style == "caption":
                parts.append(f'<p class="caption">{text}</p>')
            elif style in ("info", "success", "warning"):
                parts.append(f'<div class="note-box">{text}</div>')
            else:
                parts.append(f"<p>{text}</p>")
        elif kind == "metrics":
            cells = "".join(
                f'<div class="metric"><div class="label">{_text(m.get("label", ""))}</div>'
                f'<div class="value">{_text(m.get("value", ""))}</div>'
                f'<div class="note">{_text(m.get("note", ""))}</div></div>'
                for m in block.get("items", [])
            )
            parts.append(f'<div class="metrics">{cells}</div>')
        elif kind == "card":
            spark = figure(block["spark"], 60) if block.get("spark") else ""
            step = block.get("next_step") or ""
            parts.append(
                '<div class="card">'
                f'<div class="value">{_text(block.get("value", ""))}</div>'
                f"<strong>{_text(block.get('label', ''))}</strong> · "
                f"{_text(block.get('status_text', ''))}"
                f"<p>{_text(block.get('message', ''))}</p>{spark}"
                + (
                    f'<p class="caption">What to do next: {_text(step)}</p>'
                    if step and block.get("status") != "green"
                    else ""
                )
                + "</div>"
            )
        elif kind == "chart":
            parts.append(figure(block["figure"]))
        elif kind == "table":
            parts.append(_html_table(block))
        elif kind == "steps":
            items = "".join(f"<li>{markdown_html(str(s))}</li>" for s in block.get("items", []))
            parts.append(f"<ul>{items}</ul>")
    title = _text(snap.title)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head><body>"
        f'<div class="banner"><strong>Read-only snapshot: {title}</strong><br>'
        f"{_text(banner(snap))}</div>" + "\n".join(parts) + "</body></html>\n"
    )
