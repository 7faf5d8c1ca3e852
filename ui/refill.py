"""After a write, the figures are worked out again in the background (issue 12).

An import, undo, demo or settings change makes every kept figure stale: the next page to need
them computed all 29 indicators at the default day, then the Scoreboard's "What changed" did
it again at the comparison day (2–5 s at the large demo, the first view after a change). So
when the app writes (`ui.store.changed`), this starts one background thread that, after the
run the write triggers has had the store first (`DELAY_S`), fills the same caches a visit
reads for the workspace the session has open: the reads every page makes, each area's
results and the Scoreboard's kept ones (`ui.warmup.prefill`, as at server start), and the
comparison "What changed" shows by default. The owner who then opens the Scoreboard finds it
done. Nothing is shown or written that the visit would not have computed itself, and a
failure here only means the visit computes as before (it is logged, never raised). A write
while a refill runs queues another, and what the running one cached is dropped (it may have
read the data before that write).

Another program's writes count too: the command line can import beside the running app
(the app lets go of the store between runs, ui/store.py), and its first visit after such an
import used to compute everything (2.3–2.8 s at the large demo). So the served app also
looks, four times a second, at the store's files while it has the store closed
(`watch_outside`: times and sizes only, nothing opened). When they are not as the app left
them, with no command waiting and no write-ahead log (a program writing has one until it
closes the store), it opens the store (a program still holding it: it looks again); the
journal then tells whether anything was committed, and each workspace whose data version
moved is refilled at once, as after a write of its own.
"""

from __future__ import annotations

import threading
import time

from streamlit.logger import get_logger

DELAY_S = 0.5  # let the rerun that follows the write go first
WATCH_S = 0.25  # how often the served app looks at the store's files while it has them closed
_log = get_logger(__name__)
_lock = threading.Lock()
_queued: list[int] = []  # workspaces waiting, oldest first
_worker: threading.Thread | None = None  # the one refill thread, while it runs
_writes = 0  # writes seen (each `soon`): a write during a refill makes what it cached suspect
_watcher: threading.Thread | None = None  # the one thread looking for other programs' writes
_unopened: object = None  # the store's files as they were when opening them failed for good


def after_change() -> None:
    """`soon` for the workspace this session has open, when the app is served with its
    warm-up (`make run`: serve.py); not under `streamlit run app.py` nor in AppTest, where a
    thread outliving the run would only get in the way."""
    from streamlit import config

    if config._server_mode != "starlette-app":  # serve.py's st.App, as ui.warmup reads it
        return
    from ui import store as ui_store
    from ui.state import app_state

    name = app_state().workspace  # the business this session is looking at
    ws = next((w for w in ui_store.workspaces() if w.name == name), None)
    if ws is not None:
        soon(ws.id)


def watch_outside() -> None:
    """Start looking for other programs' writes (`look_outside`, every WATCH_S), once per
    process; the served app calls it at start (ui/warmup.py's lifespan)."""
    global _watcher
    with _lock:
        if _watcher is not None and _watcher.is_alive():
            return
        _watcher = threading.Thread(
            target=_watch_outside, name="opening-day-outside-writes", daemon=True
        )
        _watcher.start()


def _watch_outside() -> None:
    while True:
        time.sleep(WATCH_S)
        try:
            look_outside()
        except Exception:  # a visit will find what this could not; never take the app down
            _log.exception("looking for another program's writes to the store failed")


def look_outside() -> list[int]:
    """One look at the store's files (`StoreHandle.files_changed`). Changed: open the store
    (the journal says whether another program committed anything) and refill each workspace
    it changed, at once (`soon`). The workspaces refilled; none while the files are as the
    app left them, or a program still holds the store. A store that cannot be opened for
    another reason (damaged: a visit says so) is not tried again until its files change."""
    global _unopened
    from analytics.errors import OpeningDayError, StoreLocked
    from ui import store as ui_store

    handle = ui_store.handle()
    files = handle.files_changed()
    if files is None or files == _unopened:
        return []
    handle.enter()
    try:
        handle.connection(wait=0)
    except StoreLocked:  # still held by the program that wrote: the next look tries again
        return []
    except OpeningDayError:  # damaged, too new…: a visit says why; not tried again as it is
        _unopened = files
        return []
    finally:
        handle.leave()
    changed = handle.take_outside_changes()
    if changed:
        _log.info("another program changed workspaces %s: refilling them", changed)
    for workspace_id in changed:
        soon(workspace_id, delay=0.0)
    return changed


def soon(workspace_id: int, *, delay: float = DELAY_S) -> None:
    """Work the workspace's figures out again in the background (once, if asked again before
    it starts; again, if asked while it runs), starting `delay` seconds from now when no
    refill is under way (after this app's own write, its rerun goes first)."""
    global _worker, _writes
    with _lock:
        _writes += 1
        if workspace_id not in _queued:
            _queued.append(workspace_id)
        if _worker is None:
            _worker = threading.Thread(
                target=_run, args=(delay,), name="opening-day-refill", daemon=True
            )
            _worker.start()


def pending() -> bool:
    """True while a refill is queued or under way (tests wait on it)."""
    with _lock:
        return bool(_queued) or _worker is not None


def wait(timeout: float = 120.0) -> bool:
    """Block until the refills are done; False if `timeout` seconds passed first."""
    deadline = time.monotonic() + timeout
    while pending() and time.monotonic() < deadline:
        with _lock:
            worker = _worker
        if worker is not None:
            worker.join(max(0.0, deadline - time.monotonic()))
    return not pending()


def _run(delay: float = DELAY_S) -> None:
    global _worker
    time.sleep(delay)
    while True:
        with _lock:
            if not _queued:
                _worker = None  # under the lock: a `soon` from now on starts a new thread
                return
            workspace_id = _queued.pop(0)
            writes = _writes
        started = time.perf_counter()
        try:
            refill(workspace_id)
        except Exception:  # the visit will compute what this could not; never take the app down
            _log.exception("refilling workspace %s after a change failed", workspace_id)
        else:
            _log.info(
                "workspace %s refilled after a change in %.1f s",
                workspace_id,
                time.perf_counter() - started,
            )
        with _lock:
            suspect = _writes != writes
        if suspect:  # a write came meanwhile: a read cached before it may be stale
            import streamlit as st

            st.cache_data.clear()


def refill(workspace_id: int) -> None:
    """What the first visit after a change would compute, into the caches it reads, the
    Scoreboard's first (where an owner looks after a change: its kept results, the weekly
    scorecard and its default "What changed" comparison), then what every other page reads
    (`warmup.prefill`: each area's results at the default day)."""
    from analytics import changes
    from analytics.indicators import stored
    from analytics.pack.log import last_made
    from ui import changes as ui_changes
    from ui import indicators as ui_ind
    from ui import store as ui_store
    from ui.scoreboard import shown
    from ui.warmup import prefill

    handle = ui_store.handle()
    handle.enter()
    try:
        as_of = ui_store.last_data_date(workspace_id)
        if as_of is None:
            return
        ui_ind.scoreboard(workspace_id, None)
        ui_ind.scoreboard_pictures(workspace_id, None)
        shown(workspace_id, as_of, ui_store.currency(workspace_id))  # the weekly scorecard too
        con = ui_store.connection()
        since, reason = changes.default_since(
            con, workspace_id, as_of=as_of, last_pack=last_made(con, workspace_id)
        )
        version = stored.data_version(con, workspace_id)
        ui_changes.changes_for(workspace_id, since, None, reason, version)
    finally:
        handle.leave()
    prefill(workspace_id)
