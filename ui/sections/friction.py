"""The Sales vs tech page's own sections: the salesperson filter, then the charts and tables
under each card with its next step (id → render)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analytics import indicators
from analytics.indicators import Result, friction
from ui import capture
from ui import friction_charts as charts
from ui import indicators as ui_ind
from ui import store as ui_store
from ui.charts import people_caption
from ui.format import money, percent, plain, safe_csv
from ui.sections import AreaPage, Render
from ui.sidebar import Context
from ui.widgets import people_shown, people_table, renamed_table


def gate(ctx: Context) -> None:
    """Without deals and timesheets there is nothing here: say what to load and stop."""
    assert ctx.workspace is not None
    counts = ui_store.entity_counts(ctx.workspace.id)
    if counts.get("deals") or counts.get("time_entries"):
        return
    capture.info(
        "This page needs your pipeline and your timesheets. Import deals (id, status, owner, "
        "created and closed dates, value, list value before discount, estimated and presales "
        "hours) and time entries (date, person, hours, with customer, deal id, category and "
        "billable flag where you have them).",
        icon="ℹ️",
    )
    st.page_link("pages/data.py", label="Import deals and time entries", icon="📥")
    st.stop()


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


@dataclass(frozen=True)
class View:
    """The chosen salespeople, their colours and the summaries the charts draw."""

    chosen: tuple[str, ...]
    picked_day: str | None
    colours: dict[str, str]
    boxes: pd.DataFrame
    outliers: pd.DataFrame
    points: pd.DataFrame

    def mine(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of the chosen salespeople (all rows when none is chosen)."""
        return only(frame, self.chosen)


def view(page: AreaPage) -> View:
    assert isinstance(page.state, View)
    return page.state


def opened(page: AreaPage, heading: str, indicator_id: str) -> tuple[View, Result, pd.DataFrame]:
    """A filtered section's start: its heading, its card, and the card's rows of the chosen
    salespeople."""
    v = view(page)
    capture.header(heading)
    r = page.card(indicator_id)
    return v, r, v.mine(r.frame)


def prepare(page: AreaPage) -> None:
    """The salesperson filter, kept in the URL (?salesperson=…) so a copied link reopens the
    same view, and the summaries it chooses."""
    ctx = page.ctx
    assert ctx.as_of is not None
    picked_day = ctx.as_of.isoformat() if ctx.picked_as_of else None
    owners = salespeople(page.workspace.id, picked_day)
    colours = charts.owner_colours(owners)
    wanted = [o for o in st.query_params.get_all("salesperson") if o in owners]
    chosen: list[str] = []
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
    boxes, outliers, points = summaries(page.workspace.id, picked_day, tuple(chosen))
    page.state = View(tuple(chosen), picked_day, colours, boxes, outliers, points)


def discounts(page: AreaPage) -> None:
    v, r, deals = opened(page, "Who gives the price away?", "discount_depth")
    threshold = float(r.details.get("threshold", page.settings["discount_threshold"]))
    if r.known and not deals.dropna(subset=["discount"]).empty:
        capture.chart(
            charts.discount_by_salesperson(v.boxes, v.outliers, threshold, v.colours),
            width="stretch",
            key="chart_discount",
        )
        capture.caption(charts.discount_caption(v.boxes, v.outliers))
        over = f"Share over {percent(threshold)}"
        given = f"Given away ({page.currency})"
        renamed_table(
            friction.discount_by_owner(deals),
            {
                "owner": "Salesperson",
                "deals": "Won deals with a list value",
                "median_discount": "Median discount",
                "deep_share": over,
                "given_away": given,
            },
            {"Median discount": "percent", over: "percent", given: "localized"},
        )
    page.next_step("discount_depth")


def estimates(page: AreaPage) -> None:
    v, r, effort = opened(page, "Did the work take the hours it was sold on?", "effort_overrun")
    if r.known and not effort.empty:
        judged = effort.dropna(subset=["ratio"])
        judged = judged[~judged["in_delivery"]]
        if not judged.empty:
            capture.chart(
                charts.estimate_vs_actual(v.points, v.colours), width="stretch", key="chart_effort"
            )
            renamed_table(
                friction.effort_by_owner(judged),
                {
                    "owner": "Salesperson",
                    "deals": "Won deals",
                    "median_overrun": "Median over estimate",
                    "estimated_hours": "Hours estimated",
                    "actual_hours": "Hours logged",
                },
                {
                    "Median over estimate": "percent",
                    "Hours estimated": "%.1f",
                    "Hours logged": "%.1f",
                },
            )
            capture.caption(
                charts.effort_caption(v.points) + " Deals with hours logged in the last "
                f"{friction.DELIVERY_QUIET_DAYS} days are still in delivery and left out."
            )
    page.next_step("effort_overrun")


def presales(page: AreaPage) -> None:
    v = view(page)
    capture.header("Does technical presales pay?")
    r = page.card("presales_lift")
    if r.known:
        groups = (
            friction.presales_groups(v.mine(closed_deals(page.workspace.id, v.picked_day)))
            if v.chosen
            else r.frame
        )
        if v.chosen:
            capture.caption(f"Deals of {plain(', '.join(v.chosen))} only.")
        capture.chart(charts.presales_effect(groups), width="stretch", key="chart_presales")
        renamed_table(
            groups,
            {
                "group": "Deals",
                "deals": "Closed",
                "won": "Won",
                "win_rate": "Win rate",
                "median_cycle_days": "Median days to close",
                "median_presales_hours": "Median presales hours",
            },
            {
                "Win rate": "percent",
                "Median days to close": "%.0f",
                "Median presales hours": "%.1f",
            },
        )
    page.next_step("presales_lift")


def lost_deals(page: AreaPage) -> None:
    v, r, lost = opened(page, "Hours sunk in lost deals", "lost_deal_hours")
    if r.known and not lost.empty:
        if float(lost["pursuit_hours"].sum()) > 0:
            capture.chart(
                charts.lost_hours_by_salesperson(lost, v.colours), width="stretch", key="chart_lost"
            )
        worst = lost[lost["pursuit_hours"] > 0].head(15)
        if not worst.empty:
            columns = {
                "deal_id": "Deal",
                "customer": "Customer",
                "owner": "Salesperson",
                "created": "Created",
                "closed": "Lost on",
                "days": "Days open",
                "pursuit_hours": "Hours spent",
            }
            renamed_table(worst[list(columns)], columns, {"Hours spent": "%.1f"})
    page.next_step("lost_deal_hours")


def cut_and_run(page: AreaPage) -> None:
    v, r, stuck = opened(page, "Cut and run: open deals past their baseline", "cut_and_run")
    if r.known:
        bands = pd.DataFrame(r.details.get("bands", []))
        if not bands.empty:
            limits = "; ".join(
                f"{b['label']}: {b['days_limit']:.0f} days"
                + (
                    f", {b['hours_limit']:.1f} h"
                    if r.details.get("judged_on") != "age only"
                    else ""
                )
                for b in bands[bands["band"] > 0].to_dict("records")
            )
            capture.caption(
                "Size bands are the quartiles of the values of deals won in the last 12 months. "
                f"Three in four won deals of each size closed within: {plain(limits)}."
            )
        if stuck.empty:
            capture.success("No open deal is past its baseline.", icon="✅")
        else:
            stuck_list(page, stuck, r.details.get("judged_on") == "age only")
    page.next_step("cut_and_run")


def stuck_list(page: AreaPage, stuck: pd.DataFrame, age_only: bool) -> None:
    """The open deals past their baseline, with a CSV download."""
    assert page.ctx.as_of is not None
    if age_only:
        stuck = stuck.drop(columns=["pursuit_hours", "hours_limit"])
    value = f"Value ({page.currency})"
    shown = renamed_table(
        stuck,
        {
            "deal_id": "Deal",
            "owner": "Salesperson",
            "customer": "Customer",
            "reason": "Past the baseline on",
            "days": "Days open",
            "days_limit": "Won deals: days",
            "pursuit_hours": "Hours spent",
            "hours_limit": "Won deals: hours",
            "value": value,
            "band_label": "Size band",
            "created": "Created",
        },
        {
            value: "localized",
            "Won deals: days": "%.0f",
            "Won deals: hours": "%.1f",
            "Hours spent": "%.1f",
        },
        long=("cut_and_run", "deals"),
    )
    st.download_button(
        "Download the list (CSV)",
        functools.partial(safe_csv, shown),  # built on the click, not on every rerun
        file_name=f"cut-and-run-{page.ctx.as_of.isoformat()}.csv",
        mime="text/csv",
        icon="⬇️",
        key="cut_and_run_csv",
    )


def tracking(page: AreaPage) -> None:
    capture.header("Is all the time tracked?")
    r = page.card("time_tracking_coverage")
    if r.known and not r.frame.empty:
        capacity = float(
            r.details.get("capacity_hours_per_week", page.settings["capacity_hours_per_week"])
        )
        limit = people_shown(r.frame["person"].nunique(), "friction_coverage_everyone")
        rows = friction.coverage_top_people(r.frame, limit)
        capture.chart(
            charts.coverage_heatmap(rows, capacity), width="stretch", key="chart_coverage"
        )
        capture.caption(people_caption(rows, "the most hours missing"))
        people_table(
            r.details,
            {
                "person": "Person",
                "weeks": "Weeks counted",
                "weeks_logged": "Weeks with hours",
                "hours": "Hours logged",
                "capacity": "Capacity (h)",
                "coverage": "Coverage",
            },
            {"Coverage": "percent", "Hours logged": "%.1f"},
        )
    page.next_step("time_tracking_coverage")


def improvement(page: AreaPage) -> None:
    capture.header("Time spent improving your own business")
    r = page.card("improvement_time_share")
    if r.known and not r.frame.empty:
        ind = page.inds["improvement_time_share"]
        target = indicators.effective_thresholds(ind, page.settings).green
        n_people = len(r.frame)
        limit = people_shown(n_people, "friction_improvement_everyone")
        # The people who improve least are the ones to talk to: they lead when not everyone
        # is shown.
        shown = r.frame if limit is None else r.frame.nsmallest(limit, "improvement_share", "first")
        capture.chart(
            charts.improvement_by_person(shown, target), width="stretch", key="chart_improvement"
        )
        if len(shown) < n_people:
            capture.caption(
                f"Showing the {len(shown)} people with the smallest share of {n_people:,}; "
                "switch on “Show all” to see everyone."
            )
    page.next_step("improvement_time_share")


def benchmarks(page: AreaPage) -> None:
    """Billable utilisation and the effective hourly rate side by side, each against its
    public reference range."""
    capture.header("Benchmarks for a service business")
    capture.caption(
        "Two common yardsticks, each with its definition and a public reference range. Your own "
        "business may differ for good reasons: read them as questions, not verdicts."
    )
    left, right = st.columns(2)
    with left:
        r = page.card("billable_utilization")
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
        r = page.card("effective_hourly_rate")
        ref = r.details.get("reference") or {}
        if r.known and r.value is not None and ref:
            low, high = money(ref["low"], page.currency), money(ref["high"], page.currency)
            capture.chart(
                charts.benchmark_bullet(
                    r.value,
                    ref["low"],
                    ref["high"],
                    title=f"Per customer hour (reference {low}–{high}, shaded)",
                    prefix=money(0, page.currency).rstrip("0"),
                ),
                width="stretch",
                key="chart_rate",
            )


def footer(page: AreaPage) -> None:
    """The figures that could not be worked out, in one line after what to do next."""
    unknown = [page.inds[i].label for i in page.inds if page.results[i].status == "unknown"]
    if unknown:
        capture.caption(
            f"Not enough data for: {plain(', '.join(unknown))}. Each card above says what to load."
        )


SECTIONS: dict[str, Render] = {
    "discount_depth": discounts,
    "effort_overrun": estimates,
    "presales_lift": presales,
    "lost_deal_hours": lost_deals,
    "cut_and_run": cut_and_run,
    "time_tracking_coverage": tracking,
    "improvement_time_share": improvement,
    "billable_utilization": benchmarks,
}
# The card a section draws beside its own, and the tab not labelled by its indicator.
ALSO_DRAWS = {"billable_utilization": ("effective_hourly_rate",)}
TAB_LABELS = {"billable_utilization": "Benchmarks"}
