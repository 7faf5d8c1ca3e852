"""The row fingerprint: one number per row, the same for the same row from any export.

One function, used by the importer, the demo and the benchmarks, so they cannot drift apart.
"""

from __future__ import annotations

from analytics.entities import ENTITIES


def fingerprint_sql(entity: str, present: set[str]) -> str:
    """md5 of a row's canonical values: the same row from any export gets the same number.

    Every field of the entity takes part (unmapped ones as NULL), so the fingerprint does
    not depend on which columns a file happened to have mapped. chr(30) marks NULL, so
    (NULL, 'a') and ('a', NULL) differ; chr(31) separates the values.
    """
    names = list(ENTITIES[entity].field_names) + (["stage"] if entity == "deals" else [])
    parts = [
        f"coalesce(CAST({n} AS VARCHAR), chr(30))" if n in present else "chr(30)" for n in names
    ]
    return f"md5_number(concat_ws(chr(31), {', '.join(parts)}))"
