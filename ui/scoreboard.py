"""The weekly scorecard as a table: values with ✓/✗ against the goal, coloured cells, averages."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from analytics import scorecard
from analytics.scorecard import Scorecard
from ui import store as ui_store

MET_BG = "background-color: #e8f5e9"
MISSED_BG = "background-color: #ffebee"


@st.cache_data(show_spinner=False, max_entries=64)
def weekly(workspace_id: int, as_of: date) -> Scorecard:
    """The scorecard for one workspace and day (cached; cleared by any write)."""
    return scorecard.weekly_scorecard(
        ui_store.connection(), workspace_id, as_of, ui_store.settings(workspace_id)
    )


@st.cache_data(show_spinner=False, max_entries=64)
def shown(workspace_id: int, as_of: date, currency: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scorecard as the table shows it (`scorecard.display`) and each cell's tint, worked
    out once per scorecard (cached beside `weekly`, cleared with it), not on every rerun."""
    frame, marks = scorecard.display(weekly(workspace_id, as_of), currency)
    return frame, marks.map(lambda ok: "" if ok is None else (MET_BG if ok else MISSED_BG))


def table(workspace_id: int, as_of: date, currency: str) -> Styler:
    """Measurables as rows, weeks as columns; each cell says ✓ or ✗, and is tinted to match."""
    frame, styles = shown(workspace_id, as_of, currency)
    return frame.style.apply(lambda _: styles, axis=None)
