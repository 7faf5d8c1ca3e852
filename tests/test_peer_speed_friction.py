"""Discount depth read narrow (only the won deals in its window, per salesperson without a
pandas groupby): the same frame, medians and shares as the pandas path over every deal in
the window."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analytics import store
from analytics.indicators import friction
from analytics.indicators.friction.deals import discount_by_owner, discount_facts
from tests.conftest import insert_rows

AS_OF = date(2025, 6, 30)


def won(
    deal_id: str, closed: date, owner: str, list_value: float | None, value: float
) -> dict[str, Any]:
    return {
        "deal_id": deal_id,
        "status": "won",
        "closed": closed,
        "owner": owner,
        "customer": f"Customer {deal_id}",
        "list_value": list_value,
        "value": value,
    }


@pytest.fixture
def ws(con: store.Connection, workspace: store.Workspace) -> int:
    rows = [
        # Ann, four priced deals: 10 %, 40 %, 25 %, 20 % (sorted 10, 20, 25, 40)
        won("A1", date(2025, 1, 10), "Ann", 1000, 900),
        won("A2", date(2025, 2, 10), "Ann", 1000, 600),
        won("A3", date(2025, 3, 10), "Ann", 2000, 1500),
        won("A4", date(2025, 3, 10), "Ann", 500, 400),
        # Bob, two priced deals (6 %, 2 %) and one without a list value
        won("B1", date(2025, 4, 1), "Bob", 1000, 940),
        won("B2", date(2025, 5, 1), "Bob", 1000, 980),
        {**won("B3", date(2025, 5, 2), "Bob", None, 700), "customer": None},
        # outside the window (closed exactly 12 months before) and not won
        won("A0", date(2024, 6, 30), "Ann", 1000, 100),
        {**won("L1", date(2025, 3, 1), "Bob", 1000, 10), "status": "lost"},
    ]
    insert_rows(con, "deals", rows, workspace.id)
    return workspace.id


def test_the_owners_medians_shares_and_sums_by_hand(con: store.Connection, ws: int) -> None:
    owners = discount_by_owner(discount_facts(con, ws, AS_OF, 0.15))
    assert owners["owner"].tolist() == ["Ann", "Bob"]  # deepest median first
    ann, bob = owners.iloc[0], owners.iloc[1]
    # Ann: an even count, the median is the mean of the middle two: (20 % + 25 %) / 2
    assert ann["deals"] == 4 and ann["median_discount"] == pytest.approx(0.225)
    assert ann["deep_share"] == 0.75  # 40, 25 and 20 % are above 15 %
    assert ann["given_away"] == 100 + 400 + 500 + 100
    # Bob: (2 % + 6 %) / 2 = 4 %, none deep; the deal without a list value is left out
    assert bob["deals"] == 2 and bob["median_discount"] == pytest.approx(0.04)
    assert bob["deep_share"] == 0 and bob["given_away"] == 60 + 20


def test_the_narrow_reads_equal_the_pandas_path(con: store.Connection, ws: int) -> None:
    for threshold in (0.15, 0.03):
        old = friction.won_discounts(friction.deal_facts(con, ws, AS_OF), threshold)
        new = discount_facts(con, ws, AS_OF, threshold)
        pd.testing.assert_frame_equal(new, old, check_exact=True)
        assert new["deal_id"].tolist() == ["A1", "A2", "A3", "A4", "B1", "B2", "B3"]
        # the same table as a pandas groupby over the old frame (another method)
        priced = old.dropna(subset=["discount"])
        grouped = (
            priced.groupby("owner", sort=False)
            .agg(
                deals=("discount", "size"),
                median_discount=("discount", "median"),
                deep_share=("deep", "mean"),
                given_away=("given_away", "sum"),
            )
            .reset_index()
            .sort_values(["median_discount", "owner"], ascending=[False, True], ignore_index=True)
        )
        pd.testing.assert_frame_equal(discount_by_owner(new), grouped, check_exact=True)


# Won deals in scrambled order; the table shows them by salesperson (a blank one as
# "(no salesperson)", which sorts before letters), close day, then deal id.
SCRAMBLED = [
    won("Z9", date(2025, 5, 1), "Bob", 1000, 900),
    won("A2", date(2025, 2, 1), "Ann", 1000, 800),
    won("C1", date(2025, 3, 1), "  ", 1000, 700),
    won("A1", date(2025, 2, 1), "Ann", 1000, 950),
    won("A3", date(2025, 1, 15), "Ann", 1000, 990),
]
SHOWN_ORDER = ["C1", "A3", "A1", "A2", "Z9"]


def test_the_won_deals_come_in_the_tables_order_whatever_order_they_were_loaded_in(
    con: store.Connection, workspace: store.Workspace
) -> None:
    insert_rows(con, "deals", SCRAMBLED, workspace.id)
    frame = discount_facts(con, workspace.id, AS_OF, 0.15)
    assert frame["deal_id"].tolist() == SHOWN_ORDER
    assert frame["owner"].tolist() == ["(no salesperson)", "Ann", "Ann", "Ann", "Bob"]
    # the pandas path sorts for itself: the same frame
    old = friction.won_discounts(friction.deal_facts(con, workspace.id, AS_OF), 0.15)
    pd.testing.assert_frame_equal(frame, old, check_exact=True)


def test_migration_21_puts_an_older_stores_deal_facts_in_that_order(db_file: Path) -> None:
    con = store.connect(db_file)
    ws = store.create_workspace(con, "Old").id
    insert_rows(con, "deals", SCRAMBLED, ws)
    # as schema 20 left them: in whatever order the refresh wrote them
    con.execute(
        "CREATE OR REPLACE TABLE deal_facts AS SELECT * FROM deal_facts ORDER BY deal_id DESC"
    )
    con.execute("DELETE FROM schema_version WHERE version = 21")
    assert discount_facts(con, ws, AS_OF, 0.15)["deal_id"].tolist() != SHOWN_ORDER
    con.close()
    con = store.connect(db_file)  # migration 21 runs
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        assert discount_facts(con, ws, AS_OF, 0.15)["deal_id"].tolist() == SHOWN_ORDER
    finally:
        con.close()
