"""Sales vs tech in the timesheets: how much of the week is tracked, improvement time,
billable utilisation and the effective hourly rate.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from analytics import format as fmt
from analytics.indicators import common, register_entry
from analytics.indicators.base import Context, Result, Thresholds
from analytics.indicators.common import names, records, shared, window_text
from analytics.indicators.friction.base import (
    COVERAGE_WEEKS,
    NO_TIME,
    UTILISATION_REFERENCE,
    dates,
    time_as_of,
    time_day,
    window,
    window_details,
)
from analytics.queries import query
from analytics.store import Connection

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
    return dates(frame, "week_start")


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
    as_of = time_day(ctx, ind)
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
            f" Not counted: {names(silent[:5])}{' and others' if len(silent) > 5 else ''}, "
            "who logged nothing in these weeks: gone, or not tracking?"
        )
    details: dict[str, Any] = {
        "from": first.isoformat(),
        "to": (last + timedelta(days=6)).isoformat(),
        "weeks": COVERAGE_WEEKS,
        "capacity_hours_per_week": capacity,
        "people": records(people),
        "silent": silent,
        "rule": (
            "Each person counts from the week of their first time entry; a week with nothing "
            "logged counts as 0; each week counts at most the capacity. People who logged "
            "nothing in the whole window are listed, not counted."
        ),
    }
    return ind.judged(value, ctx.settings, text, details, active)


def _spark_coverage(result: Result) -> pd.Series:
    frame = result.frame
    if frame.empty or "covered_hours" not in frame:
        return pd.Series(dtype=float)
    counted = frame[frame["capacity"] > 0]
    per_week = counted.groupby("week_start")[["covered_hours", "capacity"]].sum()
    return per_week["covered_hours"] / per_week["capacity"]


TIME_TRACKING_COVERAGE = register_entry(
    "time_tracking_coverage", compute=compute_time_tracking_coverage, spark=_spark_coverage
)


# ---------------------------------------------------------------- time use: improvement, billable


def time_use(con: Connection, workspace_id: int, as_of: date) -> pd.DataFrame:
    """Per person in the 12 months to `as_of`: hours, improvement_hours, categorised_hours,
    flagged_hours (billable flag known), billable_hours, customer_hours."""
    return query(con, "friction_time_use", {"ws": workspace_id, **window(as_of)})


def ctx_time_use(ctx: Context, as_of: date) -> pd.DataFrame:
    """`time_use` to `as_of`, once per context (improvement, billable, hourly rate)."""
    return shared(ctx, ("time_use", as_of), lambda: time_use(ctx.con, ctx.workspace_id, as_of))


def compute_improvement_time_share(ctx: Context) -> Result:
    ind = IMPROVEMENT_TIME_SHARE
    as_of = time_day(ctx, ind)
    people = ctx_time_use(ctx, as_of)
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
        **window_details(as_of),
        "hours": total,
        "improvement_hours": improvement,
        "uncategorised_hours": total - float(people["categorised_hours"].sum()),
        "definition": "Time entries whose category contains 'improv' (improvement, improving…).",
        "people": records(people[["person", "hours", "improvement_hours", "improvement_share"]]),
    }
    return ind.judged(value, ctx.settings, text, details, people)


IMPROVEMENT_TIME_SHARE = register_entry(
    "improvement_time_share", compute=compute_improvement_time_share
)


def compute_billable_utilization(ctx: Context) -> Result:
    ind = BILLABLE_UTILIZATION
    as_of = time_day(ctx, ind)
    people = ctx_time_use(ctx, as_of)
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
        **window_details(as_of),
        "definition": "billable ÷ logged hours where the billable flag is known, for people "
        "with at least one billable hour in the window",
        "reference": {"low": low, "high": high, "typical": 0.75},
        "billing_people": len(billers),
        "people": records(
            people[["person", "hours", "flagged_hours", "billable_hours", "utilisation", "bills"]]
        ),
    }
    return ind.judged(value, ctx.settings, text, details, people)


BILLABLE_UTILIZATION = register_entry("billable_utilization", compute=compute_billable_utilization)


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
    currency = common.currency(ctx)
    revenue = service_revenue(ctx.con, ctx.workspace_id, as_of)
    people = ctx_time_use(ctx, as_of)
    hours = float(people["customer_hours"].sum()) if not people.empty else 0.0
    base: dict[str, Any] = {**window_details(as_of), **revenue, "customer_hours": hours}
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
    return ind.judged(value, ctx.settings, text, details, frame)


EFFECTIVE_HOURLY_RATE = register_entry(
    "effective_hourly_rate", compute=compute_effective_hourly_rate, thresholds=_rate_thresholds
)
