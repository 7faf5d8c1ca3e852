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

One module per question: `model` (what a snapshot is, the pages), `tokens` (key file and
tokens), `blocks` (the content, and a page built from the registry), `links` (kept in the
store: create, list, revoke, resolve) and `html` (the banner and the Jinja2 HTML export).
Everything is reachable here as `snapshots.<name>`.
"""

from __future__ import annotations

from analytics.snapshots.blocks import (
    card_block,
    chart_block,
    check_blocks,
    heading_block,
    headline_items,
    indicator_card,
    metrics_block,
    next_step_lines,
    page_blocks,
    spark_series,
    status_text,
    steps_block,
    table_block,
    text_block,
)
from analytics.snapshots.html import banner, cell_text, markdown, markdown_html, to_html
from analytics.snapshots.links import (
    create,
    find,
    frozen,
    get,
    list_snapshots,
    resolve,
    revoke,
    set_expiry,
    token_of,
)
from analytics.snapshots.model import (
    ANONYMOUS,
    BLOCK_KINDS,
    MAX_AUTHOR,
    MAX_EXPIRY_DAYS,
    MAX_TITLE,
    PAGES,
    PAYLOAD_VERSION,
    TEXT_STYLES,
    Frozen,
    Snapshot,
    State,
)
from analytics.snapshots.tokens import (
    KEY_BYTES,
    SALT_BYTES,
    TOKEN_LABEL,
    TOKEN_SHAPE,
    derive_token,
    key_file,
    link,
    token_hash,
    well_formed,
)

__all__ = [
    "ANONYMOUS",
    "BLOCK_KINDS",
    "KEY_BYTES",
    "MAX_AUTHOR",
    "MAX_EXPIRY_DAYS",
    "MAX_TITLE",
    "PAGES",
    "PAYLOAD_VERSION",
    "SALT_BYTES",
    "TEXT_STYLES",
    "TOKEN_LABEL",
    "TOKEN_SHAPE",
    "Frozen",
    "Snapshot",
    "State",
    "banner",
    "card_block",
    "cell_text",
    "chart_block",
    "check_blocks",
    "create",
    "derive_token",
    "find",
    "frozen",
    "get",
    "headline_items",
    "heading_block",
    "indicator_card",
    "key_file",
    "link",
    "list_snapshots",
    "markdown",
    "markdown_html",
    "metrics_block",
    "next_step_lines",
    "page_blocks",
    "resolve",
    "revoke",
    "set_expiry",
    "spark_series",
    "status_text",
    "steps_block",
    "table_block",
    "text_block",
    "to_html",
    "token_hash",
    "token_of",
    "well_formed",
]
