"""The fact tables that migrations 11 and 15 created are refreshed with those migrations' own
SQL (one place while they are equal), each table it reads narrowed to the workspace."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from analytics import schema, store
from tests.conftest import insert_rows

FROM_MIGRATIONS = {
    "deals_current": 11,
    "invoice_days": 15,
    "activity_weeks": 15,
    "category_weeks": 15,
    "person_weeks": 15,
    "deal_hours": 15,
    "deal_facts": 15,
}


def flat(text: str) -> str:
    return " ".join(text.split())


# deal_facts is refreshed in the order migration 21 keeps it in.
ORDERED = {"deal_facts": " ORDER BY owner, closed, deal_id"}


def test_a_fact_from_a_migration_is_that_migrations_select() -> None:
    facts = {fact.table: fact for fact in schema.FACTS}
    for table, version in FROM_MIGRATIONS.items():
        [statements] = [stmts for v, stmts in schema.MIGRATIONS if v == version]
        [created] = [s for s in statements if s.startswith(f"CREATE TABLE {table} AS")]
        assert flat(f"{created}{ORDERED.get(table, '')}") == flat(
            f"CREATE TABLE {table} AS {facts[table].select('')}"
        )


def test_the_refresh_narrows_every_read_to_the_workspace() -> None:
    facts = {fact.table: fact for fact in schema.FACTS}
    assert flat(facts["invoice_days"].refresh_sql()) == (
        "SELECT workspace_id, customer, date, sum(amount) AS amount, count(*) AS lines "
        "FROM invoices WHERE workspace_id = $w AND date IS NOT NULL AND amount IS NOT NULL "
        "GROUP BY workspace_id, customer, date"
    )
    # activities, and invoices for each customer's first invoice day
    weeks = flat(facts["activity_weeks"].refresh_sql())
    assert "FROM activities WHERE workspace_id = $w) AS a" in weeks
    assert "FROM invoices WHERE workspace_id = $w GROUP BY workspace_id, customer" in weeks
    # deals_current twice and deal_hours, whose own conditions come after the workspace's
    deals = flat(facts["deal_facts"].refresh_sql())
    assert deals.count("FROM deals_current WHERE workspace_id = $w)") == 2
    assert "FROM deal_hours WHERE workspace_id = $w AND hours IS NOT NULL AND " in deals
    assert "FROM deals WHERE workspace_id = $w)" in facts["deals_current"].refresh_sql()


def test_a_refresh_sums_one_workspaces_invoice_days(
    con: store.Connection, workspace: store.Workspace
) -> None:
    other = store.create_workspace(con, "Other")
    d1, d2 = date(2025, 3, 3), date(2025, 3, 4)
    insert_rows(
        con,
        "invoices",
        [
            {"date": d1, "customer": "Acme", "amount": Decimal("100.50")},
            {"date": d1, "customer": "Acme", "amount": Decimal("20.25")},
            {"date": d2, "customer": "Acme", "amount": Decimal("5")},
            {"date": None, "customer": "Acme", "amount": Decimal("7")},  # undated: left out
            {"date": d1, "customer": "Beta", "amount": None},  # no amount: left out
        ],
        workspace.id,
    )
    insert_rows(con, "invoices", [{"date": d1, "customer": "Acme", "amount": 1}], other.id)
    rows = con.execute(
        "SELECT workspace_id, customer, date, amount, lines FROM invoice_days ORDER BY ALL"
    ).fetchall()
    assert rows == [
        (workspace.id, "Acme", d1, Decimal("120.7500"), 2),  # 100.50 + 20.25
        (workspace.id, "Acme", d2, Decimal("5.0000"), 1),
        (other.id, "Acme", d1, Decimal("1.0000"), 1),
    ]
