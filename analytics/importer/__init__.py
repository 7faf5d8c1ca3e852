"""Importer: read (CSV/Excel/Parquet) → map headers → parse values → validate → batch."""

from __future__ import annotations

from analytics.importer.batch import (
    ImportResult,
    Preview,
    Progress,
    Reject,
    choose_mapping,
    import_file,
    import_source,
    preview,
)
from analytics.importer.export import export_workspace
from analytics.importer.mapping import (
    Column,
    FieldMap,
    SavedMapping,
    auto_map,
    delete_mapping,
    find_saved_mapping,
    guess_entity,
    list_mappings,
    parse_map_args,
    save_mapping,
)
from analytics.importer.read import Source, read_source
from analytics.importer.synonyms import mappable_fields

__all__ = [
    "Column",
    "FieldMap",
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
    "guess_entity",
    "import_file",
    "import_source",
    "list_mappings",
    "mappable_fields",
    "parse_map_args",
    "preview",
    "read_source",
    "save_mapping",
]
