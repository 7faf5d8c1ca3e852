"""The store as the app sees it: opened for each script run, let go when idle, cached reads.

DuckDB lets one program at a time hold a store file. So that the command line works
beside a running app (an import from a script, revoking a link), the app does not keep
the file between script runs: `app.py` wraps every run in `in_use()`, the first run opens
the store, and two seconds after the last run ends it is closed again — at once when a
command is waiting for it (`<store>.waiting`). A run that finds the store held by a
command waits for it, saying so, then carries on.

Every query takes its own `cursor()` (DuckDB 2.0 refuses a connection shared across
threads); writes go through `analytics.store.transaction`, which holds the process's
write lock. Cached functions take scalars only, and always the workspace id, so one
business's figures can never be served for another.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from analytics import asof, store
from analytics.errors import OpeningDayError
from analytics.settings import get_settings
from ui.format import plain

# Seconds the store stays open after the last run ends (a person clicking through pages
# keeps it open; a command that waits gets it at once). OPENING_DAY_STORE_IDLE changes it
# (the benchmarks use a large value to time the app as it was, holding the store for good).
IDLE_SECONDS = float(os.environ.get("OPENING_DAY_STORE_IDLE", "2") or 2)
# How long a run waits for a command that holds the store before it gives up and says so.
RUN_WAIT_SECONDS = 60.0


class StoreHandle:
    """One store file as this process shares it between script runs."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._con: store.Connection | None = None
        self._runs = 0
        self._last_used = 0.0
        self._seq_at_close: int | None = None
        # as this app left the store: its files (`_files`) and each workspace's data version
        # (`asof.versions`), to tell another program's writes when it opens it again
        self._files_at_close: tuple[Any, ...] | None = None
        self._versions_at_close: dict[int, tuple[Any, ...]] | None = None
        # workspaces another program changed, found when it opened the store again, not yet
        # taken for a refill (`take_outside_changes`)
        self._changed_outside: set[int] = set()
        self._due: float | None = None  # when to look again whether the store is idle
        self._wake = threading.Event()
        self._closer: threading.Thread | None = None  # one thread while the store is open
        self.opened = 0  # how many times the file was opened (for tests and benchmarks)
        _HANDLES.add(self)

    # -- runs

    def enter(self, on_wait: Callable[[], None] | None = None) -> None:
        """A script run starts: first let a waiting command have the store, then count it."""
        deadline = time.monotonic() + RUN_WAIT_SECONDS
        said = False
        while store.someone_waiting(self.path) and time.monotonic() < deadline:
            with self._lock:
                if self._runs == 0:
                    self._close()
            if on_wait is not None and not said:
                on_wait()
                said = True
            time.sleep(0.05)
        with self._lock:
            self._runs += 1

    def leave(self) -> None:
        with self._lock:
            self._runs = max(0, self._runs - 1)
            self._last_used = time.monotonic()
            if self._runs:
                return
            if store.someone_waiting(self.path):
                self._close()
                return
        self._arm()

    @property
    def runs(self) -> int:
        """Script runs holding the store right now."""
        return self._runs

    def _arm(self) -> None:
        """Look again in IDLE_SECONDS whether the store is idle, and close it if so.

        One thread does the looking for as long as the store is open (not one per run): each
        arming moves its next look later, and it ends once the store is closed.
        """
        with self._lock:
            self._due = time.monotonic() + IDLE_SECONDS
            if self._closer is None or not self._closer.is_alive():
                self._closer = threading.Thread(
                    target=self._watch, name="opening-day-store-idle", daemon=True
                )
                self._closer.start()
        self._wake.set()

    def _watch(self) -> None:
        while True:
            with self._lock:
                due = self._due
                if due is None or self._con is None:
                    self._due = None
                    self._closer = None  # the next arming starts a new one
                    return
                if time.monotonic() >= due:
                    self._due = None
                    self._close_if_idle()
                    continue
            self._wake.wait(max(0.0, due - time.monotonic()))
            self._wake.clear()

    def _close_if_idle(self) -> None:
        with self._lock:
            idle = time.monotonic() - self._last_used
            if self._runs == 0 and idle >= IDLE_SECONDS * 0.95:
                self._close()

    # -- the connection

    def connection(self, on_wait: Any = None, *, wait: float | None = None) -> store.Connection:
        """The open connection, opening the store if it is closed (waiting for a command
        that holds it, up to `wait` seconds; RUN_WAIT_SECONDS, read now, when not given)."""
        if wait is None:
            wait = RUN_WAIT_SECONDS
        with self._lock:
            self._last_used = time.monotonic()
            if self._con is not None:
                return self._con
            con = store.connect(self.path, wait=wait, on_wait=on_wait)
            self.opened += 1
            seq = store.journal_seq(con)
            if self._seq_at_close is not None and seq != self._seq_at_close:
                # Another program changed the store while it was closed (an import from the
                # command line): every cached figure may be stale.
                st.cache_data.clear()
                self._note_outside_changes(con)
            self._con = con
            if self._runs == 0:
                self._arm()  # opened outside a run (a fragment, a test): still let go when idle
            return con

    def is_open(self) -> bool:
        return self._con is not None

    # -- another program's writes

    def _note_outside_changes(self, con: store.Connection) -> None:
        """The workspaces whose data version is not what it was when this app let go of the
        store (all of them when that was not read), for `take_outside_changes`."""
        before = self._versions_at_close
        try:
            now = asof.versions(con)
        except Exception:  # noqa: BLE001 - only a favour: the visits compute as ever
            return
        self._changed_outside |= {
            ws for ws, version in now.items() if before is None or before.get(ws) != version
        }

    def take_outside_changes(self) -> list[int]:
        """The workspaces another program changed since this app last let go of the store, as
        found when it opened it again (each id once: taking them forgets them)."""
        with self._lock:
            taken = sorted(self._changed_outside)
            self._changed_outside.clear()
        return taken

    def files_changed(self) -> tuple[Any, ...] | None:
        """The store's files as they are now, when the store is closed, no command waits for
        it, no write-ahead log is there, and they are not as this app left them (another
        program wrote it since: an import from the command line); None otherwise. Looks only
        at the files' times and sizes: nothing is opened."""
        with self._lock:
            if self._con is not None or self._runs or self._files_at_close is None:
                return None
            if store.someone_waiting(self.path):
                return None
            now = _files(self.path)
            wal = now[1]
            if wal is not None and wal[1] > 0:
                # a log being written (the other program is still at it), or left by one that
                # stopped: opening would replay it under that program, so leave it to a visit
                return None
            return now if now != self._files_at_close else None

    def _close(self) -> None:
        if self._con is None:
            return
        try:
            self._seq_at_close = store.journal_seq(self._con)
        except Exception:  # noqa: BLE001 - a damaged store still has to be let go
            self._seq_at_close = None
        try:
            self._versions_at_close = asof.versions(self._con)
        except Exception:  # noqa: BLE001 - then every workspace counts as changed
            self._versions_at_close = None
        try:
            self._con.close()
        except Exception:  # noqa: BLE001 - still busy in a thread no run counted: try later
            self._arm()
            return
        self._con = None
        self._files_at_close = _files(self.path)

    def close(self) -> None:
        with self._lock:
            self._close()

    def close_at_exit(self) -> None:
        """The process ends: let go of the store here, under the lock, so the idle thread (a
        daemon, stopped wherever it is when Python ends) is never inside DuckDB then."""
        with self._lock:
            self._due = None
            if self._con is not None:
                with contextlib.suppress(Exception):  # nothing more to do at exit
                    self._con.close()
                self._con = None
        self._wake.set()


def _files(path: str) -> tuple[Any, ...]:
    """The store's file, its write-ahead log and its journal: each one's modification time
    and size (None for a file that is not there)."""
    found: list[Any] = []
    for name in (path, f"{path}.wal", f"{path}.journal"):
        try:
            info = os.stat(name)
        except OSError:
            found.append(None)
        else:
            found.append((info.st_mtime_ns, info.st_size))
    return tuple(found)


# Every handle of this process, so none is left open inside a daemon thread at exit.
_HANDLES: weakref.WeakSet[StoreHandle] = weakref.WeakSet()


@atexit.register
def _close_all_at_exit() -> None:
    for h in list(_HANDLES):
        h.close_at_exit()


@st.cache_resource(show_spinner=False, on_release=StoreHandle.close)
def _handle(path: str) -> StoreHandle:
    return StoreHandle(path)


def handle() -> StoreHandle:
    return _handle(str(store.db_path()))


_run = threading.local()  # set while this thread runs a script through app.py's in_use()
# In a session's state: its runs are the server's own (ui/warmup.py), no visit waits for them.
BACKGROUND_KEY = "_od_background_run"
_visits_lock = threading.Lock()
_visits = 0  # script runs through app.py, other than background ones, under way right now
_visit_ended = 0.0  # time.monotonic() when the last one ended
_visits_started = 0  # such runs begun since the process started


def visits_running() -> int:
    """Script runs a visitor is waiting for, under way right now (the warm-up gives way)."""
    return _visits


def visits_started() -> int:
    """Script runs a visitor waited for, begun since the server started."""
    return _visits_started


def since_last_visit() -> float:
    """Seconds since the last visit's script run ended (its browser may still be drawing)."""
    return time.monotonic() - _visit_ended


def _count_visit(step: int) -> None:
    global _visits, _visit_ended, _visits_started
    with _visits_lock:
        _visits += step
        _visits_started += max(step, 0)
        _visit_ended = time.monotonic()


def in_app_run() -> bool:
    """True inside a script run that went through app.py (and so holds the store)."""
    return bool(getattr(_run, "depth", 0))


@contextmanager
def in_use() -> Iterator[None]:
    """Hold the store for one script run (app.py wraps every run in it)."""
    visit = not st.session_state.get(BACKGROUND_KEY, False)
    _run.depth = getattr(_run, "depth", 0) + 1
    if visit:
        _count_visit(1)
    try:
        with _held():
            yield
    finally:
        _run.depth -= 1
        if visit:
            _count_visit(-1)


@contextmanager
def _held() -> Iterator[None]:
    h = handle()
    notes: list[Any] = []

    def waiting() -> None:
        notes.append(st.empty())
        notes[0].info(
            "A command is using the store; this page carries on when it is done.", icon="⏳"
        )

    h.enter(on_wait=waiting)
    for note in notes:
        note.empty()
    try:
        yield
    finally:
        h.leave()


def connection() -> store.Connection:
    """The process's connection. A store that is locked, damaged or unreadable stops the page
    with one line saying why; a command holding the store is waited for, with a note."""
    h = handle()
    if h.is_open():  # the usual case: no element drawn (this is called inside cached functions)
        return h.connection()
    notice = st.empty()

    def waiting(message: str) -> None:
        notice.info(f"{plain(message)} This page carries on as soon as it is done.", icon="⏳")

    try:
        con = h.connection(on_wait=waiting)
    except OpeningDayError as exc:
        notice.empty()
        st.error(plain(exc), icon="⛔")
        st.stop()
    notice.empty()
    return con


def changed() -> None:
    """Forget cached reads after a write (import, undo, demo, workspace change), and have the
    open workspace's figures worked out again in the background (ui/refill.py)."""
    st.cache_data.clear()
    from ui import capture, refill  # they read this module

    cap = capture.current()
    if cap is not None:  # a workspace made or removed in this run shows in this run too
        cap.memo.pop(("workspaces",), None)

    refill.after_change()


# ---------------------------------------------------------------- cached reads


@st.cache_data(show_spinner=False, max_entries=256)
def entity_counts(workspace_id: int) -> dict[str, int]:
    return store.entity_counts(connection(), workspace_id)


@st.cache_data(show_spinner=False, max_entries=256)
def data_range(workspace_id: int) -> pd.DataFrame:
    return store.data_range(connection(), workspace_id)


@st.cache_data(show_spinner=False, max_entries=256)
def last_data_date(workspace_id: int) -> date | None:
    value: Any = store.last_data_date(connection(), workspace_id)
    if value is None:
        return None
    return pd.Timestamp(value).date()


@st.cache_data(show_spinner=False, max_entries=256)
def data_checks(workspace_id: int) -> pd.DataFrame:
    """Rows that failed a data check at import, per kind of data and check."""
    from analytics.importer.checks import data_checks as listed

    return listed(connection(), workspace_id)


@st.cache_data(show_spinner=False, max_entries=256)
def settings(workspace_id: int) -> dict[str, Any]:
    return get_settings(connection(), workspace_id)


def currency(workspace_id: int) -> str:
    return str(settings(workspace_id)["currency"])


# ---------------------------------------------------------------- uncached, cheap reads


def workspaces() -> list[store.Workspace]:
    """The workspaces, read once per page run (the sidebar, the access check and each card's
    action all ask; a write that adds or removes one reruns the page)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from ui import capture  # it does not read this module

    def listed() -> list[store.Workspace]:
        return store.list_workspaces(connection())

    # a background thread (warm-up, refill): no page run, and nothing to warn about
    if get_script_run_ctx(suppress_warning=True) is None:
        return listed()
    found: list[store.Workspace] = capture.once_per_run(("workspaces",), listed)
    return found


def store_is_empty() -> bool:
    return store.is_empty(connection())


def batches(workspace_id: int) -> list[store.Batch]:
    return store.list_batches(connection(), workspace_id)


# ---------------------------------------------------------------- the store's own news


@contextmanager
def store_faults() -> Iterator[None]:
    """A page that meets a damaged file, a full disk or memory running out says so in one
    line (what happened, what to do) instead of Streamlit's error box."""
    try:
        yield
    except store.STORE_FAULTS as exc:
        st.error(plain(store.translate_error(exc, str(store.db_path()))), icon="⛔")
    except MemoryError:
        st.error("This page ran out of memory. Close other programs and try again.", icon="⛔")


def show_notices() -> None:
    """What the store has to tell its owner (changes lost with a damaged log), until read."""
    con = connection()
    for notice in store.store_notices(con):
        st.warning(plain(notice.message), icon="⚠️")
        if st.button("I have read this", key=f"_od_notice_{notice.id}"):
            store.dismiss_notice(con, notice.id)
            st.rerun()
