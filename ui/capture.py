"""What a page shows, written down as it is drawn, so "Share snapshot" can freeze exactly that.

Pages draw their headings, text, charts and tables through the functions here instead of
calling Streamlit directly; each one draws the element and notes what it drew: the maker of
its snapshot block (`analytics.snapshots`) and the arguments, figures and frames themselves,
not copies. Nothing is turned into a block, let alone JSON, until the owner presses Share
(`blocks`, called by ui/share.py after the page ran), so noting costs a page next to nothing.
Widgets (filters, buttons) are never captured: a snapshot is read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from analytics import snapshots
from analytics.indicators import Indicator, Result
from analytics.notes import Note
from analytics.notes_chart import annotate
from ui import figure_cache

_KEY = "_od_capture"
# Set in a session's state by a run that draws for no one (the warm-up, a review pack): every
# tab of an area page is drawn, not only the open one.
WHOLE_PAGE_KEY = "_od_whole_page"

NoteKind = Literal["info", "success", "warning"]


@dataclass(frozen=True)
class Later:
    """A block noted as its maker and arguments, made only when a snapshot is."""

    make: Callable[..., dict[str, Any]]
    args: tuple[Any, ...]

    def block(self) -> dict[str, Any]:
        return self.make(*self.args)


@dataclass
class Capture:
    page: str
    workspace_id: int
    as_of: date | None
    items: list[Later | dict[str, Any]] = field(default_factory=list)
    request: dict[str, Any] | None = None  # set when the owner asked for a snapshot this run
    # The notes on the timeline this page's charts show (`set_notes`; none by default).
    notes: tuple[Note, ...] = ()
    # What a page looks up once per run and asks for many times (`once_per_run`).
    memo: dict[Any, Any] = field(default_factory=dict)


def once_per_run(key: Any, make: Callable[[], Any]) -> Any:
    """`make()`, worked out once per page run (app.py starts each run with a fresh Capture);
    every time when no run is being noted (a page run alone, as a test does)."""
    cap = current()
    if cap is None:
        return make()
    if key not in cap.memo:
        cap.memo[key] = make()
    return cap.memo[key]


def reset() -> None:
    """Start noting afresh (app.py calls this before every page run, so the title and the
    "why" above a page's share control are noted too)."""
    st.session_state[_KEY] = Capture("", 0, None)


def begin(page: str, workspace_id: int, as_of: date | None) -> Capture:
    """Name the page being noted (the share control does this)."""
    cap = current()
    if cap is None:
        cap = Capture(page, workspace_id, as_of)
        st.session_state[_KEY] = cap
    cap.page, cap.workspace_id, cap.as_of = page, workspace_id, as_of
    return cap


def current() -> Capture | None:
    cap = st.session_state.get(_KEY)
    return cap if isinstance(cap, Capture) else None


def note(item: dict[str, Any]) -> None:
    """Add a block that is already made (a small dict: a heading, a line of text)."""
    cap = current()
    if cap is not None:
        cap.items.append(item)


def later(make: Callable[..., dict[str, Any]], *args: Any) -> None:
    """Add a block to make only if a snapshot is: `make(*args)`, with `args` kept as they are
    (a figure, a frame), so they must not change after they were drawn."""
    cap = current()
    if cap is not None:
        cap.items.append(Later(make, args))


def set_notes(found: Sequence[Note]) -> None:
    """The notes every chart drawn from now on in this run shows (ui/notes.py sets them for an
    area page, filtered to the notes that concern it)."""
    cap = current()
    if cap is not None:
        cap.notes = tuple(found)


def page_notes() -> tuple[Note, ...]:
    cap = current()
    return cap.notes if cap is not None else ()


def whole_page() -> bool:
    """Whether this run draws every tab of an area page rather than only the open one: when
    the owner asked for a snapshot this run (it freezes the whole page), or when a run that
    draws for no one asked for it (`WHOLE_PAGE_KEY`: a review pack, the warm-up)."""
    if st.session_state.get(WHOLE_PAGE_KEY, False):
        return True
    cap = current()
    return cap is not None and cap.request is not None


def blocks(cap: Capture) -> list[dict[str, Any]]:
    """The captured page as snapshot blocks (charts, tables and cards made, as JSON, now)."""
    return [item.block() if isinstance(item, Later) else item for item in cap.items]


def card_block(ind: Indicator, result: Result, currency: str, trend: bool) -> dict[str, Any]:
    """An indicator card's block; with `trend`, the points its picture drew
    (`ui.indicators.trend_of`, worked out now that Share is pressed) as a Plotly line,
    built once per trend (`ui.indicators.spark_figure`)."""
    from ui.indicators import spark_figure, trend_of  # it draws cards with this module

    block = snapshots.indicator_card(ind, result, currency)
    spark = trend_of(ind, result) if trend else None
    if spark is not None:
        block["spark"] = snapshots.chart_block(spark_figure(spark, ind.label))["figure"]
    return block


# ---------------------------------------------------------------- drawing and noting


def header(text: str) -> None:
    st.header(text)
    later(snapshots.heading_block, text, 2)


def subheader(text: str) -> None:
    st.subheader(text)
    later(snapshots.heading_block, text, 3)


def markdown(text: str) -> None:
    """Markdown the page wrote (the owner's text in it already made inert with plain())."""
    st.markdown(text)
    later(snapshots.text_block, text, "markdown")


def caption(text: str) -> None:
    st.caption(text)
    later(snapshots.text_block, text, "caption")


def notice(text: str, kind: NoteKind = "info", icon: str | None = None) -> None:
    """An info, success or warning box."""
    draw = {"info": st.info, "success": st.success, "warning": st.warning}[kind]
    draw(text, icon=icon or {"info": "ℹ️", "success": "✅", "warning": "⚠️"}[kind])
    later(snapshots.text_block, text, kind)


def chart(fig: go.Figure, **kwargs: Any) -> None:
    """st.plotly_chart, noted with the figure (its spec carries the aggregated data).

    Drawn with the names in it escaped for Plotly (a name can hold tags Plotly would draw as
    a link); noted as it is, since the snapshot view and the HTML export escape it again.
    The page's notes on the timeline (`set_notes`) are drawn on it after the figure cache, on
    a copy (a cached figure is shared and never changed), and go into its snapshot too."""
    kwargs.setdefault("width", "stretch")
    shown = page_notes()
    st.plotly_chart(figure_cache.noted(fig, shown), **kwargs)
    later(_chart_block, fig, shown)


def _chart_block(fig: go.Figure, shown: tuple[Note, ...]) -> dict[str, Any]:
    return snapshots.chart_block(annotate(fig, shown))


def table(data: pd.DataFrame | Styler, formats: dict[str, str] | None = None) -> None:
    """Note a table drawn by ui.widgets.dataframe: its rows as shown, its number formats."""
    frame = getattr(data, "data", None) if isinstance(data, Styler) else data
    if isinstance(frame, pd.DataFrame):
        later(snapshots.table_block, frame, formats or {})


def metrics(
    items: list[tuple[str, str, str]], per_row: int = 5, help_: list[str] | None = None
) -> None:
    """Headline numbers in rows: (label, value, note under it such as the status)."""
    for start in range(0, len(items), per_row):
        row = items[start : start + per_row]
        for i, (col, (label, value, under)) in enumerate(
            zip(st.columns(per_row), row, strict=False)
        ):
            col.metric(label, value, help=help_[start + i] if help_ else None)
            if under:
                col.caption(under)
    later(snapshots.metrics_block, items)


def info(text: str, icon: str | None = None) -> None:
    notice(text, "info", icon)


def success(text: str, icon: str | None = None) -> None:
    notice(text, "success", icon)


def warning(text: str, icon: str | None = None) -> None:
    notice(text, "warning", icon)
