"""The store's schema: the migrations (literal, in schema_history.py), run once, in order,
by analytics.store.migrate. Never edit a shipped migration; add the next one."""

from __future__ import annotations

import re
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


# Deals as they stand now and the summaries several figures share are refreshed with the SQL
# of the migration that created their tables (11 and 15), read from its frozen text: one
# place for each while the live fact is what the migration made. When a fact changes, a new
# migration re-creates its table with the new SQL and the fact points at that migration.
_READS = re.compile(r"\bFROM (\w+)( WHERE )?")


def _created_by(version: int, table: str) -> Callable[[str], str]:
    """The SELECT of migration `version`'s `CREATE TABLE {table} AS …`, as a Fact's select:
    given `where` (empty, or " WHERE workspace_id = $w"), every table it reads (`FROM name`)
    is narrowed by that condition, before any condition of its own."""
    [statements] = [stmts for v, stmts in MIGRATIONS if v == version]
    [select] = [
        stmt.partition(" AS")[2]
        for stmt in statements
        if stmt.startswith(f"CREATE TABLE {table} AS")
    ]

    def narrowed(where: str) -> str:
        if not where:
            return select
        condition = where.removeprefix(" WHERE ")

        def read(found: re.Match[str]) -> str:
            return f"FROM {found[1]} WHERE {condition}" + (" AND " if found[2] else "")

        return _READS.sub(read, select)

    return narrowed


def _ordered(select: Callable[[str], str]) -> Callable[[str], str]:
    """deal_facts' select, its rows in the order migration 21 keeps them: salesperson (as
    the select cleans it), close day, deal id."""
    return lambda where: select(where) + "\nORDER BY owner, closed, deal_id"


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
    Fact("deals_current", ("deals",), _created_by(11, "deals_current")),
    # Summaries several figures share (migration 15), a fraction of the rows they replace:
    # invoices per customer-day, activities and time (per category, per person) per week, hours
    # per deal-day, one row per
    # deal with its hours (refreshed in this order: a fact may read those before it). The owner's
    # settings are applied when a figure reads them, so only imported rows change them.
    Fact("invoice_days", ("invoices",), _created_by(15, "invoice_days")),
    Fact("activity_weeks", ("activities", "invoices"), _created_by(15, "activity_weeks")),
    Fact("category_weeks", ("time_entries",), _created_by(15, "category_weeks")),
    Fact("person_weeks", ("time_entries",), _created_by(15, "person_weeks")),
    Fact("deal_hours", ("time_entries",), _created_by(15, "deal_hours")),
    # In the order the discount figure shows the won deals (migration 21): its query reads
    # them without sorting (friction_won_discounts.sql).
    Fact("deal_facts", ("deals", "time_entries"), _ordered(_created_by(15, "deal_facts"))),
)
