"""The import's plan: which field comes from which raw column(s), and what the analysis
pass decided per column. Shared by the analysis (analyse.py), the parse (parse.py) and the
rejects (rejects.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from analytics.entities import SQL_TYPES, Field
from analytics.importer.mapping import FieldMap
from analytics.importer.synonyms import mappable_fields
from analytics.importer.values import DURATION_UNITS

PARSED_TABLE = "od_import_parsed"
MONEY_SQL = SQL_TYPES["money"]  # the store's exact money type
REJECTS_TABLE = "od_import_rejects"


@dataclass(frozen=True)
class Use:
    """One mapped field: where it comes from and how to read it."""

    field: Field
    columns: tuple[int, ...]  # raw column indices: one, or two for a product or a join
    headers: tuple[str, ...]  # the file's names for them

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def product(self) -> bool:
        """A number from two columns: their product (Quantity × UnitPrice)."""
        return len(self.columns) == 2 and self.field.kind != "text"

    @property
    def joined(self) -> bool:
        """A text from two columns: the two joined by a space (First name + Last name)."""
        return len(self.columns) == 2 and self.field.kind == "text"

    @property
    def duration_unit(self) -> int | None:
        """Seconds per unit when the field is a duration (hours, minutes), else None."""
        return DURATION_UNITS.get(self.field.name)


@dataclass
class Decisions:
    """What the analysis pass decided, per raw column."""

    decimal: dict[int, str] = field(default_factory=dict)  # "." or ","
    date_order: dict[int, str] = field(default_factory=dict)  # "mdy" or "dmy"
    float_ids: set[int] = field(default_factory=set)  # text written as 17850.0
    short: set[int] = field(default_factory=set)  # numbers with at most 4 decimals
    plain: set[int] = field(default_factory=set)  # numbers all written plainly ("-1234.5")
    iso: set[int] = field(default_factory=set)  # dates all written year first ("2025-01-31")
    # Duration columns: seconds per unit of their field (3600 for hours, 60 for minutes)...
    duration: dict[int, int] = field(default_factory=dict)
    # ...of which those whose numbers are spreadsheet fractions of a day (0.0104 = 15 min)
    day_fraction: set[int] = field(default_factory=set)
    # Columns of dollar amounts ("$1,234.50", "1,234.50") and plain numbers, read row by row
    # without a regular expression (values.quick_number_sql); of those, the ones that hold
    # other values too, read through their lookup table (set by parse.build_lookups).
    quick: set[int] = field(default_factory=set)
    others: set[int] = field(default_factory=set)
    # Columns none of whose values starts or ends with a space: read without trimming.
    clean: set[int] = field(default_factory=set)
    # Quick columns whose dollar amounts have no more decimals than their type keeps.
    direct: set[int] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


def plan(entity: str, mapping: FieldMap, headers: Sequence[str]) -> list[Use]:
    """The mapped fields in the entity's order, with their raw column numbers."""
    fields = {f.name: f for f in mappable_fields(entity)}
    position = {h: i for i, h in enumerate(headers)}
    uses = []
    for f in mappable_fields(entity):
        column = mapping.get(f.name)
        if column is None:
            continue
        names = column if isinstance(column, tuple) else (column,)
        uses.append(Use(fields[f.name], tuple(position[n] for n in names), tuple(names)))
    return uses


def _numeric_columns(uses: list[Use]) -> list[int]:
    cols = [c for u in uses if u.field.kind in ("money", "number", "int") for c in u.columns]
    return sorted(set(cols))


def _product_columns(uses: list[Use]) -> list[int]:
    return sorted({c for u in uses if u.product and u.field.kind == "money" for c in u.columns})


def number_type(i: int, uses: list[Use], decisions: Decisions) -> str:
    """The DuckDB type column i is read into: the narrowest that serves every use of it.

    DECIMAL(18,x) is a 64-bit integer inside and an order of magnitude faster than the
    128-bit DECIMAL(30,10) kept for odd mixes.
    """
    wanted = set()
    for u in uses:
        if i not in u.columns:
            continue
        if u.product and u.field.kind == "money":
            wanted.add("DECIMAL(18,4)" if i in decisions.short else "DECIMAL(18,6)")
        elif u.product or u.field.kind == "number":
            wanted.add("DOUBLE")
        elif u.field.kind == "money":
            wanted.add(MONEY_SQL)
        else:  # int: read with decimals, so that 12.5 is reported rather than rounded
            wanted.add("DECIMAL(18,6)")
    return wanted.pop() if len(wanted) == 1 else "DECIMAL(30,10)"


def _date_columns(uses: list[Use]) -> list[int]:
    return sorted({u.columns[0] for u in uses if u.field.kind == "date"})


def _text_columns(uses: list[Use]) -> list[int]:
    return sorted({u.columns[0] for u in uses if u.field.kind == "text" and not u.joined})


def _typed_name(entity: str, name: str) -> str:
    # Deals: status and stage are worked out from several columns in the last layer.
    if entity == "deals" and name in ("status", "stage"):
        return f"{name}_text"
    return name
