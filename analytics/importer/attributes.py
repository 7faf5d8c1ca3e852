"""One row per customer from a customers file that repeats them (order lines), with each
attribute chosen by a fixed rule and the customers whose rows disagree counted.

The rule, per attribute (segment, region, size, channel, …), among a customer's rows where
it is filled in:
  1. the value on the latest dated row (the file's first-seen column, e.g. Order Date);
  2. without dates, or on a tie, the value on most of the customer's rows;
  3. on a tie again, the first alphabetically.
First seen is the earliest date. The row number kept is the customer's first row. So the same
data gives the same customers whatever the order of its lines (a CSV and the .xls of it
agree), and the same customers for a one-row-per-customer file as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analytics.entities import ENTITIES
from analytics.importer import parse
from analytics.store import Connection

DATE_FIELD = "first_seen"
COLLAPSED_TABLE = "od_import_collapsed"


@dataclass
class Collapsed:
    """What collapsing a customers file found: customers in it, how many came from more than
    one row, and how many of those had rows that disagree (per attribute too)."""

    customers: int = 0
    repeated: int = 0
    with_conflicts: int = 0
    conflicts: dict[str, int] = field(default_factory=dict)


def _pick_sql(name: str, dated: bool) -> str:
    """Per customer: the chosen value of one attribute and how many values it had."""
    last_day = f"max({DATE_FIELD})" if dated else "CAST(NULL AS DATE)"
    return f"""pick_{name} AS (
  SELECT customer, value AS {name}, choices AS choices_{name} FROM (
    SELECT customer, value, count(*) OVER (PARTITION BY customer) AS choices,
      row_number() OVER (
        PARTITION BY customer ORDER BY last_day DESC NULLS LAST, n DESC, value
      ) AS pick
    FROM (
      SELECT customer, {name} AS value, count(*) AS n, {last_day} AS last_day
      FROM lines WHERE {name} IS NOT NULL GROUP BY customer, {name}
    )
  ) WHERE pick = 1
)"""


def collapse_sql(present: set[str], *, rejects: bool) -> str:
    """The CREATE statement of COLLAPSED_TABLE: PARSED_TABLE as one row per customer, with
    how many values each attribute had (choices_<field>) and how many lines it came from."""
    fields = [f for f in ENTITIES["customers"].field_names if f in present]
    dated = DATE_FIELD in fields
    attributes = [f for f in fields if f not in ("customer", DATE_FIELD)]
    cols = ", ".join(fields)
    skip = (
        f" AND NOT EXISTS (SELECT 1 FROM {parse.REJECTS_TABLE} r WHERE r.src_row = p.src_row)"
        if rejects
        else ""
    )
    picks = "".join(f",\n{_pick_sql(a, dated)}" for a in attributes)
    joins = "\n".join(f"LEFT JOIN pick_{a} USING (customer)" for a in attributes)
    first = f", min({DATE_FIELD}) AS {DATE_FIELD}" if dated else ""
    chosen = "".join(f", pick_{a}.{a}, coalesce(choices_{a}, 0) AS choices_{a}" for a in attributes)
    return f"""
CREATE OR REPLACE TEMP TABLE {COLLAPSED_TABLE} AS
WITH lines AS (
  SELECT src_row, {cols} FROM {parse.PARSED_TABLE} p WHERE customer IS NOT NULL{skip}
), customers AS (
  SELECT customer, min(src_row) AS src_row, count(*) AS lines{first}
  FROM lines GROUP BY customer
){picks}
SELECT customers.src_row, customers.customer{chosen}{", customers." + DATE_FIELD if dated else ""},
  customers.lines
FROM customers
{joins}
"""  # noqa: S608 - field names come from entities.py


def collapse_customers(cur: Connection, *, rejects: bool) -> Collapsed:
    """Replace PARSED_TABLE (a customers file, parsed) by one row per customer, fingerprinted
    like any parsed row, and count the customers whose rows disagreed. Rejected rows (when
    `rejects`) are left out; the result has no rejects left to skip."""
    present = {
        d[0]
        for d in cur.execute(f"SELECT * FROM {parse.PARSED_TABLE} LIMIT 0").description  # noqa: S608
    }
    cur.execute(collapse_sql(present, rejects=rejects))
    fields = [f for f in ENTITIES["customers"].field_names if f in present]
    attributes = [f for f in fields if f not in ("customer", DATE_FIELD)]
    counts = ", ".join(f"count(*) FILTER (WHERE choices_{a} > 1)" for a in attributes)
    any_conflict = " OR ".join(f"choices_{a} > 1" for a in attributes) or "FALSE"
    row = cur.execute(
        f"SELECT count(*), count(*) FILTER (WHERE lines > 1), "  # noqa: S608
        f"count(*) FILTER (WHERE {any_conflict}){', ' + counts if counts else ''} "
        f"FROM {COLLAPSED_TABLE}"
    ).fetchall()[0]
    drop = ", ".join([*(f"choices_{a}" for a in attributes), "lines"])
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE {parse.PARSED_TABLE} AS "  # noqa: S608
        f"SELECT * EXCLUDE ({drop}), {parse.fingerprint_sql('customers', set(fields))} AS row_fp "
        f"FROM {COLLAPSED_TABLE}"
    )
    cur.execute(f"DROP TABLE {COLLAPSED_TABLE}")
    return Collapsed(
        customers=int(row[0] or 0),
        repeated=int(row[1] or 0),
        with_conflicts=int(row[2] or 0),
        conflicts={a: int(n or 0) for a, n in zip(attributes, row[3:], strict=True) if n},
    )
