"""A snapshot's content: the blocks a page is frozen into, and a page's blocks built from the
indicator registry without the app (the command line's snapshot).

A block is a heading, a line of text, headline numbers, an indicator card, a chart (its Plotly
spec, which carries the aggregated data drawn) or a table exactly as displayed, as JSON-safe
data: nothing in it refers back to the store.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analytics import figures, store
from analytics import format as fmt
from analytics.errors import SnapshotError
from analytics.indicators import STATUS_ICON, STATUS_ORDER, STATUS_WORD, Indicator, Result, stored
from analytics.notes import Note, list_notes, range_start
from analytics.notes_chart import annotate
from analytics.snapshots.model import BLOCK_KINDS, PAGES, TEXT_STYLES
from analytics.store import Connection


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


NOTES_HEADING = "Notes on the timeline"


def note_markdown(note: Note) -> str:
    """One note as inert markdown: its days in bold, then its text and author as plain text."""
    by = f" — {fmt.inert(note.author)}" if note.author else ""
    return f"**{fmt.inert(note.when)}** · {fmt.inert(note.text)}{by}"


def notes_blocks(found: Sequence[Note]) -> list[dict[str, Any]]:
    """A page's notes on the timeline as a heading and one text block a note (none: nothing)."""
    if not found:
        return []
    return [heading_block(NOTES_HEADING, 3), *(text_block(note_markdown(n)) for n in found)]


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
    ind: Indicator,
    result: Result,
    currency: str,
    spark: pd.Series | None = None,
    notes: Sequence[Note] = (),
) -> dict[str, Any]:
    """The card block of one indicator, as every page shows it (its trend with `notes`)."""
    return card_block(
        label=ind.label,
        status=result.status,
        status_text=status_text(result.status),
        value=ind.format_value(result.value, currency),
        message=result.message,
        description=ind.description,
        next_step=ind.next_step,
        spark=annotate(figures.sparkline(spark, ind.label), notes)
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
    # The notes about this page (or the whole business) in the days its figures cover.
    start = range_start(store.data_range(con, workspace_id))
    found = list_notes(con, workspace_id, start=start, end=day_, concerns=page)
    blocks.extend(notes_blocks(found))
    for ind in inds:
        blocks.append(heading_block(ind.section_heading))
        result = results[ind.id]
        blocks.append(indicator_card(ind, result, currency, spark_series(ind, result), found))
    blocks.append(heading_block("What to do next"))
    lines = next_step_lines(inds, results)
    blocks.append(
        steps_block(lines) if lines else text_block("Every figure here is on track.", "success")
    )
    return blocks, day_
