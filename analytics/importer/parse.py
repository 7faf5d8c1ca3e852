"""Turn the raw text columns into typed canonical values, in DuckDB SQL, and find the bad rows.

Everything here runs as set-based SQL over the all-VARCHAR raw table (RAW_TABLE), never
as a Python loop over rows. Number and date columns are first reduced to their distinct
texts; those are parsed once each into lookup tables (plain numbers and ISO dates are
simply cast, dollar amounts read row by row without a regular expression: a million lines
hold hundreds of thousands of distinct amounts, and joining them back costs more than
reading them), and one CREATE TABLE AS pass then types every row. The SQL is assembled
from code constants only: raw columns are c0..cN (named by read.load_raw), fields come
from entities.py, and anything from the file (header names, in messages) goes in as a
$parameter.

Per column, two choices are made from ALL its values before any row is parsed:
- numbers: is the decimal separator "." or ","? ("1.234,50" says comma, "1,234.50" or
  "12.5" say point; "1,234" alone says nothing and the point wins);
- dates written with numbers only: day or month first? A first part above 12 says day
  first, a second part above 12 says month first; when every value fits both, the
  owner's date order decides and a warning names the column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analytics.entities import ENTITIES as ENTITIES
from analytics.importer.analyse import analyse as analyse
from analytics.importer.analyse import distinct_table as distinct_table
from analytics.importer.fingerprint import fingerprint_sql as fingerprint_sql
from analytics.importer.mapping import FieldMap
from analytics.importer.plan import (
    MONEY_SQL as MONEY_SQL,
)
from analytics.importer.plan import (
    PARSED_TABLE as PARSED_TABLE,
)
from analytics.importer.plan import (
    REJECTS_TABLE as REJECTS_TABLE,
)
from analytics.importer.plan import (
    Decisions as Decisions,
)
from analytics.importer.plan import (
    Use as Use,
)
from analytics.importer.plan import (
    _date_columns,
    _numeric_columns,
    _typed_name,
    number_type,
)
from analytics.importer.plan import (
    plan as plan,
)
from analytics.importer.read import RAW_TABLE, Source
from analytics.importer.rejects import BIASED_SHARE as BIASED_SHARE
from analytics.importer.rejects import PATTERN_ROWS as PATTERN_ROWS
from analytics.importer.rejects import _dropped, _rejects_sql
from analytics.importer.rejects import dropped_note as dropped_note
from analytics.importer.synonyms import mappable_fields
from analytics.importer.values import (
    ORDER_WORDS,
    _number_layers,
    _trim,
    _two_part,
    bool_sql,
    date_parts_sql,
    date_sql,
    duration_seconds_sql,
    in_range_sql,
    is_quick_sql,
    quick_number_sql,
    status_sql,
    year_out_of_range_sql,
)
from analytics.importer.values import OUT_OF_RANGE as OUT_OF_RANGE
from analytics.store import Connection

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Parsed:
    """What parsing found: rows (blank ones aside), rows with a problem, the problems."""

    rows_read: int
    rows_rejected: int
    rejects: list[tuple[int, str, str | None, str]]
    warnings: list[str]
    # Rows with a problem per reason, most first (a row with two problems counts twice).
    dropped: dict[str, int] = field(default_factory=dict)
    # When every row with a problem has the same one (same column, reason and shape of
    # value: blank, or digits and letters alike), that problem in words; else None.
    pattern: str | None = None


def lookup_table(kind: str, i: int) -> str:
    return f"od_import_{kind}_{i}"


def build_lookups(cur: Connection, uses: list[Use], decisions: Decisions) -> None:
    """Parse each distinct number and date text once, into lookup tables (lv -> value).

    Columns of plain numbers and ISO dates need none: DuckDB casts those row by row.
    """
    for i in _numeric_columns(uses):
        if i in decisions.plain:
            continue
        target = number_type(i, uses, decisions)
        first, second = _number_layers(i, decisions.decimal[i], target)
        value = f"n{i}"
        unit = decisions.duration.get(i)
        if unit is not None:
            # A duration written as such, else the number (a fraction of a day, or the unit).
            seconds = duration_seconds_sql(f"v{i}", _two_part(unit))
            number = f"n{i} * {86400 / unit}" if i in decisions.day_fraction else f"n{i}"
            value = (
                f"CAST(coalesce(({seconds}) / {float(unit)}, CAST({number} AS DOUBLE)) AS {target})"
            )
        values = f"SELECT v AS v{i} FROM {distinct_table(i)}"  # noqa: S608
        if unit is None and decisions.decimal[i] == ".":
            # Plain numbers and dollar amounts are read row by row (values.quick_number_sql);
            # only the column's other values go through the lookup table, if it has any.
            decisions.quick.add(i)
            values += f" WHERE NOT {is_quick_sql('v')}"
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE {lookup_table('number', i)} AS "  # noqa: S608
            f"SELECT v{i} AS lv, {value} AS ln FROM (SELECT *, {second} FROM "
            f"(SELECT v{i}, {first} FROM ({values})))"
        )
        if i not in decisions.quick:
            continue
        others, decimals = cur.execute(
            f"SELECT (SELECT count(*) FROM (SELECT 1 FROM {lookup_table('number', i)} LIMIT 1)), "  # noqa: S608
            "max(CASE WHEN contains(v, '.') THEN strlen(v) - strpos(v, '.') ELSE 0 END) "
            f"FROM {distinct_table(i)} WHERE contains(v, '$') OR contains(v, ',')"
        ).fetchall()[0]
        if others:
            decisions.others.add(i)
        scale = re.fullmatch(r"DECIMAL\(18,(\d+)\)", target)
        if scale is not None and int(decimals or 0) <= int(scale[1]):
            decisions.direct.add(i)
    for i in _date_columns(uses):
        if i in decisions.iso:
            continue
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE {lookup_table('date', i)} AS "  # noqa: S608
            f"SELECT v{i} AS lv, {date_sql(i, decisions.date_order[i], False)} AS ld FROM "
            f"(SELECT v{i}, {date_parts_sql(i)} FROM (SELECT v AS v{i} FROM {distinct_table(i)}))"
        )


# A numeric field's typed value from its parsed number column ({n}), by kind.
_NUMBER_SQL: dict[str, str] = {
    "money": f"TRY_CAST({{n}} AS {MONEY_SQL})",
    "number": "CAST({n} AS DOUBLE)",
    "int": "CASE WHEN {n} = trunc({n}) THEN TRY_CAST({n} AS INTEGER) END",
}
# A field read from words (yes/no, a deal's status), by kind.
_WORD_SQL: dict[str, Callable[[str], str]] = {"bool": bool_sql, "status": status_sql}


def _value_sql(use: Use, decisions: Decisions) -> str:
    """The typed value of a single-column field."""
    i = use.columns[0]
    v = f"v{i}"
    kind = use.field.kind
    if use.joined:
        # A name in two halves: joined by a space; one blank half leaves the other.
        return f"nullif(concat_ws(' ', {v}, v{use.columns[1]}), '')"
    if kind == "text":
        return f"regexp_replace({v}, '\\.0+$', '')" if i in decisions.float_ids else v
    if kind == "date":
        return f"TRY_CAST({v} AS DATE)" if i in decisions.iso else f"d{i}"
    if kind in _NUMBER_SQL:
        return _NUMBER_SQL[kind].format(n=f"n{i}")
    if kind in _WORD_SQL:
        return _WORD_SQL[kind](v)
    raise ValueError(f"no parser for kind {kind!r}")


def _product_sql(use: Use, decisions: Decisions) -> str:
    a, b = (f"x_{use.name}_{s}" for s in "ab")
    kind = use.field.kind
    if kind == "money":
        # Exact decimal product. TRY: an absurd product becomes NULL (a reject), not a crash.
        wide = (
            f"TRY_CAST(TRY(CAST({a} AS DECIMAL(38,6)) * CAST({b} AS DECIMAL(38,6))) AS {MONEY_SQL})"
        )
        if all(c in decisions.short for c in use.columns):
            # Both have at most 4 decimals: the 64-bit product is exact and much faster;
            # only products beyond its range take the wide way.
            wide = f"coalesce(TRY_CAST(TRY({a} * {b}) AS {MONEY_SQL}), {wide})"
        return f"CASE WHEN {a} IS NOT NULL AND {b} IS NOT NULL THEN {wide} END"
    if kind == "number":
        return f"CAST({a} AS DOUBLE) * CAST({b} AS DOUBLE)"
    return f"CASE WHEN {a} * {b} = trunc({a} * {b}) THEN TRY_CAST({a} * {b} AS INTEGER) END"


def _deal_status_sql(uses: dict[str, Use]) -> str:
    from_stage = "status_text" if "status" in uses else "NULL"
    if "is_won" not in uses:
        return from_stage
    closed = (
        "WHEN is_closed THEN 'lost' WHEN is_closed IS NOT NULL THEN 'open' "
        if "is_closed" in uses
        else ""
    )
    return f"CASE WHEN is_won THEN 'won' {closed}ELSE coalesce({from_stage}, 'open') END"


def _row_number_sql(cur: Connection, offset: int) -> str:
    """SQL for each raw row's number as a spreadsheet shows it.

    Rows keep the file's order in RAW_TABLE's rowid, but inside a transaction rowids
    start at a large base: subtract it when they are contiguous (always, in practice),
    else number them by rowid order.
    """
    low, high, n = cur.execute(
        f"SELECT min(rowid), max(rowid), count(*) FROM {RAW_TABLE}"  # noqa: S608
    ).fetchall()[0]
    if n and high - low + 1 == n:
        return f"rowid - {int(low)} + {int(offset)}"
    return f"row_number() OVER (ORDER BY rowid) + {int(offset) - 1}"


def _read_sql(i: int, decisions: Decisions) -> str:
    """Raw column i as text to parse: trimmed (values._trim), or only NULL when blank for a
    column none of whose values starts or ends with a space (the same text, cheaper)."""
    return f"nullif(c{i}, '')" if i in decisions.clean else _trim(f"c{i}")


def parse(
    cur: Connection,
    source: Source,
    entity: str,
    mapping: FieldMap,
    date_order: str,
) -> Parsed:
    """Create PARSED_TABLE and REJECTS_TABLE on this cursor from RAW_TABLE.

    PARSED_TABLE holds, per non-blank row: `src_row` (as a spreadsheet numbers it), each
    mapped field's typed value (<field>), `row_fp`, and the file's text of values that
    could not be read (r_<field>); deals also get `status` (open/won/lost) and `stage`.
    """
    if date_order not in ORDER_WORDS:
        raise ValueError(f"date_order must be one of {', '.join(ORDER_WORDS)}, not {date_order!r}")
    headers = source.headers
    uses = plan(entity, mapping, headers)
    by_name = {u.name: u for u in uses}
    decisions = analyse(cur, uses, headers, date_order)
    build_lookups(cur, uses, decisions)
    cur.execute(
        parsed_sql(uses, decisions, entity, len(headers), _row_number_sql(cur, source.row_offset))
    )
    rejects_sql, params = _rejects_sql(uses, decisions, entity, by_name)
    cur.execute(rejects_sql, params)
    rows_read = int(cur.execute(f"SELECT count(*) FROM {PARSED_TABLE}").fetchall()[0][0])  # noqa: S608
    rejected = cur.execute(
        f"SELECT src_row, column_name, value, reason FROM {REJECTS_TABLE} "  # noqa: S608
        "ORDER BY src_row, column_name"
    ).fetchall()
    n_bad = len({r[0] for r in rejected})
    dropped, pattern = _dropped(cur) if rejected else ({}, None)
    return Parsed(rows_read, n_bad, rejected, decisions.warnings, dropped, pattern)


def parsed_sql(
    uses: list[Use], decisions: Decisions, entity: str, n_columns: int, row_number: str
) -> str:
    """The CREATE statement of PARSED_TABLE: a chain of projections DuckDB runs in one pass.

    Kept per row: src_row, each field's typed value, row_fp, and the file's text only
    where it could not be read (r_<field>, NULL otherwise), so a million good rows cost
    no second copy of their text.
    """
    by_name = {u.name: u for u in uses}
    used = sorted({c for u in uses for c in u.columns})
    numeric = _numeric_columns(uses)
    # Plain numbers and ISO dates are cast here, and dollar amounts read (values.quick_number_sql);
    # the others come from their lookup table.
    casts = [
        f"TRY_CAST(v{i} AS {number_type(i, uses, decisions)}) AS n{i}"
        for i in numeric
        if i in decisions.plain
    ]
    looked_up: list[str] = []
    joins: list[str] = []
    for i in numeric:
        if i in decisions.quick and i not in decisions.others:
            casts.append(
                f"{quick_number_sql(f'v{i}', number_type(i, uses, decisions), i in decisions.direct)} AS n{i}"
            )
        elif i in decisions.quick:
            looked_up.append(f"ln{i}.lv AS lk{i}, ln{i}.ln AS ln{i}")
            joins.append(f"LEFT JOIN {lookup_table('number', i)} ln{i} ON ln{i}.lv = kept.v{i}")
            quick = quick_number_sql(
                f"v{i}", number_type(i, uses, decisions), i in decisions.direct
            )
            casts.append(f"CASE WHEN lk{i} IS NOT NULL THEN ln{i} ELSE {quick} END AS n{i}")
        elif i not in decisions.plain:
            looked_up.append(f"ln{i}.ln AS n{i}")
            joins.append(f"LEFT JOIN {lookup_table('number', i)} ln{i} ON ln{i}.lv = kept.v{i}")
    for i in _date_columns(uses):
        if i not in decisions.iso:
            looked_up.append(f"ld{i}.ld AS d{i}")
            joins.append(f"LEFT JOIN {lookup_table('date', i)} ld{i} ON ld{i}.lv = kept.v{i}")
    # A row with nothing in any column is spacing, not data (an empty field reads as NULL).
    # Judged on the text as read: a filter on the trimmed values would trim twice.
    not_blank = f"coalesce({', '.join(f'c{i}' for i in range(n_columns))}) IS NOT NULL"

    factors: list[str] = []
    typed: list[str] = []
    unread: list[str] = []  # the text of values that did not parse
    for u in uses:
        if u.product:
            a, b = u.columns
            factors += [f"n{a} AS x_{u.name}_a", f"n{b} AS x_{u.name}_b"]
            typed += [f"x_{u.name}_a", f"x_{u.name}_b", f"{_product_sql(u, decisions)} AS {u.name}"]
            unread += [
                f"CASE WHEN x_{u.name}_{side} IS NULL THEN v{col} END AS r_{u.name}_{side}"
                for side, col in zip("ab", u.columns, strict=True)
            ]
        else:
            name = _typed_name(entity, u.name)
            typed.append(f"{_value_sql(u, decisions)} AS {name}")
            if u.field.kind not in ("text", "status"):
                unread.append(f"CASE WHEN {name} IS NULL THEN v{u.columns[0]} END AS r_{u.name}")

    def select(*parts: list[str] | str) -> str:
        cols: list[str] = []
        for p in parts:
            cols += [p] if isinstance(p, str) else p
        return ", ".join(cols)

    dates = [_typed_name(entity, u.name) for u in uses if u.field.kind == "date"]
    # A date outside the accepted range becomes NULL (so the row is rejected), its year kept
    # in y_<field> so that the reason can name it.
    checked = (
        "SELECT * REPLACE ("
        + ", ".join(f"{in_range_sql(d)} AS {d}" for d in dates)
        + "), "
        + ", ".join(f"{year_out_of_range_sql(d)} AS y_{d}" for d in dates)
        + " FROM typed"
        if dates
        else "SELECT * FROM typed"
    )
    present = {_typed_name(entity, u.name) for u in uses}
    canonical = "SELECT * FROM checked"
    if entity == "deals":
        working = [f"{n}_text" for n in ("status", "stage") if n in by_name]
        exclude = f" EXCLUDE ({', '.join(working)})" if working else ""
        parts = (["stage_text"] if "stage" in by_name else []) + (
            [f"v{by_name['status'].columns[0]}"] if "status" in by_name else []
        )
        stage = f"coalesce({', '.join(parts)})" if parts else "NULL"
        canonical = (
            f"SELECT *{exclude}, {_deal_status_sql(by_name)} AS status, "
            f"CAST({stage} AS VARCHAR) AS stage FROM checked"
        )
        present = (present - {"status_text", "stage_text"}) | {"status", "stage"}
    vs = [f"v{i}" for i in used]
    return f"""
CREATE OR REPLACE TEMP TABLE {PARSED_TABLE} AS
WITH source AS (
  SELECT {row_number} AS src_row, * FROM {RAW_TABLE}
  WHERE {not_blank}
), kept AS (
  SELECT {select("src_row", [f"{_read_sql(i, decisions)} AS v{i}" for i in used])} FROM source
), joined AS (
  SELECT {select("kept.*", looked_up)} FROM kept {" ".join(joins)}
), valued AS (
  SELECT {select("*", casts)} FROM joined
), factored AS (
  SELECT {select("*", factors)} FROM valued
), typed AS (
  SELECT {select("src_row", vs, typed)} FROM factored
), checked AS (
  {checked}
), canonical AS (
  {canonical}
)
SELECT * EXCLUDE ({", ".join(vs)}), {select(unread)}{", " if unread else ""}{fingerprint_sql(entity, present)} AS row_fp
FROM canonical
"""  # noqa: S608 - every identifier above is made in this module


def preview_rows(cur: Connection, entity: str, mapping: FieldMap, n: int) -> pd.DataFrame:
    """The first n parsed rows: the spreadsheet row number and each mapped field."""
    cols = ["src_row AS row"]
    for f in mappable_fields(entity):
        if f.name in mapping and f.name not in ("is_won", "is_closed"):
            cols.append(f.name)
    if entity == "deals":
        for extra in ("status", "stage"):
            if extra not in cols:
                cols.append(extra)
    return cur.execute(
        f"SELECT {', '.join(cols)} FROM {PARSED_TABLE} ORDER BY src_row LIMIT $n",  # noqa: S608
        {"n": int(n)},
    ).df()


def stage_counts(cur: Connection) -> pd.DataFrame:
    return cur.execute(
        f"SELECT stage, status, count(*) AS n FROM {PARSED_TABLE} "  # noqa: S608
        "GROUP BY stage, status ORDER BY n DESC, stage"
    ).df()


def drop_work_tables(cur: Connection) -> None:
    """Drop this cursor's temporary tables of the import (parsed rows, rejects, lookups)."""
    names = cur.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, $p)",
        {"p": "od_import_"},
    ).fetchall()
    for (name,) in names:
        if name.replace("_", "").isalnum():  # our own names only ever reach the SQL
            cur.execute(f"DROP TABLE IF EXISTS temp.{name}")
