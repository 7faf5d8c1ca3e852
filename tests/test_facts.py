"""The fact tables always hold what their SQL computes: customers_current and deals_current
(what the views they replaced computed) and the summaries of migration 15 (invoice_days,
activity_weeks, category_weeks, person_weeks, deal_hours, deal_facts): in a new store and an
upgraded one, after every import, undo, replace and delete, for the workspace that changed
and no other; and the demo's figures are the same either way."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from analytics import importer, schema, store
from analytics.errors import RowsRejected
from analytics.indicators import compute_all
from tests.files import write

FACT_TABLES = [fact.table for fact in schema.FACTS]
# The two that were views before migration 11.
VIEW_TABLES = ["customers_current", "deals_current"]


def computed(con: store.Connection, table: str, ws: int) -> list[tuple[Any, ...]]:
    """What the old view gave for one workspace: its SQL (migrations 1 and 10) run directly."""
    [fact] = [f for f in schema.FACTS if f.table == table]
    return (
        con.cursor()
        .execute(f"SELECT * FROM ({fact.refresh_sql()}) ORDER BY ALL", {"w": ws})
        .fetchall()
    )


def kept(con: store.Connection, table: str, ws: int) -> list[tuple[Any, ...]]:
    # Same column order as the view: every column named, in the view's order.
    [fact] = [f for f in schema.FACTS if f.table == table]
    names = [
        d[0] for d in con.cursor().execute(f"SELECT * FROM ({fact.select('')}) LIMIT 0").description
    ]
    return (
        con.cursor()
        .execute(
            f"SELECT {', '.join(names)} FROM {table} WHERE workspace_id = $w ORDER BY ALL",
            {"w": ws},
        )
        .fetchall()
    )


def assert_current(con: store.Connection, *workspaces: int) -> None:
    for ws in workspaces:
        for table in FACT_TABLES:
            assert kept(con, table, ws) == computed(con, table, ws), (table, ws)


def columns(con: store.Connection, table: str) -> list[tuple[str, str]]:
    return (
        con.cursor()
        .execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = $t ORDER BY ordinal_position",
            {"t": table},
        )
        .fetchall()
    )


# ---------------------------------------------------------------- new and upgraded stores


SCHEMA_10_ROWS = [
    # customers: Acme's segment changes in batch 2, its region only in batch 1; Beta is auto
    "INSERT INTO customers (workspace_id, batch_id, customer, segment, region) VALUES "
    "(1, 1, 'Acme', 'Dental', 'North'), (1, 2, 'Acme', 'Legal', NULL), (2, 3, 'Acme', 'Retail', NULL)",
    "INSERT INTO customers (workspace_id, customer, auto) VALUES (1, 'Beta', TRUE)",
    # deals: D1 is open in batch 1 and won in batch 2; D2 appears twice in one batch
    "INSERT INTO deals (workspace_id, batch_id, source_row, deal_id, status, value) VALUES "
    "(1, 1, 1, 'D1', 'open', 10), (1, 2, 1, 'D1', 'won', 12), "
    "(1, 2, 2, 'D2', 'open', 5), (1, 2, 3, 'D2', 'lost', 5), (2, 3, 1, 'D1', 'open', 99)",
]


def old_store(path: Path, version: int, rows: list[str]) -> duckdb.DuckDBPyConnection:
    """A store as schema `version` left it, holding `rows` (open, for the caller to close)."""
    raw = duckdb.connect(str(path))
    raw.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)")
    for number, statements in store.MIGRATIONS:
        if number > version:
            continue
        for stmt in statements:
            raw.execute(stmt)
        raw.execute("INSERT INTO schema_version (version) VALUES (?)", [number])
    for stmt in rows:
        raw.execute(stmt)
    return raw


def test_an_upgraded_store_holds_what_a_new_one_computes(tmp_path: Path) -> None:
    # A store as schema 10 left it (the facts were views), with rows in two workspaces.
    path = tmp_path / "v10.duckdb"
    raw = old_store(path, 10, SCHEMA_10_ROWS)
    views = {
        table: raw.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in VIEW_TABLES
    }
    raw.close()

    con = store.connect(path)  # migration 11 turns the views into tables and fills them
    fresh = store.connect(":memory:")
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION >= 11
        for table in VIEW_TABLES:
            assert con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() == views[table]
            assert columns(con, table) == columns(fresh, table)
        assert con.execute(
            "SELECT segment, region FROM customers_current WHERE workspace_id = 1 "
            "AND customer = 'Acme'"
        ).fetchall() == [("Legal", "North")]
        assert con.execute(
            "SELECT deal_id, status FROM deals_current WHERE workspace_id = 1 ORDER BY 1"
        ).fetchall() == [("D1", "won"), ("D2", "lost")]
        assert_current(con, 1, 2)
        # The same rows written into a new store and refreshed give the same tables.
        for stmt in SCHEMA_10_ROWS:
            fresh.execute(stmt)
        for ws in (1, 2):
            store.refresh_facts(fresh, ws)
        for table in VIEW_TABLES:
            assert fresh.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() == views[table]
    finally:
        con.close()
        fresh.close()


def test_the_migrations_before_11_are_unchanged() -> None:
    # Never edit a shipped migration: the views' SQL is now built from the facts' selects.
    [v1] = [s for v, s in schema.MIGRATIONS if v == 1]
    assert schema.DEALS_CURRENT_SQL in v1 and schema._customers_current_sql() in v1
    assert (
        "row_number() OVER (\n    PARTITION BY workspace_id, deal_id ORDER BY batch_id DESC, "
        "source_row DESC) AS rn\n  FROM deals)\nWHERE rn = 1" in schema.DEALS_CURRENT_SQL
    )


# ---------------------------------------------------------------- every write keeps them current


CUSTOMERS = "Customer,Segment,Region\nAcme,Dental,North\nBeta,Legal,South\n"
CUSTOMERS_2 = "Customer,Segment\nAcme,Retail\n"
INVOICES = "Date,Customer,Amount\n2025-01-05,Acme,100\n2025-01-06,Gamma,50\n"
DEALS = "Deal ID,Customer,Status,Value,Created\nD1,Acme,open,100,2025-01-02\nD2,Delta,open,50,2025-01-03\n"
DEALS_2 = "Deal ID,Customer,Status,Value,Created,Closed\nD1,Acme,won,120,2025-01-02,2025-02-01\n"
# Acme is first invoiced on 5 Jan 2025 (INVOICES): the call on 3 Jan went to a non-customer,
# the one on 7 Jan to a customer; the meeting gives no minutes.
ACTIVITIES = (
    "Date,Type,Customer,Minutes\n2025-01-03,Call,Acme,10\n2025-01-07,Call,Acme,20\n"
    "2025-01-08,Meeting,Acme,\n"
)
# 6 Jan 2025 is a Monday: the first two entries fall in its week, the third in the next.
TIME_ENTRIES = (
    "Date,Person,Hours,Deal ID,Category\n2025-01-06,Ann,1.5,D1,Presales\n"
    "2025-01-06,Ann,2,D1,Delivery\n2025-01-13,Bob,-1,D1,Delivery\n"
)


def test_imports_undos_replaces_and_deletes_keep_the_facts_current(
    con: store.Connection, tmp_path: Path
) -> None:
    a = store.create_workspace(con, "A").id
    b = store.create_workspace(con, "B").id
    # B holds data throughout: nothing done to A may touch its facts.
    importer.import_file(con, b, write(tmp_path, "b.csv", CUSTOMERS), entity="customers")
    importer.import_file(con, b, write(tmp_path, "bd.csv", DEALS), entity="deals")
    importer.import_file(con, b, write(tmp_path, "bi.csv", INVOICES), entity="invoices")
    importer.import_file(con, b, write(tmp_path, "ba.csv", ACTIVITIES), entity="activities")
    importer.import_file(con, b, write(tmp_path, "bt.csv", TIME_ENTRIES), entity="time_entries")
    b_facts = {t: kept(con, t, b) for t in FACT_TABLES}
    assert len(b_facts["customers_current"]) == 4 and len(b_facts["deals_current"]) == 2
    assert all(b_facts[t] for t in FACT_TABLES)

    def check() -> None:
        assert_current(con, a, b)
        assert {t: kept(con, t, b) for t in FACT_TABLES} == b_facts

    importer.import_file(con, a, write(tmp_path, "c.csv", CUSTOMERS), entity="customers")
    check()
    second = importer.import_file(
        con, a, write(tmp_path, "c2.csv", CUSTOMERS_2), entity="customers"
    )
    check()
    assert con.execute(
        "SELECT segment, region FROM customers_current WHERE workspace_id = $w AND customer = 'Acme'",
        {"w": a},
    ).fetchall() == [("Retail", "North")]
    invoices = importer.import_file(con, a, write(tmp_path, "i.csv", INVOICES), entity="invoices")
    assert invoices.customers_created == 1  # Gamma
    check()
    deals = importer.import_file(con, a, write(tmp_path, "d.csv", DEALS), entity="deals")
    check()
    importer.import_file(con, a, write(tmp_path, "d2.csv", DEALS_2), entity="deals")
    check()
    activities = importer.import_file(
        con, a, write(tmp_path, "a.csv", ACTIVITIES), entity="activities"
    )
    check()
    times = importer.import_file(
        con, a, write(tmp_path, "t.csv", TIME_ENTRIES), entity="time_entries"
    )
    check()
    # Replace the time entries with the file read with the people as categories: no presales.
    times = importer.import_file(
        con,
        a,
        write(tmp_path, "t.csv", TIME_ENTRIES),
        entity="time_entries",
        mapping={"category": "Person"},
        replace=True,
    )
    check()
    assert con.execute(
        "SELECT count(*) FILTER (WHERE presales), sum(hours) FROM deal_hours WHERE workspace_id = $w",
        {"w": a},
    ).fetchall() == [(0, 3.5)]
    store.undo_batch(con, a, times.batch_id)
    check()
    store.undo_batch(con, a, activities.batch_id)
    check()
    assert con.execute(
        "SELECT deal_id, status, value FROM deals_current WHERE workspace_id = $w ORDER BY 1",
        {"w": a},
    ).fetchall() == [("D1", "won", 120), ("D2", "open", 50)]

    # Replace: the same file read with another mapping, in one transaction.
    path = write(tmp_path, "d.csv", DEALS)
    replaced = importer.import_file(
        con,
        a,
        path,
        entity="deals",
        mapping={"deal_id": "Deal ID", "status": "Status"},
        replace=True,
    )
    assert replaced.replaced_batch == deals.batch_id
    check()
    # Undo: a deals batch (the newer D1 goes back), a customers batch, the invoices (Gamma goes).
    store.undo_batch(con, a, replaced.batch_id)
    check()
    store.undo_batch(con, a, second.batch_id)
    check()
    store.undo_batch(con, a, invoices.batch_id)
    check()
    # Without invoices Acme is nobody's customer yet: its call on 7 Jan counts as prospecting.
    importer.import_file(con, a, write(tmp_path, "a2.csv", ACTIVITIES), entity="activities")
    check()
    assert con.execute(
        "SELECT count(*) FILTER (WHERE to_non_customer) FROM activity_weeks WHERE workspace_id = $w",
        {"w": a},
    ).fetchall() == [(3,)]
    names = con.execute(
        "SELECT customer FROM customers_current WHERE workspace_id = $w ORDER BY 1", {"w": a}
    ).fetchall()
    assert names == [("Acme",), ("Beta",)]  # Gamma and Delta went with the batches naming them
    store.delete_workspace(con, "A")
    for table in FACT_TABLES:
        assert con.execute(
            f"SELECT count(*) FROM {table} WHERE workspace_id = $w", {"w": a}
        ).fetchall() == [(0,)]
    check()


def test_a_failed_replace_leaves_the_facts_as_they_were(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    ws = workspace.id
    path = write(tmp_path, "d.csv", DEALS)
    importer.import_file(con, ws, path, entity="deals")
    before = {t: kept(con, t, ws) for t in FACT_TABLES}
    # The replace undoes the batch (and refreshes the facts) before the values are refused:
    # the whole transaction goes, the refresh with it.
    with pytest.raises(RowsRejected):
        importer.import_file(
            con,
            ws,
            path,
            entity="deals",
            mapping={"deal_id": "Deal ID", "status": "Status", "value": "Customer"},
            replace=True,
        )
    assert {t: kept(con, t, ws) for t in FACT_TABLES} == before
    assert_current(con, ws)


def test_the_demo_is_loaded_with_its_facts(demo_db: Path) -> None:
    con = store.connect(demo_db)
    try:
        [ws] = store.list_workspaces(con)
        assert_current(con, ws.id)
        assert store.entity_counts(con, ws.id)["deals"] > 0
    finally:
        con.close()


# ---------------------------------------------------------------- the same figures


def test_the_demo_figures_are_the_same_as_with_the_views(demo_db: Path, tmp_path: Path) -> None:
    with_views = tmp_path / "views.duckdb"
    shutil.copy(demo_db, with_views)
    con = store.connect(demo_db)
    try:
        [ws] = store.list_workspaces(con)
        tables = compute_all(con, ws.id)
    finally:
        con.close()
    con = store.connect(with_views)
    try:
        for table in VIEW_TABLES:  # back to the views every query recomputed
            con.execute(f"DROP TABLE {table}")
        con.execute(schema._customers_current_sql())
        con.execute(schema.DEALS_CURRENT_SQL)
        views = compute_all(con, ws.id)
    finally:
        con.close()
    assert tables.keys() == views.keys()
    for key, result in tables.items():
        other = views[key]
        assert (result.status, result.message) == (other.status, other.message), key
        if result.value is None:
            assert other.value is None, key
        else:  # sums in parallel threads may differ in the last bits
            assert result.value == pytest.approx(other.value, rel=1e-12), key


# ---------------------------------------------------------------- the summaries (migration 15)

INVOICES_SAME_DAY = (
    "Date,Customer,Amount\n2025-01-05,Acme,100\n2025-01-05,Acme,20.50\n2025-01-06,Gamma,50\n"
)


def test_the_summaries_hold_the_rows_added_up_by_hand(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    ws = workspace.id
    for entity, text in [
        ("invoices", INVOICES_SAME_DAY),
        ("deals", DEALS_2),
        ("activities", ACTIVITIES),
        ("time_entries", TIME_ENTRIES),
    ]:
        importer.import_file(con, ws, write(tmp_path, f"{entity}.csv", text), entity=entity)
    rows = {
        t: con.execute(
            f"SELECT * EXCLUDE (workspace_id) FROM {t} WHERE workspace_id = $w ORDER BY ALL",
            {"w": ws},
        ).fetchall()
        for t in ("invoice_days", "activity_weeks", "category_weeks", "person_weeks", "deal_hours")
    }
    # Acme's two lines on 5 Jan are one day: 120.50 in 2 lines.
    assert [(c, d.isoformat(), float(a), n) for c, d, a, n in rows["invoice_days"]] == [
        ("Acme", "2025-01-05", 120.5, 2),
        ("Gamma", "2025-01-06", 50.0, 1),
    ]
    # 3 Jan 2025 (a Friday) is in the week of Monday 30 Dec; Acme was first invoiced on
    # 5 Jan, so only that call went to a non-customer. The meeting gave no minutes.
    assert [(w.isoformat(), *rest) for w, *rest in rows["activity_weeks"]] == [
        ("2024-12-30", "Call", True, 10.0, 0, 1),
        ("2025-01-06", "Call", False, 20.0, 0, 1),
        ("2025-01-06", "Meeting", False, None, 1, 1),
    ]
    # The -1 hours entry counts as an entry but adds no hours.
    assert [(w.isoformat(), *rest) for w, *rest in rows["category_weeks"]] == [
        ("2025-01-06", "Delivery", 2.0, 1),
        ("2025-01-06", "Presales", 1.5, 1),
        ("2025-01-13", "Delivery", None, 1),
    ]
    # Ann's 1.5 + 2 in the week of 6 Jan; Bob's week holds only the -1.
    assert [(p, w.isoformat(), h) for p, w, h in rows["person_weeks"]] == [
        ("Ann", "2025-01-06", 3.5),
        ("Bob", "2025-01-13", None),
    ]
    assert [(d, day.isoformat(), *rest) for d, day, *rest in rows["deal_hours"]] == [
        ("D1", "2025-01-06", False, 2.0, 1),
        ("D1", "2025-01-06", True, 1.5, 1),
        ("D1", "2025-01-13", False, None, 1),
    ]
    # D1 (won 1 Feb): 1.5 h presales, 2 h delivery on 6 Jan, all before its close; the -1
    # on 13 Jan is no hours, so its last day with hours is 6 Jan.
    assert con.execute(
        "SELECT deal_id, owner, status, value, presales_logged, actual_hours, "
        "last_logged::varchar, before_close, last_day::varchar FROM deal_facts "
        "WHERE workspace_id = $w",
        {"w": ws},
    ).fetchall() == [
        ("D1", "(no salesperson)", "won", 120.0, 1.5, 2.0, "2025-01-06", 2.0, "2025-01-06")
    ]
    assert_current(con, ws)


SCHEMA_13_ROWS = [
    "INSERT INTO invoices (workspace_id, batch_id, date, customer, amount) VALUES "
    "(1, 1, '2025-01-05', 'Acme', 100), (1, 1, '2025-01-05', 'Acme', 20.5), "
    "(1, 1, '2025-01-06', NULL, 7), (1, 1, NULL, 'Acme', 9), (2, 2, '2025-01-05', 'Acme', 1)",
    "INSERT INTO activities (workspace_id, batch_id, date, type, customer, minutes) VALUES "
    "(1, 3, '2025-01-03', 'Call', 'Acme', 10), (1, 3, '2025-01-08', 'Call', 'Zed', NULL), "
    "(1, 3, NULL, 'Email', 'Acme', 5), (2, 4, '2025-01-03', 'Call', 'Acme', 30)",
    "INSERT INTO time_entries (workspace_id, batch_id, date, hours, deal_id, category) VALUES "
    "(1, 5, '2025-01-06', 1.5, 'D1', 'Pre-sales'), (1, 5, '2025-01-07', 2, 'D1', NULL), "
    "(1, 5, '2025-01-07', 4, NULL, 'Sales'), (2, 6, '2025-01-06', 8, 'D9', 'Presales')",
]


def test_migration_15_fills_the_summaries_of_an_upgraded_store(tmp_path: Path) -> None:
    # A store as schema 13 left it, with rows in two workspaces.
    path = tmp_path / "v13.duckdb"
    old_store(path, 13, SCHEMA_13_ROWS).close()

    con = store.connect(path)
    fresh = store.connect(":memory:")
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION >= 14
        assert_current(con, 1, 2)
        for table in FACT_TABLES:
            assert columns(con, table) == columns(fresh, table), table
        # Acme's 5 Jan: 120.50 in 2 lines; the line without a customer is a day of its own,
        # the undated one is left out.
        assert con.execute(
            "SELECT customer, amount, lines FROM invoice_days WHERE workspace_id = 1 ORDER BY ALL"
        ).fetchall() == [("Acme", 120.5, 2), (None, 7, 1)]
        # Zed was never invoiced: a non-customer; the undated email has no week, and whether
        # Acme was a customer then cannot be told.
        assert con.execute(
            "SELECT week_start::varchar, type, to_non_customer, minutes, minutes_missing "
            "FROM activity_weeks WHERE workspace_id = 1 ORDER BY ALL"
        ).fetchall() == [
            ("2024-12-30", "Call", True, 10.0, 0),
            ("2025-01-06", "Call", True, None, 1),
            (None, "Email", None, 5.0, 0),
        ]
        assert con.execute(
            "SELECT deal_id, presales, hours FROM deal_hours WHERE workspace_id = 1 ORDER BY ALL"
        ).fetchall() == [("D1", False, 2.0), ("D1", True, 1.5)]
        assert con.execute(
            "SELECT category, hours FROM category_weeks WHERE workspace_id = 1 ORDER BY ALL"
        ).fetchall() == [("Pre-sales", 1.5), ("Sales", 4.0), (None, 2.0)]
        # The same rows written into a new store and refreshed give the same tables.
        for stmt in SCHEMA_13_ROWS:
            fresh.execute(stmt)
        for ws in (1, 2):
            store.refresh_facts(fresh, ws)
        for table in FACT_TABLES[2:]:
            assert (
                fresh.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
                == con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            ), table
    finally:
        con.close()
        fresh.close()
