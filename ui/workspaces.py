"""The Data page's workspaces: create one, rename, export (a zip of Parquet files), delete."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import streamlit as st

from analytics import access, importer, store
from analytics.errors import OpeningDayError
from ui import access as ui_access
from ui import store as ui_store
from ui.format import plain
from ui.sidebar import select_workspace
from ui.state import app_state, flash


def create_workspace_form(*, key: str, label: str = "Create workspace") -> None:
    """A name box and a button (on a shared server also its passphrase, typed twice); the new
    workspace becomes the current one."""
    if access.shared_mode():
        ws = ui_access.new_workspace_form(key=key, label=label)
        if ws is None:
            return
    else:
        name = st.text_input(
            "Name of the business",
            key=f"{key}:name",
            placeholder="e.g. Northwind IT",
            help="Letters, digits, spaces and . & ' - (up to 80 characters).",
        )
        if not st.button(label, key=f"{key}:create", disabled=not (name or "").strip()):
            return
        try:
            ws = store.create_workspace(ui_store.connection(), name or "")
        except OpeningDayError as exc:
            st.error(plain(exc), icon="⛔")
            return
    ui_store.changed()
    select_workspace(ws.name)
    flash("success", f"Workspace {ws.name} created.")
    st.rerun()


def manage_workspace(ws: store.Workspace) -> None:
    """Rename, export, delete the current workspace; create another."""
    con = ui_store.connection()
    st.page_link("pages/settings.py", label="Currency, date order and targets: Settings", icon="⚙️")
    with st.expander("➕ Add another business"):
        create_workspace_form(key="another")

    with st.expander("✏️ Rename this workspace"):
        new_name = st.text_input("New name", key=f"rename:{ws.id}", value=None)
        if st.button("Rename", key=f"rename_go:{ws.id}", disabled=not (new_name or "").strip()):
            try:
                renamed = store.rename_workspace(con, ws.name, new_name or "")
            except OpeningDayError as exc:
                st.error(plain(exc), icon="⛔")
            else:
                ui_store.changed()
                select_workspace(renamed.name)
                flash("success", f"Renamed to {renamed.name}.")
                st.rerun()

    with st.expander("📦 Export this workspace"):
        st.markdown(
            "One Parquet file per kind of data, in a zip. Each can be imported again, here or "
            "into another store."
        )
        state = app_state()
        if st.button("Prepare the export", key=f"export:{ws.id}"):
            with st.spinner("Writing the Parquet files…"):
                try:
                    state.export = (ws.id, *export_zip(ws))
                except OpeningDayError as exc:
                    st.error(plain(exc), icon="⛔")
        if state.export is not None and state.export[0] == ws.id:
            st.download_button(
                "Download the export (zip)",
                state.export[2],
                file_name=state.export[1],
                mime="application/zip",
                key=f"export_dl:{ws.id}",
                on_click="ignore",
                icon="⬇️",
            )

    with st.expander("🗑️ Delete this workspace"):
        st.markdown(
            "Deletes every row, import and setting of this workspace. There is no undo: export "
            "it first if you may want it back."
        )
        typed = st.text_input(
            f"Type the workspace name ({ws.name}) to confirm", key=f"delete:{ws.id}"
        )
        if st.button(
            "Delete for good",
            key=f"delete_go:{ws.id}",
            type="primary",
            icon="🗑️",
            disabled=(typed or "").strip() != ws.name,
        ):
            try:
                store.delete_workspace(con, ws.name)
            except OpeningDayError as exc:
                st.error(plain(exc), icon="⛔")
            else:
                ui_store.changed()
                app_state().workspace = None
                flash("success", f"Workspace {ws.name} deleted.")
                st.rerun()


def export_zip(ws: store.Workspace) -> tuple[str, bytes]:
    """The workspace as one zip of Parquet files: (file name, bytes)."""
    with tempfile.TemporaryDirectory(prefix="opening_day_export_") as tmp:
        paths = importer.export_workspace(ui_store.connection(), ws.id, Path(tmp))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for path in paths:
                archive.write(path, arcname=path.name)
    stamp = datetime.now().strftime("%Y-%m-%d")
    safe_name = "".join(ch if ch.isalnum() else "_" for ch in ws.name).strip("_") or "workspace"
    return f"{safe_name}_{stamp}.zip", buffer.getvalue()
