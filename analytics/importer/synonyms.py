"""Header names that common exports use for each canonical field, best match first.

The names themselves are data: synonyms.toml beside this module, read once.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from analytics.entities import ENTITIES, Field

SOURCE = Path(__file__).with_name("synonyms.toml")


def normalise(header: str) -> str:
    """Case, space and punctuation blind form of a header: "Customer Name" -> "customername"."""
    return "".join(ch for ch in header.casefold() if ch.isalnum())


# Fields the importer understands beyond the entity's own: they steer how a deal's
# status is read (a CRM's stage next to its status, Salesforce's IsWon/IsClosed flags)
# but are not stored as fields of their own (the stage is kept in deals.stage).
EXTRA_FIELDS: dict[str, tuple[Field, ...]] = {
    "deals": (
        Field("stage", "text", label="Stage (as exported)", help="Kept as it is, next to status"),
        Field("is_won", "bool", label="Won? (e.g. Salesforce IsWon)"),
        Field("is_closed", "bool", label="Closed? (e.g. Salesforce IsClosed)"),
    ),
}


def _expand(
    names: list[str], shared: dict[str, list[str]], leave_out: list[str]
) -> tuple[str, ...]:
    """A field's names with every "@list" replaced by that shared list, each name once (at its
    first place), without the names the entity leaves out."""
    out: dict[str, None] = {}
    for name in names:
        for each in shared[name[1:]] if name.startswith("@") else [name]:
            out.setdefault(each, None)
    return tuple(n for n in out if n not in leave_out)


def read_table(
    text: str,
) -> tuple[dict[str, dict[str, tuple[str, ...]]], dict[str, tuple[str, ...]]]:
    """Every entity's field names (shared lists spliced in) and the plain [lists]."""
    data: dict[str, Any] = tomllib.loads(text)
    shared, without = data["shared"], data.get("without", {})
    table = {
        entity: {
            field: _expand(names, shared, without.get(entity, {}).get(field, []))
            for field, names in fields.items()
        }
        for entity, fields in data["fields"].items()
    }
    return table, {key: tuple(names) for key, names in data["lists"].items()}


_SYNONYMS, _LISTS = read_table(SOURCE.read_text(encoding="utf-8"))

# When a file has no person column, a person's name can be joined from its two halves.
FIRST_NAMES: tuple[str, ...] = _LISTS["first_names"]
LAST_NAMES: tuple[str, ...] = _LISTS["last_names"]
# Headers that hold a whole name, which a first + last name pair does not replace.
FULL_NAMES: frozenset[str] = frozenset(normalise(n) for n in _LISTS["full_names"])
# When a file has no amount column, an amount can be computed as quantity × unit price.
QUANTITY_NAMES: tuple[str, ...] = _LISTS["quantity"]
PRICE_NAMES: tuple[str, ...] = _LISTS["price"]


def mappable_fields(entity: str) -> tuple[Field, ...]:
    """The fields a file can map for an entity: its own, then the importer's extras."""
    return ENTITIES[entity].fields + EXTRA_FIELDS.get(entity, ())


def synonyms(entity: str, field: str) -> tuple[str, ...]:
    """Normalised header names for a field, the canonical name first."""
    names = (field, *_SYNONYMS[entity].get(field, ()))
    seen: dict[str, None] = {}
    for name in names:
        seen.setdefault(normalise(name), None)
    return tuple(seen)


def synonym_table() -> dict[str, dict[str, tuple[str, ...]]]:
    """Every entity's fields with their normalised names (for checks and documentation)."""
    return {
        entity: {f.name: synonyms(entity, f.name) for f in mappable_fields(entity)}
        for entity in ENTITIES
    }
