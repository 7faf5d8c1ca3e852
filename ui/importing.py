"""The Data page's upload panel: one per uploaded file (what it holds, its sheet, which column
holds which field, the date order, the preview, import or replace).

Choices for an uploaded file are kept in session state by the file's SHA-256, so they
survive reruns and come back when the same file is uploaded again. The kind chooser and
the column editor are in ui/import_mapping.py, the preview and an import's counts in
ui/import_results.py, the import history in ui/import_history.py, workspace management
in ui/workspaces.py (the Data page reaches them all from here).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import streamlit as st

from analytics import asof, importer, store
from analytics.entities import ENTITIES
from analytics.errors import ImportError_, OpeningDayError, RowsRejected
from analytics.importer.batch import mapping_change
from analytics.importer.limits import UPLOAD_MB
from analytics.importer.mapping import (
    mapping_from_json,
    mapping_json,
)
from ui import store as ui_store
from ui.format import count, moment, plain
from ui.import_history import HISTORY_PICK_KEY as HISTORY_PICK_KEY
from ui.import_history import batch_history as batch_history
from ui.import_history import history_frame as history_frame
from ui.import_mapping import (
    fill_samples,
    kind_banner,
    kind_option_words,
    kind_options,
    mapping_editor,
    save_mapping_form,
)
from ui.import_results import entity_word as entity_word
from ui.import_results import preview_section, rejects_table, show_result
from ui.import_results import preview_table as preview_table
from ui.import_results import rejects_frame as rejects_frame
from ui.state import Column, UploadChoice, app_state
from ui.workspaces import create_workspace_form as create_workspace_form
from ui.workspaces import export_zip as export_zip
from ui.workspaces import manage_workspace as manage_workspace

UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "xls", "parquet"]
# What the upload box says; .streamlit/config.toml's server.maxUploadSize enforces it.
UPLOAD_NOTE = (
    f"Files up to {UPLOAD_MB} MB; for larger, use the command line "
    "(`python -m analytics import`) or split the export."
)
DATE_ORDERS = {"mdy": "Month first (03/04 = 4 March)", "dmy": "Day first (03/04 = 3 April)"}
PREVIEW_ROWS = 20


# ---------------------------------------------------------------- reading (cached by content)


@st.cache_resource(show_spinner="Reading the file…", max_entries=16, ttl=3600)
def _read_once(
    sha256: str, file_name: str, sheet: str | None, _data: bytes
) -> importer.Source | ImportError_:
    # Keyed by content hash: the bytes themselves are not hashed again on every rerun. A
    # refusal is kept as well, so that a file over a limit is not read again (another
    # child process, for a spreadsheet) each time the page reruns.
    try:
        return importer.read_source(_data, file_name=file_name, sheet=sheet)
    except ImportError_ as exc:
        return exc


def _read(sha256: str, file_name: str, sheet: str | None, data: bytes) -> importer.Source:
    found = _read_once(sha256, file_name, sheet, data)
    if isinstance(found, ImportError_):
        raise found
    return found


@st.cache_resource(show_spinner="Checking every row…", max_entries=32, ttl=3600)
def _preview(
    workspace_id: int,
    sha256: str,
    sheet: str | None,
    entity: str,
    mapping_key: str,
    date_order: str,
    data_version: tuple[object, ...],
    _source: importer.Source,
) -> importer.Preview:
    """The file parsed, and what importing it into the workspace would do; `data_version`
    (the workspace's imports, undos and settings: asof.version_row) keys the forecast to the
    store as it stands, so an import or an undo since is reckoned with, while the app's own
    writes (kept results) leave a large file's preview in the cache."""
    mapping = mapping_from_json(mapping_key)
    return importer.preview(
        ui_store.connection(),
        _source,
        entity,
        mapping,
        date_order=date_order,
        n=PREVIEW_ROWS,
        workspace_id=workspace_id,
    )


def _mapping_key(mapping: dict[str, Column]) -> str:
    """The mapping as a stable string, for cache keys."""
    return mapping_json(dict(sorted(mapping.items())))


# ---------------------------------------------------------------- one uploaded file


def file_panel(ws: store.Workspace, file_name: str, data: bytes) -> None:
    """Everything about one uploaded file, from guessing what it holds to importing it."""
    sha = hashlib.sha256(data).hexdigest()
    with st.container(border=True):
        st.subheader(f"📄 {plain(file_name)}")
        try:
            _file_panel_body(ws, file_name, data, sha)
        except OpeningDayError as exc:
            st.error(plain(exc), icon="⛔")


def _file_panel_body(ws: store.Workspace, file_name: str, data: bytes, sha: str) -> None:
    con = ui_store.connection()
    state = app_state()
    workbook = state.upload(sha)  # the sheet choice belongs to the file
    source = _read(sha, file_name, workbook.sheet, data)
    if len(source.sheets) > 1:
        sheet_key = f"sheet:{sha}"
        if sheet_key not in st.session_state:
            st.session_state[sheet_key] = source.sheet or source.sheets[0]
        sheet = st.selectbox("Sheet", source.sheets, key=sheet_key)
        if sheet != source.sheet:
            workbook.sheet = sheet
            source = _read(sha, file_name, sheet, data)
    # Everything else belongs to the sheet: each has its own columns.
    key = sha if source.sheet is None else f"{sha}:{source.sheet}"
    choice = workbook if key == sha else state.upload(key)

    sheet_note = f", sheet {plain(source.sheet)}" if source.sheet else ""
    st.caption(f"{count(source.n_rows)} rows, {count(len(source.headers))} columns{sheet_note}.")

    # What the file holds: a saved mapping for these headers wins, else the guess, which is
    # shown with its confidence; an unclear one waits for the owner to choose the kind, the
    # two closest kinds offered first with the columns each would read.
    saved = importer.find_saved_mapping(con, ws.id, source.headers)
    found = importer.guess(source.headers) if saved is None else None
    unclear = found is not None and found.entity is not None and not found.clear
    if choice.entity is None:
        if saved is not None:
            choice.entity = saved.entity
        elif found is not None and found.clear:
            choice.entity = found.entity
    entity_key = f"entity:{key}"
    if entity_key not in st.session_state:
        st.session_state[entity_key] = choice.entity
    if unclear and found is not None and st.session_state[entity_key] is None:
        st.warning(
            "Opening Day is not sure what this file holds (confidence "
            f"{found.confidence:.0%}: {plain(found.reason)}). Choose the kind below; nothing "
            "is imported until you do.",
            icon="❓",
        )
    entity = st.selectbox(
        "This file holds",
        kind_options(found if unclear else None),
        key=entity_key,
        index=None,
        format_func=kind_option_words(found if unclear else None),
        placeholder="Choose what this file holds",
        help="Guessed from the column names. Correct it if the guess is wrong.",
    )
    choice.entity = entity
    if entity is None:
        if not unclear:
            st.warning(
                "Opening Day could not tell what this file holds from its column names. "
                "Choose it above.",
                icon="⚠️",
            )
        return
    kind_banner(entity, saved, found)

    # The same content as the same entity (and sheet) was imported before: say so. The same
    # file as another entity (Superstore lines as invoices, then as customers) is new.
    earlier = store.find_imported(con, ws.id, sha, entity=entity, sheet=source.sheet)
    # An import refused because the file was imported before with other columns is not
    # done with: the panel stays, offering to replace that import.
    finished = choice.result is not None and choice.result.earlier_mapping is None
    if finished and choice.result is not None and choice.result.entity == entity:
        if earlier is not None:
            show_result(choice.result)
            st.caption("Done with this file: remove it from the upload box above.")
            return
        choice.result = None  # its import was undone: the file can be imported again
    elif earlier is not None:
        st.info(
            plain(
                f"This exact file was already imported as {ENTITIES[entity].label.lower()} "
                f"(import #{earlier.id} on {moment(earlier.created_at)}); importing it again "
                "with the same columns adds nothing. To read it with other columns, change them "
                f"below and replace import #{earlier.id}."
            ),
            icon="ℹ️",
        )

    if choice.mapping_entity != entity:
        if saved is not None and saved.entity == entity:
            choice.mapping = dict(saved.mapping)
            choice.saved_mapping_name = saved.name
        else:
            choice.mapping = dict(importer.auto_map(entity, source.headers))
            choice.saved_mapping_name = None
        choice.mapping_entity = entity
    if choice.saved_mapping_name:
        st.info(
            plain(f"Using your saved mapping “{choice.saved_mapping_name}” for these columns."),
            icon="💾",
        )

    st.markdown("**Columns** — which column of your file holds each field.")
    mapping, sample_slots = mapping_editor(key, entity, source.headers, choice.mapping)
    read = {c for v in mapping.values() for c in (v if isinstance(v, tuple) else (v,))}
    unread = [h for h in source.headers if h not in read]
    if unread:
        st.caption(plain(f"Columns not read: {', '.join(unread)}."))
    if mapping != choice.mapping:
        choice.mapping = mapping
        choice.saved_mapping_name = None

    if choice.date_order is None:
        choice.date_order = str(ui_store.settings(ws.id).get("date_order", "mdy"))
    order_key = f"date_order:{key}"
    if order_key not in st.session_state:
        st.session_state[order_key] = choice.date_order
    choice.date_order = st.radio(
        "When a date could be read either way (like 03/04/2025)",
        list(DATE_ORDERS),
        format_func=DATE_ORDERS.__getitem__,
        key=order_key,
        horizontal=True,
        help="Opening Day decides per column from all its values; this is only used when "
        "every date in a column could be read both ways.",
    )
    save_mapping_form(ws, key, entity, source, choice)

    try:
        result = _preview(
            ws.id,
            sha,
            source.sheet,
            entity,
            _mapping_key(mapping),
            choice.date_order,
            asof.version_row(ui_store.connection(), ws.id),
            source,
        )
    except OpeningDayError as exc:
        st.error(plain(exc), icon="⛔")
        return
    fill_samples(sample_slots, result.rows)
    preview_section(result, key=key, file_name=file_name)
    ahead = result.forecast.text(rejects=bool(result.rejects)) if result.forecast else None
    if ahead:  # next month's export: what is already stored, and what it fills in
        st.info(plain(ahead), icon="🔁")

    bad_rows = len({r.row for r in result.rejects})
    if bad_rows:
        skip_key = f"skip:{key}"
        if skip_key not in st.session_state:
            st.session_state[skip_key] = choice.skip_bad_rows
        choice.skip_bad_rows = st.checkbox(
            f"Skip the {count(bad_rows)} rows that cannot be read and import the rest",
            key=skip_key,
            help="The skipped rows are kept with the import, so you can download them later.",
        )
    else:
        choice.skip_bad_rows = False

    to_import = result.rows_read - (bad_rows if choice.skip_bad_rows else 0)
    blocked = bad_rows > 0 and not choice.skip_bad_rows
    if blocked:
        st.caption(
            "Nothing is imported while rows cannot be read: fix them in the file and upload it "
            "again, change the mapping, or tick “skip” above."
        )
    label = f"Import {count(to_import)} rows as {entity_word(entity)}"
    if result.forecast is not None and result.forecast.stored:  # what it adds, and updates
        changed = result.forecast.rows_updated
        label += f" ({count(result.forecast.new)} new" + (
            f", {count(changed)} updated)" if changed else ")"
        )
    if st.button(
        label,
        key=f"import:{key}",
        type="primary",
        icon="📥",
        disabled=blocked,
    ):
        run_import(ws, source, entity, choice)
    if earlier is not None:
        _replace_offer(ws, source, entity, choice, earlier, blocked=blocked)


def _replace_offer(
    ws: store.Workspace,
    source: importer.Source,
    entity: str,
    choice: UploadChoice,
    earlier: store.Batch,
    *,
    blocked: bool,
) -> None:
    """The file was imported before: with other columns now, offer to replace that import
    (undo it and import again, in one transaction: a failing import leaves it in place)."""
    try:
        every = {f.name: choice.mapping.get(f.name) for f in importer.mappable_fields(entity)}
        _, resolved = importer.choose_mapping(ui_store.connection(), ws.id, source, entity, every)
    except OpeningDayError:
        return  # the preview above already says what is wrong with the mapping
    change = mapping_change(ui_store.connection(), entity, earlier, resolved)
    if change is None:
        return
    if choice.result is not None and choice.result.earlier_mapping is not None:
        st.warning(plain(choice.result.warnings[0]), icon="⚠️")  # "Import" was pressed
    else:
        st.info(
            plain(f"Import #{earlier.id} read this file with other columns: {change[1]}."),
            icon="🔁",
        )
    if st.button(
        f"Replace batch {earlier.id}",
        key=f"replace:{source.sha256}:{source.sheet}",
        icon="🔁",
        disabled=blocked,
        help=f"Undo import #{earlier.id} and import the file again with the columns above, "
        "all or nothing.",
    ):
        run_import(ws, source, entity, choice, replace=True)


def run_import(
    ws: store.Workspace,
    source: importer.Source,
    entity: str,
    choice: UploadChoice,
    *,
    replace: bool = False,
) -> None:
    """Import with a progress bar; on success remember the result and rerun the page."""
    bar = st.progress(0.0, text="Starting the import…")

    def report(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

    progress: Callable[[float, str], None] = report
    try:
        result = importer.import_source(
            ui_store.connection(),
            ws.id,
            source,
            entity=entity,
            # Every field named: one the owner set to "not in this file" must stay unmapped.
            mapping={f.name: choice.mapping.get(f.name) for f in importer.mappable_fields(entity)},
            skip_bad_rows=choice.skip_bad_rows,
            date_order=choice.date_order,
            progress=progress,
            replace=replace,
        )
    except RowsRejected as exc:
        bar.empty()
        st.error(plain(exc), icon="⛔")
        if exc.result is not None and exc.result.rejects:
            rejects_table(
                exc.result.rejects,
                "Rows that stopped the import",
                key=f"import:{source.sha256}",
                file_name=source.file_name,
            )
        return
    except OpeningDayError as exc:
        bar.empty()
        st.error(plain(exc), icon="⛔")
        return
    finally:
        ui_store.changed()
    choice.result = result
    if result.batch_id is not None:  # the history then offers this import for undo
        st.session_state[HISTORY_PICK_KEY] = result.batch_id
    st.rerun()
