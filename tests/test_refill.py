"""After a write, the figures are worked out again in the background (ui/refill.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analytics import changes, store
from analytics.indicators import REGISTRY, settings_read, stored
from analytics.settings import get_settings

pytestmark = pytest.mark.usefixtures("fresh_streamlit")


def kept_rows(db: Path, workspace_id: int) -> int:
    """The Scoreboard's kept results that hold for the workspace's current data and settings,
    default day."""
    con = store.connect(db, read_only=True)
    try:
        version = stored.base_version(con, workspace_id)
        now = get_settings(con, workspace_id)
        rows = con.execute(
            "SELECT payload FROM indicator_results "
            "WHERE workspace_id = $w AND as_of_key = 'latest' AND version = $v",
            {"w": workspace_id, "v": version},
        ).fetchall()
    finally:
        con.close()
    return sum(settings_read.still_holds(json.loads(p)["settings"], now) for (p,) in rows)


def test_a_refill_keeps_the_scoreboard_and_its_comparison(
    demo_db: Path, demo_ws: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import changes as ui_changes
    from ui import refill
    from ui import store as ui_store

    con = store.connect(demo_db)
    stored.scoreboard_results(con, demo_ws)
    con.close()
    assert kept_rows(demo_db, demo_ws) == len(REGISTRY)
    # a setting changed: only the figure that reads it (contact gaps) is not kept for it
    con = store.connect(demo_db)
    con.execute(
        "INSERT INTO settings (workspace_id, key, value) VALUES ($w, 'contact_interval_days', '45') "
        "ON CONFLICT DO UPDATE SET value = excluded.value",
        {"w": demo_ws},
    )
    con.close()
    assert kept_rows(demo_db, demo_ws) == len(REGISTRY) - 1

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


# ---------------------------------------------------------------- another program's writes

HEADER = "Date,Customer,Amount\n"


def import_text(con: store.Connection, workspace_id: int, text: str, name: str) -> None:
    from analytics import importer

    importer.import_source(con, workspace_id, importer.read_source(text.encode(), name))


def two_workspaces(db: Path) -> tuple[int, int]:
    con = store.connect(db)
    try:
        a = store.create_workspace(con, "Alpha").id
        b = store.create_workspace(con, "Beta").id
        import_text(con, a, HEADER + "2025-01-05,Acme,100.00\n", "a.csv")
        import_text(con, b, HEADER + "2025-01-06,Bolt,200.00\n", "b.csv")
    finally:
        con.close()
    return a, b


def test_versions_move_for_the_workspaces_written_and_no_other(db_file: Path) -> None:
    from analytics import asof
    from analytics.settings import save_setting

    a, b = two_workspaces(db_file)
    con = store.connect(db_file)
    try:
        before = asof.versions(con)
        assert set(before) == {a, b}
        # each workspace's own version_row, part for part
        assert before[a] == asof.version_row(con, a)
        assert before[b] == asof.version_row(con, b)
        import_text(con, a, HEADER + "2025-02-05,Acme,70.00\n", "a2.csv")
        after_import = asof.versions(con)
        assert after_import[a] != before[a]
        assert after_import[b] == before[b]
        save_setting(con, b, "contact_interval_days", 45)
        after_setting = asof.versions(con)
        assert after_setting[a] == after_import[a]
        assert after_setting[b] != after_import[b]
        c = store.create_workspace(con, "Gamma").id
        assert asof.versions(con)[c] == (0, 0, "", 0)  # no batch, no setting yet
    finally:
        con.close()


@pytest.fixture
def served(db_file: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The app's store handle on `db_file`, letting go of the store 0.2 s after its last use;
    the workspaces `refill.soon` is asked to refill (nothing is computed)."""
    import ui.store
    from ui import refill

    monkeypatch.setattr(ui.store, "IDLE_SECONDS", 0.2)
    asked: list[int] = []
    monkeypatch.setattr(refill, "soon", lambda ws, **_kw: asked.append(ws))
    return asked


def app_opens_and_lets_go() -> Any:
    from ui import store as ui_store

    handle = ui_store.handle()
    handle.enter()
    handle.connection()
    handle.leave()
    handle.close()
    assert not handle.is_open()
    return handle


def test_an_import_by_another_program_refills_the_workspace_it_changed(
    db_file: Path, served: list[int]
) -> None:
    from ui import refill

    a, b = two_workspaces(db_file)
    handle = app_opens_and_lets_go()
    assert handle.files_changed() is None  # the files as the app left them
    assert refill.look_outside() == []
    # "the command line" imports into Beta while the app has the store closed
    con = store.connect(db_file)
    import_text(con, b, HEADER + "2025-03-01,Bolt,20.00\n", "b2.csv")
    con.close()
    assert handle.files_changed() is not None
    assert refill.look_outside() == [b]
    assert served == [b]
    # taken once: the next look (the app let go again) finds nothing new
    handle.close()
    assert refill.look_outside() == []
    assert served == [b]


def test_another_program_that_commits_nothing_refills_nothing(
    db_file: Path, served: list[int]
) -> None:
    from ui import refill

    two_workspaces(db_file)
    handle = app_opens_and_lets_go()
    con = store.connect(db_file)  # a read and a checkpoint, no change
    con.execute("SELECT count(*) FROM invoices").fetchall()
    con.execute("CHECKPOINT")
    con.close()
    refill.look_outside()
    assert served == []
    handle.close()


def test_a_store_held_or_waited_for_or_mid_write_is_not_opened(
    db_file: Path, served: list[int]
) -> None:
    from ui import refill

    a, _b = two_workspaces(db_file)
    handle = app_opens_and_lets_go()
    con = store.connect(db_file)
    import_text(con, a, HEADER + "2025-03-02,Acme,30.00\n", "a3.csv")
    # still open, its log written: the files changed, but the log says a program is at it
    wal = Path(f"{db_file}.wal")
    if not wal.exists() or wal.stat().st_size == 0:  # DuckDB checkpointed already: make one
        con.execute("CREATE TABLE scratch_mid_write (x INTEGER)")
        con.execute("INSERT INTO scratch_mid_write VALUES (1)")
    assert wal.stat().st_size > 0
    assert handle.files_changed() is None
    assert refill.look_outside() == []
    con.execute("DROP TABLE IF EXISTS scratch_mid_write")
    con.close()
    # a command waiting for the store: it goes first, the app does not open it
    store.waiting_marker(db_file).touch()
    assert handle.files_changed() is None
    assert refill.look_outside() == []
    assert not handle.is_open()
    store.waiting_marker(db_file).unlink()
    assert refill.look_outside() == [a]
    assert served == [a]
    handle.close()


def test_a_command_line_import_beside_the_app_is_refilled(
    db_file: Path, served: list[int], tmp_path: Path
) -> None:
    """The real thing: `python -m analytics import` in another process."""
    import subprocess
    import sys

    from tests.conftest import ROOT
    from ui import refill

    _a, b = two_workspaces(db_file)
    handle = app_opens_and_lets_go()
    csv = tmp_path / "beta-march.csv"
    csv.write_text(HEADER + "2025-03-03,Bolt,40.00\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "analytics", "import", "--db", str(db_file)]
        + ["--workspace", "Beta", "--entity", "invoices", str(csv)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert refill.look_outside() == [b]
    assert served == [b]
    handle.close()


def test_a_store_that_cannot_be_opened_is_tried_again_only_when_held(
    db_file: Path, served: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from analytics.errors import StoreDamaged, StoreLocked
    from ui import refill

    a, _b = two_workspaces(db_file)
    handle = app_opens_and_lets_go()
    con = store.connect(db_file)
    import_text(con, a, HEADER + "2025-03-04,Acme,10.00\n", "a4.csv")
    con.close()
    tries: list[str] = []

    def refused(kind: type[Exception]) -> Any:
        def connection(*_args: Any, **_kwargs: Any) -> None:
            tries.append(kind.__name__)
            raise kind("no")

        return connection

    monkeypatch.setattr(refill, "_unopened", None)
    monkeypatch.setattr(handle, "connection", refused(StoreLocked))
    assert refill.look_outside() == [] and refill.look_outside() == []
    assert tries == ["StoreLocked", "StoreLocked"]  # held: each look tries again
    monkeypatch.setattr(handle, "connection", refused(StoreDamaged))
    assert refill.look_outside() == [] and refill.look_outside() == []
    assert tries == ["StoreLocked", "StoreLocked", "StoreDamaged"]  # damaged: once
    assert served == []
