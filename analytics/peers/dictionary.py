"""The peer dictionary: one versioned definition of every figure a KPI card can publish.

The definitions live in `dictionary.toml` beside this module, read and checked strictly when
the module is imported (a malformed or incomplete file stops the server at start, never a page
halfway). Each figure has an id (the indicator's), a name, its formula in words, its unit, its
direction (`higher` or `lower` is better) and a version: the version goes up whenever the
formula changes in a way that moves the number, so a card says which definition each of its
figures follows and figures of different versions are never pooled. Every version from 1 up to
the current one is known; a card with any other version is refused. Cards of format version 1
carry no definition versions: each of their figures counts as version 1.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from analytics.indicators.base import Unit

DICTIONARY_FILE = Path(__file__).with_name("dictionary.toml")
UNITS: frozenset[str] = frozenset(get_args(Unit))
_FIELDS = ("id", "name", "formula", "unit", "direction", "version")


class DictionaryError(ValueError):
    """The dictionary file is malformed (told with the entry and the field)."""


@dataclass(frozen=True)
class Definition:
    id: str
    name: str
    formula: str  # in words
    unit: str
    direction: Literal["higher", "lower"]  # which way is better
    version: int

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"

    def knows(self, version: int) -> bool:
        """Whether a card's figure in this version follows a definition this server knows."""
        return 1 <= version <= self.version


def _entry(n: int, raw: Any) -> Definition:
    where = f"{DICTIONARY_FILE.name}: figure {n + 1}"
    if not isinstance(raw, dict):
        raise DictionaryError(f"{where} is not a table.")
    if "id" in raw:
        where += f" ({raw['id']})"
    extra, missing = set(raw) - set(_FIELDS), [f for f in _FIELDS if f not in raw]
    if extra or missing:
        raise DictionaryError(f"{where}: unexpected {sorted(extra)} / missing {missing}.")
    for field in ("id", "name", "formula", "unit", "direction"):
        if not isinstance(raw[field], str) or not raw[field].strip():
            raise DictionaryError(f"{where}: {field} must be non-empty text.")
    if raw["unit"] not in UNITS:
        raise DictionaryError(f"{where}: unknown unit {raw['unit']!r}.")
    if raw["direction"] not in ("higher", "lower"):
        raise DictionaryError(f"{where}: direction must be 'higher' or 'lower'.")
    version = raw["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DictionaryError(f"{where}: version must be a whole number from 1.")
    return Definition(**{f: raw[f] for f in _FIELDS})


def load(path: Path = DICTIONARY_FILE) -> dict[str, Definition]:
    """The definitions in a dictionary file, by id, in file order (checked strictly)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DictionaryError(f"{path.name} is not valid TOML: {exc}.") from None
    if set(data) != {"figure"} or not isinstance(data["figure"], list):
        raise DictionaryError(f"{path.name} must hold only [[figure]] tables.")
    found: dict[str, Definition] = {}
    for n, raw in enumerate(data["figure"]):
        entry = _entry(n, raw)
        if entry.id in found:
            raise DictionaryError(f"{path.name}: figure {entry.id!r} is defined twice.")
        found[entry.id] = entry
    return found


_DEFINITIONS = load()


def definitions() -> dict[str, Definition]:
    """Every figure's current definition, by id (a copy: the dictionary cannot be changed)."""
    return dict(_DEFINITIONS)


def definition(figure_id: str) -> Definition:
    """One figure's current definition; KeyError names a figure with none."""
    try:
        return _DEFINITIONS[figure_id]
    except KeyError:
        raise KeyError(f"No definition of figure {figure_id!r} in the peer dictionary.") from None


def current_version(figure_id: str) -> int:
    """The version of the figure's definition this server publishes (1 when it has none)."""
    found = _DEFINITIONS.get(figure_id)
    return found.version if found is not None else 1


def _toml_text(text: str) -> str:
    return json.dumps(" ".join(text.split()), ensure_ascii=False)  # a TOML basic string


def missing_entries() -> str:
    """TOML for every indicator of the registry without a definition yet, at version 1, its
    formula drafted from the indicator's description: `python -m analytics.peers.draft`
    prints it, to review and append to dictionary.toml when an indicator is added."""
    from analytics.indicators import REGISTRY

    return "".join(
        f"\n[[figure]]\nid = {_toml_text(i.id)}\nname = {_toml_text(i.label)}\n"
        f"formula = {_toml_text(i.description)}\nunit = {_toml_text(i.unit)}\n"
        f"direction = {_toml_text('higher' if i.higher_is_better else 'lower')}\nversion = 1\n"
        for i in REGISTRY.values()
        if i.id not in _DEFINITIONS
    )
