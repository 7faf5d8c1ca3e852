"""Which kind of data an uploaded file holds and which column holds each field: the kind
chooser (with the guess and its confidence), the column editor with sample values, and
saving a mapping for next month's export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from analytics import importer, store
from analytics.entities import ENTITIES, ENTITY_NAMES
from analytics.errors import OpeningDayError
from analytics.importer.mapping import NUMERIC_KINDS, fit_words, missing_required
from ui import store as ui_store
from ui.format import day, is_missing, plain
from ui.state import Column, UploadChoice

NOT_IN_FILE = "— not in this file —"
PRODUCT = "✖ multiply two columns…"


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
        used = fit_words(fit)
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


def save_mapping_form(
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
