"""Sales vs tech on the deals chased: the hours sunk in deals then lost, and the open deals
that have run past what a win of their size takes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analytics import format as fmt
from analytics.indicators import common, register_entry
from analytics.indicators.base import Context, Result, Thresholds
from analytics.indicators.common import records, window_text
from analytics.indicators.friction.base import (
    DETAILS_LIST_MAX,
    MIN_BASELINE,
    WORST_N,
    ctx_deals,
    deal_name,
    deals_day,
    monthly,
    per_owner,
    window_details,
)

# ---------------------------------------------------------------- lost_deal_hours and cut_and_run


def _lost_thresholds(settings: dict[str, Any]) -> Thresholds:
    # One person-week of capacity sunk in lost deals is the price of selling; four is a month.
    week = float(settings.get("capacity_hours_per_week", 40.0)) or 40.0
    return Thresholds(green=week, red=4 * week)


def compute_lost_deal_hours(ctx: Context) -> Result:
    ind = LOST_DEAL_HOURS
    as_of = deals_day(ctx, ind)
    deals = ctx_deals(ctx, as_of)
    lost = deals[deals["state"] == "lost"].sort_values(["pursuit_hours", "days"], ascending=False)
    won = deals[deals["state"] == "won"]
    base: dict[str, Any] = {**window_details(as_of), "lost_deals": len(lost)}
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
                f" Costliest: {deal_name(worst)}, "
                f"{fmt.hours(float(worst['pursuit_hours']))}"
                + (f" over {int(worst['days'])} days." if pd.notna(worst["days"]) else ".")
            )
    by_owner = per_owner(
        lost, "hours", lost_deals=("deal_id", "size"), hours=("pursuit_hours", "sum")
    )
    details = {
        **base,
        "lost_with_hours": int((lost["pursuit_hours"] > 0).sum()),
        "median_days_to_loss": median_lost,
        "median_days_to_win": median_won,
        "lost_later_than_typical_win": len(late),
        "hours_lost_late": float(late["pursuit_hours"].sum()),
        "worst_deals": records(
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
        "by_salesperson": records(by_owner),
    }
    return ind.judged(value, ctx.settings, text, details, lost)


def _spark_lost(result: Result) -> pd.Series:
    return monthly(result.frame, "closed", "pursuit_hours", "sum")


LOST_DEAL_HOURS = register_entry(
    "lost_deal_hours",
    compute=compute_lost_deal_hours,
    spark=_spark_lost,
    thresholds=_lost_thresholds,
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
    as_of = deals_day(ctx, ind)
    currency = common.currency(ctx)
    deals = ctx_deals(ctx, as_of)
    won = deals[deals["state"] == "won"]
    open_count = int((deals["state"] == "open").sum())
    base: dict[str, Any] = {**window_details(as_of), "open_deals": open_count}
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
            f"{deal_name(top)}, {_past_limits(top, tracks)}"
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
        "bands": records(bands_out[["band", "label", "won_deals", "days_limit", "hours_limit"]]),
        # the worst first; the frame (and the page's download) holds every flagged deal
        "deals": records(flagged[CUT_AND_RUN_COLUMNS].head(DETAILS_LIST_MAX)),
    }
    return ind.judged(
        value, ctx.settings, text, details, flagged[CUT_AND_RUN_COLUMNS].reset_index(drop=True)
    )


CUT_AND_RUN = register_entry("cut_and_run", compute=compute_cut_and_run)
