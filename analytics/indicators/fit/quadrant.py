"""Customer fit's value-versus-burden quadrant: every customer's revenue against the support
they need, split at the medians (ideal, maintain, grow, fix or fire), and the chart's points.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from analytics import format as fmt
from analytics.indicators import common, register_entry
from analytics.indicators.base import Context, Result
from analytics.indicators.fit.base import (
    DETAIL_ROWS,
    HOURS_COVERAGE,
    QUADRANTS,
    details_start,
    first_rows,
    names,
    start,
)
from analytics.indicators.fit.eighty_twenty import ctx_kinds, ticket_kinds
from analytics.queries import query, query_frames
from analytics.settings import minimum
from analytics.store import Connection

# ---------------------------------------------------------------- customer_quadrant


def burden_basis(kinds: dict[str, Any]) -> Literal["hours", "tickets"]:
    """Ticket hours when at least 80% of the window's tickets record hours, else counts."""
    if kinds["tickets"] and kinds["with_hours"] >= HOURS_COVERAGE * kinds["tickets"]:
        return "hours"
    return "tickets"


def quadrant_frame(
    con: Connection,
    workspace_id: int,
    as_of: date | None,
    basis: Literal["hours", "tickets"] | None = None,
) -> tuple[pd.DataFrame, Literal["hours", "tickets"]]:
    """Every customer with revenue or tickets in the last 12 months to `as_of` (None: the last
    invoice date), revenue against support burden, split at the medians into ideal / grow /
    fix_or_fire / maintain; and the burden's basis ("hours" or "tickets").

    Columns: customer, revenue, tickets, ticket_hours, burden, median_revenue,
    median_burden, high_revenue, high_burden, segment, region, size_band, channel,
    has_segment, quadrant. `basis` saves a look-up when already known.
    """
    day = common.invoice_as_of(con, workspace_id, as_of) or common.END_OF_TIME
    basis = basis or burden_basis(ticket_kinds(con, workspace_id, day))
    frame = query(
        con,
        "fit_quadrant",
        {
            **common.last_year(workspace_id, day),
            "use_hours": basis == "hours",
        },
    )
    return frame, basis


def ctx_quadrant(ctx: Context, as_of: date) -> tuple[pd.DataFrame, Literal["hours", "tickets"]]:
    """`quadrant_frame` to `as_of` and its basis, once per context (quadrant and profile)."""
    basis = burden_basis(ctx_kinds(ctx, as_of))
    return common.shared(
        ctx,
        ("quadrant", as_of),
        lambda: quadrant_frame(ctx.con, ctx.workspace_id, as_of, basis),
    )


def _burden_text(basis: str, value: float) -> str:
    return (
        fmt.hours(value) + " of support" if basis == "hours" else fmt.plural(int(value), "ticket")
    )


def _quadrant_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per quadrant (all four, in order): customers, revenue, burden, revenue_share, label."""
    by = frame.groupby("quadrant")
    summary = pd.DataFrame(
        {
            "customers": by.size(),
            "revenue": by["revenue"].sum(),
            "burden": by["burden"].sum(),
        }
    ).reindex(list(QUADRANTS), fill_value=0)
    summary.index.name = "quadrant"
    summary = summary.reset_index()
    total = float(frame["revenue"].clip(lower=0).sum())
    summary["revenue_share"] = summary["revenue"] / total if total > 0 else np.nan
    summary["label"] = summary["quadrant"].map(QUADRANTS)
    return summary


def tickets_elsewhere(ctx: Context, as_of: date) -> str:
    """When tickets exist but none in the invoices' window: where they are, and the fix."""
    last = ctx.last_day("tickets")
    if last is None:
        return ""
    first = common.as_date(
        ctx.con.cursor()
        .execute("SELECT min(opened) FROM tickets WHERE workspace_id = $w", {"w": ctx.workspace_id})
        .fetchall()[0][0]
    )
    if first is None:
        return ""
    side = "after" if first > as_of else "before"
    return (
        f" Your tickets run from {fmt.day(first)} to {fmt.day(last)}, {side} the invoices' "
        f"12 months to {fmt.day(as_of)}: load invoices and tickets that cover the same year."
    )


def compute_customer_quadrant(ctx: Context) -> Result:
    ind = CUSTOMER_QUADRANT
    w = start(ctx, ind)
    as_of, currency = w.as_of, w.currency
    kinds = ctx_kinds(ctx, as_of)
    if kinds["tickets"] == 0:
        return ind.unknown(
            f"No support tickets opened in {common.window_text(as_of)}, so there is no burden to "
            "weigh revenue against."
            + (
                tickets_elsewhere(ctx, as_of)
                or " Load your tickets (opened date, customer; hours if you log them) to place "
                "every customer in the value-versus-burden picture."
            )
        )
    frame, basis = ctx_quadrant(ctx, as_of)
    with_revenue = frame[frame["revenue"] > 0]
    needed = minimum(ctx.settings, "min_cases")
    if len(with_revenue) < needed:
        return ind.unknown(
            f"Only {fmt.plural(len(with_revenue), 'customer')} with revenue in "
            f"{common.window_text(as_of)}: splitting them at the median needs at least "
            f"{needed}. Load more invoices.",
            frame,
        )
    summary = _quadrant_summary(frame)
    n_in = dict(zip(summary["quadrant"], summary["customers"].astype(int), strict=True))
    value = float(summary.loc[summary["quadrant"] == "ideal", "revenue_share"].iloc[0])
    status = ind.judge(value, ctx.settings)
    median_revenue = float(frame["median_revenue"].iloc[0])
    median_burden = float(frame["median_burden"].iloc[0])
    fire = frame[frame["quadrant"] == "fix_or_fire"].sort_values(
        ["burden", "revenue"], ascending=[False, True]
    )
    ideal = frame[frame["quadrant"] == "ideal"].sort_values("revenue", ascending=False)
    counts = ", ".join(f"{n_in[q]:,} {QUADRANTS[q].lower()}" for q in QUADRANTS)
    text = (
        f"{fmt.pct(value)} of the revenue in {common.window_text(as_of)} came from "
        f"{fmt.plural(n_in['ideal'], 'ideal customer')} (above the median "
        f"revenue of {fmt.money(median_revenue, currency)}, at or below the median burden of "
        f"{_burden_text(basis, median_burden)}). In all: {counts}."
    )
    if not ideal.empty:
        text += f" Ideal: {names(ideal['customer'].astype(str).tolist())}."
    if not fire.empty:
        worst = [
            f"{name} ({fmt.money(rev, currency)}, {_burden_text(basis, b)})"
            for name, rev, b in first_rows(fire, "customer", "revenue", "burden")
        ]
        text += f" Fix or fire first: {names(worst, len(fire))}."
    basis_note = (
        "Burden is ticket hours (at least 80% of your tickets record hours)."
        if basis == "hours"
        else "Burden is the number of tickets (fewer than 80% of your tickets record hours)."
    )
    details: dict[str, Any] = {
        **details_start(as_of),
        "burden_basis": basis,
        "burden_note": basis_note,
        "median_revenue": median_revenue,
        "median_burden": median_burden,
        "customers": len(frame),
        "quadrants": common.records(summary),
        "fix_or_fire": common.records(
            fire.head(DETAIL_ROWS)[["customer", "segment", "revenue", "tickets", "burden"]]
        ),
        "rule": (
            "Customers with revenue or tickets in the last 12 months; high = strictly above "
            "the median of those customers. Ideal = high revenue, low burden; grow = low, "
            "low; fix or fire = low revenue, high burden; maintain = high, high."
        ),
    }
    return Result(ind.id, value, status, text, details, frame)


CUSTOMER_QUADRANT = register_entry("customer_quadrant", compute=compute_customer_quadrant)


# ---------------------------------------------------------------- chart summaries

# Most customers drawn in the value-vs-burden chart; how many customers it names.
QUADRANT_POINTS = 600
QUADRANT_LABELS = 6


def quadrant_points(
    frame: pd.DataFrame,
    cap: int = QUADRANT_POINTS,
    keep: int = DETAIL_ROWS,
    labels: int = QUADRANT_LABELS,
) -> pd.DataFrame:
    """The customers the value-vs-burden chart draws (customer_quadrant rows): all of them up
    to `cap`; beyond, the named ones and those at the extremes (shown "extreme": the `keep`
    largest by revenue, heaviest burdens, first ideal and first fix-or-fire) and a stable
    every-k-th sample of the rest (shown "sample"), `cap` in all. Columns: customer, revenue,
    burden, quadrant, named (written on the chart), shown, total, in_quadrant (every
    customer of its quadrant), kept (how many kept as named or extreme), median_revenue,
    median_burden, and for the axes over every customer: least_revenue, least_burden (the
    smallest above 0), no_revenue, no_burden (some customer has none)."""
    columns = ["customer", "revenue", "burden", "quadrant", "median_revenue", "median_burden"]
    return query_frames(
        "fit_quadrant_points",
        {"customers": frame[columns]},
        {"cap": cap, "keep": keep, "labels": labels},
    )
