"""Scoreboard: where does the business stand, all figures at once, the reds first?"""

from __future__ import annotations

from datetime import date

import streamlit as st

from analytics import indicators
from ui import capture
from ui import changes as ui_changes
from ui import indicators as ui_ind
from ui import pack as ui_pack
from ui import store as ui_store
from ui.reset import scoreboard_section as reset_section
from ui.scoreboard import table, weekly
from ui.season_pace import render as season_pace
from ui.sections import open_shared
from ui.widgets import dataframe

ctx = open_shared(
    "scoreboard", "Nothing to score yet: load the demo business or your own data first."
)
ws = ctx.workspace
assert ws is not None and ctx.as_of is not None
currency = ui_store.currency(ws.id)
# What changed since the last review sits at the top but is filled in last: the figures below
# show at once while an earlier day's figures are worked out the first time.
since_box = st.container()
ui_pack.render(ctx)
day = ctx.as_of if ctx.picked_as_of else None
results = ui_ind.scoreboard(ws.id, day)
pictures = ui_ind.scoreboard_pictures(ws.id, day)

tally = {s: sum(r.status == s for r in results.values()) for s in indicators.STATUS_ORDER}
capture.metrics(
    [(ui_ind.status_text(s), str(tally[s]), "") for s in ("red", "amber", "green", "unknown")], 4
)
capture.caption(ui_ind.as_of_line(ctx, None))

area_filter = st.query_params.get("area", "all")
areas = ["all", *indicators.AREAS]
picked = st.segmented_control(
    "Area",
    areas,
    default=area_filter if area_filter in areas else "all",
    format_func=lambda a: "All areas" if a == "all" else indicators.AREAS[a],
    key="scoreboard_area",
)
picked = picked or "all"
if picked == "all":
    st.query_params.pop("area", None)
else:
    st.query_params["area"] = picked

ordered = sorted(
    results.items(),
    key=lambda kv: (
        indicators.STATUS_ORDER[kv[1].status],
        list(indicators.AREAS).index(indicators.get(kv[0]).area),
    ),
)
for ind_id, result in ordered:
    ind = indicators.get(ind_id)
    if picked != "all" and ind.area != picked:
        continue
    ui_ind.card(
        ind,
        result,
        currency,
        link=True,
        picture=pictures.get(ind_id),
        workspace_id=ws.id,
        place="Scoreboard",
    )

capture.header("Weekly scorecard")
capture.markdown(
    "The last 13 complete weeks, one row per measurable. ✓ reached the goal, ✗ missed it. "
    "Goals come from Settings, or from your own average over the year before."
)
sc = weekly(ws.id, ctx.as_of)
if sc.table.empty:
    capture.info(
        "No weekly figures yet: the scorecard needs activities, deals, invoices, tickets or timesheets.",
        icon="ℹ️",
    )
else:
    dataframe(table(ws.id, ctx.as_of, currency), hide_index=True, width="stretch")
if sc.missing:
    needs = ", ".join(f"{label} (needs {entity})" for label, entity in sc.missing.items())
    capture.caption(f"Not on the scorecard yet: {needs}.")
st.page_link("pages/settings.py", label="Set goals and thresholds", icon="⚙️")
season_pace(ws.id, ctx.as_of, currency)

# ---------------------------------------------------------------- hard reset
reset_section(ws.id, results, date.today())

with since_box:
    ui_changes.section(ws.id, ctx.as_of, ctx.picked_as_of, currency)
