"""Preview and import a Source as one all-or-nothing batch, skipping rows already stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from analytics import store
from analytics.entities import REFERENCES_CUSTOMER
from analytics.errors import RowsRejected
from analytics.importer import attributes, checks, parse
from analytics.importer.choice import Choice as Choice
from analytics.importer.choice import _already, choose
from analytics.importer.choice import choose_mapping as choose_mapping
from analytics.importer.choice import mapping_change as mapping_change
from analytics.importer.insert import (
    _insert_sql,
    _parsed_columns,
    _rejected_message,
    forecast,
    update_later_fields,
)
from analytics.importer.mapping import (
    check_entity,
    mapping_json,
    refuse_repeated,
    require_fields,
    resolve_mapping,
)
from analytics.importer.read import SerialRead, Source, drop_raw, load_raw, read_source
from analytics.importer.resolve import resolve_ids
from analytics.importer.result import DryRun as DryRun
from analytics.importer.result import Forecast as Forecast
from analytics.importer.result import ImportResult as ImportResult
from analytics.importer.result import Preview as Preview
from analytics.importer.result import Reject as Reject
from analytics.importer.result import _rejects
from analytics.store import Connection

Progress = Callable[[float, str], None]


def _quiet(fraction: float, label: str) -> None:
    return None


# DuckDB's memory for one import (issue 12: 10M lines under 1.5 GB). By default DuckDB keeps
# every block it wrote or read in memory up to 80% of the machine's; with a budget it writes
# the oldest out (to the store file, or `<store>.tmp` for the import's work tables) and reads
# them back when needed: the same rows, the memory flat in the number of lines.
IMPORT_MEMORY_BYTES = 1_000_000_000


@contextmanager
def memory_budget(con: Connection) -> Iterator[None]:
    """Hold DuckDB to IMPORT_MEMORY_BYTES while an import runs (never raising a lower limit),
    and give back the limit it had."""
    before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    lowered = _bytes(str(before)) > IMPORT_MEMORY_BYTES
    if lowered:
        con.execute(f"SET memory_limit = '{IMPORT_MEMORY_BYTES}B'")
    try:
        yield
    finally:
        if lowered:
            # The default comes back exactly with RESET; a limit someone set comes back as
            # DuckDB shows it ("18.7 GiB", rounded to a tenth).
            con.execute("RESET memory_limit")
            now = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
            if now != before:
                con.execute("SET memory_limit = $m", {"m": str(before)})


_UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}


def _bytes(setting: str) -> float:
    """Bytes of a memory setting as DuckDB shows it ("18.7 GiB", "953.6 MiB")."""
    number, _, unit = setting.strip().partition(" ")
    try:
        return float(number) * _UNITS.get(unit, 1)
    except ValueError:
        return float("inf")


def preview(
    con: Connection,
    source: Source,
    entity: str,
    mapping: Mapping[str, Any],
    *,
    date_order: str = "mdy",
    n: int = 20,
    workspace_id: int | None = None,
) -> Preview:
    """Parse the whole file as an import would, write nothing, and show the first n rows;
    with `workspace_id`, also what importing it there would do (`Forecast`: rows new,
    already stored, and updated), when the workspace already holds rows of the kind."""
    check_entity(entity)
    resolved = resolve_mapping(entity, mapping, source.headers, source.file_name)
    require_fields(entity, resolved, source.headers, source.file_name)
    refuse_repeated(entity, resolved, source.headers, source.repeats, source.file_name)
    cur = con.cursor()
    with memory_budget(con):
        try:
            try:
                load_raw(cur, source)
            except SerialRead:  # outside a transaction: simply read it again
                load_raw(cur, source)
            parsed = parse.parse(cur, source, entity, resolved, date_order)
            rows = parse.preview_rows(cur, entity, resolved, n)
            stages = parse.stage_counts(cur) if entity == "deals" else None
            ahead = (
                _forecast(cur, workspace_id, entity, parsed)
                if workspace_id is not None and entity != "customers"
                else None
            )
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
        forecast=ahead,
    )


def dry_run(
    con: Connection,
    workspace_id: int | None,
    source: Source,
    *,
    entity: str | None = None,
    mapping: Mapping[str, Any] | None = None,
    date_order: str | None = None,
) -> DryRun:
    """What `import_source` would do with the same file and options, writing nothing: the
    kind and mapping it would choose, every row that cannot be read, the batch that imported
    this exact content before (the import would then add nothing), and the `Forecast` for
    the workspace (None without one: a workspace the import would create)."""
    ws = workspace_id if workspace_id is not None else -1  # no workspace: nothing saved, none
    chosen = choose(con, ws, source, entity, mapping)
    if date_order is None:
        from analytics.settings import get_settings

        date_order = str(get_settings(con, ws).get("date_order", "mdy"))
    found = preview(
        con,
        source,
        chosen.entity,
        chosen.mapping,
        date_order=date_order,
        n=0,
        workspace_id=workspace_id,
    )
    earlier = (
        store.find_imported(
            con, workspace_id, source.sha256, entity=chosen.entity, sheet=source.sheet
        )
        if workspace_id is not None
        else None
    )
    return DryRun(
        file_name=source.file_name,
        preview=found,
        earlier_batch=earlier.id if earlier is not None else None,
        said=chosen.describe(source.headers),
    )


def _forecast(
    cur: Connection, workspace_id: int, entity: str, parsed: parse.Parsed
) -> Forecast | None:
    """`insert.forecast` of the parsed rows, ids resolved as the import resolves them (the
    fingerprints follow); None while the workspace holds no rows of the kind (all are new)."""
    if not _has_rows(cur, workspace_id, entity):
        return None
    resolve_ids(cur, workspace_id, entity)
    counts = forecast(
        cur,
        workspace_id,
        entity,
        repeats=_repeats(cur, parsed.rows_read),
        rejects=bool(parsed.rows_rejected),
    )
    updated = {k: v for k, v in counts.items() if k not in ("new", "stored")}
    return Forecast(counts["new"], counts["stored"], updated if updated["rows"] else {})


def _has_rows(cur: Connection, workspace_id: int, entity: str) -> bool:
    """Whether the workspace holds any row of `entity` (one row looked at)."""
    return bool(
        cur.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {entity} WHERE workspace_id = $w LIMIT 1)",  # noqa: S608
            {"w": workspace_id},
        ).fetchall()[0][0]
    )


def _repeats(cur: Connection, in_table: int) -> bool:
    """Whether any fingerprint repeats among PARSED_TABLE's `in_table` rows (rare): if none,
    every row is its fingerprint's first occurrence and the numbering is skipped.

    The fingerprints' 64-bit hashes are counted first (a third quicker than the 128-bit
    fingerprints, 1M rows): all distinct means no fingerprint repeats. Fewer means a repeat,
    or two hashes alike, so only then are the fingerprints themselves counted."""
    for counted in ("hash(row_fp)", "row_fp"):
        distinct = cur.execute(
            f"SELECT count(DISTINCT {counted}) FROM {parse.PARSED_TABLE}"  # noqa: S608
        ).fetchall()[0][0]
        if distinct >= in_table:
            return False
    return True


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

    run = (con, workspace_id, source, chosen, date_order, skip_bad_rows, replace, report)
    try:
        return _import_once(*run)
    except SerialRead:  # a CSV not counted first holds quoted line breaks: read it serially
        return _import_once(*run)


def _import_once(
    con: Connection,
    workspace_id: int,
    source: Source,
    chosen: Choice,
    date_order: str,
    skip_bad_rows: bool,
    replace: bool,
    report: Progress,
) -> ImportResult:
    """import_source's one transaction: read, parse, check and store the rows."""
    entity, resolved = chosen.entity, chosen.mapping
    said = chosen.describe(source.headers)
    with memory_budget(con), store.transaction(con) as tx:
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
        has_rows = _has_rows(tx, workspace_id, entity)
        in_table = candidates + (parsed.rows_rejected if entity != "customers" else 0)
        present = _parsed_columns(tx)
        repeats = _repeats(tx, in_table)
        skip_rejects = bool(rejects) and entity != "customers"  # collapsing left them out
        if has_rows:
            # rows already stored that come back with a later field filled in (paid, resolved)
            result.updated = update_later_fields(
                tx, workspace_id, batch_id, entity, present, repeats=repeats, rejects=skip_rejects
            )
        insert = _insert_sql(
            entity, present, skip_stored=bool(has_rows), repeats=repeats, rejects=skip_rejects
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
    # The import never shows the row count: a CSV's is not made (a whole pass over it).
    source = read_source(Path(path), sheet=sheet, count=False)
    return import_source(con, workspace_id, source, **kwargs)
