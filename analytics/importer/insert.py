"""Storing the parsed rows: the INSERT with occurrence numbers and the skip of rows already
stored, and the message when rows are rejected."""

from __future__ import annotations

from analytics.entities import stored_columns
from analytics.importer import parse
from analytics.importer.fingerprint import LATER_FIELDS
from analytics.importer.read import Source
from analytics.importer.result import Reject
from analytics.store import Connection


def _numbered_sql(entity: str, present: set[str], *, repeats: bool, rejects: bool) -> str:
    """The good rows of PARSED_TABLE (not rejected), every entity field (those the file did
    not map as NULL), row_fp and occurrence: the nth identical row of the file is occurrence
    n. `repeats` False when no row repeats in the file (every occurrence is 1), `rejects`
    False when no row was rejected."""
    types = stored_columns(entity)
    values = ", ".join(f if f in present else f"CAST(NULL AS {t}) AS {f}" for f, t in types.items())
    good = f"SELECT src_row, {values}, row_fp FROM {parse.PARSED_TABLE} p" + (
        f" WHERE NOT EXISTS (SELECT 1 FROM {parse.REJECTS_TABLE} r WHERE r.src_row = p.src_row)"
        if rejects
        else ""
    )
    if repeats:
        # Numbering a million rows with a window over a million one-row partitions is
        # slow; only fingerprints seen more than once need it.
        return f"""WITH good AS ({good}),
repeated AS (SELECT row_fp FROM good GROUP BY row_fp HAVING count(*) > 1),
numbered AS (
  SELECT src_row, row_number() OVER (PARTITION BY row_fp ORDER BY src_row) AS occurrence
  FROM good WHERE row_fp IN (SELECT row_fp FROM repeated)
)
SELECT good.*, coalesce(numbered.occurrence, 1) AS occurrence
FROM good LEFT JOIN numbered ON numbered.src_row = good.src_row"""
    return f"SELECT *, 1 AS occurrence FROM ({good})"  # noqa: S608 - names from entities.py


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
    cols = ", ".join(stored_columns(entity))
    numbered = _numbered_sql(entity, present, repeats=repeats, rejects=rejects)
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


UPDATES_TABLE = "od_import_updates"


def update_later_fields(
    tx: Connection,
    workspace_id: int,
    batch_id: int,
    entity: str,
    present: set[str],
    *,
    repeats: bool,
    rejects: bool,
) -> dict[str, int]:
    """Rows of the file already stored (the same fingerprint and occurrence) whose later
    fields (fingerprint.LATER_FIELDS: an invoice's due and paid days, a ticket's resolved day
    and hours) the file fills in or changes: the stored row takes the file's value, and the
    value it had is kept in row_updates under this batch (undo_batch puts it back). A blank
    in the file is no news: it never clears a stored value. Returns how many rows changed
    per field, and under "rows" how many rows changed at all. Run before the new rows are
    inserted, so the file's own rows are never compared with themselves."""
    later = [f for f in LATER_FIELDS.get(entity, ()) if f in present]
    if not later:
        return {}
    numbered = _numbered_sql(entity, present, repeats=repeats, rejects=rejects)
    # one join of the file's rows with the stored ones, keeping only the rows that change
    changed = _changes(later)
    columns = ", ".join(
        f"CAST(e.{f} AS VARCHAR) AS old_{f}, CAST(n.{f} AS VARCHAR) AS new_{f}, "
        f"{changed[f]} AS changed_{f}"
        for f in later
    )
    tx.execute(
        f"CREATE OR REPLACE TEMP TABLE {UPDATES_TABLE} AS SELECT e.row_fp, e.occurrence, "
        f"{columns} FROM ({numbered}) n JOIN {entity} e ON e.workspace_id = $w "
        "AND e.row_fp = n.row_fp AND e.occurrence = n.occurrence "
        f"WHERE {' OR '.join(changed.values())}",
        {"w": workspace_id},
    )
    try:
        sums = ", ".join(f"count(*) FILTER (WHERE changed_{f})" for f in later)
        [row] = tx.execute(f"SELECT count(*), {sums} FROM {UPDATES_TABLE}").fetchall()
        rows, counts = int(row[0]), dict(zip(later, (int(n) for n in row[1:]), strict=True))
        if not rows:
            return {}
        types = stored_columns(entity)
        for f in later:
            tx.execute(
                f"UPDATE {entity} AS e SET {f} = CAST(u.new_{f} AS {types[f]}) "
                f"FROM (SELECT DISTINCT row_fp, occurrence, new_{f} FROM {UPDATES_TABLE} "
                f"WHERE changed_{f}) AS u WHERE e.workspace_id = $w "
                "AND e.row_fp = u.row_fp AND e.occurrence = u.occurrence",
                {"w": workspace_id},
            )
            tx.execute(
                "INSERT INTO row_updates (workspace_id, batch_id, entity, row_fp, occurrence, "
                "field, old_value, new_value) SELECT $w, $b, $e, row_fp, occurrence, $f, "
                f"old_{f}, new_{f} FROM {UPDATES_TABLE} WHERE changed_{f}",
                {"w": workspace_id, "b": batch_id, "e": entity, "f": f},
            )
    finally:
        tx.execute(f"DROP TABLE IF EXISTS {UPDATES_TABLE}")
    return {**counts, "rows": rows}


def _changes(later: list[str]) -> dict[str, str]:
    """Per later field, the condition on a file row `n` joined to its stored row `e` under
    which the import updates the stored value: the file fills it in or changes it (a blank
    in the file never clears one)."""
    return {f: f"(n.{f} IS NOT NULL AND e.{f} IS DISTINCT FROM n.{f})" for f in later}


def forecast(
    cur: Connection, workspace_id: int, entity: str, *, repeats: bool, rejects: bool
) -> dict[str, int]:
    """What importing PARSED_TABLE's good rows would do to the workspace now, written
    nowhere: "new" rows (not stored yet), "stored" ones (skipped: an earlier, overlapping
    export brought them), and of those the rows the import would update
    (`update_later_fields`: "rows", and per later field). The same numbering and join as the
    import itself, in one pass."""
    present = _parsed_columns(cur)
    numbered = _numbered_sql(entity, present, repeats=repeats, rejects=rejects)
    later = [f for f in LATER_FIELDS.get(entity, ()) if f in present]
    # only a row met in the store is updated (the join is a left one here)
    changed = {f: f"(e.row_fp IS NOT NULL AND {c})" for f, c in _changes(later).items()}
    # by file row: a row that met two stored rows (never, as the import stores them) counts once
    rows = "count(DISTINCT n.src_row) FILTER"
    per_field = "".join(f", {rows} (WHERE {c})" for c in changed.values())
    any_change = " OR ".join(changed.values()) or "false"
    [row] = cur.execute(
        f"SELECT {rows} (WHERE e.row_fp IS NULL), {rows} (WHERE e.row_fp IS NOT NULL), "
        f"{rows} (WHERE {any_change}){per_field} "
        f"FROM ({numbered}) n LEFT JOIN {entity} e ON e.workspace_id = $w "
        "AND e.row_fp = n.row_fp AND e.occurrence = n.occurrence",
        {"w": workspace_id},
    ).fetchall()
    counts = {"new": int(row[0]), "stored": int(row[1]), "rows": int(row[2])}
    return counts | {f: int(n) for f, n in zip(later, row[3:], strict=True)}


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
