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
"""

from __future__ import annotations

import threading
import time

from streamlit.logger import get_logger

DELAY_S = 0.5  # let the rerun that follows the write go first
_log = get_logger(__name__)
_lock = threading.Lock()
_queued: list[int] = []  # workspaces waiting, oldest first
_worker: threading.Thread | None = None  # the one refill thread, while it runs
_writes = 0  # writes seen (each `soon`): a write during a refill makes what it cached suspect


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


def soon(workspace_id: int) -> None:
    """Work the workspace's figures out again in the background (once, if asked again before
    it starts; again, if asked while it runs)."""
    global _worker, _writes
    with _lock:
        _writes += 1
        if workspace_id not in _queued:
            _queued.append(workspace_id)
        if _worker is None:
            _worker = threading.Thread(target=_run, name="opening-day-refill", daemon=True)
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


def _run() -> None:
    global _worker
    time.sleep(DELAY_S)
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
    from ui.scoreboard import weekly
    from ui.warmup import prefill

    handle = ui_store.handle()
    handle.enter()
    try:
        as_of = ui_store.last_data_date(workspace_id)
        if as_of is None:
            return
        ui_ind.scoreboard(workspace_id, None)
        weekly(workspace_id, as_of)
        con = ui_store.connection()
        since, reason = changes.default_since(
            con, workspace_id, as_of=as_of, last_pack=last_made(con, workspace_id)
        )
        version = stored.data_version(con, workspace_id)
        ui_changes.changes_for(workspace_id, since, None, reason, version)
    finally:
        handle.leave()
    prefill(workspace_id)
