"""Customer fit's 80/20 figures: the revenue and the complaints of the top 20 % (and 4 %) of
customers, the Lorenz curve and the Gini index behind them.

Counting the top 20 % (and 4 %): customers with revenue above zero in the window (tickets:
with at least one ticket of the kind counted) are ranked largest first, ties broken by
name, and the top group is exactly ceil(20 % x their number) customers — so the count is
exact and the same customers are named every time, whatever the ties at the cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from analytics import format as fmt
from analytics.indicators import common, jsonable, register_entry
from analytics.indicators.base import Context, Indicator, Result
from analytics.indicators.common import (
    END_OF_TIME,
    as_date,
    invoice_as_of,
    shared,
    window_text,
)
from analytics.indicators.fit.base import (
    DETAIL_ROWS,
    LORENZ_POINTS,
    TICKET_MODES,
    TicketMode,
    details_start,
    first_rows,
    names,
    no_revenue,
    start,
)
from analytics.queries import query
from analytics.settings import minimum
from analytics.store import Connection

# ---------------------------------------------------------------- Pareto and Lorenz


@dataclass
class Pareto:
    """Customers ranked by revenue or tickets, the summary figures and the Lorenz curve."""

    what: Literal["revenue", "tickets"]
    ranks: pd.DataFrame  # customer, segment, value, rank, top20, top4, share, cumulative_share…
    points: pd.DataFrame  # customer_share, value_share: the Lorenz curve, ascending
    customers: int = 0
    k20: int = 0
    k4: int = 0
    total: float = 0.0
    top20_share: float | None = None
    top4_share: float | None = None
    gini: float | None = None
    complaints_only: bool = False

    @property
    def empty(self) -> bool:
        return self.customers == 0


def lorenz_points(values: pd.Series, max_points: int = LORENZ_POINTS) -> pd.DataFrame:
    """The Lorenz curve of per-customer values: customer_share (cumulative share of
    customers, smallest first) against value_share (their cumulative share of the total),
    from (0, 0) to (1, 1): at most `max_points` points, evenly spaced along the customers
    when there are more (the last one always kept)."""
    ordered = np.sort(values.to_numpy(dtype=float))
    n = len(ordered)
    if n == 0 or ordered.sum() <= 0:
        return pd.DataFrame({"customer_share": [], "value_share": []})
    cumulative = np.cumsum(ordered) / ordered.sum()
    positions = np.arange(1, n + 1)
    if n > max_points - 1:  # one point is the origin
        keep = np.unique(np.linspace(0, n - 1, max_points - 1).round().astype(int))
        positions, cumulative = positions[keep], cumulative[keep]
    return pd.DataFrame(
        {
            "customer_share": np.concatenate([[0.0], positions / n]),
            "value_share": np.concatenate([[0.0], cumulative]),
        }
    )


def pareto_from_ranks(
    what: Literal["revenue", "tickets"], ranks: pd.DataFrame, complaints_only: bool = False
) -> Pareto:
    """The summary figures and the Lorenz curve of a ranking from `revenue_ranks` or
    `ticket_ranks` (an indicator's frame, say)."""
    if ranks.empty:
        return Pareto(what, ranks, lorenz_points(pd.Series(dtype=float)))
    # column by column (the first row's counts repeat on every row): a row of mixed types
    # and masked frames cost more than the sums
    values = ranks["value"].to_numpy()
    total = float(values.sum())
    return Pareto(
        what=what,
        ranks=ranks,
        points=lorenz_points(ranks["value"]),
        customers=int(ranks["customers"].to_numpy()[0]),
        k20=int(ranks["k20"].to_numpy()[0]),
        k4=int(ranks["k4"].to_numpy()[0]),
        total=total,
        top20_share=float(values[ranks["top20"].to_numpy(dtype=bool)].sum()) / total,
        top4_share=float(values[ranks["top4"].to_numpy(dtype=bool)].sum()) / total,
        gini=float(ranks["gini"].to_numpy()[0]),
        complaints_only=complaints_only,
    )


def revenue_ranks(
    con: Connection, workspace_id: int, as_of: date, segments: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Customers with revenue above zero in the last 12 months to `as_of`, largest first.

    Columns: customer, segment, value (revenue), rank, customers, k20, k4, share,
    cumulative_share, top20, top4, gini (see fit_revenue_ranks.sql). `segments` keeps only
    those segments' customers (ranked among themselves).
    """
    return query(
        con,
        "fit_revenue_ranks",
        {
            **common.last_year(workspace_id, as_of),
            "segments": list(segments),
        },
    )


def ticket_kinds(con: Connection, workspace_id: int, as_of: date) -> dict[str, Any]:
    """Tickets opened in the last 12 months to `as_of`: tickets, complaints, with_hours;
    and first_opened / last_opened over all tickets up to `as_of`."""
    row = query(
        con,
        "fit_ticket_kinds",
        common.last_year(workspace_id, as_of),
    ).iloc[0]
    return {
        "tickets": int(row["tickets"]),
        "complaints": int(row["complaints"]),
        "with_hours": int(row["with_hours"]),
        "first_opened": as_date(row["first_opened"]),
        "last_opened": as_date(row["last_opened"]),
    }


def ctx_ranks(ctx: Context, as_of: date) -> pd.DataFrame:
    """`revenue_ranks` to `as_of`, once per context (three fit figures read it)."""
    return shared(
        ctx, ("revenue_ranks", as_of), lambda: revenue_ranks(ctx.con, ctx.workspace_id, as_of)
    )


def ctx_kinds(ctx: Context, as_of: date) -> dict[str, Any]:
    """`ticket_kinds` to `as_of`, once per context."""
    return shared(
        ctx, ("ticket_kinds", as_of), lambda: ticket_kinds(ctx.con, ctx.workspace_id, as_of)
    )


def complaints_only(kinds: dict[str, Any], mode: TicketMode = "auto") -> bool:
    """Count complaints only: asked for, or (auto) whenever at least one ticket is a complaint."""
    if mode not in TICKET_MODES:
        raise ValueError(f"tickets must be one of {', '.join(TICKET_MODES)}; got {mode!r}")
    if mode == "auto":
        return kinds["complaints"] > 0
    return mode == "complaints"


def ticket_ranks(
    con: Connection,
    workspace_id: int,
    as_of: date,
    complaints: bool,
    segments: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Customers with tickets (complaints only when `complaints`) in the last 12 months,
    most first; columns as `revenue_ranks` (value = tickets) plus hours."""
    return query(
        con,
        "fit_ticket_ranks",
        {
            **common.last_year(workspace_id, as_of),
            "complaints_only": complaints,
            "segments": list(segments),
        },
    )


def pareto(
    con: Connection,
    workspace_id: int,
    as_of: date | None,
    what: Literal["revenue", "tickets"] = "revenue",
    *,
    tickets: TicketMode = "auto",
    segments: tuple[str, ...] = (),
) -> Pareto:
    """The 80/20 picture of revenue or tickets over the last 12 months to `as_of` (None: the
    last invoice date): ranked customers, top-20 % and top-4 % shares, Gini, Lorenz points."""
    day = invoice_as_of(con, workspace_id, as_of)
    if what == "tickets" and day is None:
        day = ticket_kinds(con, workspace_id, END_OF_TIME)["last_opened"]
    if day is None:
        return pareto_from_ranks(what, pd.DataFrame())
    if what == "revenue":
        return pareto_from_ranks(what, revenue_ranks(con, workspace_id, day, segments))
    only = complaints_only(ticket_kinds(con, workspace_id, day), tickets)
    return pareto_from_ranks(
        what, ticket_ranks(con, workspace_id, day, only, segments), complaints_only=only
    )


def _curve_details(settings: dict[str, Any], p: Pareto, column: str) -> dict[str, Any]:
    """What an 80/20 result's details carry about its curve: the shares, the Gini index, the
    Lorenz points and the top customers (their figure named `column`)."""
    return {
        "top20_share": p.top20_share,
        **_top4_details(settings, p),
        "gini": p.gini,
        "lorenz": lorenz_records(p.points),
        "top_customers": _top_list(p.ranks, column, min(p.k20, DETAIL_ROWS)),
    }


def lorenz_records(points: pd.DataFrame) -> list[dict[str, float]]:
    """`records` of `lorenz_points` (up to 200 rows of two finite shares), built straight
    from the columns instead of value by value."""
    return [
        {"customer_share": c, "value_share": v}
        for c, v in zip(
            points["customer_share"].tolist(), points["value_share"].tolist(), strict=True
        )
    ]


def _top_list(ranks: pd.DataFrame, column: str, n: int) -> list[dict[str, Any]]:
    """`records` of the first `n` ranks' customer, segment, value (named `column`) and share,
    built straight from the columns."""
    top = ranks.head(n)
    parts = (top[c].tolist() for c in ("customer", "segment", "value", "share"))
    return [
        {"customer": jsonable(c), "segment": jsonable(s), column: jsonable(v), "share": jsonable(x)}
        for c, s, v, x in zip(*parts, strict=True)
    ]


# ---------------------------------------------------------------- revenue_pareto


def _top4_part(settings: dict[str, Any], p: Pareto, verb: str) -> str:
    """The top-4 % clause of a Pareto message, or why it is left out: below the setting
    min_customers_top4 the top 4 % is a name or two, the same as the top of the top 20 %."""
    need = minimum(settings, "min_customers_top4")
    if p.customers >= need:
        return f"; the top 4% ({fmt.plural(p.k4, 'customer')}) {verb} {fmt.pct(p.top4_share)}."
    return (
        f". The top 4% is left out below {need:,} customers: with {p.customers:,} it would be "
        f"{fmt.plural(p.k4, 'customer')}, already at the top of the top 20%."
    )


def _top4_details(settings: dict[str, Any], p: Pareto) -> dict[str, Any]:
    shown = p.customers >= minimum(settings, "min_customers_top4")
    return {
        "top4_customers": p.k4 if shown else None,
        "top4_share": p.top4_share if shown else None,
        "min_customers_top4": minimum(settings, "min_customers_top4"),
    }


def _unless_small(
    ind: Indicator, ctx: Context, p: Pareto, as_of: date, what: str, fix: str, result: Result
) -> Result:
    """`result`, or, over fewer customers than the setting min_customers_top20, its top-20 %
    share shown with its count and no colour (`fix`: what data would make it known)."""
    need = minimum(ctx.settings, "min_customers_top20")
    if p.customers >= need:
        return result
    return ind.too_few(
        p.top20_share,
        p.customers,
        need,
        "customer",
        count=(
            f"the top 20% is {fmt.plural(p.k20, 'customer')} of the {p.customers:,} with "
            f"{what} in {window_text(as_of)}"
        ),
        fix=f"An 80/20 split needs a crowd. {fix}",
        frame=p.ranks,
        details={**result.details, "min_customers_top20": need},
    )


def compute_revenue_pareto(ctx: Context) -> Result:
    ind = REVENUE_PARETO
    w = start(ctx, ind)
    as_of, currency = w.as_of, w.currency
    p = pareto_from_ranks("revenue", ctx_ranks(ctx, as_of))
    if p.empty:
        return no_revenue(ind, ctx, as_of)
    assert p.top20_share is not None and p.top4_share is not None
    value = p.top20_share
    status = ind.judge(value, ctx.settings)
    biggest = [
        f"{name} ({fmt.money(v, currency)})" for name, v in first_rows(p.ranks, "customer", "value")
    ]
    text = (
        f"Your top 20% of customers ({p.k20:,} of {p.customers:,}) brought {fmt.pct(value)} of "
        f"the revenue in {window_text(as_of)} ({fmt.money(p.total, currency)} in all)"
        f"{_top4_part(ctx.settings, p, 'brought')} Biggest: {names(biggest)}."
    )
    text += f" {ind.verdict(status)}"
    details: dict[str, Any] = {
        **details_start(as_of),
        "customers": p.customers,
        "top20_customers": p.k20,
        "revenue": p.total,
        **_curve_details(ctx.settings, p, "revenue"),
        "rule": (
            "Customers with revenue above zero in the last 12 months, ranked by revenue, ties "
            "by name; the top 20% is ceil(20% of them) customers, the top 4% ceil(4%)."
        ),
    }
    fix = "Load more history or more customers' invoices."
    result = Result(ind.id, float(value), status, text, details, p.ranks)
    return _unless_small(ind, ctx, p, as_of, "revenue", fix, result)


REVENUE_PARETO = register_entry("revenue_pareto", compute=compute_revenue_pareto)


# ---------------------------------------------------------------- ticket_pareto


def compute_ticket_pareto(ctx: Context) -> Result:
    ind = TICKET_PARETO
    as_of = ctx.entity_as_of("tickets")
    if as_of is None:
        return ind.unknown(
            "No tickets yet. Load your support tickets (opened date, customer; type if you "
            "mark complaints) to see which customers raise most of them."
        )
    kinds = ctx_kinds(ctx, as_of)
    if kinds["tickets"] == 0:
        last = kinds["last_opened"]
        reason = (
            "No tickets loaded yet. Load your support tickets (opened date, customer; type "
            "if you mark complaints) to see which customers raise most of them."
            if last is None
            else f"No tickets opened in {window_text(as_of)}; your last one was opened on "
            f"{fmt.day(last)}. Load recent tickets to see who raises them."
        )
        return ind.unknown(reason)
    only = complaints_only(kinds, "auto")
    what = "complaints" if only else "tickets"
    p = pareto_from_ranks(
        "tickets", ticket_ranks(ctx.con, ctx.workspace_id, as_of, only), complaints_only=only
    )
    assert p.top20_share is not None and p.top4_share is not None
    value = p.top20_share
    status = ind.judge(value, ctx.settings)
    loudest = [f"{name} ({int(v)})" for name, v in first_rows(p.ranks, "customer", "value")]
    basis = (
        f"complaints ({kinds['complaints']:,} of your {kinds['tickets']:,} tickets are marked as "
        "complaints)"
        if only
        else "tickets (none is marked as a complaint, so every ticket counts)"
    )
    text = (
        f"Counting {basis}: the top 20% of customers who raised any ({p.k20:,} of "
        f"{p.customers:,}) raised {fmt.pct(value)} of the {int(p.total):,} {what} in "
        f"{window_text(as_of)}{_top4_part(ctx.settings, p, 'raised')} "
        f"Most: {names(loudest)}."
    )
    text += f" {ind.verdict(status)}"
    details: dict[str, Any] = {
        **details_start(as_of),
        "counted": what,
        "complaints_only": only,
        "tickets": kinds["tickets"],
        "complaints": kinds["complaints"],
        "customers": p.customers,
        "top20_customers": p.k20,
        "counted_total": int(p.total),
        **_curve_details(ctx.settings, p, what),
        "rule": (
            "Customers with at least one ticket of the kind counted in the last 12 months, "
            "ranked by count, ties by name; complaints only when tickets marked as complaints "
            "(type containing 'complain') exist in the window, else every ticket."
        ),
    }
    fix = (
        "Count every ticket on the Customer fit page, or load more of your support tickets."
        if only
        else "Load more of your support tickets."
    )
    result = Result(ind.id, float(value), status, text, details, p.ranks)
    return _unless_small(ind, ctx, p, as_of, what, fix, result)


TICKET_PARETO = register_entry("ticket_pareto", compute=compute_ticket_pareto)
