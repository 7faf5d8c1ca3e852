"""The import's memory budget (issue 12): DuckDB is held to IMPORT_MEMORY_BYTES while an
import runs, gives back the limit it had, never raises a lower one, and stores the same rows
however small the budget."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from analytics import importer, store
from analytics.importer import batch

ROWS = (
    "Invoice Date,Customer Name,Amount,Invoice No,Service\n"
    '8/7/2024,Customer 3697,"$1,926.32",INV-0100000,Projects\n'
    "6/6/2025,Acme Ltd,(120.00),INV-0100001,Managed services\n"
    "1/15/2023,Beta GmbH,1234.5,,\n"
)


@pytest.fixture
def con(tmp_path: Path) -> store.Connection:
    return store.connect(tmp_path / "store.duckdb")


def _limit(con: store.Connection) -> str:
    return str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])


def _import(con: store.Connection, path: Path, seen: list[str] | None = None) -> list[tuple]:
    ws = store.ensure_workspace(con, "Acme")

    def progress(fraction: float, label: str) -> None:
        if seen is not None and label == "Saving the rows":
            seen.append(_limit(con))

    importer.import_file(con, ws.id, path, entity="invoices", progress=progress)
    return con.execute(
        "SELECT source_row, date, customer, amount, invoice_no, product, row_fp, occurrence "
        "FROM invoices ORDER BY source_row"
    ).fetchall()


def test_bytes_reads_duckdb_words() -> None:
    assert batch._bytes("953.6 MiB") == pytest.approx(953.6 * 1024**2)
    assert batch._bytes("18.7 GiB") == pytest.approx(18.7 * 1024**3)
    assert batch._bytes("512 B") == 512
    assert batch._bytes("no limit") == float("inf")


def test_limit_lowered_during_the_import_and_given_back(
    con: store.Connection, tmp_path: Path
) -> None:
    path = tmp_path / "jan.csv"
    path.write_text(ROWS)
    before = _limit(con)
    assert batch._bytes(before) > batch.IMPORT_MEMORY_BYTES  # the default: 80% of the machine
    seen: list[str] = []
    rows = _import(con, path, seen)
    assert len(rows) == 3
    # 1,000,000,000 bytes = 953.6 MiB, as DuckDB writes it
    assert seen == ["953.6 MiB"]
    assert _limit(con) == before


def test_a_lower_limit_is_kept(con: store.Connection, tmp_path: Path) -> None:
    path = tmp_path / "jan.csv"
    path.write_text(ROWS)
    con.execute("SET memory_limit = '500MB'")
    seen: list[str] = []
    _import(con, path, seen)
    assert seen == ["476.8 MiB"] == [_limit(con)]


def test_a_tiny_budget_stores_the_same_rows(
    con: store.Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "many.csv"
    lines = [ROWS.splitlines()[0]]
    for i in range(30_000):
        lines.append(
            f'{1 + i % 12}/{1 + i % 28}/2024,Customer {i % 997},"${i:,}.{i % 100:02d}",'
            f"INV-{i // 3},Projects"
        )
    path.write_text("\n".join(lines) + "\n")
    roomy = _import(con, path)
    other = store.connect(tmp_path / "other.duckdb")
    monkeypatch.setattr(batch, "IMPORT_MEMORY_BYTES", 32 * 1024**2)
    seen: list[str] = []
    tight = _import(other, path, seen)
    assert seen == ["32.0 MiB"]
    assert len(tight) == 30_000
    assert tight == roomy
    # row 2 of the file: 1/1/2024, "$0.00"; row 30,001: i = 29,999
    assert (tight[0][3], tight[-1][3]) == (Decimal("0.00"), Decimal("29999.99"))
