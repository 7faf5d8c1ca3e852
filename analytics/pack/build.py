"""Assembling a review pack: the cover, "What changed", each chosen page as it stands, the
definitions of every figure used and the filters in effect.

A page's blocks come from the app when the caller has them (the page drawn headless with its
capture on, as the Share button freezes it: ui/pack.py); otherwise from the registry
(`snapshots.page_blocks`: headline, cards and next steps, without the page's larger charts
and tables), and the section says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pandas as pd

from analytics import format as fmt
from analytics import indicators, snapshots, store
from analytics.errors import OpeningDayError
from analytics.indicators import Indicator
from analytics.pack import anonymous as anon
from analytics.pack import log
from analytics.pack.html import to_html
from analytics.pack.model import ANONYMOUS_NAME, PAGES, PAPERS, Cover, Pack, Paper, Section
from analytics.pack.pdf import to_pdf
from analytics.settings import get_settings
from analytics.store import Connection

UNIT_WORDS = {
    "hours": "hours",
    "share": "share of a whole (%)",
    "points": "percentage points",
    "ratio": "ratio (×)",
    "count": "count",
    "money": "money ({currency})",
    "index": "index",
    "months": "months",
    "days": "days",
    "cv": "coefficient of variation (%)",
}
REGISTRY_NOTE = (
    "Built without the app: headline numbers, the cards and what to do next; the page's "
    "larger charts and tables are in a pack made from the app."
)
MAX_TABLE_ROWS = 40  # rows of one table a pack shows
PAPER_SETTING = "pack_paper"  # a workspace setting, when Settings offers it


class PackError(OpeningDayError):
    pass


def parse_pages(text: str | Iterable[str] | None) -> list[str]:
    """The chosen pages in the navigation's order, or PackError naming an unknown one."""
    if text is None:
        return list(PAGES)
    items = text.split(",") if isinstance(text, str) else list(text)
    wanted = [i.strip().lower() for i in items if i.strip()]
    unknown = [i for i in wanted if i not in PAGES]
    if unknown or not wanted:
        raise PackError(
            f"Unknown page {', '.join(map(repr, unknown)) or '(none)'}: a pack can hold "
            f"{', '.join(PAGES)}."
        )
    return [p for p in PAGES if p in wanted]


def paper_for(settings: Mapping[str, Any], paper: str | None) -> Paper:
    chosen = paper or str(settings.get(PAPER_SETTING) or "A4")
    for known in PAPERS:
        if chosen.lower() == known.lower():
            return known
    raise PackError(f"Paper must be {' or '.join(PAPERS)}; got {chosen!r}.")


def as_of_day(con: Connection, workspace_id: int, as_of: date | None) -> date:
    if as_of is not None:
        return as_of
    last = store.last_data_date(con, workspace_id)
    if last is None:
        raise PackError("This workspace holds no dated data yet: there is nothing to review.")
    return pd.Timestamp(last).date()


def since_day(
    con: Connection, workspace_id: int, as_of: date, since: date | None
) -> tuple[date, str]:
    """The day compared with: the one asked for, else the last review session, else the
    last pack, else 90 days before (`changes.default_since`)."""
    from analytics import changes

    if since is not None:
        if since >= as_of:
            raise PackError(f"--since must be before the as-of day ({fmt.day(as_of)}).")
        return since, "the day asked for"
    return changes.default_since(
        con, workspace_id, as_of=as_of, last_pack=log.last_made(con, workspace_id)
    )


# ---------------------------------------------------------------- what changed


def changed_blocks(ch: Any, currency: str) -> list[dict[str, Any]]:
    """'What changed' as blocks: the summary lines (new reds, status changes, largest moves
    with both values, figures that became known or unknown), then what fell due and the notes
    written in between as tables (plain cells)."""
    from analytics import changes

    lines = changes.summary_lines(ch, currency) or [
        f"From {fmt.day(ch.since)} to {fmt.day(ch.as_of)}: nothing changed."
    ]
    blocks: list[dict[str, Any]] = [
        snapshots.heading_block("What changed", 1),
        snapshots.steps_block([fmt.inert(line) for line in lines]),
    ]
    if ch.fell_due:
        rows = [
            {
                "Due": d.due,
                "What": d.title,
                "Owner": d.owner or "—",
                "Done": bool(d.done),
                "From": d.source,
            }
            for d in ch.fell_due
        ]
        blocks += [
            snapshots.heading_block("Fell due", 3),
            snapshots.table_block(pd.DataFrame(rows)),
        ]
    if ch.notes:
        blocks += [snapshots.heading_block("Notes written", 3), notes_table(ch.notes)]
    return blocks


def notes_table(notes: Iterable[Any]) -> dict[str, Any]:
    from analytics.notes import concern_choices

    concerns = concern_choices()
    rows = [
        {
            "Day": n.day,
            "Until": n.until or "",
            "Note": n.text,
            "Concerns": concerns.get(n.concerns, n.concerns) if n.concerns else "",
            "By": n.author or "",
        }
        for n in notes
    ]
    return snapshots.table_block(pd.DataFrame(rows))


# ---------------------------------------------------------------- definitions


def used_indicators(pages: list[str], ch: Any | None = None) -> list[Indicator]:
    """Every figure the pack shows: all for the Scoreboard, else the chosen areas' and the
    ones "What changed" names, in registry order."""
    wanted = {
        i.id for i in indicators.REGISTRY.values() if "scoreboard" in pages or i.area in pages
    }
    if ch is not None:
        for part in (
            ch.new_reds,
            ch.status_changes,
            ch.largest_moves,
            ch.became_known,
            ch.became_unknown,
        ):
            wanted |= {m.indicator_id for m in part}
    return [i for i in indicators.REGISTRY.values() if i.id in wanted]


def definition_lines(ind: Indicator, settings: dict[str, Any], currency: str) -> str:
    """Area, unit, direction and thresholds of one figure, in one line."""
    t = ind.thresholds_for(settings)
    green, red = ind.format_value(t.green, currency), ind.format_value(t.red, currency)
    if ind.higher_is_better:
        bands = f"on track at {green} or more, act now below {red}"
    else:
        bands = f"on track at {green} or less, act now above {red}"
    unit = UNIT_WORDS.get(ind.unit, ind.unit).format(currency=currency)
    direction = "higher is better" if ind.higher_is_better else "lower is better"
    return f"{indicators.AREAS.get(ind.area, ind.area)} · {unit} · {direction} · {bands}."


def definition_blocks(
    inds: list[Indicator], settings: dict[str, Any], currency: str, filters: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    blocks = [snapshots.heading_block("Definitions", 1)]
    for ind in inds:
        blocks += [
            snapshots.heading_block(ind.label, 3),
            snapshots.text_block(fmt.inert(definition_lines(ind, settings, currency)), "caption"),
            snapshots.text_block(fmt.inert(ind.description)),
        ]
    blocks += [
        snapshots.heading_block("Filters in effect", 2),
        snapshots.table_block(pd.DataFrame(filters, columns=["Filter", "Value"])),
    ]
    return blocks


# ---------------------------------------------------------------- the pages


def trimmed(blocks: list[dict[str, Any]], limit: int = MAX_TABLE_ROWS) -> list[dict[str, Any]]:
    """A page's blocks with each table cut to its first `limit` rows (in the page's order),
    saying how many more the page holds: a pack is read in a meeting, not searched."""
    out: list[dict[str, Any]] = []
    for block in blocks:
        rows = block.get("rows", []) if block.get("kind") == "table" else []
        if len(rows) <= limit:
            out.append(block)
            continue
        out.append({**block, "rows": rows[:limit]})
        out.append(
            snapshots.text_block(
                f"The first {limit} of {len(rows):,} rows, in the page's order; the page in the "
                "app shows them all.",
                "caption",
            )
        )
    return out


# ---------------------------------------------------------------- the whole pack


def build(
    con: Connection,
    workspace_id: int,
    *,
    pages: list[str],
    as_of: date | None = None,
    since: date | None = None,
    anonymous: bool = False,
    paper: str | None = None,
    page_blocks: Mapping[str, list[dict[str, Any]]] | None = None,
) -> Pack:
    """The pack of `pages` for one workspace. `page_blocks` holds the pages as the app drew
    them (ui/pack.py); a page missing there is built from the registry."""
    from analytics import changes

    ws = store.get_workspace_by_id(con, workspace_id)
    settings = get_settings(con, workspace_id)
    currency = str(settings["currency"])
    day_ = as_of_day(con, workspace_id, as_of)
    since_, reason = since_day(con, workspace_id, day_, since)
    ch = changes.compare(con, workspace_id, since=since_, as_of=day_, since_reason=reason)
    sections = [Section("changes", "What changed", changed_blocks(ch, currency))]
    drawn = page_blocks or {}
    for page in pages:
        if page in drawn:
            sections.append(Section(page, PAGES[page], trimmed(drawn[page])))
        else:
            blocks, _ = snapshots.page_blocks(con, workspace_id, page, day_)
            blocks.insert(1, snapshots.text_block(REGISTRY_NOTE, "caption"))
            sections.append(Section(page, PAGES[page], trimmed(blocks), source="registry"))
    business = ANONYMOUS_NAME if anonymous else ws.display_name
    filters = [
        ("Business", business),
        ("Figures as of", fmt.day(day_)),
        ("Compared with", f"{fmt.day(since_)} ({reason})"),
        ("Pages", ", ".join(PAGES[p] for p in pages)),
        ("Page filters", "each page as it opens: its default filters and windows"),
        ("Names", "customers and people replaced by labels" if anonymous else "as in the data"),
    ]
    sections.append(
        Section(
            "definitions",
            "Definitions",
            definition_blocks(used_indicators(pages, ch), settings, currency, filters),
        )
    )
    cover = Cover(
        business=business,
        as_of=day_,
        since=since_,
        since_reason=reason,
        pages=tuple(PAGES[p] for p in pages),
    )
    pack = Pack(cover, sections, paper_for(settings, paper), filters)
    if not anonymous:
        return pack
    people = [n.author or "" for n in ch.notes] + [d.owner or "" for d in ch.fell_due]
    return anon.anonymize(con, workspace_id, pack, ws, people)


def make_file(
    con: Connection, workspace_id: int, pack: Pack, format_: str
) -> tuple[bytes, log.Made]:
    """The pack as the bytes of an "html" or "pdf" file, noted in the pack log."""
    data = to_pdf(pack) if format_ == "pdf" else to_html(pack).encode("utf-8")
    made = log.record(
        con,
        workspace_id,
        as_of=pack.cover.as_of,
        since=pack.cover.since,
        pages=[s.id for s in pack.sections if s.id in PAGES],
        format_=format_,
        data=data,
    )
    return data, made
