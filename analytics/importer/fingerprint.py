"""The row fingerprint: one number per row, the same for the same row from any export.

One function, used by the importer, the demo and the benchmarks, so they cannot drift apart;
migration 12 (analytics/schema_history.py) holds the same formula as literal SQL, over the
same fields (IDENTITY_FIELDS is migration 12's, tickets' migration 20's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from analytics.schema_history import _IDENTITY_V1
from analytics.schema_history_later import _TICKET_IDENTITY_V2

# Which fields make a row the same row across exports, per entity. Pinned, not read from
# ENTITIES: a field added to an entity later is stored but is not part of the fingerprint,
# so last month's export, imported again after the upgrade, is still recognised row by row
# instead of counted twice.
#
# Version 1 is the fields every entity had when fingerprints were first stored (deals add
# `stage`, the stage as exported), in that order: every fingerprint in every store was made
# with exactly these, so none changes. The keyed entities (customers, deals, people) keep a
# version per change, so each of their attributes is identity: a customer whose segment
# changed, or a deal that moved from open to won, is a new version, not a duplicate. The
# other entities are events: an invoice line, a time entry, a ticket is the same line while
# every value an export carried for it when version 1 was cut is the same.
#
# One place: the fields are those of migration 12, which brought every stored row to this
# version (analytics/schema_history.py, frozen: its digest in tests/test_migrations.py fails
# on any edit). To change what is identity, add FINGERPRINT_VERSION + 1: a new migration that
# names its fields and recomputes `row_fp` of every stored row in SQL, and point
# IDENTITY_FIELDS at its fields. Read-only, so no caller can edit the migration through it.
#
# Version 2 (migration 20) takes a ticket's resolved day and hours out of its identity: they
# fill in after the ticket first appears, like an invoice's due and paid days, which were
# never identity. LATER_FIELDS names those fields: an import that brings a stored row again
# with one of them filled in or changed updates the stored row (the importer keeps the old
# value, so an undo puts it back) instead of leaving it stale or adding the row twice.
FINGERPRINT_VERSION = 2
IDENTITY_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {**_IDENTITY_V1, "tickets": _TICKET_IDENTITY_V2}
)
LATER_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"invoices": ("due", "paid"), "tickets": ("resolved", "hours")}
)


def fingerprint_sql(entity: str, present: Iterable[str] | None = None) -> str:
    """md5 of a row's identity values (IDENTITY_FIELDS): the same row from any export gets
    the same number.

    Every identity field takes part, an unmapped one (not in `present`) as NULL, so the
    fingerprint does not depend on which columns a file happened to have mapped; `present`
    None means every identity field is a column (stored rows, the demo). chr(30) marks
    NULL, so (NULL, 'a') and ('a', NULL) differ; chr(31) separates the values. Values are
    cast from their stored types, so the expression gives the same number over a file's
    typed values and over the stored row.
    """
    have = None if present is None else set(present)
    parts = [
        f"coalesce(CAST({n} AS VARCHAR), chr(30))" if have is None or n in have else "chr(30)"
        for n in IDENTITY_FIELDS[entity]
    ]
    return f"md5_number(concat_ws(chr(31), {', '.join(parts)}))"
