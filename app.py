"""Opening Day: page config, the page registry and the sidebar every page shares."""

from __future__ import annotations

import streamlit as st

from analytics import areas
from ui import capture, serving, share, sidebar
from ui import store as ui_store
from ui.state import show_flash

st.set_page_config(page_title="Opening Day", page_icon="⚾", layout="wide")
serving.guard()  # reachable by others without passphrases: one message, nothing else


# The navigation, in the page registry's order: analytics/areas.py names each page's file,
# title, icon, heading and texts once.
PAGES = [st.Page(p.file, title=p.title, icon=p.icon, default=p.default) for p in areas.PAGES]

# The store is held for this run only, so the command line can use it between runs; a
# damaged file, a full disk or memory running out anywhere below is one line, not a traceback.
with ui_store.in_use(), ui_store.store_faults():
    ui_store.connection()  # a locked, damaged or unreadable store stops here, with one line

    # A snapshot link replaces the whole app with its read-only view: no sidebar, no other
    # page, no passphrase (it opens that snapshot and nothing else).
    if "snapshot" in st.query_params:
        share.route()

    page = st.navigation(PAGES)
    sidebar.render()
    show_flash()
    ui_store.show_notices()
    capture.reset()
    try:
        page.run()
    finally:
        share.finish()  # freezes the page just drawn (even one that stopped early), if asked to
