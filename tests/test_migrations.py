"""Migrations are literal and frozen: each one's SQL is pinned here, a new store has exactly
the schema of one created at version 1 and upgraded release by release, and migration 12
brings every stored fingerprint to the identity fields without moving any of them."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from analytics import importer, schema, store

# sha256 of each migration's statements joined by "\n;\n". A shipped migration must never
# change: stores already ran it and will not run it again, so an edit would make new stores
# differ from upgraded ones. Add the next migration instead (and its digest here).
DIGESTS = {
    1: "c4c2f4825ccf3345883e3a8c404343cf42dadc2a73c9d46d67f602a79d741a02",
    2: "bb37ab7c918404365df35a96a5b8e8da9fb4643b33c331fbfe9c4f467748b78c",
    3: "a6064d528a50b8ab1620411ed22e4b38c07d65c75ca39721206b83a1f9558b00",
    4: "c99afabf77500459631a5be57a34c415922714165c09f667ad845c1442878bfa",
    5: "bcd2cd6545b2fb84d3c512cd2e666879e7da2a7c2835667ec821f12d311cb984",
    6: "d9e5bfd8a4dd69b34c1da9da7fe7f9ee5ec262262439a881c7cd7b4b05af969e",
    7: "acb3f184014277ba1fb47203854002fff9f46460caed8a8ea52583d2a8047bd9",
    8: "4d78e18addd7c60405e6924bab2faca8e3649b2e3a9c25d44a8e280ae7d80dff",
    9: "250c6611bcaa571d837ae8a9e79e23bd70d969f586d0fc1b868eeb2f299f8119",
    10: "f7d5bb5b1d791233fa9a2c417165b94ec210b6b1c1a52d93a2740baf8cc00a32",
    11: "81ef78856fb402307bac525a5b3956e6bd9a5f56ca14bcfc40ca85ba554e733f",
    12: "41de48aa5ba09adcb3bcd171c4ec130bb9b49baded3df44d180ee9b3f02380ea",
    13: "11ba49b417d17918af52bc71bd6116a2f8b1f239e5d955ee0698de3e39d1e98d",
    14: "132c068cbad27928c4bca58fc2b6328592dfa41e66f4a10ea119c77e807cf2c2",
    15: "1287557bc92d1dc16c01f9d48232a50d4c7eb55066167c780b94ddf55633461a",
    16: "a716ae00401d8b46fb456b41bd5586abc2c998a5527448219aaed6dc94f3760b",
    17: "6631ebcd7c451cc763e7ed60efaad91f914471741540498a88c88b9e38db5aaa",
    18: "bf3fea9839cca271b08b2703361c12a3a95f603cbcb9d8c7605c51e2f35d2bc0",
    19: "70149805876ccce5a39b9de216c8f67d462c65ad086775c3d9e723a3a1a6bdfe",
    20: "fc63a5971765a956afc3b33c74551d8036f78b66a15e9e600e5b83f9dd6ddcf2",
    21: "bfa6d2162fc5d42adb4217949f0b913742fc99425d5881f99f15ffec49e71c3a",
    22: "e4044cbd17dcd5ac746c966199e01668e934de74c5afcabea4f31298bd3f32f0",
}


def digest(statements: list[str]) -> str:
    return hashlib.sha256("\n;\n".join(statements).encode()).hexdigest()


def test_no_shipped_migration_changes() -> None:
    assert [v for v, _ in schema.MIGRATIONS] == list(range(1, schema.SCHEMA_VERSION + 1))
    assert {v: digest(stmts) for v, stmts in schema.MIGRATIONS} == DIGESTS


def schema_of(con: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a migration can make, in a fixed order."""
    queries = {
        "tables": "SELECT table_name, sql FROM duckdb_tables() ORDER BY table_name",
        "columns": "SELECT table_name, column_index, column_name, data_type, column_default, "
        "is_nullable FROM duckdb_columns() ORDER BY table_name, column_index",
        "indexes": "SELECT table_name, index_name, sql FROM duckdb_indexes() ORDER BY ALL",
        "views": "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY ALL",
        "macros": "SELECT function_name, macro_definition FROM duckdb_functions() "
        "WHERE function_type IN ('macro', 'table_macro') AND NOT internal ORDER BY ALL",
        "sequences": "SELECT sequence_name, start_value, increment_by FROM duckdb_sequences() "
        "ORDER BY ALL",
        "constraints": "SELECT table_name, constraint_type, constraint_text "
        "FROM duckdb_constraints() ORDER BY ALL",
    }
    return {name: con.execute(sql).fetchall() for name, sql in queries.items()}


def migrations_module() -> Any:
    return sys.modules[store.migrate.__module__]


def test_a_new_store_equals_one_upgraded_release_by_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = store.connect(tmp_path / "fresh.duckdb")
    want = schema_of(fresh)
    fresh.close()
    assert len(want["tables"]) >= 38 and len(want["columns"]) >= 300

    path = tmp_path / "old.duckdb"
    for version in range(1, schema.SCHEMA_VERSION + 1):
        # Opened by the release whose newest migration is `version`.
        monkeypatch.setattr(migrations_module(), "MIGRATIONS", schema.MIGRATIONS[:version])
        con = duckdb.connect(str(path))
        store.migrate(con)
        assert store.schema_version(con) == version
        con.close()
    monkeypatch.undo()
    con = store.connect(path)
    try:
        assert schema_of(con) == want
    finally:
        con.close()


def test_a_new_store_is_created_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new store takes every migration in one transaction: one that fails leaves none of
    # the others behind, and the next open creates the store from the start.
    path = tmp_path / "new.duckdb"
    broken = [*schema.MIGRATIONS, (schema.SCHEMA_VERSION + 1, ["SELECT no_such_column"])]
    monkeypatch.setattr(migrations_module(), "MIGRATIONS", broken)
    monkeypatch.setattr(migrations_module(), "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    con = duckdb.connect(str(path))
    with pytest.raises(duckdb.BinderException):
        store.migrate(con)
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == {"schema_version"}
    assert store.schema_version(con) == 0
    con.close()
    monkeypatch.undo()
    con = store.connect(path)
    try:
        assert store.schema_version(con) == schema.SCHEMA_VERSION
        assert len(con.execute("SELECT * FROM schema_version").fetchall()) == len(schema.MIGRATIONS)
    finally:
        con.close()


def test_migration_12_brings_old_fingerprints_to_the_identity_fields(
    db_file: Path, tmp_path: Path
) -> None:
    text = "Date,Customer,Amount\n2025-01-05,Acme,100.00\n2025-01-05,Acme,100.00\n"
    path = tmp_path / "jan.csv"
    path.write_text(text)
    con = store.connect(db_file)
    ws = store.create_workspace(con, "Old").id
    importer.import_file(con, ws, path)
    right = con.execute("SELECT row_fp, occurrence FROM invoices ORDER BY source_row").fetchall()
    # Back to schema 11, with the first line fingerprinted the way the trap did: over a field
    # added later (as if a release had put a purchase-order number into every fingerprint).
    con.execute("DELETE FROM schema_version WHERE version = 12")
    con.execute(
        "UPDATE invoices SET row_fp = md5_number('2025-01-05' || chr(31) || 'Acme' || chr(31) "
        "|| '100.0000' || repeat(chr(31) || chr(30), 5)) WHERE source_row = 2"
    )
    assert con.execute("SELECT row_fp FROM invoices ORDER BY source_row").fetchall() != [
        (fp,) for fp, _ in right
    ]
    con.close()

    con = store.connect(db_file)  # migration 12 runs
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION == 22
        after = con.execute("SELECT row_fp, occurrence FROM invoices ORDER BY source_row")
        assert after.fetchall() == right
        # Another export with the same two lines and one more adds only the new one.
        longer = tmp_path / "jan_feb.csv"
        longer.write_text(text + "2025-02-03,Acme,70.00\n")
        result = importer.import_file(con, ws, longer)
        assert (result.rows_imported, result.duplicates_skipped) == (1, 2)
    finally:
        con.close()


def test_migrations_12_and_20_change_nothing_on_a_store_opening_day_wrote(demo_db: Path) -> None:
    con = store.connect(demo_db)
    try:
        tables = ("customers", "invoices", "deals", "time_entries", "activities", "tickets")
        before = {t: con.execute(f"SELECT sum(hash(row_fp)) FROM {t}").fetchall() for t in tables}
        numbered = con.execute(
            "SELECT sum(hash(row_fp, occurrence, batch_id, source_row)) FROM tickets"
        ).fetchall()
        [v12] = [s for v, s in schema.MIGRATIONS if v == 12]
        changed = {s.split()[1]: con.execute(s).fetchall()[0][0] for s in v12}
        # version 1 fingerprinted a ticket's resolved day and hours too; only tickets move
        assert {t: n for t, n in changed.items() if n} == {
            "tickets": con.execute("SELECT count(*) FROM tickets").fetchall()[0][0]
        }
        [v20] = [s for v, s in schema.MIGRATIONS if v == 20]
        for stmt in v20[1:]:  # tickets back to version 2, numbered as they were
            con.execute(stmt)
        assert (
            con.execute(
                "SELECT sum(hash(row_fp, occurrence, batch_id, source_row)) FROM tickets"
            ).fetchall()
            == numbered
        )
        assert {
            t: con.execute(f"SELECT sum(hash(row_fp)) FROM {t}").fetchall() for t in tables
        } == (before)
    finally:
        con.close()
