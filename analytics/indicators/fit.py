"""Customer fit indicators (registered on import): who brings the revenue, who brings the
trouble, who costs more than they pay, who stopped buying, who has not heard from you, and
what your best customers have in common.

Also the tidy frames behind the Customer fit page's charts. Every figure reads the last 12
months to an "as of" day (the owner's pick, else the last invoice date): invoice dates d with
as_of - 12 calendar months < d <= as_of, the boundary cut by `niche.months_back`.

Counting the top 20 % (and 4 %): customers with revenue above zero in the window (tickets:
with at least one ticket of the kind counted) are ranked largest first, ties broken by
name, and the top group is exactly ceil(20 % x their number) customers — so the count is
exact and the same customers are named every time, whatever the ties at the cut.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd

from analytics import format as fmt
from analytics.indicators import jsonable, register
from analytics.indicators.base import Context, Indicator, Result, Thresholds
from analytics.indicators.niche import months_back, oldest_full_window, window_ends
from analytics.queries import query, query_frames
from analytics.settings import minimum
from analytics.store import Connection

PAGE = "fit"
AREA = "fit"
NO_SEGMENT = "(no segment)"
# Below this many customers, "the top fifth" is one or two names: not a distribution.
MIN_CUSTOMERS = 5
# The Lorenz curve keeps at most this many points (the origin included) for a chart.
LORENZ_POINTS = 200
# The customer-types text's yearly non-renewal rate.
CHURN_REFERENCE = 0.25
# Churn per year goes back this many years at most (fit_churn.sql knows six windows).
MAX_CHURN_YEARS = 5
# Ticket hours weigh support burden when at least this share of tickets record hours.
HOURS_COVERAGE = 0.8
# An attribute value describes the ideal customer from this lift and this many ideal customers.
MIN_LIFT = 1.2
MIN_IDEAL = 2
# Names quoted in a message before "and N more".
NAMES_IN_MESSAGE = 3
# Rows kept in a result's details (the full list is the result's frame).
DETAIL_ROWS = 25

TicketMode = Literal["auto", "complaints", "all"]
TICKET_MODES: tuple[TicketMode, ...] = ("auto", "complaints", "all")

QUADRANTS: dict[str, str] = {
    "ideal": "Ideal",
    "maintain": "Maintain",
    "grow": "Grow",
    "fix_or_fire": "Fix or fire",
}
QUADRANT_MEANING: dict[str, str] = {
    "ideal": "pays well, asks little: keep close, win more like them",
    "maintain": "pays well, asks a lot: protect the margin",
    "grow": "pays little, asks little: sell them more",
    "fix_or_fire": "pays little, asks a lot: reprice, fix the cause, or let go",
}
# The attributes the ideal profile compares, column → label.
ATTRIBUTES: dict[str, str] = {
    "segment": "Segment",
    "size_band": "Size (employees)",
    "region": "Region",
    "channel": "Channel",
}

NO_INVOICES = (
    "No invoices yet. Load your invoices (date, customer, amount) to see which customers "
    "bring the revenue."
)
# Far enough ahead to mean "every invoice there is".
_END_OF_TIME = date(9999, 12, 31)


# ---------------------------------------------------------------- shared helpers

T = TypeVar("T")

# Frames several fit indicators read, kept for the life of one compute context (one
# moment's view of the data: compute_all makes a new context per call), so the revenue
# ranking, the ticket counts and the quadrant are each queried once per scoreboard.
_SHARED: dict[int, tuple[weakref.ref[Context], dict[tuple[Any, ...], Any]]] = {}
_SHARED_LOCK = threading.Lock()


def _shared(ctx: Context, key: tuple[Any, ...], make: Callable[[], T]) -> T:
    """`make()` once per context and key; forgotten when the context is."""
    ident = id(ctx)
    with _SHARED_LOCK:
        entry = _SHARED.get(ident)
        if entry is None or entry[0]() is not ctx:
            entry = (weakref.ref(ctx, lambda _ref: _SHARED.pop(ident, None)), {})
            _SHARED[ident] = entry
        memo = entry[1]
    if key not in memo:
        memo[key] = make()
    value: T = memo[key]
    return value


def _day(value: Any) -> date | None:
    """A date from what DuckDB or pandas hands back (date, Timestamp, NaT, None)."""
    if value is None or pd.isna(value):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return pd.Timestamp(value).date()


def invoice_span(con: Connection, workspace_id: int, as_of: date | None = None) -> dict[str, Any]:
    """First and last invoice date on or before `as_of` (None: all), and the lines."""
    params = {"ws": workspace_id, "as_of": as_of or _END_OF_TIME}
    row = query(con, "fit_invoice_span", params).iloc[0]
    return {
        "first_date": _day(row["first_date"]),
        "last_date": _day(row["last_date"]),
        "lines": int(row["lines"]),
    }


def invoice_as_of(con: Connection, workspace_id: int, as_of: date | None = None) -> date | None:
    """`as_of` when given, else the last invoice date (None without invoices)."""
    if as_of is not None:
        return as_of
    return invoice_span(con, workspace_id)["last_date"]


def _ctx_as_of(ctx: Context) -> date | None:
    return _shared(ctx, ("as_of",), lambda: ctx.entity_as_of("invoices"))


def _ctx_ranks(ctx: Context, as_of: date) -> pd.DataFrame:
    return _shared(
        ctx, ("revenue_ranks", as_of), lambda: revenue_ranks(ctx.con, ctx.workspace_id, as_of)
    )


def _ctx_kinds(ctx: Context, as_of: date) -> dict[str, Any]:
    return _shared(
        ctx, ("ticket_kinds", as_of), lambda: ticket_kinds(ctx.con, ctx.workspace_id, as_of)
    )


def _window(as_of: date) -> dict[str, Any]:
    """The last 12 months as query parameters and as first/last day (ISO) for details."""
    after = months_back(as_of, 12)
    return {
        "current_after": after,
        "window_from": (after + timedelta(days=1)).isoformat(),
        "window_to": as_of.isoformat(),
    }


def _window_text(as_of: date) -> str:
    return f"the 12 months to {fmt.day(as_of)}"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A small frame as JSON-plain records (NaN → None, dates → ISO, plain numbers)."""
    rows: list[dict[str, Any]] = jsonable(frame.to_dict(orient="records"))
    return rows


def _names(items: list[str], total: int | None = None) -> str:
    """Names in a sentence: "A", "A and B", "A, B and C", "A, B, C and 4 more"."""
    total = len(items) if total is None else total
    shown = items[:NAMES_IN_MESSAGE]
    more = total - len(shown)
    if more > 0:
        return ", ".join(shown) + f" and {more} more"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _currency(ctx: Context) -> str:
    return str(ctx.settings.get("currency", "USD"))


def _start(ctx: Context, ind: Indicator) -> tuple[date, dict[str, Any]] | Result:
    """The as-of day and the last-12-months window, or "not enough data" saying why."""
    as_of = _ctx_as_of(ctx)
    if as_of is None:
        return ind.unknown(NO_INVOICES)
    return as_of, _window(as_of)


def _no_revenue(ind: Indicator, ctx: Context, as_of: date) -> Result:
    span = invoice_span(ctx.con, ctx.workspace_id)
    if span["first_date"] is not None and span["first_date"] > as_of:
        return ind.unknown(
            f"No invoices on or before {fmt.day(as_of)}: yours start on "
            f"{fmt.day(span['first_date'])}. Pick a later day, or load older invoices."
        )
    return ind.unknown(
        f"No customer has revenue above zero in {_window_text(as_of)}. Load recent invoices, "
        "or pick an earlier day in the sidebar."
    )


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
    first = ranks.iloc[0]
    total = float(ranks["value"].sum())
    return Pareto(
        what=what,
        ranks=ranks,
        points=lorenz_points(ranks["value"]),
        customers=int(first["customers"]),
        k20=int(first["k20"]),
        k4=int(first["k4"]),
        total=total,
        top20_share=float(ranks.loc[ranks["top20"], "value"].sum()) / total,
        top4_share=float(ranks.loc[ranks["top4"], "value"].sum()) / total,
        gini=float(first["gini"]),
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
            "ws": workspace_id,
            "as_of": as_of,
            "current_after": months_back(as_of, 12),
            "segments": list(segments),
        },
    )


def ticket_kinds(con: Connection, workspace_id: int, as_of: date) -> dict[str, Any]:
    """Tickets opened in the last 12 months to `as_of`: tickets, complaints, with_hours;
    and first_opened / last_opened over all tickets up to `as_of`."""
    row = query(
        con,
        "fit_ticket_kinds",
        {"ws": workspace_id, "as_of": as_of, "current_after": months_back(as_of, 12)},
    ).iloc[0]
    return {
        "tickets": int(row["tickets"]),
        "complaints": int(row["complaints"]),
        "with_hours": int(row["with_hours"]),
        "first_opened": _day(row["first_opened"]),
        "last_opened": _day(row["last_opened"]),
    }


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
            "ws": workspace_id,
            "as_of": as_of,
            "current_after": months_back(as_of, 12),
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
        day = ticket_kinds(con, workspace_id, _END_OF_TIME)["last_opened"]
    if day is None:
        return pareto_from_ranks(what, pd.DataFrame())
    if what == "revenue":
        return pareto_from_ranks(what, revenue_ranks(con, workspace_id, day, segments))
    only = complaints_only(ticket_kinds(con, workspace_id, day), tickets)
    return pareto_from_ranks(
        what, ticket_ranks(con, workspace_id, day, only, segments), complaints_only=only
    )


def lorenz(
    con: Connection,
    workspace_id: int,
    as_of: date | None,
    what: Literal["revenue", "tickets"] = "revenue",
    *,
    tickets: TicketMode = "auto",
    segments: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The Lorenz curve alone (customer_share, value_share; at most 200 points)."""
    return pareto(con, workspace_id, as_of, what, tickets=tickets, segments=segments).points


def _top_list(ranks: pd.DataFrame, column: str, n: int) -> list[dict[str, Any]]:
    top = ranks.head(n)[["customer", "segment", "value", "share"]].rename(columns={"value": column})
    return _records(top)


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


def _pareto_small(
    ind: Indicator,
    ctx: Context,
    p: Pareto,
    as_of: date,
    what: str,
    fix: str,
    details: dict[str, Any],
) -> Result | None:
    """The top-20 % share over fewer customers than the setting min_customers_top20: shown
    with its count, no colour."""
    need = minimum(ctx.settings, "min_customers_top20")
    if p.customers >= need:
        return None
    return ind.too_few(
        p.top20_share,
        p.customers,
        need,
        "customer",
        count=(
            f"the top 20% is {fmt.plural(p.k20, 'customer')} of the {p.customers:,} with "
            f"{what} in {_window_text(as_of)}"
        ),
        fix=f"An 80/20 split needs a crowd. {fix}",
        frame=p.ranks,
        details={**details, "min_customers_top20": need},
    )


def compute_revenue_pareto(ctx: Context) -> Result:
    ind = REVENUE_PARETO
    start = _start(ctx, ind)
    if isinstance(start, Result):
        return start
    as_of, window = start
    currency = _currency(ctx)
    p = pareto_from_ranks("revenue", _ctx_ranks(ctx, as_of))
    if p.empty:
        return _no_revenue(ind, ctx, as_of)
    assert p.top20_share is not None and p.top4_share is not None
    value = p.top20_share
    status = ind.judge(value, ctx.settings)
    top = p.ranks.head(NAMES_IN_MESSAGE)
    biggest = [
        f"{name} ({fmt.money(v, currency)})"
        for name, v in zip(top["customer"], top["value"], strict=True)
    ]
    text = (
        f"Your top 20% of customers ({p.k20:,} of {p.customers:,}) brought {fmt.pct(value)} of "
        f"the revenue in {_window_text(as_of)} ({fmt.money(p.total, currency)} in all)"
        f"{_top4_part(ctx.settings, p, 'brought')} Biggest: {_names(biggest)}."
    )
    if status == "red":
        text += (
            " So much riding on so few is a risk: know each of them by name, keep them close, "
            "grow with them, and find more like them."
        )
    elif status == "amber":
        text += " Steeper than the usual 80/20: look after the top group and grow with them."
    else:
        text += " That is the usual 80/20 shape or flatter: keep growing with the top group."
    details: dict[str, Any] = {
        "as_of": as_of,
        **{k: v for k, v in window.items() if k != "current_after"},
        "customers": p.customers,
        "top20_customers": p.k20,
        "revenue": p.total,
        "top20_share": p.top20_share,
        **_top4_details(ctx.settings, p),
        "gini": p.gini,
        "lorenz": _records(p.points),
        "top_customers": _top_list(p.ranks, "revenue", min(p.k20, DETAIL_ROWS)),
        "rule": (
            "Customers with revenue above zero in the last 12 months, ranked by revenue, ties "
            "by name; the top 20% is ceil(20% of them) customers, the top 4% ceil(4%)."
        ),
    }
    small = _pareto_small(
        ind, ctx, p, as_of, "revenue", "Load more history or more customers' invoices.", details
    )
    if small is not None:
        return small
    return Result(ind.id, float(value), status, text, details, p.ranks)


REVENUE_PARETO = register(
    Indicator(
        id="revenue_pareto",
        area=AREA,
        reads=("invoices",),
        counts_days=False,
        label="Revenue from top 20%",
        unit="share",
        higher_is_better=False,
        description=(
            "The 80/20 rule, and it repeats inside itself: roughly a fifth of your customers "
            "bring four fifths of your revenue, and a twenty-fifth of them (the top 4%) bring "
            "about two thirds. Those few deserve most of your attention: keep them happy and "
            "grow your business with them. This is the share of the last 12 months' revenue "
            "from your top fifth of customers, with the top 4%, the Lorenz curve and the Gini "
            "index (0 = everyone pays the same, 1 = one customer pays it all). Green up to 80% "
            "(the usual shape or flatter), red above 90%: then losing one or two names would "
            "hurt badly. Judged from 10 customers, the top 4% shown from 25 (Settings, "
            "Minimum bases)."
        ),
        thresholds=Thresholds(green=0.80, red=0.90),
        compute=compute_revenue_pareto,
        page=PAGE,
        checklists=("test_advice",),
        next_step=(
            "List your top fifth by name. For each, book a visit or call this month, ask what "
            "they need next, and write down what they have in common so you can find more "
            "like them."
        ),
    )
)


# ---------------------------------------------------------------- ticket_pareto


def compute_ticket_pareto(ctx: Context) -> Result:
    ind = TICKET_PARETO
    as_of = ctx.entity_as_of("tickets")
    if as_of is None:
        return ind.unknown(
            "No tickets yet. Load your support tickets (opened date, customer; type if you "
            "mark complaints) to see which customers raise most of them."
        )
    kinds = _ctx_kinds(ctx, as_of)
    if kinds["tickets"] == 0:
        last = kinds["last_opened"]
        reason = (
            "No tickets loaded yet. Load your support tickets (opened date, customer; type "
            "if you mark complaints) to see which customers raise most of them."
            if last is None
            else f"No tickets opened in {_window_text(as_of)}; your last one was opened on "
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
    top = p.ranks.head(NAMES_IN_MESSAGE)
    loudest = [f"{name} ({int(v)})" for name, v in zip(top["customer"], top["value"], strict=True)]
    basis = (
        f"complaints ({kinds['complaints']:,} of your {kinds['tickets']:,} tickets are marked as "
        "complaints)"
        if only
        else "tickets (none is marked as a complaint, so every ticket counts)"
    )
    text = (
        f"Counting {basis}: the top 20% of customers who raised any ({p.k20:,} of "
        f"{p.customers:,}) raised {fmt.pct(value)} of the {int(p.total):,} {what} in "
        f"{_window_text(as_of)}{_top4_part(ctx.settings, p, 'raised')} "
        f"Most: {_names(loudest)}."
    )
    if status == "red":
        text += (
            " A small group makes most of the noise: meet each of them, listen, agree what "
            "would fix it, and fix it, or price the extra work in."
        )
    elif status == "amber":
        text += " A few customers stand out: talk to them before they talk to a competitor."
    else:
        text += " The load is spread out: look at the causes, not at particular customers."
    details: dict[str, Any] = {
        "as_of": as_of,
        **{k: v for k, v in _window(as_of).items() if k != "current_after"},
        "counted": what,
        "complaints_only": only,
        "tickets": kinds["tickets"],
        "complaints": kinds["complaints"],
        "customers": p.customers,
        "top20_customers": p.k20,
        "counted_total": int(p.total),
        "top20_share": p.top20_share,
        **_top4_details(ctx.settings, p),
        "gini": p.gini,
        "lorenz": _records(p.points),
        "top_customers": _top_list(p.ranks, what, min(p.k20, DETAIL_ROWS)),
        "rule": (
            "Customers with at least one ticket of the kind counted in the last 12 months, "
            "ranked by count, ties by name; complaints only when tickets marked as complaints "
            "(type containing 'complain') exist in the window, else every ticket."
        ),
    }
    small = _pareto_small(
        ind,
        ctx,
        p,
        as_of,
        what,
        "Count every ticket on the Customer fit page, or load more of your support tickets."
        if only
        else "Load more of your support tickets.",
        details,
    )
    if small is not None:
        return small
    return Result(ind.id, float(value), status, text, details, p.ranks)


TICKET_PARETO = register(
    Indicator(
        id="ticket_pareto",
        area=AREA,
        reads=("tickets",),
        counts_days=False,
        label="Complaints from top 20%",
        unit="share",
        higher_is_better=False,
        description=(
            "The same 80/20 rule works on trouble: a fifth of the customers who complain "
            "usually raise most of the complaints, and a handful raise most of those. A "
            "complaint is a customer who still cares enough to tell you; handled well "
            "(listen, acknowledge, ask, resolve) it makes the relationship stronger, but a "
            "few chronic complainers can also eat the time your best customers pay for. This "
            "is the share of the last 12 months' complaints (every ticket when none is marked "
            "a complaint) raised by the top fifth of the customers who raised any. Green up "
            "to 60%, red above 80%: then a small group makes most of the noise, and you can "
            "deal with it by name."
        ),
        thresholds=Thresholds(green=0.60, red=0.80),
        compute=compute_ticket_pareto,
        page=PAGE,
        checklists=("keep_the_whiners_closer",),
        next_step=(
            "Call each of the customers at the top of the list this week: listen, acknowledge, "
            "ask what would resolve it, and resolve it. If the same customer keeps costing "
            "more than they pay, reprice the contract or part ways."
        ),
    )
)


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
    day = invoice_as_of(con, workspace_id, as_of) or _END_OF_TIME
    basis = basis or burden_basis(ticket_kinds(con, workspace_id, day))
    frame = query(
        con,
        "fit_quadrant",
        {
            "ws": workspace_id,
            "as_of": day,
            "current_after": months_back(day, 12),
            "use_hours": basis == "hours",
        },
    )
    return frame, basis


def _ctx_quadrant(ctx: Context, as_of: date) -> tuple[pd.DataFrame, Literal["hours", "tickets"]]:
    basis = burden_basis(_ctx_kinds(ctx, as_of))
    return _shared(
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


def _tickets_elsewhere(ctx: Context, as_of: date) -> str:
    """When tickets exist but none in the invoices' window: where they are, and the fix."""
    last = ctx.last_day("tickets")
    if last is None:
        return ""
    first = _day(
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
    start = _start(ctx, ind)
    if isinstance(start, Result):
        return start
    as_of, window = start
    currency = _currency(ctx)
    kinds = _ctx_kinds(ctx, as_of)
    if kinds["tickets"] == 0:
        return ind.unknown(
            f"No support tickets opened in {_window_text(as_of)}, so there is no burden to "
            "weigh revenue against."
            + (
                _tickets_elsewhere(ctx, as_of)
                or " Load your tickets (opened date, customer; hours if you log them) to place "
                "every customer in the value-versus-burden picture."
            )
        )
    frame, basis = _ctx_quadrant(ctx, as_of)
    with_revenue = frame[frame["revenue"] > 0]
    needed = minimum(ctx.settings, "min_cases")
    if len(with_revenue) < needed:
        return ind.unknown(
            f"Only {fmt.plural(len(with_revenue), 'customer')} with revenue in "
            f"{_window_text(as_of)}: splitting them at the median needs at least "
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
        f"{fmt.pct(value)} of the revenue in {_window_text(as_of)} came from "
        f"{fmt.plural(n_in['ideal'], 'ideal customer')} (above the median "
        f"revenue of {fmt.money(median_revenue, currency)}, at or below the median burden of "
        f"{_burden_text(basis, median_burden)}). In all: {counts}."
    )
    if not ideal.empty:
        text += f" Ideal: {_names(ideal['customer'].astype(str).tolist())}."
    if not fire.empty:
        worst = [
            f"{name} ({fmt.money(rev, currency)}, {_burden_text(basis, b)})"
            for name, rev, b in zip(
                fire["customer"].head(NAMES_IN_MESSAGE),
                fire["revenue"].head(NAMES_IN_MESSAGE),
                fire["burden"].head(NAMES_IN_MESSAGE),
                strict=True,
            )
        ]
        text += f" Fix or fire first: {_names(worst, len(fire))}."
    basis_note = (
        "Burden is ticket hours (at least 80% of your tickets record hours)."
        if basis == "hours"
        else "Burden is the number of tickets (fewer than 80% of your tickets record hours)."
    )
    details: dict[str, Any] = {
        "as_of": as_of,
        **{k: v for k, v in window.items() if k != "current_after"},
        "burden_basis": basis,
        "burden_note": basis_note,
        "median_revenue": median_revenue,
        "median_burden": median_burden,
        "customers": len(frame),
        "quadrants": _records(summary),
        "fix_or_fire": _records(
            fire.head(DETAIL_ROWS)[["customer", "segment", "revenue", "tickets", "burden"]]
        ),
        "rule": (
            "Customers with revenue or tickets in the last 12 months; high = strictly above "
            "the median of those customers. Ideal = high revenue, low burden; grow = low, "
            "low; fix or fire = low revenue, high burden; maintain = high, high."
        ),
    }
    return Result(ind.id, value, status, text, details, frame)


CUSTOMER_QUADRANT = register(
    Indicator(
        id="customer_quadrant",
        area=AREA,
        reads=("invoices", "tickets"),
        counts_days=False,
        label="Ideal customers' revenue",
        unit="share",
        higher_is_better=True,
        description=(
            "Not every customer is worth the same effort. Put each one on two scales over the "
            "last 12 months, what they pay and how much support they need (ticket hours, or "
            "tickets when hours are not logged), and split both at the median: ideal customers "
            "pay well and ask little, 'maintain' pay well and ask a lot, 'grow' pay little and "
            "ask little, and 'fix or fire' pay little and ask a lot. This is the share of "
            "revenue from the ideal group. Green from 40%, red below 25%: then most of your "
            "income comes with heavy support attached."
        ),
        thresholds=Thresholds(green=0.40, red=0.25),
        compute=compute_customer_quadrant,
        page=PAGE,
        checklists=("you_are_what_you_eat", "keep_the_whiners_closer"),
        next_step=(
            "Go through the fix-or-fire customers one by one: find why they need so much help, "
            "fix the cause or reprice the contract, and let go of those who will not change. "
            "Aim your prospecting at customers who look like the ideal group."
        ),
    )
)


# ---------------------------------------------------------------- loss_making_customers


def margin_frame(
    con: Connection, workspace_id: int, as_of: date | None, settings: dict[str, Any]
) -> pd.DataFrame:
    """What each customer earned over the last 12 months to `as_of` (None: the last invoice
    date): customer, segment, revenue, invoice_cost, hours, time_cost, cost, margin,
    margin_share, loss_making, cost_lines — worst margin first. Time is costed at the role's
    rate (cost_rate_tech / _sales / _admin, else cost_rate_default)."""
    day = invoice_as_of(con, workspace_id, as_of) or _END_OF_TIME
    return query(
        con,
        "fit_customer_margin",
        {
            "ws": workspace_id,
            "as_of": day,
            "current_after": months_back(day, 12),
            "rate_tech": float(settings.get("cost_rate_tech", 60.0)),
            "rate_sales": float(settings.get("cost_rate_sales", 70.0)),
            "rate_admin": float(settings.get("cost_rate_admin", 40.0)),
            "rate_default": float(settings.get("cost_rate_default", 60.0)),
        },
    )


def compute_loss_making_customers(ctx: Context) -> Result:
    ind = LOSS_MAKING_CUSTOMERS
    start = _start(ctx, ind)
    if isinstance(start, Result):
        return start
    as_of, window = start
    currency = _currency(ctx)
    frame = margin_frame(ctx.con, ctx.workspace_id, as_of, ctx.settings)
    has_time = bool((frame["hours"] > 0).any()) if not frame.empty else False
    has_cost = bool((frame["cost_lines"] > 0).any()) if not frame.empty else False
    if not has_time and not has_cost:
        return ind.unknown(
            f"No time entries naming a customer and no invoice costs in {_window_text(as_of)}, "
            "so every customer would look pure profit. Load your timesheets with a customer "
            "column (and role, for the cost rates in Settings), or invoices with a cost column.",
            frame,
        )
    if float(frame["revenue"].clip(lower=0).sum()) <= 0:
        return _no_revenue(ind, ctx, as_of)
    losers = frame[frame["loss_making"]].sort_values(["margin", "customer"])
    value = len(losers)
    status = ind.judge(value, ctx.settings)
    total_margin = float(frame["margin"].sum())
    basis = []
    if has_time:
        tech_rate = fmt.money(float(ctx.settings.get("cost_rate_tech", 60.0)), currency)
        basis.append(f"hours logged to them at the cost rates in Settings ({tech_rate}/h tech)")
    if has_cost:
        basis.append("the costs on their invoices")
    if value:
        worst = [
            f"{name} ({fmt.money(m, currency)} on {fmt.money(r, currency)} of revenue)"
            for name, m, r in zip(
                losers["customer"].head(NAMES_IN_MESSAGE),
                losers["margin"].head(NAMES_IN_MESSAGE),
                losers["revenue"].head(NAMES_IN_MESSAGE),
                strict=True,
            )
        ]
        lost = float(losers["margin"].sum())
        text = (
            f"{fmt.plural(value, 'customer')} cost you more than they paid in "
            f"{_window_text(as_of)}, {fmt.money(-lost, currency)} in all: {_names(worst, value)}."
            " Reprice, cut the hours, or let them go."
        )
    else:
        text = f"Every customer paid more than they cost in {_window_text(as_of)}."
    text += (
        f" Cost = {' plus '.join(basis)}; margin on all customers "
        f"{fmt.money(total_margin, currency)}."
    )
    if not has_time:
        text += " Without timesheets naming customers, time is not counted: load them."
    details: dict[str, Any] = {
        "as_of": as_of,
        **{k: v for k, v in window.items() if k != "current_after"},
        "customers": len(frame),
        "loss_making": value,
        "loss": float(losers["margin"].sum()),
        "margin": total_margin,
        "time_costed": has_time,
        "invoice_costs": has_cost,
        "cost_rates": {
            k: float(ctx.settings.get(k, 0))
            for k in ("cost_rate_tech", "cost_rate_sales", "cost_rate_admin", "cost_rate_default")
        },
        "customers_losing_money": _records(
            losers.head(DETAIL_ROWS)[
                [
                    "customer",
                    "segment",
                    "revenue",
                    "invoice_cost",
                    "hours",
                    "time_cost",
                    "cost",
                    "margin",
                ]
            ]
        ),
        "rule": (
            "Margin = revenue - invoice cost (where given) - hours logged to the customer in "
            "time entries x the cost rate of the role (tech / sales / admin, else the default); "
            "a customer without time entries has no time cost."
        ),
    }
    return Result(ind.id, int(value), status, text, details, frame)


LOSS_MAKING_CUSTOMERS = register(
    Indicator(
        id="loss_making_customers",
        area=AREA,
        reads=("invoices", "time_entries"),
        counts_days=False,
        label="Customers losing money",
        unit="count",
        higher_is_better=False,
        description=(
            "Some customers quietly take more of your people's time than their invoices cover. "
            "You only see it when time is tracked against customers: revenue over the last 12 "
            "months minus the costs on their invoices minus the hours logged to them at the "
            "cost rate of each role (set in Settings). A customer without time entries is not "
            "counted as losing money on time. Green when none, red from four."
        ),
        thresholds=Thresholds(green=0, red=3),
        compute=compute_loss_making_customers,
        page=PAGE,
        checklists=("you_are_what_you_eat", "does_it_work"),
        next_step=(
            "For each loss-making customer, look at where the hours went: reprice the contract, "
            "move work into a fixed fee, fix the cause of the repeat work, or part ways."
        ),
    )
)


# ---------------------------------------------------------------- churn_rate


def churn_frame(con: Connection, workspace_id: int, as_of: date | None) -> pd.DataFrame:
    """Who stopped buying, year by year, for every year the invoices cover in full.

    One row per customer with revenue in year k + 1: k (0 = the last 12 months), year_from,
    year_to, customer, segment, revenue_prior, last_invoice, churned (no revenue in year k).
    Empty when fewer than two full years of invoices reach `as_of` (None: the last invoice).
    """
    day = invoice_as_of(con, workspace_id, as_of)
    span = invoice_span(con, workspace_id, day) if day is not None else {"first_date": None}
    first = span["first_date"]
    years = 0
    if day is not None and first is not None:
        ends = window_ends(day, 12, day.year - first.year + 2)
        # year k is judged against year k + 1; the history goes back at most 5 years
        years = min(oldest_full_window(first, ends), MAX_CHURN_YEARS)
    if day is None or years < 1:
        day = day or _END_OF_TIME
        ends, years = [day, day, day], 0
    frame = query(
        con, "fit_churn", {"ws": workspace_id, "as_of": day, "ends": ends, "years": years}
    )
    return frame[frame["k"] < years] if years else frame.iloc[0:0]


def churn_by_year(frame: pd.DataFrame) -> pd.DataFrame:
    """Per year, oldest first: year_from, year_to, customers (bought the year before),
    churned, churn."""
    columns = ["year_from", "year_to", "customers", "churned", "churn"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    by = frame.groupby("k")
    years = pd.DataFrame(
        {
            "year_from": by["year_from"].first(),
            "year_to": by["year_to"].first(),
            "customers": by.size(),
            "churned": by["churned"].sum().astype(int),
        }
    ).sort_index(ascending=False)
    years["churn"] = years["churned"] / years["customers"]
    return years.reset_index(drop=True)[columns]


def churn_by_segment(frame: pd.DataFrame) -> pd.DataFrame:
    """The last year's churn per segment, highest first: segment, customers, churned, churn,
    revenue_lost."""
    columns = ["segment", "customers", "churned", "churn", "revenue_lost"]
    last = frame[frame["k"] == 0]
    if last.empty:
        return pd.DataFrame(columns=columns)
    by = last.groupby("segment")
    seg = pd.DataFrame(
        {
            "customers": by.size(),
            "churned": by["churned"].sum().astype(int),
            "revenue_lost": last["revenue_prior"]
            .where(last["churned"], 0.0)
            .groupby(last["segment"])
            .sum(),
        }
    )
    seg["churn"] = seg["churned"] / seg["customers"]
    seg.index.name = "segment"
    seg = seg.reset_index().sort_values(["churn", "customers"], ascending=[False, False])
    return seg.reset_index(drop=True)[columns]


def _spark_churn(result: Result) -> pd.Series:
    rows = result.details.get("by_year") or []
    if not rows:
        return pd.Series(dtype=float)
    frame = pd.DataFrame(rows)
    return pd.Series(
        frame["churn"].to_numpy(dtype=float), index=pd.to_datetime(frame["year_to"]).dt.date
    )


def compute_churn_rate(ctx: Context) -> Result:
    ind = CHURN_RATE
    start = _start(ctx, ind)
    if isinstance(start, Result):
        return start
    as_of, window = start
    currency = _currency(ctx)
    frame = churn_frame(ctx.con, ctx.workspace_id, as_of)
    if frame.empty:
        span = invoice_span(ctx.con, ctx.workspace_id, as_of)
        need = months_back(as_of, 24) + timedelta(days=1)
        have = (
            f"yours run from {fmt.day(span['first_date'])} to {fmt.day(span['last_date'])}"
            if span["first_date"] is not None
            else "you have none up to that day"
        )
        return ind.unknown(
            f"Needs two full years of invoices (from {fmt.month(need)} or earlier) to see who "
            f"bought in the year before and not in the last 12 months; {have}. Load older "
            "invoices."
        )
    years = churn_by_year(frame)
    last = frame[frame["k"] == 0]
    prior = len(last)
    churned = last[last["churned"]].sort_values("revenue_prior", ascending=False)
    value = len(churned) / prior if prior else 0.0
    status = ind.judge(value, ctx.settings)
    segments = churn_by_segment(frame)
    prior_from = months_back(as_of, 24) + timedelta(days=1)
    text = (
        f"Of the {prior:,} customers who bought between {fmt.day(prior_from)} and "
        f"{fmt.day(months_back(as_of, 12))}, {len(churned):,} ({fmt.pct(value)}) bought nothing "
        f"in {_window_text(as_of)}"
    )
    if not churned.empty:
        lost = float(churned["revenue_prior"].sum())
        biggest = [
            f"{name} ({fmt.money(r, currency)} the year before)"
            for name, r in zip(
                churned["customer"].head(NAMES_IN_MESSAGE),
                churned["revenue_prior"].head(NAMES_IN_MESSAGE),
                strict=True,
            )
        ]
        text += f", taking {fmt.money(lost, currency)} a year with them: {_names(biggest, len(churned))}."
    else:
        text += "."
    text += (
        f" The reference is {fmt.pct(CHURN_REFERENCE)} a year, typical of selling to anyone "
        "who will buy."
    )
    judged = segments[
        (segments["segment"] != NO_SEGMENT)
        & (segments["customers"] >= minimum(ctx.settings, "min_cases"))
    ]
    if len(judged) > 1 and float(judged["churn"].iloc[0]) > 0:
        worst = judged.iloc[0]
        text += (
            f" Highest: {worst['segment']}, {fmt.pct(float(worst['churn']))} "
            f"({int(worst['churned'])} of {int(worst['customers'])})."
        )
    if len(years) > 1:
        text += (
            " By year: "
            + ", ".join(
                f"{fmt.pct(float(c))} to {fmt.month(_day(t))}"
                for c, t in zip(years["churn"], years["year_to"], strict=True)
            )
            + "."
        )
    details: dict[str, Any] = {
        "as_of": as_of,
        **{k: v for k, v in window.items() if k != "current_after"},
        "prior_from": prior_from.isoformat(),
        "prior_to": months_back(as_of, 12).isoformat(),
        "customers_prior": prior,
        "churned": len(churned),
        "revenue_lost": float(churned["revenue_prior"].sum()),
        "reference": CHURN_REFERENCE,
        "by_year": _records(years),
        "by_segment": _records(segments),
        "churned_customers": _records(
            churned.head(DETAIL_ROWS)[["customer", "segment", "revenue_prior", "last_invoice"]]
        ),
        "rule": (
            "Churned = revenue above zero in the 12 months before the last 12, and none in the "
            "last 12; the rate is churned customers / customers who bought the year before."
        ),
    }
    needed = minimum(ctx.settings, "min_cases")
    if prior < needed:
        return ind.too_few(
            float(value),
            prior,
            needed,
            "customer",
            count=f"{len(churned)} of the {fmt.plural(prior, 'customer')} who bought the year before",
            fix="A churn rate needs more customers: load invoices for all of your customers.",
            frame=frame.reset_index(drop=True),
            details=details,
        )
    # the frame: every year's rows (k = 0 the last 12 months), for the page's year chart
    return Result(ind.id, float(value), status, text, details, frame.reset_index(drop=True))


CHURN_RATE = register(
    Indicator(
        id="churn_rate",
        area=AREA,
        reads=("invoices",),
        label="Customers lost in a year",
        unit="share",
        higher_is_better=False,
        description=(
            "How many of last year's customers did not buy again this year. Selling to anyone "
            "who will sign, with a twelve-month horizon, typically loses about a quarter of "
            "customers every year, and the whole next year goes into replacing them. Customers "
            "who value what you do stay year after year. This is the share of customers with "
            "revenue in the 12 months before the last 12 who have none since, with the rate "
            "per year and per segment. Green up to 15%, red above the 25% reference."
        ),
        thresholds=Thresholds(green=0.15, red=CHURN_REFERENCE),
        compute=compute_churn_rate,
        page=PAGE,
        checklists=("you_are_what_you_eat", "test_advice"),
        next_step=(
            "Call the biggest customers you lost and ask why, then ask your current customers "
            "what would make them stay. Stop chasing the kinds of customer who leave fastest."
        ),
        spark=_spark_churn,
    )
)


# ---------------------------------------------------------------- contact_gaps


def _interval(settings: dict[str, Any]) -> int:
    return int(settings.get("contact_interval_days", 30))


def activity_span(con: Connection, workspace_id: int, as_of: date) -> dict[str, Any]:
    """Activities up to `as_of`: activities, naming_customers, last_date, last_naming_customer."""
    row = query(con, "fit_activity_span", {"ws": workspace_id, "as_of": as_of}).iloc[0]
    return {
        "activities": int(row["activities"]),
        "naming_customers": int(row["naming_customers"]),
        "last_date": _day(row["last_date"]),
        "last_naming_customer": _day(row["last_naming_customer"]),
    }


def contact_frame(
    con: Connection,
    workspace_id: int,
    as_of: date | None,
    interval_days: int = 30,
    ranks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every customer with revenue in the last 12 months to `as_of` (None: the last invoice
    date), largest first, with their last contact (an activity naming them, on or before
    `as_of`; null = never), days_since, and gap (not contacted in the last `interval_days`).

    Columns: customer, segment, revenue, rank, top20, last_contact, days_since, gap.
    `ranks` (from `revenue_ranks` for the same day) saves a query when already known.
    """
    day = invoice_as_of(con, workspace_id, as_of)
    if day is None:
        return pd.DataFrame(
            columns=[
                "customer", "segment", "revenue", "rank", "top20", "last_contact",
                "days_since", "gap",
            ]
        )  # fmt: skip
    if ranks is None:
        ranks = revenue_ranks(con, workspace_id, day)
    ranks = ranks[["customer", "segment", "value", "rank", "top20"]]
    contacts = query(con, "fit_last_contacts", {"ws": workspace_id, "as_of": day})
    frame = ranks.rename(columns={"value": "revenue"}).merge(
        contacts[["customer", "last_contact"]], on="customer", how="left"
    )
    last = pd.to_datetime(frame["last_contact"])
    frame["last_contact"] = last.dt.date
    frame["days_since"] = (pd.Timestamp(day) - last).dt.days.astype("Int64")
    frame["gap"] = frame["days_since"].isna() | (frame["days_since"] >= interval_days)
    frame["gap"] = frame["gap"].astype(bool)
    return frame


def compute_contact_gaps(ctx: Context) -> Result:
    ind = CONTACT_GAPS
    start = _start(ctx, ind)
    if isinstance(start, Result):
        return start
    as_of, window = start
    currency = _currency(ctx)
    interval = _interval(ctx.settings)
    span = activity_span(ctx.con, ctx.workspace_id, as_of)
    if span["naming_customers"] == 0:
        reason = (
            "No sales activities loaded yet. Load your calls, emails and meetings with the "
            "customer each was with, to see which good customers have not heard from you."
            if span["activities"] == 0
            else f"None of your {span['activities']} activities names a customer. Load them "
            "with a customer column to see who has not heard from you lately."
        )
        return ind.unknown(reason)
    last_logged = span["last_naming_customer"]
    if last_logged is not None and (as_of - last_logged).days >= interval:
        return ind.unknown(
            f"Your activities naming customers stop on {fmt.day(last_logged)}, more than "
            f"{interval} days before {fmt.day(as_of)}: every customer would look neglected. "
            "Load your recent activities, or pick an earlier day."
        )
    frame = contact_frame(ctx.con, ctx.workspace_id, as_of, interval, _ctx_ranks(ctx, as_of))
    if frame.empty:
        return _no_revenue(ind, ctx, as_of)
    top = frame[frame["top20"]]
    gaps = top[top["gap"]].sort_values("revenue", ascending=False)
    value = len(gaps)
    status = ind.judge(value, ctx.settings)
    if value:
        names = [
            f"{name} ({fmt.money(r, currency)}, "
            + ("never contacted" if pd.isna(d) else f"{int(d)} days ago")
            + ")"
            for name, r, d in zip(
                gaps["customer"].head(NAMES_IN_MESSAGE),
                gaps["revenue"].head(NAMES_IN_MESSAGE),
                gaps["days_since"].head(NAMES_IN_MESSAGE),
                strict=True,
            )
        ]
        text = (
            f"{value:,} of your {len(top):,} top customers (the top 20% by revenue in "
            f"{_window_text(as_of)}) have not heard from you in the last {interval} days: "
            f"{_names(names, value)}. Call them before a competitor does."
        )
    else:
        text = (
            f"All of your {len(top):,} top customers (the top 20% by revenue in "
            f"{_window_text(as_of)}) heard from you in the last {interval} days."
        )
    details: dict[str, Any] = {
        "as_of": as_of,
        **{k: v for k, v in window.items() if k != "current_after"},
        "interval_days": interval,
        "top_customers": len(top),
        "not_contacted": value,
        "last_activity": span["last_date"],
        "customers_not_contacted": _records(
            gaps.head(DETAIL_ROWS)[["customer", "segment", "revenue", "last_contact", "days_since"]]
        ),
        "rule": (
            "Top customers = the top 20% by revenue in the last 12 months (ties by name); a "
            f"gap = no activity naming them in the {interval} days up to the as-of day "
            "(days_since null = never contacted)."
        ),
    }
    return Result(ind.id, int(value), status, text, details, frame)


CONTACT_GAPS = register(
    Indicator(
        id="contact_gaps",
        area=AREA,
        reads=("invoices", "activities"),
        label="Top customers neglected",
        unit="count",
        higher_is_better=False,
        description=(
            "Customers who only hear from you when something breaks, or at renewal, drift to "
            "whoever does call. Problems come and go like the weather; a short call once a "
            "month, before they need you, keeps the relationship warm and brings the next job "
            "to you. This counts your top customers (the top 20% by revenue) with no call, "
            "email or meeting logged in the contact interval (30 days unless you change it in "
            "Settings). Green when none, red from three."
        ),
        thresholds=Thresholds(green=0, red=2),
        compute=compute_contact_gaps,
        page=PAGE,
        checklists=("keep_the_whiners_closer",),
        next_step=(
            "Call every top customer on the list this week, with no sales pitch: ask how things "
            "are and what is coming up. Put a monthly reminder in the diary for each of them."
        ),
    )
)


# ---------------------------------------------------------------- ideal_profile


def profile_lift(quadrant: pd.DataFrame) -> pd.DataFrame:
    """For each attribute value (segment, size band, region, channel): customers with revenue
    having it, ideal customers having it, share_all and share_ideal (among customers whose
    attribute is known), lift = share_ideal / share_all. Largest lift first."""
    columns = [
        "attribute",
        "label",
        "value",
        "customers",
        "ideal",
        "share_all",
        "share_ideal",
        "lift",
    ]
    rows = quadrant[quadrant["revenue"] > 0]
    rows = rows.assign(segment=rows["segment"].where(rows["has_segment"].astype(bool)))
    ideal = rows["quadrant"].eq("ideal")
    parts = []
    for attribute, label in ATTRIBUTES.items():  # four attributes, not rows
        everyone = rows[attribute].value_counts()
        among_ideal = rows.loc[ideal, attribute].value_counts()
        if everyone.empty or among_ideal.empty:
            continue
        part = pd.DataFrame({"customers": everyone})
        part["ideal"] = among_ideal.reindex(part.index, fill_value=0).astype(int)
        part["share_all"] = part["customers"] / part["customers"].sum()
        part["share_ideal"] = part["ideal"] / part["ideal"].sum()
        part.index.name = "value"
        parts.append(part.reset_index().assign(attribute=attribute, label=label))
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)
    out["lift"] = out["share_ideal"] / out["share_all"]
    out["value"] = out["value"].astype(str)
    return out.sort_values(
        ["lift", "ideal", "attribute", "value"], ascending=[False, False, True, True]
    )[columns].reset_index(drop=True)


def trait_name(attribute: str, value: str) -> str:
    """A trait as a sentence names it: "the Dental segment", "10–49 employees"."""
    if attribute == "size_band":
        return f"{value} employees"
    return f"the {value} {attribute}"


def compute_ideal_profile(ctx: Context) -> Result:
    ind = IDEAL_PROFILE
    start = _start(ctx, ind)
    if isinstance(start, Result):
        return start
    as_of, window = start
    if _ctx_kinds(ctx, as_of)["tickets"] == 0:
        return ind.unknown(
            f"Needs the value-versus-burden picture, and no support tickets were opened in "
            f"{_window_text(as_of)}."
            + (
                _tickets_elsewhere(ctx, as_of)
                or " Load your tickets (opened date, customer; hours if you log them) so "
                "ideal customers (high revenue, little support) can be told apart."
            )
        )
    frame, _basis = _ctx_quadrant(ctx, as_of)
    needed = minimum(ctx.settings, "min_cases")
    if int((frame["revenue"] > 0).sum()) < needed:
        return ind.unknown(
            f"Only {fmt.plural(int((frame['revenue'] > 0).sum()), 'customer')} with revenue in "
            f"{_window_text(as_of)}: too few to tell what the best of them have in common "
            f"(needs at least {needed}). Load more invoices.",
        )
    with_revenue = frame[frame["revenue"] > 0]
    known = {
        a: int(
            (
                with_revenue["has_segment"].astype(bool)
                if a == "segment"
                else with_revenue[a].notna()
            ).sum()
        )
        for a in ATTRIBUTES
    }
    if not any(known.values()):
        return ind.unknown(
            "None of your customers has a segment, size, region or acquisition channel. Load a "
            "customers file with any of these columns to see what your ideal customers have in "
            "common."
        )
    lifts = profile_lift(frame)
    eligible = lifts[lifts["ideal"] >= MIN_IDEAL]
    ideal_n = int((with_revenue["quadrant"] == "ideal").sum())
    if eligible.empty:
        return ind.unknown(
            f"Only {fmt.plural(ideal_n, 'ideal customer')} in {_window_text(as_of)}: a profile "
            f"needs at least {MIN_IDEAL} ideal customers sharing a trait. Load customer "
            "details (segment, size, region, channel) or more history.",
            lifts,
        )
    value = float(eligible["lift"].iloc[0])
    status = ind.judge(value, ctx.settings)
    standout = eligible[eligible["lift"] >= MIN_LIFT]
    if standout.empty:
        strongest = eligible.iloc[0]
        text = (
            f"No trait sets your {ideal_n:,} ideal customers apart: the strongest, "
            f"{trait_name(str(strongest['attribute']), str(strongest['value']))}, is only "
            f"{value:.2f}× as common among them as among all your customers. Good customers "
            "come in every shape: look at how you won them rather than who they are."
        )
    else:
        traits = [
            f"{trait_name(a, v)}, {lift:.1f}× ({fmt.pct(si)} of them vs {fmt.pct(sa)} of all)"
            for a, v, lift, si, sa in zip(
                standout["attribute"].head(NAMES_IN_MESSAGE),
                standout["value"].head(NAMES_IN_MESSAGE),
                standout["lift"].head(NAMES_IN_MESSAGE),
                standout["share_ideal"].head(NAMES_IN_MESSAGE),
                standout["share_all"].head(NAMES_IN_MESSAGE),
                strict=True,
            )
        ]
        text = (
            f"What your {ideal_n:,} ideal customers (high revenue, low support) have in common "
            f"more often than the rest: {_names(traits, len(standout))}. Aim your prospecting "
            "at customers like these."
        )
    missing = [ATTRIBUTES[a].lower() for a, n in known.items() if n == 0]
    if missing:
        text += f" Not compared (not in your customers file): {_names(missing)}."
    details: dict[str, Any] = {
        "as_of": as_of,
        **{k: v for k, v in window.items() if k != "current_after"},
        "ideal_customers": ideal_n,
        "customers": len(with_revenue),
        "attributes_known": known,
        "traits": _records(standout),
        "rule": (
            f"Lift = share of ideal customers with the trait / share of all customers with "
            f"revenue in the last 12 months with it (among those whose attribute is known); "
            f"listed from {MIN_LIFT}× with at least {MIN_IDEAL} ideal customers. Size bands: "
            "1–9, 10–49, 50–249, 250+ employees."
        ),
    }
    if ideal_n < needed:
        return ind.too_few(
            value,
            ideal_n,
            needed,
            "ideal customer",
            fix="Load more invoices and tickets, so more customers can be placed.",
            frame=lifts,
            details=details,
        )
    return Result(ind.id, value, status, text, details, lifts)


IDEAL_PROFILE = register(
    Indicator(
        id="ideal_profile",
        area=AREA,
        reads=("invoices", "tickets"),
        counts_days=False,
        label="Ideal profile lift",
        unit="ratio",
        higher_is_better=True,
        description=(
            "Who should you be playing with? Prospecting by postcode, or selling to anyone "
            "who will buy, fills the book with customers who churn or complain. Your ideal "
            "customers (high revenue, low support) tell you whom to look for: this finds the "
            "segment, size band, region or acquisition channel that is more common among them "
            "than among all your customers (the lift: 2× means twice as common). Green from "
            "1.5×, a clear profile to aim at; red below 1.1×, when nothing sets them apart."
        ),
        thresholds=Thresholds(green=1.5, red=1.1),
        compute=compute_ideal_profile,
        page=PAGE,
        checklists=("test_advice",),
        next_step=(
            "Write down the profile the traits describe and point next quarter's prospecting "
            "list at companies that fit it; ask your ideal customers for introductions to "
            "others like them."
        ),
    )
)


# ---------------------------------------------------------------- benchmarks


def compute_recurring_revenue_share(ctx: Context) -> Result:
    ind = RECURRING_REVENUE_SHARE
    start = _start(ctx, ind)
    if isinstance(start, Result):
        return start
    as_of, window = start
    currency = _currency(ctx)
    row = query(
        ctx.con,
        "fit_recurring",
        {"ws": ctx.workspace_id, "as_of": as_of, "current_after": window["current_after"]},
    ).iloc[0]
    revenue, known = float(row["revenue"]), float(row["known_revenue"])
    recurring = float(row["recurring_revenue"])
    if int(row["flagged_lines"]) == 0:
        return ind.unknown(
            f"None of your invoice lines in {_window_text(as_of)} says whether it is recurring. "
            "Load invoices with a recurring column (yes/no: contracts, subscriptions, monthly "
            "fees) to compare with the service-business reference of 65% or more."
        )
    if known <= 0:
        return ind.unknown(
            f"The invoice lines with a recurring flag in {_window_text(as_of)} add up to "
            f"{fmt.money(known, currency)}: nothing to take a share of."
        )
    value = recurring / known
    status = ind.judge(value, ctx.settings)
    coverage = known / revenue if revenue > 0 else None
    text = (
        f"{fmt.pct(value)} of your revenue in {_window_text(as_of)} is recurring "
        f"({fmt.money(recurring, currency)} of {fmt.money(known, currency)}). Definition: "
        "recurring revenue / total revenue on invoice lines that say whether they recur. "
        "Reference for service businesses: 65% or more is strong, under 40% weak."
    )
    if coverage is not None and coverage < 0.999:
        text += f" Only {fmt.pct(coverage)} of your revenue carries the flag; the rest is left out."
    if status != "green":
        text += " Turn one-off work into service contracts to steady the cash."
    details: dict[str, Any] = {
        "as_of": as_of,
        **{k: v for k, v in window.items() if k != "current_after"},
        "definition": "recurring revenue / revenue on invoice lines with a known recurring flag",
        "reference": "65% or more strong (green), under 40% weak (red)",
        "recurring_revenue": recurring,
        "known_revenue": known,
        "revenue": revenue,
        "coverage": coverage,
        "flagged_lines": int(row["flagged_lines"]),
        "lines": int(row["lines"]),
    }
    return Result(ind.id, value, status, text, details)


RECURRING_REVENUE_SHARE = register(
    Indicator(
        id="recurring_revenue_share",
        area=AREA,
        reads=("invoices",),
        counts_days=False,
        label="Recurring revenue share",
        unit="share",
        higher_is_better=True,
        description=(
            "A service business benchmark: how much of the last 12 months' revenue comes from "
            "contracts that bill again by themselves (managed services, subscriptions, "
            "retainers) rather than one-off jobs you must sell again. Recurring revenue "
            "carries you through a slow selling spell and makes the business worth more. "
            "Counted on invoice lines that say whether they recur. Commonly quoted for IT "
            "and other managed service providers: 65% or more is strong (green), under 40% "
            "weak (red)."
        ),
        thresholds=Thresholds(green=0.65, red=0.40),
        compute=compute_recurring_revenue_share,
        page=PAGE,
        checklists=("you_are_what_you_eat",),
        next_step=(
            "Offer your one-off customers a monthly service agreement that covers what they "
            "keep calling you for, and price new projects with a support contract attached."
        ),
    )
)


def compute_top3_concentration(ctx: Context) -> Result:
    ind = TOP3_CONCENTRATION
    start = _start(ctx, ind)
    if isinstance(start, Result):
        return start
    as_of, window = start
    currency = _currency(ctx)
    ranks = _ctx_ranks(ctx, as_of)
    if ranks.empty:
        return _no_revenue(ind, ctx, as_of)
    top = ranks.head(3)
    total = float(ranks["value"].sum())
    value = float(top["value"].sum()) / total
    status = ind.judge(value, ctx.settings)
    names = [
        f"{name} ({fmt.pct(s)})" for name, s in zip(top["customer"], top["share"], strict=True)
    ]
    text = (
        f"Your 3 largest customers brought {fmt.pct(value)} of the revenue in "
        f"{_window_text(as_of)} ({fmt.money(float(top['value'].sum()), currency)} of "
        f"{fmt.money(total, currency)}): {_names(names)}. Definition: the three largest "
        "customers' share of revenue over the last 12 months. Reference: under 20% strong, "
        "over 45% weak."
    )
    if len(ranks) <= 3:
        text += f" You have only {fmt.plural(len(ranks), 'customer')} with revenue in that time."
    if status == "red":
        text += " Losing one of them would shake the business: win more mid-sized customers."
    details: dict[str, Any] = {
        "as_of": as_of,
        **{k: v for k, v in window.items() if k != "current_after"},
        "definition": "the 3 largest customers' share of revenue in the last 12 months",
        "reference": "under 20% strong (green), over 45% weak (red)",
        "revenue": total,
        "customers": len(ranks),
        "top3": _records(
            top[["customer", "segment", "value", "share"]].rename(columns={"value": "revenue"})
        ),
    }
    return Result(ind.id, value, status, text, details)


TOP3_CONCENTRATION = register(
    Indicator(
        id="top3_concentration",
        area=AREA,
        reads=("invoices",),
        counts_days=False,
        label="Revenue from top 3",
        unit="share",
        higher_is_better=False,
        description=(
            "A service business benchmark of customer concentration: the share of the last 12 "
            "months' revenue from your three largest customers. Buyers, banks and lenders look "
            "at it first, because when a few customers carry the business, one lost contract "
            "can sink it. Commonly quoted: under 20% is strong (green), over 45% is weak (red)."
        ),
        thresholds=Thresholds(green=0.20, red=0.45),
        compute=compute_top3_concentration,
        page=PAGE,
        checklists=("test_advice",),
        next_step=(
            "Keep the big three close, and give your prospecting a target of mid-sized "
            "customers until the three carry less than a fifth of revenue."
        ),
    )
)


# ---------------------------------------------------------------- chart summaries

# Most customers drawn in the value-vs-burden chart; how many customers it names.
QUADRANT_POINTS = 1500
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
