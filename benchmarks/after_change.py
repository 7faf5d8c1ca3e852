"""The Scoreboard's first view after a data change, as the owner meets it (issue 12).

`python -m benchmarks.after_change --db STORE [--change settings|cli-import] [--root TREE]
[--pause S] [--repeat N]` serves a scratch copy of STORE with `streamlit run serve.py` (as
`make run` does) and, in Debian chromium, once the server's warm-up is done, opens the
Scoreboard (untimed), then each round makes one real change and times the Scoreboard after it:

- `settings` (the default): goes to Settings, changes one weekly-scorecard goal (Sales
  activities: a new value each round, so every save is a real change of the owner's settings
  and every kept figure is stale), saves and waits for "Settings saved";
- `cli-import`: goes to Home, then imports a few invoice lines with the command line beside
  the running app (`python -m analytics import`, as a scheduled monthly import would: five
  lines on the last invoice day, new invoice numbers each round) and waits for it to end.

It then pauses `--pause` seconds (reading the message, moving the mouse: default 3), clicks
the Scoreboard in the sidebar and times it until settled (its heading, the script run
finished, every chart drawn: benchmarks/browser.py's rule). Per round: seconds, the server's
CPU seconds for that visit, and whether the server logged a background refill
(ui/refill.py) before the click; and each refill's own seconds from the log. `--root` serves
another checkout (the code before a change) with the same harness. Not a test: the figures
depend on the load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
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
CHANGES = ("settings", "cli-import")
IMPORT_LINES = 5  # invoice lines per command-line import


def _save_settings(page: Any, server: load.Server, value: int) -> None:
    browser._go(page, server, "settings", "sidebar")
    page.get_by_role("heading", name="Settings", exact=True, level=1).first.wait_for()
    goal = page.get_by_label(GOAL_LABEL, exact=True).first
    goal.fill(str(value))
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text(SAVED).first.wait_for()


def _import_beside(
    page: Any, server: load.Server, frames: Any, store: Path, root: Path, value: int
) -> float:
    """Home in the browser, then `python -m analytics import` of IMPORT_LINES invoice lines
    on the store's last invoice day, for its largest customers (new invoice numbers each
    round, so none is a duplicate); the command's wall seconds."""
    work = store.parent
    name, heading, last, customers = _import_target(store, work)
    browser._visit(page, server, "home", heading, frames, "sidebar")
    csv = work / f"invoices-{value}.csv"
    lines = ["Invoice Date,Customer Name,Amount,Invoice No"]
    for i, customer in enumerate(customers[:IMPORT_LINES]):
        quoted = '"' + customer.replace('"', '""') + '"'
        lines.append(f"{last.isoformat()},{quoted},{value * 10 + i}.50,BENCH-{value}-{i}")
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "analytics", "import", "--db", str(store), "--workspace", name]
        + ["--entity", "invoices", str(csv)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the command-line import failed: {done.stderr.strip()[-400:]}")
    return round(time.perf_counter() - started, 2)


_TARGETS: dict[Path, tuple[str, str, Any, list[str]]] = {}


def _import_target(store: Path, work: Path) -> tuple[str, str, Any, list[str]]:
    """The first workspace's name and heading, last invoice day and largest customers, read
    once from a copy of the store taken before the server started (the server may hold the
    store)."""
    if store not in _TARGETS:
        from analytics import store as od_store

        con = od_store.connect(work / "before.duckdb", read_only=True)
        try:
            ws = od_store.list_workspaces(con)[0]
            last = con.execute(
                "SELECT max(date) FROM invoices WHERE workspace_id = ?", [ws.id]
            ).fetchall()[0][0]
            customers = [
                r[0]
                for r in con.execute(
                    "SELECT customer FROM invoices WHERE workspace_id = ? AND customer IS NOT "
                    "NULL GROUP BY customer ORDER BY sum(amount) DESC, customer LIMIT ?",
                    [ws.id, IMPORT_LINES],
                ).fetchall()
            ]
        finally:
            con.close()
        _TARGETS[store] = (ws.name, ws.display_name, last, customers)
    return _TARGETS[store]


def _round(
    page: Any,
    server: load.Server,
    frames: Any,
    value: int,
    pause: float,
    change: str = "settings",
    store: Path | None = None,
    root: Path = ROOT,
) -> dict[str, Any]:
    import_s = None
    if change == "cli-import":
        assert store is not None
        import_s = _import_beside(page, server, frames, store, root, value)
    else:
        _save_settings(page, server, value)
    saved_at = time.perf_counter()
    time.sleep(pause)
    refilled_before = server.log_text().count("refilled after a change")
    visit = browser._visit(page, server, "scoreboard", "Scoreboard", frames, "sidebar")
    return {
        "seconds": visit.seconds,
        "server_cpu_s": visit.server_cpu_s,
        "since_saved_s": round(time.perf_counter() - saved_at, 2),
        "import_s": import_s,
        "refills_logged_before_click": refilled_before,
        "load_average": visit.load_average,
        "error": visit.error,
    }


def run(
    db: Path,
    *,
    root: Path = ROOT,
    pause: float = 3.0,
    repeat: int = 3,
    change: str = "settings",
) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="od-after-change-") as tmp:
        work = Path(tmp)
        copy = work / "store.duckdb"
        shutil.copy(db, copy)
        if change == "cli-import":
            shutil.copy(db, work / "before.duckdb")
        server = load.start_server(copy, work / "streamlit.log", root=root)
        rounds: list[dict[str, Any]] = []
        try:
            browser._wait_for_warmup(server)
            with sync_playwright() as pw:
                context, page = browser._tab(pw, work / "profile")
                frames = browser.Frames(page)
                browser._visit(page, server, "scoreboard", "Scoreboard", frames, "url")
                for i in range(repeat):
                    rounds.append(_round(page, server, frames, 200 + i, pause, change, copy, root))
                context.close()
        finally:
            load.stop_server(server)
        return {
            "root": str(root),
            "change": change,
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
    parser.add_argument("--change", choices=CHANGES, default="settings")
    args = parser.parse_args(argv)
    report = run(args.db, root=args.root, pause=args.pause, repeat=args.repeat, change=args.change)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
