"""The six kinds of data an owner brings, and the canonical fields of each.

This is the one place that names entities and fields (the data itself is entities.toml, beside
this module): the store's schema, the importer's mapping, the demo generator and the Parquet
export all read it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

FieldKind = Literal["text", "date", "money", "number", "int", "bool", "status"]

# Money is exact and keeps four decimals: exports carry fractions of a cent (discounted
# lines, unit prices), and rounding every line to the cent makes totals drift.
MONEY_SQL = "DECIMAL(18,4)"

# DuckDB column type for each kind of field. Hours are not money.
SQL_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "date": "DATE",
    "money": MONEY_SQL,
    "number": "DOUBLE",
    "int": "INTEGER",
    "bool": "BOOLEAN",
    "status": "VARCHAR",
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: FieldKind
    required: bool = False
    label: str = ""
    help: str = ""


@dataclass(frozen=True)
class Entity:
    name: str
    label: str
    fields: tuple[Field, ...]
    help: str = ""
    # Entities whose rows can be re-exported with a changed state (a deal that was
    # open last month is won now) keep every version; analytics read the latest.
    key: str | None = None

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")


SOURCE = Path(__file__).with_name("entities.toml")

# The keys an entity and a field take in the file, with the kind of value each holds.
_ENTITY_KEYS: dict[str, type] = {
    "label": str,
    "help": str,
    "key": str,
    "name_list": bool,
    "fields": list,
}
_WORDS: dict[type, str] = {str: "text", bool: "true or false", list: "a list of fields"}
_FIELD_KEYS: dict[str, type] = {
    "name": str,
    "kind": str,
    "required": bool,
    "label": str,
    "help": str,
}


def _checked(where: str, given: Any, keys: dict[str, type], needed: set[str]) -> dict[str, Any]:
    """`given` when it is a table of exactly the right keys and kinds of value; else stops."""
    if not isinstance(given, dict) or not needed <= set(given) <= set(keys):
        raise ValueError(
            f"{where} takes {', '.join(sorted(needed))} and optionally "
            f"{', '.join(sorted(set(keys) - needed))}; got {given!r}"
        )
    for key, value in given.items():
        if not isinstance(value, keys[key]):
            raise ValueError(f"{where} {key} must be {_WORDS[keys[key]]}, not {value!r}")
    return given


def _field(where: str, given: Any) -> Field:
    checked = _checked(f"{where} field", given, _FIELD_KEYS, {"name", "kind"})
    if checked["kind"] not in get_args(FieldKind):
        raise ValueError(f"{where}: field {checked['name']!r} has unknown kind {checked['kind']!r}")
    return Field(**checked)


def read_entities(path: Path = SOURCE) -> tuple[dict[str, Entity], dict[str, Entity]]:
    """The entities and the name lists (`name_list = true`), in the file's order; a key the
    file should not have, or one it lacks, stops with the file and the entity named."""
    entities: dict[str, Entity] = {}
    name_lists: dict[str, Entity] = {}
    for name, table in tomllib.loads(path.read_text(encoding="utf-8")).items():
        where = f"{path}: [{name}]"
        _checked(where, table, _ENTITY_KEYS, {"label", "fields"})
        fields = tuple(_field(where, f) for f in table["fields"])
        entity = Entity(name, table["label"], fields, table.get("help", ""), table.get("key"))
        (name_lists if table.get("name_list") else entities)[name] = entity
    return entities, name_lists


# Name lists are not business data of their own but look-ups that resolve the ids other files
# carry (a CRM's users export turns a deals file's OwnerId into the salesperson's name). They
# import and undo like an entity (`--entity people`), but are never guessed, counted or
# analysed; see analytics/importer/resolve.py.
ENTITIES, NAME_LISTS = read_entities()

ENTITY_NAMES: tuple[str, ...] = tuple(ENTITIES)
IMPORTABLE: tuple[str, ...] = ENTITY_NAMES + tuple(NAME_LISTS)
ENTITIES.update(NAME_LISTS)  # by-name look-ups (mapping, parsing, batches) find them too

# Entities whose customer column names a customer that must exist in `customers`:
# an unknown one is created (time entries and activities may name prospects).
REFERENCES_CUSTOMER: tuple[str, ...] = ("invoices", "deals", "tickets")

# Deal statuses after normalisation.
DEAL_STATUSES: tuple[str, ...] = ("open", "won", "lost")


def stored_columns(name: str) -> dict[str, str]:
    """An entity's stored columns in their order (its fields, plus `stage` for deals, the
    stage as exported) with their DuckDB types."""
    cols = {f.name: SQL_TYPES[f.kind] for f in ENTITIES[name].fields}
    if name == "deals":
        cols["stage"] = "VARCHAR"
    return cols


def entity(name: str) -> Entity:
    try:
        return ENTITIES[name]
    except KeyError:
        known = ", ".join(ENTITY_NAMES)
        raise KeyError(f"unknown entity {name!r}; expected one of {known}") from None
