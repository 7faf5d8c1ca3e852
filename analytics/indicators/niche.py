"""Niche growth indicators (registered on import): segment growth, saturation, concentration.

Also the tidy frames behind the Niche page's charts. Every figure reads invoices up to an
"as of" day (the owner's pick, else the last invoice date) and each customer's segment from
`customers_current`; customers without one are pooled as "(no segment)".
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

import pandas as pd

from analytics import format as fmt
from analytics.indicators import effective_thresholds, jsonable, register
from analytics.indicators.base import Context, Indicator, Result, Thresholds
from analytics.queries import query
from analytics.settings import get_settings, minimum
from analytics.store import Connection

PAGE = "niche"
AREA = "niche"
NO_SEGMENT = "(no segment)"
GRAINS: tuple[str, ...] = ("month", "quarter", "year")
# How many 3-month periods the saturation check looks back over (two years).
SATURATION_PERIODS = 8
# Drops in new customers, period after period, that make a growing segment "saturating".
SATURATION_FALLS = 2
# Above this share of revenue from unsegmented customers, concentration would describe
# a minority of the business.
MAX_UNSEGMENTED_SHARE = 0.5
# A top segment with this share is worth watching even when the spread is healthy.
HALF = 0.5
# One or two segments making 80 % of revenue: a vertical business.
VERTICAL_MAX_SEGMENTS = 2
# Far enough ahead to mean "every invoice there is", and a day before any business's data
# (used to get a query's empty frame, with its columns, for a workspace without invoices).
_END_OF_TIME = date(9999, 12, 31)
_BEFORE_DATA = date(1900, 1, 1)

NO_INVOICES = (
    "No invoices yet. Load your invoices (date, customer, amount) and a customers file "
    "with each customer's segment or industry."
)
SEGMENT_NOTE = (
    f"Customers without a segment are pooled as {NO_SEGMENT!r}; give them a segment in "
    "your customers file to see where they belong."
)


# ---------------------------------------------------------------- shared helpers


def months_back(as_of: date, months: int) -> date:
    """The window boundary `months` calendar months before `as_of`.

    The same day of the month, clamped to the month's end (31 May → 28 Feb); when `as_of`
    is a month end the boundaries are month ends too, so an owner who picks 30 Jun gets the
    quarters (31 Mar, 30 Jun], (31 Dec, 31 Mar]…. Every niche window is cut here.
    """
    return _shift_months(as_of, -months)


def _shift_months(day: date, months: int) -> date:
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    month_end = (day + timedelta(days=1)).day == 1
    return date(year, month0 + 1, last if month_end else min(day.day, last))


def window_ends(as_of: date, step_months: int, windows: int) -> list[date]:
    """as_of and the boundaries before it, newest first: window k runs (ends[k+1], ends[k]]."""
    return [months_back(as_of, step_months * k) for k in range(windows + 1)]


def oldest_full_window(first_invoice: date, ends: list[date]) -> int:
    """The oldest window k the invoices cover in full, -1 if none.

    A window counts as full when the first invoice falls within its first month: a
    business's first month of billing stands for the whole month.
    """
    full = [k for k in range(len(ends) - 1) if first_invoice <= _months_after(ends[k + 1], 1)]
    return max(full, default=-1)


def usable_from(first_invoice: date) -> date:
    """The first day new customers mean anything: 12 months after the first invoice."""
    return _months_after(first_invoice, 12)


def _months_after(day: date, months: int) -> date:
    return _shift_months(day, months)


def _jsonable(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A small frame as JSON-ready records: NaN → None, dates → ISO strings, plain numbers."""
    records: list[dict[str, Any]] = jsonable(frame.to_dict(orient="records"))
    return records


def _names(items: list[str]) -> str:
    """Names in a sentence: "A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _currency(ctx: Context) -> str:
    return str(ctx.settings.get("currency", "USD"))


def _invoice_as_of(ctx: Context) -> date | None:
    return ctx.entity_as_of("invoices")


def invoice_span(con: Connection, workspace_id: int, as_of: date | None = None) -> dict[str, Any]:
    """First and last invoice date up to `as_of`, lines, customers and segmented customers."""
    frame = query(con, "niche_invoice_span", {"ws": workspace_id, "as_of": as_of or _END_OF_TIME})
    row = frame.iloc[0]
    return {
        "first_date": None
        if pd.isna(row["first_date"])
        else pd.Timestamp(row["first_date"]).date(),
        "last_date": None if pd.isna(row["last_date"]) else pd.Timestamp(row["last_date"]).date(),
        "lines": int(row["lines"]),
        "customers": int(row["customers"]),
        "segmented_customers": int(row["segmented_customers"]),
    }


def _resolve_as_of(con: Connection, workspace_id: int, as_of: date | None) -> date | None:
    return as_of if as_of is not None else invoice_span(con, workspace_id)["last_date"]


def _ctx_span(ctx: Context, as_of: date) -> dict[str, Any]:
    """`invoice_span` to `as_of`, once per context (every niche indicator starts with it)."""
    return dict(
        ctx.shared(("niche_span", as_of), lambda: invoice_span(ctx.con, ctx.workspace_id, as_of))
    )


def _ctx_windows(ctx: Context, as_of: date, first_invoice: date | None) -> pd.DataFrame:
    """`segment_windows`, once per context (growth and saturation both read it)."""
    return ctx.shared(
        ("niche_windows", as_of, first_invoice),
        lambda: segment_windows(ctx.con, ctx.workspace_id, as_of, first_invoice=first_invoice),
    ).copy()


def _start(ctx: Context, ind: Indicator) -> tuple[date, dict[str, Any]] | Result:
    """The as-of day and the invoices up to it, or the "not enough data" result saying why."""
    as_of = _invoice_as_of(ctx)
    if as_of is None:
        return ind.unknown(NO_INVOICES)
    span = _ctx_span(ctx, as_of)
    if span["lines"] == 0:
        first = invoice_span(ctx.con, ctx.workspace_id)["first_date"]
        if first is None:
            return ind.unknown(NO_INVOICES)
        return ind.unknown(
            f"No invoices on or before {fmt.day(as_of)}: yours start on {fmt.day(first)}. "
            "Pick a later day, or load older invoices."
        )
    return as_of, span


def _span_text(span: dict[str, Any]) -> str:
    if span["first_date"] is None:
        return "you have no invoices up to that day"
    return f"you have invoices from {fmt.day(span['first_date'])} to {fmt.day(span['last_date'])}"


# ---------------------------------------------------------------- frames for the page


def segment_windows(
    con: Connection, workspace_id: int, as_of: date, *, first_invoice: date | None = None
) -> pd.DataFrame:
    """Per segment: revenue (last 12 months), revenue_prior (the 12 before), share, growth,
    cagr (compound yearly growth from the first full 12-month window in the data to the
    last 12 months; null with under two full windows or no revenue in the first),
    cagr_years, customers (with revenue in the last 12 months), new_customers (first-ever
    invoice in the last 12 months), and trend: new / lost / growing / shrinking / flat.

    Segments with revenue only in the first full window (gone since) are kept, so totals over
    the frame give the whole business's CAGR. `first_invoice` saves a look-up when known.
    """
    first = first_invoice or invoice_span(con, workspace_id, as_of)["first_date"] or as_of
    ends = window_ends(as_of, 12, as_of.year - first.year + 2)  # back past the first invoice
    oldest = oldest_full_window(first, ends)
    frame = query(
        con,
        "niche_segment_windows",
        {
            "ws": workspace_id,
            "as_of": as_of,
            "current_after": ends[1],
            "prior_after": ends[2],
            # no full window: an empty one
            "first_full_after": ends[oldest + 1] if oldest >= 0 else as_of,
            "first_full_to": ends[oldest] if oldest >= 0 else as_of,
            "first_full_years": oldest,
        },
    )
    trend = pd.Series("flat", index=frame.index, dtype=object)
    trend = trend.mask(frame["revenue"] > frame["revenue_prior"], "growing")
    trend = trend.mask(frame["revenue"] < frame["revenue_prior"], "shrinking")
    trend = trend.mask((frame["revenue_prior"] <= 0) & (frame["revenue"] > 0), "new")
    trend = trend.mask((frame["revenue"] <= 0) & (frame["revenue_prior"] > 0), "lost")
    frame["trend"] = trend.astype(str)
    frame["customers"] = frame["customers"].astype(int)
    frame["customers_prior"] = frame["customers_prior"].astype(int)
    frame["new_customers"] = frame["new_customers"].astype(int)
    return frame


def comparison_months(con: Connection, workspace_id: int, as_of: date) -> dict[str, Any]:
    """How much of the 12 months before the last 12 (the period a growth rate compares
    against) holds invoices: months_with_invoices of months (12), each month cut at
    `as_of`'s day like every niche window; and first_invoice (ever)."""
    ends = window_ends(as_of, 1, 24)[12:]  # as_of - 12 months … as_of - 24 months
    row = query(con, "niche_comparison_months", {"ws": workspace_id, "ends": ends}).iloc[0]
    return {
        "months_with_invoices": int(row["months_with_invoices"]),
        "months": int(row["months"]),
        "first_invoice": None
        if pd.isna(row["first_invoice"])
        else pd.Timestamp(row["first_invoice"]).date(),
    }


def comparison_gap(
    ctx: Context, ind: Indicator, as_of: date, purpose: str, frame: pd.DataFrame | None = None
) -> Result | None:
    """ "Not enough data" when the 12 months before the last 12 hold invoices in fewer months
    than the setting comparison_months_needed: a growth rate against a part-year only
    measures the months missing from the data. None when the comparison is fair."""
    needed = minimum(ctx.settings, "comparison_months_needed")
    cover = ctx.shared(
        ("niche_comparison_months", as_of),
        lambda: comparison_months(ctx.con, ctx.workspace_id, as_of),
    )
    have = cover["months_with_invoices"]
    if have >= needed:
        return None
    prior_from = months_back(as_of, 24) + timedelta(days=1)
    prior_to = months_back(as_of, 12)
    first = cover["first_invoice"]
    period = (
        f"the 12 months before {fmt.day(prior_to + timedelta(days=1))} "
        f"({fmt.day(prior_from)} to {fmt.day(prior_to)})"
    )
    if first is not None and first > prior_from:
        why = f"Your invoices start on {fmt.day(first)}; "
        fix = f"Load older invoices, from {fmt.day(prior_from)} on, to see it."
    else:
        why = ""
        fix = "Load the invoices of the missing months to see it."
    text = (
        f"{why}{purpose} needs invoices in at least {needed} of {period}, and "
        f"{have} of them {'has' if have == 1 else 'have'} any. {fix}"
    )
    return ind.unknown(
        text[0].upper() + text[1:],
        frame,
        {
            "as_of": as_of.isoformat(),
            **_windows(as_of),
            "comparison_months_with_invoices": have,
            "comparison_months_needed": needed,
            "first_invoice": first,
        },
    )


def _period_params(
    con: Connection,
    workspace_id: int,
    as_of: date | None,
    grain: str,
    settings: dict[str, Any] | None,
) -> dict[str, Any] | None:
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {', '.join(GRAINS)}; got {grain!r}")
    day = _resolve_as_of(con, workspace_id, as_of)
    if day is None:
        return None
    values = settings if settings is not None else get_settings(con, workspace_id)
    shift = int(values.get("fiscal_year_start", 1)) - 1 if grain != "month" else 0
    return {"ws": workspace_id, "as_of": day, "grain": grain, "fiscal_shift": shift}


def segment_revenue_by_period(
    con: Connection,
    workspace_id: int,
    as_of: date | None,
    grain: str = "month",
    *,
    settings: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Revenue per segment per period: period_start, segment, revenue, customers, share.

    grain is "month", "quarter" or "year"; quarters and years follow the fiscal year
    (setting fiscal_year_start, read from the store unless `settings` is given), so with an
    April start the year 2024 runs 1 Apr 2024 – 31 Mar 2025 and is labelled 1 Apr 2024.
    Every period from the first invoice to the one holding `as_of` appears for every
    segment (zeros included); the first and last may be partial. customers = customers with
    net revenue in the period; share = the segment's part of the period's revenue.
    """
    params = _period_params(con, workspace_id, as_of, grain, settings)
    if params is None:
        return query(con, "niche_segment_revenue_by_period", _empty_period_params(workspace_id))
    return query(con, "niche_segment_revenue_by_period", params)


def new_customers_by_period(
    con: Connection,
    workspace_id: int,
    as_of: date | None,
    grain: str = "month",
    *,
    settings: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """New customers (first-ever invoice) per segment per period: period_start, segment,
    new_customers. Periods as in `segment_revenue_by_period`; in the data's first months
    every existing customer counts as new, so read the start of the series with care.
    """
    params = _period_params(con, workspace_id, as_of, grain, settings)
    if params is None:
        return query(con, "niche_new_customers_by_period", _empty_period_params(workspace_id))
    return query(con, "niche_new_customers_by_period", params)


def _empty_period_params(workspace_id: int) -> dict[str, Any]:
    # A workspace without invoices: run the query on a day before any data, for its columns.
    return {"ws": workspace_id, "as_of": _BEFORE_DATA, "grain": "month", "fiscal_shift": 0}


def segment_economics(
    con: Connection, workspace_id: int, as_of: date | None, settings: dict[str, Any]
) -> pd.DataFrame:
    """What a customer in each segment is worth over the last 12 months to `as_of`.

    Columns: segment, customers (with revenue in the window), revenue_per_customer,
    margin_per_customer (revenue − invoice cost where given − hours logged on the segment's
    customers × the cost rate of the role: cost_rate_tech / _sales / _admin, else
    cost_rate_default; null when there are neither invoice costs nor time entries naming a
    customer), tickets_per_customer (tickets opened in the window), prior_customers (with
    revenue in the 12 months before), churned, churn (churned / prior_customers).
    """
    day = _resolve_as_of(con, workspace_id, as_of) or _BEFORE_DATA
    return query(
        con,
        "niche_segment_economics",
        {
            "ws": workspace_id,
            "as_of": day,
            "current_after": months_back(day, 12),
            "prior_after": months_back(day, 24),
            "rate_tech": float(settings.get("cost_rate_tech", 60.0)),
            "rate_sales": float(settings.get("cost_rate_sales", 70.0)),
            "rate_admin": float(settings.get("cost_rate_admin", 40.0)),
            "rate_default": float(settings.get("cost_rate_default", 60.0)),
        },
    )


def new_customer_quarters(
    con: Connection,
    workspace_id: int,
    as_of: date,
    periods: int = SATURATION_PERIODS,
    *,
    first_invoice: date | None = None,
) -> pd.DataFrame:
    """New customers per segment in consecutive 3-month periods ending at `as_of`.

    Columns: segment, k (0 = the latest period), period_start, period_end, usable (the
    period starts after the first 12 months of invoices), new_customers, falls (how many
    periods in a row, up to the latest, the count went down).
    """
    first = first_invoice or invoice_span(con, workspace_id, as_of)["first_date"] or as_of
    return query(
        con,
        "niche_new_customer_quarters",
        {
            "ws": workspace_id,
            "as_of": as_of,
            "ends": window_ends(as_of, 3, periods),
            "usable_from": usable_from(first),
        },
    )


def concentration_table(con: Connection, workspace_id: int, as_of: date) -> pd.DataFrame:
    """Segments by revenue share over the last 12 months, largest first.

    Columns: segment, rank, revenue, share, cumulative_share, in_80 (among the fewest
    segments making 80 % of revenue), hhi, segments_for_80, segmented_revenue,
    unsegmented_revenue (left out of the shares).
    """
    return query(
        con,
        "niche_concentration",
        {"ws": workspace_id, "as_of": as_of, "current_after": months_back(as_of, 12)},
    )


# ---------------------------------------------------------------- sparklines


def _spark_from_details(result: Result, key: str, date_col: str, value_col: str) -> pd.Series:
    rows = result.details.get(key) or []
    if not rows:
        return pd.Series(dtype=float)
    frame = pd.DataFrame(rows)
    return pd.Series(
        frame[value_col].to_numpy(dtype=float), index=pd.to_datetime(frame[date_col]).dt.date
    )


def _spark_growth(result: Result) -> pd.Series:
    return _spark_from_details(result, "trailing_12m_revenue", "month", "revenue")


def _spark_saturation(result: Result) -> pd.Series:
    return _spark_from_details(result, "new_customers_by_quarter", "period_end", "new_customers")


# ---------------------------------------------------------------- segment_growth


def trailing_revenue(
    con: Connection, workspace_id: int, as_of: date, months: int = 13
) -> pd.DataFrame:
    """Trailing-12-month revenue at the end of each of the last `months` calendar months.

    Columns: month (first day), revenue (the 12 calendar months ending with that month).
    The last month may be partial (it ends at `as_of`).
    """
    monthly = query(con, "niche_monthly_revenue", {"ws": workspace_id, "as_of": as_of})
    monthly["revenue"] = monthly["revenue"].rolling(12, min_periods=12).sum()
    monthly = monthly.dropna().tail(months).reset_index(drop=True)
    monthly["month"] = pd.to_datetime(monthly["month"]).dt.date
    return monthly


def _windows(as_of: date) -> dict[str, str]:
    """The last 12 months and the 12 before, as first and last day (ISO)."""
    cur_after = months_back(as_of, 12)
    prior_after = months_back(as_of, 24)
    return {
        "current_from": (cur_after + timedelta(days=1)).isoformat(),
        "current_to": as_of.isoformat(),
        "prior_from": (prior_after + timedelta(days=1)).isoformat(),
        "prior_to": cur_after.isoformat(),
    }


def compute_segment_growth(ctx: Context) -> Result:
    ind = SEGMENT_GROWTH
    start = _start(ctx, ind)
    if isinstance(start, Result):
        return start
    as_of, span = start
    currency = _currency(ctx)
    seg = _ctx_windows(ctx, as_of, span["first_date"])
    shown = seg[(seg["revenue"] != 0) | (seg["revenue_prior"] != 0)].reset_index(drop=True)
    revenue = float(seg["revenue"].sum())
    prior = float(seg["revenue_prior"].sum())
    cur_after = months_back(as_of, 12)
    if prior <= 0:
        return ind.unknown(
            f"Needs invoices from the 12 months before {fmt.day(cur_after + timedelta(days=1))} "
            f"to compare the last 12 months with the 12 before; {_span_text(span)}. Load "
            "older invoices (13 months or more in all) to see growth.",
            shown,
        )
    gap = comparison_gap(
        ctx, ind, as_of, "a growth rate", shown.assign(growth=float("nan"), cagr=float("nan"))
    )
    if gap is not None:
        return gap
    # A segment's own rate needs the same base as the whole business's.
    base_needed = minimum(ctx.settings, "growth_min_customers")
    shown["growth"] = shown["growth"].where(shown["customers_prior"] >= base_needed)
    growth = (revenue - prior) / prior
    status = ind.status_of(growth, effective_thresholds(ind, ctx.settings))

    first_date: date = span["first_date"]
    years = seg["cagr_years"].dropna()
    cagr_years = int(years.iloc[0]) if not years.empty else 0
    # The year before is covered in full exactly when it is a full window (k = 1).
    prior_complete = cagr_years >= 1
    first_full = float(seg["revenue_first_full"].sum())
    cagr = (
        (revenue / first_full) ** (1 / cagr_years) - 1
        if cagr_years >= 1 and first_full > 0 and revenue >= 0
        else None
    )

    notes = [SEGMENT_NOTE] if (seg["segment"] == NO_SEGMENT).any() else []
    if not prior_complete:
        notes.append(
            f"Your invoices start on {fmt.day(first_date)}, inside the earlier 12 months: "
            "part of the growth may only be the months before your data begins."
        )
    if usable_from(first_date) > cur_after + timedelta(days=1):
        notes.append(
            "The last 12 months overlap your first year of invoices, when every customer you "
            "already had looks new: new-customer counts run high."
        )

    direction = "up" if growth > 0 else "down" if growth < 0 else "level"
    text = (
        f"Revenue in the 12 months to {fmt.day(as_of)}: {fmt.money(revenue, currency)}, "
        f"{direction} {fmt.pct(abs(growth))} on the 12 months before "
        f"({fmt.money(prior, currency)})."
        if direction != "level"
        else f"Revenue in the 12 months to {fmt.day(as_of)}: {fmt.money(revenue, currency)}, "
        "the same as the 12 months before."
    )
    change = shown["revenue"] - shown["revenue_prior"]
    if not shown.empty and change.abs().max() > 0:
        mover = shown.iloc[int(change.abs().to_numpy().argmax())]
        delta = float(mover["revenue"] - mover["revenue_prior"])
        if mover["trend"] == "new":
            text += f" Biggest change: {mover['segment']}, new this year with {fmt.money(delta, currency)}."
        else:
            sign = "+" if delta > 0 else "-"
            rate = (
                f"{fmt.pct(float(mover['growth']), signed=True)}"
                if pd.notna(mover["growth"])
                else f"on {fmt.plural(int(mover['customers_prior']), 'customer')} the year before"
            )
            text += (
                f" Biggest change: {mover['segment']} ({sign}{fmt.money(abs(delta), currency)}, "
                f"{rate})."
            )
    if growth < 0:
        text += " Find out where it went before you chase a new niche."
    if not prior_complete:
        text += f" Your invoices only start on {fmt.day(first_date)}, so the earlier year is incomplete."

    details: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        **_windows(as_of),
        "revenue": revenue,
        "revenue_prior": prior,
        "growth": growth,
        "prior_window_complete": bool(prior_complete),
        "cagr": cagr,
        "cagr_years": cagr_years,
        "cagr_definition": (
            "Compound yearly growth between the first full 12-month window in your invoices "
            "(windows end on the as-of day, a year apart; a window counts as full when the "
            "invoices start within its first month) and the last 12 months. Unknown with "
            "fewer than two full windows."
        ),
        "customers": int(shown["customers"].sum()),
        "new_customers": int(shown["new_customers"].sum()),
        "segments": _jsonable(shown),
        "no_segment": NO_SEGMENT,
        "trailing_12m_revenue": _jsonable(trailing_revenue(ctx.con, ctx.workspace_id, as_of)),
        "notes": notes,
        "customers_prior": int(seg["customers_prior"].sum()),
        "growth_min_customers": base_needed,
    }
    prior_customers = int(seg["customers_prior"].sum())
    if prior_customers < base_needed:
        return ind.too_few(
            float(growth),
            prior_customers,
            base_needed,
            "customer",
            count=(
                f"{fmt.money(revenue, currency)} against {fmt.money(prior, currency)} from "
                f"{fmt.plural(prior_customers, 'customer')} in the 12 months before"
            ),
            fix="A growth rate on so small a base says little; load invoices for more of "
            "your customers.",
            frame=shown,
            details=details,
            currency=currency,
        )
    return Result(ind.id, float(growth), status, text, details, shown)


SEGMENT_GROWTH = register(
    Indicator(
        id="segment_growth",
        area=AREA,
        reads=("invoices",),
        label="Revenue growth by segment",
        unit="share",
        higher_is_better=True,
        description=(
            "How much more, or less, you billed in the last 12 months than in the 12 before, "
            "and which segments made the difference. A niche you know well should keep "
            "growing; when one stalls you want to see it segment by segment, early, not "
            "hidden inside the year's total. Green from +5% a year (ahead of price rises), "
            "red when revenue shrinks. The table also gives each segment's compound yearly "
            "growth (CAGR) from the first full 12 months in your data, its customers and its "
            "new customers. Needs invoices in 10 of the 12 months compared against and 5 "
            "customers then (Settings, Minimum bases)."
        ),
        thresholds=Thresholds(green=0.05, red=0.0),
        compute=compute_segment_growth,
        page=PAGE,
        checklists=("you_are_what_you_eat", "does_it_work"),
        next_step=(
            "Look at the segments that shrank: ask the customers who bought less what changed "
            "(price, service, a competitor), and point your next prospecting hours at the "
            "segment that is still growing."
        ),
        spark=_spark_growth,
    )
)


# ---------------------------------------------------------------- segment_saturation


def segment_gap(ind: Indicator, seg: pd.DataFrame, what: str) -> Result | None:
    """ "Not enough data" without two real segments among customers with revenue in the
    frame's windows: customers pooled as "(no segment)" are not a niche. One real segment
    holding every such customer is a fact (a vertical business) and passes."""
    live = seg[(seg["revenue"] > 0) | (seg["revenue_prior"] > 0)]
    real = sorted(str(s) for s in live["segment"] if s != NO_SEGMENT)
    pooled = bool((live["segment"] == NO_SEGMENT).any())
    if len(real) >= 2 or (len(real) == 1 and not pooled):
        return None
    fix = (
        "Load a customers file with a segment or industry column (matched to your invoices' "
        "customer names) to see it."
    )
    if not real:
        return ind.unknown(
            f"None of your customers with revenue in the last two years has a segment: every "
            f"one is pooled as {NO_SEGMENT!r}, so there are no niches to compare. {what} "
            f"needs at least two segments. {fix}",
            details={"segments": 0},
        )
    return ind.unknown(
        f"Only one segment ({real[0]}) among your customers with revenue in the last two "
        f"years; the others are pooled as {NO_SEGMENT!r}. {what} needs at least two "
        f"segments. {fix}",
        details={"segments": 1},
    )


def _trail(counts: list[int]) -> str:
    return " → ".join(str(n) for n in counts)


def compute_segment_saturation(ctx: Context) -> Result:
    ind = SEGMENT_SATURATION
    start = _start(ctx, ind)
    if isinstance(start, Result):
        return start
    as_of, span = start
    seg = _ctx_windows(ctx, as_of, span["first_date"])
    few = segment_gap(ind, seg, "Saturation (a niche still growing while new buyers dry up)")
    if few is not None:
        return few
    periods = new_customer_quarters(
        ctx.con, ctx.workspace_id, as_of, first_invoice=span["first_date"]
    )
    needed = SATURATION_FALLS + 1
    usable = periods.loc[periods["usable"].astype(bool), "k"].drop_duplicates()
    if len(usable) < needed:
        # usable_from(first) must not be after the oldest period's first day
        oldest_start = months_back(as_of, 3 * needed) + timedelta(days=1)
        need_from = months_back(oldest_start, 12)
        return ind.unknown(
            f"Needs invoices from {fmt.day(need_from)} or earlier: new customers are compared "
            f"over the last {needed} quarters, and the first 12 months of invoices are set "
            "aside because every customer you already had looks new then; "
            f"{_span_text(span)}."
        )
    gap = comparison_gap(
        ctx, ind, as_of, "saturation compares each segment's revenue with the year before: it"
    )
    if gap is not None:
        return gap

    kept = periods[periods["usable"].astype(bool)].sort_values(
        ["segment", "k"], ascending=[True, False]
    )
    trails = kept.groupby("segment", sort=False)["new_customers"].agg(list)
    summary = (
        periods.groupby("segment", as_index=False)
        .agg(falls=("falls", "first"), new_customers_latest=("new_customers", "first"))
        .merge(seg[["segment", "revenue", "revenue_prior", "growth"]], on="segment", how="left")
        .fillna({"revenue": 0.0, "revenue_prior": 0.0})
    )
    summary["new_customers_by_quarter"] = summary["segment"].map(trails)
    summary["falls"] = summary["falls"].astype(int)
    # "Still grows": it earned in the year before too, and earns more now (new segments
    # are just starting, not saturating).
    grows = (summary["revenue_prior"] > 0) & (summary["revenue"] > summary["revenue_prior"])
    judged = summary["segment"] != NO_SEGMENT
    summary["saturating"] = grows & judged & (summary["falls"] >= SATURATION_FALLS)
    summary["watch"] = grows & judged & (summary["falls"] == SATURATION_FALLS - 1)
    summary = summary.sort_values(
        ["saturating", "watch", "revenue"], ascending=[False, False, False]
    ).reset_index(drop=True)

    saturating = summary[summary["saturating"]]
    watch = summary[summary["watch"]]
    value = len(saturating)
    status = ind.status_of(value, effective_thresholds(ind, ctx.settings))

    def described(rows: pd.DataFrame) -> list[str]:
        # "Pharma (+60.0%, new customers 3 → 2 → 1)": the run of drops and where it began
        return [
            f"{segment} ({fmt.pct(float(growth), signed=True)}, new customers "
            f"{_trail(counts[-(falls + 1) :])})"
            for segment, growth, counts, falls in zip(
                rows["segment"],
                rows["growth"],
                rows["new_customers_by_quarter"],
                rows["falls"],
                strict=True,
            )
        ]

    if value:
        text = (
            f"{_names(described(saturating))} still "
            f"{'grows' if value == 1 else 'grow'}, but new customers have dropped quarter "
            "after quarter. The niche still pays, yet few new buyers are left: sell what you "
            "know about it to peers and other providers (partners, other IT firms), or open "
            "a neighbouring niche."
        )
    elif not watch.empty:
        text = (
            f"No niche is running dry yet. Watch {_names(described(watch))}: revenue grows "
            "but last quarter brought fewer new customers than the one before."
        )
    elif not (grows & judged).any():
        text = (
            "No segment is saturating: this looks for segments whose revenue still grows "
            "while new customers dry up, and none grows right now."
        )
    else:
        text = "No niche is running dry: every growing segment still wins new customers."

    periods_shown = kept[["segment", "period_start", "period_end", "new_customers"]]
    by_quarter = (
        kept.groupby(["period_start", "period_end"], as_index=False)
        .agg(new_customers=("new_customers", "sum"))
        .sort_values("period_end")
    )
    details: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        **_windows(as_of),
        "rule": (
            "A segment saturates when its revenue in the last 12 months is above the 12 "
            "before (and there was revenue then) while its new customers fell in at least "
            f"{SATURATION_FALLS} consecutive 3-month periods up to the as-of day. Periods "
            "inside your first 12 months of invoices are not used. "
            f"{NO_SEGMENT} is shown but never flagged."
        ),
        "saturating": saturating["segment"].tolist(),
        "watch": watch["segment"].tolist(),
        "segments": _jsonable(summary),
        "periods": _jsonable(periods_shown),
        "new_customers_by_quarter": _jsonable(by_quarter),
        "notes": [SEGMENT_NOTE] if (~judged).any() else [],
    }
    return Result(ind.id, int(value), status, text, details, summary)


SEGMENT_SATURATION = register(
    Indicator(
        id="segment_saturation",
        area=AREA,
        reads=("invoices",),
        label="Saturating segments",
        unit="count",
        higher_is_better=False,
        description=(
            "Segments whose revenue still grows while they find fewer new customers quarter "
            "after quarter (two drops in a row or more). The work still pays, but the pool "
            "of new buyers in that niche is running out; that is the moment to sell the "
            "know-how itself to peers and other providers, or to open a neighbouring niche, "
            "before growth stops. Green when none, amber with one, red from two. New "
            "customers are only counted after your first year of invoices."
        ),
        thresholds=Thresholds(green=0, red=1),
        compute=compute_segment_saturation,
        page=PAGE,
        checklists=("elephant_walk", "assumptions"),
        next_step=(
            "Write down what you know about the saturating niche (its rules, tools and "
            "habits) and offer it as a service to peers and other providers, such as "
            "partners or other IT firms; then pick one neighbouring niche where the same "
            "know-how applies and prospect there next quarter."
        ),
        spark=_spark_saturation,
    )
)


# ---------------------------------------------------------------- segment_concentration


def compute_segment_concentration(ctx: Context) -> Result:
    ind = SEGMENT_CONCENTRATION
    start = _start(ctx, ind)
    if isinstance(start, Result):
        return start
    as_of, span = start
    currency = _currency(ctx)
    if span["segmented_customers"] == 0:
        return ind.unknown(
            "None of your invoiced customers has a segment. Load a customers file with a "
            "segment or industry column to see how your revenue spreads across niches."
        )
    table = concentration_table(ctx.con, ctx.workspace_id, as_of)
    cur_after = months_back(as_of, 12)
    if table.empty:
        return ind.unknown(
            f"No revenue from customers with a segment in the 12 months to {fmt.day(as_of)} "
            f"({_span_text(span)}). Load recent invoices, or pick an earlier day."
        )
    segmented = float(table["segmented_revenue"].iloc[0])
    unsegmented = float(table["unsegmented_revenue"].iloc[0])
    total = segmented + unsegmented
    if total > 0 and unsegmented / total > MAX_UNSEGMENTED_SHARE:
        return ind.unknown(
            f"{fmt.pct(unsegmented / total)} of the last 12 months' revenue "
            f"({fmt.money(unsegmented, currency)} of {fmt.money(total, currency)}) comes from "
            "customers without a segment, too much to judge concentration. Give those "
            "customers a segment in your customers file.",
            table,
        )
    if len(table) == 1 and unsegmented > 0:
        # one named segment beside unnamed customers is not a measured spread of niches
        return ind.unknown(
            f"Only one segment ({table['segment'].iloc[0]}) among your customers with revenue "
            f"in the 12 months to {fmt.day(as_of)}; the other "
            f"{fmt.money(unsegmented, currency)} comes from customers without a segment. "
            "Concentration needs at least two segments: give those customers a segment or "
            "industry in your customers file.",
            table,
            {"segments": 1, "unsegmented_revenue": unsegmented},
        )
    # the per-segment table; the whole-business figures repeat on every row
    shares = table.drop(
        columns=["hhi", "segments_for_80", "segmented_revenue", "unsegmented_revenue"]
    )
    hhi = float(table["hhi"].iloc[0])
    n80 = int(table["segments_for_80"].iloc[0])
    top = table.iloc[0]
    shape = "vertical" if n80 <= VERTICAL_MAX_SEGMENTS else "horizontal"
    status = ind.status_of(hhi, effective_thresholds(ind, ctx.settings))
    equal = 1 / hhi if hhi > 0 else None

    n_seg = len(table)
    if n_seg == 1:
        text = (
            f"All of the last 12 months' revenue from customers with a segment comes from "
            f"{top['segment']}: a vertical business (concentration {hhi:.2f})."
        )
    else:
        if n80 == n_seg:
            reach = f"it takes all {n_seg} of your segments to make"
        else:
            reach = f"{n80} of your {n_seg} segments {'makes' if n80 == 1 else 'make'}"
        text = (
            f"{top['segment']} brings {fmt.pct(float(top['share']))} of the last 12 months' "
            f"revenue, and {reach} 80% of it: a {shape} business (concentration "
            f"{hhi:.2f}, like {equal:.1f} equal-sized segments)."
        )
    if status == "red":
        text += (
            f" Most of your income rides on {top['segment']}: if its buyers run out, so does "
            "your revenue. Build a second niche."
        )
    elif status == "amber" or float(top["share"]) >= HALF:
        text += f" Keep an eye on {top['segment']}'s new customers (saturation card)."
    else:
        text += " A slump in one niche won't sink you."

    details: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "current_from": (cur_after + timedelta(days=1)).isoformat(),
        "current_to": as_of.isoformat(),
        "hhi": hhi,
        "equivalent_segments": equal,
        "top_segment": str(top["segment"]),
        "top_share": float(top["share"]),
        "segments": n_seg,
        "segments_for_80": n80,
        "shape": shape,
        "segmented_revenue": segmented,
        "unsegmented_revenue": unsegmented,
        "table": _jsonable(shares),
        "notes": (
            [
                f"{fmt.money(unsegmented, currency)} from customers without a segment is left "
                "out of the shares."
            ]
            if unsegmented > 0
            else []
        ),
    }
    return Result(ind.id, hhi, status, text, details, shares)


SEGMENT_CONCENTRATION = register(
    Indicator(
        id="segment_concentration",
        area=AREA,
        reads=("invoices",),
        counts_days=False,
        label="Segment concentration",
        unit="index",
        higher_is_better=False,
        description=(
            "How much of the last 12 months' revenue hangs on one or two segments, as the "
            "Herfindahl index: add up each segment's squared share (1 = a single segment, "
            "0.25 = four equal ones). A deep niche brings expertise and referrals, but a "
            "business that lives on one segment stalls when that segment saturates or has "
            "a bad year. Green up to 0.40 (like two and a half equal segments or more), red "
            "above 0.65 (like fewer than one and a half: one segment carries the business). "
            "Also shows how many segments make 80% of revenue: one or two is a vertical "
            "business, more is horizontal."
        ),
        thresholds=Thresholds(green=0.40, red=0.65),
        compute=compute_segment_concentration,
        page=PAGE,
        checklists=("assumptions",),
        next_step=(
            "Choose a second segment where your expertise carries over and give it a fixed "
            "share of your prospecting time until it brings in a fifth of your revenue."
        ),
    )
)
