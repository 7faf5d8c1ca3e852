"""Home: the first-run welcome on an empty store, else what is loaded and what to load next."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import asof
from analytics.entities import ENTITIES
from ui import guide, sidebar
from ui import indicators as ui_ind
from ui import notes as ui_notes
from ui import store as ui_store
from ui.format import count, day, plain, span, years_between
from ui.widgets import demo_button

ctx = sidebar.current()
ws = ctx.workspace
counts = ui_store.entity_counts(ws.id) if ws else {}

if ui_store.store_is_empty() or ws is None:
    st.title("Welcome to Opening Day")
    st.markdown(
        "An honest look at your business, from the data you already have. Load a few exports "
        "from your accounting, CRM, timesheet and helpdesk tools, and Opening Day shows where "
        "you stand: your pace, your niches, which customers fit you, and where sales and "
        "delivery pull against each other. Everything stays on this computer."
    )
    left, right = st.columns(2, border=True)
    with left:
        st.subheader("Look around first", anchor=False)
        st.markdown(
            "The demo business is a made-up IT service provider with about four years of "
            "history. It takes a few seconds to build."
        )
        demo_button("home_demo")
    with right:
        st.subheader("Bring your own data", anchor=False)
        st.markdown(
            "Upload CSV, Excel or Parquet exports. Opening Day recognises the usual column "
            "names and lets you correct them before anything is saved."
        )
        st.page_link("pages/data.py", label="Import your own data", icon="📥")
    st.subheader("What to load", anchor=False)
    st.markdown(
        "Six kinds of data, each optional. **Invoices** alone already show revenue, niches "
        "and your best customers; each of the others adds its own part of the picture."
    )
    st.table(guide.what_to_load(), hide_index=True)
    st.stop()

loaded = [name for name in guide.SUGGESTED_ORDER if counts.get(name, 0) > 0]
missing = [name for name in guide.SUGGESTED_ORDER if counts.get(name, 0) == 0]
ranges = ui_store.data_range(ws.id).set_index("entity")

st.title(plain(ws.display_name))
if not loaded:
    st.markdown("This workspace is empty. Import your exports on the Data page to fill it.")
    st.page_link("pages/data.py", label="Import your data", icon="📥")
    st.subheader("What to load", anchor=False)
    st.table(guide.what_to_load(), hide_index=True)
    st.stop()

st.markdown(plain(ui_ind.as_of_line(ctx, None)))
ends = asof.ends_from_range(ranges.reset_index(), asof.WORDS)
for source, gap in asof.stale(ends):
    latest = ends[0]
    st.warning(
        f"**Stale:** your {asof.WORDS[source.entity]} end on {day(source.last)}, "
        f"{count(gap)} days before your {asof.WORDS[latest.entity]} "
        f"({day(latest.last)}). Figures from them count to their own last day; import a "
        f"newer {asof.WORDS[source.entity]} export to bring them level.",
        icon="⚠️",
    )

first = pd.to_datetime(ranges["first"]).min()
last = pd.to_datetime(ranges["last"]).max()
a, b, c, d = st.columns(4)
a.metric("Kinds of data loaded", f"{len(loaded)} of {len(guide.SUGGESTED_ORDER)}")
b.metric("History covered", years_between(first, last), help=f"{span(first, last)}")
c.metric("Customers", count(counts.get("customers", 0)))
d.metric("Invoice lines", count(counts.get("invoices", 0)))

st.subheader("What is loaded", anchor=False)
rows = []
for name in guide.SUGGESTED_ORDER:
    n = counts.get(name, 0)
    has_dates = name in ranges.index and n > 0
    rows.append(
        {
            "Data": ENTITIES[name].label,
            "Status": "✅ Loaded" if n else "➖ Not loaded",
            "Rows": n,
            "From": day(ranges.at[name, "first"]) if has_dates else "—",
            "To": day(ranges.at[name, "last"]) if has_dates else "—",
        }
    )
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    width="stretch",
    column_config={"Rows": st.column_config.NumberColumn(format="localized")},
)

latest = ui_store.batches(ws.id)
if latest:
    b0 = latest[0]
    st.caption(
        f"Last import: {b0.entity.replace('_', ' ')} from {plain(b0.file_name)}, "
        f"{day(b0.created_at)}."
    )

st.subheader("Data checks", anchor=False)
flagged = ui_store.data_checks(ws.id)
if flagged.empty:
    st.markdown("✅ Every imported row passed the data checks.")
else:
    st.markdown(
        f"{count(int(flagged['n'].sum()))} imported rows look wrong. They are kept as they came "
        "(fix the file and replace its import on the Data page), and the figures they would "
        "distort leave them out."
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Data": [ENTITIES[e].label for e in flagged["entity"]],
                "Check": flagged["label"],
                "Rows": flagged["n"],
                "First rows": [
                    "; ".join(f"row {r}: {d}" for r, d in zip(rows, details, strict=True))
                    for rows, details in zip(
                        flagged["first_rows"], flagged["first_details"], strict=True
                    )
                ],
                "Left out of": flagged["left_out"],
                "Files": flagged["files"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"Rows": st.column_config.NumberColumn(format="localized")},
    )

ui_notes.home_section(ws.id, ctx.as_of)

st.subheader("What's next", anchor=False)
if missing:
    st.markdown("Each kind of data you add opens another part of the picture:")
    for name in missing:
        st.markdown(f"- **{ENTITIES[name].label}** — {guide.UNLOCKS[name]}")
    st.page_link("pages/data.py", label="Import more data", icon="📥")
else:
    st.markdown("✅ All six kinds of data are loaded.")
st.page_link(
    "pages/scoreboard.py", label="See every indicator on the scoreboard, reds first", icon="🏁"
)
if ctx.last_data_date is not None:
    stale_days = (pd.Timestamp.today().normalize() - pd.Timestamp(ctx.last_data_date)).days
    if stale_days > 45:
        st.info(
            f"Your latest data is from {day(ctx.last_data_date)}, {count(stale_days)} days ago. "
            "Import this month's exports to keep the figures current.",
            icon="ℹ️",
        )
