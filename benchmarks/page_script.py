"""Each indicator page's server script through AppTest: first run and cache hit, chart bytes.

`python -m benchmarks.page_script --db PATH` opens every indicator page the way the tests do
(tests/apptest.py: the app, then `switch_page`), on a copy of the store at PATH (the pages
write their stored Scoreboard results; the file given is left as it was). For each page and
repeat: Streamlit's caches are cleared, the page is run once (first run: the indicators are
computed) and once more in the same AppTest (cache hit: what a later visit costs the server).
The chart JSON is what the page hands the browser in that second run (every st.plotly_chart
spec, in bytes). An area page draws only its open tab (the first, on a visit by the page's
link): each of its other tabs is then opened in the same AppTest by its link (`?section=`),
as an owner clicks it: the run that opens it and a cache hit, with its chart JSON (`tabs`;
`worst_tab_*` the slowest cache hit and the largest chart JSON of any tab, the first
included). Medians over the repeats are returned. Not a test: nothing here passes or
fails; the figures depend on the machine and its load.

To time another checkout of the app (the code before a change), run this file by path from
there: `cd OTHER && python /path/to/benchmarks/page_script.py --db PATH --root .`.

`--hits N --page P` times one page's cache hits instead: one AppTest, the page run three
times, then N more runs timed (seconds, sorted, with their p25 and median). Steadier than
the repeats above for comparing two checkouts: run it for each in turn, alternating.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB_ENV = "OPENING_DAY_DB"  # analytics.store.DB_ENV, named here so --root can pick the app
PAGES = {
    "scoreboard": "pages/scoreboard.py",
    "pace": "pages/pace.py",
    "niche": "pages/niche.py",
    "fit": "pages/fit.py",
    "friction": "pages/friction.py",
}
TIMEOUT = 120  # seconds per script run
SECTION_PARAM = "section"  # ui.sections.SECTION_PARAM: an area page's open tab, in its link


def _settle_pages_manager() -> None:
    """As tests/conftest.py does: app.py's st.navigation decides the pages, so AppTest runs
    app.py (and its sidebar) on every run instead of the page file alone."""
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "_od_settled", False):
        return
    original_init = PagesManager.__init__

    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init  # type: ignore[method-assign]
    PagesManager._od_settled = True  # type: ignore[attr-defined]


def _quiet() -> None:
    """AppTest outside a server warns "missing ScriptRunContext" on every cache clear."""
    import logging

    name = "streamlit.runtime.scriptrunner_utils.script_run_context"
    logging.getLogger(name).addFilter(lambda record: "ScriptRunContext" not in record.getMessage())


def _clear_caches() -> None:
    """Every cache the app keeps in the process, so a first run builds everything."""
    import importlib

    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()  # the connection too: a first run opens the store
    # figures kept by content (absent from older checkouts timed with --root)
    with contextlib.suppress(ImportError):
        importlib.import_module("ui.figure_cache").clear()


def _chart_bytes(at: Any) -> int:
    return sum(len(el.proto.spec.encode()) for el in at.get("plotly_chart"))


def _fail_text(at: Any) -> str | None:
    problems = [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]
    return "; ".join(problems)[:300] if problems else None


def measure_page(root: Path, page_file: str) -> dict[str, Any]:
    """One visit: a fresh AppTest, the page's first run, then a second run (cache hit)."""
    from streamlit.testing.v1 import AppTest

    _clear_caches()
    at = AppTest.from_file(str(root / "app.py"), default_timeout=TIMEOUT)
    at.run()  # Home: the sidebar picks the workspace
    at.switch_page(page_file)
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    at.run()
    hit, hit_cpu = time.perf_counter() - start, time.process_time() - cpu
    visit = {
        "first_run_s": first,
        "cache_hit_s": hit,
        "cache_hit_cpu_s": hit_cpu,
        "chart_json_bytes": _chart_bytes(at),
        "failed": _fail_text(at),
        "tabs": {},
    }
    for label in [t.label for t in at.tabs][1:]:
        at.query_params[SECTION_PARAM] = label
        start = time.perf_counter()
        at.run()
        opened = time.perf_counter() - start
        start = time.perf_counter()
        at.run()
        visit["tabs"][label] = {
            "opened_s": opened,
            "cache_hit_s": time.perf_counter() - start,
            "chart_json_bytes": _chart_bytes(at),
        }
        visit["failed"] = visit["failed"] or _fail_text(at)
    return visit


@contextlib.contextmanager
def _app_on_copy(db: Path, root: Path) -> Iterator[None]:
    """The app at `root` set up for AppTest, its store a scratch copy of `db` (with its
    snapshot key) for the duration; every cache let go of before the copy is deleted."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    _settle_pages_manager()
    _quiet()
    with tempfile.TemporaryDirectory(prefix="od-page-script-") as tmp:
        copy = Path(tmp) / "store.duckdb"
        shutil.copy(db, copy)
        key = Path(f"{db}.snapshot-key")
        if key.exists():
            shutil.copy(key, Path(f"{copy}.snapshot-key"))
        previous = os.environ.get(DB_ENV)
        os.environ[DB_ENV] = str(copy)
        try:
            yield
            _clear_caches()  # let go of the copy before it is deleted
        finally:
            if previous is None:
                os.environ.pop(DB_ENV, None)
            else:
                os.environ[DB_ENV] = previous


def measure(db: Path, *, repeat: int = 5, root: Path = ROOT) -> list[dict[str, Any]]:
    """Per indicator page: the median first run and cache hit (seconds) over `repeat` visits,
    the process CPU seconds of the cache hit (steadier on a busy machine), and the chart JSON of the cache-hit run (bytes)."""
    out: list[dict[str, Any]] = []
    with _app_on_copy(db, root):
        runs: dict[str, list[dict[str, Any]]] = {p: [] for p in PAGES}
        for _ in range(repeat):  # pages interleaved, so a busy moment hits them all alike
            for page, page_file in PAGES.items():
                runs[page].append(measure_page(root, page_file))
    for page, visits in runs.items():
        out.append(
            {
                "page": page,
                "first_run_s": round(statistics.median(v["first_run_s"] for v in visits), 4),
                "cache_hit_s": round(statistics.median(v["cache_hit_s"] for v in visits), 4),
                "cache_hit_cpu_s": round(
                    statistics.median(v["cache_hit_cpu_s"] for v in visits), 4
                ),
                "chart_json_bytes": int(statistics.median(v["chart_json_bytes"] for v in visits)),
                "cache_hit_runs_s": [round(v["cache_hit_s"], 4) for v in visits],
                "failed": next((v["failed"] for v in visits if v["failed"]), None),
                "tabs": {
                    label: {
                        k: round(statistics.median(v["tabs"][label][k] for v in visits), 4)
                        for k in ("opened_s", "cache_hit_s", "chart_json_bytes")
                    }
                    for label in visits[0]["tabs"]
                },
            }
        )
        row = out[-1]
        row["worst_tab_cache_hit_s"] = max(
            [row["cache_hit_s"], *(t["cache_hit_s"] for t in row["tabs"].values())]
        )
        row["worst_tab_chart_json_bytes"] = int(
            max([row["chart_json_bytes"], *(t["chart_json_bytes"] for t in row["tabs"].values())])
        )
    return out


def hits(db: Path, page: str, n: int, *, root: Path = ROOT) -> list[float]:
    """`n` cache hits of one page in one AppTest, after three runs (sorted seconds)."""
    from streamlit.testing.v1 import AppTest

    with _app_on_copy(db, root):
        _clear_caches()
        at = AppTest.from_file(str(root / "app.py"), default_timeout=TIMEOUT)
        at.run()
        at.switch_page(PAGES[page])
        for _ in range(3):
            at.run()
        times = []
        for _ in range(n):
            start = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - start)
        if _fail_text(at):
            raise RuntimeError(f"{page}: {_fail_text(at)}")
    return sorted(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a store (the large demo)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--root", type=Path, default=ROOT, help="the app to time (app.py's folder)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--hits", type=int, help="time this many cache hits of --page only")
    parser.add_argument("--page", choices=list(PAGES), default="scoreboard")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.hits:
        times = hits(args.db, args.page, args.hits, root=root)
        print(
            f"{args.page} ({root}): {len(times)} cache hits, p25 "
            f"{times[len(times) // 4] * 1000:.1f} ms, median {statistics.median(times) * 1000:.1f} "
            f"ms, fastest {times[0] * 1000:.1f} ms, load {os.getloadavg()[0]:.2f}"
        )
        return 0
    rows = measure(args.db, repeat=args.repeat, root=root)
    load = os.getloadavg()
    if args.json:
        print(json.dumps({"root": str(root), "load": load, "pages": rows}, indent=2))
        return 0
    ui = sys.modules.get("ui")
    print(f"app {root} (ui from {getattr(ui, '__file__', '?')})")
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(
        f"{'page':<12}{'first run s':>12}{'cache hit s':>12}{'hit CPU s':>10}{'chart KB':>10}"
        f"{'worst tab hit s':>16}{'worst tab KB':>13}  cache-hit runs"
    )
    for r in rows:
        print(
            f"{r['page']:<12}{r['first_run_s']:>12.3f}{r['cache_hit_s']:>12.3f}{r['cache_hit_cpu_s']:>10.3f}"
            f"{r['chart_json_bytes'] / 1024:>10.0f}{r['worst_tab_cache_hit_s']:>16.3f}"
            f"{r['worst_tab_chart_json_bytes'] / 1024:>13.0f}  {r['cache_hit_runs_s']}"
            + (f"  FAILED: {r['failed']}" if r["failed"] else "")
        )
        for label, t in r["tabs"].items():
            print(
                f"  {label[:34]:<34} opened {t['opened_s']:.3f} s, hit {t['cache_hit_s']:.3f} s, "
                f"{t['chart_json_bytes'] / 1024:,.0f} KB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
