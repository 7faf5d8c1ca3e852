"""The Data page's widgets: one panel per uploaded file (entity, sheet, mapping, preview,
rejects, import), the import history with undo, and workspace management.

Choices for an uploaded file are kept in session state by the file's SHA-256, so they
survive reruns and come back when the same file is uploaded again.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from analytics import access, importer, store
from analytics.entities import ENTITIES, ENTITY_NAMES
from analytics.errors import ImportError_, OpeningDayError, RowsRejected
from analytics.importer.batch import mapping_change
from analytics.importer.limits import UPLOAD_MB
from analytics.importer.mapping import (
    NUMERIC_KINDS,
    mapping_from_json,
    mapping_json,
    missing_required,
)
from ui import access as ui_access
from ui import store as ui_store
from ui.format import count, day, is_missing, moment, plain, safe_csv
from ui.sidebar import select_workspace
from ui.state import Column, UploadChoice, app_state, flash

UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "xls", "parquet"]
# What the upload box says; .streamlit/config.toml's server.maxUploadSize enforces it.
UPLOAD_NOTE = (
    f"Files up to {UPLOAD_MB} MB; for larger, use the command line "
    "(`python -m analytics import`) or split the export."
)
NOT_IN_FILE = "— not in this file —"
PRODUCT = "✖ multiply two columns…"
DATE_ORDERS = {"mdy": "Month first (03/04 = 4 March)", "dmy": "Day first (03/04 = 3 April)"}
PREVIEW_ROWS = 20
HISTORY_PICK_KEY = "history_pick"


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
    _source: importer.Source,
) -> importer.Preview:
    mapping = mapping_from_json(mapping_key)
    return importer.preview(
        ui_store.connection(), _source, entity, mapping, date_order=date_order, n=PREVIEW_ROWS
    )


def _mapping_key(mapping: dict[str, Column]) -> str:
    """The mapping as a stable string, for cache keys."""
    return mapping_json(dict(sorted(mapping.items())))


def rejects_frame(rejects: list[Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"row": r.row, "column": r.column, "value": r.value, "reason": r.reason} for r in rejects],
        columns=["row", "column", "value", "reason"],
    )


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
    _save_mapping_form(ws, key, entity, source, choice)

    try:
        result = _preview(
            ws.id, sha, source.sheet, entity, _mapping_key(mapping), choice.date_order, source
        )
    except OpeningDayError as exc:
        st.error(plain(exc), icon="⛔")
        return
    fill_samples(sample_slots, result.rows)
    preview_section(result, key=key, file_name=file_name)

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
    if st.button(
        f"Import {count(to_import)} rows as {entity_word(entity)}",
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


def kind_label(entity: str) -> str:
    return ENTITIES[entity].label


def kind_banner(
    entity: str, saved: importer.SavedMapping | None, found: importer.Guess | None
) -> None:
    """The kind the import will use, how it was settled and how sure the guess is."""
    label = plain(kind_label(entity).lower())
    if saved is not None and saved.entity == entity:
        st.success(f"Read as **{label}**, as your saved mapping says.", icon="💾")
    elif found is not None and found.entity == entity and found.clear:
        st.success(
            f"Read as **{label}**: guessed from the column names, confidence "
            f"**{found.confidence:.0%}** ({plain(found.reason)}).",
            icon="🔎",
        )
    else:
        st.info(f"Read as **{label}**, as you chose.", icon="✋")


def kind_options(found: importer.Guess | None) -> list[str]:
    """Every kind, the two closest first when the guess is unclear."""
    closest = [f.entity for f in found.candidates] if found is not None else []
    return closest + [e for e in ENTITY_NAMES if e not in closest]


def kind_option_words(found: importer.Guess | None) -> Callable[[str], str]:
    """A kind's label; for the two closest kinds of an unclear guess, what each would read."""
    fits = {f.entity: f for f in found.candidates} if found is not None else {}

    def words(name: str) -> str:
        fit = fits.get(name)
        if fit is None:
            return kind_label(name)
        used = ", ".join(f"{k} = {v}" for k, v in importer.mapping_words(name, fit.mapping).items())
        lacks = f"; no column for {', '.join(fit.missing)}" if fit.missing else ""
        return f"{kind_label(name)} (would read {used or 'nothing'}{lacks})"

    return words


def mapping_editor(
    key_prefix: str, entity: str, headers: list[str], current: dict[str, Column]
) -> tuple[dict[str, Column], dict[str, Any]]:
    """One row per field: its label and the file's column (or a product of two columns).

    Returns the mapping and, per mapped field, an empty slot for its sample values
    (filled by `fill_samples` once the preview has parsed them).
    """
    mapping: dict[str, Column] = {}
    slots: dict[str, Any] = {}
    for field in importer.mappable_fields(entity):
        key = f"map:{key_prefix}:{entity}:{field.name}"
        options = [NOT_IN_FILE, *headers]
        if field.kind in NUMERIC_KINDS:
            options.append(PRODUCT)
        now = current.get(field.name)
        if key not in st.session_state:
            st.session_state[key] = (
                PRODUCT if isinstance(now, tuple) else now if now in headers else NOT_IN_FILE
            )
        name_col, pick_col, sample_col = st.columns([2, 3, 3], vertical_alignment="center")
        label = field.label or field.name
        with name_col:
            st.markdown(
                f"**{label}**" + (" · required" if field.required else ""), help=field.help or None
            )
        with pick_col:
            picked = st.selectbox(
                f"Column for {label}", options, key=key, label_visibility="collapsed"
            )
            if picked == PRODUCT:
                for suffix, i in ((":a", 0), (":b", 1)):
                    if key + suffix not in st.session_state:
                        st.session_state[key + suffix] = (
                            now[i] if isinstance(now, tuple) else headers[min(i, len(headers) - 1)]
                        )
                a, b = st.columns(2)
                left = a.selectbox("Column", headers, key=key + ":a", help="e.g. Quantity")
                right = b.selectbox("× column", headers, key=key + ":b", help="e.g. Unit price")
                mapping[field.name] = (left, right)
            elif picked != NOT_IN_FILE:
                mapping[field.name] = picked
        with sample_col:
            slots[field.name] = st.empty()
    # A deal's status can come from a Won? column instead: the importer decides what is missing.
    for name in missing_required(entity, mapping):
        slots[name].markdown("⚠️ Required: choose a column")
    return mapping, {k: v for k, v in slots.items() if k in mapping}


def fill_samples(slots: dict[str, Any], rows: pd.DataFrame) -> None:
    """Show the first few parsed values of each mapped field beside its column choice."""
    for name, slot in slots.items():
        if name not in rows.columns:
            continue
        values = [v for v in rows[name].tolist() if not is_missing(v)][:3]
        slot.text(", ".join(_sample(v) for v in values) or "(empty in the first rows)")


def _sample(value: Any) -> str:
    if isinstance(value, pd.Timestamp | datetime | date):
        return day(value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _save_mapping_form(
    ws: store.Workspace, key_prefix: str, entity: str, source: importer.Source, choice: UploadChoice
) -> None:
    with st.expander("💾 Save this mapping for next month's export"):
        key = f"save_name:{key_prefix}"
        if key not in st.session_state:
            st.session_state[key] = choice.saved_mapping_name or Path(source.file_name).stem
        name = st.text_input(
            "Save this mapping as…",
            key=key,
            help="Next time you upload a file with the same columns, this mapping is used.",
        )
        if st.button("Save mapping", key=f"save:{key_prefix}", disabled=not (name or "").strip()):
            try:
                importer.save_mapping(
                    ui_store.connection(),
                    ws.id,
                    (name or "").strip(),
                    entity,
                    choice.mapping,
                    source.headers,
                )
            except OpeningDayError as exc:
                st.error(plain(exc), icon="⛔")
            else:
                choice.saved_mapping_name = (name or "").strip()
                st.success(plain(f"Mapping saved as “{choice.saved_mapping_name}”."), icon="✅")


def entity_word(entity: str) -> str:
    """ "invoices", "time entries": how a sentence names a kind of data."""
    return entity.replace("_", " ")


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
    for line in result.notes():  # customers whose rows disagree, ids resolved, data checks
        st.info(plain(line), icon="🔎")
    for warning in result.warnings:
        st.info(plain(warning), icon="ℹ️")


# ---------------------------------------------------------------- import history


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
                "added, and customers it created that nothing else names. The import stays in "
                "this list, marked undone."
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


# ---------------------------------------------------------------- workspaces


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
