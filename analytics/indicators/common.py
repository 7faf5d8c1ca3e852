"""Helpers every indicator area shares: the per-context memo, dates and calendar windows, the
invoices' span, and the small formatting steps (names in a sentence, JSON-plain records)."""

from __future__ import annotations

import calendar
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import pandas as pd

from analytics import format as fmt
from analytics.indicators import jsonable, settings_read
from analytics.indicators.base import Context, Indicator, NotEnoughData
from analytics.queries import query_row
from analytics.store import Connection

T = TypeVar("T")

# Far enough ahead to mean "every invoice there is".
END_OF_TIME = date(9999, 12, 31)
# The trailing window most figures read: as_of - 12 calendar months < day <= as_of.
WINDOW_MONTHS = 12


# ---------------------------------------------------------------- one memo per context

# Frames several indicators read (the revenue ranking, the deals in the window, time use per
# person), kept for the life of one compute context (one moment's view of the data:
# compute_all makes a new context per call), so each is queried once per scoreboard, also
# when two figures that read it run side by side (indicators.compute_many).


class _Made:
    """One fact of a context's memo: made once; a figure that needs it while another thread
    makes it waits for that one instead of querying it again."""

    __slots__ = ("keys", "lock", "made", "value")

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.made = False
        self.value: Any = None
        self.keys: frozenset[str] = frozenset()  # the settings read while it was made


_SHARED: dict[int, tuple[weakref.ref[Context], dict[tuple[Any, ...], _Made]]] = {}
_SHARED_LOCK = threading.Lock()


def shared(ctx: Context, key: tuple[Any, ...], make: Callable[[], T]) -> T:
    """`make()` once per context and key; forgotten when the context is. A key names the
    fact and every argument it depends on, the day included. Callers must not change what
    it returns (hand out copies of frames they alter). Safe from several threads: the first
    makes it, the others wait for it; a `make` that raises leaves it to the next caller."""
    ident = id(ctx)
    with _SHARED_LOCK:
        entry = _SHARED.get(ident)
        if entry is None or entry[0]() is not ctx:
            # the context's id may be reused after it is gone: the weak reference tells
            entry = (weakref.ref(ctx, lambda _ref: _SHARED.pop(ident, None)), {})
            _SHARED[ident] = entry
        cell = entry[1].setdefault(key, _Made())
    with cell.lock:
        if not cell.made:
            with settings_read.reading() as keys:
                cell.value = make()
            cell.keys = frozenset(keys)
            cell.made = True
    # what it read counts for every figure that uses it, not only the one that made it
    settings_read.note(cell.keys)
    value: T = cell.value
    return value


# ---------------------------------------------------------------- dates and windows


def as_date(value: Any) -> date | None:
    """A date from what DuckDB or pandas hands back (date, Timestamp, NaT, None)."""
    if value is None or pd.isna(value):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return pd.Timestamp(value).date()


def shift_months(when: date, months: int) -> date:
    """`when` moved by whole calendar months: the same day of the month, clamped to the
    month's end, and a month end stays a month end (31 May - 3 → 28 Feb, 30 Jun - 3 → 31 Mar)."""
    year, month0 = divmod(when.year * 12 + when.month - 1 + months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    month_end = (when + timedelta(days=1)).day == 1
    return date(year, month0 + 1, last if month_end else min(when.day, last))


def months_back(as_of: date, months: int) -> date:
    """The window boundary `months` calendar months before `as_of`.

    The same day of the month, clamped to the month's end (31 May → 28 Feb); when `as_of`
    is a month end the boundaries are month ends too, so an owner who picks 30 Jun gets the
    quarters (31 Mar, 30 Jun], (31 Dec, 31 Mar]…. Every trailing window is cut here.
    """
    return shift_months(as_of, -months)


def window_ends(as_of: date, step_months: int, windows: int) -> list[date]:
    """as_of and the boundaries before it, newest first: window k runs (ends[k+1], ends[k]]."""
    return [months_back(as_of, step_months * k) for k in range(windows + 1)]


def oldest_full_window(first_invoice: date, ends: list[date]) -> int:
    """The oldest window k the invoices cover in full, -1 if none.

    A window counts as full when the first invoice falls within its first month: a
    business's first month of billing stands for the whole month.
    """
    full = [k for k in range(len(ends) - 1) if first_invoice <= shift_months(ends[k + 1], 1)]
    return max(full, default=-1)


def last_year(workspace_id: int, as_of: date) -> dict[str, Any]:
    """The parameters of a query over a workspace's last 12 months to `as_of`: $ws, $as_of
    and $current_after (the day before the window's first)."""
    return {"ws": workspace_id, "as_of": as_of, "current_after": months_back(as_of, 12)}


def window_after(as_of: date) -> date:
    """The day before the trailing 12 months to `as_of` begin (the window excludes it)."""
    return months_back(as_of, WINDOW_MONTHS)


def window_days(as_of: date) -> tuple[str, str]:
    """The trailing 12 months' first and last day (ISO), for a result's details."""
    return (window_after(as_of) + timedelta(days=1)).isoformat(), as_of.isoformat()


def window_text(as_of: date) -> str:
    return f"the 12 months to {fmt.day(as_of)}"


@dataclass(frozen=True)
class Window:
    """What a figure over the trailing 12 months starts from: its as-of day, the window's
    boundary and the owner's currency."""

    as_of: date
    currency: str

    @property
    def after(self) -> date:
        return window_after(self.as_of)


def day_of(ctx: Context, ind: Indicator, entity: str, missing: str) -> date:
    """`entity`'s as-of day; when the entity has no dates at all, the figure ends here as
    "not enough data" saying `missing` (`NotEnoughData`)."""
    as_of = ctx.entity_as_of(entity)
    if as_of is None:
        raise NotEnoughData(ind.unknown(missing))
    return as_of


def start(ctx: Context, ind: Indicator, entity: str, missing: str) -> Window:
    """The window to `entity`'s as-of day (or the figure ends as in `day_of`)."""
    return Window(day_of(ctx, ind, entity, missing), currency(ctx))


# ---------------------------------------------------------------- the invoices' span


def invoice_span(
    con: Connection, workspace_id: int, as_of: date | None = None, *, customers: bool = False
) -> dict[str, Any]:
    """The invoices up to `as_of` (None: all): first_date, last_date, lines; with
    `customers`, also how many customers they name and segmented_customers (those carrying
    a segment: `invoice_customers`), else both 0."""
    row = query_row(con, "niche_invoice_span", {"ws": workspace_id, "as_of": as_of or END_OF_TIME})
    span = {
        "first_date": as_date(row["first_date"]),
        "last_date": as_date(row["last_date"]),
        "lines": int(row["lines"]),
        "customers": 0,
        "segmented_customers": 0,
    }
    if customers:
        span.update(invoice_customers(con, workspace_id, as_of))
    return span


def invoice_customers(
    con: Connection, workspace_id: int, as_of: date | None = None
) -> dict[str, int]:
    """How many customers the invoices up to `as_of` (None: all) name, and how many of those
    carry a segment: customers, segmented_customers."""
    row = query_row(
        con, "niche_invoice_customers", {"ws": workspace_id, "as_of": as_of or END_OF_TIME}
    )
    return {
        "customers": int(row["customers"]),
        "segmented_customers": int(row["segmented_customers"]),
    }


def ctx_invoice_span(
    ctx: Context, as_of: date | None, *, customers: bool = False
) -> dict[str, Any]:
    """`invoice_span` to `as_of`, each part once per context (a copy: callers may add to
    it). The customers are counted only when asked for: a query of its own, costing four
    times the span, and only segment concentration reads them."""
    span = dict(
        shared(ctx, ("invoice_span", as_of), lambda: invoice_span(ctx.con, ctx.workspace_id, as_of))
    )
    if customers:
        span.update(
            shared(
                ctx,
                ("invoice_customers", as_of),
                lambda: invoice_customers(ctx.con, ctx.workspace_id, as_of),
            )
        )
    return span


def invoice_as_of(con: Connection, workspace_id: int, as_of: date | None = None) -> date | None:
    """`as_of` when given, else the last invoice date (None without invoices)."""
    if as_of is not None:
        return as_of
    return invoice_span(con, workspace_id)["last_date"]


# ---------------------------------------------------------------- words and records


def currency(ctx: Context) -> str:
    return str(ctx.settings.get("currency", "USD"))


def cost_rates(settings: dict[str, Any]) -> dict[str, float]:
    """What an hour costs by role (Settings), as the parameters a query costing time reads:
    $rate_tech, $rate_sales, $rate_admin and $rate_default (a role not named)."""
    return {
        "rate_tech": float(settings.get("cost_rate_tech", 60.0)),
        "rate_sales": float(settings.get("cost_rate_sales", 70.0)),
        "rate_admin": float(settings.get("cost_rate_admin", 40.0)),
        "rate_default": float(settings.get("cost_rate_default", 60.0)),
    }


def names(items: list[str], total: int | None = None, *, limit: int | None = None) -> str:
    """Names in a sentence: "A", "A and B", "A, B and C"; with `limit`, at most that many
    shown and the rest counted against `total` (default: all items): "A, B, C and 4 more"."""
    total = len(items) if total is None else total
    shown = items if limit is None else items[:limit]
    more = total - len(shown)
    if more > 0:
        return ", ".join(shown) + f" and {more} more"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A small frame as JSON-plain records (NaN → None, dates → ISO, plain numbers): what
    `jsonable(frame.to_dict(orient="records"))` gives, built column by column (each
    column's `tolist`, then one dict a row) instead of row by row through pandas."""
    names = [str(c) for c in frame.columns]
    columns = [frame.iloc[:, i].tolist() for i in range(len(names))]
    rows: list[dict[str, Any]] = jsonable(
        [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
        if columns
        else [{} for _ in range(len(frame))]
    )
    return rows
