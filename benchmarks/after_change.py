"""The Scoreboard's first view after a data change, as the owner meets it (issue 12).

`python -m benchmarks.after_change --db STORE [--root TREE] [--pause S] [--repeat N]` serves
a scratch copy of STORE with `streamlit run serve.py` (as `make run` does) and, in Debian
chromium, once the server's warm-up is done: opens the Scoreboard (untimed), goes to
Settings, changes one weekly-scorecard goal (Sales activities: a new value each round, so
every save is a real change of the owner's settings and every kept figure is stale), saves,
waits for "Settings saved", pauses `--pause` seconds (reading the message, moving the mouse:
default 3), then clicks the Scoreboard in the sidebar and times it until settled (its
heading, the script run finished, every chart drawn: benchmarks/browser.py's rule). Per
round: seconds, the server's CPU seconds for that visit, and whether the server logged a
background refill (ui/refill.py) before the click; and each refill's own seconds from the log. `--root` serves another checkout (the
code before a change) with the same harness. Not a test: the figures depend on the load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import browser, load  # noqa: E402

GOAL_LABEL = "Sales activities"  # a weekly-scorecard goal on the Settings page
SAVED = "Settings saved"


def _round(page: Any, server: load.Server, frames: Any, value: int, pause: float) -> dict[str, Any]:
    browser._go(page, server, "settings", "sidebar")
    page.get_by_role("heading", name="Settings", exact=True, level=1).first.wait_for()
    goal = page.get_by_label(GOAL_LABEL, exact=True).first
    goal.fill(str(value))
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text(SAVED).first.wait_for()
    saved_at = time.perf_counter()
    time.sleep(pause)
    refilled_before = server.log_text().count("refilled after a change")
    visit = browser._visit(page, server, "scoreboard", "Scoreboard", frames, "sidebar")
    return {
        "seconds": visit.seconds,
        "server_cpu_s": visit.server_cpu_s,
        "since_saved_s": round(time.perf_counter() - saved_at, 2),
        "refills_logged_before_click": refilled_before,
        "load_average": visit.load_average,
        "error": visit.error,
    }


def run(db: Path, *, root: Path = ROOT, pause: float = 3.0, repeat: int = 3) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="od-after-change-") as tmp:
        work = Path(tmp)
        copy = work / "store.duckdb"
        shutil.copy(db, copy)
        server = load.start_server(copy, work / "streamlit.log", root=root)
        rounds: list[dict[str, Any]] = []
        try:
            browser._wait_for_warmup(server)
            with sync_playwright() as pw:
                context, page = browser._tab(pw, work / "profile")
                frames = browser.Frames(page)
                browser._visit(page, server, "scoreboard", "Scoreboard", frames, "url")
                for i in range(repeat):
                    rounds.append(_round(page, server, frames, 200 + i, pause))
                context.close()
        finally:
            load.stop_server(server)
        return {
            "root": str(root),
            "pause_s": pause,
            "load_average": os.getloadavg()[0],
            "rounds": rounds,
            "log_refills": server.log_text().count("refilled after a change"),
            "refill_s": [
                float(s)
                for s in re.findall(r"refilled after a change in ([\d.]+) s", server.log_text())
            ],
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--pause", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.db, root=args.root, pause=args.pause, repeat=args.repeat), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
