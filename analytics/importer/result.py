"""What an import did (ImportResult, with its rejects) and what a preview shows."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from analytics.importer import checks
from analytics.importer.mapping import FieldMap
from analytics.importer.resolve import Resolution

if TYPE_CHECKING:
    import pandas as pd


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
    # Rows already stored that this file brought again with a later field filled in or
    # changed (an invoice's due or paid day, a ticket's resolved day or hours): how many per
    # field, and under "rows" how many rows in all (insert.update_later_fields).
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def rows_updated(self) -> int:
        return int(self.updated.get("rows", 0))

    def updated_text(self) -> str | None:
        """ "Updated 4 rows already stored, which came back changed (3 with a paid date, 1 with
        a due date); …" (None when none changed)."""
        if not self.rows_updated:
            return None
        rows = "1 row" if self.rows_updated == 1 else f"{self.rows_updated:,} rows"
        return (
            f"Updated {rows} already stored, which came back changed "
            f"({later_counts(self.updated)}); undoing this import puts the earlier values back."
        )

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
        updated = self.updated_text()
        if updated is not None:
            text += f" {updated}"
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
        return kind_line(
            self.entity, self.kind_source, self.confidence, self.mapping, self.unused_columns
        )

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
            "rows_updated": self.rows_updated,
            "updated_by_field": {f: n for f, n in self.updated.items() if f != "rows"},
            "already_imported": self.already_imported,
            "customers_created": self.customers_created,
            "rejects": [asdict(r) for r in self.rejects[:max_rejects]],
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


def kind_line(
    entity: str,
    kind_source: str,
    confidence: float | None,
    mapping: dict[str, str],
    unused_columns: list[str],
) -> str:
    """ "Kind: invoices (guessed, confidence 0.45). Columns: date = Date; …. Not used: …."
    (the fields as Choice.describe gives them)."""
    how = {
        "guessed": f"guessed, confidence {confidence:.2f}" if confidence is not None else "guessed",
        "given": "given",
        "saved": "from a saved mapping",
        "mapped": "settled by --map",
    }.get(kind_source, kind_source)
    columns = "; ".join(f"{f} = {c}" for f, c in mapping.items()) or "none"
    unused = ", ".join(unused_columns) or "none"
    return f"Kind: {entity} ({how}). Columns: {columns}. Not used: {unused}."


# How a later field (fingerprint.LATER_FIELDS) reads after "3 with".
LATER_WORDS = {"due": "a due date", "paid": "a paid date", "resolved": "a resolved date"}


def later_counts(updated: dict[str, int]) -> str:
    """ "3 with a paid date, 1 with new hours": the rows updated per later field."""
    return ", ".join(
        f"{n:,} with {LATER_WORDS.get(f, 'new ' + f)}"
        for f, n in updated.items()
        if f != "rows" and n
    )


@dataclass
class Forecast:
    """What importing a previewed file would do to the workspace as it stands, written
    nowhere (insert.forecast): its readable rows not stored yet (`new`), those an earlier,
    overlapping export already brought (`stored`, skipped), and of those the rows whose later
    fields it would fill in or change (`updated`: "rows", then per field, as
    ImportResult.updated)."""

    new: int
    stored: int
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def rows_updated(self) -> int:
        return int(self.updated.get("rows", 0))

    def text(self, *, rejects: bool = False) -> str | None:
        """ "2 of the file's 3 rows are already stored (…) and are not added again; 1 is new. …"
        None when none is stored (every readable row is new: nothing to say)."""
        if not self.stored:
            return None
        total = self.new + self.stored
        rows = f"the {total:,} rows that can be read" if rejects else f"the file's {total:,} rows"
        if self.new:
            are = "is" if self.stored == 1 else "are"
            new = f"{self.new:,} {'is' if self.new == 1 else 'are'} new"
            them = "it" if self.stored == 1 else "them"
            said = (
                f"{self.stored:,} of {rows} {are} already stored (an earlier export brought "
                f"{them}) and {are} not added again; {new}."
            )
        elif total == 1:
            said = (
                f"The file's one {'readable ' if rejects else ''}row is already stored (an earlier "
                "export brought it): importing adds no new row."
            )
        else:
            said = (
                f"All {total:,} rows{' that can be read' if rejects else ' of the file'} are "
                "already stored (an earlier export brought them): importing adds no new row."
            )
        if self.rows_updated:
            said += (
                f" {self.rows_updated:,} of the stored rows came back changed and will be "
                f"updated ({later_counts(self.updated)}); undoing the import puts the earlier "
                "values back."
            )
        return said


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
    # against the workspace the preview was asked for (None without one, or for customers,
    # whose rows are merged per customer rather than skipped)
    forecast: Forecast | None = None


@dataclass
class DryRun:
    """What importing a file would do, with nothing written (batch.dry_run)."""

    file_name: str
    preview: Preview
    earlier_batch: int | None  # the live batch that imported this exact content already
    said: dict[str, Any]  # kind_source, confidence, mapping, unused_columns (Choice.describe)

    @property
    def bad_rows(self) -> int:
        return len({r.row for r in self.preview.rejects})

    def lines(self, *, skip_bad_rows: bool = False) -> list[str]:
        """What the import would do, in sentences, then the kind line."""
        p = self.preview
        readable = p.rows_read - self.bad_rows
        lines = [
            f"Dry run, nothing written: {self.file_name} holds {p.rows_read:,} rows of "
            f"{p.entity}; {readable:,} can be read, {self.bad_rows:,} cannot."
        ]
        if self.earlier_batch is not None:
            lines.append(
                f"This exact file was imported before (batch {self.earlier_batch}): importing "
                "it adds nothing (--replace undoes that batch and imports it again)."
            )
        elif self.bad_rows and not skip_bad_rows:
            lines.append(
                "The import would stop at the rows that cannot be read and add nothing: fix "
                "them, or import with --skip-bad-rows."
            )
        elif p.entity == "customers":  # merged per customer: no rows skipped to count
            lines.append(
                "A customers file is stored one row per customer: customers already stored "
                "take the file's values, the others are added."
            )
        else:
            ahead = p.forecast.text(rejects=bool(self.bad_rows)) if p.forecast else None
            lines.append(ahead or f"All {readable:,} rows that can be read are new.")
        lines.append(kind_line(p.entity, **self.said))
        return lines

    def to_json(self, max_rejects: int = 100) -> dict[str, Any]:
        p, ahead = self.preview, self.preview.forecast
        new: int | None
        stored: int | None
        if ahead is not None:
            new, stored = ahead.new, ahead.stored
        elif p.entity == "customers":  # merged per customer: nothing counted ahead
            new = stored = None
        else:  # nothing of the kind stored yet
            new, stored = p.rows_read - self.bad_rows, 0
        return {
            "dry_run": True,
            "file_name": self.file_name,
            "entity": p.entity,
            "rows_read": p.rows_read,
            "rows_rejected": self.bad_rows,
            "already_imported_batch": self.earlier_batch,
            "new": new,
            "stored": stored,
            "rows_updated": ahead.rows_updated if ahead else 0,
            "updated_by_field": {
                k: v for k, v in (ahead.updated if ahead else {}).items() if k != "rows"
            },
            "rejects": [asdict(r) for r in p.rejects[:max_rejects]],
            "warnings": list(p.warnings),
            **self.said,
        }


def _rejects(rows: list[tuple[int, str, str | None, str]]) -> list[Reject]:
    return [Reject(int(r[0]), r[1], r[2], r[3]) for r in rows]
