"""The server's entry point: `streamlit run serve.py` serves app.py, warmed up at start.

app.py stays the app (its page registry, sidebar and pages are unchanged, and `streamlit run
app.py` still works, cold). This file only wraps it in Streamlit's `st.App` so that, when the
server starts, ui/warmup.py imports what the pages use, opens the store and computes each
workspace's figures in the background, while the server already accepts visits; the page a
browser asks for meanwhile is warmed first (the middleware notes it). A second middleware,
ui/plotly_chunk.py's, serves Streamlit's Plotly script with only the chart kinds the app
draws set up, which halves what a chart page's first visit costs the browser.
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from ui.plotly_chunk import SlimPlotly
from ui.warmup import PageRequests, lifespan

app = st.App(
    "app.py",
    lifespan=lifespan,
    middleware=[Middleware(PageRequests), Middleware(SlimPlotly)],
)
