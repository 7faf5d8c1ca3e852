"""Which column holds which field: guessing, checking, the --map syntax and saved mappings."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analytics.entities import ENTITIES, ENTITY_NAMES, NAME_LISTS
from analytics.errors import BadMapping, MissingColumn, UnclearEntity, UnknownEntity
from analytics.importer.synonyms import (
    FIRST_NAMES,
    FULL_NAMES,
    LAST_NAMES,
    PRICE_NAMES,
    QUANTITY_NAMES,
    mappable_fields,
    normalise,
    synonyms,
)
from analytics.store import Connection, transaction

# A field comes from one column, or from two: numbers from their product, a person's name
# (JOINED_FIELDS: exported as first and last name, as Harvest does) from the two joined by
# a space.
Column = str | tuple[str, str]
FieldMap = dict[str, Column]

NUMERIC_KINDS = ("money", "number", "int")
JOINED_FIELDS = ("person", "owner")


def _index(headers: Sequence[str]) -> dict[str, str]:
    """Normalised header -> header as written (the first of any that normalise alike)."""
    out: dict[str, str] = {}
    for h in headers:
        out.setdefault(normalise(h), h)
    return out


def _present(index: Mapping[str, str], names: Sequence[str]) -> str | None:
    """The file's header for the first of these names it has, if any."""
    return next((index[n] for n in map(normalise, names) if n in index), None)


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
        quantity, price = _present(index, QUANTITY_NAMES), _present(index, PRICE_NAMES)
        if quantity and price and quantity not in taken and price not in taken:
            result["amount"] = (quantity, price)
    fields = {f.name for f in mappable_fields(entity)}
    first, last = _present(index, FIRST_NAMES), _present(index, LAST_NAMES)
    for name in JOINED_FIELDS:
        if name not in fields or not first or not last or first in taken or last in taken:
            continue
        # A person's name in two columns (Harvest: "First name", "Last name") is better
        # evidence than a looser match ("Employee?" is a yes/no flag); only a column that
        # says it holds the full name wins over the two.
        single = result.get(name)
        if isinstance(single, str) and normalise(single) in FULL_NAMES:
            continue
        if isinstance(single, str):
            taken.discard(single)
        result[name] = (first, last)
        taken.update((first, last))
    return result


def missing_required(entity: str, mapping: Mapping[str, Any]) -> tuple[str, ...]:
    """Required fields with no column. A deal's status may come from an IsWon column instead."""
    missing = [f for f in ENTITIES[entity].required if not mapping.get(f)]
    if entity == "deals" and "status" in missing and mapping.get("is_won"):
        missing.remove("status")
    return tuple(missing)


# ---------------------------------------------------------------- guessing the kind

# How a kind of data fits a file's columns (its "fit"): 3 points per required field that
# has a column, 1 per optional field that has one, and 3 points off per required field
# that has none. Required fields are what make a kind recognisable, so they weigh more; a
# kind that lacks one is not a candidate, but what it would use still counts against the
# others (order lines without a date are more invoice than customer list).
REQUIRED_POINTS = 3
OPTIONAL_POINTS = 1
# The guess is clear when the runner-up's fit is under 3/4 of the best one's...
CLEAR_CONFIDENCE = 0.25
# ...and the best kind is not "thin": using only its required fields while at least this
# many of the file's columns, and more than it uses, fit none of its fields.
THIN_UNUSED = 3


@dataclass(frozen=True)
class KindFit:
    """How one kind of data would read a file: its mapping, fit, gaps and leftovers."""

    entity: str
    mapping: FieldMap
    score: int
    missing: tuple[str, ...]  # required fields with no column
    unused: tuple[str, ...]  # the file's columns this kind would not read

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def thin(self) -> bool:
        """Only the bare minimum mapped, while many of the file's columns fit nothing of it."""
        optional = [f for f in self.mapping if f not in ENTITIES[self.entity].required]
        used = len(_columns_used(self.mapping))
        return not optional and len(self.unused) >= THIN_UNUSED and len(self.unused) > used

    def summary(self) -> str:
        """ "customer = Customer Name, amount = Sales; no column for date" """
        used = ", ".join(f"{f} = {describe(c)}" for f, c in self.mapping.items()) or "nothing"
        gaps = f"; no column for {', '.join(self.missing)}" if self.missing else ""
        return f"{used}{gaps}"


@dataclass(frozen=True)
class Guess:
    """What a file most likely holds, how sure that is, and the kinds that came close.

    `confidence` is the best complete kind's lead over the runner-up (every other kind,
    complete or not): (fit(best) - max(fit(runner-up), 0)) / fit(best), from 0 (a tie) to
    1 (nothing else fits at all). A thin best kind (see KindFit.thin) has it scaled by the
    share of the file's columns it reads. `clear` is what lets an import go ahead without
    the owner saying which kind: confidence at least CLEAR_CONFIDENCE and not thin.
    """

    entity: str | None  # the best complete kind; None when no kind has all its columns
    confidence: float
    clear: bool
    reason: str
    fits: tuple[KindFit, ...]  # every kind, best fit first

    @property
    def candidates(self) -> tuple[KindFit, ...]:
        """The two closest kinds: the best complete one (if any) and the runner-up."""
        best = [f for f in self.fits if f.entity == self.entity]
        others = [f for f in self.fits if f.entity != self.entity]
        return tuple((best + others)[:2])

    def fit(self, entity: str) -> KindFit:
        return next(f for f in self.fits if f.entity == entity)


def _columns_used(mapping: Mapping[str, Column]) -> set[str]:
    return {c for v in mapping.values() for c in (v if isinstance(v, tuple) else (v,))}


def _score(entity: str, mapping: Mapping[str, Any]) -> int:
    ent = ENTITIES[entity]
    found = sum(
        REQUIRED_POINTS if f in ent.required else OPTIONAL_POINTS
        for f in mapping
        if f in ent.field_names
    )
    return found - REQUIRED_POINTS * len(missing_required(entity, mapping))


def kind_fit(
    entity: str, headers: Sequence[str], overrides: Mapping[str, Any] | None = None
) -> KindFit:
    """How `entity` would read these headers: the automatic mapping with `overrides` on top."""
    mapping: dict[str, Any] = dict(auto_map(entity, headers))
    for name, column in (overrides or {}).items():
        if column is None or column == "":
            mapping.pop(name, None)
        else:
            mapping[name] = column
    resolved = resolve_mapping(entity, mapping, headers)
    used = _columns_used(resolved)
    return KindFit(
        entity=entity,
        mapping=resolved,
        score=_score(entity, resolved),
        missing=missing_required(entity, resolved),
        unused=tuple(h for h in headers if h not in used),
    )


def guess(headers: Sequence[str], overrides: Mapping[str, Any] | None = None) -> Guess:
    """Which kind of data these columns hold, with a confidence (see Guess).

    Fields named in `overrides` (the --map of the CLI) narrow the kinds to those that have
    every one of them, and their columns count in each kind's fit: a mapping can settle a
    guess the column names leave open.
    """
    # Unmapping a field (field=) says nothing about the kind: only named columns count.
    named = {k: v for k, v in (overrides or {}).items() if v is not None and v != ""}

    def fields_of(entity: str) -> set[str]:
        return {f.name for f in mappable_fields(entity)}

    kinds = [e for e in ENTITY_NAMES if set(named) <= fields_of(e)] or list(ENTITY_NAMES)
    fits = sorted(
        (
            kind_fit(e, headers, {k: v for k, v in named.items() if k in fields_of(e)})
            for e in kinds
        ),
        key=lambda f: (-f.score, not f.complete, ENTITY_NAMES.index(f.entity)),
    )
    complete = [f for f in fits if f.complete]
    if not complete:
        return Guess(
            None,
            0.0,
            False,
            "no kind of data has a column for each of its required fields",
            tuple(fits),
        )
    best = complete[0]
    rival = next((f for f in fits if f is not best), None)
    rival_score = max(rival.score, 0) if rival is not None else 0
    margin = (best.score - rival_score) / best.score if best.score > 0 else 0.0
    margin = min(max(margin, 0.0), 1.0)
    confidence = margin
    if len(kinds) == 1:
        reason = f"the mapping names fields only {best.entity} have"
        return Guess(best.entity, 1.0, True, reason, tuple(fits))
    if best.thin:
        confidence = margin * (len(headers) - len(best.unused)) / max(len(headers), 1)
        reason = (
            f"{best.entity} would read only its required fields "
            f"({', '.join(best.mapping)}), and {len(best.unused)} of the file's "
            f"{len(headers)} columns fit none of its fields"
        )
    elif margin < CLEAR_CONFIDENCE and rival is not None:
        reason = (
            f"{best.entity} (fit {best.score}) and {rival.entity} (fit {rival.score}"
            f"{', lacking ' + ', '.join(rival.missing) if rival.missing else ''}) fit "
            "about as well"
        )
    else:
        reason = f"{best.entity} fits best (fit {best.score})" + (
            f"; the next closest, {rival.entity}, fits {rival.score}" if rival is not None else ""
        )
    clear = not best.thin and margin >= CLEAR_CONFIDENCE
    return Guess(best.entity, round(confidence, 2), clear, reason, tuple(fits))


def guess_entity(headers: Sequence[str]) -> str | None:
    """The kind of data these headers clearly hold; None when none fits or it is unclear."""
    found = guess(headers)
    return found.entity if found.clear else None


def _field_words(entity: str, fields: Sequence[str]) -> str:
    ent = ENTITIES[entity]
    return ", ".join(
        f"{f} ({ent.field(f).label})" if ent.field(f).label.lower() != f else f for f in fields
    )


def fit_words(fit: KindFit) -> str:
    """ "customer = Customer Name, amount = Quantity × UnitPrice" """
    return ", ".join(f"{k} = {v}" for k, v in mapping_words(fit.entity, fit.mapping).items())


def _columns_words(headers: Sequence[str]) -> str:
    shown = ", ".join(headers[:40])
    return shown + (f" … ({len(headers)} in all)" if len(headers) > 40 else "")


def candidates_json(found: Guess, n: int = 2) -> list[dict[str, Any]]:
    """The closest kinds as JSON-ready dicts (the CLI's --json, the error's `candidates`)."""
    return [
        {
            "kind": f.entity,
            "fit": f.score,
            "complete": f.complete,
            "missing": list(f.missing),
            "mapping": mapping_words(f.entity, f.mapping),
            "unused_columns": list(f.unused),
        }
        for f in found.candidates[:n]
    ]


def unknown_entity(
    headers: Sequence[str], file_name: str, found: Guess | None = None
) -> UnknownEntity:
    """An error that says what was found and what is missing for the nearest kind of data."""
    found = found or guess(headers)
    kinds = ", ".join(ENTITY_NAMES)
    hint = ""
    near = found.fits[0] if found.fits else None
    if near is not None and near.mapping:
        hint = (
            f" Closest is {near.entity}: found {fit_words(near)}, but no column for "
            f"{_field_words(near.entity, near.missing)}."
        )
    return UnknownEntity(
        f"{file_name}: cannot tell what this file holds from its columns "
        f"({_columns_words(headers)}).{hint} Say which kind of data it is ({kinds}) and map "
        f"the missing columns.{_name_list_hint(headers)}",
        file_name=file_name,
        candidates=candidates_json(found),
    )


def _name_list_hint(headers: Sequence[str]) -> str:
    """A pointer to a name list (a CRM's users) the columns fit: an id and a name at least.
    Name lists are never guessed (they are look-ups, not business records)."""
    for name, kind in NAME_LISTS.items():
        found = auto_map(name, headers)
        if not missing_required(name, found) and len(found) >= 2:
            label = kind.label[:1].lower() + kind.label[1:]
            return f" If it is a list of {label}, import it with --entity {name}."
    return ""


def unclear_entity(headers: Sequence[str], file_name: str, found: Guess) -> UnclearEntity:
    """The refusal of an unclear guess: the two closest kinds, what each would use, and the
    flags that settle it."""
    first, *rest = found.candidates
    second = rest[0] if rest else None

    def would(f: KindFit) -> str:
        lacks = f"; it has no column for {', '.join(f.missing)}" if f.missing else ""
        return f"{f.entity} (would use {fit_words(f) or 'nothing'}{lacks})"

    options = would(first) + (f" or {would(second)}" if second is not None else "")
    flags = " or ".join(f"--entity {f.entity}" for f in (first, second) if f is not None)
    gap = next((f for f in (first, second) if f is not None and f.missing), None)
    settle = f"Say which with {flags}"
    if gap is not None:
        settle += f", or map the missing column with --map {gap.missing[0]}=Column"
    return UnclearEntity(
        f"{file_name}: not clear what this file holds (confidence {found.confidence:.2f}: "
        f"{found.reason}). It could be {options}. {settle}; on the Data page, choose the kind."
        f"{_name_list_hint(headers)} Nothing was imported.",
        file_name=file_name,
        candidates=candidates_json(found),
    )


def check_entity(entity: str) -> None:
    if entity not in ENTITIES:
        raise UnknownEntity(
            f"Unknown kind of data {entity!r}; expected one of {', '.join(ENTITY_NAMES)}."
        )


def describe(column: Column, *, joined: bool = False) -> str:
    """A column, or the expression two columns make: "Quantity × UnitPrice", "First + Last"."""
    if isinstance(column, tuple):
        return f"{column[0]} + {column[1]}" if joined else f"{column[0]} × {column[1]}"
    return column


def mapping_words(entity: str, mapping: Mapping[str, Column]) -> dict[str, str]:
    """field -> the column or expression it comes from, in the entity's field order."""
    order = [f.name for f in mappable_fields(entity)]
    return {
        name: describe(mapping[name], joined=name in JOINED_FIELDS)
        for name in sorted(mapping, key=lambda n: order.index(n) if n in order else len(order))
    }


def parse_map_args(args: Sequence[str]) -> dict[str, Column | None]:
    """`field=Column` strings (the CLI's --map) as a mapping.

    `amount=Quantity*UnitPrice` maps a number to the product of two columns and
    `person=First name+Last name` a text to two columns joined by a space; `field=`
    (nothing after the =) leaves a field unmapped even when a column would be guessed for it.
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
        text = name in JOINED_FIELDS
        # A person's name joins with +, numbers multiply with *; the other sign is part of
        # a column's name.
        sign = "+" if text else "*"
        parts = [p.strip().strip("'\"").strip() for p in column.replace("×", "*").split(sign)]
        if len(parts) == 2 and all(parts):
            result[name] = (parts[0], parts[1])
        elif len(parts) > 2 or (len(parts) == 2 and not all(parts)):
            example = "A+B" if text else "A*B"
            what = "joining" if text else "a product"
            raise BadMapping(f"--map {arg!r}: {what} takes exactly two columns, e.g. {example}.")
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
            if fields[name].kind not in NUMERIC_KINDS and name not in JOINED_FIELDS:
                raise BadMapping(
                    f"{file_name}: only numbers can be the product of two columns (and only a "
                    f"person's name, {' or '.join(JOINED_FIELDS)}, the join of two), not {name}.",
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
    return next(m for m in list_mappings(con, workspace_id) if m.name == clean)


def list_mappings(con: Connection, workspace_id: int) -> list[SavedMapping]:
    """Every saved mapping of a workspace, the most recently saved first."""
    sql = (
        "SELECT name, entity, mapping, headers, saved_at FROM mappings "
        "WHERE workspace_id = $w ORDER BY saved_at DESC, name"
    )
    rows = con.cursor().execute(sql, {"w": workspace_id}).fetchall()
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
