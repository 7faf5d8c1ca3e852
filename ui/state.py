"""Typed session state: what one owner's browser session remembers between reruns and pages.

Widget values vanish when their page is left, so anything that must survive a page
change lives here, under one key, as plain dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, TypeVar

import streamlit as st

from analytics.importer import Column
from ui.format import plain

STATE_KEY = "opening_day"

T = TypeVar("T")

FlashKind = Literal["success", "info", "warning", "error"]
# Status is never colour alone: each kind of message carries an icon too.
ICONS: dict[str, str] = {"success": "✅", "info": "ℹ️", "warning": "⚠️", "error": "⛔"}


@dataclass
class UploadChoice:
    """The owner's choices for one uploaded file, kept by its content hash."""

    entity: str | None = None
    sheet: str | None = None
    # field -> column, or (column, column) for a product such as Quantity × UnitPrice
    mapping: dict[str, Column] = field(default_factory=dict)
    mapping_entity: str | None = None  # the entity `mapping` was made for
    saved_mapping_name: str | None = None  # set when the mapping came from a saved one
    skip_bad_rows: bool = False
    date_order: str | None = None
    result: Any = None  # the last ImportResult for this file


@dataclass
class AppState:
    workspace: str | None = None  # name of the workspace being looked at
    as_of: dict[int, date] = field(default_factory=dict)  # a day the owner picked, per workspace
    uploads: dict[str, UploadChoice] = field(default_factory=dict)
    flash: list[tuple[FlashKind, str]] = field(default_factory=list)
    confirm_undo: int | None = None  # batch id waiting for "yes, undo"
    export: tuple[int, str, bytes] | None = None  # (workspace id, file name, zip bytes)

    def upload(self, sha256: str) -> UploadChoice:
        return self.uploads.setdefault(sha256, UploadChoice())


def session_object(key: str, kind: type[T]) -> T:
    """The session's `kind` object under `key`, created (with no arguments) on first use or
    when something else sits there."""
    state = st.session_state.get(key)
    if not isinstance(state, kind):
        state = kind()
        st.session_state[key] = state
    return state


def app_state() -> AppState:
    """This session's state, created on first use."""
    return session_object(STATE_KEY, AppState)


def flash(kind: FlashKind, message: str) -> None:
    """A message to show on the next run (after st.rerun or a page switch)."""
    app_state().flash.append((kind, message))


def show_flash() -> None:
    """Show and forget the messages queued by `flash` (as plain text: they may name files)."""
    state = app_state()
    messages, state.flash = state.flash, []
    for kind, message in messages:
        show = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}
        show[kind](plain(message), icon=ICONS[kind])
