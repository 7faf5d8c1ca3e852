"""The weekly scorecard as a table: values with ✓/✗ against the goal, coloured cells, averages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from analytics import scorecard
from analytics.scorecard import Scorecard
from ui import store as ui_store
from ui.format import count, day, money, percent

MET_BG = "background-color: #e8f5e9"
MISSED_BG = "background-color: #ffebee"


@st.cache_data(show_spinner=False, max_entries=64)
def weekly(workspace_id: int, as_of: date) -> Scorecard:
    """The scorecard for one workspace and day (cached; cleared by any write)."""
    return scorecard.weekly_scorecard(
        ui_store.connection(), workspace_id, as_of, ui_store.settings(workspace_id)
    )


def cell(unit: str, value: Any, currency: str) -> str:
    if value is None or pd.isna(value):
        return "—"
    if unit == "money":
        return money(value, currency)
    if unit == "share":
        return percent(value)
    if unit == "hours":
        return f"{value:,.1f}"
    return count(value) if float(value).is_integer() else f"{value:,.1f}"


def table(sc: Scorecard, currency: str) -> Styler:
    """Measurables as rows, weeks as columns; each cell says ✓ or ✗, and is tinted to match."""
    week_cols = {w: day(w).rsplit(" ", 1)[0] for w in sc.weeks}  # "14 Mar"
    met = sc.met.set_index("measurable") if not sc.met.empty else pd.DataFrame()
    rows: list[dict[str, str]] = []
    tints: list[dict[str, str]] = []
    for rec in sc.table.to_dict("records"):
        unit = str(rec["unit"])
        goal = rec["goal"]
        row = {"Measurable": str(rec["label"]), "Goal": cell(unit, goal, currency)}
        tint = {"Measurable": "", "Goal": ""}
        for w, label in week_cols.items():
            ok = met.loc[rec["measurable"], w] if not met.empty else None
            mark = "" if ok is None or pd.isna(ok) else (" ✓" if ok else " ✗")
            row[label] = cell(unit, rec[w], currency) + mark
            tint[label] = "" if not mark else (MET_BG if ok else MISSED_BG)
        row["4-wk avg"] = cell(unit, rec["avg_4"], currency)
        row["13-wk avg"] = cell(unit, rec["avg_13"], currency)
        row["Goal from"] = str(rec["goal_source"])
        tint.update({"4-wk avg": "", "13-wk avg": "", "Goal from": ""})
        rows.append(row)
        tints.append(tint)
    frame = pd.DataFrame(rows)
    styles = pd.DataFrame(tints, index=frame.index, columns=frame.columns)
    return frame.style.apply(lambda _: styles, axis=None)
