"""After a write, the figures are worked out again in the background (ui/refill.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytics import changes, store
from analytics.indicators import REGISTRY, stored

pytestmark = pytest.mark.usefixtures("fresh_streamlit")


def kept_rows(db: Path, workspace_id: int) -> int:
    """The Scoreboard's kept results for the workspace's current data version, default day."""
    con = store.connect(db, read_only=True)
    try:
        version = stored.data_version(con, workspace_id)
        row = con.execute(
            "SELECT count(*) FROM indicator_results "
            "WHERE workspace_id = $w AND as_of_key = 'latest' AND version = $v",
            {"w": workspace_id, "v": version},
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


def test_a_refill_keeps_the_scoreboard_and_its_comparison(
    demo_db: Path, demo_ws: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import changes as ui_changes
    from ui import refill
    from ui import store as ui_store

    # a setting changed: a new data version, nothing kept for it yet
    con = store.connect(demo_db)
    con.execute(
        "INSERT INTO settings (workspace_id, key, value) VALUES ($w, 'contact_interval_days', '45') "
        "ON CONFLICT DO UPDATE SET value = excluded.value",
        {"w": demo_ws},
    )
    con.close()
    assert kept_rows(demo_db, demo_ws) == 0

    refill.soon(demo_ws)
    assert refill.wait(300)
    assert kept_rows(demo_db, demo_ws) == len(REGISTRY)

    # the comparison the Scoreboard shows by default is in its cache: asking again computes
    # nothing (compare would raise)
    def no_compare(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("compared again")

    monkeypatch.setattr(changes, "compare", no_compare)
    con = ui_store.connection()
    as_of = ui_store.last_data_date(demo_ws)
    assert as_of is not None
    since, reason = changes.default_since(con, demo_ws, as_of=as_of, last_pack=None)
    shown = ui_changes.changes_for(demo_ws, since, None, reason, stored.data_version(con, demo_ws))
    assert shown.since == since


def test_a_failed_refill_is_logged_and_the_queue_empties(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from ui import refill

    def broken(_workspace_id: int) -> None:
        raise RuntimeError("store gone")

    monkeypatch.setattr(refill, "refill", broken)
    monkeypatch.setattr(refill, "DELAY_S", 0.0)
    refill.soon(12345)
    assert refill.wait(30)
    assert not refill.pending()
    failures = [r for r in caplog.records if "refilling workspace 12345" in r.getMessage()]
    assert len(failures) == 1


def test_a_write_during_a_refill_queues_another_and_drops_what_it_cached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    import streamlit as st

    from ui import refill

    started, release = threading.Event(), threading.Event()
    done: list[int] = []
    cleared: list[bool] = []

    def slow(workspace_id: int) -> None:
        done.append(workspace_id)
        if len(done) == 1:
            started.set()
            assert release.wait(30)

    monkeypatch.setattr(refill, "refill", slow)
    monkeypatch.setattr(refill, "DELAY_S", 0.0)
    monkeypatch.setattr(st.cache_data, "clear", lambda: cleared.append(True))
    refill.soon(7)
    assert started.wait(30)
    refill.soon(7)  # a second write while the first refill runs
    release.set()
    assert refill.wait(30)
    # run again for the second write; the first run's cache entries were dropped once (the
    # second run saw no write after it began)
    assert done == [7, 7]
    assert cleared == [True]


def test_no_refill_outside_the_served_app(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import refill

    asked: list[int] = []
    monkeypatch.setattr(refill, "soon", asked.append)
    refill.after_change()  # AppTest and `streamlit run app.py`: not serve.py's st.App
    assert asked == []
