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
)
