"""Where a first visit's time goes: one page in Debian chromium, timed through DevTools.

`python -m benchmarks.first_visit --db STORE --page pace [--after-warmup] [--profile fresh]`
starts `streamlit run serve.py` on a scratch copy of STORE (as benchmarks/browser.py does),
opens the page once by URL in chromium and reads, from the Chrome DevTools Protocol
(Network, and a trace of the renderer's main thread) and from marks the page takes of itself
(a MutationObserver, `performance.now()`, so every figure counts from the navigation):

- the HTML's first byte (`responseStart`), the scripts' download (start of the first,
  end of the last, bytes, how many came from the browser's cache),
- the renderer main thread's work from a trace: busy time, self time by event name, each
  module evaluation over 50 ms (the Plotly chunk's is the long one) and each long task,
- the websocket: opened, its first message from the server, the `new_session` message,
  the first chart message, `script_finished`, with the bytes received,
- the Plotly chunk (`PlotlyChart.*.js`): requested and loaded,
- the heading shown, the script state back to `notRunning`, the first chart drawn
  (`.main-svg`), every chart drawn (settled, as benchmarks/browser.py says it).

`--repeat N` then opens the same page N times more in new tabs of the same browser (a later
visit by URL), for comparison. `--primes N` primes the profile in N browser sessions before
the first visit instead of one (Chrome keeps a script's compiled code from its second load
on; see benchmarks/README.md for what that changed: nothing). Not a test; the figures depend on the machine's load, which is
printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
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

# Marks the page takes of itself: when each milestone first held (performance.now(), ms).
MARKS_JS = """
(() => {
  const marks = {};
  window.__odMarks = marks;
  const note = (name) => { if (!(name in marks)) marks[name] = performance.now(); };
  const look = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (app) note('app');
    if (document.querySelector('h1')) note('heading');
    const state = app && app.getAttribute('data-test-script-state');
    if (state === 'running') note('running');
    if (state === 'notRunning' && 'running' in marks) note('not_running');
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    if (charts.length) note('chart_element');
    if (document.querySelector('[data-testid="stSkeleton"]')) note('skeleton');
    const drawn = charts.filter(c => c.querySelector('.main-svg')).length;
    if (drawn) note('first_chart_drawn');
    if (charts.length && drawn === charts.length && 'not_running' in marks) {
      marks['all_drawn_' + charts.length] = marks['all_drawn_' + charts.length]
        || performance.now();
    }
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true, attributes: true});
})();
"""


def _main_thread(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The complete ("X") events of the busiest renderer main thread, in order."""
    mains = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("name") == "thread_name" and e.get("args", {}).get("name") == "CrRendererMain"
    }
    count: dict[tuple[int, int], int] = {}
    for e in events:
        key = (e.get("pid", 0), e.get("tid", 0))
        if key in mains:
            count[key] = count.get(key, 0) + 1
    main = max(count, key=count.__getitem__) if count else None
    spans = [e for e in events if e.get("ph") == "X" and (e.get("pid"), e.get("tid")) == main]
    return sorted(spans, key=lambda e: (e["ts"], -e.get("dur", 0)))


def _trace_summary(events: list[dict[str, Any]], t0_us: float) -> dict[str, Any]:
    """The renderer main thread's work, in milliseconds: busy in all, its self time by event
    name (the biggest), each module evaluation over 50 ms (the Plotly chunk's is the long one)
    and each task over 100 ms, from the navigation."""
    spans = _main_thread(events)
    self_time: dict[str, float] = {}
    stack: list[dict[str, Any]] = []
    busy = 0.0
    for e in spans:
        while stack and e["ts"] >= stack[-1]["ts"] + stack[-1].get("dur", 0):
            stack.pop()
        dur = e.get("dur", 0) / 1000
        if stack:
            self_time[stack[-1]["name"]] = self_time.get(stack[-1]["name"], 0.0) - dur
        else:
            busy += dur
        self_time[e["name"]] = self_time.get(e["name"], 0.0) + dur
        stack.append(e)
    top = sorted(self_time.items(), key=lambda kv: -kv[1])[:12]

    def at(e: dict[str, Any]) -> list[int]:
        return [round((e["ts"] - t0_us) / 1000), round(e.get("dur", 0) / 1000)]

    return {
        "busy_ms": round(busy),
        "self_ms": {name: round(ms) for name, ms in top},
        "module_evaluations_at_ms": [
            at(e) for e in spans if e["name"] == "v8.evaluateModule" and e.get("dur", 0) > 50e3
        ],
        "long_tasks_at_ms": [
            at(e) for e in spans if e["name"] == "RunTask" and e.get("dur", 0) > 100e3
        ],
    }


class Probe:
    """Network and websocket events of one tab, through its CDP session."""

    def __init__(self, page: Any) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.requests: dict[str, dict[str, Any]] = {}
        self.frames: list[tuple[float, int, str]] = []  # (wall s, bytes, ForwardMsg type)
        self.ws: dict[str, float] = {}
        self.trace: list[dict[str, Any]] = []
        self.t0_wall = 0.0  # wall-clock seconds of navigation start (CDP's wallTime)
        self.t0_mono = 0.0  # CDP's monotonic timestamp at navigation start
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.webSocketWillSendHandshakeRequest", self._ws_send)
        self.cdp.on("Network.webSocketHandshakeResponseReceived", self._ws_open)
        self.cdp.on("Network.webSocketFrameReceived", self._frame)
        self.cdp.on("Tracing.dataCollected", lambda p: self.trace.extend(p["value"]))
        self.cdp.send("Network.enable")

    def _sent(self, p: dict[str, Any]) -> None:
        if not self.t0_mono and p.get("type") == "Document":
            self.t0_mono, self.t0_wall = p["timestamp"], p["wallTime"]
        self.requests[p["requestId"]] = {"url": p["request"]["url"], "sent": p["timestamp"]}

    def _response(self, p: dict[str, Any]) -> None:
        r = self.requests.setdefault(p["requestId"], {"url": p["response"]["url"]})
        r["response"] = p["timestamp"]
        r["cached"] = bool(
            p["response"].get("fromDiskCache") or p["response"].get("fromPrefetchCache")
        )
        r["status"] = p["response"].get("status")
        r["encoding"] = (p["response"].get("headers") or {}).get("content-encoding", "")

    def _finished(self, p: dict[str, Any]) -> None:
        r = self.requests.setdefault(p["requestId"], {"url": "?"})
        r["done"] = p["timestamp"]
        r["bytes"] = p.get("encodedDataLength", 0)

    def _ws_send(self, p: dict[str, Any]) -> None:
        self.ws.setdefault("handshake_sent", p["timestamp"])

    def _ws_open(self, p: dict[str, Any]) -> None:
        self.ws.setdefault("open", p["timestamp"])

    def _frame(self, p: dict[str, Any]) -> None:
        import base64

        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        data = p["response"]["payloadData"]
        raw = base64.b64decode(data) if p["response"].get("opcode") == 2 else data.encode()
        kind = "?"
        try:
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type") or "?"
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                kind = "element:" + (msg.delta.new_element.WhichOneof("type") or "?")
            elif kind == "script_finished":
                kind = f"script_finished:{msg.script_finished}"
        except Exception:  # noqa: BLE001 - a frame that is not a ForwardMsg is noted as "?"
            pass
        self.frames.append((p["timestamp"], len(raw), kind))

    def ms(self, timestamp: float | None) -> float | None:
        return None if timestamp is None else round((timestamp - self.t0_mono) * 1000)

    def summary(self) -> dict[str, Any]:
        reqs = list(self.requests.values())
        scripts = [r for r in reqs if "/static/js/" in r["url"]]
        doc = next(
            (
                r
                for r in reqs
                if r["url"].rstrip("/").split("?")[0].count("/") <= 3
                and "/static/" not in r["url"]
                and "_stcore" not in r["url"]
            ),
            None,
        )
        plotly = next((r for r in scripts if "PlotlyChart" in r["url"]), None)
        fonts = [r for r in reqs if r["url"].endswith(".woff2")]
        kinds: dict[str, tuple[float, int]] = {}
        total = 0
        for ts, size, kind in self.frames:
            total += size
            key = (
                kind.split(":")[0]
                if not kind.startswith(("element:plotly", "script_finished"))
                else kind
            )
            kinds.setdefault(key, (ts, 0))
            kinds[key] = (kinds[key][0], kinds[key][1] + 1)
        first_chart = next((ts for ts, _, k in self.frames if k == "element:plotly_chart"), None)
        finished = [ts for ts, _, k in self.frames if k.startswith("script_finished")]
        new_sessions = [ts for ts, _, k in self.frames if k == "new_session"]
        return {
            "html_first_byte_ms": self.ms(doc.get("response")) if doc else None,
            "scripts": {
                "count": len(scripts),
                "from_cache": sum(1 for r in scripts if r.get("cached")),
                "bytes_on_wire": sum(r.get("bytes", 0) for r in scripts),
                "encodings": sorted({r.get("encoding", "") for r in scripts}),
                "first_sent_ms": self.ms(
                    min((r["sent"] for r in scripts if "sent" in r), default=None)
                ),
                "last_done_before_ws_ms": self.ms(
                    max(
                        (
                            r["done"]
                            for r in scripts
                            if "done" in r
                            and "PlotlyChart" not in r["url"]
                            and r["done"] < self.ws.get("handshake_sent", float("inf"))
                        ),
                        default=None,
                    )
                ),
            },
            "fonts": [
                (r["url"].rsplit("/", 1)[-1][:24], self.ms(r.get("sent")), self.ms(r.get("done")))
                for r in fonts
            ],
            "websocket_ms": {k: self.ms(v) for k, v in self.ws.items()},
            "first_message_ms": self.ms(self.frames[0][0]) if self.frames else None,
            "new_session_ms": [self.ms(t) for t in new_sessions],
            "first_chart_message_ms": self.ms(first_chart),
            "script_finished_ms": [self.ms(t) for t in finished],
            "messages": len(self.frames),
            "message_bytes": total,
            "message_kinds": {k: v[1] for k, v in kinds.items()},
            "plotly_js": None
            if plotly is None
            else {
                "sent_ms": self.ms(plotly.get("sent")),
                "done_ms": self.ms(plotly.get("done")),
                "cached": plotly.get("cached"),
                "bytes": plotly.get("bytes"),
            },
        }


def _start_trace(probe: Probe) -> None:
    probe.cdp.send(
        "Tracing.start",
        {
            "traceConfig": {
                "includedCategories": [
                    "devtools.timeline",
                    "v8",
                    "v8.execute",
                    "blink",
                    "disabled-by-default-devtools.timeline",
                    "disabled-by-default-v8.compile",
                ],
            },
            "transferMode": "ReportEvents",
        },
    )


def _end_trace(probe: Probe, page: Any) -> None:
    done: list[bool] = []
    probe.cdp.on("Tracing.tracingComplete", lambda _p: done.append(True))
    probe.cdp.send("Tracing.end")
    deadline = time.monotonic() + 30
    while not done and time.monotonic() < deadline:
        page.wait_for_timeout(100)


def visit(
    page: Any, server: load.Server, slug: str, heading: str, *, trace: bool
) -> dict[str, Any]:
    """One visit by URL in `page` (a tab with MARKS_JS installed): its figures."""
    probe = Probe(page)
    frames = browser.Frames(page)
    if trace:
        _start_trace(probe)
    cpu_before = load.group_cpu_seconds(server.process.pid)
    browser_before = browser.browser_cpu_seconds(server)
    started = time.perf_counter()
    page.goto(server.url + browser._path(slug), wait_until="commit")
    marks_at: list[float] = []
    browser._settle(page, heading, frames, marks_at)
    settled = time.perf_counter() - started
    cpu = load.group_cpu_seconds(server.process.pid) - cpu_before
    browser_cpu = browser.browser_cpu_seconds(server) - browser_before
    marks = page.evaluate("() => window.__odMarks")
    timing = page.evaluate(
        "() => { const t = performance.getEntriesByType('navigation')[0];"
        " return {responseStart: t.responseStart, domContentLoaded: t.domContentLoadedEventEnd,"
        " load: t.loadEventEnd}; }"
    )
    if trace:
        _end_trace(probe, page)
    out = {
        "page": slug,
        "settled_s": round(settled, 3),
        "server_cpu_s": round(cpu, 2),
        "browser_cpu_s": round(browser_cpu, 2),
        "load_average": os.getloadavg()[0],
        "navigation_ms": {k: round(v) for k, v in timing.items()},
        "marks_ms": {k: round(v) for k, v in sorted(marks.items(), key=lambda kv: kv[1])},
        **probe.summary(),
    }
    if trace:
        out["main_thread"] = _trace_summary(probe.trace, probe.t0_mono * 1e6)
        dump = os.environ.get("OD_TRACE_DUMP")
        if dump:
            Path(f"{dump}-{slug}-{int(time.time() * 1000)}.json").write_text(
                json.dumps({"t0": probe.t0_mono, "events": probe.trace}), encoding="utf-8"
            )
    probe.cdp.detach()
    return out


def run(
    db: Path,
    workdir: Path,
    slug: str,
    *,
    after_warmup: bool,
    repeat: int,
    root: Path,
    entry: str,
    prime: bool,
    trace: bool = True,
    primes: int = 1,
) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    copy = workdir / "store.duckdb"
    shutil.copy(db, copy)
    headings = browser._headings(copy)
    results = []
    port = load.free_port()  # the priming server's address: the browser's cache is kept per address
    with sync_playwright() as pw:
        for _ in range(primes if prime else 0):  # what the app keeps in the store is there
            server = load.start_server(
                copy, workdir / "prime.log", entry=entry, root=root, port=port
            )
            try:
                context, page = browser._tab(pw, workdir / "profile-prime")
                browser._visit(page, server, slug, headings[slug], browser.Frames(page), "url")
                context.close()
            finally:
                load.stop_server(server)
        server = load.start_server(copy, workdir / "server.log", entry=entry, root=root, port=port)
        try:
            if after_warmup:
                browser._wait_for_warmup(server)
            context, page = browser._tab(pw, workdir / ("profile-prime" if prime else "profile"))
            context.add_init_script(MARKS_JS)
            first = visit(page, server, slug, headings[slug], trace=trace)
            first["how"] = "first"
            first["warmup"] = browser.warmup_line(server)
            first["ready_s"] = server.ready_s
            results.append(first)
            for _ in range(repeat):
                tab = context.new_page()
                tab.set_default_timeout(load.VISIT_TIMEOUT_S * 1000)
                again = visit(tab, server, slug, headings[slug], trace=trace)
                again["how"] = "new tab"
                results.append(again)
                tab.close()
            context.close()
        finally:
            load.stop_server(server)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.first_visit", description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--page", choices=browser.PAGES, default="pace")
    parser.add_argument("--after-warmup", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="later visits in new tabs")
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--entry", choices=load.ENTRIES, default=load.ENTRY)
    parser.add_argument("--no-prime", action="store_true", help="skip the priming visit")
    parser.add_argument(
        "--no-trace", action="store_true", help="no DevTools trace (it slows the page a little)"
    )
    parser.add_argument("--primes", type=int, default=1, help="priming sessions (browsers)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="od-first-visit-") as tmp:
        results = run(
            args.db,
            Path(tmp),
            args.page,
            after_warmup=args.after_warmup,
            repeat=args.repeat,
            root=args.root.resolve(),
            entry=args.entry,
            prime=not args.no_prime,
            trace=not args.no_trace,
            primes=args.primes,
        )
    doc = {"load_before": load_before, "load_after": os.getloadavg(), "visits": results}
    text = json.dumps(doc, indent=1)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
