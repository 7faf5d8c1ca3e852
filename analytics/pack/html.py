"""The review pack as one self-contained HTML file: Jinja2 with autoescape from
templates/pack.html.j2, in the snapshot export's environment (its filters), Plotly's
JavaScript inlined once and every chart given a fixed id, so the same pack gives the same
bytes and opens offline."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import PackageLoader
from markupsafe import Markup

from analytics import format as fmt
from analytics.pack.model import Pack
from analytics.snapshots import html as snapshot_html


class Charts:
    """The template's `chart(spec, height)`: Plotly's div and script for a frozen figure,
    the library's JavaScript (from the installed package, no CDN) in the first only, and
    numbered ids (`chart-1`, …) instead of random ones."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, spec: dict[str, Any], height: int | None = None) -> Markup:
        fig = fmt.inert_figure(go.Figure(spec))
        if height:
            fig.update_layout(height=height)
        self.count += 1
        html = pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=self.count == 1,
            div_id=f"chart-{self.count}",
            # A card's trend is too small for Plotly's tool bar.
            config={"displaylogo": False, "responsive": True, "displayModeBar": not height},
        )
        # Plotly's markup, trusted as such: the figure goes in as JSON with "<", ">" and "/"
        # escaped, and its data text escaped for Plotly (`inert_figure`).
        return Markup(html)


# The snapshot export's environment (autoescape everywhere, its filters and tests) over this
# package's templates.
ENV = snapshot_html.ENV.overlay(loader=PackageLoader("analytics.pack", "templates"))


def to_html(pack: Pack) -> str:
    return ENV.get_template("pack.html.j2").render(pack=pack, chart=Charts(), day=fmt.day)
