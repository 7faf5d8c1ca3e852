"""Checklist templates: the built-in TOML files, validated, plus the owner's own templates and items."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from analytics.errors import ChecklistError, TemplateError
from analytics.store import Connection, reader, transaction

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

# What an item can be answered with, by kind; the first answer is "not answered yet".
KINDS: dict[str, tuple[str, ...]] = {
    "question": ("not_started", "yes", "partly", "no"),
    "task": ("not_started", "doing", "done"),
    "action": ("not_started", "keep", "fix", "replace", "reset"),
}
NOT_STARTED = "not_started"

# Every status in words with a symbol, so it never relies on colour.
STATUS_LABEL: dict[str, str] = {
    "not_started": "○ Not started",
    "yes": "✔ Yes",
    "partly": "◐ Partly",
    "no": "✘ No",
    "doing": "◐ In progress",
    "done": "✔ Done",
    "keep": "✔ Keep",
    "fix": "⚒ Fix",
    "replace": "⇄ Replace",
    "reset": "↺ Reset",
}

TEMPLATE_KEYS = {"id", "title", "purpose", "repeat", "items"}
# How often a checklist comes round (the optional `repeat` key), in days.
REPEATS: dict[str, int] = {
    "weekly": 7,
    "monthly": 30,
    "quarterly": 91,
    "half-yearly": 182,
    "yearly": 365,
}
ITEM_KEYS = {"id", "prompt", "help", "section", "kind", "indicators"}
REQUIRED_ITEM_KEYS = ("id", "prompt", "help")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Item:
    id: str
    prompt: str
    help: str
    section: str = ""
    kind: str = "question"
    indicators: tuple[str, ...] = ()
    custom: bool = False

    @property
    def statuses(self) -> tuple[str, ...]:
        return KINDS[self.kind]


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    purpose: str
    items: tuple[Item, ...]
    file: str = ""
    custom: bool = False
    repeat: str = ""
    archived: bool = False

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise ChecklistError(f"The checklist {self.title!r} has no item {item_id!r}.")


@dataclass
class Library:
    """The templates that loaded, and one error per file that did not."""

    templates: dict[str, Template] = field(default_factory=dict)
    errors: list[TemplateError] = field(default_factory=list)


def _known_indicators() -> set[str]:
    from analytics import indicators

    return set(indicators.REGISTRY)


def _item_lines(text: str) -> list[int]:
    """The line number of each `[[items]]` header, in order (1-based)."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[items]]"]


def _line_in_item(text: str, item_lines: list[int], index: int, key: str) -> int | None:
    """The line of `key = …` inside the index-th item, else the item's header line."""
    if index >= len(item_lines):
        return None
    start = item_lines[index]
    end = item_lines[index + 1] if index + 1 < len(item_lines) else len(text.splitlines()) + 1
    lines = text.splitlines()
    for n in range(start, end):
        if re.match(rf"\s*{re.escape(key)}\s*=", lines[n - 1]):
            return n
    return start


def _top_line(text: str, key: str) -> int | None:
    for n, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return n
    return None


def parse_template(path: Path, known: set[str]) -> Template:
    """One template file, validated; TemplateError names the file and line of the first problem."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot be read ({exc})", file=name) from None
    return parse_text(text, name, known)


def parse_text(text: str, name: str, known: set[str]) -> Template:
    """A template file's text, validated; TemplateError names `name` and the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        raise TemplateError(
            f"is not valid TOML: {exc}", file=name, line=int(found.group(1)) if found else None
        ) from None
    return template_from_data(data, text, name, known)


def template_from_data(data: dict[str, Any], text: str, name: str, known: set[str]) -> Template:
    for key in ("id", "title", "purpose"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise TemplateError(
                f"needs a text value for {key!r}", file=name, line=_top_line(text, key)
            )
    unknown = set(data) - TEMPLATE_KEYS
    if unknown:
        raise TemplateError(f"has unknown keys: {', '.join(sorted(unknown))}", file=name)
    if not _ID_RE.match(data["id"]):
        raise TemplateError(
            f"id {data['id']!r} must be lowercase letters, digits and _",
            file=name,
            line=_top_line(text, "id"),
        )
    repeat = data.get("repeat", "")
    if repeat and repeat not in REPEATS:
        raise TemplateError(
            f"repeat must be one of {', '.join(REPEATS)}", file=name, line=_top_line(text, "repeat")
        )
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise TemplateError("needs at least one [[items]] entry", file=name)
    lines = _item_lines(text)
    items: list[Item] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_items):

        def fail(message: str, key: str = "id", index: int = index) -> TemplateError:
            return TemplateError(message, file=name, line=_line_in_item(text, lines, index, key))

        if not isinstance(raw, dict):
            raise fail(f"item {index + 1} is not a table")
        for key in REQUIRED_ITEM_KEYS:
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise fail(f"item {index + 1} needs a text value for {key!r}", key)
        extra = set(raw) - ITEM_KEYS
        if extra:
            raise fail(f"item {raw['id']!r} has unknown keys: {', '.join(sorted(extra))}")
        if not _ID_RE.match(raw["id"]):
            raise fail(f"item id {raw['id']!r} must be lowercase letters, digits and _")
        if raw["id"] in seen:
            raise fail(f"item id {raw['id']!r} is used twice")
        seen.add(raw["id"])
        kind = raw.get("kind", "question")
        if kind not in KINDS:
            raise fail(f"item {raw['id']!r}: kind must be one of {', '.join(KINDS)}", "kind")
        inds = raw.get("indicators", [])
        if not isinstance(inds, list) or not all(isinstance(i, str) for i in inds):
            raise fail(f"item {raw['id']!r}: indicators must be a list of ids", "indicators")
        missing = [i for i in inds if i not in known]
        if missing:
            raise fail(
                f"item {raw['id']!r} names unknown indicators: {', '.join(missing)}", "indicators"
            )
        items.append(
            Item(
                id=raw["id"],
                prompt=raw["prompt"].strip(),
                help=raw["help"].strip(),
                section=str(raw.get("section", "")).strip(),
                kind=kind,
                indicators=tuple(inds),
            )
        )
    return Template(
        id=data["id"],
        title=data["title"].strip(),
        purpose=data["purpose"].strip(),
        items=tuple(items),
        file=name,
        repeat=repeat,
    )


def load_library(directory: Path = TEMPLATE_DIR, known: set[str] | None = None) -> Library:
    """Every *.toml template in `directory`; a broken file is reported and the others still load."""
    known_ids = known if known is not None else _known_indicators()
    library = Library()
    for path in sorted(directory.glob("*.toml")):
        try:
            template = parse_template(path, known_ids)
        except TemplateError as exc:
            library.errors.append(exc)
            continue
        if template.id in library.templates:
            other = library.templates[template.id].file
            library.errors.append(
                TemplateError(
                    f"template id {template.id!r} is already used by {other}",
                    file=path.name,
                    line=_top_line(path.read_text(encoding="utf-8"), "id"),
                )
            )
            continue
        library.templates[template.id] = template
    return library


_BUILTIN: Library | None = None


def builtin() -> Library:
    """The shipped templates, loaded once per process."""
    global _BUILTIN
    if _BUILTIN is None:
        _BUILTIN = load_library()
    return _BUILTIN


# ---------------------------------------------------------------- the owner's own


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return (slug or "checklist")[:40]


def templates_for(
    con: Connection, workspace_id: int, library: Library | None = None
) -> dict[str, Template]:
    """Built-in templates plus the workspace's own (archived ones too, flagged, so their runs
    stay readable), each with the owner's items in order and the workspace's rhythm."""
    lib = library or builtin()
    out = dict(lib.templates)
    cur = reader(con)
    own = cur.execute(
        "SELECT template_id, title, purpose, archived_at IS NOT NULL FROM checklist_templates "
        "WHERE workspace_id = $w ORDER BY created_at, template_id",
        {"w": workspace_id},
    ).fetchall()
    for template_id, title, purpose, archived in own:
        out[template_id] = Template(
            template_id, title, purpose, (), custom=True, archived=bool(archived)
        )
    extra = cur.execute(
        "SELECT template_id, item_id, prompt, help, section, kind, indicators "
        "FROM checklist_custom_items WHERE workspace_id = $w AND deleted_at IS NULL "
        "ORDER BY position NULLS LAST, created_at, item_id",
        {"w": workspace_id},
    ).fetchall()
    for template_id, item_id, prompt, help_, section, kind, inds in extra:
        if template_id in out:
            names = tuple(i for i in (inds or "").split(",") if i)
            item = Item(item_id, prompt, help_, section, kind, names, custom=True)
            out[template_id] = replace(out[template_id], items=(*out[template_id].items, item))
    rhythms = cur.execute(
        "SELECT template_id, repeat FROM checklist_rhythms WHERE workspace_id = $w",
        {"w": workspace_id},
    ).fetchall()
    for template_id, repeat in rhythms:
        if template_id in out:
            out[template_id] = replace(out[template_id], repeat="" if repeat == "never" else repeat)
    return out


def add_template(
    con: Connection, workspace_id: int, title: str, purpose: str, *, like: str = ""
) -> str:
    """A new, empty template of the owner's; returns its id (add items next): own_ and the
    title's words, or own_ and `like` (an imported file's id), numbered when taken."""
    clean = title.strip()
    if not clean:
        raise ChecklistError("Give the checklist a title.")
    taken = set(templates_for(con, workspace_id))
    base = (like if like.startswith("own_") else f"own_{like}") if like else "own_" + _slug(clean)
    template_id, n = base, 2
    while template_id in taken:
        template_id, n = f"{base}_{n}", n + 1
    with transaction(con) as tx:
        tx.execute(
            "INSERT INTO checklist_templates (workspace_id, template_id, title, purpose) "
            "VALUES ($w, $t, $title, $p)",
            {"w": workspace_id, "t": template_id, "title": clean, "p": purpose.strip()},
        )
    return template_id


def add_item(
    con: Connection,
    workspace_id: int,
    template_id: str,
    prompt: str,
    help_text: str = "",
    *,
    section: str = "Your own",
    kind: str = "question",
    indicators: tuple[str, ...] = (),
    item_id: str = "",
    position: int | None = None,
) -> str:
    """Add an owner's item to a template (built-in or own); returns the item id.

    `item_id` keeps an id from a copied or imported template (by default the next own_N) and
    `position` its place (by default last, after every item)."""
    templates = templates_for(con, workspace_id)
    if template_id not in templates:
        raise ChecklistError(f"No checklist {template_id!r} in this workspace.")
    if templates[template_id].archived:
        raise ChecklistError(f"The checklist {templates[template_id].title!r} is archived.")
    if not prompt.strip():
        raise ChecklistError("Write the question or task first.")
    if kind not in KINDS:
        raise ChecklistError(f"An item is one of: {', '.join(KINDS)}.")
    stored = reader(con).execute(
        "SELECT item_id FROM checklist_custom_items WHERE workspace_id = $w AND template_id = $t",
        {"w": workspace_id, "t": template_id},
    )
    taken = {it.id for it in templates[template_id].items} | {r[0] for r in stored.fetchall()}
    if item_id:
        if item_id in taken or not _ID_RE.match(item_id):
            raise ChecklistError(f"The item id {item_id!r} is taken or not a valid id.")
    else:
        n = 1
        while f"own_{n}" in taken:
            n += 1
        item_id = f"own_{n}"
    with transaction(con) as tx:
        tx.execute(
            "INSERT INTO checklist_custom_items "
            "(workspace_id, template_id, item_id, section, prompt, help, kind, indicators, position) "
            "VALUES ($w, $t, $i, $s, $p, $h, $k, $inds, $pos)",
            {
                "w": workspace_id,
                "t": template_id,
                "i": item_id,
                "s": section.strip(),
                "p": prompt.strip(),
                "h": help_text.strip(),
                "k": kind,
                "inds": ",".join(indicators),
                "pos": position,
            },
        )
    return item_id
