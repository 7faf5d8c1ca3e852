"""Turn the raw text columns into typed canonical values, in DuckDB SQL, and find the bad rows.

Everything here runs as set-based SQL over the all-VARCHAR raw table (RAW_TABLE): a
million rows parse in about a second. The SQL is assembled from code constants only:
raw columns are c0..cN (named by read.load_raw), fields come from entities.py, and
anything from the file (its header names, in messages) goes in as a $parameter.

Per column, two choices are made from ALL its values before any row is parsed:
- numbers: is the decimal separator "." or ","? ("1.234,50" says comma, "1,234.50" or
  "12.5" say point; "1,234" alone says nothing and the point wins);
- dates written with numbers only: day or month first? A first part above 12 says day
  first, a second part above 12 says month first; when every value fits both, the
  owner's date order decides and a warning names the column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analytics.entities import ENTITIES, SQL_TYPES, Field
from analytics.importer.mapping import FieldMap
from analytics.importer.read import RAW_TABLE, Source
from analytics.importer.synonyms import mappable_fields
from analytics.store import Connection

PARSED_TABLE = "od_import_parsed"
MONEY_SQL = SQL_TYPES["money"]  # the store's exact money type
REJECTS_TABLE = "od_import_rejects"

# Whitespace trimmed from every value, including the no-break space spreadsheets love.
_WS = " \t\r\n\u00a0\u202f"

# ---------------------------------------------------------------- numbers

# Currency symbols (with the country letters some exports put before $), and spaces,
# which are thousands separators in "1 234,50".
_STRIP_SYMBOLS = r"(?:US|CA|AU|NZ|HK|SG|A|C|R)?\$|[£€¥₹\s\x{00A0}\x{202F}]"
_CODES = "usd|eur|gbp|cad|aud|nzd|chf|sek|nok|dkk|zar|inr|jpy|kr|sfr|fr"
# ISO codes before or after the number, and the Scandinavian "100,-".
_STRIP_CODES = rf"(?i)^(?:{_CODES})\.?|(?:{_CODES})\.?$|[,.]-$"
# A value whose separators show a decimal point / a decimal comma.
_POINT_EVIDENCE = r"\.\d{1,2}\D*$|\.\d{4,}\D*$|,\d{3}[^.]*\.\d|\d,\d{3},\d{3}"
_COMMA_EVIDENCE = r",\d{1,2}\D*$|,\d{4,}\D*$|\.\d{3}[^,]*,\d|\d\.\d{3}\.\d{3}"
_CORE = {
    ".": r"^(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?:'\d{3})+|\d*)(?:\.\d*)?(?:[eE][-+]?\d+)?$",
    ",": r"^(?:\d{1,3}(?:\.\d{3})+|\d{1,3}(?:'\d{3})+|\d*)(?:,\d*)?$",
}

# ---------------------------------------------------------------- dates

_TIME = (
    r"(?:(?:[T ]|, ?)+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[ap]\.?m\.?)?\s*"
    r"(?:z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?)?"
)
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_ISO_START = r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]|$)"  # DuckDB's own cast reads these
_YMD = rf"(?i)^(\d{{4}})[/.](\d{{1,2}})[/.](\d{{1,2}}){_TIME}$"
_NUMERIC = rf"(?i)^(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{4}}|\d{{2}}){_TIME}$"
_DAY_MONTH = rf"(?i)^{_WEEKDAY}(\d{{1,2}})(?:st|nd|rd|th)?[-/ .]+{_MONTH}\.?[-/ .,]+(\d{{4}}|\d{{2}}){_TIME}$"
_MONTH_DAY = rf"(?i)^{_WEEKDAY}{_MONTH}\.?[-/ .]+(\d{{1,2}})(?:st|nd|rd|th)?,?[-/ .]+(\d{{4}}|\d{{2}}){_TIME}$"
_COMPACT = r"^(\d{4})(\d{2})(\d{2})$"
_NUMERIC_HEAD_LOOSE = r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](?:\d{4}|\d{2})(?:\s*$|[T ,])"
_MONTHS = "['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec']"
# Dates outside this range are typing slips ("0219-03-01"), not history.
_FIRST_DAY, _LAST_DAY = "1900-01-01", "2100-12-31"

ORDER_WORDS = {"mdy": "month first (m/d/y)", "dmy": "day first (d/m/y)"}

# ---------------------------------------------------------------- yes/no and deal status

_TRUE = (
    "true",
    "t",
    "yes",
    "y",
    "1",
    "1.0",
    "x",
    "on",
    "✓",
    "✔",
    "billable",
    "recurring",
)
_FALSE = (
    "false",
    "f",
    "no",
    "n",
    "0",
    "0.0",
    "off",
    "-",
    "nonbillable",
    "notbillable",
    "donotbill",
    "nocharge",
    "oneoff",
    "onetime",
)
_WON = ("won", "closedwon", "win", "wonclosed", "dealwon", "signed", "contractsigned", "booked")
_LOST = (
    "lost",
    "closedlost",
    "lose",
    "lostclosed",
    "deallost",
    "dead",
    "disqualified",
    "cancelled",
    "canceled",
    "declined",
    "rejected",
    "abandoned",
)


def _lit(text: str) -> str:
    """A SQL string literal for a code constant (never for file content)."""
    return "'" + text.replace("'", "''") + "'"


_SEP = "\x1f"  # the ASCII unit separator: never part of a word in a cell


def _among(expr: str, values: Sequence[str]) -> str:
    # A string search, not IN (...) or list_contains: DuckDB plans those as a join over
    # every row, which undoes the CASE's "only when needed" and costs seconds per million.
    words = _SEP + _SEP.join(values) + _SEP
    return f"contains({_lit(words)}, {_lit(_SEP)} || {expr} || {_lit(_SEP)})"


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Use:
    """One mapped field: where it comes from and how to read it."""

    field: Field
    columns: tuple[int, ...]  # raw column indices: one, or two for a product
    headers: tuple[str, ...]  # the file's names for them

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def product(self) -> bool:
        return len(self.columns) == 2


@dataclass
class Decisions:
    """What the analysis pass decided, per raw column."""

    decimal: dict[int, str] = field(default_factory=dict)  # "." or ","
    date_order: dict[int, str] = field(default_factory=dict)  # "mdy" or "dmy"
    float_ids: set[int] = field(default_factory=set)  # text written as 17850.0
    short: set[int] = field(default_factory=set)  # numbers with at most 4 decimals
    warnings: list[str] = field(default_factory=list)


@dataclass
class Parsed:
    rows_read: int
    rows_rejected: int
    rejects: list[tuple[int, str, str | None, str]]
    warnings: list[str]


def plan(entity: str, mapping: FieldMap, headers: Sequence[str]) -> list[Use]:
    fields = {f.name: f for f in mappable_fields(entity)}
    position = {h: i for i, h in enumerate(headers)}
    uses = []
    for f in mappable_fields(entity):
        column = mapping.get(f.name)
        if column is None:
            continue
        names = column if isinstance(column, tuple) else (column,)
        uses.append(Use(fields[f.name], tuple(position[n] for n in names), tuple(names)))
    return uses


def _numeric_columns(uses: list[Use]) -> list[int]:
    cols = [c for u in uses if u.field.kind in ("money", "number", "int") for c in u.columns]
    return sorted(set(cols))


def _product_columns(uses: list[Use]) -> list[int]:
    return sorted({c for u in uses if u.product and u.field.kind == "money" for c in u.columns})


def number_type(i: int, uses: list[Use], decisions: Decisions) -> str:
    """The DuckDB type column i is read into: the narrowest that serves every use of it.

    DECIMAL(18,x) is a 64-bit integer inside and an order of magnitude faster than the
    128-bit DECIMAL(30,10) kept for odd mixes.
    """
    wanted = set()
    for u in uses:
        if i not in u.columns:
            continue
        if u.product and u.field.kind == "money":
            wanted.add("DECIMAL(18,4)" if i in decisions.short else "DECIMAL(18,6)")
        elif u.product or u.field.kind == "number":
            wanted.add("DOUBLE")
        elif u.field.kind == "money":
            wanted.add(MONEY_SQL)
        else:  # int: read with decimals, so that 12.5 is reported rather than rounded
            wanted.add("DECIMAL(18,6)")
    return wanted.pop() if len(wanted) == 1 else "DECIMAL(30,10)"


def _date_columns(uses: list[Use]) -> list[int]:
    return sorted({u.columns[0] for u in uses if u.field.kind == "date"})


def _text_columns(uses: list[Use]) -> list[int]:
    return sorted({u.columns[0] for u in uses if u.field.kind == "text"})


def _trim(col: str) -> str:
    """Trimmed text, NULL when blank. Most values have nothing to trim, and checking the
    two ends is much cheaper than trimming every value."""
    edged = " OR ".join(
        f"{side}({col}, {_lit(ch)})" for ch in _WS for side in ("prefix", "suffix") if ch != "\n"
    )
    return f"nullif(CASE WHEN {edged} THEN trim({col}, {_lit(_WS)}) ELSE {col} END, '')"


def _squash(v: str, chars: str) -> str:
    """Lower case without the given characters: "Closed Won" -> "closedwon" (cheaper than a
    regular expression over every row)."""
    expr = v
    for ch in chars:
        expr = f"replace({expr}, {_lit(ch)}, '')"
    return f"lower({expr})"


# ---------------------------------------------------------------- pass 1: decide per column


def analyse(cur: Connection, uses: list[Use], headers: Sequence[str], date_order: str) -> Decisions:
    """Read every value once to decide decimal separators, day/month order and id style."""
    decisions = Decisions()
    numeric, dates, texts = _numeric_columns(uses), _date_columns(uses), _text_columns(uses)
    inner: list[str] = []
    outer: list[str] = []
    for i in numeric:
        # Only values with a separator can say which one is the decimal.
        separated = f"(contains(c{i}, '.') OR contains(c{i}, ','))"
        for name, pattern in (("point", _POINT_EVIDENCE), ("comma", _COMMA_EVIDENCE)):
            outer.append(
                f"count_if({separated} AND regexp_matches(c{i}, {_lit(pattern)})) AS {name}_{i}"
            )
    for i in _product_columns(uses):
        outer.append(f"count_if(regexp_matches(c{i}, '\\d[.,]\\d{{5,}}')) AS long_{i}")
    for i in dates:
        # Day and month parts, only for dates written with numbers first (not ISO ones).
        head = f"regexp_matches(c{i}, {_lit(_NUMERIC_HEAD_LOOSE)})"
        for part, n in (("a", 1), ("b", 2)):
            inner.append(
                f"CASE WHEN {head} THEN TRY_CAST(regexp_extract(c{i}, {_lit(_NUMERIC_HEAD_LOOSE)}, "
                f"{n}) AS INTEGER) END AS {part}_{i}"
            )
        a, b = f"a_{i}", f"b_{i}"
        outer += [
            f"count_if({a} > 12 AND {b} <= 12) AS dmy_{i}",
            f"count_if({b} > 12 AND {a} <= 12) AS mdy_{i}",
            f"count_if({a} <= 12 AND {b} <= 12 AND {a} <> {b}) AS either_{i}",
            f"count_if({a} IS NOT NULL AND NOT contains(c{i}, '.')) AS slashed_{i}",
            f"min(c{i}) FILTER ({a} <= 12 AND {b} <= 12 AND {a} <> {b}) AS example_{i}",
        ]
    for i in texts:
        outer.append(f"count(c{i}) AS filled_{i}")
        outer.append(
            f"count_if(contains(c{i}, '.0') AND regexp_full_match(c{i}, '\\s*-?\\d+\\.0+\\s*')) "
            f"AS floaty_{i}"
        )
    if not outer:
        return decisions
    source = RAW_TABLE
    if inner:
        source = f"(SELECT *, {', '.join(inner)} FROM {RAW_TABLE})"
    sql = f"SELECT {', '.join(outer)} FROM {source}"  # noqa: S608 - names are code constants
    result = cur.execute(sql)
    names = [d[0] for d in result.description]
    # count_if over a column with no values at all gives NULL: that is a count of 0.
    stats: dict[str, Any] = {
        k: 0 if v is None and not k.startswith("example_") else v
        for k, v in zip(names, result.fetchall()[0], strict=True)
    }

    for i in numeric:
        if stats[f"comma_{i}"] > stats[f"point_{i}"]:
            decisions.decimal[i] = ","
            decisions.warnings.append(
                f"Numbers in column {headers[i]!r} use a decimal comma (like 1.234,50); "
                "they are read that way."
            )
        else:
            decisions.decimal[i] = "."
    for i in _product_columns(uses):
        if stats[f"long_{i}"] == 0:
            decisions.short.add(i)
    for i in dates:
        dmy, mdy, either = stats[f"dmy_{i}"], stats[f"mdy_{i}"], stats[f"either_{i}"]
        if dmy and not mdy:
            decisions.date_order[i] = "dmy"
        elif mdy and not dmy:
            decisions.date_order[i] = "mdy"
        elif dmy and mdy:
            order = "dmy" if dmy > mdy else "mdy" if mdy > dmy else date_order
            decisions.date_order[i] = order
            decisions.warnings.append(
                f"Dates in column {headers[i]!r} are written both day first and month first; "
                f"they are read {ORDER_WORDS[order]}, and dates that do not fit are reported."
            )
        elif either and stats[f"slashed_{i}"] == 0:
            decisions.date_order[i] = "dmy"  # 03.04.2025 is a European date
        elif either:
            decisions.date_order[i] = date_order
            decisions.warnings.append(
                f"Dates in column {headers[i]!r} could be read either way (e.g. "
                f"{stats[f'example_{i}']}): they are read {ORDER_WORDS[date_order]}, as your "
                "date order setting says. Change the date order if that is wrong."
            )
        else:
            decisions.date_order[i] = date_order
    for i in texts:
        filled, floaty = stats[f"filled_{i}"], stats[f"floaty_{i}"]
        if filled and floaty == filled:
            decisions.float_ids.add(i)
            decisions.warnings.append(
                f"Values in column {headers[i]!r} are written like 17850.0; they are read "
                "without the .0."
            )
    return decisions


# ---------------------------------------------------------------- pass 2: parse


def _number_layers(i: int, decimal: str, target: str) -> tuple[str, str, str, str]:
    """SQL for column i, one layer each: the fast cast, the cleaned text, its
    sign/percent/digits, and the value n{i} of type `target` (NULL when unreadable).

    Plain numbers ("1234.5", "-12") take the fast cast; only the others ("$1,234.50",
    "(120.00)", "1.234,50 €", "12%") go through the regular expressions.
    """
    if decimal == ".":
        fast = f"TRY_CAST(v{i} AS {target}) AS f{i}"
    else:  # with a decimal comma, "1.234" means 1234: only separator-free values are plain
        fast = f"CASE WHEN NOT contains(v{i}, '.') THEN TRY_CAST(v{i} AS {target}) END AS f{i}"
    cleaned = (
        f"CASE WHEN f{i} IS NULL THEN regexp_replace(regexp_replace(replace(v{i}, '−', '-'), "
        f"{_lit(_STRIP_SYMBOLS)}, '', 'g'), {_lit(_STRIP_CODES)}, '', 'g') END AS s{i}"
    )
    shaped = (
        f"(regexp_full_match(s{i}, '\\(.*\\)') OR starts_with(s{i}, '-') "
        f"OR regexp_matches(s{i}, '-%?\\)?$')) AS neg{i}, "
        f"regexp_matches(s{i}, '%\\)?$') AS pct{i}, "
        f"regexp_replace(s{i}, '^\\(?[-+]?|-?%?-?\\)?$', '', 'g') AS core{i}"
    )
    thousands = "[,']" if decimal == "." else "[.']"
    digits = f"regexp_replace(core{i}, {_lit(thousands)}, '', 'g')"
    if decimal == ",":
        digits = f"replace({digits}, ',', '.')"
    magnitude = (
        f"CASE WHEN regexp_full_match(core{i}, {_lit(_CORE[decimal])}) "
        f"AND regexp_matches(core{i}, '\\d') "
        f"THEN TRY_CAST({digits} AS DECIMAL(30,10)) END"
    )
    signed = f"(CASE WHEN neg{i} THEN -({magnitude}) ELSE {magnitude} END)"
    valued = (
        f"CASE WHEN f{i} IS NOT NULL THEN f{i} "
        f"WHEN s{i} IS NOT NULL THEN TRY_CAST((CASE WHEN pct{i} THEN {signed} * 0.01 "
        f"ELSE {signed} END) AS {target}) END AS n{i}"
    )
    return fast, cleaned, shaped, valued


def _ymd(year: str, month: str, day: str) -> str:
    y = f"TRY_CAST({year} AS INTEGER)"
    full_year = f"(CASE WHEN {y} < 100 THEN {y} + (CASE WHEN {y} < 69 THEN 2000 ELSE 1900 END) ELSE {y} END)"
    return f"TRY(make_date({full_year}, TRY_CAST({month} AS INTEGER), TRY_CAST({day} AS INTEGER)))"


def _month(name: str) -> str:
    return f"list_position({_MONTHS}, lower(left({name}, 3)))"


def date_sql(v: str, order: str) -> str:
    """A DATE from text v (NULL when it is not a date we read)."""

    def g(pattern: str, n: int) -> str:
        return f"regexp_extract({v}, {_lit(pattern)}, {n})"

    first, second = (
        (g(_NUMERIC, 2), g(_NUMERIC, 1)) if order == "mdy" else (g(_NUMERIC, 1), g(_NUMERIC, 2))
    )
    # `first` is the day and `second` the month when the order is day first, and vice versa.
    parsed = (
        "CASE "
        f"WHEN regexp_matches({v}, {_lit(_ISO_START)}) THEN TRY_CAST({v} AS DATE) "
        f"WHEN regexp_full_match({v}, {_lit(_NUMERIC)}) THEN {_ymd(g(_NUMERIC, 3), second, first)} "
        f"WHEN regexp_full_match({v}, {_lit(_YMD)}) THEN {_ymd(g(_YMD, 1), g(_YMD, 2), g(_YMD, 3))} "
        f"WHEN regexp_full_match({v}, {_lit(_DAY_MONTH)}) "
        f"THEN {_ymd(g(_DAY_MONTH, 3), _month(g(_DAY_MONTH, 2)), g(_DAY_MONTH, 1))} "
        f"WHEN regexp_full_match({v}, {_lit(_MONTH_DAY)}) "
        f"THEN {_ymd(g(_MONTH_DAY, 3), _month(g(_MONTH_DAY, 1)), g(_MONTH_DAY, 2))} "
        f"WHEN regexp_full_match({v}, {_lit(_COMPACT)}) "
        f"THEN {_ymd(g(_COMPACT, 1), g(_COMPACT, 2), g(_COMPACT, 3))} "
        "END"
    )
    return parsed


def in_range_sql(column: str) -> str:
    return (
        f"CASE WHEN {column} BETWEEN DATE '{_FIRST_DAY}' AND DATE '{_LAST_DAY}' THEN {column} END"
    )


def bool_sql(v: str) -> str:
    """TRUE/FALSE from text v; blank is FALSE (a flag column marks the true ones)."""
    word = f"lower({v})"
    token = _squash(v, " _/-\t")
    return (
        f"CASE WHEN {v} IS NULL THEN FALSE WHEN {_among(word, _TRUE)} THEN TRUE "
        f"WHEN {_among(word, _FALSE)} THEN FALSE "
        f"WHEN {_among(token, _TRUE)} THEN TRUE "
        f"WHEN {_among(token, _FALSE)} OR {token} = '' THEN FALSE END"
    )


def status_sql(v: str) -> str:
    """open / won / lost from a stage or status name (anything not won or lost is open)."""
    token = _squash(v, " _/-.,:()")
    return (
        f"CASE WHEN {v} IS NULL THEN NULL "
        f"WHEN {_among(token, _WON)} OR starts_with({token}, 'closedwon') THEN 'won' "
        f"WHEN {_among(token, _LOST)} OR starts_with({token}, 'closedlost') THEN 'lost' "
        "ELSE 'open' END"
    )


def _value_sql(use: Use, decisions: Decisions) -> str:
    """The typed value of a single-column field."""
    i = use.columns[0]
    v = f"v{i}"
    kind = use.field.kind
    if kind == "text":
        return f"regexp_replace({v}, '\\.0+$', '')" if i in decisions.float_ids else v
    if kind == "date":
        return date_sql(v, decisions.date_order[i])
    if kind == "money":
        return f"TRY_CAST(n{i} AS {MONEY_SQL})"
    if kind == "number":
        return f"CAST(n{i} AS DOUBLE)"
    if kind == "int":
        return f"CASE WHEN n{i} = trunc(n{i}) THEN TRY_CAST(n{i} AS INTEGER) END"
    if kind == "bool":
        return bool_sql(v)
    if kind == "status":
        return status_sql(v)
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


def _typed_name(entity: str, name: str) -> str:
    # Deals: status and stage are worked out from several columns in the last layer.
    if entity == "deals" and name in ("status", "stage"):
        return f"{name}_text"
    return name


def parse(
    cur: Connection,
    source: Source,
    entity: str,
    mapping: FieldMap,
    date_order: str,
) -> Parsed:
    """Create PARSED_TABLE and REJECTS_TABLE on this cursor from RAW_TABLE.

    PARSED_TABLE holds, per non-blank row: `row` (as a spreadsheet numbers it), each
    mapped field's trimmed text (r_<field>, or r_<field>_a/_b for a product) and its
    typed value (<field>); deals also get `status` (open/won/lost) and `stage`.
    """
    headers = source.headers
    uses = plan(entity, mapping, headers)
    by_name = {u.name: u for u in uses}
    decisions = analyse(cur, uses, headers, date_order)
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
    return Parsed(rows_read, n_bad, rejected, decisions.warnings)


def parsed_sql(
    uses: list[Use], decisions: Decisions, entity: str, n_columns: int, row_number: str
) -> str:
    """The CREATE statement of PARSED_TABLE: a chain of projections DuckDB runs in one pass."""
    by_name = {u.name: u for u in uses}
    used = sorted({c for u in uses for c in u.columns})
    numeric = _numeric_columns(uses)
    layers = [
        _number_layers(i, decisions.decimal[i], number_type(i, uses, decisions)) for i in numeric
    ]
    # A row with nothing in any column is spacing, not data (mapped columns are judged
    # trimmed, the others as read: empty fields are NULL already).
    others = [f"c{i}" for i in range(n_columns) if i not in used]
    not_blank = f"coalesce({', '.join([*(f'v{i}' for i in used), *others])}) IS NOT NULL"

    texts: list[str] = []
    factors: list[str] = []
    typed: list[str] = []
    for u in uses:
        if u.product:
            a, b = u.columns
            texts += [f"v{a} AS r_{u.name}_a", f"v{b} AS r_{u.name}_b"]
            factors += [f"n{a} AS x_{u.name}_a", f"n{b} AS x_{u.name}_b"]
            typed += [f"x_{u.name}_a", f"x_{u.name}_b", f"{_product_sql(u, decisions)} AS {u.name}"]
        else:
            texts.append(f"v{u.columns[0]} AS r_{u.name}")
            typed.append(f"{_value_sql(u, decisions)} AS {_typed_name(entity, u.name)}")

    def select(*parts: list[str] | str) -> str:
        cols: list[str] = []
        for p in parts:
            cols += [p] if isinstance(p, str) else p
        return ", ".join(cols)

    dates = [_typed_name(entity, u.name) for u in uses if u.field.kind == "date"]
    checked = (
        "SELECT * REPLACE ("
        + ", ".join(f"{in_range_sql(d)} AS {d}" for d in dates)
        + ") FROM typed"
        if dates
        else "SELECT * FROM typed"
    )
    last = "SELECT * FROM checked"
    if entity == "deals":
        working = [f"{n}_text" for n in ("status", "stage") if n in by_name]
        exclude = f" EXCLUDE ({', '.join(working)})" if working else ""
        parts = (["stage_text"] if "stage" in by_name else []) + (
            ["r_status"] if "status" in by_name else []
        )
        stage = f"coalesce({', '.join(parts)})" if parts else "NULL"
        last = (
            f"SELECT *{exclude}, {_deal_status_sql(by_name)} AS status, "
            f"CAST({stage} AS VARCHAR) AS stage FROM checked"
        )
    return f"""
CREATE OR REPLACE TEMP TABLE {PARSED_TABLE} AS
WITH source AS (
  SELECT {row_number} AS src_row, * FROM {RAW_TABLE}
), cleaned AS (
  SELECT {select("src_row", [f"{_trim(f'c{i}')} AS v{i}" for i in used], others)} FROM source
), kept AS (
  SELECT {select("src_row", [f"v{i}" for i in used])} FROM cleaned WHERE {not_blank}
), fast AS (
  SELECT {select("*", [layer[0] for layer in layers])} FROM kept
), symbols AS (
  SELECT {select("*", [layer[1] for layer in layers])} FROM fast
), shaped AS (
  SELECT {select("*", [layer[2] for layer in layers])} FROM symbols
), valued AS (
  SELECT {select("*", [layer[3] for layer in layers])} FROM shaped
), factored AS (
  SELECT {select("*", factors)} FROM valued
), typed AS (
  SELECT {select("src_row", texts, typed)} FROM factored
), checked AS (
  {checked}
)
{last}
"""  # noqa: S608 - every identifier above is made in this module


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
    if kind == "number":
        return f"not a number we can read {where}"
    if kind == "int":
        return f"not a whole number {where}"
    if kind == "bool":
        return f"not a yes/no value {where}"
    return f"cannot be read {where}"


def _rejects_sql(
    uses: list[Use], decisions: Decisions, entity: str, by_name: dict[str, Use]
) -> tuple[str, dict[str, Any]]:
    required = set(ENTITIES[entity].required)
    if entity == "deals" and "is_won" in by_name:
        required.discard("status")  # the IsWon flag decides the status then
    parts: list[str] = []
    params: dict[str, Any] = {}

    def add(condition: str, column: str, value: str, reason: str) -> None:
        key = f"reason_{len(params)}"
        params[key] = reason
        parts.append(
            f"SELECT src_row, {_lit(column)} AS column_name, {value} AS value, ${key} AS reason "
            f"FROM {PARSED_TABLE} WHERE {condition}"
        )

    for u in uses:
        label = u.field.label or u.name
        if u.product:
            for side, col, header in zip("ab", u.columns, u.headers, strict=True):
                raw, num = f"r_{u.name}_{side}", f"x_{u.name}_{side}"
                add(
                    f"{raw} IS NOT NULL AND {num} IS NULL",
                    u.name,
                    raw,
                    _reason(u, decisions, header, col),
                )
                if u.name in required:
                    add(
                        f"{raw} IS NULL",
                        u.name,
                        "NULL",
                        f"{label} is required but column {header!r} is blank",
                    )
            a, b = u.headers
            add(
                f"x_{u.name}_a IS NOT NULL AND x_{u.name}_b IS NOT NULL AND {u.name} IS NULL",
                u.name,
                f"concat(r_{u.name}_a, ' × ', r_{u.name}_b)",
                f"{a} × {b} is too large for {label.lower()}",
            )
            continue
        raw = f"r_{u.name}"
        header, col = u.headers[0], u.columns[0]
        # Text and stage names always read; everything else must parse when it is there.
        if u.field.kind not in ("text", "status"):
            add(
                f"{raw} IS NOT NULL AND {u.name} IS NULL",
                u.name,
                raw,
                _reason(u, decisions, header, col),
            )
        if u.name in required:
            add(
                f"{raw} IS NULL",
                u.name,
                "NULL",
                f"{label} is required but column {header!r} is blank",
            )
    body = (
        " UNION ALL ".join(parts)
        if parts
        else (
            f"SELECT src_row, NULL::VARCHAR AS column_name, NULL::VARCHAR AS value, NULL::VARCHAR AS reason "
            f"FROM {PARSED_TABLE} WHERE FALSE"
        )
    )
    sql = f"CREATE OR REPLACE TEMP TABLE {REJECTS_TABLE} AS {body}"  # noqa: S608
    return sql, params


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
    for table in (PARSED_TABLE, REJECTS_TABLE):
        cur.execute(f"DROP TABLE IF EXISTS temp.{table}")
