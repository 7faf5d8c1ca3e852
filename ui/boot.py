"""Make every page run through app.py's st.navigation, even when a deep link is opened first.

Streamlit decides once per server whether the app is an old-style "pages/ folder" app:
when the very first request is a deep link (…/pace), it runs that page file on its own —
no app.py, so no sidebar, no page registry. Turning the flag off and rerunning hands the
same URL to st.navigation, which then opens the right page the normal way.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from ui import store as ui_store

_RERUNS_KEY = "_od_require_app_reruns"


def require_app() -> None:
    """Call first thing on every page; a no-op once app.py's navigation is in charge.

    The flag is server-wide, so when several sessions open deep links on a freshly started
    server at once, only the first sees it set; the others would run their page alone too —
    outside app.py's hold on the store, which could close under them. So the test is whether
    this very run went through app.py.
    """
    if PagesManager.uses_pages_directory or not ui_store.in_app_run():
        PagesManager.uses_pages_directory = False
        tries = int(st.session_state.get(_RERUNS_KEY, 0))
        if tries < 3:  # a bound, should Streamlit ever keep running the page alone
            st.session_state[_RERUNS_KEY] = tries + 1
            st.rerun()
    st.session_state.pop(_RERUNS_KEY, None)
