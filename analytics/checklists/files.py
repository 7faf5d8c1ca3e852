"""Templates travel: any template (own or built-in) written as a TOML file in the shipped format,
and a file read back as an own template — validated by the same checks as the shipped ones
(a broken file is refused with its file and line, and nothing is written)."""

from __future__ import annotations

import json
from pathlib import Path

from analytics.checklists.edits import save_as_own
from analytics.checklists.templates import (
    Template,
    _known_indicators,
    parse_template,
    parse_text,
)
from analytics.store import Connection


def _text(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's too; DEL is escaped as TOML asks."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007F")


def template_toml(template: Template) -> str:
    """The template as a file like the shipped ones (keys in the same order)."""
    lines = [f"id = {_text(template.id)}", f"title = {_text(template.title)}"]
    lines.append(f"purpose = {_text(template.purpose or template.title)}")
    if template.repeat:
        lines.append(f"repeat = {_text(template.repeat)}")
    for item in template.items:
        lines += ["", "[[items]]", f"id = {_text(item.id)}"]
        if item.section:
            lines.append(f"section = {_text(item.section)}")
        lines += [
            f"prompt = {_text(item.prompt)}",
            f"help = {_text(item.help or item.prompt)}",
            f"kind = {_text(item.kind)}",
        ]
        if item.indicators:
            lines.append(f"indicators = [{', '.join(_text(i) for i in item.indicators)}]")
    return "\n".join(lines) + "\n"


def read_template_text(text: str, name: str) -> Template:
    """A template file's text, validated (TemplateError names the file and line)."""
    return parse_text(text, name, _known_indicators())


def import_template(
    con: Connection, workspace_id: int, template: Template, who: str = "", source: str = ""
) -> str:
    """A validated template saved as an own one, item for item, in one write; returns its id
    (own_ and the file's id, numbered when taken)."""
    return save_as_own(con, workspace_id, template, who, "imported", source, like=template.id)


def import_file(con: Connection, workspace_id: int, path: Path, who: str = "") -> str:
    """Read, validate and save a template file as an own template; returns its id."""
    return import_template(
        con, workspace_id, parse_template(path, _known_indicators()), who, path.name
    )
