"""Ids in a file turned into the names the store knows, before its rows are saved.

A customer column that holds a CRM's account ids (AccountId) is resolved through the
customers' external ids; an owner or person column that holds user ids (OwnerId) through
the people name list (`--entity people`, a CRM's users export). The rules:
  - a value that is a known id becomes that customer's (person's) name; an id wins over a
    name, because an earlier id-bearing file may have created a customer named by the id;
  - an id two customers share goes to the first of them alphabetically;
  - other values stay as they are; those that are neither an id nor a known name are
    counted as unresolved (new customers are then created for them, as for any file).
A workspace with no external ids (no people) resolves nothing and says nothing about ids;
with customers imported it still says how many values matched none of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.entities import ENTITIES
from analytics.importer import parse
from analytics.store import Connection

IDS_TABLE = "od_import_ids"

# Which column of which entity resolves through what: (entity, field) → "customers"/"people".
RESOLVED_FIELDS: dict[tuple[str, str], str] = {
    ("invoices", "customer"): "customers",
    ("deals", "customer"): "customers",
    ("time_entries", "customer"): "customers",
    ("activities", "customer"): "customers",
    ("tickets", "customer"): "customers",
    ("deals", "owner"): "people",
    ("time_entries", "person"): "people",
    ("activities", "person"): "people",
}

_PERSON_NAME = "coalesce(name, nullif(trim(concat_ws(' ', first_name, last_name)), ''))"

# Per list: its ids with the name each stands for, and the names it knows.
_IDS_SQL = {
    "customers": f"""CREATE OR REPLACE TEMP TABLE {IDS_TABLE} AS
SELECT external_id AS id, min(customer) AS name FROM customers_current
WHERE workspace_id = $w AND external_id IS NOT NULL GROUP BY external_id""",
    "people": f"""CREATE OR REPLACE TEMP TABLE {IDS_TABLE} AS
SELECT id, name FROM (
  SELECT person_id AS id, arg_max({_PERSON_NAME}, (batch_id, source_row)) AS name
  FROM people WHERE workspace_id = $w AND person_id IS NOT NULL AND {_PERSON_NAME} IS NOT NULL
  GROUP BY person_id
)""",
}
_NAMES_SQL = {
    "customers": "SELECT customer AS name FROM customers WHERE workspace_id = $w AND NOT auto",
    "people": f"SELECT {_PERSON_NAME} AS name FROM people WHERE workspace_id = $w",
}


@dataclass
class Resolution:
    """What resolving one column did, in distinct values (and rows changed)."""

    field: str
    through: str  # "customers" (their external ids) or "people"
    values: int  # distinct values in the file's column
    resolved: int  # values that were an id, now the name
    rows: int  # rows whose value changed
    matched: int  # values that already were a known name
    unresolved: int  # values neither an id nor a known name
    examples: tuple[str, ...] = ()  # the first few unresolved values

    def to_json(self) -> dict[str, object]:
        return {
            "field": self.field,
            "through": self.through,
            "values": self.values,
            "resolved": self.resolved,
            "rows": self.rows,
            "matched": self.matched,
            "unresolved": self.unresolved,
            "examples": list(self.examples),
        }

    def sentence(self) -> str:
        what = ("customer" if self.through == "customers" else self.field).capitalize()
        ids = "external ids" if self.through == "customers" else "people's ids"
        unresolved = (
            f"{self.unresolved:,} did not resolve (e.g. "
            + ", ".join(repr(v) for v in self.examples)
            + ")"
        )
        if not self.resolved:
            known = "known customers" if self.through == "customers" else "known people"
            if not self.unresolved:
                return f"{what} column: all {self.values:,} distinct values are {known}."
            return (
                f"{what} column: {self.matched:,} of {self.values:,} distinct values are {known}; "
                f"{unresolved}."
            )
        return (
            f"{what} column: {self.values:,} distinct values; {self.resolved:,} were {ids}, now "
            f"read as names ({self.rows:,} rows); {self.matched:,} were known names; "
            + (unresolved if self.unresolved else "none left unresolved")
            + "."
        )


def _has_rows(cur: Connection, sql: str, workspace_id: int) -> bool:
    return bool(
        cur.execute(f"SELECT count(*) FROM ({sql} LIMIT 1)", {"w": workspace_id}).fetchall()[0][0]  # noqa: S608
    )


def resolve_ids(cur: Connection, workspace_id: int, entity: str) -> list[Resolution]:
    """Resolve the id columns of PARSED_TABLE in place (fingerprints follow the new values);
    one Resolution per column that had something to resolve against."""
    present = {
        d[0]
        for d in cur.execute(f"SELECT * FROM {parse.PARSED_TABLE} LIMIT 0").description  # noqa: S608
    }
    done: list[Resolution] = []
    for (ent, name), through in RESOLVED_FIELDS.items():
        if ent != entity or name not in present:
            continue
        if not _has_rows(cur, _NAMES_SQL[through], workspace_id):
            continue  # nothing imported to resolve against: say nothing
        cur.execute(_IDS_SQL[through], {"w": workspace_id})
        stats = cur.execute(
            f"""WITH known AS (SELECT DISTINCT name FROM ({_NAMES_SQL[through]})),
file_values AS (SELECT {name} AS value, count(*) AS n FROM {parse.PARSED_TABLE}
  WHERE {name} IS NOT NULL GROUP BY {name}),
judged AS (
  SELECT v.value, v.n, i.id IS NOT NULL AS is_id, k.name IS NOT NULL AS is_name
  FROM file_values v LEFT JOIN {IDS_TABLE} i ON i.id = v.value LEFT JOIN known k ON k.name = v.value
)
SELECT count(*), count(*) FILTER (WHERE is_id), coalesce(sum(n) FILTER (WHERE is_id), 0),
  count(*) FILTER (WHERE is_name AND NOT is_id),
  count(*) FILTER (WHERE NOT is_id AND NOT is_name),
  list(value ORDER BY value) FILTER (WHERE NOT is_id AND NOT is_name)[1:3]
FROM judged""",  # noqa: S608 - names from RESOLVED_FIELDS and entities.py
            {"w": workspace_id},
        ).fetchall()[0]
        if stats[1]:
            cur.execute(
                f"UPDATE {parse.PARSED_TABLE} p SET {name} = i.name "  # noqa: S608
                f"FROM {IDS_TABLE} i WHERE i.id = p.{name}"
            )
        done.append(
            Resolution(
                field=name,
                through=through,
                values=int(stats[0]),
                resolved=int(stats[1]),
                rows=int(stats[2]),
                matched=int(stats[3]),
                unresolved=int(stats[4]),
                examples=tuple(stats[5] or ()),
            )
        )
        cur.execute(f"DROP TABLE IF EXISTS {IDS_TABLE}")
    if any(r.resolved for r in done):
        fields = set(ENTITIES[entity].field_names) | ({"stage"} if entity == "deals" else set())
        cur.execute(
            f"UPDATE {parse.PARSED_TABLE} SET row_fp = "  # noqa: S608
            f"{parse.fingerprint_sql(entity, present & fields)}"
        )
    return done
