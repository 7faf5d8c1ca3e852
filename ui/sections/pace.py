"""The Pace page's own sections: the charts and tables under each card (id → render)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.indicators import pace
from ui import capture, charts
from ui.sections import AreaPage, Render
from ui.sections.pace_cash import render_cash_gap_weeks, render_dso_days
from ui.widgets import people_shown, people_table, renamed_table


def prospecting(page: AreaPage) -> None:
    capture.header("Prospecting, every week")
    r = page.card("prospecting_hours")
    if r.frame.empty:
        return
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
    target = float(page.settings["prospecting_target_hours"])
    capture.chart(charts.prospecting_weeks(r.frame, target, show_weeks=shown), width="stretch")
    with st.expander("The weeks behind the chart"):
        renamed_table(
            r.frame.tail(shown).iloc[::-1],
            {
                "week_start": "Week of",
                "activity_hours": "From activities (h)",
                "time_entry_hours": "From timesheets (h)",
                "hours": "Prospecting (h)",
                "met": "Target met",
            },
        )


def order_book(page: AreaPage) -> None:
    capture.header("Order book vs cash")
    r = page.card("order_book_cover")
    if r.frame.empty or "expected_from_bookings" not in r.frame:
        return
    lag = int(r.details.get("lag_months", page.settings["order_to_cash_lag_months"]))
    capture.chart(charts.bookings_vs_revenue(r.frame.tail(36), lag, page.currency), width="stretch")
    with st.expander("The months behind the chart"):
        money = {
            "won_value": f"Won ({page.currency})",
            "revenue": f"Invoiced ({page.currency})",
            "expected_from_bookings": f"Expected from bookings ({page.currency})",
        }
        renamed_table(
            r.frame.tail(36)
            .drop(columns=["future", "typical_bookings"], errors="ignore")
            .iloc[::-1]
            .round(dict.fromkeys(money, 0)),  # money in whole units
            {
                "month": "Month",
                "won_value": money["won_value"],
                "won_deals": "Deals won",
                "revenue": money["revenue"],
                "expected_from_bookings": money["expected_from_bookings"],
                "booking_hole": "Bookings fell short",
                "cash_hole": "Cash hole",
            },
            dict.fromkeys(money.values(), "localized"),
        )


def consistency(page: AreaPage) -> None:
    capture.header("Steady selling")
    r = page.card("activity_consistency")
    if not r.frame.empty and "activities" in r.frame:
        capture.chart(
            charts.weekly_counts(r.frame, "activities", "Sales activities per week", "activities"),
            width="stretch",
        )


def workload(page: AreaPage) -> None:
    capture.header("Workload pace")
    r = page.card("workload_pace")
    if r.frame.empty:
        return
    low = float(page.settings["sustainable_hours_low"])
    high = float(page.settings["sustainable_hours_high"])
    limit = people_shown(r.frame["person"].nunique(), "pace_workload_everyone")
    rows = pace.workload_top_people(r.frame, low, high, limit)
    capture.chart(charts.workload_heatmap(rows, low, high), width="stretch")
    capture.caption(charts.people_caption(rows, "the most weeks outside the band"))
    people_table(
        r.details,
        {
            "person": "Person",
            "weeks": "Weeks logged",
            "mean_hours": "Average hours",
            "max_hours": "Longest week",
            "too_fast": "Weeks too fast",
            "too_slow": "Weeks too slow",
        },
        {"Average hours": "%.1f", "Longest week": "%.1f"},
    )


def lately(page: AreaPage) -> None:
    capture.header("What have you done for me lately?")
    r = page.card("lately_vs_lifetime")
    if not r.known:
        return
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
            renamed_table(
                moved,
                {
                    name: title[:-1],
                    "lifetime_rank": "Lifetime rank",
                    "recent_rank": "Recent rank",
                    "rank_change": "Places moved",
                },
            )


# In page order: the order book comes before steady selling here.
SECTIONS: dict[str, Render] = {
    "prospecting_hours": prospecting,
    "order_book_cover": order_book,
    "activity_consistency": consistency,
    "workload_pace": workload,
    "lately_vs_lifetime": lately,
    "dso_days": render_dso_days,
    "cash_gap_weeks": render_cash_gap_weeks,
}
