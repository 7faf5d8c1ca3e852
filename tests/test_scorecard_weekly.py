"""scorecard_weekly.sql on a hand-made store: every measurable it counts, per week, with zeros
for weeks where nothing happened and a null billable share where no entry says."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from analytics import store
from analytics.queries import query
from tests.conftest import insert_rows

AS_OF = date(2025, 6, 30)  # a Monday: the two complete weeks before start 16 and 23 Jun
W16, W23 = date(2025, 6, 16), date(2025, 6, 23)


def test_each_measurable_week_by_hand(con: store.Connection, workspace: store.Workspace) -> None:
    ws = workspace.id
    insert_rows(
        con,
        "activities",
        [{"date": date(2025, 6, d), "type": "call"} for d in (10, 17, 18, 24, 30)],
        ws,
    )  # 10 Jun is before the weeks, 30 Jun in the week not yet complete
    insert_rows(
        con,
        "deals",
        [
            {"deal_id": "D1", "status": "won", "closed": date(2025, 6, 19), "value": 1000.5},
            {"deal_id": "D2", "status": "won", "closed": date(2025, 6, 20), "value": None},
            {"deal_id": "D3", "status": "lost", "closed": date(2025, 6, 19), "value": 500},
            {"deal_id": "D4", "status": "won", "closed": date(2025, 6, 25), "value": 250.25},
        ],
        ws,
    )
    insert_rows(
        con,
        "invoices",
        [
            {"date": date(2025, 1, 5), "customer": "Acme", "amount": Decimal("100")},
            {"date": date(2025, 6, 17), "customer": "Acme", "amount": Decimal("200.10")},
            {"date": date(2025, 6, 18), "customer": "Beta", "amount": Decimal("50.05")},
            {"date": date(2025, 6, 24), "customer": "Beta", "amount": Decimal("10")},
            {"date": date(2025, 6, 26), "customer": "Gamma", "amount": Decimal("0.10")},
        ],
        ws,
    )
    insert_rows(
        con,
        "tickets",
        [{"opened": date(2025, 6, 23)}, {"opened": date(2025, 6, 29)}],  # Mon and Sun
        ws,
    )
    insert_rows(
        con,
        "time_entries",
        [
            {"date": date(2025, 6, 17), "hours": 8, "billable": True},
            {"date": date(2025, 6, 18), "hours": 4, "billable": False},
            {"date": date(2025, 6, 19), "hours": -2, "billable": True},  # negative: left out
            {"date": date(2025, 6, 24), "hours": 6, "billable": None},  # no flag that week
        ],
        ws,
    )
    frame = query(con, "scorecard_weekly", {"ws": ws, "as_of": AS_OF, "weeks": 2})
    assert list(frame.columns) == ["week_start", "measurable", "value"]
    rows = [(m, w.date(), v) for w, m, v in frame.itertuples(index=False)]
    share = rows.pop(3)  # billable_share of 23 Jun: null, no entry says what is billable
    assert share[:2] == ("billable_share", W23) and math.isnan(share[2])
    assert rows == [
        ("activities", W16, 2.0),
        ("activities", W23, 1.0),
        ("billable_share", W16, 8 / 12),
        ("deals_won", W16, 2.0),  # D1 and D2 (no value); D3 was lost
        ("deals_won", W23, 1.0),
        ("hours_logged", W16, 12.0),
        ("hours_logged", W23, 6.0),
        ("new_customers", W16, 1.0),  # Beta; Acme was first invoiced in January
        ("new_customers", W23, 1.0),  # Gamma
        ("revenue", W16, 250.15),  # 200.10 + 50.05, added up exactly before it is a double
        ("revenue", W23, 10.1),
        ("tickets", W16, 0.0),
        ("tickets", W23, 2.0),
        ("won_value", W16, 1000.5),
        ("won_value", W23, 250.25),
    ]
