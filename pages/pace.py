"""Pace: are you selling steadily enough to keep work coming, at a pace your people can hold?"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import indicators
from analytics.indicators import pace
from ui import capture, charts, share, sidebar
from ui import indicators as ui_ind
from ui import store as ui_store
from ui.widgets import dataframe, page_header, stop_unless

page_header(
    "Pace",
    "While you deliver you are not selling, and a quiet month of prospecting becomes a hole in "
    "the cash about two months later. This page shows whether selling is steady and whether the "
    "work is being done at a pace your people can keep.",
)

ctx = sidebar.current()
stop_unless(
    ctx.workspace is not None and ctx.as_of is not None,
    "Nothing to show yet: load the demo business or your own data first.",
)
share.control("pace", ctx)

ws = ctx.workspace
currency = ui_store.currency(ws.id)
settings = ui_store.settings(ws.id)
results = ui_ind.for_page(ctx, "pace")
inds = {i.id: i for i in indicators.in_area("pace")}

ui_ind.headline(inds, results, currency)

capture.caption(
    ui_ind.as_of_line(ctx, "pace") + " Weeks are complete ISO weeks (Monday to Sunday)."
)

# ---------------------------------------------------------------- prospecting
capture.header("Prospecting, every week")
r = results["prospecting_hours"]
ui_ind.card(inds["prospecting_hours"], r, currency)
if not r.frame.empty:
    span = st.radio(
        "Weeks shown",
        ["Last 52 weeks", "All history"],
        horizontal=True,
        key="pace_weeks_shown",
        index=1 if st.query_params.get("weeks") == "all" else 0,
    )
    if (span == "All history") != (st.query_params.get("weeks") == "all"):
        if span == "All history":
            st.query_params["weeks"] = "all"
        else:
            del st.query_params["weeks"]
    shown = len(r.frame) if span == "All history" else 52
    target = float(settings["prospecting_target_hours"])
    capture.chart(charts.prospecting_weeks(r.frame, target, show_weeks=shown), width="stretch")
    with st.expander("The weeks behind the chart"):
        table = r.frame.tail(shown).rename(
            columns={
                "week_start": "Week of",
                "activity_hours": "From activities (h)",
                "time_entry_hours": "From timesheets (h)",
                "hours": "Prospecting (h)",
                "met": "Target met",
            }
        )
        dataframe(table.iloc[::-1], hide_index=True, width="stretch")

# ---------------------------------------------------------------- order book
capture.header("Order book vs cash")
r = results["order_book_cover"]
ui_ind.card(inds["order_book_cover"], r, currency)
if not r.frame.empty and "expected_from_bookings" in r.frame:
    lag = int(r.details.get("lag_months", settings["order_to_cash_lag_months"]))
    capture.chart(charts.bookings_vs_revenue(r.frame.tail(36), lag, currency), width="stretch")
    with st.expander("The months behind the chart"):
        months = r.frame.tail(36).rename(
            columns={
                "month": "Month",
                "won_value": "Won",
                "won_deals": "Deals won",
                "revenue": "Invoiced",
                "expected_from_bookings": "Expected from bookings",
                "booking_hole": "Bookings fell short",
                "cash_hole": "Cash hole",
            }
        )
        dataframe(
            months.drop(columns=["future", "typical_bookings"], errors="ignore").iloc[::-1],
            hide_index=True,
            width="stretch",
            column_config={
                c: st.column_config.NumberColumn(c, format="localized")
                for c in ("Won", "Invoiced", "Expected from bookings")
            },
        )

# ---------------------------------------------------------------- consistency
capture.header("Steady selling")
r = results["activity_consistency"]
ui_ind.card(inds["activity_consistency"], r, currency)
if not r.frame.empty and "activities" in r.frame:
    capture.chart(
        charts.weekly_counts(r.frame, "activities", "Sales activities per week", "activities"),
        width="stretch",
    )

# ---------------------------------------------------------------- workload
capture.header("Workload pace")
r = results["workload_pace"]
ui_ind.card(inds["workload_pace"], r, currency)
if not r.frame.empty:
    low, high = float(settings["sustainable_hours_low"]), float(settings["sustainable_hours_high"])
    everyone = r.frame["person"].nunique() > charts.TOP_PEOPLE and st.toggle(
        f"Show all {r.frame['person'].nunique():,} people", key="pace_workload_everyone"
    )
    rows = pace.workload_top_people(r.frame, low, high, None if everyone else charts.TOP_PEOPLE)
    capture.chart(charts.workload_heatmap(rows, low, high), width="stretch")
    capture.caption(charts.people_caption(rows, "the most weeks outside the band"))
    people = pd.DataFrame(r.details.get("people", []))
    if not people.empty:
        dataframe(
            people.rename(
                columns={
                    "person": "Person",
                    "weeks": "Weeks logged",
                    "mean_hours": "Average hours",
                    "max_hours": "Longest week",
                    "too_fast": "Weeks too fast",
                    "too_slow": "Weeks too slow",
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "Average hours": st.column_config.NumberColumn(format="%.1f"),
                "Longest week": st.column_config.NumberColumn(format="%.1f"),
            },
        )

# ---------------------------------------------------------------- lately
capture.header("What have you done for me lately?")
r = results["lately_vs_lifetime"]
ui_ind.card(inds["lately_vs_lifetime"], r, currency)
if r.known:
    left, right = st.columns(2)
    for col, key, name, title in (
        (left, "customer", "customer", "Customers"),
        (right, "salesperson", "owner", "Salespeople"),
    ):
        moved = pd.DataFrame(
            r.details.get(f"{key}_fallers", []) + r.details.get(f"{key}_risers", [])
        )
        with col:
            capture.subheader(title)
            if moved.empty:
                capture.caption(f"No {title.lower()} moved much against their lifetime rank.")
                continue
            capture.chart(
                charts.rank_changes(
                    moved.sort_values("rank_change"), name, f"{title}: recent vs lifetime rank"
                ),
                width="stretch",
            )
            dataframe(
                moved.rename(
                    columns={
                        name: title[:-1],
                        "lifetime_rank": "Lifetime rank",
                        "recent_rank": "Recent rank",
                        "rank_change": "Places moved",
                    }
                ),
                hide_index=True,
                width="stretch",
            )

# ---------------------------------------------------------------- next
ui_ind.next_steps(
    inds, results, "Every pace figure is on track. Keep the weekly prospecting slot anyway."
)
st.page_link(
    "pages/settings.py", label="Adjust targets and the sustainable band in Settings", icon="⚙️"
)
