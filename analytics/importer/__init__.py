"""Importer: read (CSV/Excel/Parquet) → map headers → parse values → validate → batch.

The public names below load on first use (PEP 562): the child process that reads a
spreadsheet imports `analytics.importer.sheets`, which must not pull DuckDB and pandas
in with this package (that costs it half a second and 100 MB).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analytics.importer.batch import (
        DryRun,
        Forecast,
        ImportResult,
        Preview,
        Progress,
        Reject,
        choose_mapping,
        dry_run,
        import_file,
        import_source,
        preview,
    )
    from analytics.importer.export import export_workspace
    from analytics.importer.mapping import (
        Column,
        FieldMap,
        Guess,
        SavedMapping,
        auto_map,
        delete_mapping,
        find_saved_mapping,
        guess,
        guess_entity,
        list_mappings,
        mapping_words,
        parse_map_args,
        save_mapping,
    )
    from analytics.importer.read import Source, read_source
    from analytics.importer.synonyms import mappable_fields

# Each public name and the module it lives in.
_WHERE = {
    "Column": "mapping",
    "FieldMap": "mapping",
    "Guess": "mapping",
    "DryRun": "batch",
    "Forecast": "batch",
    "ImportResult": "batch",
    "Preview": "batch",
    "Progress": "batch",
    "Reject": "batch",
    "SavedMapping": "mapping",
    "Source": "read",
    "auto_map": "mapping",
    "choose_mapping": "batch",
    "delete_mapping": "mapping",
    "export_workspace": "export",
    "find_saved_mapping": "mapping",
    "guess": "mapping",
    "guess_entity": "mapping",
    "dry_run": "batch",
    "import_file": "batch",
    "import_source": "batch",
    "list_mappings": "mapping",
    "mapping_words": "mapping",
    "mappable_fields": "synonyms",
    "parse_map_args": "mapping",
    "preview": "batch",
    "read_source": "read",
    "save_mapping": "mapping",
}

__all__ = [
    "Column",
    "FieldMap",
    "Guess",
    "DryRun",
    "Forecast",
    "ImportResult",
    "Preview",
    "Progress",
    "Reject",
    "SavedMapping",
    "Source",
    "auto_map",
    "choose_mapping",
    "delete_mapping",
    "export_workspace",
    "find_saved_mapping",
    "guess",
    "guess_entity",
    "dry_run",
    "import_file",
    "import_source",
    "list_mappings",
    "mapping_words",
    "mappable_fields",
    "parse_map_args",
    "preview",
    "read_source",
    "save_mapping",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # the next look-up is a plain one
    return value
