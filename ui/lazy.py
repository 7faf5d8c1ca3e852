"""Containers whose content is drawn only once the owner opens them."""

from __future__ import annotations

from typing import Any

import streamlit as st


def opened_popover(label: str, key: str, *, icon: str | None = None) -> Any | None:
    """A popover whose content is drawn only while it is open (opening it reruns the page), so
    a page of many sends a button each, not each one's form: the container to draw into, or
    None while it is closed. `key` keeps it open across the reruns its widgets cause."""
    popover = st.popover(label, icon=icon, key=key, on_change="rerun")
    return popover if popover.open else None
