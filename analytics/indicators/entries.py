"""Indicator entries as data: each area's plain fields in `<area>/indicators.toml`.

A registry entry has two kinds of parts. The plain ones (label, unit, direction, the texts,
default thresholds, what it reads) are data, one table per id in its area's file, read once
and checked strictly: an unknown or missing key, or a value of the wrong kind, stops the
import with the file and the id named. The code parts (the compute function, a sparkline,
thresholds that follow the settings or a constant the code also uses) are named where the
module registers the entry, in one short call (`analytics.indicators.register_entry`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, get_args

import pandas as pd

from analytics import areas
from analytics.indicators.base import Context, Indicator, Result, Thresholds, Unit

FILE_NAME = "indicators.toml"
ANCHORS = ("first", "latest", "common")


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _flag(value: Any) -> bool:
    return isinstance(value, bool)


def _names(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _verdicts(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == {"red", "amber", "green"}
        and all(isinstance(v, str) and v for v in value.values())
    )


def _thresholds(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == {"green", "red"}
        and all(_number(v) for v in value.values())
    )


# Key → (required, check, what the check wants). `thresholds` may instead come from code.
KEYS: dict[str, tuple[bool, Callable[[Any], bool], str]] = {
    "label": (True, _text, "a string"),
    "unit": (True, lambda v: v in get_args(Unit), f"one of {', '.join(get_args(Unit))}"),
    "higher_is_better": (True, _flag, "true or false"),
    "reads": (True, _names, "a list of entity names"),
    "anchor": (False, lambda v: v in ANCHORS, f"one of {', '.join(ANCHORS)}"),
    "counts_days": (False, _flag, "true or false"),
    "thresholds": (False, _thresholds, "{ green = <number>, red = <number> }"),
    "checklists": (True, _names, "a list of checklist template ids"),
    "heading": (False, _text, "a string"),
    "page": (False, _text, "a page id"),
    "description": (True, _text, "a string"),
    "next_step": (True, _text, "a string"),
    "verdicts": (False, _verdicts, '{ red = "…", amber = "…", green = "…" }'),
}


class EntryError(ValueError):
    """An indicators.toml that does not describe its entries exactly."""


def area_file(area_id: str) -> Path:
    """Where an area's entries live: beside the area's modules."""
    return Path(__file__).with_name(area_id) / FILE_NAME


def check(path: Path, indicator_id: str, table: Any) -> dict[str, Any]:
    """One entry's fields, checked against `KEYS`; raises naming the file and the id."""
    where = f"{path}: [{indicator_id}]"
    if not isinstance(table, dict):
        raise EntryError(f"{where} must be a table of fields")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise EntryError(f"{where} has unknown key(s) {', '.join(unknown)}")
    missing = [k for k, (required, _, _) in KEYS.items() if required and k not in table]
    if missing:
        raise EntryError(f"{where} misses key(s) {', '.join(missing)}")
    for key, value in table.items():
        _, ok, wanted = KEYS[key]
        if not ok(value):
            raise EntryError(f"{where} {key} must be {wanted}, not {value!r}")
    return table


def read_area(area_id: str, path: Path | None = None) -> dict[str, dict[str, Any]]:
    """An area's entries (id → checked fields), from its file."""
    path = path or area_file(area_id)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise EntryError(f"{path}: {exc}") from None
    return {i: {**check(path, i, t), "area": area_id} for i, t in data.items()}


@cache
def all_entries() -> dict[str, dict[str, Any]]:
    """Every area's entries by id (an id in two files is an error)."""
    found: dict[str, dict[str, Any]] = {}
    for area in areas.AREAS:
        path = area_file(area.id)
        if not path.exists():
            continue
        for indicator_id, fields in read_area(area.id, path).items():
            if indicator_id in found:
                raise EntryError(
                    f"{path}: [{indicator_id}] is also in {found[indicator_id]['area']}"
                )
            found[indicator_id] = fields
    return found


def indicator(
    indicator_id: str,
    *,
    compute: Callable[[Context], Result],
    spark: Callable[[Result], pd.Series] | None = None,
    thresholds: Thresholds | Callable[[dict[str, Any]], Thresholds] | None = None,
) -> Indicator:
    """The entry `indicator_id` of its area's file, with its code parts."""
    fields = dict(all_entries().get(indicator_id) or {})
    if not fields:
        names = ", ".join(str(area_file(a.id)) for a in areas.AREAS)
        raise EntryError(f"no entry [{indicator_id}] in any of {names}")
    where = f"{area_file(fields['area'])}: [{indicator_id}]"
    data_thresholds = fields.pop("thresholds", None)
    if (data_thresholds is None) == (thresholds is None):
        raise EntryError(
            f"{where} needs thresholds in the file or from the code that registers it, "
            "exactly one of the two"
        )
    return Indicator(
        id=indicator_id,
        compute=compute,
        spark=spark,
        thresholds=Thresholds(**data_thresholds) if thresholds is None else thresholds,
        **{
            **fields,
            "reads": tuple(fields["reads"]),
            "checklists": tuple(fields["checklists"]),
        },
    )


def unregistered(registered: set[str]) -> list[str]:
    """Entries in the files that no module registered (a typo, or a forgotten call)."""
    return [i for i in all_entries() if i not in registered]
