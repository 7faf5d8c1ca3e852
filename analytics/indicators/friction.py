"""Sales-vs-tech friction indicators (registered on import): discounts, estimates, presales,
hours lost on deals, deals to drop, time tracking, and two service-business benchmarks.

Every figure looks at the 12 calendar months up to an "as of" day: the owner's pick, else the
last date in the data the indicator reads (deals: the last day a deal was created or closed;
time entries: the last day logged). A window runs as_of − 12 months < day ≤ as_of.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from analytics import format as fmt
from analytics.indicators import jsonable, register
from analytics.indicators.base import Context, Indicator, Result, Thresholds
from analytics.indicators.niche import months_back
from analytics.queries import query, query_frames
from analytics.settings import minimum
from analytics.store import Connection

PAGE = "friction"
AREA = "friction"
WINDOW_MONTHS = 12
# Fewest won deals to set a baseline of hours and age per size band (two per quartile).
MIN_BASELINE = 8
# A won deal with delivery hours logged this recently is probably still being delivered.
DELIVERY_QUIET_DAYS = 14
# Complete ISO weeks looked at for time-tracking coverage.
COVERAGE_WEEKS = 13
# How many deals the details list by name (worst first).
WORST_N = 10
# Most flagged deals carried in a result's details (snapshots, the CLI); the frame has all.
DETAILS_LIST_MAX = 50
# Reference range for billable utilisation of people who bill (share of their logged hours).
UTILISATION_REFERENCE = (0.70, 0.80)

NO_DEALS = (
    "No deals yet. Import your pipeline (deal id, status, owner, created and closed dates, "
    "value) to see where sales and delivery pull against each other."
)
NO_TIME = (
    "No time entries yet. Import timesheets (date, person, hours; with customer, deal id, "
    "category and billable flag where you have them)."
)


# ---------------------------------------------------------------- shared helpers


def _day(value: Any) -> date | None:
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return None
    return value if isinstance(value, date) else pd.Timestamp(value).date()


def _currency(ctx: Context) -> str:
    return str(ctx.settings.get("currency", "USD"))


def deals_as_of(ctx: Context) -> date | None:
    """The owner's day, else the last day a deal was created, won or lost (an open deal's
    expected close is a forecast, not a day that happened)."""
    return ctx.entity_as_of("deals")


def time_as_of(ctx: Context) -> date | None:
    """The owner's day, else the last day anyone logged time."""
    return ctx.entity_as_of("time_entries")


def window(as_of: date) -> dict[str, Any]:
    """The trailing 12 months as query parameters: after < day ≤ as_of."""
    return {"after": months_back(as_of, WINDOW_MONTHS), "as_of": as_of}


def window_text(as_of: date) -> str:
    return f"the 12 months to {fmt.day(as_of)}"


def _window_details(as_of: date) -> dict[str, str]:
    after = months_back(as_of, WINDOW_MONTHS)
    return {"from": (after + timedelta(days=1)).isoformat(), "to": as_of.isoformat()}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A small frame as JSON-ready records (NaN → None, dates → ISO strings)."""
    records: list[dict[str, Any]] = jsonable(frame.to_dict(orient="records"))
    return records


def _names(items: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Date columns as plain dates (DuckDB hands them over as timestamps)."""
    for column in columns:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def _monthly(frame: pd.DataFrame, date_col: str, value_col: str, how: str) -> pd.Series:
    """A sparkline: one point per calendar month (first day), aggregated with `how`."""
    if frame.empty or date_col not in frame or value_col not in frame:
        return pd.Series(dtype=float)
    shown = frame.dropna(subset=[date_col, value_col])
    if shown.empty:
        return pd.Series(dtype=float)
    stamps = pd.to_datetime(shown[date_col])
    months = (stamps - pd.to_timedelta(stamps.dt.day - 1, unit="D")).dt.date
    return shown[value_col].astype(float).groupby(months).agg(how)


def _deal_name(deal: pd.Series) -> str:
    """'D-1 (Acme, Ann)', leaving out whatever the deal does not name."""
    known = [str(deal[k]) for k in ("customer", "owner") if pd.notna(deal.get(k))]
    return f"{deal['deal_id']} ({', '.join(known)})" if known else str(deal["deal_id"])


def _spread(values: pd.Series, formatter: Any) -> str:
    """'5.0%' or '5.0–6.8%'-style range of a few values."""
    low, high = float(values.min()), float(values.max())
    return formatter(low) if abs(high - low) < 1e-9 else f"{formatter(low)}–{formatter(high)}"


# ---------------------------------------------------------------- frames shared by indicators

# Frames several indicators read (the deals in the window, time use per person), made once
# per Context: compute_all runs every indicator on one Context, so each big scan runs once.
_SHARED: dict[int, dict[tuple[Any, ...], pd.DataFrame]] = {}


def _shared(ctx: Context, key: tuple[Any, ...], make: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    memo = _SHARED.get(id(ctx))
    if memo is None:
        memo = _SHARED[id(ctx)] = {}
        # forget the frames with the Context (its id may be reused afterwards)
        weakref.finalize(ctx, _SHARED.pop, id(ctx), None)
    if key not in memo:
        memo[key] = make()
    return memo[key]


def deal_facts(con: Connection, workspace_id: int, as_of: date) -> pd.DataFrame:
    """Deals won or lost in the 12 months to `as_of` and deals open on it, one row each:
    deal_id, owner, customer, state (open / won / lost on that day), created, closed, value,
    list_value, estimated_hours, days (to close, or to `as_of` while open), discount,
    presales_hours, actual_hours (delivery), last_logged, tracks_hours, with_presales,
    given_away, ratio (actual ÷ estimate), pursuit_hours (what winning or losing it cost)."""
    frame = query(con, "friction_deals", {"ws": workspace_id, **window(as_of)})
    return _dates(frame, "created", "closed", "last_logged")


def _deals(ctx: Context, as_of: date) -> pd.DataFrame:
    return _shared(ctx, ("deals", as_of), lambda: deal_facts(ctx.con, ctx.workspace_id, as_of))


# ---------------------------------------------------------------- discount_depth


def won_discounts(deals: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """The won deals of `deal_facts` with their discount: deal_id, owner, customer, closed,
    value, list_value, discount (null without a list value), deep (above `threshold`),
    given_away (list − value)."""
    won = deals.loc[
        deals["state"] == "won",
        ["deal_id", "owner", "customer", "closed", "value", "list_value", "discount", "given_away"],
    ]
    return won.assign(deep=(won["discount"] > threshold).fillna(False)).sort_values(
        ["owner", "closed", "deal_id"], ignore_index=True
    )


def discount_by_owner(deals: pd.DataFrame) -> pd.DataFrame:
    """Per salesperson, over deals with a discount: deals, median_discount, deep_share,
    given_away; deepest median first."""
    priced = deals.dropna(subset=["discount"])
    return (
        priced.groupby("owner", as_index=False)
        .agg(
            deals=("discount", "size"),
            median_discount=("discount", "median"),
            deep_share=("deep", "mean"),
            given_away=("given_away", "sum"),
        )
        .sort_values(["median_discount", "owner"], ascending=[False, True])
        .reset_index(drop=True)
    )


def compute_discount_depth(ctx: Context) -> Result:
    ind = DISCOUNT_DEPTH
    as_of = deals_as_of(ctx)
    if as_of is None:
        return ind.unknown(NO_DEALS)
    threshold = float(ctx.settings.get("discount_threshold", 0.15))
    currency = _currency(ctx)
    deals = won_discounts(_deals(ctx, as_of), threshold)
    if deals.empty:
        return ind.unknown(
            f"No deals won in {window_text(as_of)}. Import deals with status won, a close "
            "date, the value sold and the list value (the price before discount)."
        )
    priced = deals.dropna(subset=["discount"])
    missing = len(deals) - len(priced)
    if priced.empty:
        return ind.unknown(
            f"None of your {fmt.plural(len(deals), 'deal')} won in {window_text(as_of)} has "
            "a list value (the price before discount), so there is nothing to measure a "
            "discount against. Add the list or quoted price to your deals export, next to "
            "the value sold.",
            deals,
            {"won_deals": len(deals), "without_list_value": missing, **_window_details(as_of)},
        )
    value = float(priced["discount"].median())
    deep_share = float(priced["deep"].mean())
    owners = discount_by_owner(deals)
    given = float(priced["given_away"].sum())
    text = (
        f"The typical deal won in {window_text(as_of)} went out {fmt.pct(value)} below list "
        f"(median of {fmt.plural(len(priced), 'deal')}); {fmt.pct(deep_share)} were "
        f"discounted more than {fmt.pct(threshold)}, and discounts gave away "
        f"{fmt.money(given, currency)} of list price."
    )
    if len(owners) > 1:
        top, rest = owners.iloc[0], owners.iloc[1:]
        text += (
            f" {top['owner']} discounts deepest: median {fmt.pct(float(top['median_discount']))} "
            f"over {fmt.plural(int(top['deals']), 'deal')} "
            f"({fmt.pct(float(top['deep_share']))} beyond {fmt.pct(threshold)}), against "
            f"{_spread(rest['median_discount'], fmt.pct)} for the others."
        )
    if missing:
        text += f" {fmt.plural(missing, 'won deal')} without a list value left out."
    details: dict[str, Any] = {
        **_window_details(as_of),
        "threshold": threshold,
        "won_deals": len(deals),
        "priced_deals": len(priced),
        "without_list_value": missing,
        "deep_share": deep_share,
        "given_away": given,
        "by_salesperson": _records(owners),
        "discount_happy": owners.loc[owners["median_discount"] > threshold, "owner"].tolist(),
    }
    needed = minimum(ctx.settings, "min_cases")
    if len(priced) < needed:
        deep = int(priced["deep"].sum())
        return ind.too_few(
            value,
            len(priced),
            needed,
            "won deal with a list value",
            many="won deals with a list value",
            count=(
                f"median of {fmt.plural(len(priced), 'won deal')}; {deep} of them discounted "
                f"more than {fmt.pct(threshold)}"
            ),
            fix=f"Load more of your deals won in {window_text(as_of)}, with their list value.",
            frame=deals,
            details=details,
        )
    return Result(ind.id, value, ind.judge(value, ctx.settings), text, details, deals)


def _spark_discount(result: Result) -> pd.Series:
    return _monthly(result.frame, "closed", "discount", "median")


DISCOUNT_DEPTH = register(
    Indicator(
        id="discount_depth",
        area=AREA,
        reads=("deals",),
        counts_days=False,
        label="Discount on won deals",
        unit="share",
        higher_is_better=False,
        description=(
            "How far below list price your deals are won: the median of (list value − value "
            "sold) ÷ list value over deals won in the last 12 months, with each salesperson's "
            "median and the share discounted more than the deep-discount line in Settings "
            "(15% unless you change it). The salesperson closes the easy way; the technicians "
            "then deliver the same work for less, and feel it. A few percent is normal "
            "negotiation: green up to 5%, red above 10%, where the list price has stopped "
            "meaning anything. Deals without a list value are left out and counted."
        ),
        thresholds=Thresholds(green=0.05, red=0.10),
        compute=compute_discount_depth,
        page=PAGE,
        checklists=("you_are_what_you_eat", "tear_down_the_wall"),
        next_step=(
            "Sit down with whoever discounts deepest and agree a discount they may give "
            "alone and one that needs a second signature; pay commission on margin, not on "
            "the deal's value."
        ),
        spark=_spark_discount,
    )
)


# ---------------------------------------------------------------- effort_overrun


def won_effort(deals: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The won deals of `deal_facts` with estimate and delivery hours, overrun (ratio − 1) and
    in_delivery (delivery hours logged in the 14 days up to `as_of`)."""
    won = deals.loc[
        deals["state"] == "won",
        [
            "deal_id",
            "owner",
            "customer",
            "closed",
            "value",
            "estimated_hours",
            "actual_hours",
            "last_logged",
            "ratio",
        ],
    ]
    recent = pd.Timestamp(as_of - timedelta(days=DELIVERY_QUIET_DAYS))
    return won.assign(
        overrun=won["ratio"] - 1,
        in_delivery=(pd.to_datetime(won["last_logged"]) > recent).fillna(False),
    ).sort_values(["owner", "closed", "deal_id"], ignore_index=True)


def _more_or_fewer(overrun: float) -> str:
    """+0.25 → '25.0% more'; -0.1 → '10.0% fewer'."""
    return f"{fmt.pct(abs(overrun))} {'more' if overrun >= 0 else 'fewer'}"


def effort_by_owner(deals: pd.DataFrame) -> pd.DataFrame:
    """Per salesperson over judged deals: deals, median_overrun, estimated, actual; worst first."""
    return (
        deals.groupby("owner", as_index=False)
        .agg(
            deals=("overrun", "size"),
            median_overrun=("overrun", "median"),
            estimated_hours=("estimated_hours", "sum"),
            actual_hours=("actual_hours", "sum"),
        )
        .sort_values(["median_overrun", "owner"], ascending=[False, True])
        .reset_index(drop=True)
    )


def compute_effort_overrun(ctx: Context) -> Result:
    ind = EFFORT_OVERRUN
    as_of = deals_as_of(ctx)
    if as_of is None:
        return ind.unknown(NO_DEALS)
    deals = won_effort(_deals(ctx, as_of), as_of)
    if deals.empty:
        return ind.unknown(
            f"No deals won in {window_text(as_of)}. Import won deals with their estimated "
            "delivery hours, and time entries that carry the deal id."
        )
    base = {**_window_details(as_of), "won_deals": len(deals)}
    estimated = deals["estimated_hours"].fillna(0) > 0
    logged = deals["actual_hours"].fillna(0) > 0
    if not estimated.any():
        return ind.unknown(
            f"None of your {fmt.plural(len(deals), 'deal')} won in {window_text(as_of)} has "
            "estimated delivery hours, so there is no estimate to hold the work against. "
            "Record the hours you expect a job to take on each deal before you quote it.",
            deals,
            base,
        )
    if not (estimated & logged).any():
        return ind.unknown(
            f"{fmt.plural(int(estimated.sum()), 'won deal')} in {window_text(as_of)} "
            f"{'has' if int(estimated.sum()) == 1 else 'have'} an estimate, but no delivery "
            "hours are logged against them. Log time entries with the deal (or project) id.",
            deals,
            base,
        )
    both = deals[estimated & logged]
    judged = both[~both["in_delivery"]]
    still = len(both) - len(judged)
    if judged.empty:
        return ind.unknown(
            f"All {fmt.plural(len(both), 'won deal')} with an estimate still had hours logged "
            f"in the last {DELIVERY_QUIET_DAYS} days before {fmt.day(as_of)}: wait until "
            "delivery ends, or pick a later day.",
            deals,
            base,
        )
    value = float(judged["overrun"].median())
    owners = effort_by_owner(judged)
    text = (
        f"Won deals in {window_text(as_of)} took a median {_more_or_fewer(value)} hours "
        f"than estimated ({fmt.plural(len(judged), 'deal')} with an estimate and logged "
        "hours)."
    )
    if len(owners) > 1:
        top, rest = owners.iloc[0], owners.iloc[1:]
        text += (
            f" {top['owner']}'s deals ran {fmt.pct(float(top['median_overrun']), signed=True)} "
            f"({fmt.plural(int(top['deals']), 'deal')}, "
            f"{fmt.hours(float(top['actual_hours'] - top['estimated_hours']))} over in all); "
            f"the others' {_spread(rest['median_overrun'], lambda v: fmt.pct(v, signed=True))}."
        )
    if still:
        text += (
            f" {fmt.plural(still, 'deal')} still in delivery (hours logged in the last "
            f"{DELIVERY_QUIET_DAYS} days) wait until they finish."
        )
    details: dict[str, Any] = {
        **base,
        "judged_deals": len(judged),
        "still_in_delivery": still,
        "without_estimate": int((~estimated).sum()),
        "without_hours": int((estimated & ~logged).sum()),
        "hours_over_estimate": float(
            judged["actual_hours"].sum() - judged["estimated_hours"].sum()
        ),
        "by_salesperson": _records(owners),
    }
    needed = minimum(ctx.settings, "min_cases")
    if len(judged) < needed:
        over = int((judged["overrun"] > 0).sum())
        return ind.too_few(
            value,
            len(judged),
            needed,
            "finished deal",
            count=(
                f"median of {fmt.plural(len(judged), 'won deal')} with an estimate and logged "
                f"hours; {over} of them over estimate"
            ),
            fix="Record estimated hours on more won deals and log delivery time with the deal id.",
            frame=deals,
            details=details,
        )
    return Result(ind.id, value, ind.judge(value, ctx.settings), text, details, deals)


def _spark_effort(result: Result) -> pd.Series:
    frame = result.frame
    if frame.empty or "in_delivery" not in frame:
        return pd.Series(dtype=float)
    return _monthly(frame[~frame["in_delivery"]], "closed", "overrun", "median")


EFFORT_OVERRUN = register(
    Indicator(
        id="effort_overrun",
        area=AREA,
        reads=("deals", "time_entries"),
        counts_days=False,
        label="Hours over estimate",
        unit="share",
        higher_is_better=False,
        description=(
            "Whether the work sold takes the hours it was quoted on: the median of (delivery "
            "hours logged on a won deal ÷ its estimated hours − 1) over deals won in the last "
            "12 months, by salesperson. Delivery hours are time entries with the deal's id, "
            "any category but presales; deals with hours logged in the last two weeks are "
            "still being delivered and wait. When the effort is not agreed before the price, "
            "delivery pays for it. Green up to +10% (estimates carry some error), red above "
            "+25%, where a fixed-price job stops making money."
        ),
        thresholds=Thresholds(green=0.10, red=0.25),
        compute=compute_effort_overrun,
        page=PAGE,
        checklists=("tear_down_the_wall", "say_document_show"),
        next_step=(
            "Have a technician estimate the hours before anything is quoted, write the scope "
            "into a statement of work, and review the deals that ran over with the "
            "salesperson who sold them."
        ),
        spark=_spark_effort,
    )
)


# ---------------------------------------------------------------- presales_lift


def closed_deals(deals: pd.DataFrame) -> pd.DataFrame:
    """The deals of `deal_facts` won or lost in the window: won, cycle_days (created to
    closed), presales_hours and with_presales among the columns."""
    closed = deals[deals["state"].isin(["won", "lost"])]
    return closed.assign(won=closed["state"] == "won", cycle_days=closed["days"])


def presales_groups(deals: pd.DataFrame) -> pd.DataFrame:
    """With and without technical presales: group, deals, won, win_rate, median_cycle_days,
    median_presales_hours (rows in that order, zeros when a group is empty)."""
    labels = {True: "With technical presales", False: "Without"}
    groups = (
        deals.groupby("with_presales")
        .agg(
            deals=("won", "size"),
            won=("won", "sum"),
            median_cycle_days=("cycle_days", "median"),
            median_presales_hours=("presales_hours", "median"),
        )
        .reindex([True, False])
    )
    groups["deals"] = groups["deals"].fillna(0).astype(int)
    groups["won"] = groups["won"].fillna(0).astype(int)
    groups["win_rate"] = groups["won"] / groups["deals"].replace(0, np.nan)
    groups.loc[False, "median_presales_hours"] = np.nan
    out = groups.reset_index(drop=True)
    out.insert(0, "group", [labels[True], labels[False]])
    return out[["group", "deals", "won", "win_rate", "median_cycle_days", "median_presales_hours"]]


def compute_presales_lift(ctx: Context) -> Result:
    ind = PRESALES_LIFT
    as_of = deals_as_of(ctx)
    if as_of is None:
        return ind.unknown(NO_DEALS)
    deals = closed_deals(_deals(ctx, as_of))
    groups = presales_groups(deals)
    with_, without = groups.iloc[0], groups.iloc[1]
    n_with, n_without = int(with_["deals"]), int(without["deals"])
    needed = minimum(ctx.settings, "min_cases")
    details: dict[str, Any] = {
        **_window_details(as_of),
        "with_presales": _records(groups.iloc[[0]])[0],
        "without_presales": _records(groups.iloc[[1]])[0],
        "min_group": needed,
    }
    if n_with < needed or n_without < needed:
        if deals.empty:
            text = f"No deals won or lost in {window_text(as_of)}. " + NO_DEALS.split(". ", 1)[1]
        elif n_with == 0:
            text = (
                f"None of the {n_without:,} deals closed in {window_text(as_of)} shows technical "
                "presales, so there is nothing to compare. Record presales hours on your deals, "
                "or log technicians' presales time with category presales and the deal id."
            )
        elif n_without > 0:
            return ind.too_few(
                float(with_["win_rate"] - without["win_rate"]),
                min(n_with, n_without),
                needed,
                "closed deal in each group",
                many="closed deals in each group",
                count=(
                    f"won {int(with_['won'])} of {n_with} with technical presales against "
                    f"{int(without['won'])} of {n_without} without"
                ),
                fix=f"Load more of the deals you won or lost in {window_text(as_of)}.",
                frame=groups,
                details=details,
            )
        else:
            text = (
                f"Needs at least {needed} deals closed with technical presales and "
                f"{needed} without in {window_text(as_of)}; you have {n_with:,} "
                f"with and {n_without:,} without."
            )
        return ind.unknown(text, groups, details)
    value = float(with_["win_rate"] - without["win_rate"])
    text = (
        f"Deals with technical presales were won {fmt.pct(float(with_['win_rate']))} of the time "
        f"({with_['won']} of {n_with}) against {fmt.pct(float(without['win_rate']))} without "
        f"({without['won']} of {n_without}) in {window_text(as_of)}: "
        f"{value * 100:+.1f} points."
    )
    days_with, days_without = with_["median_cycle_days"], without["median_cycle_days"]
    if pd.notna(days_with) and pd.notna(days_without):
        text += (
            f" They closed in a median {days_with:.0f} days against {days_without:.0f}, "
            f"after a median {fmt.hours(float(with_['median_presales_hours']))} of presales."
        )
    if value < 0:
        text += (
            " Technical time is not raising your win rate: check which deals get it, and "
            "whether the technician comes in too late or stays too long."
        )
    details.update(
        {
            "lift": value,
            "cycle_days_saved": (
                float(days_without - days_with)
                if pd.notna(days_with) and pd.notna(days_without)
                else None
            ),
        }
    )
    return Result(ind.id, value, ind.judge(value, ctx.settings), text, details, groups)


PRESALES_LIFT = register(
    Indicator(
        id="presales_lift",
        area=AREA,
        reads=("deals", "time_entries"),
        counts_days=False,
        label="Presales win-rate lift",
        unit="points",
        higher_is_better=True,
        description=(
            "Whether putting a technician in front of the buyer pays: the win rate of deals "
            "closed in the last 12 months that had technical presales (presales hours on the "
            "deal, or presales time logged against it) minus the win rate of those that did "
            "not, in percentage points, with the days each took to close. A technician's "
            "word carries credibility a salesperson lacks and can cut the time to a sale. "
            "Green from +5 points; red below zero, where the technical hours are not helping. "
            "Needs 5 closed deals in each group (the fewest cases behind a rate, in Settings)."
        ),
        thresholds=Thresholds(green=0.05, red=0.0),
        compute=compute_presales_lift,
        page=PAGE,
        checklists=("tear_down_the_wall",),
        next_step=(
            "Agree with sales which deals get a technician and when: early on complex deals, "
            "briefly on simple ones; huddle before each meeting, and share the commission "
            "with technicians who do presales."
        ),
    )
)


# ---------------------------------------------------------------- lost_deal_hours and cut_and_run


def _lost_thresholds(settings: dict[str, Any]) -> Thresholds:
    # One person-week of capacity sunk in lost deals is the price of selling; four is a month.
    week = float(settings.get("capacity_hours_per_week", 40.0)) or 40.0
    return Thresholds(green=week, red=4 * week)


def compute_lost_deal_hours(ctx: Context) -> Result:
    ind = LOST_DEAL_HOURS
    as_of = deals_as_of(ctx)
    if as_of is None:
        return ind.unknown(NO_DEALS)
    deals = _deals(ctx, as_of)
    lost = deals[deals["state"] == "lost"].sort_values(["pursuit_hours", "days"], ascending=False)
    won = deals[deals["state"] == "won"]
    base: dict[str, Any] = {**_window_details(as_of), "lost_deals": len(lost)}
    if deals.empty:
        return ind.unknown(
            f"No deals won, lost or open in {window_text(as_of)}. Import your recent pipeline.",
            details=base,
        )
    if not bool(deals["tracks_hours"].any()):
        return ind.unknown(
            (
                f"{fmt.plural(len(lost), 'deal')} lost in {window_text(as_of)}, but no hours "
                "are recorded on any deal"
                if len(lost)
                else "No hours are recorded on any deal"
            )
            + ", so the time they cost cannot be counted. Record presales hours on deals, or "
            "log time entries with the deal id.",
            lost,
            base,
        )
    days_lost = lost["days"].dropna()
    days_won = won["days"].dropna()
    median_lost = float(days_lost.median()) if len(days_lost) else None
    median_won = float(days_won.median()) if len(days_won) else None
    value = float(lost["pursuit_hours"].sum())
    capacity = float(ctx.settings.get("capacity_hours_per_week", 40.0)) or 40.0
    if lost.empty:
        text = f"No deals lost in {window_text(as_of)}."
        late = lost
    else:
        text = (
            f"{fmt.hours(value)} went into {fmt.plural(len(lost), 'deal')} lost in "
            f"{window_text(as_of)}, about {value / capacity:.1f} weeks of one person at "
            f"{capacity:g} h."
        )
        late = lost.iloc[0:0]
        if median_lost is not None:
            text += f" A lost deal took a median {median_lost:.0f} days to die"
            if median_won is not None:
                late = lost[lost["days"] > median_won]
                late_hours = float(late["pursuit_hours"].sum())
                text += (
                    f", against {median_won:.0f} days to win one; "
                    f"{fmt.plural(len(late), 'deal')} dragged on longer than a typical win"
                    + (
                        f" and took {fmt.pct(late_hours / value)} of the hours."
                        if value > 0
                        else "."
                    )
                )
            else:
                text += "."
        worst = lost.iloc[0]
        if float(worst["pursuit_hours"]) > 0:
            text += (
                f" Costliest: {_deal_name(worst)}, "
                f"{fmt.hours(float(worst['pursuit_hours']))}"
                + (f" over {int(worst['days'])} days." if pd.notna(worst["days"]) else ".")
            )
    by_owner = (
        lost.groupby("owner", as_index=False)
        .agg(lost_deals=("deal_id", "size"), hours=("pursuit_hours", "sum"))
        .sort_values(["hours", "owner"], ascending=[False, True])
    )
    details = {
        **base,
        "lost_with_hours": int((lost["pursuit_hours"] > 0).sum()),
        "median_days_to_loss": median_lost,
        "median_days_to_win": median_won,
        "lost_later_than_typical_win": len(late),
        "hours_lost_late": float(late["pursuit_hours"].sum()),
        "worst_deals": _records(
            lost.head(WORST_N)[
                [
                    "deal_id",
                    "customer",
                    "owner",
                    "created",
                    "closed",
                    "days",
                    "value",
                    "pursuit_hours",
                ]
            ]
        ),
        "by_salesperson": _records(by_owner),
    }
    return Result(ind.id, value, ind.judge(value, ctx.settings), text, details, lost)


def _spark_lost(result: Result) -> pd.Series:
    return _monthly(result.frame, "closed", "pursuit_hours", "sum")


LOST_DEAL_HOURS = register(
    Indicator(
        id="lost_deal_hours",
        area=AREA,
        reads=("deals", "time_entries"),
        counts_days=False,
        label="Hours sunk in lost deals",
        unit="hours",
        higher_is_better=False,
        description=(
            "The time that went into deals you then lost in the last 12 months: presales hours "
            "recorded on the deal (or logged against it as presales, counted once) plus any "
            "other hours logged on it before it closed, and how long those deals dragged on "
            "compared with a win. Saying early what your offer cannot do costs a couple of "
            "hours; finding the deal-killer at the end of a long cycle costs weeks of "
            "unbilled technical time. Green up to one person-week of capacity (40 h unless "
            "you change it), red above four."
        ),
        thresholds=_lost_thresholds,
        compute=compute_lost_deal_hours,
        page=PAGE,
        checklists=("tear_down_the_wall", "does_it_work"),
        next_step=(
            "Put the gaps in your offer on the table in the first meeting and ask whether any "
            "of them kills the deal; set an hours budget per deal and stop when it is spent."
        ),
        spark=_spark_lost,
    )
)


def size_bands(won: pd.DataFrame) -> tuple[list[float], pd.DataFrame]:
    """Quartiles of won deals' values and, per band, the 75th percentile of their pursuit hours
    and days: band (1-4; 0 = all won deals, for deals without a value), value_from (exclusive),
    value_to, won_deals, hours_limit, days_limit."""
    valued = won.dropna(subset=["value"])
    edges = [float(q) for q in np.quantile(valued["value"], [0.25, 0.5, 0.75])]
    band_of = _band(valued["value"], edges)
    hours = valued["pursuit_hours"].to_numpy(dtype=float)
    days = valued["days"].to_numpy(dtype=float)

    def p75(values: np.ndarray) -> float:
        known = values[~np.isnan(values)]  # days are unknown without a created date
        return float(np.quantile(known, 0.75)) if len(known) else float("nan")

    overall_hours = p75(won["pursuit_hours"].to_numpy(dtype=float))
    overall_days = p75(won["days"].to_numpy(dtype=float))
    rows = [(0, np.nan, np.nan, len(won), overall_hours, overall_days)]
    bounds = [-np.inf, *edges, np.inf]
    for band in range(1, 5):
        inside = band_of == band
        # A band without won deals (quartiles falling on one value) borrows the overall limits.
        rows.append(
            (
                band,
                bounds[band - 1],
                bounds[band],
                int(inside.sum()),
                p75(hours[inside]) if inside.any() else overall_hours,
                p75(days[inside]) if inside.any() else overall_days,
            )
        )
    bands = pd.DataFrame(
        rows,
        columns=["band", "value_from", "value_to", "won_deals", "hours_limit", "days_limit"],
    )
    return edges, bands


def _band(values: pd.Series, edges: list[float]) -> np.ndarray:
    """1 for value ≤ q1, 2 for ≤ median, 3 for ≤ q3, 4 above; 0 for a missing value."""
    banded = np.searchsorted(np.asarray(edges), values.to_numpy(dtype=float), side="left") + 1
    return np.where(values.isna().to_numpy(), 0, banded)


def band_label(band: int, value_from: float, value_to: float, currency: str) -> str:
    if band == 0:
        return "size unknown (all won deals)"
    if np.isinf(value_from):
        return f"up to {fmt.money(value_to, currency)}"
    if np.isinf(value_to):
        return f"over {fmt.money(value_from, currency)}"
    return f"{fmt.money(value_from, currency)}–{fmt.money(value_to, currency)}"


def cut_and_run_list(
    deals: pd.DataFrame, bands: pd.DataFrame, edges: list[float], currency: str
) -> pd.DataFrame:
    """Open deals with their band's limits and whether hours or age run past them."""
    open_ = deals[deals["state"] == "open"].copy()
    open_["band"] = _band(open_["value"], edges)
    out = open_.merge(bands, on="band", how="left")
    labels = {
        int(b): band_label(int(b), f, t, currency)
        for b, f, t in zip(bands["band"], bands["value_from"], bands["value_to"], strict=True)
    }
    out["band_label"] = out["band"].map(labels)
    tracks = bool(deals["tracks_hours"].any())
    if not tracks:
        # no hours recorded on any deal: unknown, not zero
        out["pursuit_hours"] = np.nan
        out["hours_limit"] = np.nan
    out["over_hours"] = (
        tracks & (out["pursuit_hours"] > 0) & (out["pursuit_hours"] > out["hours_limit"])
    )
    out["over_age"] = out["days"].notna() & (out["days"] > out["days_limit"])
    out["flagged"] = out["over_hours"] | out["over_age"]
    # How far past its limit a deal is, the larger of the two: the worst first.
    hours_x = out["pursuit_hours"] / out["hours_limit"].where(out["hours_limit"] > 0)
    days_x = out["days"] / out["days_limit"].where(out["days_limit"] > 0)
    out["excess"] = pd.concat(
        [hours_x.where(out["over_hours"]), days_x.where(out["over_age"])], axis=1
    ).max(axis=1)
    out["reason"] = np.select(
        [out["over_hours"] & out["over_age"], out["over_hours"], out["over_age"]],
        ["hours and age", "hours", "age"],
        default="",
    )
    return out.sort_values(["flagged", "excess", "days"], ascending=False).reset_index(drop=True)


def _past_limits(deal: pd.Series, tracks: bool) -> str:
    """'1,547 days and 45.0 h in, against 43 days and 7.5 h' (parts that are known)."""
    spent, limits = [], []
    if pd.notna(deal["days"]):
        spent.append(f"{int(deal['days']):,} days")
        if pd.notna(deal["days_limit"]):
            limits.append(f"{float(deal['days_limit']):.0f} days")
    if tracks:
        spent.append(fmt.hours(float(deal["pursuit_hours"])))
        if pd.notna(deal["hours_limit"]):
            limits.append(fmt.hours(float(deal["hours_limit"])))
    return f"{' and '.join(spent)} in, against {' and '.join(limits) or 'no baseline'}"


CUT_AND_RUN_COLUMNS = [
    "deal_id",
    "owner",
    "customer",
    "reason",
    "days",
    "days_limit",
    "pursuit_hours",
    "hours_limit",
    "value",
    "band_label",
    "created",
]


def compute_cut_and_run(ctx: Context) -> Result:
    ind = CUT_AND_RUN
    as_of = deals_as_of(ctx)
    if as_of is None:
        return ind.unknown(NO_DEALS)
    currency = _currency(ctx)
    deals = _deals(ctx, as_of)
    won = deals[deals["state"] == "won"]
    open_count = int((deals["state"] == "open").sum())
    base: dict[str, Any] = {**_window_details(as_of), "open_deals": open_count}
    if len(won.dropna(subset=["value"])) < MIN_BASELINE:
        return ind.unknown(
            f"Needs at least {MIN_BASELINE} deals won with a value in {window_text(as_of)} to "
            f"set a baseline of hours and age by deal size; you have "
            f"{len(won.dropna(subset=['value']))}. Import more of your pipeline history.",
            details=base,
        )
    edges, bands = size_bands(won)
    listed = cut_and_run_list(deals, bands, edges, currency)
    flagged = listed[listed["flagged"]]
    tracks = bool(deals["tracks_hours"].any())
    value = len(flagged)
    if open_count == 0:
        text = f"No deals open on {fmt.day(as_of)}: nothing to cut loose."
    elif value == 0:
        text = (
            f"None of your {fmt.plural(open_count, 'open deal')} has run longer or taken more "
            "hours than 3 in 4 won deals of its size."
        )
    else:
        top = flagged.iloc[0]
        text = (
            f"{value:,} of your {fmt.plural(open_count, 'open deal')} "
            f"{'has' if value == 1 else 'have'} run longer or taken more hours than 3 in 4 "
            f"won deals of {'its' if value == 1 else 'their'} size. Furthest past: "
            f"{_deal_name(top)}, {_past_limits(top, tracks)}"
            f" for won deals of {top['band_label']}. Decide on each: a date to close, or let "
            "it go."
        )
    if not tracks:
        text += (
            " Hours are not recorded on deals, so deals are judged on age alone; record "
            "presales hours or log time with the deal id to see the cost too."
        )
    bands_out = bands.assign(
        label=[
            band_label(int(b), f, t, currency)
            for b, f, t in zip(bands["band"], bands["value_from"], bands["value_to"], strict=True)
        ]
    )
    details: dict[str, Any] = {
        **base,
        "flagged": value,
        "judged_on": "hours and age" if tracks else "age only",
        "baseline_won_deals": len(won),
        "bands_rule": (
            "Size bands are the quartiles of the values of deals won in the last 12 months; "
            "an open deal is flagged when its age (days since created) or the hours logged "
            "on it exceed the 75th percentile of won deals in its band (hours and days to "
            "close). Deals without a value are held against all won deals."
        ),
        "bands": _records(bands_out[["band", "label", "won_deals", "days_limit", "hours_limit"]]),
        # the worst first; the frame (and the page's download) holds every flagged deal
        "deals": _records(flagged[CUT_AND_RUN_COLUMNS].head(DETAILS_LIST_MAX)),
    }
    return Result(
        ind.id,
        value,
        ind.judge(value, ctx.settings),
        text,
        details,
        flagged[CUT_AND_RUN_COLUMNS].reset_index(drop=True),
    )


CUT_AND_RUN = register(
    Indicator(
        id="cut_and_run",
        area=AREA,
        reads=("deals", "time_entries"),
        label="Deals to cut loose",
        unit="count",
        higher_is_better=False,
        description=(
            "Open deals that have already run longer, or eaten more hours, than 3 in 4 of the "
            "deals you won at a similar size in the last 12 months (size bands are the "
            "quartiles of won deals' values). Selling is not a science, but your own history "
            "says when a deal has stopped behaving like the ones you win: chasing it costs "
            "hours that productive deals need. Green with two or fewer, red above five."
        ),
        thresholds=Thresholds(green=2, red=5),
        compute=compute_cut_and_run,
        page=PAGE,
        checklists=("tear_down_the_wall", "does_it_work"),
        next_step=(
            "Go through the list with each salesperson: give every deal a date by which it "
            "closes or is dropped, and stop technical work on the ones that cannot say yes."
        ),
    )
)


# ---------------------------------------------------------------- time_tracking_coverage


def coverage_weeks(
    con: Connection, workspace_id: int, as_of: date, capacity: float
) -> pd.DataFrame:
    """Person × week over the last 13 complete ISO weeks: hours, capacity, coverage
    (hours ÷ capacity), covered_hours (capped at capacity), logged_in_window."""
    frame = query(
        con,
        "friction_coverage",
        {"ws": workspace_id, "as_of": as_of, "weeks": COVERAGE_WEEKS, "capacity": capacity},
    )
    return _dates(frame, "week_start")


def coverage_by_person(weeks: pd.DataFrame) -> pd.DataFrame:
    """Per person over weeks with capacity: weeks, weeks_logged, hours, coverage (capped)."""
    counted = weeks[weeks["capacity"] > 0]
    return (
        counted.assign(logged=counted["hours"] > 0)
        .groupby("person", as_index=False)
        .agg(
            weeks=("hours", "size"),
            weeks_logged=("logged", "sum"),
            hours=("hours", "sum"),
            covered=("covered_hours", "sum"),
            capacity=("capacity", "sum"),
        )
        .assign(coverage=lambda f: f["covered"] / f["capacity"])
        .drop(columns=["covered"])
        .sort_values(["coverage", "person"])
        .reset_index(drop=True)
    )


def compute_time_tracking_coverage(ctx: Context) -> Result:
    ind = TIME_TRACKING_COVERAGE
    as_of = time_as_of(ctx)
    if as_of is None:
        return ind.unknown(NO_TIME)
    capacity = float(ctx.settings.get("capacity_hours_per_week", 40.0))
    weeks = coverage_weeks(ctx.con, ctx.workspace_id, as_of, capacity)
    if weeks.empty:
        return ind.unknown(
            f"No time entries before {fmt.day(as_of)}, so no complete week to look at. "
            "Import timesheets, or pick a later day."
        )
    active = weeks[weeks["logged_in_window"]]
    silent = sorted(weeks.loc[~weeks["logged_in_window"], "person"].unique())
    first, last = weeks["week_start"].min(), weeks["week_start"].max()
    span = f"the {COVERAGE_WEEKS} complete weeks from {fmt.day(first)} to {fmt.day(last + timedelta(days=6))}"
    if active.empty:
        return ind.unknown(
            f"Nobody logged time in {span}. Import recent timesheets, or pick an earlier day.",
            weeks,
            {"silent": silent},
        )
    counted = active[active["capacity"] > 0]
    if counted.empty:
        return ind.unknown(
            "Capacity is set to 0 hours a week in Settings, so there is nothing to hold the "
            "logged hours against. Set the hours a person could log in a full week.",
            active,
            {"capacity_hours_per_week": capacity, "silent": silent},
        )
    value = float(counted["covered_hours"].sum() / counted["capacity"].sum())
    people = coverage_by_person(active)
    low = people.iloc[0]
    text = (
        f"Over {span}, your {fmt.plural(len(people), 'person', 'people')} logged "
        f"{fmt.pct(value)} of a {capacity:g}-hour week (each week counted up to "
        f"{capacity:g} h, so overtime cannot hide a gap)."
    )
    if float(low["coverage"]) < 0.999 and len(people) > 1:
        text += (
            f" Least covered: {low['person']}, {fmt.pct(float(low['coverage']))} "
            f"(logged in {int(low['weeks_logged'])} of {fmt.plural(int(low['weeks']), 'week')})."
        )
    if silent:
        text += (
            f" Not counted: {_names(silent[:5])}{' and others' if len(silent) > 5 else ''}, "
            "who logged nothing in these weeks: gone, or not tracking?"
        )
    details: dict[str, Any] = {
        "from": first.isoformat(),
        "to": (last + timedelta(days=6)).isoformat(),
        "weeks": COVERAGE_WEEKS,
        "capacity_hours_per_week": capacity,
        "people": _records(people),
        "silent": silent,
        "rule": (
            "Each person counts from the week of their first time entry; a week with nothing "
            "logged counts as 0; each week counts at most the capacity. People who logged "
            "nothing in the whole window are listed, not counted."
        ),
    }
    return Result(ind.id, value, ind.judge(value, ctx.settings), text, details, active)


def _spark_coverage(result: Result) -> pd.Series:
    frame = result.frame
    if frame.empty or "covered_hours" not in frame:
        return pd.Series(dtype=float)
    counted = frame[frame["capacity"] > 0]
    per_week = counted.groupby("week_start")[["covered_hours", "capacity"]].sum()
    return per_week["covered_hours"] / per_week["capacity"]


TIME_TRACKING_COVERAGE = register(
    Indicator(
        id="time_tracking_coverage",
        area=AREA,
        reads=("time_entries",),
        label="Time-tracking coverage",
        unit="share",
        higher_is_better=True,
        description=(
            "How much of each person's week shows up in the timesheets: hours logged ÷ "
            "capacity (40 h a week unless you change it) per person-week over the last 13 "
            "complete weeks, each week counted up to capacity. Untracked time is time you "
            "cannot bill, cost or improve, and every other figure on this page leans on it. "
            "Green from 85%, red below 60%."
        ),
        thresholds=Thresholds(green=0.85, red=0.60),
        compute=compute_time_tracking_coverage,
        page=PAGE,
        checklists=("write_it_down", "does_it_work"),
        next_step=(
            "Make logging time take seconds: one ticket or timer for everything, internal "
            "work included; look at the least-covered person's week with them and find "
            "where the hours went."
        ),
        spark=_spark_coverage,
    )
)


# ---------------------------------------------------------------- time use: improvement, billable


def time_use(con: Connection, workspace_id: int, as_of: date) -> pd.DataFrame:
    """Per person in the 12 months to `as_of`: hours, improvement_hours, categorised_hours,
    flagged_hours (billable flag known), billable_hours, customer_hours."""
    return query(con, "friction_time_use", {"ws": workspace_id, **window(as_of)})


def _time_use(ctx: Context, as_of: date) -> pd.DataFrame:
    return _shared(ctx, ("time_use", as_of), lambda: time_use(ctx.con, ctx.workspace_id, as_of))


def compute_improvement_time_share(ctx: Context) -> Result:
    ind = IMPROVEMENT_TIME_SHARE
    as_of = time_as_of(ctx)
    if as_of is None:
        return ind.unknown(NO_TIME)
    people = _time_use(ctx, as_of)
    total = float(people["hours"].sum()) if not people.empty else 0.0
    if total <= 0:
        return ind.unknown(
            f"No hours logged in {window_text(as_of)}. Import recent timesheets.", people
        )
    if float(people["categorised_hours"].sum()) <= 0:
        return ind.unknown(
            f"None of the {fmt.hours(total)} logged in {window_text(as_of)} has a category, so "
            "improvement work cannot be told apart. Add a category to time entries (customer, "
            "internal, presales, improvement).",
            people,
        )
    improvement = float(people["improvement_hours"].sum())
    value = improvement / total
    capacity = float(ctx.settings.get("capacity_hours_per_week", 40.0)) or 40.0
    people = people.assign(improvement_share=people["improvement_hours"] / people["hours"])
    text = (
        f"{fmt.pct(value)} of the {fmt.hours(total)} logged in {window_text(as_of)} went into "
        f"improving your own systems and processes ({fmt.hours(improvement)}, about "
        f"{value * capacity:.1f} h of a {capacity:g}-hour week)."
    )
    doers = people[people["improvement_hours"] > 0].sort_values(
        "improvement_hours", ascending=False
    )
    if not doers.empty:
        top = doers.iloc[0]
        text += f" Most: {top['person']} ({fmt.hours(float(top['improvement_hours']))})."
    none = len(people) - len(doers)
    if none:
        text += f" {fmt.plural(none, 'person', 'people')} logged none."
    details: dict[str, Any] = {
        **_window_details(as_of),
        "hours": total,
        "improvement_hours": improvement,
        "uncategorised_hours": total - float(people["categorised_hours"].sum()),
        "definition": "Time entries whose category contains 'improv' (improvement, improving…).",
        "people": _records(people[["person", "hours", "improvement_hours", "improvement_share"]]),
    }
    return Result(ind.id, value, ind.judge(value, ctx.settings), text, details, people)


IMPROVEMENT_TIME_SHARE = register(
    Indicator(
        id="improvement_time_share",
        area=AREA,
        reads=("time_entries",),
        counts_days=False,
        label="Improvement time",
        unit="share",
        higher_is_better=True,
        description=(
            "The share of hours logged in the last 12 months with an improvement category: "
            "learning and tuning your own business systems, processes and workflows, not "
            "keeping the servers running. Most service firms spend too little here, and "
            "minutes spent today save hours later. Green from 5% (two hours of a 40-hour "
            "week), red below 2%."
        ),
        thresholds=Thresholds(green=0.05, red=0.02),
        compute=compute_improvement_time_share,
        page=PAGE,
        checklists=("does_it_work", "write_it_down"),
        next_step=(
            "Block two hours a week per person for fixing your own processes, log it as "
            "improvement, and start with the procedure that causes the most rework."
        ),
    )
)


def compute_billable_utilization(ctx: Context) -> Result:
    ind = BILLABLE_UTILIZATION
    as_of = time_as_of(ctx)
    if as_of is None:
        return ind.unknown(NO_TIME)
    people = _time_use(ctx, as_of)
    if people.empty or float(people["hours"].sum()) <= 0:
        return ind.unknown(f"No hours logged in {window_text(as_of)}. Import recent timesheets.")
    if float(people["flagged_hours"].sum()) <= 0:
        return ind.unknown(
            f"None of the hours logged in {window_text(as_of)} says whether it was billable. "
            "Add the billable flag (yes/no) to your timesheet export.",
            people,
        )
    people = people.assign(
        utilisation=people["billable_hours"]
        / people["flagged_hours"].where(people["flagged_hours"] > 0),
        bills=people["billable_hours"] > 0,
    )
    billers = people[people["bills"]]
    if billers.empty:
        return ind.unknown(
            f"No hour logged in {window_text(as_of)} is marked billable. If some of the work "
            "is billed, check the billable column of your timesheet export.",
            people,
        )
    value = float(billers["billable_hours"].sum() / billers["flagged_hours"].sum())
    low, high = UTILISATION_REFERENCE
    text = (
        f"The {fmt.plural(len(billers), 'person', 'people')} who billed any hours in "
        f"{window_text(as_of)} billed {fmt.pct(value)} of the hours they logged with a "
        f"billable flag. Definition: billable hours ÷ logged hours with the flag, for people "
        f"with at least one billable hour; a common reference for billing staff is "
        f"{low * 100:.0f}–{high * 100:.0f}%, about 75% typical."
    )
    lowest = billers.sort_values("utilisation").iloc[0]
    if len(billers) > 1:
        text += f" Lowest: {lowest['person']}, {fmt.pct(float(lowest['utilisation']))}."
    details: dict[str, Any] = {
        **_window_details(as_of),
        "definition": "billable ÷ logged hours where the billable flag is known, for people "
        "with at least one billable hour in the window",
        "reference": {"low": low, "high": high, "typical": 0.75},
        "billing_people": len(billers),
        "people": _records(
            people[["person", "hours", "flagged_hours", "billable_hours", "utilisation", "bills"]]
        ),
    }
    return Result(ind.id, value, ind.judge(value, ctx.settings), text, details, people)


BILLABLE_UTILIZATION = register(
    Indicator(
        id="billable_utilization",
        area=AREA,
        reads=("time_entries",),
        counts_days=False,
        label="Billable utilisation",
        unit="share",
        higher_is_better=True,
        description=(
            "Benchmark: the share of hours that are billed, among the people who bill at all "
            "(anyone with a billable hour in the last 12 months), counting only hours whose "
            "billable flag is known. Service firms commonly reach 70-80% for billing staff, "
            "about 75% typical; much lower means unbilled work on customers, or hours going "
            "into internal work nobody planned. Green from 70%, red below 55%."
        ),
        thresholds=Thresholds(green=0.70, red=0.55),
        compute=compute_billable_utilization,
        page=PAGE,
        checklists=("say_document_show", "does_it_work"),
        next_step=(
            "Find the unbilled customer hours: work outside the statement of work needs a "
            "change order, billed or not, so it is at least seen."
        ),
    )
)


def service_revenue(con: Connection, workspace_id: int, as_of: date) -> dict[str, float]:
    """Invoiced revenue in the 12 months to `as_of`: lines, product_lines, revenue,
    hardware_revenue, service_revenue."""
    row = query(con, "friction_service_revenue", {"ws": workspace_id, **window(as_of)}).iloc[0]
    return {str(k): float(v) for k, v in row.items()}


def _rate_thresholds(settings: dict[str, Any]) -> Thresholds:
    # Twice the hourly cost of a technician covers overheads and leaves a margin; under 1.25×
    # the overheads eat it.
    cost = float(settings.get("cost_rate_tech", 60.0))
    return Thresholds(green=2 * cost, red=1.25 * cost)


def compute_effective_hourly_rate(ctx: Context) -> Result:
    ind = EFFECTIVE_HOURLY_RATE
    invoice_day = ctx.entity_as_of("invoices")
    time_day = time_as_of(ctx)
    if invoice_day is None:
        return ind.unknown(
            "No invoices yet. Import invoices (date, customer, amount, and the product or "
            "service line) and timesheets with the customer on each entry."
        )
    if time_day is None:
        return ind.unknown(NO_TIME)
    # Both sides must cover the same 12 months: anchor on the earlier of the two last days.
    as_of = min(invoice_day, time_day)
    currency = _currency(ctx)
    revenue = service_revenue(ctx.con, ctx.workspace_id, as_of)
    people = _time_use(ctx, as_of)
    hours = float(people["customer_hours"].sum()) if not people.empty else 0.0
    base: dict[str, Any] = {**_window_details(as_of), **revenue, "customer_hours": hours}
    if revenue["lines"] == 0 or revenue["service_revenue"] <= 0:
        return ind.unknown(
            f"No invoices for services in {window_text(as_of)}. Import recent invoices (with "
            "the product or service line, so hardware can be left out).",
            people,
            base,
        )
    if hours <= 0:
        return ind.unknown(
            f"No hours logged to a customer in {window_text(as_of)}. Put the customer on each "
            "time entry, so revenue can be held against the hours that earned it.",
            people,
            base,
        )
    value = revenue["service_revenue"] / hours
    cost = float(ctx.settings.get("cost_rate_tech", 60.0))
    if revenue["product_lines"] > 0:
        how = (
            f"service revenue (invoices without hardware lines: {fmt.money(revenue['service_revenue'], currency)}"
            f", leaving out {fmt.money(revenue['hardware_revenue'], currency)} of hardware)"
        )
    else:
        how = (
            f"all invoiced revenue ({fmt.money(revenue['service_revenue'], currency)}; your "
            "invoices name no product line, so hardware cannot be taken out)"
        )
    text = (
        f"Each hour logged to a customer in {window_text(as_of)} brought in "
        f"{fmt.money(value, currency)}: {how} ÷ {fmt.hours(hours)} with a customer. "
        f"Reference: at least 2–3× the hourly cost of the people doing the work "
        f"({fmt.money(2 * cost, currency)}–{fmt.money(3 * cost, currency)} at your technician "
        f"cost of {fmt.money(cost, currency)} an hour)."
    )
    details = {
        **base,
        "definition": "service revenue (invoice lines not marked hardware; all lines when no "
        "product is given) ÷ hours logged with a customer, same 12 months",
        "hardware_excluded": revenue["product_lines"] > 0,
        "reference": {"low": 2 * cost, "high": 3 * cost, "cost_rate_tech": cost},
    }
    frame = pd.DataFrame(
        [
            {
                "service_revenue": revenue["service_revenue"],
                "hardware_revenue": revenue["hardware_revenue"],
                "customer_hours": hours,
                "rate": value,
            }
        ]
    )
    return Result(ind.id, value, ind.judge(value, ctx.settings), text, details, frame)


EFFECTIVE_HOURLY_RATE = register(
    Indicator(
        id="effective_hourly_rate",
        area=AREA,
        reads=("invoices", "time_entries"),
        counts_days=False,
        anchor="common",
        label="Effective hourly rate",
        unit="money",
        higher_is_better=True,
        description=(
            "Benchmark: what an hour of customer work really earns, service revenue invoiced "
            "in the last 12 months (hardware lines left out when invoices name the product) ÷ "
            "hours logged with a customer in the same months. Discounts, overruns and "
            "unbilled work all end up here. A service firm commonly needs 2-3× the hourly "
            "cost of its people: green from twice the technician cost rate in Settings, red "
            "below 1.25×, where overheads eat the rest."
        ),
        thresholds=_rate_thresholds,
        compute=compute_effective_hourly_rate,
        page=PAGE,
        checklists=("you_are_what_you_eat",),
        next_step=(
            "Raise the rate where the hours are: reprice the customers and contracts that "
            "take the most hours for their revenue, and stop giving discounts on services."
        ),
    )
)


# ---------------------------------------------------------------- chart summaries
# What the page's charts draw, summarised in SQL over the indicators' own rows (as filtered
# on the page), so a chart carries a few numbers per salesperson or person, not every row.

# Most outlying deals drawn per salesperson beside the discount boxes.
OUTLIERS_PER_OWNER = 25
# Most points in the estimated-vs-actual chart, and how many of the biggest overruns (in
# hours, and in share of the estimate) it always keeps.
EFFORT_POINTS = 1500
EFFORT_OVERRUNS_KEPT = 100


def discount_boxes(deals: pd.DataFrame) -> pd.DataFrame:
    """One box per salesperson over won deals with a discount (`won_discounts` rows): owner,
    deals, q1, median, q3, lowerfence, upperfence (the furthest deals within 1.5 × IQR),
    low_limit, high_limit (those limits), outliers (deals beyond them); deepest median first."""
    return query_frames("friction_discount_boxes", {"deals": deals[["owner", "discount"]]})


def discount_outliers(
    deals: pd.DataFrame, boxes: pd.DataFrame, per_owner: int = OUTLIERS_PER_OWNER
) -> pd.DataFrame:
    """The deals beyond their salesperson's box limits (`discount_boxes`), furthest first, at
    most `per_owner` each: deal_id, customer, owner, discount, distance, owner_rank,
    owner_outliers (how many in all for that salesperson)."""
    return query_frames(
        "friction_discount_outliers",
        {
            "deals": deals[["deal_id", "customer", "owner", "discount"]],
            "boxes": boxes[["owner", "low_limit", "high_limit"]],
        },
        {"per_owner": per_owner},
    )


def effort_points(
    deals: pd.DataFrame, cap: int = EFFORT_POINTS, keep: int = EFFORT_OVERRUNS_KEPT
) -> pd.DataFrame:
    """The deals the estimated-vs-actual chart draws (judged `won_effort` rows): all of them
    up to `cap`; beyond, the `keep` biggest overruns in hours and in share (shown "overrun")
    and a stable every-k-th sample of the rest (shown "sample"), `cap` in all. Columns:
    deal_id, owner, customer, estimated_hours, actual_hours, hours_over, shown, total (every
    deal), overruns (how many kept as overruns), low, high (the hours' range over all)."""
    return query_frames(
        "friction_effort_points",
        {"deals": deals[["deal_id", "owner", "customer", "estimated_hours", "actual_hours"]]},
        {"cap": cap, "keep": keep},
    )


def coverage_top_people(weeks: pd.DataFrame, top: int | None) -> pd.DataFrame:
    """The coverage frame's person-weeks of the `top` people with the most hours missing
    (None: everyone): person, week_start, hours, rank (1 = most missing), people (in all),
    missing_hours, coverage."""
    return query_frames(
        "friction_coverage_top_people",
        {"weeks": weeks[["person", "week_start", "hours", "capacity", "covered_hours"]]},
        {"top": top},
    )
