"""The Niche growth page's own sections: the period and segment filters, the charts and tables
under each card (id → render), and what a customer in each segment is worth."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from analytics.indicators import niche
from ui import capture, charts
from ui import indicators as ui_ind
from ui import store as ui_store
from ui.format import day
from ui.sections import AreaPage, Render
from ui.widgets import renamed_table


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


@dataclass
class View:
    """The chosen period and segments, and the frames the charts draw."""

    grain: str
    revenue: pd.DataFrame
    new: pd.DataFrame
    economics: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def view(page: AreaPage) -> View:
    assert isinstance(page.state, View)
    return page.state


def prepare(page: AreaPage) -> None:
    """Stop with what to load when there is no revenue; else the filters (kept in the URL, so
    a copied link reopens the same view) and the frames they choose."""
    growth = page.results["segment_growth"]
    if growth.status == "unknown" and growth.frame.empty:
        ui_ind.unknown_note(growth)
        st.page_link(
            "pages/data.py", label="Import invoices (and customers with a segment)", icon="📥"
        )
        st.stop()
    ctx = page.ctx
    as_of = ctx.as_of if ctx.picked_as_of else None
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
    revenue_p, new_p, economics = frames(
        page.workspace.id, as_of.isoformat() if as_of else None, grain
    )
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

    # A period still running on the as-of day would look like a collapse: leave it out and
    # say so. In the first period every customer already there when the data starts counts
    # as "new".
    assert ctx.as_of is not None
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    notes: list[str] = []
    if not revenue_p.empty:
        starts = pd.to_datetime(revenue_p["period_start"])
        last_start = starts.max()
        if (last_start + pd.DateOffset(months=months) - pd.Timedelta(days=1)).date() > ctx.as_of:
            revenue_p = revenue_p[starts < last_start]
            new_p = new_p[pd.to_datetime(new_p["period_start"]) < last_start]
            notes.append(f"the {grain} from {day(last_start.date())} is not over yet")
    if not new_p.empty:
        first_start = pd.to_datetime(new_p["period_start"]).min()
        new_p = new_p[pd.to_datetime(new_p["period_start"]) > first_start]
        notes.append(
            f"new customers leave out the first {grain} (from {day(first_start.date())}), when "
            "every customer already there would count as new"
        )
    page.state = View(grain, revenue_p, new_p, economics, notes)


def growth(page: AreaPage) -> None:
    v = view(page)
    capture.header("Which segments are growing?")
    r = page.card("segment_growth")
    if not v.revenue.empty:
        capture.chart(charts.segment_revenue(v.revenue, page.currency, v.grain), width="stretch")
    if v.notes:
        capture.caption("In the charts: " + "; ".join(v.notes) + ".")
    if r.frame.empty:
        return
    capture.chart(charts.growth_vs_share(r.frame, page.currency), width="stretch")
    revenue, before = f"Revenue (12 m, {page.currency})", f"Revenue (12 m before, {page.currency})"
    renamed_table(
        r.frame.drop(columns=["revenue_first_full", "cagr_years"], errors="ignore").round(
            {"revenue": 0, "revenue_prior": 0}  # money in whole units
        ),
        {
            "segment": "Segment",
            "revenue": revenue,
            "revenue_prior": before,
            "share": "Share",
            "growth": "Growth",
            "cagr": "CAGR",
            "customers": "Customers",
            "new_customers": "New customers",
            "trend": "Trend",
        },
        {
            revenue: "localized",
            before: "localized",
            "Share": "percent",
            "Growth": "percent",
            "CAGR": "percent",
        },
    )


def saturation(page: AreaPage) -> None:
    v = view(page)
    capture.header("Is a niche running dry?")
    sat = page.card("segment_saturation").frame
    if not v.new.empty:
        capture.chart(charts.new_customers(v.new, v.grain), width="stretch")
    if sat.empty:
        return
    renamed_table(
        sat.drop(columns=["new_customers_by_quarter"], errors="ignore"),
        {
            "segment": "Segment",
            "falls": "Quarters of falling new customers",
            "new_customers_latest": "New customers (last quarter)",
            "revenue": "Revenue (12 m)",
            "revenue_prior": "Revenue (12 m before)",
            "growth": "Growth",
            "saturating": "Saturating",
            "watch": "Watch",
        },
        {"Growth": "percent"},
    )


def concentration(page: AreaPage) -> None:
    capture.header("Vertical or horizontal?")
    conc = page.card("segment_concentration")
    if not conc.frame.empty and "cumulative_share" in conc.frame:
        capture.chart(charts.concentration(conc.frame), width="stretch")


def economics(page: AreaPage) -> None:
    """What a customer in each segment is worth (no indicator's: a table of its own)."""
    economics = view(page).economics
    capture.header("What a customer in each segment is worth")
    if economics.empty:
        capture.info("No revenue in the last 12 months to compare segments on.", icon="ℹ️")
        return
    revenue = f"Revenue per customer ({page.currency})"
    margin = f"Margin per customer ({page.currency})"
    renamed_table(
        # money in whole units
        economics.round({"revenue_per_customer": 0, "margin_per_customer": 0}),
        {
            "segment": "Segment",
            "customers": "Customers",
            "revenue_per_customer": revenue,
            "margin_per_customer": margin,
            "tickets_per_customer": "Tickets per customer",
            "prior_customers": "Customers a year before",
            "churned": "Lost since",
            "churn": "Churn",
        },
        {
            revenue: "localized",
            margin: "localized",
            "Tickets per customer": "%.1f",
            "Churn": "percent",
        },
    )
    capture.caption(
        "Margin = revenue − invoice costs − hours logged on the segment's customers at the cost "
        "rates in Settings. Churn = customers who bought in the 12 months before and not since."
    )


SECTIONS: dict[str, Render] = {
    "segment_growth": growth,
    "segment_saturation": saturation,
    "segment_concentration": concentration,
}
# A section that is no indicator's: a tab of its own after the figures' tabs.
EXTRA_TABS: dict[str, Render] = {"What a customer is worth": economics}
