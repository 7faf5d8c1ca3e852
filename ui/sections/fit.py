"""The Customer fit page's own sections: the segment filter, then the curves, pictures and
lists under each card (id → render), with CSV downloads."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from analytics import indicators
from analytics.indicators import fit
from analytics.settings import minimum
from ui import capture, fit_charts
from ui import indicators as ui_ind
from ui import store as ui_store
from ui.format import percent, plain, safe_csv
from ui.sections import AreaPage, Render
from ui.sections.fit_whale import render_profit_whale
from ui.widgets import dataframe, first_rows

TICKET_LABELS = {
    "auto": "Complaints if marked, else all",
    "complaints": "Complaints only",
    "all": "All tickets",
}


@st.cache_data(show_spinner=False, max_entries=64)
def pareto_frames(
    workspace_id: int, day_: str | None, tickets: str, segments: tuple[str, ...]
) -> tuple[fit.Pareto, fit.Pareto]:
    con = ui_store.connection()
    picked = pd.Timestamp(day_).date() if day_ else None
    mode: fit.TicketMode = tickets if tickets in fit.TICKET_MODES else "auto"  # type: ignore[assignment]
    return (
        fit.pareto(con, workspace_id, picked, "revenue", segments=segments),
        fit.pareto(con, workspace_id, picked, "tickets", tickets=mode, segments=segments),
    )


@st.cache_data(show_spinner=False, max_entries=64)
def whole_business(workspace_id: int, day_: str | None) -> tuple[fit.Pareto, fit.Pareto]:
    """The two 80/20 curves as the cards count them, once per workspace and day."""
    found = ui_ind.for_day(workspace_id, day_, "fit")
    return (
        fit.pareto_from_ranks("revenue", found["revenue_pareto"].frame),
        fit.pareto_from_ranks(
            "tickets",
            found["ticket_pareto"].frame,
            complaints_only=bool(found["ticket_pareto"].details.get("complaints_only")),
        ),
    )


@st.cache_data(show_spinner=False, max_entries=64)
def quadrant_points(workspace_id: int, day_: str | None, chosen: tuple[str, ...]) -> pd.DataFrame:
    """The value-vs-burden chart's points (summarised in SQL), once per workspace, day and
    choice of segments."""
    frame = ui_ind.for_day(workspace_id, day_, "fit")["customer_quadrant"].frame
    return fit.quadrant_points(in_segments(frame, chosen))


# The headings a table of customers starts with, and of a customer's revenue in the window.
CUSTOMER: dict[str, str] = {"customer": "Customer", "segment": "Segment"}
REVENUE_12M = "Revenue (12 m)"


def table(
    frame: pd.DataFrame,
    columns: dict[str, str],
    *,
    money: tuple[str, ...] = (),
    shares: tuple[str, ...] = (),
    hours: tuple[str, ...] = (),
    dates: tuple[str, ...] = (),
    csv: str | None = None,
    noun: str = "customers",
) -> None:
    """A sortable table of `columns` (name → heading), money in whole units; with a CSV
    download (exact values, cells safe from formula injection) when `csv` names the file.
    A long table with a download shows its first rows until the owner asks for all
    (`widgets.first_rows`); the CSV always has every row."""
    shown = frame[list(columns)].rename(columns=columns)
    config = {columns[c]: st.column_config.NumberColumn(format="localized") for c in money}
    config |= {columns[c]: st.column_config.NumberColumn(format="percent") for c in shares}
    config |= {columns[c]: st.column_config.NumberColumn(format="%.1f") for c in hours}
    config |= {columns[c]: st.column_config.DateColumn(format="D MMM YYYY") for c in dates}
    dataframe(
        (first_rows(shown, csv, noun) if csv else shown).round({columns[c]: 0 for c in money}),
        hide_index=True,
        width="stretch",
        column_config=config,  # type: ignore[arg-type]
    )
    if csv:
        st.download_button(
            "Download CSV",
            # Built when the owner clicks, not on every rerun (seven tables on this page).
            data=functools.partial(safe_csv, shown),
            file_name=f"{csv}.csv",
            mime="text/csv",
            key=f"fit_dl_{csv}",
            icon="⬇️",
        )


def in_segments(frame: pd.DataFrame, chosen: tuple[str, ...]) -> pd.DataFrame:
    if not chosen or frame.empty or "segment" not in frame:
        return frame
    return frame[frame["segment"].isin(chosen)]


@dataclass(frozen=True)
class View:
    """The chosen segments and the day the page's own frames are cached for."""

    segments: tuple[str, ...]
    day_key: str | None

    def only(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of the chosen segments (all rows when none is chosen)."""
        return in_segments(frame, self.segments)


def view(page: AreaPage) -> View:
    assert isinstance(page.state, View)
    return page.state


def prepare(page: AreaPage) -> None:
    """Stop with what to load when there is no revenue; else the segment filter (kept in the
    URL, so a copied link reopens the same view)."""
    pareto_result = page.results["revenue_pareto"]
    if pareto_result.status == "unknown" and pareto_result.frame.empty:
        ui_ind.unknown_note(pareto_result)
        st.page_link("pages/data.py", label="Import invoices (and tickets, timesheets)", icon="📥")
        st.stop()
    as_of = page.ctx.as_of if page.ctx.picked_as_of else None
    churn = page.results["churn_rate"].frame
    all_segments = sorted(
        set(pareto_result.frame.get("segment", pd.Series(dtype=str)).astype(str))
        | set(churn.get("segment", pd.Series(dtype=str)).astype(str))
    )
    wanted = [s for s in st.query_params.get_all("segment") if s in all_segments]
    picked = st.multiselect(
        "Segments",
        all_segments,
        default=wanted,
        placeholder="All segments",
        key="fit_segments",
        help="Shows only these segments' customers in the charts and lists below. The headline "
        "figures stay for the whole business.",
    )
    st.query_params["segment"] = picked
    page.state = View(tuple(picked), as_of.isoformat() if as_of else None)
    if picked:
        capture.info(
            "Showing the customers of " + plain(", ".join(picked)) + " only; the 80/20 curves "
            "rank them among themselves.",
            icon="🔎",
        )


def pareto_curve(p: fit.Pareto, title: str, noun: str, min_top4: int) -> None:
    """One 80/20 curve, or why this choice has none."""
    if p.empty and noun != "revenue":
        capture.info(
            f"No {noun} in the last 12 months for this choice. Load your support tickets "
            "(opened date, customer, type) to see who raises them.",
            icon="ℹ️",
        )
    elif p.customers < fit.MIN_CUSTOMERS:
        raised = "with revenue" if noun == "revenue" else f"raised {noun}"
        capture.info(
            f"{p.customers} customers {raised} in the last 12 months for this "
            f"choice: an 80/20 curve needs at least {fit.MIN_CUSTOMERS}.",
            icon="ℹ️",
        )
    else:
        capture.chart(fit_charts.pareto_curve(p, title, noun, min_top4=min_top4), width="stretch")


def pareto(page: AreaPage) -> None:
    """Who brings the revenue, who brings the trouble: both 80/20 cards side by side."""
    v = view(page)
    capture.header("Who brings the revenue, who brings the trouble?")
    ticket_param = st.query_params.get("tickets", "auto")
    tickets = (
        st.segmented_control(
            "Tickets counted in the right-hand curve",
            list(TICKET_LABELS),
            default=ticket_param if ticket_param in TICKET_LABELS else "auto",
            format_func=lambda mode: TICKET_LABELS[mode],
            key="fit_tickets",
        )
        or "auto"
    )
    if tickets == "auto":
        st.query_params.pop("tickets", None)
    else:
        st.query_params["tickets"] = tickets
    if v.segments or tickets != "auto" or page.results["ticket_pareto"].frame.empty:
        revenue_p, ticket_p = pareto_frames(page.workspace.id, v.day_key, tickets, v.segments)
    else:  # the whole business, as the cards count it
        revenue_p, ticket_p = whole_business(page.workspace.id, v.day_key)
    cards = st.columns(2)
    with cards[0]:
        page.card("revenue_pareto")
    with cards[1]:
        page.card("ticket_pareto")
    noun = "complaints" if ticket_p.complaints_only else "tickets"
    min_top4 = minimum(page.settings, "min_customers_top4")
    charts = st.columns(2)
    with charts[0]:
        pareto_curve(revenue_p, "Revenue: the 80/20 curve", "revenue", min_top4)
    with charts[1]:
        pareto_curve(ticket_p, f"{noun.capitalize()}: the 80/20 curve", noun, min_top4)
    tables = st.columns(2)
    with tables[0]:
        top20_table(
            revenue_p,
            "revenue",
            {"value": REVENUE_12M, "share": "Share", "cumulative_share": "Running total"},
            money=("value",),
            shares=("share", "cumulative_share"),
            csv="top-customers-by-revenue",
        )
    with tables[1]:
        top20_table(
            ticket_p,
            noun,
            {"value": noun.capitalize(), "hours": "Hours", "share": "Share"},
            hours=("hours",),
            shares=("share",),
            csv=f"top-customers-by-{noun}",
        )


def top20_table(p: fit.Pareto, noun: str, figures: dict[str, str], **formats: Any) -> None:
    """The customers of one 80/20 curve's top 20% (rank, customer, segment, then `figures`)
    in an expander, when the curve has enough customers to be drawn."""
    if p.customers < fit.MIN_CUSTOMERS:
        return
    with st.expander(f"The top {p.k20:,} customers by {noun} (the top 20%)"):
        columns = {"rank": "Rank", **CUSTOMER} | figures
        table(p.ranks[p.ranks["top20"]], columns, **formats)


def quadrant(page: AreaPage) -> None:
    v = view(page)
    capture.header("Worth it? What each customer pays against what they ask")
    r = page.card("customer_quadrant")
    if not r.known or r.frame.empty:
        return
    basis = str(r.details.get("burden_basis", "tickets"))
    shown = v.only(r.frame)
    points = quadrant_points(page.workspace.id, v.day_key, v.segments)
    capture.chart(fit_charts.value_vs_burden(points, basis, page.currency), width="stretch")
    capture.caption(
        fit_charts.quadrant_caption(points)
        + plain(r.details.get("burden_note", ""))
        + " Both scales are logarithmic: each step is ten times the one before. Hover over a dot "
        "for the customer."
    )
    summary = pd.DataFrame(r.details.get("quadrants", []))
    if not summary.empty:
        summary["meaning"] = summary["quadrant"].map(fit.QUADRANT_MEANING)
        table(
            summary,
            {
                "label": "Group",
                "meaning": "What it means",
                "customers": "Customers",
                "revenue": REVENUE_12M,
                "revenue_share": "Share of revenue",
            },
            money=("revenue",),
            shares=("revenue_share",),
        )
    with st.expander("Every customer in the picture"):
        table(
            shown.assign(group=shown["quadrant"].map(fit.QUADRANTS)),
            {
                **CUSTOMER,
                "group": "Group",
                "revenue": REVENUE_12M,
                "tickets": "Tickets",
                "ticket_hours": "Ticket hours",
            },
            money=("revenue",),
            hours=("ticket_hours",),
            csv="value-vs-burden",
        )


def margins(page: AreaPage) -> None:
    capture.header("Who costs more than they pay?")
    r = page.card("loss_making_customers")
    if not r.known:
        return
    # The lists behind the cards are the indicators' own frames: nothing is counted twice.
    shown = view(page).only(r.frame)
    losers = shown[shown["loss_making"]]
    if not losers.empty:
        capture.chart(fit_charts.margins(losers, page.currency), width="stretch")
    table(
        shown,
        {
            **CUSTOMER,
            "revenue": REVENUE_12M,
            "invoice_cost": "Invoice costs",
            "hours": "Hours logged",
            "time_cost": "Time cost",
            "margin": "Margin",
            "loss_making": "Loses money",
        },
        money=("revenue", "invoice_cost", "time_cost", "margin"),
        hours=("hours",),
        csv="customer-margins",
    )
    capture.caption(
        "Margin = revenue − invoice costs − hours logged to the customer at the cost rates in "
        "Settings. Worst first; click a column heading to sort."
    )


def churn(page: AreaPage) -> None:
    v = view(page)
    capture.header("Who stopped buying?")
    r = page.card("churn_rate")
    if not r.known:
        return
    frame = r.frame
    capture.chart(
        fit_charts.churn_years(fit.churn_by_year(frame), fit.CHURN_REFERENCE), width="stretch"
    )
    capture.subheader("Customers lost in the last 12 months")
    table(
        v.only(frame[(frame["k"] == 0) & frame["churned"]]),
        {
            **CUSTOMER,
            "revenue_prior": "Revenue the year before",
            "last_invoice": "Last invoice",
        },
        money=("revenue_prior",),
        dates=("last_invoice",),
        csv="customers-lost",
    )
    capture.subheader("Churn by segment")
    table(
        fit.churn_by_segment(v.only(frame)),
        {
            "segment": "Segment",
            "customers": "Customers the year before",
            "churned": "Lost",
            "churn": "Churn",
            "revenue_lost": "Revenue lost",
        },
        money=("revenue_lost",),
        shares=("churn",),
    )


def contact(page: AreaPage) -> None:
    capture.header("Who hasn't heard from you lately?")
    r = page.card("contact_gaps")
    if not r.known:
        return
    interval = int(page.settings["contact_interval_days"])
    shown = view(page).only(r.frame)
    if shown["top20"].any():
        capture.chart(fit_charts.contact_days(shown, interval, page.currency), width="stretch")
    table(
        shown.sort_values(["top20", "gap", "revenue"], ascending=[False, False, False]),
        {
            **CUSTOMER,
            "revenue": REVENUE_12M,
            "top20": "Top 20%",
            "last_contact": "Last contact",
            "days_since": "Days since",
            "gap": f"Not contacted in {interval} days",
        },
        money=("revenue",),
        dates=("last_contact",),
        csv="contact-recency",
    )
    capture.caption(
        f"Every customer with revenue in the last 12 months, top customers first; an empty last "
        f"contact means no activity names them. The interval ({interval} days) is set in Settings."
    )


def profile(page: AreaPage) -> None:
    capture.header("What does an ideal customer look like?")
    r = page.card("ideal_profile")
    if not r.known or r.frame.empty:
        return
    eligible = r.frame[r.frame["ideal"] >= fit.MIN_IDEAL]
    capture.chart(fit_charts.lift(eligible, fit.MIN_LIFT), width="stretch")
    with st.expander("Every trait compared"):
        table(
            r.frame,
            {
                "label": "Attribute",
                "value": "Value",
                "customers": "Customers with revenue",
                "ideal": "Ideal customers",
                "share_all": "Share of all",
                "share_ideal": "Share of ideal",
                "lift": "Lift",
            },
            shares=("share_all", "share_ideal"),
            csv="ideal-profile",
        )


def benchmarks(page: AreaPage) -> None:
    """Two benchmark cards side by side, each with its reference range."""
    capture.header("Benchmarks for a service business")
    capture.markdown(
        "Two figures lenders, buyers and peers look at first, against ranges commonly quoted for "
        "IT and other managed service providers. Each card says exactly how it is counted."
    )
    bench = st.columns(2)
    for col, ind_id in zip(bench, ("recurring_revenue_share", "top3_concentration"), strict=True):
        ind = page.inds[ind_id]
        with col:
            r = page.card(ind_id)
            t = indicators.effective_thresholds(ind, page.settings)
            capture.chart(
                fit_charts.benchmark(r.value, t.green, t.red, ind.higher_is_better, ind.label),
                width="stretch",
            )
            strong = f"≥ {percent(t.green)}" if ind.higher_is_better else f"≤ {percent(t.green)}"
            weak = f"< {percent(t.red)}" if ind.higher_is_better else f"> {percent(t.red)}"
            yours = ui_ind.value_text(ind, r.value, page.currency)
            capture.caption(f"Strong: {strong} · weak: {weak} · yours: {yours}")


SECTIONS: dict[str, Render] = {
    "revenue_pareto": pareto,
    "profit_whale": render_profit_whale,
    "customer_quadrant": quadrant,
    "loss_making_customers": margins,
    "churn_rate": churn,
    "contact_gaps": contact,
    "ideal_profile": profile,
    "recurring_revenue_share": benchmarks,
}
# The cards a section draws beside its own, and the tabs not labelled by their indicator.
ALSO_DRAWS = {
    "revenue_pareto": ("ticket_pareto",),
    "recurring_revenue_share": ("top3_concentration",),
}
TAB_LABELS = {"revenue_pareto": "The top 20%", "recurring_revenue_share": "Benchmarks"}
