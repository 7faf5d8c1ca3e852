"""Opening Day: page config, the page registry and the sidebar every page shares."""

from __future__ import annotations

import streamlit as st

from ui import capture, serving, share, sidebar
from ui import store as ui_store
from ui.state import show_flash

st.set_page_config(page_title="Opening Day", page_icon="⚾", layout="wide")
serving.guard()  # reachable by others without passphrases: one message, nothing else

# The page registry, in sidebar order. Adding a page is one line here plus its file in pages/.
PAGES = [
    st.Page("pages/home.py", title="Home", icon="🏠", default=True),
    st.Page("pages/scoreboard.py", title="Scoreboard", icon="🏁"),
    st.Page("pages/pace.py", title="Pace", icon="⏱️"),
    st.Page("pages/niche.py", title="Niche growth", icon="🧭"),
    st.Page("pages/fit.py", title="Customer fit", icon="🤝"),
    st.Page("pages/friction.py", title="Sales vs tech", icon="🔧"),
    st.Page("pages/reset.py", title="Hard reset", icon="🧰"),
    st.Page("pages/peers.py", title="Peers", icon="👥"),
    st.Page("pages/review.py", title="Review session", icon="🗓️"),
    st.Page("pages/sharing.py", title="Shared links", icon="🔗"),
    st.Page("pages/data.py", title="Data", icon="📥"),
    st.Page("pages/settings.py", title="Settings", icon="⚙️"),
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
