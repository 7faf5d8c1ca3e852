"""Data: bring exports in (one batch per file), see and undo past imports, manage workspaces."""

from __future__ import annotations

import streamlit as st

from analytics.demo import DEMO_WORKSPACE
from ui import importing, sidebar
from ui import store as ui_store
from ui.format import plain
from ui.widgets import demo_button

st.title("Your data")
st.markdown(
    "Upload the exports you already have. Each file becomes one import that you can check "
    "before it is saved, and undo later. Nothing leaves this computer."
)

ws = sidebar.current().workspace
if ws is None:
    st.subheader("Start with a workspace", anchor=False)
    st.markdown(
        "A workspace holds one business's data. Name yours to start importing, or look around "
        "with the demo business first."
    )
    importing.create_workspace_form(key="first", label="Create the workspace")
    st.divider()
    demo_button("data_demo", primary=False)
    st.stop()

counts = ui_store.entity_counts(ws.id)
st.markdown(f"Importing into **{plain(ws.display_name)}** (change it in the sidebar).")
if ws.name == DEMO_WORKSPACE:
    st.warning(
        "This is the demo business. Your own data belongs in a workspace of its own: add one "
        "under Workspace below, then pick it in the sidebar.",
        icon="⚠️",
    )

st.subheader("Import files", anchor=False)
uploads = st.file_uploader(
    "CSV, Excel or Parquet files: invoices, customers, deals, time entries, sales activities "
    "or support tickets",
    type=importing.UPLOAD_TYPES,
    accept_multiple_files=True,
    key=f"uploads:{ws.id}",
    help="One file per kind of data. Several files at once are fine; each is checked and "
    "imported on its own.",
)
st.caption(importing.UPLOAD_NOTE)
for upload in uploads or []:
    importing.file_panel(ws, upload.name, upload.getvalue())

if not sum(counts.values()) and not uploads:
    st.info(
        "This workspace is empty. Upload a file above, or load the demo business to see what "
        "Opening Day shows once data is in.",
        icon="ℹ️",
    )
    demo_button("data_demo_empty", primary=False)

st.subheader("Imports so far", anchor=False)
importing.batch_history(ws)

st.subheader("Workspace", anchor=False)
importing.manage_workspace(ws)
