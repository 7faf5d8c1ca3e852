"""Hard reset, templates that travel: download any checklist as a TOML file, upload one as an
own checklist (checked like the shipped ones), share with a peer group and copy from it."""

from __future__ import annotations

import streamlit as st

from analytics import peers
from analytics.checklists import files, shared
from analytics.checklists.templates import Template
from analytics.errors import OpeningDayError
from ui import store as ui_store
from ui.format import day, plain
from ui.reset_edit import attempt, who
from ui.state import flash

UPLOAD_KEY = "reset_template_upload"


def download_button(template: Template) -> None:
    st.download_button(
        "Download file",
        files.template_toml(template),
        file_name=f"{template.id}.toml",
        mime="application/toml",
        on_click="ignore",
        key=f"reset_toml_{template.id}",
        help="A TOML file in the format of the built-in checklists: edit it, share it, import it.",
    )


def import_section(workspace_id: int) -> None:
    """Upload a template file: saved as an own checklist, or refused with file and line."""
    with st.expander("Import a checklist file (TOML)"):
        st.caption(
            "A file in the format of the built-in checklists (download one to see it). It is "
            "checked line by line; a broken file is refused and nothing is saved."
        )
        upload = st.file_uploader("Checklist file", type=["toml"], key=UPLOAD_KEY)
        if upload is not None and st.button("Import as an own checklist", key="reset_import"):
            con = ui_store.connection()
            try:
                text = upload.getvalue().decode("utf-8")
                template = files.read_template_text(text, upload.name)
                new_id = files.import_template(con, workspace_id, template, who(), upload.name)
            except UnicodeDecodeError:
                st.error(f"{plain(upload.name)}: not a UTF-8 text file.", icon="⛔")
            except OpeningDayError as exc:
                st.error(plain(exc), icon="⛔")
            else:
                ui_store.changed()
                flash("success", f"Imported “{template.title}” as your own checklist ({new_id}).")
                st.rerun()


def _copy_shared(workspace_id: int, shared_id: int) -> None:
    con = ui_store.connection()
    attempt(
        lambda: shared.copy_shared(con, shared_id, viewer=workspace_id, who=who()),
        "Copied into your own checklists.",
    )


def peer_section(workspace_id: int, own: list[Template]) -> None:
    """Share an own checklist with a peer group; copy what other members shared."""
    con = ui_store.connection()
    groups = peers.list_groups(con, [workspace_id])
    if not groups:
        return
    st.header("Checklists from your peer groups")
    for group in groups:
        with st.container(border=True):
            st.markdown(f"**{plain(group.name)}**")
            shelf = shared.shelf(con, group.id, viewer=workspace_id)
            if not shelf:
                st.caption("Nobody in this group has shared a checklist yet.")
            for item in shelf:
                left, right = st.columns([4, 1])
                whose = "you" if item.workspace_id == workspace_id else item.member
                left.markdown(
                    f"{plain(item.title)} · shared by {plain(whose)} on {day(item.shared_at.date())}"
                )
                if item.workspace_id != workspace_id:
                    right.button(
                        "Copy",
                        key=f"reset_shared_copy_{item.id}",
                        on_click=_copy_shared,
                        args=(workspace_id, item.id),
                    )
            if own:
                _share_form(workspace_id, group.id, own)


def _share_form(workspace_id: int, group_id: int, own: list[Template]) -> None:
    con = ui_store.connection()
    titles = {t.id: t.title for t in own}
    with st.form(f"reset_share_{group_id}", clear_on_submit=True):
        chosen = st.selectbox(
            "Share one of your own checklists", list(titles), format_func=titles.__getitem__
        )
        if st.form_submit_button("Share with the group") and attempt(
            lambda: shared.share(con, workspace_id, group_id, str(chosen), who()),
            "Shared: the other members can copy it now.",
        ):
            st.rerun()
