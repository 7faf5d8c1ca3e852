"""Opening Day: page config, the page registry and the sidebar every page shares."""

from __future__ import annotations

from typing import Any

import streamlit as st

from analytics import areas
from ui import capture, serving, share, sidebar
from ui import store as ui_store
from ui.state import show_flash

st.set_page_config(page_title="Opening Day", page_icon="⚾", layout="wide")
serving.guard()  # reachable by others without passphrases: one message, nothing else


def nav(page_id: str) -> dict[str, Any]:
    """A page's title, icon and whether it opens first, from the page registry."""
    page = areas.page(page_id)
    return {"title": page.title, "icon": page.icon, "default": page.default}


# The navigation, in the page registry's order (analytics/areas.py names each page's title,
# icon, heading and texts once; tests check this list is that registry, file for file).
# The files stay written out here because the headless tests read them from this file.
PAGES = [
    st.Page("pages/home.py", **nav("home")),
    st.Page("pages/scoreboard.py", **nav("scoreboard")),
    st.Page("pages/pace.py", **nav("pace")),
    st.Page("pages/niche.py", **nav("niche")),
    st.Page("pages/fit.py", **nav("fit")),
    st.Page("pages/friction.py", **nav("friction")),
    st.Page("pages/reset.py", **nav("reset")),
    st.Page("pages/peers.py", **nav("peers")),
    st.Page("pages/review.py", **nav("review")),
    st.Page("pages/sharing.py", **nav("sharing")),
    st.Page("pages/data.py", **nav("data")),
    st.Page("pages/settings.py", **nav("settings")),
]

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
