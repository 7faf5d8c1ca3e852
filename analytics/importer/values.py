"""How one text value is read, as DuckDB SQL: numbers, dates, durations, yes/no and deal
status, each a SQL expression over a text column (v{i}) built from code constants only.

The analysis pass (analyse.py) decides per column which reading applies; parse.py puts the
expressions together into the pass that types every row.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def _two_part(unit: int) -> str:
    return "hm" if unit == 3600 else "ms"


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


def _trim(col: str) -> str:
    """Trimmed text, NULL when blank.

    Checking a value's two ends for a space or a no-break space (what spreadsheets leave)
    and trimming only those values is much cheaper than trimming every value. A value
    edged with a tab or a line break would keep it; CSV readers rarely leave those.
    """
    return f"nullif(CASE WHEN {edged_sql(col)} THEN trim({col}, {_lit(_WS)}) ELSE {col} END, '')"


def edged_sql(col: str) -> str:
    """TRUE when text col starts or ends with a space or a no-break space: _trim trims it."""
    return " OR ".join(
        f"{side}({col}, {_lit(ch)})" for ch in (" ", "\u00a0") for side in ("prefix", "suffix")
    )


def _squash(v: str, chars: str) -> str:
    """Lower case without the given characters: "Closed Won" -> "closedwon" (cheaper than a
    regular expression over every row)."""
    expr = v
    for ch in chars:
        expr = f"replace({expr}, {_lit(ch)}, '')"
    return f"lower({expr})"


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


# Dollar amounts as accounting exports write them: "$1,234.50", "$1234.5", "1,234.50". The
# formatted reading (_FORMATTED) takes these apart into the same digits as removing the "$"
# and the commas does, so a column whose values are all of this shape or plain needs no
# regular expression per row; quick_number_sql tells the two shapes apart by their "$" and
# ",", which plain numbers never hold.
_QUICK = r"\$(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?"


def is_quick_sql(v: str) -> str:
    """TRUE when text v is a plain number or a dollar amount (decimal point) that
    quick_number_sql reads exactly as _number_layers does."""
    return f"regexp_full_match({v}, {_lit('(?:' + _PLAIN['.'] + ')|(?:' + _QUICK + ')')})"


def quick_number_sql(v: str, target: str, direct: bool = False) -> str:
    """The value of type `target` of text v, known to be plain or a dollar amount (is_quick_sql):
    the same casts _number_layers makes (plain: cast as written; formatted: its digits
    through DECIMAL(30,10)).

    `direct`: no formatted value has more decimals than `target` keeps, so the digits cast
    straight to it give the same value; narrowing a DECIMAL(30,10) costs far more.
    """
    digits = f"replace(replace({v}, '$', ''), ',', '')"
    formatted = (
        f"TRY_CAST({digits} AS {target})"
        if direct
        else f"TRY_CAST(TRY_CAST({digits} AS DECIMAL(30,10)) AS {target})"
    )
    return (
        f"CASE WHEN contains({v}, '$') OR contains({v}, ',') THEN {formatted} "
        f"ELSE TRY_CAST({v} AS {target}) END"
    )


def _ymd(year: str, month: str, day: str) -> str:
    y = f"TRY_CAST({year} AS INTEGER)"
    full_year = f"(CASE WHEN {y} < 100 THEN {y} + (CASE WHEN {y} < 69 THEN 2000 ELSE 1900 END) ELSE {y} END)"
    return f"TRY(make_date({full_year}, TRY_CAST({month} AS INTEGER), TRY_CAST({day} AS INTEGER)))"


def _month(name: str) -> str:
    return f"list_position({_MONTHS}, lower(left({name}, 3)))"


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
