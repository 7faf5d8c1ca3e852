"""What a snapshot is: the pages it can freeze, its record in the store, and its content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from analytics import areas

# The pages a snapshot can freeze (page id → title), from the page registry.
PAGES: dict[str, str] = areas.snapshot_pages()
PAYLOAD_VERSION = 1
BLOCK_KINDS = frozenset({"heading", "text", "metrics", "card", "chart", "table", "steps"})
TEXT_STYLES = frozenset({"markdown", "caption", "info", "success", "warning"})
MAX_TITLE = 120
MAX_AUTHOR = 80
MAX_EXPIRY_DAYS = 3650
ANONYMOUS = "anonymous"

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
