"""Sales vs tech: where do sales and delivery pull against each other?"""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from analytics import indicators
from analytics.indicators import friction
from ui import capture, share, sidebar
from ui import friction_charts as charts
from ui import indicators as ui_ind
from ui import store as ui_store
from ui.charts import TOP_PEOPLE, people_caption
from ui.format import money, percent, plain, safe_csv
from ui.widgets import dataframe, page_header, stop_unless

page_header(
    "Sales vs tech",
    "Where do sales and delivery pull against each other: discounts, optimistic estimates, "
    "presales time, deals that should be dropped? Each figure below comes from your own "
    "deals and timesheets over the last 12 months.",
)

ctx = sidebar.current()
stop_unless(
    ctx.workspace is not None and ctx.as_of is not None,
    "Nothing to show yet: load the demo business or your own data first.",
)
share.control("friction", ctx)

ws = ctx.workspace
counts = ui_store.entity_counts(ws.id)
if not counts.get("deals") and not counts.get("time_entries"):
    capture.info(
        "This page needs your pipeline and your timesheets. Import deals (id, status, owner, "
        "created and closed dates, value, list value before discount, estimated and presales "
        "hours) and time entries (date, person, hours, with customer, deal id, category and "
        "billable flag where you have them).",
        icon="ℹ️",
    )
    st.page_link("pages/data.py", label="Import deals and time entries", icon="📥")
    st.stop()

currency = ui_store.currency(ws.id)
settings = ui_store.settings(ws.id)
results = ui_ind.for_page(ctx, "friction")
inds = {i.id: i for i in indicators.in_area("friction")}
picked_day = ctx.as_of.isoformat() if ctx.picked_as_of else None


@st.cache_data(show_spinner=False, max_entries=64)
def closed_deals(workspace_id: int, day_: str | None) -> pd.DataFrame:
    """Deals won or lost in the window (for the presales comparison under a filter)."""
    con = ui_store.connection()
    picked = pd.Timestamp(day_).date() if day_ else None
    c = indicators.context(con, workspace_id, picked, ui_store.settings(workspace_id))
    as_of = friction.deals_as_of(c) if c is not None else None
    if as_of is None:
        return pd.DataFrame()
    return friction.closed_deals(friction.deal_facts(con, workspace_id, as_of))


ui_ind.headline(inds, results, currency)
capture.caption(
    ui_ind.as_of_line(ctx, "friction") + " A figure's 12 months end on its day (an open "
    "deal counts by the day it was created: its expected close is a forecast)."
)

# ---------------------------------------------------------------- the salesperson filter
# Kept in the URL (?salesperson=…), so a copied link reopens the same view.


@st.cache_data(show_spinner=False, max_entries=64)
def salespeople(workspace_id: int, day_: str | None) -> list[str]:
    """Everyone who owns a deal in the page's figures (once per workspace and day)."""
    found = ui_ind.for_day(workspace_id, day_, "friction")
    columns = [
        found[i].frame["owner"]
        for i in ("discount_depth", "effort_overrun", "lost_deal_hours", "cut_and_run")
        if "owner" in found[i].frame
    ]
    if not columns:
        return []
    return sorted(pd.concat(columns).dropna().astype(str).unique().tolist())


@st.cache_data(show_spinner=False, max_entries=64)
def summaries(
    workspace_id: int, day_: str | None, chosen: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The discount boxes, their outliers and the effort chart's points, summarised in SQL
    once per workspace, day and choice of salespeople (not again on every rerun)."""
    found = ui_ind.for_day(workspace_id, day_, "friction")
    deals, effort = (only(found[i].frame, chosen) for i in ("discount_depth", "effort_overrun"))
    empty = pd.DataFrame()
    boxes = outliers = points = empty
    if "discount" in deals and not deals.dropna(subset=["discount"]).empty:
        boxes = friction.discount_boxes(deals)
        outliers = friction.discount_outliers(deals, boxes)
    if "ratio" in effort and not effort.empty:
        judged = effort.dropna(subset=["ratio"])
        judged = judged[~judged["in_delivery"]]
        if not judged.empty:
            points = friction.effort_points(judged)
    return boxes, outliers, points


def only(frame: pd.DataFrame, chosen: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """The rows of the chosen salespeople (all rows when none is chosen)."""
    if not chosen or frame.empty or "owner" not in frame:
        return frame
    return frame[frame["owner"].isin(chosen)]


owners = salespeople(ws.id, picked_day)
colours = charts.owner_colours(owners)
wanted = [o for o in st.query_params.get_all("salesperson") if o in owners]
if owners:
    chosen = st.multiselect(
        "Salespeople",
        owners,
        default=wanted,
        placeholder="All salespeople",
        key="friction_salespeople",
        help="Show only these salespeople's deals. The headline figures stay for the whole "
        "business.",
    )
    st.query_params["salesperson"] = chosen
else:
    chosen = []


def mine(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the chosen salespeople (all rows when none is chosen)."""
    return only(frame, chosen)


boxes, outliers, points = summaries(ws.id, picked_day, tuple(chosen))


def next_step(ind_id: str) -> None:
    """The indicator's next step under its section, when it is not green."""
    r = results[ind_id]
    if r.status in ("red", "amber") and inds[ind_id].next_step:
        capture.markdown(f"**What to do next:** {plain(inds[ind_id].next_step)}")


# ---------------------------------------------------------------- discounts
capture.header("Who gives the price away?")
r = results["discount_depth"]
ui_ind.card(inds["discount_depth"], r, currency)
deals = mine(r.frame)
threshold = float(r.details.get("threshold", settings["discount_threshold"]))
if r.known and not deals.dropna(subset=["discount"]).empty:
    capture.chart(
        charts.discount_by_salesperson(boxes, outliers, threshold, colours),
        width="stretch",
        key="chart_discount",
    )
    capture.caption(charts.discount_caption(boxes, outliers))
    table = friction.discount_by_owner(deals)
    dataframe(
        table.rename(
            columns={
                "owner": "Salesperson",
                "deals": "Won deals with a list value",
                "median_discount": "Median discount",
                "deep_share": f"Share over {percent(threshold)}",
                "given_away": f"Given away ({currency})",
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Median discount": st.column_config.NumberColumn(format="percent"),
            f"Share over {percent(threshold)}": st.column_config.NumberColumn(format="percent"),
            f"Given away ({currency})": st.column_config.NumberColumn(format="localized"),
        },
    )
next_step("discount_depth")

# ---------------------------------------------------------------- estimates
capture.header("Did the work take the hours it was sold on?")
r = results["effort_overrun"]
ui_ind.card(inds["effort_overrun"], r, currency)
effort = mine(r.frame)
if r.known and not effort.empty:
    judged = effort.dropna(subset=["ratio"])
    judged = judged[~judged["in_delivery"]]
    if not judged.empty:
        capture.chart(
            charts.estimate_vs_actual(points, colours), width="stretch", key="chart_effort"
        )
        dataframe(
            friction.effort_by_owner(judged).rename(
                columns={
                    "owner": "Salesperson",
                    "deals": "Won deals",
                    "median_overrun": "Median over estimate",
                    "estimated_hours": "Hours estimated",
                    "actual_hours": "Hours logged",
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "Median over estimate": st.column_config.NumberColumn(format="percent"),
                "Hours estimated": st.column_config.NumberColumn(format="%.1f"),
                "Hours logged": st.column_config.NumberColumn(format="%.1f"),
            },
        )
        capture.caption(
            charts.effort_caption(points) + " Deals with hours logged in the last "
            f"{friction.DELIVERY_QUIET_DAYS} days are still in delivery and left out."
        )
next_step("effort_overrun")

# ---------------------------------------------------------------- presales
capture.header("Does technical presales pay?")
r = results["presales_lift"]
ui_ind.card(inds["presales_lift"], r, currency)
if r.known:
    groups = friction.presales_groups(mine(closed_deals(ws.id, picked_day))) if chosen else r.frame
    if chosen:
        capture.caption(f"Deals of {plain(', '.join(chosen))} only.")
    capture.chart(charts.presales_effect(groups), width="stretch", key="chart_presales")
    dataframe(
        groups.rename(
            columns={
                "group": "Deals",
                "deals": "Closed",
                "won": "Won",
                "win_rate": "Win rate",
                "median_cycle_days": "Median days to close",
                "median_presales_hours": "Median presales hours",
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Win rate": st.column_config.NumberColumn(format="percent"),
            "Median days to close": st.column_config.NumberColumn(format="%.0f"),
            "Median presales hours": st.column_config.NumberColumn(format="%.1f"),
        },
    )
next_step("presales_lift")

# ---------------------------------------------------------------- lost deals
capture.header("Hours sunk in lost deals")
r = results["lost_deal_hours"]
ui_ind.card(inds["lost_deal_hours"], r, currency)
lost = mine(r.frame)
if r.known and not lost.empty:
    if float(lost["pursuit_hours"].sum()) > 0:
        capture.chart(
            charts.lost_hours_by_salesperson(lost, colours), width="stretch", key="chart_lost"
        )
    worst = lost[lost["pursuit_hours"] > 0].head(15)
    if not worst.empty:
        dataframe(
            worst[
                ["deal_id", "customer", "owner", "created", "closed", "days", "pursuit_hours"]
            ].rename(
                columns={
                    "deal_id": "Deal",
                    "customer": "Customer",
                    "owner": "Salesperson",
                    "created": "Created",
                    "closed": "Lost on",
                    "days": "Days open",
                    "pursuit_hours": "Hours spent",
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={"Hours spent": st.column_config.NumberColumn(format="%.1f")},
        )
next_step("lost_deal_hours")

# ---------------------------------------------------------------- cut and run
capture.header("Cut and run: open deals past their baseline")
r = results["cut_and_run"]
ui_ind.card(inds["cut_and_run"], r, currency)
stuck = mine(r.frame)
if r.known:
    bands = pd.DataFrame(r.details.get("bands", []))
    if not bands.empty:
        limits = "; ".join(
            f"{b['label']}: {b['days_limit']:.0f} days"
            + (f", {b['hours_limit']:.1f} h" if r.details.get("judged_on") != "age only" else "")
            for b in bands[bands["band"] > 0].to_dict("records")
        )
        capture.caption(
            "Size bands are the quartiles of the values of deals won in the last 12 months. "
            f"Three in four won deals of each size closed within: {plain(limits)}."
        )
    if stuck.empty:
        capture.success("No open deal is past its baseline.", icon="✅")
    else:
        if r.details.get("judged_on") == "age only":
            stuck = stuck.drop(columns=["pursuit_hours", "hours_limit"])
        shown = stuck.rename(
            columns={
                "deal_id": "Deal",
                "owner": "Salesperson",
                "customer": "Customer",
                "reason": "Past the baseline on",
                "days": "Days open",
                "days_limit": "Won deals: days",
                "pursuit_hours": "Hours spent",
                "hours_limit": "Won deals: hours",
                "value": f"Value ({currency})",
                "band_label": "Size band",
                "created": "Created",
            }
        )
        dataframe(
            shown,
            hide_index=True,
            width="stretch",
            column_config={
                f"Value ({currency})": st.column_config.NumberColumn(format="localized"),
                "Won deals: days": st.column_config.NumberColumn(format="%.0f"),
                "Won deals: hours": st.column_config.NumberColumn(format="%.1f"),
                "Hours spent": st.column_config.NumberColumn(format="%.1f"),
            },
        )
        st.download_button(
            "Download the list (CSV)",
            functools.partial(safe_csv, shown),  # built on the click, not on every rerun
            file_name=f"cut-and-run-{ctx.as_of.isoformat()}.csv",
            mime="text/csv",
            icon="⬇️",
            key="cut_and_run_csv",
        )
next_step("cut_and_run")

# ---------------------------------------------------------------- time tracking
capture.header("Is all the time tracked?")
r = results["time_tracking_coverage"]
ui_ind.card(inds["time_tracking_coverage"], r, currency)
if r.known and not r.frame.empty:
    capacity = float(r.details.get("capacity_hours_per_week", settings["capacity_hours_per_week"]))
    everyone = r.frame["person"].nunique() > TOP_PEOPLE and st.toggle(
        f"Show all {r.frame['person'].nunique():,} people", key="friction_coverage_everyone"
    )
    rows = friction.coverage_top_people(r.frame, None if everyone else TOP_PEOPLE)
    capture.chart(charts.coverage_heatmap(rows, capacity), width="stretch", key="chart_coverage")
    capture.caption(people_caption(rows, "the most hours missing"))
    people = pd.DataFrame(r.details.get("people", []))
    if not people.empty:
        dataframe(
            people.rename(
                columns={
                    "person": "Person",
                    "weeks": "Weeks counted",
                    "weeks_logged": "Weeks with hours",
                    "hours": "Hours logged",
                    "capacity": "Capacity (h)",
                    "coverage": "Coverage",
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "Coverage": st.column_config.NumberColumn(format="percent"),
                "Hours logged": st.column_config.NumberColumn(format="%.1f"),
            },
        )
next_step("time_tracking_coverage")

capture.header("Time spent improving your own business")
r = results["improvement_time_share"]
ui_ind.card(inds["improvement_time_share"], r, currency)
if r.known and not r.frame.empty:
    target = indicators.effective_thresholds(inds["improvement_time_share"], settings).green
    n_people = len(r.frame)
    everyone = n_people > TOP_PEOPLE and st.toggle(
        f"Show all {n_people:,} people", key="friction_improvement_everyone"
    )
    # The people who improve least are the ones to talk to: they lead when not everyone is shown.
    shown = r.frame if everyone else r.frame.nsmallest(TOP_PEOPLE, "improvement_share", "first")
    capture.chart(
        charts.improvement_by_person(shown, target), width="stretch", key="chart_improvement"
    )
    if len(shown) < n_people:
        capture.caption(
            f"Showing the {len(shown)} people with the smallest share of {n_people:,}; "
            "switch on “Show all” to see everyone."
        )
next_step("improvement_time_share")

# ---------------------------------------------------------------- benchmarks
capture.header("Benchmarks for a service business")
capture.caption(
    "Two common yardsticks, each with its definition and a public reference range. Your own "
    "business may differ for good reasons: read them as questions, not verdicts."
)
left, right = st.columns(2)
with left:
    r = results["billable_utilization"]
    ui_ind.card(inds["billable_utilization"], r, currency)
    ref = r.details.get("reference") or {}
    if r.known and r.value is not None and ref:
        capture.chart(
            charts.benchmark_bullet(
                r.value * 100,
                ref["low"] * 100,
                ref["high"] * 100,
                title="Billable share (reference 70–80%, shaded)",
                suffix="%",
            ),
            width="stretch",
            key="chart_utilisation",
        )
with right:
    r = results["effective_hourly_rate"]
    ui_ind.card(inds["effective_hourly_rate"], r, currency)
    ref = r.details.get("reference") or {}
    if r.known and r.value is not None and ref:
        capture.chart(
            charts.benchmark_bullet(
                r.value,
                ref["low"],
                ref["high"],
                title=f"Per customer hour (reference {money(ref['low'], currency)}–"
                f"{money(ref['high'], currency)}, shaded)",
                prefix=money(0, currency).rstrip("0"),
            ),
            width="stretch",
            key="chart_rate",
        )

# ---------------------------------------------------------------- next
ui_ind.next_steps(
    inds,
    results,
    "Sales and delivery pull the same way on every figure here. Look again next quarter.",
)
unknown = [inds[i].label for i in inds if results[i].status == "unknown"]
if unknown:
    capture.caption(
        f"Not enough data for: {plain(', '.join(unknown))}. Each card above says what to load."
    )
st.page_link(
    "pages/settings.py",
    label="Change the deep-discount line, weekly capacity and thresholds in Settings",
    icon="⚙️",
)
