"""The Review pack button's pages drawn in Streamlit's real runtime (ui/pack.py
`drawn_in_app`): each page run headless in a session of its own, its capture taken, as the
Share button freezes it. A runtime is one per process: this runs in a child process."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from analytics import store
from tests.conftest import ROOT

WS = "Demo - Harbour IT"


def probe(pages: list[str]) -> dict[str, Any]:
    """In a child process: serve app.py, then draw `pages` for the pack from a worker thread
    (as the button's script run does), and sum up what each page gave."""
    import streamlit as st

    from ui import pack

    async def serve() -> dict[str, Any]:
        app = st.App(str(ROOT / "app.py"))
        inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        started = asyncio.Event()

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.complete":
                started.set()
            elif message["type"] == "lifespan.startup.failed":
                raise RuntimeError(message.get("message"))

        await inbox.put({"type": "lifespan.startup"})
        server = asyncio.create_task(app({"type": "lifespan"}, inbox.get, send))
        await asyncio.wait_for(started.wait(), 60)
        drawn = await asyncio.to_thread(pack.drawn_in_app, pages, WS, None)
        out = {
            page: {
                "kinds": sorted({b["kind"] for b in blocks}),
                "first": blocks[0].get("text"),
                "charts": sum(b["kind"] == "chart" for b in blocks),
                "tables": sum(b["kind"] == "table" for b in blocks),
            }
            for page, blocks in drawn.items()
        }
        await inbox.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(server, 60)
        return out

    return asyncio.run(serve())


def test_each_page_is_drawn_by_the_server_with_its_charts_and_tables(demo_db: Path) -> None:
    env = {**os.environ, store.DB_ENV: str(demo_db), "PYTHONUNBUFFERED": "1"}
    env.pop("OPENING_DAY_SHARED", None)
    code = (
        "import json, os, sys; from tests.test_pack_served import probe; "
        "print('PROBE' + json.dumps(probe(['pace', 'fit']))); sys.stdout.flush(); "
        "os._exit(0)"  # Streamlit's and DuckDB's threads are alive: leave without shutdown
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("PROBE")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    found = json.loads(lines[-1][len("PROBE") :])
    assert list(found) == ["pace", "fit"]
    assert found["pace"]["first"] == "Pace" and found["fit"]["first"] == "Customer fit"
    for page in found.values():
        # The page's larger charts and tables: what the registry alone cannot give.
        assert page["charts"] >= 3 and page["tables"] >= 2, page
        assert {"heading", "card", "metrics", "chart", "table"} <= set(page["kinds"])
