"""Whole results kept in the store (analytics/indicators/whole.py, stored.area_results): what an
area page reads back equals what it would compute, types and frames included, and is never
stale."""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analytics import indicators, store
from analytics.indicators import Result, stored, whole
from analytics.settings import save_settings
from tests.test_indicators_stored import add_invoices, eighteen_months
from tests.test_settings_read import CHANGES

AREAS = list(indicators.AREAS)


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (NaN equals NaN here)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | np.floating) and math.isnan(a):
        return bool(math.isnan(b))
    return bool(a == b)


def same_result(got: Result, want: Result) -> None:
    """Equal, value by value and type by type (the frame's columns, dtypes and cells too)."""
    assert (got.id, got.status, got.message) == (want.id, want.status, want.message)
    assert type(got.value) is type(want.value)
    assert got.value == want.value or (
        isinstance(want.value, float) and math.isnan(want.value) and math.isnan(got.value)
    )
    assert same(got.details, want.details), got.id
    pd.testing.assert_frame_equal(got.frame, want.frame, check_exact=True)
    for name in whole._object_columns(want.frame):
        assert [type(x) for x in got.frame[name]] == [type(x) for x in want.frame[name]], name


def a_result(**changes: Any) -> Result:
    frame = pd.DataFrame(
        {
            "customer": ["Acme", "Birch", "Cole"],
            "amount": [1.5, float("nan"), 3.0],
            "count": np.array([1, 2, 3], dtype="int64"),
            "closed": np.array([date(2025, 1, 2), pd.NaT, date(2025, 3, 4)], dtype=object),
            "quarters": pd.Series([[1, 2], [3], []], dtype=object),
            "won": [True, False, True],
        }
    )
    details = {
        "as_of": date(2025, 6, 30),
        "span": (date(2024, 1, 1), date(2025, 6, 30)),
        "at": datetime(2025, 6, 30, 17, 5),
        "stamp": pd.Timestamp("2025-06-30"),
        "share": np.float64(0.25),
        "n": np.int64(7),
        "nothing": float("nan"),
        "rows": [{"customer": "Acme", "day": date(2025, 1, 2), "x": None}],
    }
    base: dict[str, Any] = {
        "id": "revenue_pareto",
        "value": 0.5,
        "status": "amber",
        "message": "Half your revenue comes from 3 customers.",
        "details": details,
        "frame": frame,
    }
    base.update(changes)
    return Result(**base)


# ---------------------------------------------------------------- the bytes


def test_a_result_comes_back_exactly_types_and_all() -> None:
    result = a_result()
    blob = whole.encode(result)
    assert blob is not None
    back = whole.decode(blob, "revenue_pareto", frozenset({"threshold:revenue_pareto"}))
    assert back is not None
    same_result(back, result)
    assert back.settings_read == frozenset({"threshold:revenue_pareto"})
    # the types JSON and Arrow lack, one by one
    assert type(back.details["span"]) is tuple and type(back.details["span"][0]) is date
    assert type(back.details["at"]) is datetime and type(back.details["stamp"]) is pd.Timestamp
    assert back.details["share"].dtype == np.float64 and back.details["n"].dtype == np.int64
    assert back.frame["closed"].iloc[1] is pd.NaT and back.frame["quarters"].iloc[0] == [1, 2]


def test_an_empty_result_comes_back_empty() -> None:
    result = Result("revenue_pareto", None, "unknown", "Load invoices.", {}, pd.DataFrame())
    blob = whole.encode(result)
    assert blob is not None
    back = whole.decode(blob, "revenue_pareto", frozenset())
    assert back is not None
    same_result(back, result)


@pytest.mark.parametrize(
    "changes",
    [
        {"details": {"kinds": {"a", "b"}}},  # a set: JSON has none
        {"details": {"at": datetime(2025, 6, 30, tzinfo=pd.Timestamp.now("UTC").tzinfo)}},
        {"details": {3: "a key that is no text"}},
        {"details": {"$type": "date", "v": "2025-01-01"}},  # would read back as a date
        # a day as a date in one row and a Timestamp in another: Arrow makes them one type
        {"frame": pd.DataFrame({"d": [date(2025, 1, 1), pd.Timestamp("2025-01-02")]})},
        # missing days as None and as NaN in one column: Arrow keeps a null, not which
        {"frame": pd.DataFrame({"d": np.array([date(2025, 1, 1), None, math.nan], dtype=object)})},
    ],
)
def test_what_would_not_come_back_exactly_is_not_kept(changes: dict[str, Any]) -> None:
    assert whole.encode(a_result(**changes)) is None


def test_bytes_from_other_library_versions_or_damaged_are_not_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blob = whole.encode(a_result())
    assert blob is not None
    assert whole.decode(blob[: len(blob) // 2], "revenue_pareto", frozenset()) is None
    assert whole.decode(b"not arrow at all", "revenue_pareto", frozenset()) is None
    monkeypatch.setattr(whole, "_stamp", lambda: "whole-1:pandas 9.9.9:pyarrow 99.0.0")
    assert whole.decode(blob, "revenue_pareto", frozenset()) is None


def test_every_figure_of_the_demo_business_is_kept_whole(
    demo_read: store.Connection, demo_ws: int
) -> None:
    """A figure whose result would not come back exactly is computed on every restart: none
    of the demo's is such a figure (friction's days with NaT, niche's lists per quarter,
    empty frames)."""
    for ind_id, result in indicators.compute_all(demo_read, demo_ws).items():
        blob = whole.encode(result)
        assert blob is not None, ind_id
        back = whole.decode(blob, ind_id, frozenset())
        assert back is not None
        same_result(back, result)


# ---------------------------------------------------------------- kept in the store


@pytest.fixture
def ws(con: store.Connection, workspace: store.Workspace) -> int:
    return eighteen_months(con, workspace.id)


def wholes_kept(con: store.Connection, ws: int) -> dict[str, bool]:
    rows = con.execute(
        "SELECT indicator_id, whole IS NOT NULL FROM indicator_results "
        "WHERE workspace_id = $w AND as_of_key = 'latest'",
        {"w": ws},
    ).fetchall()
    return dict(rows)


def test_an_area_is_computed_once_then_read_back_whole(
    con: store.Connection, ws: int, computed: list[list[str]]
) -> None:
    first = {a: stored.area_results(con, ws, a) for a in AREAS}
    again = {a: stored.area_results(con, ws, a) for a in AREAS}
    assert sorted(map(sorted, computed)) == sorted(
        sorted(i.id for i in indicators.in_area(a)) for a in AREAS
    )
    fresh = indicators.compute_all(con, ws)  # another way: nothing kept
    for area in AREAS:
        assert list(again[area]) == [i.id for i in indicators.in_area(area)]
        for ind_id, result in again[area].items():
            same_result(result, fresh[ind_id])
            same_result(first[area][ind_id], fresh[ind_id])
    assert wholes_kept(con, ws) == {i: True for i in indicators.REGISTRY}


def test_an_import_or_an_undo_gives_new_whole_results(
    con: store.Connection, ws: int, computed: list[list[str]]
) -> None:
    before = stored.area_results(con, ws, "niche")["segment_growth"].details["revenue"]
    batch = add_invoices(con, ws, [("2025-06-20", "E", 1000.0)], "june.csv")
    after = stored.area_results(con, ws, "niche")["segment_growth"]
    assert after.details["revenue"] == pytest.approx(before + 1000)
    store.undo_batch(con, ws, batch)
    undone = stored.area_results(con, ws, "niche")["segment_growth"].details["revenue"]
    assert undone == pytest.approx(before)
    assert len(computed) == 3  # each data version computed once
    rows = con.execute("SELECT count(*) FROM indicator_results WHERE workspace_id = $w", {"w": ws})
    assert rows.fetchall()[0][0] == len(indicators.in_area("niche"))  # older versions gone


def test_the_scoreboard_keeps_the_area_pages_whole_rows(
    con: store.Connection, ws: int, computed: list[list[str]]
) -> None:
    fit = [i.id for i in indicators.in_area("fit")]
    stored.area_results(con, ws, "fit")
    stored.scoreboard_results(con, ws)
    # the Scoreboard computed only what the fit page had not, and left fit's rows whole
    assert computed == [fit, [i for i in indicators.REGISTRY if i not in fit]]
    kept = wholes_kept(con, ws)
    assert {i for i, w in kept.items() if w} == set(fit)
    # the rest are made whole the first time their page asks; nothing computed twice after
    for area in AREAS:
        stored.area_results(con, ws, area)
    assert all(wholes_kept(con, ws).values())
    assert sum(len(c) for c in computed) == len(indicators.REGISTRY) + sum(
        len(indicators.in_area(a)) for a in AREAS if a != "fit"
    )


def test_damaged_whole_bytes_are_computed_again(
    con: store.Connection, ws: int, computed: list[list[str]]
) -> None:
    stored.area_results(con, ws, "niche")
    con.execute(
        "UPDATE indicator_results SET whole = 'garbage'::BLOB "
        "WHERE workspace_id = $w AND indicator_id = 'segment_growth'",
        {"w": ws},
    )
    again = stored.area_results(con, ws, "niche")
    assert computed[-1] == ["segment_growth"]
    same_result(again["segment_growth"], indicators.compute_all(con, ws)["segment_growth"])


def test_a_workspace_without_dated_data_keeps_nothing(
    con: store.Connection, workspace: store.Workspace
) -> None:
    results = stored.area_results(con, workspace.id, "pace")
    assert {r.status for r in results.values()} == {"unknown"}
    assert wholes_kept(con, workspace.id) == {}


def test_after_any_one_settings_change_the_whole_results_equal_fresh_ones(
    demo_db: Path, demo_ws: int, computed: list[list[str]]
) -> None:
    """Each setting changed in turn (as in test_settings_read): every area's whole results,
    only partly computed again, equal every figure computed afresh, frames included."""
    con = store.connect(demo_db)
    try:
        for area in AREAS:
            stored.area_results(con, demo_ws, area)
        for change in CHANGES:
            save_settings(con, demo_ws, change)
            computed.clear()
            kept = {i: r for a in AREAS for i, r in stored.area_results(con, demo_ws, a).items()}
            fresh = indicators.compute_all(con, demo_ws)
            assert len({i for c in computed for i in c}) < len(indicators.REGISTRY), change
            for ind_id, result in fresh.items():
                same_result(kept[ind_id], result)
    finally:
        con.close()
