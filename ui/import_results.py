"""What an import will save and what it did: the preview of parsed rows, the rows that cannot
be read (with their download), and an import's counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from analytics import importer
from ui.format import count, plain, safe_csv


def entity_word(entity: str) -> str:
    """ "invoices", "time entries": how a sentence names a kind of data."""
    return entity.replace("_", " ")


def rejects_frame(rejects: list[Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"row": r.row, "column": r.column, "value": r.value, "reason": r.reason} for r in rejects],
        columns=["row", "column", "value", "reason"],
    )


def preview_table(entity: str, rows: pd.DataFrame) -> None:
    """Parsed rows under the fields' own labels, dates and money shown as an owner reads them."""
    fields = {f.name: f for f in importer.mappable_fields(entity)}
    frame = rows.rename(columns={"row": "Row"})
    config: dict[str, Any] = {"Row": st.column_config.NumberColumn(format="plain", width="small")}
    labels: dict[str, str] = {}
    for name in frame.columns:
        field = fields.get(name)
        if field is None:
            continue
        label = labels[name] = field.label or name
        if field.kind == "date":
            frame[name] = pd.to_datetime(frame[name]).dt.date
            config[label] = st.column_config.DateColumn(label, format="D MMM YYYY")
        elif field.kind == "money":
            config[label] = st.column_config.NumberColumn(label, format="accounting")
    st.dataframe(
        frame.rename(columns=labels),
        hide_index=True,
        width="stretch",
        height=250,
        column_config=config,
    )


def preview_section(result: importer.Preview, *, key: str, file_name: str) -> None:
    """The parsed rows, the rows that cannot be read, the deal stages and any warnings."""
    for warning in result.warnings:
        st.info(plain(warning), icon="ℹ️")
    st.markdown(f"**Preview** — the first {count(len(result.rows))} rows as they will be saved.")
    preview_table(result.entity, result.rows)
    if result.stage_counts is not None and len(result.stage_counts):
        st.markdown("**Deal stages** — how each stage name in your file is read.")
        st.dataframe(
            result.stage_counts.rename(
                columns={"stage": "Stage in your file", "status": "Read as", "n": "Deals"}
            ),
            hide_index=True,
        )
    if result.rejects:
        rejects_table(
            result.rejects, "Rows that cannot be read", key=f"preview:{key}", file_name=file_name
        )


def rejects_table(rejects: list[Any], title: str, *, key: str, file_name: str) -> None:
    """How many rows cannot be read and why (most common reasons first), the rows, a download."""
    frame = rejects_frame(rejects)
    rows = frame["row"].nunique()
    problems = f" ({count(len(frame))} problems)" if len(frame) != rows else ""
    st.warning(
        f"{title}: {count(rows)} rows{problems}. Row numbers are as a spreadsheet shows them: "
        "the header is row 1.",
        icon="⚠️",
    )
    reasons = frame.groupby("reason", sort=False).size().sort_values(ascending=False)
    for reason, n in reasons.head(3).items():
        st.text(f"{n:,} × {reason}")
    if len(reasons) > 3:
        st.caption(f"…and {count(len(reasons) - 3)} other reasons, all in the table below.")
    st.dataframe(frame.head(1000), hide_index=True, width="stretch", height=220)
    st.download_button(
        f"Download all {count(len(frame))} problems (CSV)",
        safe_csv(frame),
        file_name=f"{Path(file_name).stem}_rejected_rows.csv",
        mime="text/csv",
        key=f"rejects:{key}",
        on_click="ignore",
        icon="⬇️",
    )


def show_result(result: Any) -> None:
    """What an import did, in counts."""
    if result.already_imported:
        st.info(
            plain(
                f"{result.file_name} was already imported (import #{result.batch_id}); "
                "nothing was added."
            ),
            icon="ℹ️",
        )
        return
    st.success(
        plain(
            (
                f"Read {count(result.rows_read)} rows: imported or updated "
                f"{count(result.rows_imported)} of its {count(result.customers_in_file)} "
                f"customers (import #{result.batch_id}). "
                if result.customers_in_file is not None
                else f"Imported {count(result.rows_imported)} of {count(result.rows_read)} rows "
                f"as {entity_word(result.entity)} (import #{result.batch_id}). "
            )
            + f"Skipped: {count(result.duplicates_skipped)} already in the store, "
            f"{count(result.rows_rejected)} that could not be read. "
            f"New customers: {count(result.customers_created)}."
        ),
        icon="✅",
    )
    updated = result.updated_text()
    if updated is not None:  # rows already stored that came back paid, resolved…
        st.info(plain(updated), icon="🔁")
    for line in result.notes():  # customers whose rows disagree, ids resolved, data checks
        st.info(plain(line), icon="🔎")
    for warning in result.warnings:
        st.info(plain(warning), icon="ℹ️")
