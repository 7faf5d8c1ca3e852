"""Streamlit's Plotly chunk served with only the app's trace types (ui/plotly_chunk.py): the
rewrite itself, the middleware that serves it, and every chart the app draws being of a kind
it keeps."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest
from plotly.basedatatypes import BaseTraceType

from analytics import areas
from tests.apptest import every_tab
from tests.conftest import ROOT
from ui import plotly_chunk

# A made-up bundle laid out as plotly.js's: modules defined through a wrapper, then
# `lib/index.js` registering them (names with `$` in them, as a minifier writes them).
MINI = (
    'var a=_({"lib/bar.js"(e,t){t.exports=1}}),$b=_({"lib/pie.js"(e,t){t.exports=2}}),'
    'x$=_({"lib/box.js"(e,t){t.exports=3}}),w=_({"src/traces/box/index.js"(e,t){}});'
    'return _({"lib/index.js"(e,t){var n=core();n.register([a(),$b(),x$()]),t.exports=n}})'
)


def test_a_made_up_bundle_registers_only_the_kept_modules() -> None:
    assert plotly_chunk.registered(MINI) == {"a": "bar", "$b": "pie", "x$": "box"}
    slimmed = plotly_chunk.slim(MINI, frozenset({"bar", "box", "scatter"}))
    assert slimmed == MINI.replace("register([a(),$b(),x$()])", "register([a(),x$()])")
    assert plotly_chunk.registered(str(slimmed)) == {"a": "bar", "x$": "box"}


@pytest.mark.parametrize(
    ("source", "why"),
    [
        (MINI.replace('"lib/index.js"', '"lib/main.js"'), "no lib/index.js"),
        (MINI + MINI, "two of them"),
        (MINI.replace("n.register(", "n.add("), "no register call"),
        (MINI.replace("x$()]", "x$]"), "an item that is not a call"),
        (MINI.replace('x$=_({"lib/box.js"', 'x$=_({"src/box.js"'), "a module it cannot place"),
    ],
)
def test_a_bundle_laid_out_otherwise_is_left_alone(source: str, why: str) -> None:
    assert plotly_chunk.registered(source) is None, why
    assert plotly_chunk.slim(source) is None, why


def test_a_kept_type_the_bundle_lacks_leaves_it_alone() -> None:
    # heatmap has no module in MINI: slimming would draw heatmaps empty, so nothing changes
    assert plotly_chunk.slim(MINI, frozenset({"bar", "heatmap"})) is None


def test_streamlits_chunk_is_slimmed_in_its_register_list_only() -> None:
    path = plotly_chunk.streamlit_chunk()
    assert path is not None, "Streamlit's PlotlyChart chunk should be in its static files"
    source = path.read_text(encoding="utf-8")
    every = plotly_chunk.registered(source)
    assert every is not None
    # plotly.js registers 47 modules: the 46 trace types besides scatter, and calendars
    assert len(every) == 47 and {"pie", "scattergl", "scatter3d", "calendars"} <= set(
        every.values()
    )
    assert set(every.values()) >= plotly_chunk.TRACES - plotly_chunk.IN_CORE

    slimmed = plotly_chunk.slim(source)
    assert slimmed is not None
    kept = plotly_chunk.registered(slimmed)
    assert kept is not None
    assert sorted(kept.values()) == ["bar", "box", "heatmap", "indicator"]
    # the same text but for the list: what it held, then what it holds
    old = ",".join(f"{name}()" for name in every)
    new = ",".join(f"{name}()" for name in kept)
    assert source.count(f".register([{old}])") == 1
    assert slimmed == source.replace(f".register([{old}])", f".register([{new}])")

    served = plotly_chunk.chunk()
    assert served is not None and served.name == path.name
    assert served.body == slimmed.encode("utf-8")


# ---------------------------------------------------------------- the middleware


def _ask(path: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    """One request through SlimPlotly in front of an app that answers "passed on"."""
    sent: list[dict[str, Any]] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"passed on"})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }
    asyncio.run(plotly_chunk.SlimPlotly(inner)(scope, receive, send))
    start, body = sent
    return (
        start["status"],
        {k.decode(): v.decode() for k, v in start["headers"]},
        body["body"],
    )


def test_the_middleware_serves_the_slim_chunk_and_passes_the_rest_on() -> None:
    served = plotly_chunk.chunk()
    assert served is not None
    status, headers, body = _ask(f"/static/js/{served.name}")
    assert (status, body) == (200, served.body)
    assert headers["cache-control"] == "no-cache"  # never Streamlit's `immutable`
    assert headers["etag"] == served.etag
    assert headers["content-type"].startswith("text/javascript")
    assert int(headers["content-length"]) == len(served.body)
    # behind a base URL path too
    assert _ask(f"/tools/od/static/js/{served.name}")[2] == served.body

    # asked again with its ETag: not modified, no body
    status, headers, body = _ask(f"/static/js/{served.name}", If_None_Match=served.etag)
    assert (status, body) == (304, b"")
    # an ETag of another copy (Streamlit's own): the whole text again
    assert _ask(f"/static/js/{served.name}", If_None_Match='"other"')[0] == 200

    status, headers, body = _ask(f"/static/js/{served.name}", method="HEAD")
    assert (status, body) == (200, b"") and int(headers["content-length"]) == len(served.body)

    for other in ("/static/js/index.DormvYxC.js", "/pace", f"/static/js/{served.name}.map"):
        assert _ask(other)[2] == b"passed on", other
    assert _ask(f"/static/js/{served.name}", method="POST")[2] == b"passed on"


def test_without_a_chunk_it_makes_sense_of_everything_is_passed_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(plotly_chunk, "chunk", lambda: None)
    served = plotly_chunk.streamlit_chunk()
    assert served is not None
    assert _ask(f"/static/js/{served.name}")[2] == b"passed on"


# ---------------------------------------------------------------- every chart is kept


def _trace_types(spec: str) -> set[str]:
    return {str(t.get("type", "scatter")) for t in json.loads(spec).get("data", [])}


CHARTED = [p.file for p in areas.PAGES if p.charts]


@pytest.mark.usefixtures("fresh_streamlit")
@pytest.mark.parametrize("page", CHARTED)
def test_every_chart_a_page_draws_on_the_demo_is_of_a_kept_kind(demo_db: Path, page: str) -> None:
    _at, _shown, specs = every_tab(page)
    assert specs, f"{page} draws charts on the demo"
    drawn = set().union(*map(_trace_types, specs))
    assert drawn <= plotly_chunk.TRACES, f"{page} draws {sorted(drawn - plotly_chunk.TRACES)}"


# Plotly's trace types by name ("scatter", "scattergl", …), from its Python classes.
PLOTLY_TRACES = {
    name.lower()
    for name in dir(go)
    if isinstance(getattr(go, name), type) and issubclass(getattr(go, name), BaseTraceType)
}
_SOURCES = [
    p
    for folder in ("analytics", "ui", "pages")
    for p in sorted((ROOT / folder).rglob("*.py"))
    if "__pycache__" not in p.parts
] + [ROOT / "app.py"]


def test_every_trace_the_source_builds_is_of_a_kept_kind() -> None:
    assert {"scatter", "scattergl", "pie", "bar"} <= PLOTLY_TRACES
    built: dict[str, set[str]] = {}
    for path in _SOURCES:
        text = path.read_text(encoding="utf-8")
        names = {n.lower() for n in re.findall(r"\bgo\.([A-Z]\w*)\(", text)} - {"figure"}
        names |= set(re.findall(r"\.add_(\w+)\(", text))
        names |= set(re.findall(r"""["']type["']\s*:\s*["'](\w+)["']""", text))
        names |= set(re.findall(r"""\btype\s*=\s*["'](\w+)["']""", text))
        # Plotly Express makes traces of its own choosing
        assert not re.search(r"plotly\.express|plotly import express", text), path
        for name in names & PLOTLY_TRACES:
            built.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    assert {"bar", "scatter", "heatmap", "box", "indicator"} <= set(built)
    outside = {k: sorted(v) for k, v in built.items() if k not in plotly_chunk.TRACES}
    assert not outside, f"traces ui/plotly_chunk.py does not keep: {outside}"
