"""The store under an unlucky user: another program holding it, damaged files and logs, a full
disk, read-only commands, owner-only files, and the app letting go of the store between runs."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from analytics import store
from analytics.errors import StoreDamaged, StoreFull, StoreLocked
from tests.conftest import ROOT


def cli(db: Path, *args: str, wait: str = "0") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args, "--db", str(db), "--wait", wait],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def hold(db: Path, *, read_only: bool = False, seconds: float = 60) -> subprocess.Popen[str]:
    """Another program holding the store file (as DuckDB allows: one at a time)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb,time; c=duckdb.connect("
            f"{str(db)!r}, read_only={read_only}); print('ok', flush=True); time.sleep({seconds})",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ok"
    return proc


def stop(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.wait()


# ---------------------------------------------------------------- owner-only files


def test_a_new_store_its_log_and_its_folder_are_the_owners_alone(tmp_path: Path) -> None:
    db = tmp_path / "fresh" / "store.duckdb"
    con = store.connect(db)
    con.execute("SET checkpoint_threshold = '1GB'")  # keep the write-ahead log on disk
    store.create_workspace(con, "Owner Only")
    for path in (db, Path(f"{db}.wal"), Path(f"{db}.journal")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    con.close()


def test_an_existing_world_readable_store_is_made_owner_only(db_file: Path) -> None:
    store.connect(db_file).close()
    db_file.chmod(0o644)
    store.connect(db_file).close()
    assert stat.S_IMODE(db_file.stat().st_mode) == 0o600


# ---------------------------------------------------------------- another program has the store


def test_a_command_waits_for_the_store_and_then_succeeds(db_file: Path) -> None:
    store.connect(db_file).close()
    holder = hold(db_file, seconds=1.5)
    said: list[str] = []
    try:
        started = time.monotonic()
        con = store.connect(db_file, wait=20, on_wait=said.append)
        waited = time.monotonic() - started
        con.close()
    finally:
        stop(holder)
    assert 0.5 < waited < 20
    assert len(said) == 1
    assert f"process {holder.pid}" in said[0] and "waiting up to 20 s" in said[0]
    assert not store.waiting_marker(db_file).exists()  # the marker goes once the store is had


def test_a_command_that_waits_in_vain_names_the_holder_and_how_long_it_waited(
    db_file: Path,
) -> None:
    store.connect(db_file).close()
    holder = hold(db_file)
    try:
        with pytest.raises(StoreLocked) as caught:
            store.connect(db_file, wait=0.5)
    finally:
        stop(holder)
    assert f"in use by another program ({sys.executable}, process {holder.pid})" in str(
        caught.value
    )
    assert str(caught.value).endswith("(waited 0.5 s)")


def test_read_only_commands_share_the_store_with_another_reader(db_file: Path) -> None:
    con = store.connect(db_file)
    store.create_workspace(con, "Readers")
    con.close()
    holder = hold(db_file, read_only=True)
    try:
        listed = cli(db_file, "batches", "--workspace", "Readers")
        undo = cli(db_file, "undo", "--workspace", "Readers", "1")
    finally:
        stop(holder)
    assert listed.returncode == 0, listed.stderr
    assert "No imports yet in 'Readers'" in listed.stdout
    # A command that writes needs the store to itself: it says who has it.
    assert undo.returncode == 1
    assert f"process {holder.pid}" in one_line(undo)


# ---------------------------------------------------------------- the app lets go between runs


@pytest.fixture
def quick_idle(monkeypatch: pytest.MonkeyPatch) -> Any:
    import ui.store

    monkeypatch.setattr(ui.store, "IDLE_SECONDS", 0.2)
    return ui.store


def test_the_app_closes_the_store_soon_after_its_last_run(db_file: Path, quick_idle: Any) -> None:
    handle = quick_idle.StoreHandle(str(db_file))
    handle.enter()
    handle.connection()
    handle.leave()
    assert handle.is_open()  # a person clicking through pages keeps it open …
    time.sleep(0.6)
    assert not handle.is_open()  # … and it is let go when idle: another program may open it
    other = duckdb.connect(str(db_file))  # in a second process this would fail if still held
    other.close()


def test_the_app_lets_a_waiting_command_in_before_its_next_run(
    db_file: Path, quick_idle: Any
) -> None:
    handle = quick_idle.StoreHandle(str(db_file))
    handle.enter()
    handle.connection()
    store.waiting_marker(db_file).touch()  # a command is waiting for the store
    handle.leave()
    assert not handle.is_open()  # closed at once, not after the idle time
    started = time.monotonic()
    handle.enter()  # the next run waits while the command's marker is fresh (then goes stale)
    assert time.monotonic() - started >= store.MARKER_FRESH_SECONDS * 0.5
    handle.connection()
    handle.leave()
    handle.close()


def test_the_app_forgets_cached_figures_after_another_program_changed_the_store(
    db_file: Path, quick_idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cleared: list[bool] = []
    monkeypatch.setattr(quick_idle.st.cache_data, "clear", lambda: cleared.append(True))
    handle = quick_idle.StoreHandle(str(db_file))
    handle.connection()
    handle.close()
    handle.connection()  # nothing changed in between: caches kept
    handle.close()
    assert cleared == []
    con = store.connect(db_file)  # "the command line" imports while the app is idle
    store.create_workspace(con, "Changed Meanwhile")
    con.close()
    handle.connection()
    handle.close()
    assert cleared == [True]


# ---------------------------------------------------------------- damaged stores


def test_a_file_that_is_not_a_store_is_one_line(db_file: Path) -> None:
    db_file.write_bytes(b"these are not the bytes of a database " * 200)
    with pytest.raises(StoreDamaged, match="is not an Opening Day store"):
        store.connect(db_file)
    proc = cli(db_file, "batches", "--workspace", "x")
    assert proc.returncode == 1
    assert "is not an Opening Day store (or is damaged); restore it from your backup" in one_line(
        proc
    )


def test_a_store_cut_short_is_one_line(db_file: Path) -> None:
    store.connect(db_file).close()
    db_file.write_bytes(db_file.read_bytes()[:100])
    with pytest.raises(StoreDamaged, match="is damaged \\(cut short or overwritten"):
        store.connect(db_file)
    proc = cli(db_file, "batches", "--workspace", "x")
    assert proc.returncode == 1 and "is damaged (cut short" in one_line(proc)


def _store_with_a_log(db: Path, workspaces: int) -> None:
    """Commit `workspaces` changes and stop without closing, as a killed program would: the
    changes are only in the write-ahead log."""
    code = (
        "import os; from analytics import store; "
        f"con = store.connect({str(db)!r}); con.execute(\"SET checkpoint_threshold = '1GB'\"); "
        + "; ".join(f"store.create_workspace(con, 'W{i}')" for i in range(workspaces))
        + "; os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
    assert Path(f"{db}.wal").stat().st_size > 0


def test_a_log_cut_short_is_noticed_not_silently_dropped(db_file: Path) -> None:
    _store_with_a_log(db_file, 3)
    wal = Path(f"{db_file}.wal")
    wal.write_bytes(wal.read_bytes()[:-30])  # the tail of the last commit is gone

    proc = cli(db_file, "batches", "--workspace", "W0")
    assert proc.returncode == 0, proc.stderr
    warning = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning:")]
    assert len(warning) == 1
    assert "holds 1 change fewer than were saved to it" in warning[0]
    assert "write-ahead log could not be replayed in full" in warning[0]
    kept = sorted(db_file.parent.glob("store.duckdb.wal.*.kept"))
    assert len(kept) == 1 and str(kept[0]) in warning[0]  # the damaged log is kept for recovery

    con = store.connect(db_file)
    assert [w.name for w in store.list_workspaces(con)] == ["W0", "W1"]  # W2 was lost
    notice = store.store_notices(con)[0]
    store.dismiss_notice(con, notice.id)
    assert store.store_notices(con) == []
    con.close()


def test_a_damaged_log_is_noticed(db_file: Path) -> None:
    _store_with_a_log(db_file, 2)
    wal = Path(f"{db_file}.wal")
    data = bytearray(wal.read_bytes())
    for i in range(64, len(data) - 8, 7):
        data[i] ^= 0x5A
    wal.write_bytes(bytes(data))
    try:
        con = store.connect(db_file)
    except StoreDamaged as exc:  # some damage DuckDB refuses outright: one line, says what to do
        assert "write-ahead log" in str(exc) and "Move that .wal file aside" in str(exc)
        return
    notices = store.store_notices(con)
    con.close()
    assert len(notices) == 1
    assert "2 changes fewer" in notices[0].message


def test_a_clean_close_leaves_nothing_to_notice(db_file: Path) -> None:
    con = store.connect(db_file)
    store.create_workspace(con, "Clean")
    con.close()
    con = store.connect(db_file)
    assert store.store_notices(con) == []
    assert store.journal_seq(con) == int(Path(f"{db_file}.journal").read_text())
    con.close()
    assert list(db_file.parent.glob("*.kept")) == []


# ---------------------------------------------------------------- a full disk


def test_a_full_disk_during_an_import_is_one_line_and_keeps_nothing(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    con = store.connect(db)
    store.create_workspace(con, "Full")
    con.close()
    export = tmp_path / "invoices.csv"
    lines = ["Date,Customer,Amount"] + [
        f"2024-01-{1 + i % 28:02d},Customer {i % 500},{i}.50" for i in range(150_000)
    ]
    export.write_text("\n".join(lines), encoding="utf-8")
    limit = db.stat().st_size + 400_000  # the store may grow by 400 KB, the import needs more
    code = (
        "import resource, runpy, signal, sys; "
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); "
        f"sys.argv = ['analytics', 'import', '--db', {str(db)!r}, '--workspace', 'Full', "
        f"'--entity', 'invoices', {str(export)!r}]; "
        "runpy.run_module('analytics', run_name='__main__')"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert proc.returncode == 1
    assert "could not be written: the disk is full. Nothing was saved by this step" in one_line(
        proc
    )
    after = cli(db, "batches", "--workspace", "Full")
    assert after.returncode == 0 and "No imports yet in 'Full'" in after.stdout


def test_store_faults_translate_to_one_line() -> None:
    full = store.translate_error(duckdb.IOException("IO Error: No space left on device"), "s.db")
    assert isinstance(full, StoreFull) and str(full).startswith("The store s.db could not be")
    memory = store.translate_error(duckdb.OutOfMemoryException("Out of Memory Error: x"), "s.db")
    assert isinstance(memory, StoreFull) and "ran out of memory" in str(memory)
    wal = store.translate_error(duckdb.IOException("Corrupt WAL file: checksum mismatch"), "s.db")
    assert isinstance(wal, StoreDamaged) and "s.db.wal" in str(wal)


def test_a_page_that_meets_a_full_disk_says_so_in_one_line(
    fresh_streamlit: None, db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.apptest import app

    con = store.connect(db_file)
    store.create_workspace(con, "Full Page")
    con.close()
    import analytics.settings

    def no_room(*args: object, **kwargs: object) -> None:
        raise duckdb.IOException("IO Error: Could not write file: No space left on device")

    monkeypatch.setattr(analytics.settings, "save_settings", no_room)
    at = app().run()
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    save = [b for b in at.button if "Save" in str(b.label)]
    assert save, [b.label for b in at.button]
    save[0].click().run()
    assert not at.exception
    errors = [str(e.value).replace("\\", "") for e in at.error]
    assert any("could not be written: the disk is full" in e for e in errors), errors


def test_copying_a_closed_store_copies_everything(db_file: Path, tmp_path: Path) -> None:
    # The app lets go of the store when idle, so a plain file copy is a backup.
    con = store.connect(db_file)
    store.create_workspace(con, "Backed Up")
    con.close()
    copy = tmp_path / "backup.duckdb"
    shutil.copy(db_file, copy)
    con = store.connect(copy)
    assert [w.name for w in store.list_workspaces(con)] == ["Backed Up"]
    con.close()
    assert os.path.exists(db_file)


def test_a_store_cut_short_after_its_header_is_one_line_in_the_cli_and_on_the_page(
    demo_store: Path, db_file: Path, fresh_streamlit: None
) -> None:
    from tests.apptest import app

    data = demo_store.read_bytes()
    db_file.write_bytes(data[: int(len(data) * 0.6)])  # opens, then fails where data is missing
    proc = cli(db_file, "kpis", "--workspace", "Demo - Harbour IT")
    assert proc.returncode == 1
    assert "is damaged (cut short or overwritten" in one_line(proc)
    at = app().run()
    assert not at.exception
    assert len(at.error) == 1
    assert "is damaged (cut short or overwritten" in str(at.error[0].value).replace("\\", "")
