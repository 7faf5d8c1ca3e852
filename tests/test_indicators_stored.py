"""Scoreboard results kept in the store: served without recomputing, never stale."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analytics import indicators, store
from analytics.indicators import stored
from analytics.settings import save_settings


def add_invoices(
    con: store.Connection, ws: int, rows: list[tuple[str, str, float]], name: str
) -> int:
    """One batch of invoices, as an import would record it."""
    with store.transaction(con) as tx:
        batch = store.record_batch(
            tx,
            ws,
            entity="invoices",
            file_name=name,
            sha256=name,
            rows_read=len(rows),
            rows_imported=len(rows),
            rows_rejected=0,
            duplicates_skipped=0,
        )
        for day, customer, amount in rows:
            tx.execute(
                "INSERT INTO invoices (workspace_id, batch_id, date, customer, amount) "
                "VALUES ($w, $b, $d::DATE, $c, $a)",
                {"w": ws, "b": batch, "d": day, "c": customer, "a": amount},
            )
        store.reconcile_customers(tx, ws)
        store.refresh_facts(tx, ws)
    return batch


def eighteen_months(con: store.Connection, workspace_id: int) -> int:
    """Five customers invoiced monthly through 2024, four of them Jan–Jun 2025."""
    rows = [
        (f"2024-{m:02d}-15", c, 100.0 * (i + 1))
        for m in range(1, 13)
        for i, c in enumerate("ABCDE")
    ]
    rows += [
        (f"2025-{m:02d}-15", c, 120.0 * (i + 1)) for m in range(1, 7) for i, c in enumerate("ABCD")
    ]
    add_invoices(con, workspace_id, rows, "first.csv")
    # The year before 15 Jun 2025 holds invoices in 6 of its months (Jan–Jun 2024), below the
    # default 10 a growth rate needs: these tests follow segment growth, so ask for 6.
    save_settings(con, workspace_id, {"comparison_months_needed": 6})
    return workspace_id


@pytest.fixture
def ws(con: store.Connection, workspace: store.Workspace) -> int:
    return eighteen_months(con, workspace.id)


@pytest.fixture
def computations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many figures each real computation of the kept results computed."""
    calls: list[int] = []
    real = stored.compute_many

    def counting(
        chosen: list[indicators.Indicator], ctx: indicators.Context
    ) -> dict[str, indicators.Result]:
        calls.append(len(chosen))
        return real(chosen, ctx)

    monkeypatch.setattr(stored, "compute_many", counting)
    return calls


def test_kept_results_match_fresh_ones_and_are_not_recomputed(
    con: store.Connection, ws: int, computations: list[int]
) -> None:
    first = stored.scoreboard_results(con, ws)
    again = stored.scoreboard_results(con, ws)
    assert computations == [len(indicators.REGISTRY)]
    fresh = indicators.compute_all(con, ws)
    assert set(again) == set(fresh) == set(indicators.REGISTRY)
    for i, r in fresh.items():
        assert (again[i].value, again[i].status, again[i].message) == (r.value, r.status, r.message)
        assert again[i].details == indicators.result_json(r)["details"]
        assert first[i].message == r.message
    kept = con.execute("SELECT count(*) FROM indicator_results WHERE workspace_id = $w", {"w": ws})
    assert kept.fetchall()[0][0] == len(indicators.REGISTRY)


def test_an_import_an_undo_or_a_setting_gives_new_figures(
    con: store.Connection, ws: int, computations: list[int]
) -> None:
    before = stored.scoreboard_results(con, ws)["segment_growth"].details["revenue"]
    batch = add_invoices(con, ws, [("2025-06-20", "E", 1000.0)], "june.csv")
    after = stored.scoreboard_results(con, ws)["segment_growth"].details["revenue"]
    assert after == pytest.approx(before + 1000)
    store.undo_batch(con, ws, batch)
    assert stored.scoreboard_results(con, ws)["segment_growth"].details["revenue"] == pytest.approx(
        before
    )
    save_settings(con, ws, {"threshold:segment_growth": {"green": 5.0, "red": 4.0}})
    assert stored.scoreboard_results(con, ws)["segment_growth"].status == "red"
    # every figure after the import and after the undo; after the thresholds, only the
    # figure that reads them
    n = len(indicators.REGISTRY)
    assert computations == [n, n, n, 1]


def test_each_as_of_day_is_kept_apart(con: store.Connection, ws: int) -> None:
    latest = stored.scoreboard_results(con, ws)
    earlier = stored.scoreboard_results(con, ws, date(2024, 12, 31))
    assert "15 Jun 2025" in latest["revenue_pareto"].message
    assert "31 Dec 2024" in earlier["revenue_pareto"].message
    assert earlier["segment_growth"].status == "unknown"  # no year before 2024 to compare with
    assert "15 Jun 2025" in stored.scoreboard_results(con, ws)["revenue_pareto"].message


def test_sparklines_travel_with_the_kept_result(con: store.Connection, ws: int) -> None:
    fresh = indicators.compute_all(con, ws)["segment_growth"]
    expected = indicators.get("segment_growth").spark(fresh)  # type: ignore[misc]
    results = stored.scoreboard_results(con, ws)
    kept = stored.stored_spark(results["segment_growth"])
    assert list(kept.to_numpy()) == pytest.approx(list(expected.dropna().to_numpy()))
    assert len(kept) >= 2
    # the same days, as dates (the frame's date column holds datetime.date, its values floats)
    days = list(pd.to_datetime(pd.Series(expected.dropna().index)).dt.date)
    assert list(kept.index) == days and all(type(d) is date for d in kept.index)
    frame = results["segment_growth"].frame
    assert list(frame.columns) == ["date", "value"] and frame["value"].dtype == float
    # a figure without a sparkline reads back with an empty one, not an error
    bare = [r for r in results.values() if indicators.get(r.id).spark is None]
    assert bare and all(list(r.frame.columns) == ["date", "value"] for r in bare)
    assert all(r.frame.empty and stored.stored_spark(r).empty for r in bare)


def test_deleting_the_workspace_removes_its_kept_results(con: store.Connection, ws: int) -> None:
    stored.scoreboard_results(con, ws)
    store.delete_workspace(con, "Test Co")
    assert con.execute("SELECT count(*) FROM indicator_results").fetchall()[0][0] == 0


def test_the_code_version_covers_the_whole_analytics_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A settings default or a message format lives outside indicators/: changing it must
    # give new kept results too.
    (tmp_path / "indicators").mkdir()
    (tmp_path / "indicators" / "pace.py").write_text("X = 1\n")
    (tmp_path / "settings.py").write_text("DEFAULT = 1\n")
    monkeypatch.setattr(stored, "_PACKAGE", tmp_path)
    stored.code_version.cache_clear()
    first = stored.code_version()
    (tmp_path / "settings.py").write_text("DEFAULT = 2\n")
    stored.code_version.cache_clear()
    second = stored.code_version()
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "settings.cpython-311.py").write_text("noise")
    stored.code_version.cache_clear()
    assert stored.code_version() == second != first
    stored.code_version.cache_clear()
