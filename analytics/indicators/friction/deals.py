"""Sales vs tech on the deals won: how deep the discounts go, whether the hours sold are the
hours delivered, and what technical presales does to winning.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from analytics import format as fmt
from analytics.indicators import common, register_entry
from analytics.indicators.base import Context, Result
from analytics.indicators.common import records, shared, window_text
from analytics.indicators.friction.base import (
    DELIVERY_QUIET_DAYS,
    NO_DEALS,
    against_the_rest,
    ctx_deals,
    dates,
    deals_day,
    monthly,
    per_owner,
    window,
    window_details,
)
from analytics.queries import query, query_arrow
from analytics.settings import minimum
from analytics.store import Connection

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


def discount_facts(
    con: Connection, workspace_id: int, as_of: date, threshold: float
) -> pd.DataFrame:
    """The frame `won_discounts` makes of `deal_facts` to `as_of`, read straight from the store:
    only the deals won in the window and the columns the figure shows, in the same order."""
    params = {"ws": workspace_id, **window(as_of), "threshold": threshold}
    frame = query_arrow(con, "friction_won_discounts", params)
    if frame.empty:  # typed as `query` types an empty result (text columns as objects)
        return dates(query(con, "friction_won_discounts", params), "closed")
    return frame


# The per-salesperson discount table's columns, and their types when it is empty.
DISCOUNT_OWNER_COLUMNS = {
    "owner": "object",
    "deals": "int64",
    "median_discount": "float64",
    "deep_share": "float64",
    "given_away": "float64",
}


def discount_by_owner(deals: pd.DataFrame) -> pd.DataFrame:
    """Per salesperson, over the won deals with a discount (`won_discounts` rows): deals,
    median_discount, deep_share, given_away; deepest median first, then by name. Worked out
    with numpy (a few hundred microseconds, not the few milliseconds of a pandas groupby);
    given_away summed exactly rounded (`math.fsum`); a median over an even count is the mean
    of the middle two."""
    codes, names = pd.factorize(deals["owner"])
    discount = deals["discount"].to_numpy(dtype=float)
    deep = deals["deep"].to_numpy(dtype=bool)
    given = deals["given_away"].to_numpy(dtype=float)
    keep = (codes >= 0) & ~np.isnan(discount)
    order = np.argsort(codes[keep], kind="stable")
    codes, discount = codes[keep][order], discount[keep][order]
    deep, given = deep[keep][order], given[keep][order]
    if not len(codes):  # no priced deal: the empty table, typed
        return pd.DataFrame(
            {c: pd.Series(dtype=t) for c, t in DISCOUNT_OWNER_COLUMNS.items()}  # type: ignore[call-overload]
        )
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    # plain Python names and floats, once: fsum over a list is a third of the time it takes
    # over a numpy array, and the same sum
    labels, amounts = names.tolist(), given.tolist()
    rows = []
    for start, end in zip(starts.tolist(), np.r_[starts[1:], len(codes)].tolist(), strict=True):
        n = end - start
        rows.append(
            (
                labels[codes[start]],
                n,
                float(np.median(discount[start:end])),
                int(deep[start:end].sum()) / n,
                math.fsum(amounts[start:end]),
            )
        )
    rows.sort(key=lambda row: (-row[2], row[0]))
    return pd.DataFrame(rows, columns=list(DISCOUNT_OWNER_COLUMNS))


def compute_discount_depth(ctx: Context) -> Result:
    ind = DISCOUNT_DEPTH
    as_of = deals_day(ctx, ind)
    threshold = float(ctx.settings.get("discount_threshold", 0.15))
    currency = common.currency(ctx)
    deals = shared(
        ctx,
        ("won_discounts", as_of, threshold),
        lambda: discount_facts(ctx.con, ctx.workspace_id, as_of, threshold),
    )
    if deals.empty:
        return ind.unknown(
            f"No deals won in {window_text(as_of)}. Import deals with status won, a close "
            "date, the value sold and the list value (the price before discount)."
        )
    discount = deals["discount"]
    is_priced = discount.notna()
    priced = int(is_priced.sum())
    missing = len(deals) - priced
    if not priced:
        return ind.unknown(
            f"None of your {fmt.plural(len(deals), 'deal')} won in {window_text(as_of)} has "
            "a list value (the price before discount), so there is nothing to measure a "
            "discount against. Add the list or quoted price to your deals export, next to "
            "the value sold.",
            deals,
            {"won_deals": len(deals), "without_list_value": missing, **window_details(as_of)},
        )
    # Over the priced deals only (a deal without a discount is never deep): the same
    # median, share and sum as on the priced rows alone.
    value = float(discount.median())
    deep = int(deals["deep"].sum())
    deep_share = deep / priced
    owners = discount_by_owner(deals)
    given = float(deals["given_away"][is_priced].sum())
    text = (
        f"The typical deal won in {window_text(as_of)} went out {fmt.pct(value)} below list "
        f"(median of {fmt.plural(priced, 'deal')}); {fmt.pct(deep_share)} were "
        f"discounted more than {fmt.pct(threshold)}, and discounts gave away "
        f"{fmt.money(given, currency)} of list price."
    )
    text += against_the_rest(
        owners,
        "median_discount",
        fmt.pct,
        lambda top: (
            f"{top['owner']} discounts deepest: median {fmt.pct(float(top['median_discount']))} "
            f"over {fmt.plural(int(top['deals']), 'deal')} "
            f"({fmt.pct(float(top['deep_share']))} beyond {fmt.pct(threshold)})"
        ),
        ", against {} for the others",
    )
    if missing:
        text += f" {fmt.plural(missing, 'won deal')} without a list value left out."
    details: dict[str, Any] = {
        **window_details(as_of),
        "threshold": threshold,
        "won_deals": len(deals),
        "priced_deals": priced,
        "without_list_value": missing,
        "deep_share": deep_share,
        "given_away": given,
        "by_salesperson": records(owners),
        "discount_happy": owners.loc[owners["median_discount"] > threshold, "owner"].tolist(),
    }
    needed = minimum(ctx.settings, "min_cases")
    if priced < needed:
        return ind.too_few(
            value,
            priced,
            needed,
            "won deal with a list value",
            many="won deals with a list value",
            count=(
                f"median of {fmt.plural(priced, 'won deal')}; {deep} of them discounted "
                f"more than {fmt.pct(threshold)}"
            ),
            fix=f"Load more of your deals won in {window_text(as_of)}, with their list value.",
            frame=deals,
            details=details,
        )
    return ind.judged(value, ctx.settings, text, details, deals)


def _spark_discount(result: Result) -> pd.Series:
    return monthly(result.frame, "closed", "discount", "median")


DISCOUNT_DEPTH = register_entry(
    "discount_depth", compute=compute_discount_depth, spark=_spark_discount
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
    return per_owner(
        deals,
        "median_overrun",
        deals=("overrun", "size"),
        median_overrun=("overrun", "median"),
        estimated_hours=("estimated_hours", "sum"),
        actual_hours=("actual_hours", "sum"),
    )


def compute_effort_overrun(ctx: Context) -> Result:
    ind = EFFORT_OVERRUN
    as_of = deals_day(ctx, ind)
    deals = won_effort(ctx_deals(ctx, as_of), as_of)
    if deals.empty:
        return ind.unknown(
            f"No deals won in {window_text(as_of)}. Import won deals with their estimated "
            "delivery hours, and time entries that carry the deal id."
        )
    base = {**window_details(as_of), "won_deals": len(deals)}
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
    text += against_the_rest(
        owners,
        "median_overrun",
        lambda v: fmt.pct(v, signed=True),
        lambda top: (
            f"{top['owner']}'s deals ran {fmt.pct(float(top['median_overrun']), signed=True)} "
            f"({fmt.plural(int(top['deals']), 'deal')}, "
            f"{fmt.hours(float(top['actual_hours'] - top['estimated_hours']))} over in all)"
        ),
        "; the others' {}",
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
        "by_salesperson": records(owners),
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
    return ind.judged(value, ctx.settings, text, details, deals)


def _spark_effort(result: Result) -> pd.Series:
    frame = result.frame
    if frame.empty or "in_delivery" not in frame:
        return pd.Series(dtype=float)
    return monthly(frame[~frame["in_delivery"]], "closed", "overrun", "median")


EFFORT_OVERRUN = register_entry(
    "effort_overrun", compute=compute_effort_overrun, spark=_spark_effort
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
    as_of = deals_day(ctx, ind)
    deals = closed_deals(ctx_deals(ctx, as_of))
    groups = presales_groups(deals)
    with_, without = groups.iloc[0], groups.iloc[1]
    n_with, n_without = int(with_["deals"]), int(without["deals"])
    needed = minimum(ctx.settings, "min_cases")
    details: dict[str, Any] = {
        **window_details(as_of),
        "with_presales": records(groups.iloc[[0]])[0],
        "without_presales": records(groups.iloc[[1]])[0],
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
    return ind.judged(value, ctx.settings, text, details, groups)


PRESALES_LIFT = register_entry("presales_lift", compute=compute_presales_lift)
