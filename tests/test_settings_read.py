"""Which settings each figure read, and kept Scoreboard results that outlive a settings change
which does not touch them (analytics/indicators/settings_read.py, stored.py)."""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from analytics import indicators, store
from analytics.indicators import common, settings_read, stored
from analytics.indicators.settings_read import EVERY, Settings, reading
from analytics.settings import SETTINGS, Setting, get_settings, save_settings

# ---------------------------------------------------------------- noting reads


def test_each_key_read_is_noted_for_the_block_that_reads_it() -> None:
    s = Settings({"a": 1, "b": 2, "c": 3})
    with reading() as outer:
        assert s["a"] == 1
        with reading() as inner:
            assert s.get("b") == 2 and "zz" not in s
        assert inner == {"b", "zz"}
    # the inner block's reads count for the outer one too; nothing was read as a whole
    assert outer == {"a", "b", "zz"}
    s["c"]  # outside any block: noted nowhere, no error


@pytest.mark.parametrize(
    "whole",
    [
        lambda s: list(s),
        lambda s: dict(s),
        lambda s: {**s},
        lambda s: s.items(),
        lambda s: s.keys(),
        lambda s: s.values(),
        lambda s: s.copy(),
        lambda s: s | {},
        lambda s: s == {"a": 1},
        lambda s: len(s),
    ],
)
def test_reading_the_whole_dict_counts_as_reading_every_setting(whole: Any) -> None:
    s = Settings({"a": 1})
    with reading() as keys:
        whole(s)
    assert EVERY in keys


def test_reads_on_another_thread_count_for_that_threads_block_only() -> None:
    s = Settings({"a": 1, "b": 2})
    seen: dict[str, set[str]] = {}

    def other() -> None:
        with reading() as keys:
            s["b"]
        seen["other"] = keys

    with reading() as mine:
        s["a"]
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert mine == {"a"} and seen["other"] == {"b"}


def test_a_shared_frame_carries_what_it_read_to_every_figure_that_uses_it(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ctx = indicators.Context(con, workspace.id, date(2025, 6, 30), Settings({"k": 7, "j": 1}))
    with reading() as maker:
        assert common.shared(ctx, ("x",), lambda: ctx.settings["k"] * 2) == 14
    with reading() as user:  # made already: the value from the first, and its reads
        assert common.shared(ctx, ("x",), lambda: ctx.settings["j"]) == 14
    assert maker == user == {"k"}


def test_a_figure_notes_the_settings_it_read(demo_read: store.Connection, demo_ws: int) -> None:
    results = indicators.compute_all(demo_read, demo_ws)
    assert results["dso_days"].settings_read == {"currency", "threshold:dso_days"}
    assert results["segment_growth"].settings_read == {
        "comparison_months_needed",
        "currency",
        "growth_min_customers",
        "threshold:segment_growth",
    }
    # a frame shared with another figure brings its reads along: revenue Pareto reads the
    # Pareto minimums while ticket Pareto reads them for its own curve
    assert {"min_customers_top20", "min_customers_top4"} <= results["revenue_pareto"].settings_read
    # no figure reads the whole dict, and none reads a scorecard goal
    for r in results.values():
        assert EVERY not in r.settings_read and not any(
            k.startswith("goal:") for k in r.settings_read
        )


def test_a_context_holding_a_plain_dict_counts_as_reading_every_setting(
    demo_read: store.Connection, demo_ws: int
) -> None:
    plain = dict(get_settings(demo_read, demo_ws))
    ctx = indicators.Context(demo_read, demo_ws, date(2025, 6, 30), plain)
    assert indicators.compute(indicators.get("dso_days"), ctx).settings_read == {EVERY}


def test_what_a_kept_figure_remembers_and_when_it_still_holds() -> None:
    kept = settings_read.recorded({"a", "threshold:x"}, {"a": [1, 2], "b": 3})
    assert kept == {"a": "[1, 2]", "threshold:x": None}  # not set: None
    assert settings_read.still_holds(kept, {"a": [1, 2], "b": 4})  # b was not read
    assert not settings_read.still_holds(kept, {"a": [1, 3], "b": 3})
    assert not settings_read.still_holds(kept, {"a": [1, 2], "threshold:x": {"green": 1}})
    every = settings_read.recorded({EVERY, "a"}, {"a": 1, "b": 2})
    assert settings_read.still_holds(every, {"b": 2, "a": 1})
    assert not settings_read.still_holds(every, {"a": 1, "b": 3})
    assert not settings_read.still_holds(every, {"a": 1, "b": 2, "goal:x": 5})


# ---------------------------------------------------------------- kept results


def changed(setting: Setting) -> Any:
    """Another valid value for `setting` than its default."""
    d = setting.default
    if setting.kind == "choice":
        return next(c for c in setting.choices if c != d)
    if setting.kind == "date":
        return "2025-03-01"
    if setting.kind == "list":
        return list(d)[:-1]
    if setting.kind == "text":
        return "https://dashboard.example.test"
    low = setting.minimum if setting.minimum is not None else float("-inf")
    high = setting.maximum if setting.maximum is not None else float("inf")
    return next(
        (int(v) if setting.kind == "int" else float(v))
        for v in (d + 1, d * 2, d / 2, d - 1)
        if v != d and low <= v <= high and (setting.kind != "int" or v == int(v))
    )


CHANGES = [{k: changed(s)} for k, s in SETTINGS.items()] + [
    {"threshold:segment_growth": {"green": 5.0, "red": 4.0}},
    {"goal:sales_activities": 123.0},
]


def kept_payloads(con: store.Connection, ws: int) -> dict[str, dict[str, Any]]:
    rows = con.execute(
        "SELECT indicator_id, payload FROM indicator_results "
        "WHERE workspace_id = $w AND as_of_key = 'latest'",
        {"w": ws},
    ).fetchall()
    return {i: json.loads(p) for i, p in rows}


def test_after_any_one_settings_change_the_kept_figures_equal_fresh_ones(
    demo_db: Path, demo_ws: int, computed: list[list[str]]
) -> None:
    """Each setting changed in turn, on top of the ones before (and a threshold, and a
    scorecard goal): the Scoreboard's
    kept results, only partly computed again, equal every figure computed afresh (another
    method: nothing kept), and only the figures that read the setting were computed."""
    con = store.connect(demo_db)
    try:
        stored.scoreboard_results(con, demo_ws)
        assert len(computed[-1]) == len(indicators.REGISTRY)
        for change in CHANGES:
            [(key, _value)] = change.items()
            before = kept_payloads(con, demo_ws)
            readers = {i for i, p in before.items() if {key, EVERY} & set(p["settings"])}
            save_settings(con, demo_ws, change)
            computed.clear()
            kept = stored.scoreboard_results(con, demo_ws)
            fresh = indicators.compute_all(con, demo_ws)
            assert set(computed[0] if computed else []) == readers, key
            for i, r in fresh.items():
                got = (kept[i].value, kept[i].status, kept[i].message, kept[i].details)
                want = (r.value, r.status, r.message, indicators.result_json(r)["details"])
                assert got == want, (key, i)
    finally:
        con.close()


def test_a_goal_changed_on_the_settings_page_recomputes_no_kept_figure(
    demo_db: Path, demo_ws: int
) -> None:
    con = store.connect(demo_db)
    try:
        stored.scoreboard_results(con, demo_ws)
        save_settings(con, demo_ws, {"goal:sales_activities": 40.0})
        before = kept_payloads(con, demo_ws)
        stored.scoreboard_results(con, demo_ws)
        # nothing written: every kept row still holds
        assert kept_payloads(con, demo_ws) == before
    finally:
        con.close()


def test_a_kept_figure_read_back_says_which_settings_it_read(demo_db: Path, demo_ws: int) -> None:
    con = store.connect(demo_db)
    try:
        stored.scoreboard_results(con, demo_ws)  # computed and kept
        kept = stored.scoreboard_results(con, demo_ws)  # read back
        fresh = indicators.compute_all(con, demo_ws)
    finally:
        con.close()
    assert kept["dso_days"].settings_read == {"currency", "threshold:dso_days"}
    assert {i: r.settings_read for i, r in kept.items()} == {
        i: r.settings_read for i, r in fresh.items()
    }
