"""`common.records`, built column by column: the JSON-plain rows a result's details keep."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analytics.indicators import jsonable
from analytics.indicators.common import records


def test_records_are_json_plain_rows_in_column_order() -> None:
    frame = pd.DataFrame(
        {
            "segment": pd.array(["Health", None], dtype="string"),
            "revenue": [1250.5, float("nan")],
            "customers": np.array([3, 0], dtype="int64"),
            "month": pd.to_datetime(["2024-06-01", "2024-07-01"]),
            "day": [date(2024, 6, 30), None],
            "new": [True, False],
        }
    )
    rows = records(frame)
    assert rows == [
        {
            "segment": "Health",
            "revenue": 1250.5,
            "customers": 3,
            "month": "2024-06-01",
            "day": "2024-06-30",
            "new": True,
        },
        {
            "segment": None,
            "revenue": None,
            "customers": 0,
            "month": "2024-07-01",
            "day": None,
            "new": False,
        },
    ]
    assert [list(r) for r in rows] == [list(frame.columns)] * 2
    assert type(rows[0]["customers"]) is int and type(rows[0]["revenue"]) is float
    # what pandas' own records give, made JSON-plain
    assert rows == jsonable(frame.to_dict(orient="records"))


def test_records_of_frames_without_rows_or_columns() -> None:
    assert records(pd.DataFrame({"a": pd.Series(dtype=float)})) == []
    assert records(pd.DataFrame(index=[0, 1])) == [{}, {}]
    assert records(pd.DataFrame({7: [1]})) == [{"7": 1}]  # labels become text
