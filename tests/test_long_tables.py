"""Long tables behind the charts: the first rows until the owner asks for all (issue 12).

A table of thousands of customers cost the browser about a second to draw on Customer fit
(1.2 MB of the page's 1.3 MB), for rows nobody reads past the top. The first
`widgets.ROWS_SHOWN` rows are drawn, in the table's own order, with a switch for every row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.apptest import no_failure, run_page, texts

pytestmark = pytest.mark.usefixtures("fresh_streamlit")


def contact_table(at: Any) -> pd.DataFrame:
    """The "Who hasn't heard from you lately?" table: the one with a "Days since" column."""
    tables = [t.value for t in at.dataframe if "Days since" in t.value.columns]
    assert len(tables) == 1
    return tables[0]


def customers_with_revenue(db: Path) -> int:
    """Customers invoiced in the 12 months up to the demo's last invoice, counted in SQL here
    (the contact table lists every one of them)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            """select count(distinct customer) from invoices
               where date > (select max(date) from invoices) - interval 12 month
                 and date <= (select max(date) from invoices)"""
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


def test_a_long_table_shows_its_first_rows_and_a_switch_for_all(demo_db: Path) -> None:
    from ui.widgets import ROWS_SHOWN

    customers = customers_with_revenue(demo_db)
    assert customers > ROWS_SHOWN  # the small demo is long enough to be cut
    at = run_page("pages/fit.py", section="Top customers neglected")
    no_failure(at)
    shown = contact_table(at)
    assert len(shown) == ROWS_SHOWN == 100
    # top customers first, as the caption under the table says
    top = list(shown["Top 20%"])
    assert top == sorted(top, reverse=True) and top[0]
    switch = [t for t in at.toggle if t.key == "all_rows_contact-recency"]
    assert [t.label for t in switch] == [f"Show all {customers:,} customers"]
    assert f"Showing the first 100 of {customers:,} customers in the table's order" in texts(at)

    switch[0].set_value(True).run()
    no_failure(at)
    every = contact_table(at)
    assert len(every) == customers
    assert every.head(100).equals(shown)
    assert not [t for t in at.toggle if t.key == "all_rows_contact-recency" and not t.value]


def test_a_short_table_has_no_switch(demo_db: Path) -> None:
    at = run_page("pages/fit.py", section="Customers lost in a year")
    no_failure(at)
    # "Churn by segment" has a row per segment: drawn whole, nothing to switch
    labels = [t.label for t in at.toggle]
    assert not any("segment" in label for label in labels)
    by_segment = [t.value for t in at.dataframe if "Customers the year before" in t.value.columns]
    assert len(by_segment) == 1
    assert 1 < len(by_segment[0]) <= 100
