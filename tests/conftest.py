"""Shared fixtures: a fresh on-disk store per test, and where the real exports live."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics import store

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


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


def shared_file(*parts: str) -> Path:
    """A file under ../shared/data, or skip when the shared folder is not beside the repo."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not found: ../shared must sit beside the checkout")
    return path
