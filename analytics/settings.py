"""Per-workspace settings: a registry of keys with defaults and validation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from analytics.errors import OpeningDayError
from analytics.store import Connection, transaction


class SettingError(OpeningDayError):
    pass


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    default: Any
    help: str = ""
    choices: tuple[Any, ...] = ()


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "currency",
            "Currency",
            "USD",
            "ISO code used to show money",
            (
                "USD",
                "EUR",
                "GBP",
                "CAD",
                "AUD",
                "NZD",
                "CHF",
                "SEK",
                "NOK",
                "DKK",
                "ZAR",
                "INR",
                "JPY",
            ),
        ),
        Setting(
            "date_order",
            "Date order",
            "mdy",
            "How you read 03/04/2025: month first (mdy) or day first (dmy). Used when a file's dates could be either.",
            ("mdy", "dmy"),
        ),
    )
}


def get_settings(con: Connection, workspace_id: int) -> dict[str, Any]:
    """Every setting for a workspace: saved values over defaults."""
    values = {k: s.default for k, s in SETTINGS.items()}
    rows = (
        con.cursor()
        .execute("SELECT key, value FROM settings WHERE workspace_id = $w", {"w": workspace_id})
        .fetchall()
    )
    for key, raw in rows:
        if key in SETTINGS:
            values[key] = json.loads(raw)
    return values


def save_setting(con: Connection, workspace_id: int, key: str, value: Any) -> None:
    setting = SETTINGS.get(key)
    if setting is None:
        raise SettingError(f"Unknown setting {key!r}.")
    if setting.choices and value not in setting.choices:
        allowed = ", ".join(map(str, setting.choices))
        raise SettingError(f"{setting.label} must be one of {allowed}; got {value!r}.")
    with transaction(con) as tx:
        tx.execute(
            "INSERT OR REPLACE INTO settings (workspace_id, key, value) VALUES ($w, $k, $v)",
            {"w": workspace_id, "k": key, "v": json.dumps(value)},
        )
