"""The Pace page's cash sections: days sales outstanding month by month, and the cash
calendar (the coming 13 weeks' expected cash against the weekly costs, the customers who pay
latest and what to do next, in the owner's numbers). `render_dso_days` and
`render_cash_gap_weeks` are entries of ui/sections/pace.py's SECTIONS."""

from __future__ import annotations

import pandas as pd

from analytics.indicators.pace import cash_advice
from ui import capture, cash_charts
from ui.format import plain
from ui.sections import AreaPage
from ui.widgets import renamed_table

PAYER_HEADINGS = {
    "customer": "Customer",
    "median_days_late": "Typical days late",
    "paid_invoices": "Invoices paid (12 months)",
    "open_amount": "Open now",
}
WEEK_HEADINGS = {
    "week_start": "Week of",
    "from_invoices": "Open invoices due",
    "from_deals": "Won deals not yet invoiced",
    "from_recurring": "Recurring billing, expected",
    "expected": "Expected in",
    "costs": "Weekly costs",
    "gap": "Gap",
}


def render_dso_days(page: AreaPage) -> None:
    """How long the money takes to come in: the card and DSO at each month end."""
    ind = page.inds["dso_days"]
    capture.header(ind.section_heading)
    r = page.card("dso_days")
    if not r.known or r.frame.empty:
        return
    t = ind.thresholds_for(page.settings)
    capture.chart(cash_charts.dso_months(r.frame, t.green, t.red), width="stretch")
    capture.caption(
        "What customers owed at each month end, in days of the revenue of the 90 days before it."
    )


def render_cash_gap_weeks(page: AreaPage) -> None:
    """The cash calendar: expected cash by week and source against the weekly costs, gaps
    marked; the customers who pay latest; what to do next."""
    capture.header(page.inds["cash_gap_weeks"].section_heading)
    r = page.card("cash_gap_weeks")
    if not r.known or r.frame.empty:
        return
    costs = float(r.details["weekly_costs"])
    capture.chart(cash_charts.cash_calendar(r.frame, costs, page.currency), width="stretch")
    where = (
        "your setting"
        if r.details.get("costs_from_setting")
        else "the average of your last 13 weeks"
    )
    capture.caption(
        f"Weekly costs: {where} (Settings → Costs). Recurring billing expected: each "
        "customer billed recurring in the last 3 complete months, billed their typical "
        "monthly amount on their usual day, paid after your usual terms and their usual "
        "lateness. One-off work not invoiced yet is not in the bars, so the later weeks may "
        "read low."
    )
    weeks = r.frame.assign(gap=r.frame["hole"].map({True: "⚠ gap", False: ""}))
    renamed_table(
        weeks[list(WEEK_HEADINGS)].round(0),
        WEEK_HEADINGS,
        dict.fromkeys(
            (
                "Open invoices due",
                "Won deals not yet invoiced",
                "Recurring billing, expected",
                "Expected in",
                "Weekly costs",
            ),
            "localized",
        ),
    )
    payers = pd.DataFrame(r.details.get("late_payers") or [])
    capture.subheader("The customers who pay latest")
    if payers.empty:
        capture.caption("None: every customer paid within their terms over the last 12 months.")
    else:
        renamed_table(
            payers[list(PAYER_HEADINGS)].round({"open_amount": 0}),
            PAYER_HEADINGS,
            {"Open now": "localized", "Typical days late": "%.0f"},
        )
    advice = cash_advice(r, page.currency)
    if advice:
        capture.markdown(f"**What to do next:** {plain(advice)}")
