"""Turn the raw text columns into typed canonical values, in DuckDB SQL, and find the bad rows.

Everything here runs as set-based SQL over the all-VARCHAR raw table (RAW_TABLE), never
as a Python loop over rows. Number and date columns are first reduced to their distinct
texts; those are parsed once each into lookup tables (plain numbers and ISO dates are
simply cast), and one CREATE TABLE AS pass then types every row. The SQL is assembled
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

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analytics.entities import ENTITIES, SQL_TYPES, Field
from analytics.importer.fingerprint import fingerprint_sql as fingerprint_sql
from analytics.importer.mapping import FieldMap
from analytics.importer.read import RAW_TABLE, Source
from analytics.importer.synonyms import mappable_fields, normalise
from analytics.store import Connection

PARSED_TABLE = "od_import_parsed"
MONEY_SQL = SQL_TYPES["money"]  # the store's exact money type
REJECTS_TABLE = "od_import_rejects"

# Whitespace trimmed from every value, including the no-break space spreadsheets love.
_WS = " \t\r\n\u00a0\u202f"

# ---------------------------------------------------------------- numbers

# A plain number, as machines write them: DuckDB's cast reads it directly.
_PLAIN = {".": r"\s*-?\d+(?:\.\d+)?\s*", ",": r"\s*-?\d+\s*"}
# Everything else is read with one regular expression that captures, in order: an opening
# parenthesis, a sign, the integer part (with thousands separators), the fraction, an
# exponent, a trailing minus, a percent sign and a closing parenthesis. Currency symbols
# and ISO codes may stand before or after the number, spaces anywhere between.
_CUR = (
    r"(?:[A-Z]{0,2}\$|[£€¥₹]|(?i:usd|eur|gbp|cad|aud|nzd|chf|sek|nok|dkk|zar|inr|jpy|kr|sfr|fr)\.?)"
)
_SP = r"[\s\x{00A0}\x{202F}]*"
_GROUPS = {
    ".": r"(\d{1,3}(?:,\d{3})+|\d{1,3}(?:'\d{3})+|\d{1,3}(?:[ \x{00A0}\x{202F}]\d{3})+|\d*)(\.\d*)?([eE][-+]?\d+)?",
    ",": r"(\d{1,3}(?:\.\d{3})+|\d{1,3}(?:'\d{3})+|\d{1,3}(?:[ \x{00A0}\x{202F}]\d{3})+|\d*)(,\d+|,-)?()",
}
_FORMATTED = {
    sep: (
        rf"^(\(?){_SP}{_CUR}?{_SP}([-+−]?){_SP}{_CUR}?{_SP}{groups}"
        rf"{_SP}{_CUR}?{_SP}([-−]?){_SP}(%?){_SP}{_CUR}?{_SP}(\)?)$"
    )
    for sep, groups in _GROUPS.items()
}
_PARTS = "['open', 'sign', 'int', 'frac', 'exp', 'trail', 'pct', 'close']"
# A value whose separators show a decimal point / a decimal comma.
_POINT_EVIDENCE = r"\.\d{1,2}\D*$|\.\d{4,}\D*$|,\d{3}[^.]*\.\d|\d,\d{3},\d{3}"
_COMMA_EVIDENCE = r",\d{1,2}\D*$|,\d{4,}\D*$|\.\d{3}[^,]*,\d|\d\.\d{3}\.\d{3}|\d,-\s*$"

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
_ISO_START_LOOSE = r"^\s*\d{4}-\d{1,2}-\d{1,2}(?:[T ]|\s*$)"
_YMD = rf"(?i)^(\d{{4}})[/.](\d{{1,2}})[/.](\d{{1,2}}){_TIME}$"
_NUMERIC = rf"(?i)^(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{4}}|\d{{2}}){_TIME}$"
_DAY_MONTH = rf"(?i)^{_WEEKDAY}(\d{{1,2}})(?:st|nd|rd|th)?[-/ .]+{_MONTH}\.?[-/ .,]+(\d{{4}}|\d{{2}}){_TIME}$"
_MONTH_DAY = rf"(?i)^{_WEEKDAY}{_MONTH}\.?[-/ .]+(\d{{1,2}})(?:st|nd|rd|th)?,?[-/ .]+(\d{{4}}|\d{{2}}){_TIME}$"
_COMPACT = r"^(\d{4})(\d{2})(\d{2})$"
_NUMERIC_HEAD_LOOSE = r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](?:\d{4}|\d{2})(?:\s*$|[T ,])"
_MONTHS = "['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec']"
# Dates outside this range are typing slips ("0219-03-01", "9999-12-31" for "no end"), not
# history: such a row is rejected with its year named.
_FIRST_DAY, _LAST_DAY = "1900-01-01", "2100-12-31"
OUT_OF_RANGE = (
    f"is outside the dates Opening Day accepts ({_FIRST_DAY[:4]}–{_LAST_DAY[:4]}); "
    "correct it, or clear it if it only means “no date”"
)

ORDER_WORDS = {"mdy": "month first (m/d/y)", "dmy": "day first (d/m/y)"}

# ---------------------------------------------------------------- durations

# Fields that hold a duration, with the seconds in one unit of each. Their values may be
# plain numbers (in that unit) or written as durations:
#   hh:mm:ss (Toggl, "00:02:23"), with fractional seconds; "1 day, 2:30:00";
#   two parts: h:mm for an hours field ("1:30" = 1.5 h), m:ss for a minutes field (call
#     logs: "4:32" = 4 min 32 s), said in a warning either way;
#   ISO 8601 (PT1H30M, PT2M23S, P1DT2H);
#   a spreadsheet's time cell as a reader shows it over 24 hours ("1900-01-01 12:00:00" =
#     1 day 12 h; "1899-12-30/31 hh:mm:ss" = hh:mm:ss);
#   fractions of a day, as a spreadsheet stores times, only in a column whose header says
#     "duration" or "time" without a unit, every value between 0 and 1, some with five or
#     more decimals (0.0104166667 = 15 minutes): see analyse.
DURATION_UNITS: dict[str, int] = {
    "hours": 3600,
    "estimated_hours": 3600,
    "presales_hours": 3600,
    "minutes": 60,
}
_CLOCK3 = r"^(\d+):([0-5]?\d):([0-5]?\d(?:[.,]\d+)?)$"
_CLOCK2 = r"^(\d+):([0-5]\d)$"
_DAYS = r"^(\d+) days?, (\d+):([0-5]\d):([0-5]\d(?:\.\d+)?)$"
_SHEET_TIME = r"^(?:1899-12-3[01]|1900-01-(\d\d))[ T](\d{1,2}):([0-5]\d):([0-5]\d(?:\.\d+)?)$"
_ISO_DURATION = (
    r"(?i)^P(?:(\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$"
)
_ISO_SOME = r"(?i)^PT?\d.*[DHMS]$"  # at least one component, nothing dangling
# A header that says the column is a duration without saying its unit.
_DURATION_WORDS = ("duration", "time")
_UNIT_WORDS = ("hour", "hrs", "min", "sec", "decimal", "start", "end")


def duration_seconds_sql(v: str, two_part: str) -> str:
    """Seconds (DOUBLE) of a duration written as text v, NULL when it is not written as one.

    `two_part` says how "a:b" reads: "hm" (hours:minutes) or "ms" (minutes:seconds).
    """

    def parts(pattern: str, n: int) -> list[str]:
        names = [f"p{k}" for k in range(n)]
        struct = f"regexp_extract({v}, {_lit(pattern)}, {names})"
        return [f"TRY_CAST(replace(nullif({struct}.{k}, ''), ',', '.') AS DOUBLE)" for k in names]

    h, m, sec = parts(_CLOCK3, 3)
    a, b = parts(_CLOCK2, 2)
    d, dh, dm, ds = parts(_DAYS, 4)
    xd, xh, xm, xs = parts(_SHEET_TIME, 4)
    pd_, ph, pm, ps = parts(_ISO_DURATION, 4)
    pair = f"{a} * 3600 + {b} * 60" if two_part == "hm" else f"{a} * 60 + {b}"

    def z(x: str) -> str:
        return f"coalesce({x}, 0)"

    return (
        f"CASE WHEN NOT contains({v}, ':') AND NOT regexp_matches({v}, '^[Pp]') THEN NULL "
        f"WHEN regexp_full_match({v}, {_lit(_CLOCK3)}) THEN {h} * 3600 + {m} * 60 + {sec} "
        f"WHEN regexp_full_match({v}, {_lit(_CLOCK2)}) THEN {pair} "
        f"WHEN regexp_full_match({v}, {_lit(_DAYS)}) "
        f"THEN {d} * 86400 + {dh} * 3600 + {dm} * 60 + {ds} "
        f"WHEN regexp_full_match({v}, {_lit(_SHEET_TIME)}) "
        f"THEN {z(xd)} * 86400 + {xh} * 3600 + {xm} * 60 + {xs} "
        f"WHEN regexp_full_match({v}, {_lit(_ISO_DURATION)}) "
        f"AND regexp_full_match({v}, {_lit(_ISO_SOME)}) "
        f"THEN {z(pd_)} * 86400 + {z(ph)} * 3600 + {z(pm)} * 60 + {z(ps)} "
        "END"
    )


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
    columns: tuple[int, ...]  # raw column indices: one, or two for a product or a join
    headers: tuple[str, ...]  # the file's names for them

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def product(self) -> bool:
        """A number from two columns: their product (Quantity × UnitPrice)."""
        return len(self.columns) == 2 and self.field.kind != "text"

    @property
    def joined(self) -> bool:
        """A text from two columns: the two joined by a space (First name + Last name)."""
        return len(self.columns) == 2 and self.field.kind == "text"

    @property
    def duration_unit(self) -> int | None:
        """Seconds per unit when the field is a duration (hours, minutes), else None."""
        return DURATION_UNITS.get(self.field.name)


@dataclass
class Decisions:
    """What the analysis pass decided, per raw column."""

    decimal: dict[int, str] = field(default_factory=dict)  # "." or ","
    date_order: dict[int, str] = field(default_factory=dict)  # "mdy" or "dmy"
    float_ids: set[int] = field(default_factory=set)  # text written as 17850.0
    short: set[int] = field(default_factory=set)  # numbers with at most 4 decimals
    plain: set[int] = field(default_factory=set)  # numbers all written plainly ("-1234.5")
    iso: set[int] = field(default_factory=set)  # dates all written year first ("2025-01-31")
    # Duration columns: seconds per unit of their field (3600 for hours, 60 for minutes)...
    duration: dict[int, int] = field(default_factory=dict)
    # ...of which those whose numbers are spreadsheet fractions of a day (0.0104 = 15 min)
    day_fraction: set[int] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


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


def plan(entity: str, mapping: FieldMap, headers: Sequence[str]) -> list[Use]:
    """The mapped fields in the entity's order, with their raw column numbers."""
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
    return sorted({u.columns[0] for u in uses if u.field.kind == "text" and not u.joined})


def _trim(col: str) -> str:
    """Trimmed text, NULL when blank.

    Checking a value's two ends for a space or a no-break space (what spreadsheets leave)
    and trimming only those values is much cheaper than trimming every value. A value
    edged with a tab or a line break would keep it; CSV readers rarely leave those.
    """
    edged = " OR ".join(
        f"{side}({col}, {_lit(ch)})" for ch in (" ", "\u00a0") for side in ("prefix", "suffix")
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


def distinct_table(i: int) -> str:
    return f"od_import_distinct_{i}"


def _stats(cur: Connection, sql: str) -> dict[str, Any]:
    result = cur.execute(sql)
    names = [d[0] for d in result.description]
    # count_if over no values at all gives NULL: that is a count of 0.
    return {
        k: 0 if v is None and not k.startswith("example_") else v
        for k, v in zip(names, result.fetchall()[0], strict=True)
    }


def analyse(cur: Connection, uses: list[Use], headers: Sequence[str], date_order: str) -> Decisions:
    """Decide, from every value of each column, decimal separators, day/month order and
    id style.

    Numbers and dates repeat a lot (a million invoice lines hold a few thousand dates),
    so their columns are first reduced to their distinct values (distinct_table): the
    decisions and the expensive parsing run on those, once per distinct value.
    """
    decisions = Decisions()
    numeric, dates, texts = _numeric_columns(uses), _date_columns(uses), _text_columns(uses)
    for i in sorted(set(numeric) | set(dates)):
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE {distinct_table(i)} AS "  # noqa: S608
            f"SELECT DISTINCT {_trim(f'c{i}')} AS v FROM {RAW_TABLE} WHERE c{i} IS NOT NULL"
        )
    stats: dict[str, Any] = {}
    for i in numeric:
        # Only values with a separator can say which one is the decimal. A plain number
        # with one point ("89.19") says point unless three digits follow it ("1.234").
        plain = f"regexp_full_match(v, {_lit(_PLAIN['.'])})"
        cols = [
            f"count(v) AS nfilled_{i}",
            f"count_if({plain}) AS plain_{i}",
            f"count_if(CASE WHEN {plain} THEN contains(v, '.') "
            f"AND strlen(v) - strpos(v, '.') <> 3 "
            f"ELSE regexp_matches(v, {_lit(_POINT_EVIDENCE)}) END) AS point_{i}",
            f"count_if(NOT {plain} AND regexp_matches(v, {_lit(_COMMA_EVIDENCE)})) AS comma_{i}",
            f"count_if(regexp_matches(v, '\\d[.,]\\d{{5,}}')) AS long_{i}",
        ]
        stats |= _stats(cur, f"SELECT {', '.join(cols)} FROM {distinct_table(i)}")  # noqa: S608
    for i in dates:
        # Day and month parts, only for dates written with numbers first (not ISO ones).
        head = f"regexp_matches(v, {_lit(_NUMERIC_HEAD_LOOSE)})"
        parts = ", ".join(
            f"CASE WHEN {head} THEN CAST(regexp_extract(v, {_lit(_NUMERIC_HEAD_LOOSE)}, {n}) "
            f"AS INTEGER) END AS {part}"
            for part, n in (("a", 1), ("b", 2))
        )
        cols = [
            f"count(v) AS dfilled_{i}",
            f"count_if(regexp_matches(v, {_lit(_ISO_START_LOOSE)})) AS iso_{i}",
            f"count_if(a > 12 AND b <= 12) AS dmy_{i}",
            f"count_if(b > 12 AND a <= 12) AS mdy_{i}",
            f"count_if(a <= 12 AND b <= 12 AND a <> b) AS either_{i}",
            f"count_if(a IS NOT NULL AND NOT contains(v, '.')) AS slashed_{i}",
            f"min(v) FILTER (a <= 12 AND b <= 12 AND a <> b) AS example_{i}",
        ]
        stats |= _stats(
            cur,
            f"SELECT {', '.join(cols)} FROM (SELECT v, {parts} FROM {distinct_table(i)})",  # noqa: S608
        )
    if texts:
        # Ids written as floats (17850.0): the whole column must look like that.
        cols = []
        for i in texts:
            cols.append(f"count(c{i}) AS filled_{i}")
            cols.append(
                f"count_if(contains(c{i}, '.0') AND regexp_full_match(c{i}, "
                f"'\\s*-?\\d+\\.0+\\s*')) AS floaty_{i}"
            )
        stats |= _stats(cur, f"SELECT {', '.join(cols)} FROM {RAW_TABLE}")  # noqa: S608

    for i in numeric:
        comma = stats[f"comma_{i}"] > stats[f"point_{i}"]
        if stats[f"plain_{i}"] == stats[f"nfilled_{i}"] and not comma:
            decisions.plain.add(i)
        if comma:
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
        if stats[f"iso_{i}"] == stats[f"dfilled_{i}"]:
            decisions.iso.add(i)
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
    _analyse_durations(cur, uses, headers, decisions)
    return decisions


def _two_part(unit: int) -> str:
    return "hm" if unit == 3600 else "ms"


def _analyse_durations(
    cur: Connection, uses: list[Use], headers: Sequence[str], decisions: Decisions
) -> None:
    """Which number columns of duration fields hold durations written as such (1:30,
    00:02:23, PT1H30M) or spreadsheet fractions of a day; those are parsed through their
    lookup table, and a warning says how they were read."""
    for u in uses:
        unit = u.duration_unit
        if unit is None or u.product or u.columns[0] in decisions.duration:
            continue
        i = u.columns[0]
        seconds = duration_seconds_sql("v", _two_part(unit))
        plain = f"regexp_full_match(v, {_lit(_PLAIN['.'])})"
        found = _stats(
            cur,
            f"SELECT count(v) AS filled, count_if(({seconds}) IS NOT NULL) AS written, "  # noqa: S608
            f"count_if(regexp_full_match(v, {_lit(_CLOCK2)})) AS pairs, "
            f"min(v) FILTER (({seconds}) IS NOT NULL) AS example_written, "
            f"count_if({plain}) AS plain, "
            f"count_if({plain} AND TRY_CAST(v AS DOUBLE) >= 0 AND TRY_CAST(v AS DOUBLE) < 1) "
            "AS fractions, "
            rf"count_if({plain} AND regexp_matches(v, '\.\d{{5,}}')) AS long "
            f"FROM {distinct_table(i)}",
        )
        header = headers[i]
        words = normalise(header)
        says_duration = any(w in words for w in _DURATION_WORDS) and not any(
            w in words for w in _UNIT_WORDS
        )
        unit_word = "hours" if unit == 3600 else "minutes"
        if (
            says_duration
            and found["plain"]
            and found["fractions"] == found["plain"]
            and found["plain"] + found["written"] == found["filled"]
            and found["long"]
        ):
            decisions.duration[i] = unit
            decisions.day_fraction.add(i)
            decisions.plain.discard(i)
            decisions.warnings.append(
                f"Numbers in column {header!r} are all between 0 and 1 with many decimals: "
                f"they are read as a spreadsheet's fractions of a day (0.0104166667 = 15 "
                f"minutes) and stored as {unit_word}. Write hours as 1.5 if that is wrong."
            )
        elif found["written"]:
            decisions.duration[i] = unit
            decisions.plain.discard(i)
            pair = (
                " Two-part values like 1:30 are hours:minutes."
                if unit == 3600
                else " Two-part values like 4:32 are minutes:seconds."
            )
            decisions.warnings.append(
                f"Durations in column {header!r} (like {found['example_written']}) are read "
                f"as time spans and stored as {unit_word}." + (pair if found["pairs"] else "")
            )


# ---------------------------------------------------------------- pass 2: parse


def _number_layers(i: int, decimal: str, target: str) -> tuple[str, str]:
    """SQL for text v{i} in two layers: the plain cast f{i} and the formatted parts e{i};
    then the value n{i} of type `target` (NULL when unreadable).

    Plain values are cast (after a cheap check: a failed cast costs far more than a
    regular expression); the others ("$1,234.50", "(120.00)", "1.234,50 €", "12%") are
    taken apart by one regular expression.
    """
    is_plain = f"regexp_full_match(v{i}, {_lit(_PLAIN[decimal])})"
    first = (
        f"CASE WHEN {is_plain} THEN TRY_CAST(v{i} AS {target}) END AS f{i}, "
        f"CASE WHEN NOT {is_plain} THEN regexp_extract(v{i}, {_lit(_FORMATTED[decimal])}, "
        f"{_PARTS}) END AS e{i}"
    )
    e = f"e{i}"
    whole = f"{e}.int"
    for ch in (",", ".", "'", " ", "\u00a0", "\u202f"):
        if ch != decimal:
            whole = f"replace({whole}, {_lit(ch)}, '')"
    fraction = f"{e}.frac" if decimal == "." else f"replace(replace({e}.frac, ',-', ''), ',', '.')"
    digits = f"concat({whole}, {fraction}, {e}.exp)"
    magnitude = f"TRY_CAST({digits} AS DECIMAL(30,10))"
    negative = f"({e}.open = '(' OR {e}.sign IN ('-', '−') OR {e}.trail IN ('-', '−'))"
    signed = f"(CASE WHEN {negative} THEN -{magnitude} ELSE {magnitude} END)"
    valid = (
        f"({e}.int <> '' OR regexp_matches({e}.frac, '\\d')) "
        f"AND ({e}.open = '(') = ({e}.close = ')')"
    )
    second = (
        f"CASE WHEN f{i} IS NOT NULL THEN f{i} WHEN {e} IS NOT NULL AND {valid} THEN "
        f"TRY_CAST((CASE WHEN {e}.pct = '%' THEN {signed} * 0.01 ELSE {signed} END) AS {target}) "
        f"END AS n{i}"
    )
    return first, second


def _ymd(year: str, month: str, day: str) -> str:
    y = f"TRY_CAST({year} AS INTEGER)"
    full_year = f"(CASE WHEN {y} < 100 THEN {y} + (CASE WHEN {y} < 69 THEN 2000 ELSE 1900 END) ELSE {y} END)"
    return f"TRY(make_date({full_year}, TRY_CAST({month} AS INTEGER), TRY_CAST({day} AS INTEGER)))"


def _month(name: str) -> str:
    return f"list_position({_MONTHS}, lower(left({name}, 3)))"


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
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE {lookup_table('number', i)} AS "  # noqa: S608
            f"SELECT v{i} AS lv, {value} AS ln FROM (SELECT *, {second} FROM "
            f"(SELECT v{i}, {first} FROM (SELECT v AS v{i} FROM {distinct_table(i)})))"
        )
    for i in _date_columns(uses):
        if i in decisions.iso:
            continue
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE {lookup_table('date', i)} AS "  # noqa: S608
            f"SELECT v{i} AS lv, {date_sql(i, decisions.date_order[i], False)} AS ld FROM "
            f"(SELECT v{i}, {date_parts_sql(i)} FROM (SELECT v AS v{i} FROM {distinct_table(i)}))"
        )


def date_parts_sql(i: int) -> str:
    """Day, month and year of a date written with numbers first ("25/12/2018"), in one
    pass of one regular expression; NULL for ISO dates, which DuckDB casts itself."""
    return (
        f"CASE WHEN v{i} IS NOT NULL AND NOT regexp_matches(v{i}, {_lit(_ISO_START)}) "
        f"THEN regexp_extract(v{i}, {_lit(_NUMERIC)}, ['a', 'b', 'y']) END AS dn{i}"
    )


def date_sql(i: int, order: str, iso: bool) -> str:
    """A DATE from the text v{i} (NULL when it is not a date we read).

    `iso`: every value of the column starts year first, so DuckDB's cast reads them all.
    """
    v = f"v{i}"
    if iso:
        return f"TRY_CAST({v} AS DATE)"

    def g(pattern: str, n: int) -> str:
        return f"regexp_extract({v}, {_lit(pattern)}, {n})"

    parts = f"dn{i}"
    day, month = (f"{parts}.b", f"{parts}.a") if order == "mdy" else (f"{parts}.a", f"{parts}.b")
    return (
        "CASE "
        f"WHEN {parts} IS NULL THEN TRY_CAST({v} AS DATE) "
        f"WHEN {parts}.y <> '' THEN {_ymd(f'{parts}.y', month, day)} "
        f"WHEN regexp_full_match({v}, {_lit(_YMD)}) THEN {_ymd(g(_YMD, 1), g(_YMD, 2), g(_YMD, 3))} "
        f"WHEN regexp_full_match({v}, {_lit(_DAY_MONTH)}) "
        f"THEN {_ymd(g(_DAY_MONTH, 3), _month(g(_DAY_MONTH, 2)), g(_DAY_MONTH, 1))} "
        f"WHEN regexp_full_match({v}, {_lit(_MONTH_DAY)}) "
        f"THEN {_ymd(g(_MONTH_DAY, 3), _month(g(_MONTH_DAY, 1)), g(_MONTH_DAY, 2))} "
        f"WHEN regexp_full_match({v}, {_lit(_COMPACT)}) "
        f"THEN {_ymd(g(_COMPACT, 1), g(_COMPACT, 2), g(_COMPACT, 3))} "
        "END"
    )


def in_range_sql(column: str) -> str:
    return (
        f"CASE WHEN {column} BETWEEN DATE '{_FIRST_DAY}' AND DATE '{_LAST_DAY}' THEN {column} END"
    )


def year_out_of_range_sql(column: str) -> str:
    """The year of a date that parsed but lies outside the accepted range (else NULL)."""
    return (
        f"CASE WHEN NOT ({column} BETWEEN DATE '{_FIRST_DAY}' AND DATE '{_LAST_DAY}') "
        f"THEN year({column}) END"
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
    if use.joined:
        # A name in two halves: joined by a space; one blank half leaves the other.
        return f"nullif(concat_ws(' ', {v}, v{use.columns[1]}), '')"
    if kind == "text":
        return f"regexp_replace({v}, '\\.0+$', '')" if i in decisions.float_ids else v
    if kind == "date":
        return f"TRY_CAST({v} AS DATE)" if i in decisions.iso else f"d{i}"
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
    # Plain numbers and ISO dates are cast here; the others come from their lookup table.
    casts = [
        f"TRY_CAST(v{i} AS {number_type(i, uses, decisions)}) AS n{i}"
        for i in numeric
        if i in decisions.plain
    ]
    looked_up: list[str] = []
    joins: list[str] = []
    for i in numeric:
        if i not in decisions.plain:
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
  SELECT {select("src_row", [f"{_trim(f'c{i}')} AS v{i}" for i in used])} FROM source
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
