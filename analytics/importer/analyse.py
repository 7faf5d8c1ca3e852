"""Pass 1 of parsing: decide, from every value of each column, how to read it (decimal
separator, day/month order, plain numbers, ISO dates, ids written as floats, durations).
See parse.py's docstring for the rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analytics.importer.plan import (
    Decisions,
    Use,
    _date_columns,
    _numeric_columns,
    _product_columns,
    _text_columns,
)
from analytics.importer.read import RAW_TABLE
from analytics.importer.synonyms import normalise
from analytics.importer.values import (
    _CLOCK2,
    _COMMA_EVIDENCE,
    _DURATION_WORDS,
    _ISO_START_LOOSE,
    _NUMERIC_HEAD_LOOSE,
    _PLAIN,
    _POINT_EVIDENCE,
    _UNIT_WORDS,
    ORDER_WORDS,
    _lit,
    _trim,
    _two_part,
    duration_seconds_sql,
    edged_sql,
)
from analytics.store import Connection


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


def _found(cur: Connection, condition: str) -> bool:
    """Whether any raw row meets the condition; the scan stops at the first that does."""
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {RAW_TABLE} WHERE {condition} LIMIT 1)"  # noqa: S608
    return bool(cur.execute(sql).fetchall()[0][0])


def analyse(cur: Connection, uses: list[Use], headers: Sequence[str], date_order: str) -> Decisions:
    """Decide, from every value of each column, decimal separators, day/month order and
    id style.

    Numbers and dates repeat a lot (a million invoice lines hold a few thousand dates),
    so their columns are first reduced to their distinct values (distinct_table): the
    decisions and the expensive parsing run on those, once per distinct value.
    """
    decisions = Decisions()
    numeric, dates, texts = _numeric_columns(uses), _date_columns(uses), _text_columns(uses)
    stats: dict[str, Any] = {}
    for i in sorted(set(numeric) | set(dates)):
        # The distinct texts first: whether any value needs trimming is then known from the
        # few distinct ones. Trimmed, two texts may become one ("12 " and "12"), so only
        # then are they grouped again; a blank one ("") reads as NULL.
        table = distinct_table(i)
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS "  # noqa: S608
            f"SELECT DISTINCT c{i} AS v FROM {RAW_TABLE} WHERE c{i} IS NOT NULL"
        )
        found = _stats(
            cur,
            f"SELECT count_if({edged_sql('v')}) AS edged_{i}, count_if(v = '') AS blank "  # noqa: S608
            f"FROM {table}",
        )
        if found[f"edged_{i}"]:
            cur.execute(
                f"CREATE OR REPLACE TEMP TABLE {table}_edged AS SELECT {_trim('v')} AS v "  # noqa: S608
                f"FROM {table} GROUP BY ALL"
            )
            cur.execute(f"DROP TABLE temp.{table}")
            cur.execute(f"ALTER TABLE temp.{table}_edged RENAME TO {table}")
        elif found["blank"]:
            cur.execute(f"UPDATE {table} SET v = NULL WHERE v = ''")  # noqa: S608
        stats[f"edged_{i}"] = found[f"edged_{i}"]
    long_columns = set(_product_columns(uses))
    for i in numeric:
        # Only values with a separator can say which one is the decimal. A plain number
        # with one point ("89.19") says point unless three digits follow it ("1.234").
        # Whether a value is plain is worked out once (p); the point evidence only counts
        # against comma evidence, so it is only counted when there is some.
        plain = f"regexp_full_match(v, {_lit(_PLAIN['.'])})"
        cols = [
            f"count(v) AS nfilled_{i}",
            f"count_if(p) AS plain_{i}",
            f"count_if(NOT p AND regexp_matches(v, {_lit(_COMMA_EVIDENCE)})) AS comma_{i}",
        ]
        if i in long_columns:  # only a product's factors need it (decisions.short)
            cols.append(f"count_if(regexp_matches(v, '\\d[.,]\\d{{5,}}')) AS long_{i}")
        values = f"(SELECT v, {plain} AS p FROM {distinct_table(i)})"
        stats |= _stats(cur, f"SELECT {', '.join(cols)} FROM {values}")  # noqa: S608
        stats[f"point_{i}"] = 0
        if stats[f"comma_{i}"]:
            stats |= _stats(
                cur,
                f"SELECT count_if(CASE WHEN p THEN contains(v, '.') "  # noqa: S608
                f"AND strlen(v) - strpos(v, '.') <> 3 "
                f"ELSE regexp_matches(v, {_lit(_POINT_EVIDENCE)}) END) AS point_{i} FROM {values}",
            )
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
    # The other columns read (texts, yes/no, status, names in two halves): does any value
    # need trimming?
    others = sorted({c for u in uses for c in u.columns} - set(numeric) - set(dates))
    cols = [f"count_if({edged_sql(f'c{i}')}) AS edged_{i}" for i in others]
    if cols:
        stats |= _stats(cur, f"SELECT {', '.join(cols)} FROM {RAW_TABLE}")  # noqa: S608
    # Ids written as floats (17850.0): every value of the column must look like that, and
    # one is filled. The first value that does not settles it (usually the first row: the
    # scan stops there).
    float_ids = [
        i
        for i in texts
        if not _found(
            cur,
            f"c{i} IS NOT NULL AND NOT (contains(c{i}, '.0') "
            f"AND regexp_full_match(c{i}, '\\s*-?\\d+\\.0+\\s*'))",
        )
        and _found(cur, f"c{i} IS NOT NULL")
    ]
    decisions.clean = {i for u in uses for i in u.columns if not stats[f"edged_{i}"]}

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
    for i in float_ids:
        decisions.float_ids.add(i)
        decisions.warnings.append(
            f"Values in column {headers[i]!r} are written like 17850.0; they are read "
            "without the .0."
        )
    _analyse_durations(cur, uses, headers, decisions)
    return decisions


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
