"""Figures built once: a page notes what it drew and makes no snapshot block until Share is
pressed, a card's sparkline is built once (and frozen as drawn), and no figure copies the
Plotly template (ui/plotly_theme.py)."""

from __future__ import annotations

import ast
import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from _plotly_utils.basevalidators import BaseTemplateValidator
from plotly.utils import PlotlyJSONEncoder
from streamlit.testing.v1 import AppTest

from analytics import figures, indicators, snapshots
from tests.apptest import no_failure, run_page
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("fresh_streamlit")

# What turns a drawn element into a snapshot block: none may run before Share is pressed.
MAKERS = ("chart_block", "table_block", "card_block", "indicator_card", "metrics_block")


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Counts of snapshot blocks made (by maker) and sparklines built (`sparkline`)."""
    from ui import figure_cache

    counts: Counter[str] = Counter()

    def counted(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return real(*args, **kwargs)

        return wrapper

    for name in MAKERS:
        monkeypatch.setattr(snapshots, name, counted(name, getattr(snapshots, name)))
    monkeypatch.setattr(figures, "sparkline", counted("sparkline", figures.sparkline))
    figure_cache.clear()  # every figure of this test is built in it
    yield counts
    figure_cache.clear()


def noted(at: AppTest) -> list[Any]:
    from ui import capture

    cap = at.session_state["_od_capture"]
    assert isinstance(cap, capture.Capture)
    return cap.items


def press_share(at: AppTest) -> None:
    [b for b in at.button if b.label == "Create link"][0].click().run()
    no_failure(at)
    assert any("?snapshot=" in str(c.value) for c in at.code)


def frozen_blocks(db: Path) -> list[dict[str, Any]]:
    from analytics import store

    con = store.connect(db)
    try:
        ws = store.list_workspaces(con)[0]
        [snap] = snapshots.list_snapshots(con, ws.id)
        return snapshots.frozen(con, ws.id, snap.id).blocks
    finally:
        con.close()


@pytest.mark.parametrize("page", ["pages/scoreboard.py", "pages/pace.py"])
def test_a_page_makes_no_snapshot_block_until_share_is_pressed(
    demo_db: Path, made: Counter[str], page: str
) -> None:
    from ui import capture

    at = run_page(page)
    no_failure(at)
    at.run()  # a second run (cached results) notes the same way
    no_failure(at)
    assert not any(made[m] for m in MAKERS), made
    items = noted(at)
    assert items, "the page noted nothing it drew"
    # What is noted: block makers with the drawn objects, or small ready-made text blocks.
    for item in items:
        assert isinstance(item, capture.Later) or (
            isinstance(item, dict) and item.get("kind") in ("heading", "text")
        ), item

    press_share(at)
    assert made["chart_block"] >= 1
    blocks = frozen_blocks(demo_db)
    if page == "pages/scoreboard.py":
        # what the page noted, and the season pace chart, drawn on a view only when asked
        # for and always in a snapshot
        assert len(blocks) == len(items) + 1
        charts = [b for b in blocks if b["kind"] == "chart"]
        assert len(charts) == 1
        assert "season to date against the goal to date" in json.dumps(charts[0])
    else:
        # an area page notes its open tab; its snapshot holds every tab, each card once
        assert len(blocks) > len(items)
        cards = [b["label"] for b in blocks if b["kind"] == "card"]
        assert sorted(cards) == sorted(i.label for i in indicators.in_area("pace"))


def test_a_card_sparkline_is_a_picture_and_a_snapshot_freezes_its_points(
    demo_db: Path, made: Counter[str]
) -> None:
    from analytics import figures

    at = run_page("pages/scoreboard.py")
    no_failure(at)
    # No Plotly on a view of the Scoreboard: the trends are pictures (SVG), the season pace
    # chart waits to be asked for.
    assert at.get("plotly_chart") == []
    pictures = [_svg_of(img.url) for el in at.get("image") for img in el.proto.imgs]
    assert all(p.startswith("<svg") for p in pictures)
    assert pictures, "the demo Scoreboard draws sparklines"
    assert made["sparkline"] == 0  # no Plotly figure built until Share is pressed

    press_share(at)
    sparks = [b["spark"] for b in frozen_blocks(demo_db) if b["kind"] == "card" and b["spark"]]
    assert len(sparks) == len(pictures)
    assert made["sparkline"] == len(sparks)  # one per trend
    # Each frozen line holds the very points its card's picture drew, card for card.
    for frozen, picture in zip(sparks, pictures, strict=True):
        trace = frozen["data"][0]
        series = pd.Series(_values(trace["y"]), index=pd.to_datetime(_values(trace["x"])))
        assert len(series) >= 2
        assert figures.sparkline_svg(series) == picture


def test_a_scoreboard_rerun_draws_no_picture_and_no_scorecard_again(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cards' pictures and the weekly scorecard's cells are worked out once per set of
    results (cached with them), not on every rerun of the page."""
    from analytics import scorecard

    calls: Counter[str] = Counter()
    for module, name in ((figures, "sparkline_svg"), (scorecard, "display")):
        real = getattr(module, name)

        def wrapper(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)
    at = run_page("pages/scoreboard.py")
    no_failure(at)
    pictures = [img for el in at.get("image") for img in el.proto.imgs]
    assert pictures, "the demo Scoreboard draws sparklines"
    assert calls == {"sparkline_svg": len(pictures), "display": 1}
    at.run()
    no_failure(at)
    assert len([img for el in at.get("image") for img in el.proto.imgs]) == len(pictures)
    assert calls == {"sparkline_svg": len(pictures), "display": 1}  # nothing drawn again


def _values(data: Any) -> list[Any]:
    """A trace's values as Plotly's JSON holds them: a list, or a typed array (bdata)."""
    import base64

    import numpy as np

    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def _svg_of(url: str) -> str:
    """The SVG markup of the data URL Streamlit makes of it (st.image)."""
    import base64

    head = "data:image/svg+xml;base64,"
    assert url.startswith(head), url[:40]
    return base64.b64decode(url[len(head) :]).decode()


def _plotly_white() -> dict[str, Any]:
    spec = pio.templates["plotly_white"].to_plotly_json()
    return json.loads(json.dumps(spec, cls=PlotlyJSONEncoder))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "page",
    ["pages/scoreboard.py", "pages/pace.py", "pages/niche.py", "pages/fit.py", "pages/friction.py"],
)
def test_no_figure_copies_the_template_and_every_one_is_drawn_on_plotly_white(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    """Naming a template in a figure makes Plotly deep-copy and validate it (the validator
    below); the app's figures get it from Plotly's default instead, with the same JSON."""
    real = BaseTemplateValidator.validate_coerce
    coerced: list[Any] = []

    def watched(self: BaseTemplateValidator, v: Any, *args: Any, **kwargs: Any) -> Any:
        coerced.append(v)
        return real(self, v, *args, **kwargs)

    at = run_page(page)  # the first run builds the page's own figures
    no_failure(at)
    if at.toggle:  # the Scoreboard's season pace chart, drawn when asked for: built now
        at.toggle[0].set_value(True).run()
        no_failure(at)
    monkeypatch.setattr(BaseTemplateValidator, "validate_coerce", watched)
    at.run()
    no_failure(at)
    assert coerced == []
    white = _plotly_white()
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert charts
    for spec in charts:
        assert spec["layout"]["template"] == white


def test_the_house_template_is_plotly_s_default_and_no_builder_names_one() -> None:
    from ui import charts

    assert pio.templates.default == figures.THEME
    assert "template" not in charts.LAYOUT
    # A builder that names a template (keyword or layout key) brings the copy back.
    named = []
    for path in [*sorted((ROOT / "ui").glob("*.py")), ROOT / "analytics" / "figures.py"]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.keyword) and node.arg == "template":
                named.append(f"{path.name}:{node.value.lineno}")
            if isinstance(node, ast.Dict):
                for key in node.keys:
                    if isinstance(key, ast.Constant) and key.value == "template":
                        named.append(f"{path.name}:{key.lineno}")
    # analytics/figures.py names it only for the command line, where the app's theme is not set
    assert [n for n in named if not n.startswith("figures.py:")] == []


def test_a_figure_is_built_once_per_exact_content() -> None:
    import pandas as pd

    from ui import figure_cache

    built: list[tuple[Any, ...]] = []

    def builder(frame: pd.DataFrame, title: str, *, height: int = 300) -> Any:
        built.append((title, height))
        return go.Figure(layout={"title": title, "height": height})

    once = figure_cache.once(builder)
    figure_cache.clear()
    frame = pd.DataFrame(
        {"week": pd.date_range("2025-01-06", periods=3, freq="W-MON"), "h": [1.0, 2.0, 3.0]}
    )
    first = once(frame, "Hours")
    assert once(frame.copy(), "Hours") is first  # equal content: the same figure, not rebuilt
    assert len(built) == 1
    changed = [
        (frame.assign(h=[1.0, 2.0, 3.5]), "Hours", {}),  # one cell
        (frame.rename(columns={"h": "hours"}), "Hours", {}),  # a column name
        (frame.astype({"h": "float32"}), "Hours", {}),  # a dtype
        (frame.set_axis([1, 2, 3]), "Hours", {}),  # the index
        (frame.head(2), "Hours", {}),  # the rows
        (frame, "Hours ", {}),  # the text
        (frame, "Hours", {"height": 301}),  # a keyword
        (frame.assign(h=pd.Series([1, 2, 3], dtype=object)), "Hours", {}),
        (frame.assign(h=pd.Series(["1", "2", "3"], dtype=object)), "Hours", {}),  # 1 vs "1"
    ]
    for args_frame, title, kwargs in changed:
        assert once(args_frame, title, **kwargs) is not first
    assert len(built) == 1 + len(changed)
    # An argument that cannot be digested exactly: built every time, never served from cache.
    odd = pd.DataFrame({"x": [[1], [2]]})
    once(odd, "Lists")
    once(odd, "Lists")
    assert built[-2:] == [("Lists", 300), ("Lists", 300)]
    figure_cache.clear()


def test_a_kept_figure_is_drawn_with_names_escaped_worked_out_once() -> None:
    from ui import figure_cache

    def builder(names: list[str]) -> go.Figure:
        return go.Figure(go.Bar(x=names, y=[1] * len(names)))

    once = figure_cache.once(builder)
    figure_cache.clear()
    kept = once(["<a href='x'>Acme</a>", "Plain"])
    drawn = figure_cache.drawable(kept)
    assert drawn is not kept and list(drawn.data[0].x)[0].startswith("&lt;a")
    assert list(kept.data[0].x)[0].startswith("<a")  # the kept one is as built (snapshots)
    assert figure_cache.drawable(kept) is drawn
    # A figure built on the spot is escaped every time, and nothing of it is kept.
    loose = builder(["<b>x</b>"])
    assert figure_cache.drawable(loose) is not figure_cache.drawable(loose)
    assert list(figure_cache.drawable(loose).data[0].x) == ["&lt;b>x&lt;/b>"]
    figure_cache.clear()
