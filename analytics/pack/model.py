"""What a review pack is, as data: a cover, then sections of snapshot blocks, then the
definitions of the figures used. The HTML and PDF renderers read only this."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from analytics import areas

# The pages a pack can hold (page id → title), in the navigation's order.
PAGES: dict[str, str] = {p.id: p.title for p in areas.PAGES if p.snapshot}
DEFAULT_PAGES: tuple[str, ...] = tuple(PAGES)
ANONYMOUS_NAME = "Anonymous business"
Paper = Literal["A4", "Letter"]
PAPERS: tuple[Paper, ...] = ("A4", "Letter")
Format = Literal["html", "pdf"]
# Where a page's blocks came from: the app's own drawing (headless, captured as the Share
# button captures it) or, without the app, the registry (headline, cards, next steps only).
Source = Literal["app", "registry"]


@dataclass(frozen=True)
class Cover:
    business: str
    as_of: date
    since: date
    since_reason: str
    pages: tuple[str, ...]  # the chosen pages' titles, in order

    @property
    def period(self) -> str:
        from analytics import format as fmt

        return f"{fmt.day(self.since)} to {fmt.day(self.as_of)}"


@dataclass(frozen=True)
class Section:
    """One part of the pack: "What changed", a page, or the definitions."""

    id: str
    title: str
    blocks: list[dict[str, Any]]
    source: Source = "app"


@dataclass(frozen=True)
class Pack:
    cover: Cover
    sections: list[Section]
    paper: Paper = "A4"
    # Lines naming what the figures were filtered by (workspace, day, pages, anonymity).
    filters: list[tuple[str, str]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"Review pack: {self.cover.business}"
