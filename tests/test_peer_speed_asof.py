"""The last real days kept per store, workspace and data version (`asof.last_days`): a fresh
indicator context on unchanged data reads them without scanning the dated tables again, and
never gets a stale day after an import, an undo, a settings change, rows written without a
batch, a new day, or the workspace's deletion."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from analytics import asof, importer, indicators, store
from analytics.settings import save_settings
from tests.conftest import insert_rows


def write_invoices(folder: Path, name: str, rows: list[tuple[str, str, float]]) -> Path:
    path = folder / name
    lines = ["date,customer,amount", *(f"{d},{c},{a}" for d, c, a in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_invoices(
    con: store.Connection, ws: int, folder: Path, name: str, rows: list[tuple[str, str, float]]
) -> int:
    result = importer.import_file(con, ws, write_invoices(folder, name, rows), entity="invoices")
    assert result.rows_imported == len(rows)
    batch: int = result.batch_id
    return batch


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the scans of the dated tables (`asof._read_last_days`)."""
    calls: list[int] = []
    real = asof._read_last_days

    def counting(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(asof, "_read_last_days", counting)
    return calls


def invoice_day(con: store.Connection, ws: int) -> date | None:
    """A fresh context's last invoice day, as every figure on invoices anchors on it."""
    ctx = indicators.context(con, ws)
    assert ctx is not None
    return ctx.last_day("invoices")


def test_a_new_context_never_sees_a_stale_day_after_an_import_or_an_undo(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path, reads: list[int]
) -> None:
    ws = workspace.id
    import_invoices(con, ws, tmp_path, "a.csv", [("2024-01-15", "A", 100), ("2024-03-15", "B", 50)])
    assert invoice_day(con, ws) == date(2024, 3, 15)
    assert len(reads) == 1
    # unchanged data: the next contexts read the kept days (no scan)
    assert invoice_day(con, ws) == date(2024, 3, 15)
    assert asof.last_days(con, ws)["deals"] is None
    assert len(reads) == 1
    # an import moves the day on at once
    later = import_invoices(con, ws, tmp_path, "b.csv", [("2024-05-20", "A", 70)])
    assert invoice_day(con, ws) == date(2024, 5, 20)
    assert len(reads) == 2
    # undoing it moves the day back
    store.undo_batch(con, ws, later)
    assert invoice_day(con, ws) == date(2024, 3, 15)
    assert len(reads) == 3
    # a settings change is a new version too: read again, same day
    save_settings(con, ws, {"currency": "EUR"})
    assert invoice_day(con, ws) == date(2024, 3, 15)
    assert len(reads) == 4


def test_rows_written_without_a_batch_are_seen_too(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    ws = workspace.id
    import_invoices(con, ws, tmp_path, "a.csv", [("2024-03-15", "A", 100)])
    assert invoice_day(con, ws) == date(2024, 3, 15)
    assert asof.last_days(con, ws)["tickets"] is None
    insert_rows(con, "tickets", [{"opened": date(2024, 4, 2), "customer": "A"}], ws)
    insert_rows(con, "invoices", [{"date": date(2024, 6, 1), "customer": "A", "amount": 5}], ws)
    days = asof.last_days(con, ws)
    assert (days["invoices"], days["tickets"]) == (date(2024, 6, 1), date(2024, 4, 2))
    assert asof.last_data_day(con, ws) == date(2024, 6, 1) == store.last_data_date(con, ws)


def test_a_day_after_today_counts_once_today_reaches_it(
    con: store.Connection,
    workspace: store.Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reads: list[int],
) -> None:
    ws = workspace.id
    import_invoices(con, ws, tmp_path, "a.csv", [("2024-03-15", "A", 100), ("2024-05-20", "B", 9)])
    monkeypatch.setattr(store, "today", lambda: date(2024, 4, 1))
    assert invoice_day(con, ws) == date(2024, 3, 15)
    monkeypatch.setattr(store, "today", lambda: date(2024, 6, 1))
    assert invoice_day(con, ws) == date(2024, 5, 20)
    assert len(reads) == 2


def test_nothing_read_inside_a_rolled_back_write_is_kept(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    ws = workspace.id
    import_invoices(con, ws, tmp_path, "a.csv", [("2024-03-15", "A", 100)])
    assert asof.last_days(con, ws)["invoices"] == date(2024, 3, 15)
    with pytest.raises(RuntimeError), store.transaction(con) as tx:
        tx.execute(
            "INSERT INTO invoices (workspace_id, date, customer, amount) "
            "VALUES ($w, DATE '2024-09-09', 'A', 1)",
            {"w": ws},
        )
        # the write sees its own row…
        assert asof.last_days(tx, ws)["invoices"] == date(2024, 9, 9)
        raise RuntimeError("changed my mind")
    # …and once it rolls back, nobody else does
    assert asof.last_days(con, ws)["invoices"] == date(2024, 3, 15)
    assert invoice_day(con, ws) == date(2024, 3, 15)


def test_a_deleted_workspace_has_no_days(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    ws = workspace.id
    import_invoices(con, ws, tmp_path, "a.csv", [("2024-03-15", "A", 100)])
    assert asof.last_data_day(con, ws) == date(2024, 3, 15)
    store.delete_workspace(con, "Test Co")
    assert asof.last_days(con, ws) == dict.fromkeys(store.ENTITY_DATE)
    assert asof.last_data_day(con, ws) is None
    assert indicators.context(con, ws) is None


def test_kept_days_are_per_workspace(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    other = store.create_workspace(con, "Other Co").id
    import_invoices(con, workspace.id, tmp_path, "a.csv", [("2024-03-15", "A", 100)])
    import_invoices(con, other, tmp_path, "b.csv", [("2023-07-01", "Z", 100)])
    assert asof.last_days(con, workspace.id)["invoices"] == date(2024, 3, 15)
    assert asof.last_days(con, other)["invoices"] == date(2023, 7, 1)
    ends = asof.source_ends(con, other, ["invoices", "deals"])
    assert ends == [asof.SourceEnd("invoices", date(2023, 7, 1))]
