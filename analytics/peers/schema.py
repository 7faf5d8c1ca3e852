"""Write the KPI card file's JSON Schema: `python -m analytics.peers.schema [PATH]`.

The schema is generated from the pydantic models that read a card (analytics.peers.card_file), so
it cannot drift from what a server accepts; a test checks the committed copy is up to date.
Without PATH it goes to docs/peer-card.schema.json; `-` prints it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analytics.peers.card_file import card_json_schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "peer-card.schema.json"


def schema_text() -> str:
    """The schema as the committed file holds it: two-space indent, one newline at the end."""
    return json.dumps(card_json_schema(), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analytics.peers.schema",
        description="Write the JSON Schema of a KPI card file.",
    )
    parser.add_argument(
        "path",
        nargs="?",
        default=str(SCHEMA_FILE),
        help=f"where to write it ('-' prints it; default {SCHEMA_FILE.name} in docs/)",
    )
    target = parser.parse_args(argv).path
    if target == "-":
        sys.stdout.write(schema_text())
        return 0
    Path(target).write_text(schema_text(), encoding="utf-8")
    print(f"Wrote the KPI card schema to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
