"""Run the named SQL files in analytics/sql/ with DuckDB parameters."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from analytics.store import Connection

SQL_DIR = Path(__file__).resolve().parent / "sql"


@cache
def sql(name: str) -> str:
    """The text of analytics/sql/<name>.sql (names come from code, never from input)."""
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no SQL file {name}.sql in {SQL_DIR}")
    return path.read_text(encoding="utf-8")


def query(con: Connection, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run one named query and return every row as a DataFrame."""
    text = sql(name)
    # DuckDB refuses parameters the query does not use: pass only those it names.
    used = {k: v for k, v in (params or {}).items() if f"${k}" in text}
    return con.cursor().execute(text, used).df()
