"""The Data page's import history: every import of a workspace, its rejected rows, and undo."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import store
from analytics.errors import OpeningDayError
from ui import store as ui_store
from ui.format import count, moment, plain, safe_csv
from ui.import_results import entity_word
from ui.state import app_state, flash

# The history's pick: a finished import selects itself there, ready for undo.
HISTORY_PICK_KEY = "history_pick"


def history_frame(batches: list[store.Batch]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Import #": b.id,
                "Status": "↩️ Undone" if b.undone_at else "✅ In use",
                "File": b.file_name,
                "Data": entity_word(b.entity),
                "When": moment(b.created_at),
                "Rows": b.rows_read,
                "Imported": b.rows_imported,
                "Rejected": b.rows_rejected,
                "Duplicates": b.duplicates_skipped,
                "Updated": b.rows_updated,
            }
            for b in batches
        ]
    )


def batch_history(ws: store.Workspace) -> None:
    """Every import of this workspace, with undo and the rejected rows of each."""
    batches = ui_store.batches(ws.id)
    if not batches:
        st.markdown("No imports yet in this workspace.")
        return
    st.dataframe(
        history_frame(batches),
        hide_index=True,
        width="stretch",
        column_config={
            "Import #": st.column_config.NumberColumn(format="plain", width=70),
            "Status": st.column_config.TextColumn(width=95),
            "File": st.column_config.TextColumn(width=210),
            "Data": st.column_config.TextColumn(width=100),
            "When": st.column_config.TextColumn(width=140),
            "Rows": st.column_config.NumberColumn(
                format="localized", width=70, help="Rows read from the file"
            ),
            "Imported": st.column_config.NumberColumn(format="localized", width=80),
            "Rejected": st.column_config.NumberColumn(
                format="localized", width=75, help="Rows that could not be read, skipped"
            ),
            "Duplicates": st.column_config.NumberColumn(
                format="localized", width=85, help="Rows already in the store, not added again"
            ),
            "Updated": st.column_config.NumberColumn(
                format="localized",
                width=80,
                help="Rows already in the store that came back with a date filled in or "
                "changed (paid, due, resolved) or new hours, and were updated",
            ),
        },
    )
    by_id = {b.id: b for b in batches}
    picked = st.selectbox(
        "Choose an import to undo or to download its rejected rows",
        list(by_id),
        format_func=lambda i: (
            f"#{i} · {by_id[i].file_name} · {entity_word(by_id[i].entity)} · "
            f"{moment(by_id[i].created_at)}" + (" · undone" if by_id[i].undone_at else "")
        ),
        key=HISTORY_PICK_KEY,
    )
    batch = by_id[picked]
    state = app_state()
    left, right = st.columns(2)
    with left:
        if batch.undone_at is not None:
            st.markdown(f"↩️ Import #{batch.id} was undone on {moment(batch.undone_at)}.")
        elif st.button(f"Undo import #{batch.id}…", key="undo_ask", icon="↩️"):
            state.confirm_undo = batch.id
    with right:
        if batch.rows_rejected:
            st.download_button(
                f"Download its {count(batch.rows_rejected)} rejected rows (CSV)",
                safe_csv(store.batch_rejects(ui_store.connection(), batch.id)),
                file_name=f"import_{batch.id}_rejected_rows.csv",
                mime="text/csv",
                key=f"batch_rejects:{batch.id}",
                on_click="ignore",
                icon="⬇️",
            )
        else:
            st.markdown("No rejected rows in this import.")
    if state.confirm_undo == batch.id and batch.undone_at is None:
        _confirm_undo(ws, batch)


def _confirm_undo(ws: store.Workspace, batch: store.Batch) -> None:
    state = app_state()
    with st.container(border=True):
        st.warning(
            plain(
                f"Undo import #{batch.id} ({batch.file_name})? This removes the "
                f"{count(batch.rows_imported)} {entity_word(batch.entity)} rows it "
                "added, and customers it created that nothing else names"
                + (
                    ", and puts back the earlier values of the "
                    f"{count(batch.rows_updated)} {'row' if batch.rows_updated == 1 else 'rows'} "
                    "it updated (a date filled in or changed)"
                    if batch.rows_updated
                    else ""
                )
                + ". The import stays in this list, marked undone."
            ),
            icon="⚠️",
        )
        yes, no = st.columns(2)
        if yes.button(f"Yes, undo import #{batch.id}", key="undo_yes", type="primary"):
            state.confirm_undo = None
            try:
                store.undo_batch(ui_store.connection(), ws.id, batch.id)
            except OpeningDayError as exc:
                st.error(plain(exc), icon="⛔")
                return
            finally:
                ui_store.changed()
            flash("success", f"Import #{batch.id} ({batch.file_name}) was undone.")
            st.rerun()
        if no.button("No, keep it", key="undo_no"):
            state.confirm_undo = None
            st.rerun()
