"""Widgets more than one page uses: page headings, tables, the demo button, empty states."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from analytics import areas, snapshots, store
from analytics.errors import OpeningDayError
from ui import capture
from ui import store as ui_store
from ui.boot import require_app
from ui.charts import TOP_PEOPLE
from ui.format import count, plain
from ui.sidebar import select_workspace
from ui.state import flash


def page_header(title: str, why: str) -> None:
    """The page title and one sentence on why it matters."""
    require_app()
    st.title(title)
    st.markdown(why)
    capture.note(snapshots.heading_block(title, 1))
    capture.note(snapshots.text_block(why))


def registered_header(page_id: str) -> None:
    """A page's title and intro as the page registry (`analytics.areas`) names them."""
    page = areas.page(page_id)
    page_header(page.shown_heading, page.intro)


def load_demo() -> store.Workspace | None:
    """Build the demo business (or reuse it if it is already loaded) and switch to it."""
    from analytics import demo

    con = ui_store.connection()
    existing = store.find_workspace(con, demo.DEMO_WORKSPACE)
    if existing is not None and sum(ui_store.entity_counts(existing.id).values()) > 0:
        ws = existing
        note = f"The demo business is already loaded as {ws.display_name}; switched to it."
    else:
        bar = st.progress(0.0, text="Building the demo business…")

        def report(fraction: float, message: str) -> None:
            bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

        with st.spinner("Building about four years of invoices, deals, timesheets and tickets…"):
            try:
                ws = demo.load_demo(con, progress=report)
            except OpeningDayError as exc:
                st.error(plain(exc), icon="⛔")
                return None
            finally:
                bar.empty()
                ui_store.changed()
        counts = ui_store.entity_counts(ws.id)
        note = (
            f"Demo business loaded: {count(counts.get('invoices', 0))} invoice lines, "
            f"{count(counts.get('customers', 0))} customers, {count(counts.get('deals', 0))} deals."
        )
    select_workspace(ws.name)
    flash("success", note)
    return ws


def demo_button(key: str, *, primary: bool = True) -> None:
    """'Load the demo business': builds it, switches to it and reruns the page."""
    if (
        st.button(
            "Load the demo business",
            key=key,
            type="primary" if primary else "secondary",
            icon="🧪",
            help="A made-up IT service provider with about four years of history. Look around with "
            "it, then delete it on the Data page when you load your own data.",
        )
        and load_demo() is not None
    ):
        st.rerun()


def dataframe(data: Any, **kwargs: Any) -> None:
    """st.dataframe, with every column configured as "percent" shown with one decimal.

    Streamlit's own "percent" format varies its decimals from cell to cell ("54.49%", "5%");
    the house style is one decimal, so such a column is scaled × 100 and shown as "54.5%".
    """
    config = dict(kwargs.pop("column_config", None) or {})
    if isinstance(data, pd.DataFrame):
        for name, cfg in list(config.items()):
            type_config = cfg.get("type_config") if isinstance(cfg, dict) else None
            if type_config and type_config.get("format") == "percent" and name in data.columns:
                column = pd.Series(data[name])
                data = data.assign(**{name: pd.to_numeric(column, errors="coerce") * 100})
                config[name] = {**cfg, "type_config": {**type_config, "format": "%.1f%%"}}
    st.dataframe(data, column_config=config or None, **kwargs)
    formats = {
        str(name): str(cfg["type_config"]["format"])
        for name, cfg in config.items()
        if isinstance(cfg, dict) and (cfg.get("type_config") or {}).get("format")
    }
    capture.table(data, formats)


# A long table shows this many rows until the owner asks for all of them: a table of
# thousands of customers costs the browser a second to draw and nobody reads past the top.
ROWS_SHOWN = 100


def first_rows(frame: pd.DataFrame, key: str, noun: str = "rows") -> pd.DataFrame:
    """A long table's first ROWS_SHOWN rows (in its own order, which puts what matters first),
    with a switch for every row and a caption saying what was left out, both above it."""
    rows = len(frame)
    if rows <= ROWS_SHOWN:
        return frame
    if st.toggle(f"Show all {rows:,} {noun}", key=f"all_rows_{key}"):
        return frame
    capture.caption(
        f"Showing the first {ROWS_SHOWN} of {rows:,} {noun} in the table's order; a heading "
        f"sorts only these {ROWS_SHOWN}. Switch on “Show all {rows:,} {noun}” to see and sort "
        "every one, or download the CSV."
    )
    return frame.head(ROWS_SHOWN)


def renamed_table(
    frame: pd.DataFrame,
    headings: dict[str, str],
    formats: dict[str, str] | None = None,
    *,
    long: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """A table under the owner's headings (column → heading; any other column keeps its name),
    numbers formatted by heading ("percent", "localized", "%.1f"). Returns the renamed frame,
    every row (for a download of the same table). `long` = (key, noun) for a table that may
    run to thousands of rows: only the first ROWS_SHOWN are drawn until the owner asks."""
    shown = frame.rename(columns=headings)
    dataframe(
        first_rows(shown, *long) if long else shown,
        hide_index=True,
        width="stretch",
        column_config={
            h: st.column_config.NumberColumn(format=f) for h, f in (formats or {}).items()
        },
    )
    return shown


def save_then_rerun(write: Callable[[], object], done: str) -> None:
    """Run a write the owner asked for: its refusal (OpeningDayError) shown as an error, else
    the app's caches refreshed, `done` flashed on the next run, and the page run again."""
    try:
        write()
    except OpeningDayError as exc:
        st.error(plain(exc), icon="⛔")
    else:
        ui_store.changed()
        flash("success", done)
        st.rerun()


def people_table(
    details: dict[str, Any], headings: dict[str, str], formats: dict[str, str]
) -> None:
    """The per-person list an indicator keeps in its details ("people") under the owner's
    headings, when there is one (as `renamed_table`)."""
    people = pd.DataFrame(details.get("people", []))
    if not people.empty:
        renamed_table(people, headings, formats)


def people_shown(people: int, key: str) -> int | None:
    """How many people a chart of people shows: the first TOP_PEOPLE, or None (everyone) when
    there are more and the owner switches on "Show all" (a toggle under `key`)."""
    everyone = people > TOP_PEOPLE and st.toggle(f"Show all {people:,} people", key=key)
    return None if everyone else TOP_PEOPLE


def stop_unless(ready: bool, message: str) -> None:
    """The empty state: say what is missing, point to the Data page, and end the page here."""
    if not ready:
        st.info(message, icon="ℹ️")
        st.page_link("pages/data.py", label="Go to Data", icon="📥")
        st.stop()
