"""An anonymous pack: the business's name and every customer's and person's name replaced by
a label ("Customer 3", "Person 2"), everywhere: texts, cards, tables, charts and notes.

The names come from the store (customers and their external ids, and every customer or
prospect any file names; the people of deals, time entries and activities); each is replaced as a whole word, longest first, and
numbered in the order the pack first shows it, so the same name is the same label throughout
and the same pack comes out the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from analytics import format as fmt
from analytics.pack.model import ANONYMOUS_NAME, Cover, Pack, Section
from analytics.store import Connection, Workspace

_NAMES_SQL = """
SELECT DISTINCT name, kind FROM (
  SELECT customer AS name, 'Customer' AS kind FROM customers WHERE workspace_id = $w
  UNION ALL SELECT external_id, 'Customer' FROM customers WHERE workspace_id = $w
  UNION ALL SELECT customer, 'Customer' FROM deals WHERE workspace_id = $w
  UNION ALL SELECT customer, 'Customer' FROM invoices WHERE workspace_id = $w
  UNION ALL SELECT customer, 'Customer' FROM tickets WHERE workspace_id = $w
  UNION ALL SELECT customer, 'Customer' FROM time_entries WHERE workspace_id = $w
  UNION ALL SELECT customer, 'Customer' FROM activities WHERE workspace_id = $w
  UNION ALL SELECT owner, 'Person' FROM deals WHERE workspace_id = $w
  UNION ALL SELECT person, 'Person' FROM time_entries WHERE workspace_id = $w
  UNION ALL SELECT person, 'Person' FROM activities WHERE workspace_id = $w
)
WHERE name IS NOT NULL AND length(trim(name)) >= 2
"""
# Short all-digit ids would match figures: a name must hold a letter.
_HAS_LETTER = re.compile(r"[^\W\d_]")


def names(con: Connection, workspace_id: int) -> dict[str, str]:
    """Every name to hide → its kind ("Customer" or "Person"); a customer wins a tie."""
    rows = con.cursor().execute(_NAMES_SQL, {"w": workspace_id}).fetchall()
    found: dict[str, str] = {}
    for name, kind in sorted(rows, key=lambda r: (r[0], r[1])):
        text = str(name).strip()
        if _HAS_LETTER.search(text) and text not in found:
            found[text] = kind
    return found


class Replacer:
    """Replaces each known name by its label, numbering labels as they are first met."""

    def __init__(self, known: dict[str, str], business: list[str]) -> None:
        self.kinds = dict(known)
        for name in business:
            self.kinds[name] = ""
        # A page's markdown carries a name made inert ("Upton Tax \\& Accounts"): that form is
        # the same name, under the same label.
        self.spelled = {n: n for n in self.kinds}
        for name in list(self.kinds):
            self.spelled.setdefault(fmt.inert(name), name)
        ordered = sorted(self.spelled, key=lambda n: (-len(n), n))
        self.pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)")
            if ordered
            else None
        )
        self.labels: dict[str, str] = {}
        self.counts: dict[str, int] = {}

    def label(self, match: re.Match[str]) -> str:
        name = self.spelled[match.group(0)]
        if name not in self.labels:
            kind = self.kinds[name]
            if not kind:
                self.labels[name] = ANONYMOUS_NAME
            else:
                self.counts[kind] = self.counts.get(kind, 0) + 1
                self.labels[name] = f"{kind} {self.counts[kind]}"
        return self.labels[name]

    def text(self, value: str) -> str:
        return self.pattern.sub(self.label, value) if self.pattern is not None else value

    def walk(self, value: Any) -> Any:
        """`value` with every string in it (dict keys too) replaced."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.walk(k): self.walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.walk(v) for v in value)
        return value


def anonymize(
    con: Connection, workspace_id: int, pack: Pack, ws: Workspace, people: Iterable[str] = ()
) -> Pack:
    """The pack with the business and every customer and person named by a label. `people`:
    names from outside the data (who wrote a note, who owns a commitment)."""
    business = [n for n in {ws.name, ws.display_name} if n and n != ANONYMOUS_NAME]
    known = names(con, workspace_id)
    for person in people:
        text = person.strip()
        if len(text) >= 2 and _HAS_LETTER.search(text):
            known.setdefault(text, "Person")
    r = Replacer(known, business)
    sections = [Section(s.id, r.text(s.title), r.walk(s.blocks), s.source) for s in pack.sections]
    cover: Cover = replace(pack.cover, business=ANONYMOUS_NAME)
    filters = [(r.text(a), r.text(b)) for a, b in pack.filters]
    return replace(pack, cover=cover, sections=sections, filters=filters)
