"""Customer fit's ideal profile: the segment, size, region or channel more common among the
ideal customers (high revenue, little support) than among all of them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analytics import format as fmt
from analytics.indicators import register_entry
from analytics.indicators.base import Context, Result
from analytics.indicators.common import records, window_text
from analytics.indicators.fit.base import (
    ATTRIBUTES,
    MIN_IDEAL,
    MIN_LIFT,
    details_start,
    first_rows,
    names,
    start,
)
from analytics.indicators.fit.eighty_twenty import ctx_kinds
from analytics.indicators.fit.quadrant import ctx_quadrant, tickets_elsewhere
from analytics.settings import minimum

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
    w = start(ctx, ind)
    as_of = w.as_of
    if ctx_kinds(ctx, as_of)["tickets"] == 0:
        return ind.unknown(
            f"Needs the value-versus-burden picture, and no support tickets were opened in "
            f"{window_text(as_of)}."
            + (
                tickets_elsewhere(ctx, as_of)
                or " Load your tickets (opened date, customer; hours if you log them) so "
                "ideal customers (high revenue, little support) can be told apart."
            )
        )
    frame, _basis = ctx_quadrant(ctx, as_of)
    needed = minimum(ctx.settings, "min_cases")
    if int((frame["revenue"] > 0).sum()) < needed:
        return ind.unknown(
            f"Only {fmt.plural(int((frame['revenue'] > 0).sum()), 'customer')} with revenue in "
            f"{window_text(as_of)}: too few to tell what the best of them have in common "
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
            f"Only {fmt.plural(ideal_n, 'ideal customer')} in {window_text(as_of)}: a profile "
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
            for a, v, lift, si, sa in first_rows(
                standout, "attribute", "value", "lift", "share_ideal", "share_all"
            )
        ]
        text = (
            f"What your {ideal_n:,} ideal customers (high revenue, low support) have in common "
            f"more often than the rest: {names(traits, len(standout))}. Aim your prospecting "
            "at customers like these."
        )
    missing = [ATTRIBUTES[a].lower() for a, n in known.items() if n == 0]
    if missing:
        text += f" Not compared (not in your customers file): {names(missing)}."
    details: dict[str, Any] = {
        **details_start(as_of),
        "ideal_customers": ideal_n,
        "customers": len(with_revenue),
        "attributes_known": known,
        "traits": records(standout),
        "rule": (
            f"Lift = share of ideal customers with the trait / share of all customers with "
            f"revenue in the last 12 months with it (among those whose attribute is known); "
            f"listed from {MIN_LIFT}× with at least {MIN_IDEAL} ideal customers. Size bands: "
            "1–9, 10–49, 50–249, 250+ employees."
        ),
    }
    too_few = ind.unless_enough(
        ctx,
        value,
        ideal_n,
        "ideal customer",
        fix="Load more invoices and tickets, so more customers can be placed.",
        frame=lifts,
        details=details,
    )
    return too_few or Result(ind.id, value, status, text, details, lifts)


IDEAL_PROFILE = register_entry("ideal_profile", compute=compute_ideal_profile)
