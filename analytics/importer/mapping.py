"""Which column holds which field: guessing, checking, the --map syntax and saved mappings."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analytics.entities import ENTITIES, ENTITY_NAMES
from analytics.errors import BadMapping, MissingColumn, UnknownEntity
from analytics.importer.synonyms import (
    PRICE_NAMES,
    QUANTITY_NAMES,
    mappable_fields,
    normalise,
    synonyms,
)
from analytics.store import Connection, transaction

# A field comes from one column, or (numbers only) from the product of two columns.
Column = str | tuple[str, str]
FieldMap = dict[str, Column]

NUMERIC_KINDS = ("money", "number", "int")


def _index(headers: Sequence[str]) -> dict[str, str]:
    """Normalised header -> header as written (the first of any that normalise alike)."""
    out: dict[str, str] = {}
    for h in headers:
        out.setdefault(normalise(h), h)
    return out


def auto_map(entity: str, headers: Sequence[str]) -> FieldMap:
    """Propose a column for every field whose name or a known synonym is among the headers."""
    check_entity(entity)
    index = _index(headers)
    taken: set[str] = set()
    result: FieldMap = {}
    for f in mappable_fields(entity):
        for name in synonyms(entity, f.name):
            header = index.get(name)
            if header is not None and header not in taken:
                result[f.name] = header
                taken.add(header)
                break
    if entity == "invoices" and "amount" not in result:
        # Line-level exports (Online Retail, shop systems) carry no amount, only its parts.
        quantity = next((index[n] for n in map(normalise, QUANTITY_NAMES) if n in index), None)
        price = next((index[n] for n in map(normalise, PRICE_NAMES) if n in index), None)
        if quantity and price and quantity not in taken and price not in taken:
            result["amount"] = (quantity, price)
    return result


def missing_required(entity: str, mapping: Mapping[str, Any]) -> tuple[str, ...]:
    """Required fields with no column. A deal's status may come from an IsWon column instead."""
    missing = [f for f in ENTITIES[entity].required if not mapping.get(f)]
    if entity == "deals" and "status" in missing and mapping.get("is_won"):
        missing.remove("status")
    return tuple(missing)


def _score(entity: str, mapping: FieldMap) -> int:
    ent = ENTITIES[entity]
    # Required fields are what make a kind of data recognisable, so they weigh more.
    return sum(3 if f in ent.required else 1 for f in mapping if f in ent.field_names)


def guess_entity(headers: Sequence[str]) -> str | None:
    """The kind of data whose required fields all map and that maps best; None if none does."""
    best: tuple[int, str] | None = None
    for name in ENTITY_NAMES:
        mapping = auto_map(name, headers)
        if missing_required(name, mapping):
            continue
        score = _score(name, mapping)
        if best is None or score > best[0]:
            best = (score, name)
    return best[1] if best else None


def _field_words(entity: str, fields: Sequence[str]) -> str:
    ent = ENTITIES[entity]
    return ", ".join(
        f"{f} ({ent.field(f).label})" if ent.field(f).label.lower() != f else f for f in fields
    )


def _columns_words(headers: Sequence[str]) -> str:
    shown = ", ".join(headers[:40])
    return shown + (f" … ({len(headers)} in all)" if len(headers) > 40 else "")


def unknown_entity(headers: Sequence[str], file_name: str) -> UnknownEntity:
    """An error that says what was found and what is missing for the nearest kind of data."""
    near: tuple[int, str, FieldMap] | None = None
    for name in ENTITY_NAMES:
        mapping = auto_map(name, headers)
        score = _score(name, mapping)
        if near is None or score > near[0]:
            near = (score, name, mapping)
    kinds = ", ".join(ENTITY_NAMES)
    hint = ""
    if near is not None and near[0] > 0:
        _, name, mapping = near
        found = ", ".join(
            f"{f} = {describe(c)}" for f, c in mapping.items() if f in ENTITIES[name].field_names
        )
        hint = (
            f" Closest is {name}: found {found}, but no column for "
            f"{_field_words(name, missing_required(name, mapping))}."
        )
    return UnknownEntity(
        f"{file_name}: cannot tell what this file holds from its columns "
        f"({_columns_words(headers)}).{hint} Say which kind of data it is ({kinds}) and map "
        "the missing columns.",
        file_name=file_name,
    )


def check_entity(entity: str) -> None:
    if entity not in ENTITIES:
        raise UnknownEntity(
            f"Unknown kind of data {entity!r}; expected one of {', '.join(ENTITY_NAMES)}."
        )


def describe(column: Column) -> str:
    return f"{column[0]} × {column[1]}" if isinstance(column, tuple) else column


def parse_map_args(args: Sequence[str]) -> dict[str, Column | None]:
    """`field=Column` strings (the CLI's --map) as a mapping.

    `amount=Quantity*UnitPrice` maps a product of two columns; `field=` (nothing after
    the =) leaves a field unmapped even when a column would be guessed for it.
    """
    known = {f.name for e in ENTITY_NAMES for f in mappable_fields(e)}
    result: dict[str, Column | None] = {}
    for arg in args:
        name, sep, column = arg.partition("=")
        name = name.strip().lower()
        if not sep or not name:
            raise BadMapping(
                f"--map {arg!r}: expected field=Column, e.g. customer='Customer Name' or "
                "amount=Quantity*UnitPrice."
            )
        if name not in known:
            raise BadMapping(
                f"--map {arg!r}: there is no field {name!r}; fields are: {', '.join(sorted(known))}."
            )
        column = column.strip().strip("'\"").strip()
        parts = [p.strip() for p in column.replace("×", "*").split("*")]
        if len(parts) == 2 and all(parts):
            result[name] = (parts[0], parts[1])
        elif len(parts) > 2 or (len(parts) == 2 and not all(parts)):
            raise BadMapping(f"--map {arg!r}: a product takes exactly two columns, e.g. A*B.")
        else:
            result[name] = column or None
    return result


def _find_header(column: str, headers: Sequence[str], file_name: str) -> str:
    if column in headers:
        return column
    # A hand-typed name may differ in case or spacing ("customer name" for "Customer Name").
    matches = [h for h in headers if normalise(h) == normalise(column)]
    if len(matches) == 1:
        return matches[0]
    raise BadMapping(
        f"{file_name}: the mapping names the column {column!r}, but the file has no such "
        f"column. Its columns are: {_columns_words(headers)}.",
        file_name=file_name,
    )


def resolve_mapping(
    entity: str, mapping: Mapping[str, Any], headers: Sequence[str], file_name: str = "the file"
) -> FieldMap:
    """The mapping checked against the entity and the file, with headers spelled as in the file."""
    check_entity(entity)
    fields = {f.name: f for f in mappable_fields(entity)}
    result: FieldMap = {}
    for name, column in mapping.items():
        if column is None or column == "":
            continue
        if name not in fields:
            raise BadMapping(
                f"{file_name}: {entity} have no field {name!r}; the fields are: "
                f"{', '.join(fields)}.",
                file_name=file_name,
            )
        if isinstance(column, list | tuple):
            if len(column) != 2:
                raise BadMapping(
                    f"{file_name}: {name} can come from one column or the product of two.",
                    file_name=file_name,
                )
            if fields[name].kind not in NUMERIC_KINDS:
                raise BadMapping(
                    f"{file_name}: only numbers can be the product of two columns, not {name}.",
                    file_name=file_name,
                )
            result[name] = (
                _find_header(str(column[0]), headers, file_name),
                _find_header(str(column[1]), headers, file_name),
            )
        else:
            result[name] = _find_header(str(column), headers, file_name)
    return result


def require_fields(entity: str, mapping: FieldMap, headers: Sequence[str], file_name: str) -> None:
    """MissingColumn when a required field has no column after mapping."""
    missing = missing_required(entity, mapping)
    if missing:
        raise MissingColumn(
            f"{file_name}: no column for {_field_words(entity, missing)}, which {entity} need. "
            f"The file's columns are: {_columns_words(headers)}. Map one with field=Column "
            "(or in the import screen).",
            file_name=file_name,
            fields=missing,
        )


def refuse_repeated(
    entity: str,
    mapping: FieldMap,
    headers: Sequence[str],
    repeats: Sequence[Sequence[int]],
    file_name: str,
) -> None:
    """BadMapping when a field would come from a column whose name another column shares
    ("Amount" and "amount "): Opening Day cannot tell which one the export meant, and
    will not guess. Repeated names no field uses are left alone."""
    if not repeats:
        return
    group_of = {i: group for group in repeats for i in group}
    position = {h: i for i, h in enumerate(headers)}
    for name, column in mapping.items():
        for header in column if isinstance(column, tuple) else (column,):
            group = group_of.get(position.get(header, -1))
            if group is None:
                continue
            numbers = [str(i + 1) for i in group]
            where = ", ".join(numbers[:-1]) + f" and {numbers[-1]}"
            each = "both" if len(group) == 2 else "all"
            raise BadMapping(
                f"{file_name}: columns {where} are {each} named {headers[group[0]]!r} (give or "
                f"take case and spaces), and {_field_words(entity, (name,))} would come from "
                "one of them. Opening Day will not guess which: rename or delete one of those "
                "columns in the file and import it again.",
                file_name=file_name,
            )


def mapping_json(mapping: Mapping[str, Column]) -> str:
    return json.dumps({k: list(v) if isinstance(v, tuple) else v for k, v in mapping.items()})


def mapping_from_json(text: str) -> FieldMap:
    raw: dict[str, Any] = json.loads(text)
    return {k: (str(v[0]), str(v[1])) if isinstance(v, list) else str(v) for k, v in raw.items()}


# ---------------------------------------------------------------- saved mappings


@dataclass(frozen=True)
class SavedMapping:
    name: str
    entity: str
    mapping: FieldMap
    headers: list[str]
    saved_at: datetime


def save_mapping(
    con: Connection,
    workspace_id: int,
    name: str,
    entity: str,
    mapping: Mapping[str, Any],
    headers: Sequence[str],
) -> SavedMapping:
    """Keep a mapping under a name; a file with the same headers later reuses it."""
    clean = name.strip()
    if not clean or len(clean) > 100:
        raise BadMapping("A saved mapping needs a name of 1 to 100 characters.")
    resolved = resolve_mapping(entity, mapping, headers, "the file")
    with transaction(con) as tx:
        tx.execute(
            "INSERT OR REPLACE INTO mappings (workspace_id, name, entity, mapping, headers) "
            "VALUES ($w, $n, $e, $m, $h)",
            {
                "w": workspace_id,
                "n": clean,
                "e": entity,
                "m": mapping_json(resolved),
                "h": json.dumps(list(headers)),
            },
        )
    found = [m for m in list_mappings(con, workspace_id) if m.name == clean]
    return found[0]


def list_mappings(con: Connection, workspace_id: int) -> list[SavedMapping]:
    """Every saved mapping of a workspace, the most recently saved first."""
    rows = (
        con.cursor()
        .execute(
            "SELECT name, entity, mapping, headers, saved_at FROM mappings "
            "WHERE workspace_id = $w ORDER BY saved_at DESC, name",
            {"w": workspace_id},
        )
        .fetchall()
    )
    return [
        SavedMapping(
            name=r[0],
            entity=r[1],
            mapping=mapping_from_json(r[2]),
            headers=[str(h) for h in json.loads(r[3])],
            saved_at=r[4],
        )
        for r in rows
    ]


def find_saved_mapping(
    con: Connection, workspace_id: int, headers: Sequence[str], entity: str | None = None
) -> SavedMapping | None:
    """The latest saved mapping made for a file with these headers (order, case and spacing
    aside), so next month's export maps itself."""
    wanted = {normalise(h) for h in headers}
    for saved in list_mappings(con, workspace_id):
        if entity is not None and saved.entity != entity:
            continue
        if {normalise(h) for h in saved.headers} == wanted:
            return saved
    return None


def delete_mapping(con: Connection, workspace_id: int, name: str) -> None:
    with transaction(con) as tx:
        tx.execute(
            "DELETE FROM mappings WHERE workspace_id = $w AND name = $n",
            {"w": workspace_id, "n": name},
        )
