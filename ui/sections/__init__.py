"""An area page drawn from the registries: its header, headline, one section per indicator.

Every area page (Pace, Niche growth, Customer fit, Sales vs tech) is `area_page(<id>)`:
the heading and intro from `analytics.areas`, the empty state, the share control, the
headline numbers and the "as of" line, then one section per registered indicator of the
area, what to do next and the link to Settings. The page's notes on the timeline
(`ui.notes.timeline`) come before the sections, so every chart of the page shows them.

A section is the default one (the indicator's heading and its card) unless the module
`ui.sections.<area>` registers a renderer for its id in `SECTIONS` (id → render). A
renderer may draw several cards (two side by side): it names the others in `ALSO_DRAWS`
(id → ids), and they get no section of their own. The page's order is `SECTIONS`' order,
then every other indicator of the area in registry order, so a new indicator needs no code
here: it gets the default section.

Each section is a tab, labelled with its indicator's label (or the module's `TAB_LABELS`
entry), and only the open tab is drawn: a page of ten charts drew all ten on every visit
(3.7 s on a first visit at the large demo, most of it the browser drawing), where the owner
reads one question at a time under the headline of every figure. The open tab is kept in the
URL (`?section=<label>`; none for the one a page opens on: the first holding a figure that
could be worked out, `opening_tab`), so a copied link reopens it. A snapshot, a
review pack and the warm-up draw every tab (`capture.whole_page`), one after the other.

The area module may also define, each optional:
- `gate(ctx)`: a check before anything is computed (stops the page with what to load);
- `prepare(page)`: the page's filters and shared frames, after the headline (may stop);
- `EXTRA_TABS`: sections that are no indicator's (tab label → render), tabs after the
  indicators' ones;
- `footer(page)`: lines after what to do next.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from types import ModuleType
from typing import Any

import streamlit as st

from analytics import areas, indicators
from analytics.areas import Area
from analytics.indicators import Indicator, Result
from analytics.store import Workspace
from ui import capture, share, sidebar
from ui import indicators as ui_ind
from ui import notes as ui_notes
from ui import store as ui_store
from ui.format import plain
from ui.sidebar import Context
from ui.widgets import registered_header, stop_unless


@dataclass
class AreaPage:
    """What every section of an area page reads: the business, its day and the results."""

    area: Area
    ctx: Context
    workspace: Workspace
    currency: str
    settings: dict[str, Any]
    results: dict[str, Result]
    inds: dict[str, Indicator]
    # The area's own filters and frames, set by its `prepare` (see ui/sections/<area>.py).
    state: Any = None

    def card(self, ind_id: str) -> Result:
        """The indicator's card; returns its result for the rest of the section."""
        result = self.results[ind_id]
        ui_ind.card(self.inds[ind_id], result, self.currency, workspace_id=self.workspace.id)
        return result

    def next_step(self, ind_id: str) -> None:
        """The indicator's next step under its section, when it is not green."""
        ind = self.inds[ind_id]
        if self.results[ind_id].status in ("red", "amber") and ind.next_step:
            capture.markdown(f"**What to do next:** {plain(ind.next_step)}")


Render = Callable[[AreaPage], None]

# The URL parameter (and session-state key) holding an area page's open tab.
SECTION_PARAM = "section"


@dataclass(frozen=True)
class Tab:
    """One section of an area page: its tab's label, the indicators whose cards it draws
    (none for a section that is no indicator's) and what draws it."""

    label: str
    ids: tuple[str, ...]
    render: Render


def default_section(page: AreaPage, ind_id: str) -> None:
    """An indicator without a renderer of its own: its heading and its card."""
    capture.header(page.inds[ind_id].section_heading)
    page.card(ind_id)


def custom(area_id: str) -> ModuleType | None:
    """The area's own sections (`ui.sections.<area>`), if it has any."""
    name = f"{__name__}.{area_id}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def renderers(module: ModuleType | None) -> dict[str, Render]:
    found: dict[str, Render] = getattr(module, "SECTIONS", {}) if module else {}
    return found


def hook(module: ModuleType | None, name: str) -> Callable[..., None] | None:
    found: Callable[..., None] | None = getattr(module, name, None) if module else None
    return found


def order(area_id: str, sections: dict[str, Render]) -> list[str]:
    """The area's indicators in page order: the renderers' order, then the rest."""
    ids = [i.id for i in indicators.in_area(area_id)]
    return [i for i in sections if i in ids] + [i for i in ids if i not in sections]


def tabs(area_id: str, module: ModuleType | None) -> list[Tab]:
    """The area page's sections in page order, each with its tab's label and the indicators
    it draws: every indicator of the area in exactly one."""
    labels: dict[str, str] = getattr(module, "TAB_LABELS", {}) if module else {}
    also: dict[str, tuple[str, ...]] = getattr(module, "ALSO_DRAWS", {}) if module else {}
    extra: dict[str, Render] = getattr(module, "EXTRA_TABS", {}) if module else {}
    sections = renderers(module)
    found: list[Tab] = []
    taken: set[str] = set()
    for ind_id in order(area_id, sections):
        if ind_id in taken:
            continue
        ids = (ind_id, *also.get(ind_id, ()))
        taken.update(ids)
        render = sections.get(ind_id) or partial(default_section, ind_id=ind_id)
        found.append(Tab(labels.get(ind_id) or indicators.get(ind_id).label, ids, render))
    return found + [Tab(label, (), render) for label, render in extra.items()]


def open_shared(page_id: str, empty: str) -> Context:
    """The setup every page a snapshot can freeze shares: its heading and intro from the page
    registry, the empty state (`empty`, then stop) without a business or dated data, and the
    share control. Returns the sidebar's choice."""
    registered_header(page_id)
    ctx = sidebar.current()
    stop_unless(ctx.workspace is not None and ctx.as_of is not None, empty)
    share.control(page_id, ctx)
    return ctx


def open_page(area_id: str, module: ModuleType | None) -> AreaPage:
    """The page's header, empty state and share control (and the area's `gate`), then its
    results, headline numbers and "as of" line."""
    area = areas.area(area_id)
    ctx = open_shared(area_id, area.empty)
    assert ctx.workspace is not None
    gate = hook(module, "gate")
    if gate is not None:
        gate(ctx)
    ws = ctx.workspace
    page = AreaPage(
        area=area,
        ctx=ctx,
        workspace=ws,
        currency=ui_store.currency(ws.id),
        settings=ui_store.settings(ws.id),
        results=ui_ind.for_page(ctx, area_id),
        inds={i.id: i for i in indicators.in_area(area_id)},
    )
    ui_ind.headline(page.inds, page.results, page.currency)
    line = ui_ind.as_of_line(ctx, area_id)
    capture.caption(f"{line} {area.as_of_note}" if area.as_of_note else line)
    return page


def opening_tab(page: AreaPage, shown: list[Tab]) -> str | None:
    """The tab a page opens on without a `section` in its link: the first that holds a figure
    worked out, rather than one that can only say what data is missing (on a business that
    loaded only its deals, Sales vs tech opens on the deals to cut loose); None (the first
    tab) when no figure could be worked out."""
    known = (t for t in shown if any(page.results[i].status != "unknown" for i in t.ids))
    return next((t.label for t in known), None)


def tab_of(ind_id: str) -> str | None:
    """The label of the tab that draws indicator `ind_id` on its area's page (a link's
    `section`), or None when it is on no area page."""
    area_id = indicators.get(ind_id).page
    if area_id not in {a.id for a in areas.AREAS}:
        return None
    return next((t.label for t in tabs(area_id, custom(area_id)) if ind_id in t.ids), None)


def area_page(area_id: str) -> AreaPage:
    """The whole area page: every registered indicator of the area gets its section."""
    module = custom(area_id)
    page = open_page(area_id, module)
    # The notes about this page (or the whole business): listed, then on every chart below.
    ui_notes.timeline(page.workspace.id, area_id, page.ctx.as_of)
    prepare = hook(module, "prepare")
    if prepare is not None:
        prepare(page)
    shown = tabs(area_id, module)
    whole = capture.whole_page()
    containers = st.tabs(
        [t.label for t in shown],
        key=SECTION_PARAM,
        bind="query-params",
        width="stretch",
        default=opening_tab(page, shown),
    )
    for tab, container in zip(shown, containers, strict=True):
        if not (whole or container.open):
            continue  # drawn when the owner opens it
        with container:
            tab.render(page)
    ui_ind.next_steps(page.inds, page.results, page.area.all_clear)
    footer = hook(module, "footer")
    if footer is not None:
        footer(page)
    if page.area.settings_link:
        st.page_link(areas.page("settings").file, label=page.area.settings_link, icon="⚙️")
    return page
