"""Streamlit's Plotly chunk served with only the chart kinds this app draws set up.

Streamlit's frontend loads Plotly in one script, `static/js/PlotlyChart.<hash>.js` (4.7 MB),
the first time a page draws a chart. That script holds all of plotly.js, and when it runs it
registers all 47 of Plotly's trace types: building each one's attributes, defaults and
drawing code. On this project's two-core machine that took 757 ms of the browser's main
thread on a chart page's first visit (Customer fit on the large demo, traced with
`benchmarks.first_visit`), the largest single cost of that visit. The app draws five kinds
(`TRACES`); registering only those took 271 ms, and the visit settled in 2.35–2.44 s
instead of 3.06–3.22 s. See benchmarks/README.md, "Plotly's chunk with five trace types".

plotly.js's own bundle ends with `Plotly.register([bar(), box(), heatmap(), …])`, each item
a module that is set up only when called. `slim()` writes that list again with only the
modules of `TRACES`: every byte else is Streamlit's, unchanged, and the modules left out
are still in the file but never run. `scatter` is part of Plotly's core and always there.

`SlimPlotly` (ASGI middleware, serve.py) answers the browser's request for that one script
with the slimmed text. It is sent `Cache-Control: no-cache` with an ETag, not as Streamlit's
`immutable`: a browser then asks again before reusing it (a 304 on this server), so another
Streamlit app of the same version on the same address never gets this copy from the
browser's cache. Whatever this module cannot make sense of (a Streamlit version whose chunk
is named or built otherwise, a trace type it cannot find) leaves Streamlit's own file to be
served, and says so once in the log. `streamlit run app.py` (not serve.py) always gets
Streamlit's own file.

A chart of a kind outside `TRACES` would be drawn empty, so tests/test_plotly_chunk.py checks
every chart each page draws on the demo, and every trace the source code constructs, against
`TRACES`; tests/e2e/test_every_page.py checks in the browser that every trace on every page was
drawn.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streamlit.logger import get_logger

_LOG = get_logger(__name__)

# The trace types the app draws (tests/test_plotly_chunk.py holds every chart to these).
# `scatter` is in Plotly's core: always registered.
TRACES: frozenset[str] = frozenset({"bar", "box", "heatmap", "indicator", "scatter"})
IN_CORE: frozenset[str] = frozenset({"scatter"})

_CHUNK_GLOB = "PlotlyChart.*.js"
# plotly.js's bundle: the module `lib/index.js` registers every trace module in one call
_INDEX = '"lib/index.js"'
_REGISTER = re.compile(r"\.register\(\[([^\]]*)\]\)")
_CALL = re.compile(r"^([A-Za-z_$][\w$]*)\(\)$")
_MODULE = re.compile(r'\(\{"lib/(\w+)\.js"\(')
_NAMED = re.compile(r"(?<![\w$])([A-Za-z_$][\w$]*)=[\w$]+$")


@dataclass(frozen=True)
class Chunk:
    """The slimmed script, as served: its URL's file name, its text and its ETag."""

    name: str
    body: bytes
    etag: str


def streamlit_chunk() -> Path | None:
    """Streamlit's Plotly chunk in its installed static files, None if there is not exactly
    one."""
    from streamlit import file_util

    found = sorted((Path(file_util.get_static_dir()) / "static" / "js").glob(_CHUNK_GLOB))
    return found[0] if len(found) == 1 else None


def _register_list(source: str) -> re.Match[str] | None:
    """The `register([...])` call of plotly.js's `lib/index.js` in `source` (its list is
    group 1), None unless there is exactly one such module."""
    start = source.find(_INDEX)
    if start < 0 or source.find(_INDEX, start + 1) >= 0:
        return None
    return _REGISTER.search(source, start)


def registered(source: str) -> dict[str, str] | None:
    """The trace modules plotly.js's bundle in `source` registers: {call: trace type}, in
    order (`lib/calendars.js` counts as `calendars`). None if the bundle is not laid out as
    this module expects."""
    found = _register_list(source)
    if not found:
        return None
    # where each module is defined: `<name>=<wrapper>({"lib/<type>.js"(`; found by the
    # text after the name, which is rare, then the name before it (a 4.7 MB file: matching
    # the name first would try every position)
    defined: dict[str, str] = {}
    for module in _MODULE.finditer(source):
        named = _NAMED.search(source, max(0, module.start() - 80), module.start())
        if named:
            defined[named.group(1)] = module.group(1)
    calls: dict[str, str] = {}
    for item in found.group(1).split(","):
        call = _CALL.match(item)
        if not call or call.group(1) not in defined:
            return None
        calls[call.group(1)] = defined[call.group(1)]
    return calls


def slim(source: str, keep: frozenset[str] = TRACES) -> str | None:
    """`source` with plotly.js registering only the trace types in `keep` (those in Plotly's
    core need no module). None if its bundle is not laid out as expected, or a kept type has
    no module in it."""
    calls = registered(source)
    if calls is None:
        return None
    wanted = keep - IN_CORE
    if not wanted <= set(calls.values()):
        return None
    kept = ",".join(f"{name}()" for name, kind in calls.items() if kind in wanted)
    found = _register_list(source)
    assert found is not None  # registered() found it
    return source[: found.start(1)] + kept + source[found.end(1) :]


@functools.cache
def chunk() -> Chunk | None:
    """The slimmed chunk, worked out once per process; None (and a line in the log) if
    Streamlit's own must be served."""
    path = streamlit_chunk()
    if path is None:
        _LOG.warning("Plotly's chunk not found once in Streamlit's static files: served as is")
        return None
    text = slim(path.read_text(encoding="utf-8"))
    if text is None:
        _LOG.warning("%s is not laid out as ui/plotly_chunk.py expects: served as is", path.name)
        return None
    body = text.encode("utf-8")
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return Chunk(path.name, body, etag)


class SlimPlotly:
    """ASGI middleware (serve.py's st.App): answers a GET or HEAD for Streamlit's Plotly
    chunk with `chunk()`, and hands every other request on unchanged."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.chunk = chunk()
        self.suffix = f"/static/js/{self.chunk.name}" if self.chunk else None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            self.chunk is None
            or scope["type"] != "http"
            or scope.get("method") not in ("GET", "HEAD")
            or not scope.get("path", "").endswith(str(self.suffix))
        ):
            await self.app(scope, receive, send)
            return
        asked = dict(scope.get("headers") or [])
        fresh = self.chunk.etag in asked.get(b"if-none-match", b"").decode("latin-1")
        headers = [
            (b"cache-control", b"no-cache"),
            (b"etag", self.chunk.etag.encode("latin-1")),
        ]
        if fresh:
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers += [
            (b"content-type", b"text/javascript; charset=utf-8"),
            (b"content-length", str(len(self.chunk.body)).encode("latin-1")),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        body = b"" if scope["method"] == "HEAD" else self.chunk.body
        await send({"type": "http.response.body", "body": body})
