"""Make every page run through app.py's st.navigation, even when a deep link is opened first.

Streamlit decides once per server whether the app is an old-style "pages/ folder" app:
when the very first request is a deep link (…/pace), it runs that page file on its own —
no app.py, so no sidebar, no page registry. Turning the flag off and rerunning hands the
same URL to st.navigation, which then opens the right page the normal way.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def require_app() -> None:
    """Call first thing on every page; a no-op once app.py's navigation is in charge."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
