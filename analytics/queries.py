"""Run the named SQL files in analytics/sql/ with DuckDB parameters."""

from __future__ import annotations

import threading
import warnings
import weakref
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from analytics.store import DUCKDB_CONFIG, Connection

if TYPE_CHECKING:
    import pandas as pd

SQL_DIR = Path(__file__).resolve().parent / "sql"


@cache
def sql(name: str) -> str:
    """The text of analytics/sql/<name>.sql (names come from code, never from input)."""
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no SQL file {name}.sql in {SQL_DIR}")
    return path.read_text(encoding="utf-8")


# The catalog the shared macros live in (analytics/sql/macros/<name>.sql): an in-memory
# database attached to the connection's DuckDB, so every cursor sees them (a TEMP macro is
# private to the one cursor that made it) and a read-only store needs no write to get them.
# Queries call them qualified: `macros.segment_or_none(c.segment)`,
# `from macros.invoices_between($ws, $current_after, $as_of)`.
MACRO_CATALOG = "macros"
# In definition order: a macro may call the ones before it.
MACROS = (
    "trimmed",
    "type_words",
    "is_complaint",
    "cost_rate",
    "segment_or_none",
    "period_start",
    "period_length",
    "current_customers",
    "with_segment",
    "invoices_to",
    "invoices_between",
    "invoice_days_to",
    "invoice_days_between",
    "tickets_between",
    "won_deals_to",
    "first_invoices",
    "segment_periods",
    "segment_period_figures",
    "pareto_ranks",
    "customer_pareto",
    "customer_takings",
    "customer_time_cost",
    "cash_lines",
    "latest_reviews",
)
_WITH_MACROS: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()
_MACROS_LOCK = threading.Lock()


def define_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Attach the macro catalog to `con`'s DuckDB and (re)define every macro, once per
    connection (a store's: the table macros need its invoices, tickets, customers_current
    and deals_current to exist). Runs on a cursor of its own, so never inside the caller's
    transaction."""
    with _MACROS_LOCK:
        if con in _WITH_MACROS:
            return
        cur = con.cursor()
        try:
            cur.execute(f"attach if not exists ':memory:' as {MACRO_CATALOG} (read_only false)")
            for name in MACROS:
                cur.execute(sql(f"macros/{name}"))
        finally:
            cur.close()
        _WITH_MACROS.add(con)


# Each statement text parsed once per process. DuckDB 2.0's parser takes about a millisecond
# for one of the named queries (comments and all): a tenth to a fifth of a figure query's
# time on the large demo, paid again on every page run. `execute` takes the parsed statement
# as it takes text, and binds and plans a copy of it each time, so one parsed statement
# serves every connection and thread. Parsing needs no store: a connection of its own does it.
_PARSED: dict[str, duckdb.Statement] = {}
_PARSED_LOCK = threading.Lock()
_PARSER: list[duckdb.DuckDBPyConnection] = []


def parsed(text: str) -> duckdb.Statement:
    """The one statement `text` holds, parsed once per process (texts come from code, never
    from input: a fixed set)."""
    statement = _PARSED.get(text)
    if statement is not None:
        return statement
    with _PARSED_LOCK:
        if text not in _PARSED:
            if not _PARSER:
                _PARSER.append(duckdb.connect(":memory:", config=DUCKDB_CONFIG))
            [_PARSED[text]] = _PARSER[0].extract_statements(text)
        return _PARSED[text]


def _prepared(
    con: Connection, name: str, params: dict[str, Any] | None
) -> tuple[duckdb.Statement, dict[str, Any]]:
    text = sql(name)
    # DuckDB refuses parameters the query does not use: pass only those it names.
    used = {k: v for k, v in (params or {}).items() if f"${k}" in text}
    if f"{MACRO_CATALOG}." in text:
        define_macros(con)
    return parsed(text), used


def query(con: Connection, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run one named query and return every row as a DataFrame."""
    statement, used = _prepared(con, name, params)
    return con.cursor().execute(statement, used).df()


def query_row(con: Connection, name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one row a named query returns (an aggregate's), by column name, as Python values
    (dates as dates, NULL as None, DECIMAL as Decimal): a DataFrame for one row costs more
    than the query that fills it (about a millisecond, for spans and counts)."""
    statement, used = _prepared(con, name, params)
    result = con.cursor().execute(statement, used)
    row = result.fetchone()
    if row is None:
        raise LookupError(f"{name}.sql returned no row")
    return {column[0]: value for column, value in zip(result.description, row, strict=True)}


def query_arrow(con: Connection, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """`query` through Arrow: dates come as plain dates (not timestamps) and text straight
    into pandas' string columns, a third cheaper for thousands of rows with text. Decimals
    would come as Python Decimals: for queries that return none."""
    statement, used = _prepared(con, name, params)
    # `execute`, not `sql`: a relation is bound once to be made and again to run, ~1 ms more
    # for the won-deals query (DuckDB's advice to use `sql` is about the copy, which for a few
    # thousand rows costs less than that second binding; it is silenced for this module only).
    reader = con.cursor().execute(statement, used).to_arrow_reader()
    assert reader is not None  # a query's result: DuckDB types it as optional
    frame: pd.DataFrame = reader.read_all().to_pandas()
    return frame


warnings.filterwarnings(
    "ignore",
    message="Arrow output on a DB-API result",
    category=UserWarning,
    module=r"analytics\.queries",
)


_FRAMES_DB: list[duckdb.DuckDBPyConnection] = []
_FRAMES_LOCK = threading.Lock()


def _frames_db() -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB for queries over DataFrames (opened once per process)."""
    with _FRAMES_LOCK:
        if not _FRAMES_DB:
            _FRAMES_DB.append(duckdb.connect(":memory:", config=DUCKDB_CONFIG))
        return _FRAMES_DB[0]


def query_frames(
    name: str, frames: dict[str, pd.DataFrame], params: dict[str, Any] | None = None
) -> pd.DataFrame:
    """Run one named query over DataFrames, each seen by the SQL as a table of its key's name
    (a chart's summary of the very rows an indicator judged). Runs on a cursor of its own in a
    private in-memory DuckDB, so the store is not touched and threads do not share views."""
    text = sql(name)
    used = {k: v for k, v in (params or {}).items() if f"${k}" in text}
    cur = _frames_db().cursor()
    try:
        for view, frame in frames.items():
            cur.register(view, frame)
        return cur.execute(parsed(text), used).df()
    finally:
        cur.close()
