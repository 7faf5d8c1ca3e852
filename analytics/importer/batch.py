"""Preview and import a Source as one all-or-nothing batch, skipping rows already stored."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analytics import store
from analytics.entities import ENTITIES, REFERENCES_CUSTOMER, SQL_TYPES
from analytics.errors import RowsRejected
from analytics.importer import attributes, checks, parse
from analytics.importer.mapping import (
    FieldMap,
    Guess,
    auto_map,
    check_entity,
    find_saved_mapping,
    guess,
    mapping_from_json,
    mapping_json,
    mapping_words,
    refuse_repeated,
    require_fields,
    resolve_mapping,
    unclear_entity,
    unknown_entity,
)
from analytics.importer.read import Source, drop_raw, load_raw, read_source
from analytics.importer.resolve import Resolution, resolve_ids
from analytics.store import Connection

Progress = Callable[[float, str], None]


@dataclass
class Reject:
    """A row that cannot be imported: row as a spreadsheet numbers it (header = row 1)."""

    row: int
    column: str
    value: str | None
    reason: str


@dataclass
class ImportResult:
    """What an import did. batch_id is None when nothing was written (rows rejected, or
    an empty file); already_imported marks a file whose exact content was imported
    before, with that batch's id."""

    batch_id: int | None
    entity: str
    file_name: str
    rows_read: int
    rows_imported: int
    rows_rejected: int
    duplicates_skipped: int
    already_imported: bool
    customers_created: int
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # How the kind was settled ("given", "saved" mapping, "guessed", or "mapped": the
    # --map fields only one kind has), the guess's confidence (None unless guessed), every
    # mapped field with its column or expression, and the file's columns left unread.
    kind_source: str = "given"
    confidence: float | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    unused_columns: list[str] = field(default_factory=list)
    # --skip-bad-rows: rows left out per reason (a row with two problems counts under each).
    dropped: dict[str, int] = field(default_factory=dict)
    # A customers file is stored one row per customer (attributes.py): how many customers it
    # holds, how many came from several rows, and how many of those had rows that disagree
    # (per attribute too). rows_imported then counts customers, not lines.
    customers_in_file: int | None = None
    customers_repeated: int = 0
    customers_with_conflicts: int = 0
    attribute_conflicts: dict[str, int] = field(default_factory=dict)
    # Id columns resolved to names (resolve.py), and rows flagged per sanity check (checks.py).
    resolutions: list[Resolution] = field(default_factory=list)
    checks: dict[str, int] = field(default_factory=dict)
    # The same file imported before: with which mapping (when it differs from this one), and
    # the batch a --replace import undid.
    earlier_mapping: dict[str, str] | None = None
    replaced_batch: int | None = None

    def summary(self) -> str:
        """One line: what was read and what was stored."""
        if self.already_imported:
            return self.warnings[0] if self.warnings else f"{self.file_name}: nothing added."
        if self.customers_in_file is not None:
            stored = (
                f"imported or updated {self.rows_imported:,} of its {self.customers_in_file:,} "
                f"customers (batch {self.batch_id}); {self.duplicates_skipped:,} already there "
                "as they are"
            )
        else:
            stored = (
                f"imported {self.rows_imported:,} as {self.entity} (batch {self.batch_id}); "
                f"{self.duplicates_skipped:,} already there"
            )
        text = (
            f"Read {self.rows_read:,} rows from {self.file_name}: {stored}, "
            f"{self.rows_rejected:,} rejected, {self.customers_created:,} new customers."
        )
        if self.replaced_batch is not None:
            text += f" Replaced batch {self.replaced_batch}."
        return text

    def notes(self) -> list[str]:
        """The lines that follow the summary: customers whose rows disagree, ids resolved,
        rows that failed a data check."""
        lines = []
        if self.customers_repeated:
            per = ", ".join(f"{a} {n:,}" for a, n in self.attribute_conflicts.items())
            lines.append(
                f"{self.customers_repeated:,} customers appear on several rows; "
                f"{self.customers_with_conflicts:,} of them have rows that disagree"
                + (f" ({per})" if per else "")
                + ": each takes the value of its latest dated row (without dates: its most "
                "frequent value, then the first alphabetically)."
            )
        lines += [r.sentence() for r in self.resolutions]
        if self.checks:
            flagged = "; ".join(
                f"{n:,} {checks.check(self.entity, c).label}" for c, n in self.checks.items()
            )
            lines.append(
                f"Data checks: {flagged}. The rows are kept and listed on Home; the figures "
                "they would distort leave them out."
            )
        return lines

    def kind_line(self) -> str:
        """The kind, how it was settled, and every field's column: the import's guesses,
        shown."""
        how = {
            "guessed": f"guessed, confidence {self.confidence:.2f}"
            if self.confidence is not None
            else "guessed",
            "given": "given",
            "saved": "from a saved mapping",
            "mapped": "settled by --map",
        }.get(self.kind_source, self.kind_source)
        columns = "; ".join(f"{f} = {c}" for f, c in self.mapping.items()) or "none"
        unused = ", ".join(self.unused_columns) or "none"
        return f"Kind: {self.entity} ({how}). Columns: {columns}. Not used: {unused}."

    def to_json(self, max_rejects: int = 100) -> dict[str, Any]:
        """A JSON-ready summary; rejects are listed up to max_rejects (all are counted)."""
        return {
            "ok": True,
            "exit": 0,
            "kind": self.entity,
            "kind_source": self.kind_source,
            "guessed": self.kind_source == "guessed",
            "confidence": self.confidence,
            "mapping": dict(self.mapping),
            "unused_columns": list(self.unused_columns),
            "dropped_by_reason": dict(self.dropped),
            "batch_id": self.batch_id,
            "entity": self.entity,
            "file_name": self.file_name,
            "rows_read": self.rows_read,
            "rows_imported": self.rows_imported,
            "rows_rejected": self.rows_rejected,
            "duplicates_skipped": self.duplicates_skipped,
            "already_imported": self.already_imported,
            "customers_created": self.customers_created,
            "rejects": [
                {"row": r.row, "column": r.column, "value": r.value, "reason": r.reason}
                for r in self.rejects[:max_rejects]
            ],
            "warnings": list(self.warnings),
            "customers_in_file": self.customers_in_file,
            "customers_repeated": self.customers_repeated,
            "customers_with_conflicts": self.customers_with_conflicts,
            "attribute_conflicts": dict(self.attribute_conflicts),
            "resolutions": [r.to_json() for r in self.resolutions],
            "checks": dict(self.checks),
            "earlier_mapping": self.earlier_mapping,
            "replaced_batch": self.replaced_batch,
        }


@dataclass
class Preview:
    """A whole file parsed as an import would parse it, with nothing written."""

    entity: str
    mapping: FieldMap
    rows: pd.DataFrame  # the first n rows parsed: "row" then each mapped field
    rejects: list[Reject]  # every reject in the file
    rows_read: int
    warnings: list[str]
    stage_counts: pd.DataFrame | None  # deals: stage, status, n


def _rejects(rows: list[tuple[int, str, str | None, str]]) -> list[Reject]:
    return [Reject(int(r[0]), r[1], r[2], r[3]) for r in rows]


def _quiet(fraction: float, label: str) -> None:
    return None


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


def preview(
    con: Connection,
    source: Source,
    entity: str,
    mapping: Mapping[str, Any],
    *,
    date_order: str = "mdy",
    n: int = 20,
) -> Preview:
    """Parse the whole file as an import would, write nothing, and show the first n rows."""
    check_entity(entity)
    resolved = resolve_mapping(entity, mapping, source.headers, source.file_name)
    require_fields(entity, resolved, source.headers, source.file_name)
    refuse_repeated(entity, resolved, source.headers, source.repeats, source.file_name)
    cur = con.cursor()
    try:
        load_raw(cur, source)
        parsed = parse.parse(cur, source, entity, resolved, date_order)
        rows = parse.preview_rows(cur, entity, resolved, n)
        stages = parse.stage_counts(cur) if entity == "deals" else None
    finally:
        cur.close()  # its temporary tables go with it
    return Preview(
        entity=entity,
        mapping=resolved,
        rows=rows,
        rejects=_rejects(parsed.rejects),
        rows_read=parsed.rows_read,
        warnings=parsed.warnings,
        stage_counts=stages,
    )


def _insert_sql(
    entity: str, present: set[str], *, skip_stored: bool, repeats: bool, rejects: bool
) -> str:
    """New rows of PARSED_TABLE into the entity table, with their occurrence number.

    A row's fingerprint (row_fp, made while parsing) is the md5 of its canonical values;
    the nth identical row of a file is occurrence n. A (fingerprint, occurrence) already
    stored in the workspace is a row an earlier, overlapping export brought: it is
    skipped, so re-importing a longer export adds only the new rows while genuinely
    repeated lines still count. Fields the file did not map are NULL.

    The flags spare work that is not needed: `skip_stored` is False when the workspace
    holds no rows of this entity yet, `repeats` False when no row repeats in the file
    (every occurrence is 1), `rejects` False when no row was rejected.
    """
    fields = list(ENTITIES[entity].field_names)
    if entity == "deals":
        fields.append("stage")
    cols = ", ".join(fields)
    types = {f.name: SQL_TYPES[f.kind] for f in ENTITIES[entity].fields} | {"stage": "VARCHAR"}
    values = ", ".join(f if f in present else f"CAST(NULL AS {types[f]}) AS {f}" for f in fields)
    good = f"SELECT src_row, {values}, row_fp FROM {parse.PARSED_TABLE} p" + (
        f" WHERE NOT EXISTS (SELECT 1 FROM {parse.REJECTS_TABLE} r WHERE r.src_row = p.src_row)"
        if rejects
        else ""
    )
    if repeats:
        # Numbering a million rows with a window over a million one-row partitions is
        # slow; only fingerprints seen more than once need it.
        numbered = f"""WITH good AS ({good}),
repeated AS (SELECT row_fp FROM good GROUP BY row_fp HAVING count(*) > 1),
numbered AS (
  SELECT src_row, row_number() OVER (PARTITION BY row_fp ORDER BY src_row) AS occurrence
  FROM good WHERE row_fp IN (SELECT row_fp FROM repeated)
)
SELECT good.*, coalesce(numbered.occurrence, 1) AS occurrence
FROM good LEFT JOIN numbered ON numbered.src_row = good.src_row"""
    else:
        numbered = f"SELECT *, 1 AS occurrence FROM ({good})"
    stored = (
        f"""WHERE NOT EXISTS (
  SELECT 1 FROM {entity} e
  WHERE e.workspace_id = $w AND e.row_fp = n.row_fp AND e.occurrence = n.occurrence
)"""
        if skip_stored
        else ""
    )
    return f"""
INSERT INTO {entity} (workspace_id, batch_id, source_row, {cols}, row_fp, occurrence)
SELECT $w, $b, src_row, {cols}, row_fp, occurrence FROM ({numbered}) n
{stored}
"""  # noqa: S608 - entity and field names come from entities.py


def _parsed_columns(cur: Connection) -> set[str]:
    desc = cur.execute(f"SELECT * FROM {parse.PARSED_TABLE} LIMIT 0").description  # noqa: S608
    return {d[0] for d in desc}


def _rejected_message(source: Source, parsed: parse.Parsed, rejects: list[Reject]) -> str:
    first = rejects[0]
    shown = f"{first.value!r}" if first.value is not None else "blank"
    rows = "1 row" if parsed.rows_rejected == 1 else f"{parsed.rows_rejected:,} rows"
    return (
        f"{source.file_name}: {rows} of {parsed.rows_read:,} cannot be read, so nothing was "
        f"imported (first: row {first.row}, {first.column} {shown}: {first.reason}). Fix the "
        "file or the mapping, or choose to skip the bad rows."
    )


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


def import_source(
    con: Connection,
    workspace_id: int,
    source: Source,
    *,
    entity: str | None = None,
    mapping: Mapping[str, Any] | None = None,
    skip_bad_rows: bool = False,
    date_order: str | None = None,
    progress: Progress | None = None,
    replace: bool = False,
) -> ImportResult:
    """Import a file as one batch: every good row, or (by default) nothing if any row is bad.

    The same content imported before as the same entity adds nothing (and says so, with the
    earlier mapping when this one differs); with `replace`, the earlier batch is undone and
    the file imported again in the same transaction, so a failing import leaves it in place.
    """
    report = progress or _quiet
    report(0.0, "Checking the file")
    chosen = choose(con, workspace_id, source, entity, mapping)
    entity, resolved = chosen.entity, chosen.mapping
    said = chosen.describe(source.headers)
    # The same content imported before as the same entity (and sheet) adds nothing. When the
    # file's hash is still being computed (a large file), the check waits until DuckDB has
    # read the rows.
    if source.sha256_ready:
        earlier = store.find_imported(
            con, workspace_id, source.sha256, entity=entity, sheet=source.sheet
        )
        if earlier is not None and not replace:
            report(1.0, "Already imported")
            return _already(source, earlier, said, mapping_change(con, entity, earlier, resolved))
    if date_order is None:
        from analytics.settings import get_settings

        date_order = str(get_settings(con, workspace_id).get("date_order", "mdy"))

    with store.transaction(con) as tx:
        report(0.05, "Reading the file")
        load_raw(tx, source)
        earlier = store.find_imported(
            con, workspace_id, source.sha256, entity=entity, sheet=source.sheet
        )
        if earlier is not None and not replace:
            drop_raw(tx)
            report(1.0, "Already imported")
            return _already(source, earlier, said, mapping_change(tx, entity, earlier, resolved))
        if earlier is not None:
            report(0.2, f"Undoing batch {earlier.id}")
            store.undo_batch_in(tx, workspace_id, earlier)
        report(0.3, "Reading the values")
        parsed = parse.parse(tx, source, entity, resolved, date_order)
        drop_raw(tx)
        rejects = _rejects(parsed.rejects)
        result = ImportResult(
            batch_id=None,
            entity=entity,
            file_name=source.file_name,
            rows_read=parsed.rows_read,
            rows_imported=0,
            rows_rejected=parsed.rows_rejected,
            duplicates_skipped=0,
            already_imported=False,
            customers_created=0,
            rejects=rejects,
            warnings=list(parsed.warnings),
            dropped=dict(parsed.dropped),
            **said,
        )
        if rejects and not skip_bad_rows:
            raise RowsRejected(
                _rejected_message(source, parsed, rejects),
                file_name=source.file_name,
                result=result,
            )
        if parsed.rows_read == 0:
            result.warnings.append(f"{source.file_name} has no rows: nothing to import.")
            parse.drop_work_tables(tx)
            report(1.0, "Nothing to import")
            return result
        candidates = parsed.rows_read - parsed.rows_rejected
        if entity == "customers":
            report(0.5, "One row per customer")
            collapsed = attributes.collapse_customers(tx, rejects=bool(rejects))
            candidates = collapsed.customers
            result.customers_in_file = collapsed.customers
            result.customers_repeated = collapsed.repeated
            result.customers_with_conflicts = collapsed.with_conflicts
            result.attribute_conflicts = collapsed.conflicts
        else:
            report(0.5, "Resolving ids")
            result.resolutions = resolve_ids(tx, workspace_id, entity)

        report(0.6, "Checking for rows already imported")
        batch_id = store.record_batch(
            tx,
            workspace_id,
            entity=entity,
            file_name=source.file_name,
            sha256=source.sha256,
            rows_read=parsed.rows_read,
            rows_imported=0,
            rows_rejected=parsed.rows_rejected,
            duplicates_skipped=0,
            mapping=mapping_json(resolved),
            sheet=source.sheet,
        )
        report(0.7, "Saving the rows")
        has_rows = tx.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {entity} WHERE workspace_id = $w LIMIT 1)",  # noqa: S608
            {"w": workspace_id},
        ).fetchall()[0][0]
        # One pass tells whether any fingerprint repeats (rare): if none, every row is
        # its fingerprint's first occurrence and the numbering is skipped.
        distinct = tx.execute(
            f"SELECT count(DISTINCT row_fp) FROM {parse.PARSED_TABLE}"  # noqa: S608
        ).fetchall()[0][0]
        in_table = candidates + (parsed.rows_rejected if entity != "customers" else 0)
        insert = _insert_sql(
            entity,
            _parsed_columns(tx),
            skip_stored=bool(has_rows),
            repeats=distinct < in_table,
            rejects=bool(rejects) and entity != "customers",  # collapsing left them out
        )
        inserted = int(tx.execute(insert, {"w": workspace_id, "b": batch_id}).fetchall()[0][0])
        duplicates = candidates - inserted
        tx.execute(
            "UPDATE batches SET rows_imported = $i, duplicates_skipped = $d WHERE id = $b",
            {"i": inserted, "d": duplicates, "b": batch_id},
        )
        if rejects:
            tx.execute(
                "INSERT INTO rejects (batch_id, row_number, column_name, value, reason) "
                f"SELECT $b, src_row, column_name, value, reason FROM {parse.REJECTS_TABLE}",  # noqa: S608
                {"b": batch_id},
            )
            result.warnings.append(
                f"{parsed.rows_rejected:,} rows could not be read and were skipped; they are "
                "kept with the import for download. Per reason: "
                + "; ".join(f"{n:,} × {reason}" for reason, n in list(parsed.dropped.items())[:5])
                + (
                    f"; and {len(parsed.dropped) - 5:,} other reasons"
                    if len(parsed.dropped) > 5
                    else ""
                )
                + "."
            )
            biased = parse.dropped_note(parsed)
            if biased is not None:
                result.warnings.append(biased)
        parse.drop_work_tables(tx)
        result.checks = checks.run_checks(tx, workspace_id, entity, batch_id)
        report(0.9, "Adding new customers")
        created = 0
        if entity in REFERENCES_CUSTOMER:
            created = store.reconcile_customers(tx, workspace_id)
            store.set_customers_created(tx, batch_id, created)
        store.refresh_facts(tx, workspace_id, (entity,))
        result.batch_id = batch_id
        result.rows_imported = inserted
        result.duplicates_skipped = duplicates
        result.customers_created = created
        result.replaced_batch = earlier.id if earlier is not None else None
    report(1.0, "Done")
    return result


def import_file(
    con: Connection,
    workspace_id: int,
    path: str | Path,
    *,
    sheet: str | None = None,
    **kwargs: Any,
) -> ImportResult:
    """Read a file from disk and import it (see import_source for the options)."""
    source = read_source(Path(path), sheet=sheet)
    return import_source(con, workspace_id, source, **kwargs)
