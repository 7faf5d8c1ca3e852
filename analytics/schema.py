"""The store's schema: the migrations (literal, in schema_history.py), run once, in order,
by analytics.store.migrate. Never edit a shipped migration; add the next one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analytics.entities import ENTITIES, REFERENCES_CUSTOMER

# The migrations themselves, literal and frozen, are in analytics/schema_history.py.
from analytics.schema_history import _MIGRATION_1 as _MIGRATION_1
from analytics.schema_history import DEALS_CURRENT_SQL as DEALS_CURRENT_SQL
from analytics.schema_history import MIGRATIONS as MIGRATIONS
from analytics.schema_history import SCHEMA_VERSION as SCHEMA_VERSION

# ---------------------------------------------------------------- schema

# The columns every entity table has besides its fields (benchmarks/import_floor.py builds a
# table like them); the tables themselves are the literal SQL of migrations 1 and 10.
BOOKKEEPING = ("workspace_id INTEGER NOT NULL", "batch_id INTEGER", "source_row INTEGER")
FINGERPRINT = ("row_fp UHUGEINT", "occurrence INTEGER")


def _customers_current_select(where: str = "") -> str:
    """One row per customer: each attribute from the latest batch that gives it."""
    attrs = [f.name for f in ENTITIES["customers"].fields if f.name != "customer"]
    picks = ",\n  ".join(
        f"arg_max({a}, coalesce(batch_id, 0)) FILTER (WHERE {a} IS NOT NULL) AS {a}" for a in attrs
    )
    return (
        f"SELECT workspace_id, customer,\n  {picks},\n  bool_and(auto) AS auto\n"
        f"FROM customers{where} GROUP BY workspace_id, customer"
    )


def _customers_current_sql() -> str:
    return "CREATE OR REPLACE VIEW customers_current AS\n" + _customers_current_select()


def _deals_current_select(where: str = "") -> str:
    """One row per deal: its version from the latest batch (the last row within a batch)."""
    return f"""
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (
    PARTITION BY workspace_id, deal_id ORDER BY batch_id DESC, source_row DESC) AS rn
  FROM deals{where})
WHERE rn = 1
"""


def _where(where: str, *conditions: str) -> str:
    """`where` (empty, or " WHERE workspace_id = $w") with more conditions ANDed on."""
    parts = [where.removeprefix(" WHERE ")] if where else []
    return " WHERE " + " AND ".join(parts + list(conditions)) if parts or conditions else ""


def _invoice_days_select(where: str = "") -> str:
    """Invoice lines summed per customer and day (a null customer is a customer of its
    own): what every figure that only adds up, counts or dates invoices reads. Money stays
    DECIMAL, so each sum is exactly the sum of its lines."""
    return (
        "SELECT workspace_id, customer, date, sum(amount) AS amount, count(*) AS lines\n"
        f"FROM invoices{_where(where, 'date IS NOT NULL', 'amount IS NOT NULL')}\n"
        "GROUP BY workspace_id, customer, date"
    )


def _activity_weeks_select(where: str = "") -> str:
    """Activities per ISO week (Monday; null for undated ones), type and whether they went
    to someone not yet invoiced that day (no first invoice ever, or a later one): their
    minutes, how many gave none, and how many there were. The prospecting figures apply the
    owner's settings (which types count, default minutes) to these at query time."""
    return f"""
SELECT a.workspace_id, date_trunc('week', a.date)::date AS week_start, a.type,
  a.customer IS NOT NULL AND (f.first_invoiced IS NULL OR f.first_invoiced > a.date)
    AS to_non_customer,
  sum(a.minutes) AS minutes, count(*) - count(a.minutes) AS minutes_missing,
  count(*) AS activities
FROM (SELECT workspace_id, date, type, customer, minutes
  FROM activities{where}) AS a
LEFT JOIN (SELECT workspace_id, customer, min(date) AS first_invoiced
  FROM invoices{where} GROUP BY workspace_id, customer) AS f
  ON a.workspace_id = f.workspace_id AND a.customer = f.customer
GROUP BY ALL
"""


def _category_weeks_select(where: str = "") -> str:
    """Dated time entries per ISO week (Monday) and category: the hours of those not below
    zero (null when none) and how many entries there were."""
    return (
        "SELECT workspace_id, date_trunc('week', date)::date AS week_start, category,\n"
        "  sum(hours) FILTER (WHERE hours >= 0) AS hours, count(*) AS entries\n"
        f"FROM time_entries{_where(where, 'date IS NOT NULL')}\n"
        "GROUP BY ALL"
    )


def _person_weeks_select(where: str = "") -> str:
    """Dated time entries naming a person, per person and ISO week (Monday): the hours of
    those not below zero (null when none)."""
    return (
        "SELECT workspace_id, person, date_trunc('week', date)::date AS week_start,\n"
        "  sum(hours) FILTER (WHERE hours >= 0) AS hours\n"
        f"FROM time_entries{_where(where, 'person IS NOT NULL', 'date IS NOT NULL')}\n"
        "GROUP BY ALL"
    )


def _deal_hours_select(where: str = "") -> str:
    """Hours logged on deals per deal, day and whether presales (a category like
    'pre…sal…'): the hours not below zero (null when none) and how many entries gave hours."""
    return (
        "SELECT workspace_id, deal_id, date,\n"
        "  coalesce(lower(category) LIKE '%pre%sal%', false) AS presales,\n"
        "  sum(hours) FILTER (WHERE hours >= 0) AS hours, count(hours) AS entries\n"
        f"FROM time_entries{_where(where, 'deal_id IS NOT NULL')}\n"
        "GROUP BY ALL"
    )


def _deal_facts_select(where: str = "") -> str:
    """One row per deal as it stands now (deals_current), as the Sales-vs-tech figures read
    it: the salesperson ('(no salesperson)' when blank), money as double, and the hours
    logged on it (deal_hours, dated): presales, delivery, the last delivery day, delivery up
    to its close day, and the last day any hours were logged. Reads deals_current and
    deal_hours, so it comes after both in FACTS."""
    return f"""
SELECT d.workspace_id, d.deal_id,
  coalesce(nullif(trim(d.owner), ''), '(no salesperson)') AS owner,
  d.customer, d.status, d.created, d.closed,
  d.value::double AS value, d.list_value::double AS list_value,
  d.estimated_hours, d.presales_hours,
  h.presales_logged, h.actual_hours, h.last_logged, h.before_close, h.last_day
FROM (SELECT * FROM deals_current{where}) AS d
LEFT JOIN (
  SELECT t.workspace_id, t.deal_id,
    sum(t.hours) FILTER (WHERE t.presales) AS presales_logged,
    sum(t.hours) FILTER (WHERE NOT t.presales) AS actual_hours,
    max(t.date) FILTER (WHERE NOT t.presales) AS last_logged,
    sum(t.hours) FILTER (WHERE NOT t.presales AND t.date <= c.closed) AS before_close,
    max(t.date) AS last_day
  FROM (SELECT * FROM deal_hours{_where(where, "hours IS NOT NULL", "date IS NOT NULL")}) AS t
  LEFT JOIN (SELECT workspace_id, deal_id, closed FROM deals_current{where}) AS c
    ON t.workspace_id = c.workspace_id AND t.deal_id = c.deal_id
  GROUP BY t.workspace_id, t.deal_id) AS h
  ON d.workspace_id = h.workspace_id AND d.deal_id = h.deal_id
"""


@dataclass(frozen=True)
class Fact:
    """A table of facts derived from the imported rows, kept with them: refreshed for one
    workspace in the transaction that changes any entity it `follows` (store.refresh_facts)."""

    table: str
    follows: tuple[str, ...]
    select: Callable[[str], str]

    def refresh_sql(self) -> str:
        """The rows of workspace $w, as the refresh inserts them."""
        return self.select(" WHERE workspace_id = $w")


# Customers and deals as they stand now. Nearly every indicator reads one or the other, so
# they are computed once per data change instead of once per query. Customers follow the
# entities that name a customer too: an import of those may create customers. A field added
# to customers or deals needs a migration that re-creates its table (the refresh inserts by
# name, so a missing column fails loudly instead of going stale).
FACTS: tuple[Fact, ...] = (
    Fact("customers_current", ("customers", *REFERENCES_CUSTOMER), _customers_current_select),
    Fact("deals_current", ("deals",), _deals_current_select),
    # Summaries several figures share (migration 15), a fraction of the rows they replace:
    # invoices per customer-day, activities and time (per category, per person) per week, hours
    # per deal-day, one row per
    # deal with its hours (refreshed in this order: a fact may read those before it). The owner's
    # settings are applied when a figure reads them, so only imported rows change them.
    Fact("invoice_days", ("invoices",), _invoice_days_select),
    Fact("activity_weeks", ("activities", "invoices"), _activity_weeks_select),
    Fact("category_weeks", ("time_entries",), _category_weeks_select),
    Fact("person_weeks", ("time_entries",), _person_weeks_select),
    Fact("deal_hours", ("time_entries",), _deal_hours_select),
    Fact("deal_facts", ("deals", "time_entries"), _deal_facts_select),
)
