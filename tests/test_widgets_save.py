"""widgets.save_then_rerun: a refused write shows its reason; a done one flashes and reruns."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ui.format import plain


def _page() -> None:
    import streamlit as st

    from analytics.errors import OpeningDayError
    from ui.state import app_state
    from ui.widgets import save_then_rerun

    st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    st.write(f"flash: {app_state().flash}")
    if st.session_state["runs"] > 1:
        return

    def write() -> None:
        if st.session_state.get("refuse"):
            raise OpeningDayError("The store is <b>read-only</b>.")
        st.session_state["written"] = True

    save_then_rerun(write, "Saved.")


def test_a_done_write_flashes_and_runs_the_page_again() -> None:
    at = AppTest.from_function(_page).run()
    assert at.session_state["written"] is True
    # The rerun drew the page a second time, with the success waiting to be shown.
    assert at.session_state["runs"] == 2
    assert at.markdown[0].value == "flash: [('success', 'Saved.')]"
    assert not at.error


def test_a_refused_write_shows_why_as_plain_text_and_stays() -> None:
    at = AppTest.from_function(_page)
    at.session_state["refuse"] = True
    at.run()
    assert "written" not in at.session_state
    assert at.session_state["runs"] == 1
    assert at.markdown[0].value == "flash: []"
    assert len(at.error) == 1
    # the message is shown as text (escaped), never as HTML or Markdown
    assert at.error[0].value == plain("The store is <b>read-only</b>.")
    assert at.error[0].value.startswith("The store is \\<b\\>")
