"""Writes compose: `transaction(tx)` on a connection already in a transaction joins it, so
a write made of parts from several modules is one change, kept or undone as a whole."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from analytics import importer, store
from analytics.errors import StoreError, WorkspaceError


def names(con: store.Connection) -> list[str]:
    return [w.name for w in store.list_workspaces(con)]


def test_a_joined_part_commits_only_with_the_outer_write(con: store.Connection) -> None:
    seq = store.journal_seq(con)
    with store.transaction(con) as tx:
        with store.transaction(tx) as inner:
            assert inner is tx  # joined, not a transaction of its own
            a = store.create_workspace(inner, "Alpha")
        # The part's write is seen inside the write (create_workspace read it back) ...
        assert (a.name, names(tx)) == ("Alpha", ["Alpha"])
        # ... and nowhere else until the outer write commits.
        assert names(con) == []
        store.create_workspace(tx, "Beta")
        assert store.in_transaction(tx)
    assert not store.in_transaction(tx)
    assert names(con) == ["Alpha", "Beta"]
    assert store.journal_seq(con) == seq + 1  # one change, counted once


def test_an_error_in_a_part_undoes_the_whole_write(con: store.Connection) -> None:
    store.create_workspace(con, "Kept")
    seq = store.journal_seq(con)
    with pytest.raises(RuntimeError, match="power cut"), store.transaction(con) as tx:
        store.create_workspace(tx, "Alpha")
        with store.transaction(tx) as inner:
            store.rename_workspace(inner, "Kept", "Renamed")
            raise RuntimeError("power cut")
    assert names(con) == ["Kept"]
    assert store.journal_seq(con) == seq


def test_a_part_that_failed_cannot_be_caught_and_committed(con: store.Connection) -> None:
    saved = r"Nothing of this change was saved.*WorkspaceError"
    with pytest.raises(StoreError, match=saved), store.transaction(con) as tx:
        store.create_workspace(tx, "Alpha")
        with contextlib.suppress(WorkspaceError):  # taken: this part fails, and is caught
            store.create_workspace(tx, "Alpha")
        store.create_workspace(tx, "Beta")
    assert names(con) == []
    # The store is usable afterwards, and a write on its own still commits.
    store.create_workspace(con, "Gamma")
    assert names(con) == ["Gamma"]


def test_undo_and_import_compose_into_one_write(con: store.Connection, tmp_path: Path) -> None:
    ws = store.create_workspace(con, "Books").id
    path = tmp_path / "jan.csv"
    path.write_text("Date,Customer,Amount\n2025-01-05,Acme,100.00\n2025-01-20,Beta,50.00\n")
    batch = importer.import_file(con, ws, path).batch_id
    assert batch is not None
    counts = store.entity_counts(con, ws)
    with pytest.raises(RuntimeError, match="after the undo"), store.transaction(con) as tx:
        store.undo_batch(tx, ws, batch)
        # The undo is seen inside the write: no invoices, no customers named by them.
        assert store.entity_counts(tx, ws)["invoices"] == 0
        assert store.entity_counts(tx, ws)["customers"] == 0
        raise RuntimeError("after the undo")
    assert store.entity_counts(con, ws) == counts == {**counts, "invoices": 2, "customers": 2}
    assert store.get_batch(con, ws, batch).undone_at is None
