"""The Customer fit page's profit whale section: the card, the whale curve, the customers in
the tail (those who cost more to serve than they pay) and what to do about them, in the
owner's numbers. `render_profit_whale` is an entry of ui/sections/fit.py's SECTIONS."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from analytics.indicators.fit import tail_advice
from ui import capture, whale_charts
from ui.format import plain, safe_csv
from ui.sections import AreaPage
from ui.widgets import renamed_table

IND_ID = "profit_whale"
TAIL_HEADINGS = {
    "customer": "Customer",
    "segment": "Segment",
    "revenue": "Revenue (12 m)",
    "invoice_cost": "Invoice costs",
    "delivery_cost": "Delivery time cost",
    "support_cost": "Support time cost",
    "cost": "Cost to serve",
    "profit": "Profit",
}
MONEY_COLUMNS = ("revenue", "invoice_cost", "delivery_cost", "support_cost", "cost", "profit")


def chosen_segments(page: AreaPage) -> tuple[str, ...]:
    """The segments the page's filter keeps (none when the page has no filter)."""
    segments = getattr(page.state, "segments", ())
    return tuple(segments) if isinstance(segments, tuple) else ()


def tail_table(page: AreaPage, frame: pd.DataFrame) -> None:
    """The customers who cost more than they pay, worst first, with a CSV download."""
    segments = chosen_segments(page)
    tail = frame[frame["loss_making"]].sort_values(["profit", "customer"])
    if segments:
        tail = tail[tail["segment"].isin(segments)]
    capture.subheader("The tail: customers who cost more than they pay")
    if tail.empty:
        capture.caption(
            "None in the segments chosen." if segments else "None: every customer paid their way."
        )
        return
    shown = renamed_table(
        tail[list(TAIL_HEADINGS)].round({c: 0 for c in MONEY_COLUMNS}),
        TAIL_HEADINGS,
        {TAIL_HEADINGS[c]: "localized" for c in MONEY_COLUMNS},
        long=("profit_whale_tail", "customers"),
    )
    st.download_button(
        "Download CSV",
        data=functools.partial(safe_csv, shown),
        file_name="profit-whale-tail.csv",
        mime="text/csv",
        key="fit_dl_profit_whale_tail",
        icon="⬇️",
    )
    capture.caption(
        "Cost to serve = invoice costs + hours logged to the customer at the cost rates in "
        "Settings + ticket hours at the technicians' rate. Worst first; click a heading to sort."
        + (" Only the segments chosen; the curve is the whole business." if segments else "")
    )


def render_profit_whale(page: AreaPage) -> None:
    """Which customers eat your profit: the card, the whale curve, the tail and what to do."""
    capture.header(page.inds[IND_ID].section_heading)
    r = page.card(IND_ID)
    frame = r.frame
    if frame.empty or "total_profit" not in r.details:
        return  # no revenue or no cost data: the card says what to load
    if "peak_share" in r.details:
        d = r.details
        capture.chart(
            whale_charts.whale_curve(
                whale_charts.whale_points(frame),
                int(d["customers"]),
                int(d["peak_customers"]),
                float(d["peak_share"]),
                int(d["loss_making"]),
                page.currency,
            ),
            width="stretch",
        )
        capture.caption(
            "Each customer adds their profit to the running total, most profitable first. The "
            "curve climbs above 100% (your whole profit) while customers earn you money, then "
            "falls back as the loss-making tail (shaded) gives part of it away. The flatter the "
            "whale, the less the tail costs you. Hover over the curve for each customer."
        )
    tail_table(page, frame)
    advice = tail_advice(r, page.currency)
    if advice:
        capture.markdown(f"**What to do next:** {plain(advice)}")
