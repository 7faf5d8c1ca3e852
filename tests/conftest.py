"""Shared fixtures: a fresh on-disk store per test, and where the real exports live."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analytics import store

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "hand_worked(indicator_id): the test asserts that indicator's value worked out by hand "
        "on a few rows (tests/test_registry_contract.py wants one for every registered indicator)",
    )


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture
def con(db_file: Path) -> Iterator[store.Connection]:
    connection = store.connect(db_file)
    yield connection
    connection.close()


@pytest.fixture
def workspace(con: store.Connection) -> store.Workspace:
    return store.create_workspace(con, "Test Co")


def in_ci() -> bool:
    """Whether this run is CI's: $CI set to anything but empty, 0, false or no (CI services
    and .ci/run set CI=true)."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def shared_file(*parts: str) -> Path:
    """A file under ../shared/data. Missing, it skips the test on a developer's machine; in CI
    the real exports are part of the contract, so a missing one fails the test instead of
    quietly skipping it."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"{path} not found: ../shared must sit beside the checkout"
        if in_ci():
            pytest.fail(f"{message} (CI={os.environ['CI']}: the real exports are required)")
        pytest.skip(message)
    return path


def insert_rows(con: store.Connection, table: str, rows: list[dict[str, Any]], ws: int) -> None:
    """Hand-written rows as dicts into one entity table, then what an import does after
    writing rows (`store.refresh_facts`). Deals get batch 1 and their row number, as an import
    gives them (deals_current keeps the latest batch's version of each deal)."""
    for n, row in enumerate(rows, start=1):
        if table == "deals":
            row = {"batch_id": 1, "source_row": n, **row}
        cols = ", ".join(["workspace_id", *row])
        marks = ", ".join(["$workspace_id", *(f"${k}" for k in row)])
        con.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", {"workspace_id": ws, **row})
    store.refresh_facts(con, ws)


# ---------------------------------------------------------------- AppTest fixtures


@pytest.fixture
def fresh_streamlit(db_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """For AppTest: a store file of this test's own, and no cache or connection left from
    another test. Page test modules use it with `pytest.mark.usefixtures`."""
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager

    monkeypatch.setenv(store.DB_ENV, str(db_file))
    # AppTest re-derives "is this a pages/-folder app?" on every run and, finding pages/,
    # would rerun only the page, skipping app.py (and its sidebar). A real server settles
    # this once, when app.py calls st.navigation; do the same here.
    original_init = PagesManager.__init__

    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
    st.cache_data.clear()
    st.cache_resource.clear()  # closes the previous test's connection (on_release)
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


# ---------------------------------------------------------------- the demo business


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo business (`load_demo` defaults: small scale, seed 42), built once per test
    session. Never write to it: a test that writes takes `demo_db`, its own copy; a test that
    only reads takes `demo_read`, the one read-only connection to it."""
    from analytics import demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    con = store.connect(path)
    demo.load_demo(con)
    con.close()
    return path


def copy_store(source: Path, target: Path) -> Path:
    """A store file and the files it keeps beside it (`<store>.wal`, `<store>.snapshot-key`,
    …) copied to `target`: contents only, so the copy gets this process's owner-only mode."""
    shutil.copyfile(source, target)
    for side in source.parent.glob(f"{source.name}.*"):
        shutil.copyfile(side, target.with_name(target.name + side.name[len(source.name) :]))
    return target


@pytest.fixture
def demo_db(demo_store: Path, db_file: Path) -> Path:
    """This test's own copy of the demo store, at `db_file` (where `fresh_streamlit` points
    the app): write to it freely."""
    return copy_store(demo_store, db_file)


@pytest.fixture(scope="session")
def demo_read(demo_store: Path) -> Iterator[store.Connection]:
    """A read-only connection to the session's demo store, shared by every test that only
    reads it (DuckDB refuses any write through it, so no test can change what the next one
    reads)."""
    connection = store.connect(demo_store, read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def demo_ws(demo_read: store.Connection) -> int:
    """The demo workspace's id in `demo_store` (and in every `demo_db` copy)."""
    from analytics import demo

    return store.get_workspace(demo_read, demo.DEMO_WORKSPACE).id


@pytest.fixture
def with_workspace(db_file: Path) -> store.Workspace:
    con = store.connect(db_file)
    try:
        return store.create_workspace(con, "Harbour IT")
    finally:
        con.close()


@pytest.fixture
def invoices_only(db_file: Path) -> Path:
    """A workspace holding nothing but two years of invoices for three customers."""
    con = store.connect(db_file)
    ws = store.create_workspace(con, "Invoices Only")
    con.execute(
        """INSERT INTO invoices (workspace_id, date, customer, amount)
        SELECT $w, d::DATE, 'C' || (i % 3), 100 + i
        FROM generate_series(DATE '2023-07-01', DATE '2025-06-30', INTERVAL 7 DAY) WITH ORDINALITY t(d, i)""",
        {"w": ws.id},
    )
    store.reconcile_customers(con.cursor(), ws.id)
    store.refresh_facts(con.cursor(), ws.id)
    con.close()
    return db_file


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The figures each real computation of indicator results computed (`stored.compute_many`),
    in order: a test sees what was computed again and what was read back kept."""
    from analytics import indicators
    from analytics.indicators import stored

    calls: list[list[str]] = []
    real = stored.compute_many

    def counting(
        chosen: list[indicators.Indicator], ctx: indicators.Context
    ) -> dict[str, indicators.Result]:
        calls.append([i.id for i in chosen])
        return real(chosen, ctx)

    monkeypatch.setattr(stored, "compute_many", counting)
    return calls
