"""The app's Plotly template, set once per process: every figure is drawn on plotly_white.

Naming a template in a figure (`template="plotly_white"`) makes Plotly deep-copy and validate
the whole template for that figure, three times over (8–10 ms a figure, most of a sparkline's
cost). Registered once here and made Plotly's default, it reaches each new figure through
Plotly's own unvalidated default path instead. The figures' JSON is the same either way: the
template they carry is plotly_white's.

Importing `streamlit` makes its own "streamlit" template the default, so `use` runs after it:
ui/charts.py calls it when it is first imported, and the chart builders write layouts without
naming a template (see `LAYOUT` there).
"""

from __future__ import annotations

import plotly.io as pio
import streamlit  # noqa: F401  (its import sets its own default template: set ours after it)

from analytics.figures import BASE_TEMPLATE, THEME


def use() -> None:
    """Register plotly_white as THEME (once per process) and make it Plotly's default."""
    if THEME not in pio.templates:
        pio.templates[THEME] = pio.templates[BASE_TEMPLATE]
    pio.templates.default = THEME
