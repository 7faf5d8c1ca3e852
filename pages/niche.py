"""Niche growth: which segments carry the business, which are growing, and which are running dry?"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import indicators
from analytics.indicators import niche
from ui import capture, charts, share, sidebar
from ui import indicators as ui_ind
from ui import store as ui_store
from ui.format import day
from ui.widgets import dataframe, page_header, stop_unless

page_header(
    "Niche growth",
    "A niche you know well is a strength until it runs out of new buyers. This page shows which "
    "segments bring the revenue, which are growing, and where new customers are drying up while "
    "revenue still looks fine.",
)

ctx = sidebar.current()
stop_unless(
    ctx.workspace is not None and ctx.as_of is not None,
    "Nothing to show yet: load the demo business or your own invoices first.",
)
share.control("niche", ctx)

ws = ctx.workspace
currency = ui_store.currency(ws.id)
settings = ui_store.settings(ws.id)
results = ui_ind.for_page(ctx, "niche")
inds = {i.id: i for i in indicators.in_area("niche")}
as_of = ctx.as_of if ctx.picked_as_of else None


@st.cache_data(show_spinner=False, max_entries=64)
def frames(
    workspace_id: int, day_: str | None, grain: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    con = ui_store.connection()
    picked = pd.Timestamp(day_).date() if day_ else None
    s = ui_store.settings(workspace_id)
    return (
        niche.segment_revenue_by_period(con, workspace_id, picked, grain, settings=s),
        niche.new_customers_by_period(con, workspace_id, picked, grain, settings=s),
        niche.segment_economics(con, workspace_id, picked, s),
    )


ui_ind.headline(inds, results, currency)
capture.caption(
    ui_ind.as_of_line(ctx, "niche") + " The last 12 months are compared with the 12 before."
)

growth = results["segment_growth"]
if growth.status == "unknown" and growth.frame.empty:
    ui_ind.unknown_note(growth)
    st.page_link("pages/data.py", label="Import invoices (and customers with a segment)", icon="📥")
    st.stop()

# Filters live in the URL, so a copied link reopens the same view.
grains = ["month", "quarter", "year"]
grain_param = st.query_params.get("grain", "quarter")
left, right = st.columns([1, 2])
grain = (
    left.segmented_control(
        "Period",
        grains,
        default=grain_param if grain_param in grains else "quarter",
        key="niche_grain",
    )
    or "quarter"
)
revenue_p, new_p, economics = frames(ws.id, as_of.isoformat() if as_of else None, grain)
segments = sorted(revenue_p["segment"].astype(str).unique()) if not revenue_p.empty else []
wanted = [s for s in st.query_params.get_all("segment") if s in segments]
picked = right.multiselect(
    "Segments", segments, default=wanted, placeholder="All segments", key="niche_segments"
)
st.query_params["grain"] = grain
st.query_params["segment"] = picked
if picked:
    revenue_p = revenue_p[revenue_p["segment"].isin(picked)]
    new_p = new_p[new_p["segment"].isin(picked)]

# A period still running on the as-of day would look like a collapse: leave it out and say so.
# In the first period every customer already there when the data starts counts as "new".
day_shown = ctx.as_of
months = {"month": 1, "quarter": 3, "year": 12}[grain]
notes: list[str] = []
if not revenue_p.empty:
    starts = pd.to_datetime(revenue_p["period_start"])
    last_start = starts.max()
    if (last_start + pd.DateOffset(months=months) - pd.Timedelta(days=1)).date() > day_shown:
        revenue_p = revenue_p[starts < last_start]
        new_p = new_p[pd.to_datetime(new_p["period_start"]) < last_start]
        notes.append(f"the {grain} from {day(last_start.date())} is not over yet")
if not new_p.empty:
    first_start = pd.to_datetime(new_p["period_start"]).min()
    new_p = new_p[pd.to_datetime(new_p["period_start"]) > first_start]
    notes.append(
        f"new customers leave out the first {grain} (from {day(first_start.date())}), when every "
        "customer already there would count as new"
    )

# ---------------------------------------------------------------- growth
capture.header("Which segments are growing?")
ui_ind.card(inds["segment_growth"], growth, currency)
if not revenue_p.empty:
    capture.chart(charts.segment_revenue(revenue_p, currency, grain), width="stretch")
if notes:
    capture.caption("In the charts: " + "; ".join(notes) + ".")
if not growth.frame.empty:
    capture.chart(charts.growth_vs_share(growth.frame, currency), width="stretch")
    dataframe(
        growth.frame.rename(
            columns={
                "segment": "Segment",
                "revenue": "Revenue (12 m)",
                "revenue_prior": "Revenue (12 m before)",
                "share": "Share",
                "growth": "Growth",
                "cagr": "CAGR",
                "customers": "Customers",
                "new_customers": "New customers",
                "trend": "Trend",
            }
        ).drop(columns=["revenue_first_full", "cagr_years"], errors="ignore"),
        hide_index=True,
        width="stretch",
        column_config={
            "Revenue (12 m)": st.column_config.NumberColumn(format="localized"),
            "Revenue (12 m before)": st.column_config.NumberColumn(format="localized"),
            "Share": st.column_config.NumberColumn(format="percent"),
            "Growth": st.column_config.NumberColumn(format="percent"),
            "CAGR": st.column_config.NumberColumn(format="percent"),
        },
    )

# ---------------------------------------------------------------- saturation
capture.header("Is a niche running dry?")
ui_ind.card(inds["segment_saturation"], results["segment_saturation"], currency)
if not new_p.empty:
    capture.chart(charts.new_customers(new_p, grain), width="stretch")
sat = results["segment_saturation"].frame
if not sat.empty:
    dataframe(
        sat.drop(columns=["new_customers_by_quarter"], errors="ignore").rename(
            columns={
                "segment": "Segment",
                "falls": "Quarters of falling new customers",
                "new_customers_latest": "New customers (last quarter)",
                "revenue": "Revenue (12 m)",
                "revenue_prior": "Revenue (12 m before)",
                "growth": "Growth",
                "saturating": "Saturating",
                "watch": "Watch",
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"Growth": st.column_config.NumberColumn(format="percent")},
    )

# ---------------------------------------------------------------- concentration
capture.header("Vertical or horizontal?")
conc = results["segment_concentration"]
ui_ind.card(inds["segment_concentration"], conc, currency)
if not conc.frame.empty and "cumulative_share" in conc.frame:
    capture.chart(charts.concentration(conc.frame), width="stretch")

# ---------------------------------------------------------------- economics
capture.header("What a customer in each segment is worth")
if economics.empty:
    capture.info("No revenue in the last 12 months to compare segments on.", icon="ℹ️")
else:
    dataframe(
        economics.rename(
            columns={
                "segment": "Segment",
                "customers": "Customers",
                "revenue_per_customer": "Revenue per customer",
                "margin_per_customer": "Margin per customer",
                "tickets_per_customer": "Tickets per customer",
                "prior_customers": "Customers a year before",
                "churned": "Lost since",
                "churn": "Churn",
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Revenue per customer": st.column_config.NumberColumn(format="localized"),
            "Margin per customer": st.column_config.NumberColumn(format="localized"),
            "Tickets per customer": st.column_config.NumberColumn(format="%.1f"),
            "Churn": st.column_config.NumberColumn(format="percent"),
        },
    )
    capture.caption(
        "Margin = revenue − invoice costs − hours logged on the segment's customers at the cost "
        "rates in Settings. Churn = customers who bought in the 12 months before and not since."
    )

# ---------------------------------------------------------------- next
ui_ind.next_steps(inds, results, "Your niches look healthy. Check again next quarter.")
