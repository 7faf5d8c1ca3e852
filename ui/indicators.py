"""Indicators on a page: cached results, values in their units, and the card every page shows."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from analytics import areas, asof, figures, indicators, snapshots
from analytics.indicators import Indicator, Result, stored
from ui import capture, charts, figure_cache
from ui import issues_list as ui_issues_list
from ui import store as ui_store
from ui.format import plain
from ui.sidebar import Context

ROOT = Path(__file__).resolve().parent.parent


def page_file(page: str) -> str | None:
    """The file of a page in the navigation (relative to app.py), None if it has none."""
    path = next((p.file for p in areas.PAGES if p.id == page), None)
    return path if path is not None and (ROOT / path).is_file() else None


@st.cache_data(show_spinner=False, max_entries=128)
def results(workspace_id: int, as_of: date | None, area: str) -> dict[str, Result]:
    """Every indicator of an area for one workspace; as_of None = each one's own last day.
    At the last day (the one every page opens on) the store keeps them whole per data
    version (`stored.area_results`), so a restart reads them back instead of computing."""
    if as_of is None:
        return stored.area_results(
            ui_store.connection(), workspace_id, area, ui_store.settings(workspace_id)
        )
    return indicators.compute_all(
        ui_store.connection(),
        workspace_id,
        as_of,
        area=area,
        settings=ui_store.settings(workspace_id),
    )


def for_page(ctx: Context, area: str | None) -> dict[str, Result]:
    """The results for the sidebar's workspace and day; area None = every area (Scoreboard).

    Every area is computed and cached on its own, so the Scoreboard and the area pages share
    the work whichever the owner opens first.
    """
    assert ctx.workspace is not None
    day = ctx.as_of if ctx.picked_as_of else None
    areas = [area] if area is not None else list(indicators.AREAS)
    out: dict[str, Result] = {}
    for a in areas:
        out.update(results(ctx.workspace.id, day, a))
    return out


def for_day(workspace_id: int, day: str | None, area: str) -> dict[str, Result]:
    """An area's results for a workspace and a picked day (ISO, None: each one's own day), for
    a page's own cached helpers: the same cache entries `for_page` reads."""
    return results(workspace_id, date.fromisoformat(day) if day else None, area)


def reads(area: str | None) -> tuple[str, ...]:
    """The dated entities an area's indicators read (every area's when None)."""
    chosen = indicators.REGISTRY.values() if area is None else indicators.in_area(area)
    return tuple(dict.fromkeys(e for i in chosen for e in i.reads))


def as_of_line(ctx: Context, area: str | None) -> str:
    """The days the page's figures run to, in one line (see `analytics.asof`)."""
    assert ctx.workspace is not None
    ends = asof.ends_from_range(ui_store.data_range(ctx.workspace.id), reads(area))
    return asof.sources_line(ends, ctx.as_of if ctx.picked_as_of else None)


def value_text(ind: Indicator, value: float | None, currency: str) -> str:
    """An indicator's value in its own unit, as an owner reads it."""
    return ind.format_value(value, currency)


def status_text(status: str) -> str:
    """Never colour alone: an icon and a word."""
    return snapshots.status_text(status)


@st.cache_data(show_spinner=False, max_entries=64)
def scoreboard(workspace_id: int, as_of: date | None) -> dict[str, Result]:
    """Every indicator for the Scoreboard, kept in the store per data version (a restart or a
    new session reads them instead of recomputing); frames hold only the sparkline. Figures
    it lacks come from the area pages' cached results (computed once for both)."""

    def from_areas(stale: list[Indicator], settings: dict[str, Any]) -> dict[str, Result] | None:
        if settings != ui_store.settings(workspace_id):
            return None  # the cached settings are not those read now: let it compute
        out: dict[str, Result] = {}
        for area in dict.fromkeys(i.area for i in stale):
            out.update(results(workspace_id, as_of, area))
        return out

    return stored.scoreboard_results(ui_store.connection(), workspace_id, as_of, compute=from_areas)


def trend_of(ind: Indicator, result: Result) -> pd.Series | None:
    """The card's trend when it has one to draw (two points or more), else None
    (analytics.snapshots works the series out the same way for a frozen card)."""
    series = snapshots.spark_series(ind, result)
    return series if series is not None and len(series) >= 2 else None


@st.cache_data(show_spinner=False, max_entries=64)
def scoreboard_pictures(workspace_id: int, as_of: date | None) -> dict[str, str]:
    """Each Scoreboard card's trend as its picture (`figures.sparkline_svg`), by indicator id:
    drawn once per set of results (cached beside `scoreboard`, cleared with it), not on
    every rerun. A card without a trend has none."""
    out: dict[str, str] = {}
    for ind_id, result in scoreboard(workspace_id, as_of).items():
        series = trend_of(indicators.get(ind_id), result)
        if series is not None:
            out[ind_id] = figures.sparkline_svg(series)
    return out


# A card's sparkline as a snapshot freezes it, built once per trend (see ui/figure_cache.py).
spark_figure = figure_cache.once(charts.sparkline)


def card(
    ind: Indicator,
    result: Result,
    currency: str,
    *,
    link: bool = False,
    picture: str | None = None,
    workspace_id: int | None = None,
    place: str | None = None,
) -> None:
    """One indicator: status (icon + word), label, value, the coaching message, why, what next.

    `picture` is the card's trend, drawn small under the value (Scoreboard): an SVG from
    `scoreboard_pictures`, not a Plotly chart, so the Scoreboard's first view loads no Plotly
    at all. A snapshot freezes the same points as a Plotly line, worked out and built only
    when Share is pressed (`capture.card_block`). `workspace_id` (the sidebar's when not given)
    and `place` ("Scoreboard"; the card's area page when not given) are where the card is,
    for its "Add to issues list".
    """
    with st.container(border=True):
        left, right = st.columns([3, 1])
        with left:
            # Messages quote customer and people names from the owner's files: shown inert.
            # One element for both paragraphs (a Scoreboard draws 26 cards on every rerun).
            st.markdown(
                f"**{plain(ind.label)}** · {status_text(result.status)}\n\n{plain(result.message)}"
            )
        with right:
            st.metric(
                ind.label, value_text(ind, result.value, currency), label_visibility="collapsed"
            )
            if picture is not None:
                st.image(picture, width="stretch")
            target = page_file(ind.page) if link else None
            if target:
                from ui.sections import SECTION_PARAM, tab_of  # it draws cards with this module

                tab = tab_of(ind.id)
                st.page_link(
                    target,
                    label=f"Open {areas.page(ind.page).title}",
                    icon="➡️",
                    # straight to the figure's own tab
                    query_params={SECTION_PARAM: tab} if tab else None,
                )
            # A red or amber figure can go on the business's issues list for the next review.
            ui_issues_list.add_figure_action(
                ind,
                result,
                currency,
                place=place,
                workspace_id=workspace_id,
            )
        with st.expander("Why this matters" + (" · what to do" if ind.next_step else "")):
            why = plain(ind.description)
            if ind.next_step and result.status != "green":
                why += "\n\n**What to do next:** " + plain(ind.next_step)
            st.markdown(why)
    capture.later(capture.card_block, ind, result, currency, picture is not None)


def unknown_note(result: Result) -> None:
    """Why a figure cannot be shown, and what data would fix it (instead of a zero)."""
    capture.notice(plain(result.message), "info")


def details_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows) if rows else pd.DataFrame()


def headline(
    inds: dict[str, Indicator], results: dict[str, Result], currency: str, per_row: int = 5
) -> None:
    """The page's headline numbers: one per indicator, in rows of at most `per_row`, each with
    its status in words under it."""
    listed = list(inds.values())
    capture.metrics(
        snapshots.headline_items(listed, results, currency),
        per_row,
        [i.description for i in listed],
    )


def next_steps(inds: dict[str, Indicator], results: dict[str, Result], all_clear: str) -> None:
    """'What to do next': each figure that is not green, worst first, with its next step and
    the checklists that address it."""
    capture.header("What to do next")
    lines = snapshots.next_step_lines(list(inds.values()), results)
    if not lines:
        capture.notice(all_clear, "success")
    else:
        st.markdown("\n".join(f"- {line}" for line in lines))
        capture.later(snapshots.steps_block, lines)
        if page_file("reset"):
            st.page_link(
                "pages/reset.py", label="Work through a checklist in Hard reset", icon="🧰"
            )
