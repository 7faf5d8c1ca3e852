"""Notes on the timeline: dated events of the business ("raised prices 8 %") that every
time-series chart, snapshot and export shows beside the figures.

A note has a day, or a range of days (`day` to `until`, both included), a plain text, who
wrote it, and optionally what it concerns: an indicator area (pace, niche, fit, friction) or
one indicator's id. A note that concerns nothing concerns the whole business, so it shows on
every page (`list_notes(concerns=X)` returns it with the notes about X).

Rules, checked before anything is written (`NoteError` says which was broken):
- the text is plain text (it is never read as HTML or markdown anywhere it is shown), 1 to
  MAX_TEXT characters once its ends are trimmed;
- `until` is on or after `day` (the same day is kept as a single day);
- a day may lie in the future, up to MAX_DAYS_AHEAD after today: a planned change ("new
  price list from 1 March") is a real thing to put on the timeline; a day before
  FIRST_DAY is a typing mistake;
- `concerns` names an area or a registered indicator.

Every write is one transaction (joining the caller's). An edit keeps the note as it was
before in `notes_history` (one revision per edit, numbered from 1); a removed note is kept
with its `removed_at` and comes back with `restore_note`. Each function takes the workspace:
another workspace's note id is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import EllipsisType
from typing import Any

from analytics import areas
from analytics.errors import OpeningDayError
from analytics.store import Connection, reader, transaction

MAX_TEXT = 500
MAX_AUTHOR = 80
MAX_DAYS_AHEAD = 3653  # about ten years: a plan, not a typing mistake
FIRST_DAY = date(1900, 1, 1)
LABEL_CHARS = 24  # a chart's short label: the text's first characters


class NoteError(OpeningDayError):
    """A note that cannot be written, found, edited, removed or restored (says why); nothing
    was written. (Belongs in analytics/errors.py's tree, under OpeningDayError.)"""


@dataclass(frozen=True)
class Note:
    id: int
    workspace_id: int
    day: date
    until: date | None  # None: a single day
    concerns: str | None  # an area id or an indicator id; None: the whole business
    text: str
    author: str
    created_at: datetime
    updated_at: datetime | None

    @property
    def last_day(self) -> date:
        """The note's last day (its day when it is a single day)."""
        return self.until or self.day

    @property
    def label(self) -> str:
        """The short label a chart shows: the first LABEL_CHARS characters of one line."""
        line = " ".join(self.text.split())
        return line if len(line) <= LABEL_CHARS else line[: LABEL_CHARS - 1].rstrip() + "…"

    @property
    def when(self) -> str:
        """'2025-03-01', or '2025-03-01 – 2025-03-31' for a range."""
        first = self.day.isoformat()
        return f"{first} – {self.until.isoformat()}" if self.until else first


@dataclass(frozen=True)
class Revision:
    """A note as it was before one edit."""

    note_id: int
    revision: int
    day: date
    until: date | None
    concerns: str | None
    text: str
    saved_at: datetime


_COLUMNS = "id, workspace_id, day, until_day, concerns, text, author, created_at, updated_at"


def _note(row: tuple[Any, ...]) -> Note:
    return Note(*row)


# ---------------------------------------------------------------- checks


def concern_choices() -> dict[str, str]:
    """What a note can concern: area ids, then indicator ids → their label."""
    from analytics import indicators

    choices = {a.id: areas.page(a.id).title for a in areas.AREAS}
    for area_id in choices.copy():
        for ind in indicators.in_area(area_id):
            choices[ind.id] = f"{areas.page(area_id).title}: {ind.label}"
    return choices


def area_of(concerns: str | None) -> str | None:
    """The area a concern belongs to (itself for an area; None for none)."""
    from analytics import indicators

    if concerns is None or concerns in indicators.AREAS:
        return concerns
    return indicators.get(concerns).area if concerns in indicators.REGISTRY else None


def _check_concerns(concerns: str | None) -> str | None:
    if concerns is None or not concerns.strip():
        return None
    clean = concerns.strip()
    if clean not in concern_choices():
        names = ", ".join(a.id for a in areas.AREAS)
        raise NoteError(
            f"A note can concern an area ({names}) or an indicator's id, not {clean!r}."
        )
    return clean


def _check_text(text: str) -> str:
    clean = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not clean:
        raise NoteError("A note needs a text: what happened, in a few words.")
    if len(clean) > MAX_TEXT:
        raise NoteError(
            f"A note holds at most {MAX_TEXT} characters; this one has {len(clean):,}. "
            "Shorten it (the chart shows its first words)."
        )
    return clean


def _check_day(value: object, what: str, today: date) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise NoteError(f"The note's {what} must be a date like 2025-03-31, not {value!r}.")
    latest = today + timedelta(days=MAX_DAYS_AHEAD)
    if value < FIRST_DAY or value > latest:
        raise NoteError(
            f"The note's {what} {value.isoformat()} is out of range: pick a day between "
            f"{FIRST_DAY.isoformat()} and {latest.isoformat()} (planned changes may lie ahead)."
        )
    return value


def _check_dates(day: object, until: object) -> tuple[date, date | None]:
    today = date.today()
    first = _check_day(day, "day", today)
    if until is None:
        return first, None
    last = _check_day(until, "end day", today)
    if last < first:
        raise NoteError(
            f"The note ends ({last.isoformat()}) before it starts ({first.isoformat()}): "
            "the end day must be on or after the day."
        )
    return first, (None if last == first else last)


def _check_author(author: str) -> str:
    clean = " ".join(author.split())
    if len(clean) > MAX_AUTHOR:
        raise NoteError(f"An author's name holds at most {MAX_AUTHOR} characters.")
    return clean


# ---------------------------------------------------------------- reading


def _find(con: Connection, workspace_id: int, note_id: int) -> tuple[Note, datetime | None]:
    rows = (
        reader(con)
        .execute(
            f"SELECT {_COLUMNS}, removed_at FROM notes WHERE workspace_id = $w AND id = $id",  # noqa: S608
            {"w": workspace_id, "id": int(note_id)},
        )
        .fetchall()
    )
    if not rows:
        raise NoteError(f"There is no note {note_id} in this business.")
    return _note(rows[0][:-1]), rows[0][-1]


def get_note(con: Connection, workspace_id: int, note_id: int) -> Note:
    """A live note of this workspace (NoteError when there is none, or it was removed)."""
    note, removed = _find(con, workspace_id, note_id)
    if removed is not None:
        raise NoteError(f"Note {note_id} was removed; restore it first.")
    return note


def list_notes(
    con: Connection,
    workspace_id: int,
    *,
    start: date | None = None,
    end: date | None = None,
    concerns: str | None = None,
) -> list[Note]:
    """The live notes whose days [day, until or day] overlap [start, end] (either end open
    when None), ordered by day, then id.

    `concerns=X` keeps the notes about X and the notes about nothing in particular (they
    concern the whole business, so every page shows them). An area takes in the notes about
    its indicators too; an indicator takes in the notes about its area. An unknown concern is
    refused (NoteError), so a typo never reads as "no notes".
    """
    where = ["workspace_id = $w", "removed_at IS NULL"]
    params: dict[str, Any] = {"w": workspace_id}
    if start is not None:
        where.append("coalesce(until_day, day) >= $start")
        params["start"] = start
    if end is not None:
        where.append("day <= $end")
        params["end"] = end
    concerns = _check_concerns(concerns)  # an unknown one is refused, not matched to nothing
    if concerns is not None:
        from analytics import indicators

        area = area_of(concerns)
        about = {concerns} | ({area} if area else set())
        if concerns in indicators.AREAS:
            about |= {i.id for i in indicators.in_area(concerns)}
        where.append("(concerns IS NULL OR list_contains($about, concerns))")
        params["about"] = sorted(about)
    rows = (
        reader(con)
        .execute(
            f"SELECT {_COLUMNS} FROM notes WHERE {' AND '.join(where)} ORDER BY day, id",  # noqa: S608
            params,
        )
        .fetchall()
    )
    return [_note(r) for r in rows]


def note_history(con: Connection, workspace_id: int, note_id: int) -> list[Revision]:
    """The note as it was before each edit, oldest first (empty when never edited)."""
    _find(con, workspace_id, note_id)
    rows = (
        reader(con)
        .execute(
            "SELECT note_id, revision, day, until_day, concerns, text, saved_at "
            "FROM notes_history WHERE workspace_id = $w AND note_id = $id ORDER BY revision",
            {"w": workspace_id, "id": int(note_id)},
        )
        .fetchall()
    )
    return [Revision(*r) for r in rows]


# ---------------------------------------------------------------- writing


def add_note(
    con: Connection,
    workspace_id: int,
    *,
    day: date,
    text: str,
    author: str = "",
    until: date | None = None,
    concerns: str | None = None,
) -> Note:
    """Write a new note; returns it with its id."""
    first, last = _check_dates(day, until)
    values = {
        "w": workspace_id,
        "day": first,
        "until": last,
        "concerns": _check_concerns(concerns),
        "text": _check_text(text),
        "author": _check_author(author),
    }
    with transaction(con) as tx:
        found = tx.execute("SELECT 1 FROM workspaces WHERE id = $w", {"w": workspace_id})
        if not found.fetchall():
            raise NoteError(f"There is no business with id {workspace_id}.")
        new_id = tx.execute(
            "INSERT INTO notes (workspace_id, day, until_day, concerns, text, author) "
            "VALUES ($w, $day, $until, $concerns, $text, $author) RETURNING id",
            values,
        ).fetchall()[0][0]
        return get_note(tx, workspace_id, new_id)


def edit_note(
    con: Connection,
    workspace_id: int,
    note_id: int,
    *,
    day: date | None = None,
    text: str | None = None,
    until: date | None | EllipsisType = ...,
    concerns: str | None | EllipsisType = ...,
) -> Note:
    """Change a live note: what is given changes (`until=None` makes it a single day,
    `concerns=None` makes it about the whole business; `...` leaves either as it is). The note
    as it was is kept as a revision; an edit that changes nothing writes nothing."""
    with transaction(con) as tx:
        old = get_note(tx, workspace_id, note_id)
        new_until = old.until if until is ... else until
        first, last = _check_dates(old.day if day is None else day, new_until)
        new_text = old.text if text is None else _check_text(text)
        new_concerns = old.concerns if concerns is ... else _check_concerns(concerns)
        if (first, last, new_text, new_concerns) == (old.day, old.until, old.text, old.concerns):
            return old
        tx.execute(
            "INSERT INTO notes_history "
            "(note_id, workspace_id, revision, day, until_day, concerns, text) "
            "SELECT id, workspace_id, (SELECT coalesce(max(revision), 0) + 1 FROM notes_history "
            "WHERE note_id = $id), day, until_day, concerns, text FROM notes WHERE id = $id",
            {"id": old.id},
        )
        tx.execute(
            "UPDATE notes SET day = $day, until_day = $until, concerns = $concerns, "
            "text = $text, updated_at = current_localtimestamp() WHERE id = $id",
            {"id": old.id, "day": first, "until": last, "concerns": new_concerns, "text": new_text},
        )
        return get_note(tx, workspace_id, old.id)


def remove_note(con: Connection, workspace_id: int, note_id: int) -> Note:
    """Take a note off the timeline (kept, with when: `restore_note` brings it back)."""
    with transaction(con) as tx:
        note = get_note(tx, workspace_id, note_id)
        tx.execute(
            "UPDATE notes SET removed_at = current_localtimestamp() WHERE id = $id",
            {"id": note.id},
        )
        return note


def restore_note(con: Connection, workspace_id: int, note_id: int) -> Note:
    """Bring a removed note back, as it was."""
    with transaction(con) as tx:
        _, removed = _find(tx, workspace_id, note_id)
        if removed is None:
            raise NoteError(f"Note {note_id} is on the timeline already: nothing to restore.")
        tx.execute("UPDATE notes SET removed_at = NULL WHERE id = $id", {"id": int(note_id)})
        return get_note(tx, workspace_id, note_id)


def range_start(data_range: Any) -> date | None:
    """The first day of a business's data (`store.data_range`'s frame): where a page's charts,
    so its notes, begin. None without dated data."""
    firsts = data_range["first"].dropna() if len(data_range) else []
    if not len(firsts):
        return None
    first = min(firsts)
    return first.date() if isinstance(first, datetime) else first  # a pandas Timestamp too


# ---------------------------------------------------------------- plain rows


def note_json(note: Note) -> dict[str, Any]:
    """A note as JSON-ready data (the CLI's --json, the export)."""
    return {
        "id": note.id,
        "day": note.day.isoformat(),
        "until": note.until.isoformat() if note.until else None,
        "concerns": note.concerns,
        "text": note.text,
        "author": note.author,
        "created_at": note.created_at.isoformat(timespec="seconds"),
        "updated_at": note.updated_at.isoformat(timespec="seconds") if note.updated_at else None,
    }


def note_line(note: Note) -> str:
    """A note as one plain line: when, what it concerns, the text, who wrote it."""
    about = f" [{note.concerns}]" if note.concerns else ""
    by = f" — {note.author}" if note.author else ""
    return f"{note.when}{about}: {' '.join(note.text.split())}{by}"
