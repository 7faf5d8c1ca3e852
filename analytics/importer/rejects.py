"""The rows parsing could not read: one row per problem (row, field, value, reason) in
REJECTS_TABLE, the reasons in words, and whether the rows left out are a biased sample."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analytics.entities import ENTITIES
from analytics.importer.plan import PARSED_TABLE, REJECTS_TABLE, Decisions, Use, _typed_name
from analytics.importer.values import ORDER_WORDS, OUT_OF_RANGE, _lit
from analytics.store import Connection

if TYPE_CHECKING:
    from analytics.importer.parse import Parsed

# A systematic loss is not noise: a sample that leaves out more than this share of the
# rows, or at least PATTERN_ROWS rows that all fail the same way, is called biased.
BIASED_SHARE = 0.20
PATTERN_ROWS = 5


def _dropped(cur: Connection) -> tuple[dict[str, int], str | None]:
    """Rows per reason, and the one shared problem (see Parsed.pattern)."""
    by_reason = cur.execute(
        f"SELECT reason, count(DISTINCT src_row) AS n FROM {REJECTS_TABLE} "  # noqa: S608
        "GROUP BY reason ORDER BY n DESC, reason"
    ).fetchall()
    shape = (
        "CASE WHEN value IS NULL THEN NULL ELSE regexp_replace(regexp_replace(value, "
        "'[0-9]', '9', 'g'), '[^0-9\\W]', 'a', 'g') END"
    )
    one = cur.execute(
        f"SELECT count(DISTINCT (column_name, reason, coalesce({shape}, chr(30)))), "  # noqa: S608
        f"count(*) = count(DISTINCT src_row), any_value({shape}), any_value(reason) "
        f"FROM {REJECTS_TABLE}"
    ).fetchall()[0]
    pattern = None
    if one[0] == 1 and one[1]:
        pattern = one[3] if one[2] is None else f"values shaped like {one[2]!r}: {one[3]}"
    return {str(r): int(n) for r, n in by_reason}, pattern


def dropped_note(parsed: Parsed) -> str | None:
    """A warning when the rows kept after skipping bad ones are a biased sample: more than
    BIASED_SHARE of the rows left out, or PATTERN_ROWS or more all failing the same way."""
    n, total = parsed.rows_rejected, parsed.rows_read
    if not n or not total:
        return None
    share = n / total
    same = parsed.pattern is not None and n >= PATTERN_ROWS
    if share <= BIASED_SHARE and not same:
        return None
    why = (
        f"all {n:,} left out for the same reason ({parsed.pattern})"
        if same
        else f"{share:.0%} of the rows were left out"
    )
    return (
        f"The figures will only see {total - n:,} of {total:,} rows: {why}. Rows left out "
        "together are rarely a random sample (one customer, one month, one kind of line), so "
        "totals and rankings may lean; fix the file or the mapping if you can."
    )


# Why a value of a plain kind was rejected (the kinds with more to say are spelled out below).
_NOT_READ: dict[str, str] = {
    "number": "not a number we can read",
    "int": "not a whole number",
    "bool": "not a yes/no value",
}


def _reason(use: Use, decisions: Decisions, header: str, column: int) -> str:
    kind = use.field.kind
    where = f"in column {header!r}"
    if kind == "date":
        order = decisions.date_order.get(column, "mdy")
        return f"not a date we can read {where} (numeric dates there are read {ORDER_WORDS[order]})"
    if use.product:
        return (
            f"not a number we can read {where} ({use.name} = {use.headers[0]} × {use.headers[1]})"
        )
    if kind == "money":
        sep = "point" if decisions.decimal.get(column, ".") == "." else "comma"
        return f"not an amount we can read {where} (decimal {sep})"
    if kind == "number" and column in decisions.duration:
        example = (
            "1.5, 1:30, 01:30:00 or PT1H30M"
            if use.duration_unit == 3600
            else "2.5, 02:30 or PT2M30S"
        )
        return f"not a number or duration we can read {where} (e.g. {example})"
    return f"{_NOT_READ.get(kind, 'cannot be read')} {where}"


def _rejects_sql(
    uses: list[Use], decisions: Decisions, entity: str, by_name: dict[str, Use]
) -> tuple[str, dict[str, Any]]:
    """The CREATE statement of REJECTS_TABLE: one row per problem (row, field, value, reason).

    Reasons name the file's columns, so they go in as parameters, never as SQL text.
    """
    required = set(ENTITIES[entity].required)
    if entity == "deals" and "is_won" in by_name:
        required.discard("status")  # the IsWon flag decides the status then
    parts: list[str] = []
    params: dict[str, Any] = {}

    def add(condition: str, column: str, value: str, reason: str, prefix: str = "") -> None:
        # `prefix`: SQL text put before the reason (a value from the row, never a header).
        key = f"reason_{len(params)}"
        params[key] = reason
        said = f"concat({prefix}, ${key})" if prefix else f"${key}"
        parts.append(
            f"SELECT src_row, {_lit(column)} AS column_name, CAST({value} AS VARCHAR) AS value, "
            f"{said} AS reason FROM {PARSED_TABLE} WHERE {condition}"
        )

    for u in uses:
        label = u.field.label or u.name
        if u.product:
            for side, col, header in zip("ab", u.columns, u.headers, strict=True):
                raw, num = f"r_{u.name}_{side}", f"x_{u.name}_{side}"
                add(f"{raw} IS NOT NULL", u.name, raw, _reason(u, decisions, header, col))
                if u.name in required:
                    add(
                        f"{num} IS NULL AND {raw} IS NULL",
                        u.name,
                        "NULL",
                        f"{label} is required but column {header!r} is blank",
                    )
            a, b = u.headers
            add(
                f"x_{u.name}_a IS NOT NULL AND x_{u.name}_b IS NOT NULL AND {u.name} IS NULL",
                u.name,
                f"concat(x_{u.name}_a, ' × ', x_{u.name}_b)",
                f"{a} × {b} is too large for {label.lower()}",
            )
            continue
        header, col = u.headers[0], u.columns[0]
        blank = f"{label} is required but column {header!r} is blank"
        if u.joined:
            blank = (
                f"{label} is required but columns {header!r} and {u.headers[1]!r} are both blank"
            )
        if u.field.kind in ("text", "status"):
            # Text always reads: it is missing exactly when it is blank.
            if u.name in required:
                add(f"{u.name} IS NULL", u.name, "NULL", blank)
            continue
        raw = f"r_{u.name}"
        if u.field.kind == "date":
            year = f"y_{_typed_name(entity, u.name)}"
            add(
                f"{raw} IS NOT NULL AND {year} IS NULL",
                u.name,
                raw,
                _reason(u, decisions, header, col),
            )
            add(
                f"{year} IS NOT NULL",
                u.name,
                raw,
                f" in column {header!r} {OUT_OF_RANGE}",
                prefix=f"'year ', CAST({year} AS VARCHAR)",
            )
        else:
            add(f"{raw} IS NOT NULL", u.name, raw, _reason(u, decisions, header, col))
        if u.name in required:
            add(f"{u.name} IS NULL AND {raw} IS NULL", u.name, "NULL", blank)
    if not parts:
        parts.append(
            "SELECT src_row, NULL::VARCHAR AS column_name, NULL::VARCHAR AS value, "
            f"NULL::VARCHAR AS reason FROM {PARSED_TABLE} WHERE FALSE"
        )
    sql = f"CREATE OR REPLACE TEMP TABLE {REJECTS_TABLE} AS {' UNION ALL '.join(parts)}"  # noqa: S608
    return sql, params
