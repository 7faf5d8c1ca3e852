"""Which kind and mapping an import uses, and what to say when the same file was imported
before."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analytics import store
from analytics.importer.mapping import (
    FieldMap,
    Guess,
    auto_map,
    check_entity,
    find_saved_mapping,
    guess,
    mapping_from_json,
    mapping_words,
    refuse_repeated,
    require_fields,
    resolve_mapping,
    unclear_entity,
    unknown_entity,
)
from analytics.importer.read import Source
from analytics.importer.result import ImportResult
from analytics.store import Connection


@dataclass(frozen=True)
class Choice:
    """The kind and mapping an import will use, and how the kind was settled."""

    entity: str
    mapping: FieldMap
    kind_source: str  # given | saved | guessed | mapped
    guess: Guess | None = None

    @property
    def confidence(self) -> float | None:
        return self.guess.confidence if self.guess is not None else None

    def describe(self, headers: list[str]) -> dict[str, Any]:
        """The ImportResult fields that say what was chosen."""
        used = {c for v in self.mapping.values() for c in (v if isinstance(v, tuple) else (v,))}
        return {
            "kind_source": self.kind_source,
            "confidence": self.confidence,
            "mapping": mapping_words(self.entity, self.mapping),
            "unused_columns": [h for h in headers if h not in used],
        }


def choose(
    con: Connection,
    workspace_id: int,
    source: Source,
    entity: str | None,
    overrides: Mapping[str, Any] | None,
) -> Choice:
    """The entity and the checked mapping an import will use.

    The entity is the one given, else that of a saved mapping for these headers, else
    the guess, which must be clear (mapping.Guess): an unclear one raises UnclearEntity
    naming the two closest kinds, a file no kind fits UnknownEntity. The mapping is the
    saved one (same headers, same entity) or the automatic one, with `overrides` on top
    (a None override unmaps a field).
    """
    saved = find_saved_mapping(con, workspace_id, source.headers, entity)
    how, found = "given", None
    if entity is None and saved is not None:
        entity, how = saved.entity, "saved"
    elif entity is None:
        found = guess(source.headers, overrides)
        if found.entity is None:
            raise unknown_entity(source.headers, source.file_name, found)
        if not found.clear:
            raise unclear_entity(source.headers, source.file_name, found)
        entity = found.entity
        how = "mapped" if len(found.fits) == 1 else "guessed"
    check_entity(entity)
    base: dict[str, Any] = dict(
        saved.mapping
        if saved is not None and saved.entity == entity
        else auto_map(entity, source.headers)
    )
    for name, column in (overrides or {}).items():
        if column is None or column == "":
            base.pop(name, None)
        else:
            base[name] = column
    mapping = resolve_mapping(entity, base, source.headers, source.file_name)
    require_fields(entity, mapping, source.headers, source.file_name)
    refuse_repeated(entity, mapping, source.headers, source.repeats, source.file_name)
    return Choice(entity, mapping, how, found)


def choose_mapping(
    con: Connection,
    workspace_id: int,
    source: Source,
    entity: str | None,
    overrides: Mapping[str, Any] | None,
) -> tuple[str, FieldMap]:
    """The entity and the checked mapping an import will use (see `choose`)."""
    chosen = choose(con, workspace_id, source, entity, overrides)
    return chosen.entity, chosen.mapping


def mapping_change(
    con: Connection, entity: str, earlier: store.Batch, mapping: FieldMap
) -> tuple[dict[str, str], str] | None:
    """The earlier batch's mapping and the fields this one maps differently; None if same."""
    rows = (
        con.cursor()
        .execute("SELECT mapping FROM batches WHERE id = $b", {"b": earlier.id})
        .fetchall()
    )
    before_json = rows[0][0] if rows else None
    if before_json is None or mapping_from_json(before_json) == dict(mapping):
        return None
    before = mapping_words(entity, mapping_from_json(before_json))
    now = mapping_words(entity, mapping)
    changed = [
        f"{f} = {before.get(f, '(not mapped)')} → {now.get(f, '(not mapped)')}"
        for f in sorted(set(before) | set(now), key=str)
        if before.get(f) != now.get(f)
    ]
    return before, "; ".join(changed)


def _already(
    source: Source,
    earlier: store.Batch,
    said: dict[str, Any],
    change: tuple[dict[str, str], str] | None = None,
) -> ImportResult:
    if change is None:
        message = (
            f"{source.file_name} was already imported as batch {earlier.id} "
            f"({earlier.created_at:%Y-%m-%d %H:%M}); nothing was added."
        )
    else:
        message = (
            f"{source.file_name} was imported before as batch {earlier.id} "
            f"({earlier.created_at:%Y-%m-%d %H:%M}) with another mapping ({change[1]}); "
            f"nothing was added. To import it again with the new mapping, replace batch "
            f"{earlier.id} (--replace, or “Replace batch {earlier.id}” on the Data page): it "
            "is undone and the file imported again, all or nothing."
        )
    return ImportResult(
        **said,
        earlier_mapping=change[0] if change is not None else None,
        batch_id=earlier.id,
        entity=earlier.entity,
        file_name=source.file_name,
        rows_read=earlier.rows_read,
        rows_imported=0,
        rows_rejected=0,
        duplicates_skipped=0,
        already_imported=True,
        customers_created=0,
        warnings=[message],
    )
