"""KPI cards: what a member publishes, and the JSON file a card travels in between servers.

A card carries only what a member chose to publish: per indicator its id, unit, value, status
and the version of its definition in the peer dictionary (analytics.peers.dictionary). Never a coaching message, a detail or a frame (those name customers and people);
money and counts only when the member opted in to share amounts, and their name only when
they opted in to show it. A card file from elsewhere is untrusted: it is read into the pydantic
models of card_file (extra fields refused, strict types, a version) and pydantic's errors are
told as one plain sentence naming the field or figure (card_errors), before anything is written.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from analytics.errors import PeerError
from analytics.indicators import REGISTRY, Result
from analytics.peers.card_errors import problem
from analytics.peers.card_file import (
    CARD_FORMAT,
    CARD_VERSION,
    DEFINITION_IN_V1,
    DEFINITION_MISSING,
    DEFINITION_UNKNOWN,
    CardFile,
)
from analytics.peers.dictionary import current_version, definition
from analytics.peers.groups import Group, Member, publishable

# A card with every indicator is about 3 KB; anything near this limit is not a card.
MAX_CARD_BYTES = 256 * 1024


@dataclass(frozen=True)
class Figure:
    id: str
    unit: str
    value: float | None
    status: str
    version: int = 1  # of the figure's definition (a version-1 card's figures: all 1)


@dataclass(frozen=True)
class Card:
    member_key: str
    member_name: str | None  # only when the member opted in to show it
    group: str
    published_at: datetime
    as_of: date | None
    currency: str | None  # only when the member opted in to share amounts
    figures: tuple[Figure, ...]

    @property
    def share_amounts(self) -> bool:
        return self.currency is not None


# ---------------------------------------------------------------- publishing a card


def build_card(
    member: Member,
    group: Group,
    results: dict[str, Result],
    *,
    published_at: datetime,
    as_of: date | None,
    currency: str,
) -> Card:
    """The card a member publishes: only its chosen, publishable figures, value and status.

    A figure that cannot be computed goes out as status unknown with no value, so peers see
    it is missing rather than a made-up zero.
    """
    figures = []
    for ind_id in member.published_ids:
        ind = REGISTRY.get(ind_id)
        if ind is None or not publishable(ind, member.share_amounts):
            continue
        r = results.get(ind_id)
        value = float(r.value) if r is not None and r.known and r.value is not None else None
        version = current_version(ind_id)
        if r is None or value is None or not math.isfinite(value):
            figures.append(Figure(ind_id, ind.unit, None, "unknown", version))
        else:
            figures.append(Figure(ind_id, ind.unit, value, r.status, version))
    return Card(
        member.member_key,
        member.name if member.show_name and member.name else None,
        group.name,
        published_at.replace(microsecond=0),
        as_of,
        currency if member.share_amounts else None,
        tuple(figures),
    )


def card_dict(card: Card) -> dict[str, Any]:
    """A card in its file format (plain JSON types)."""
    data: dict[str, Any] = {
        "format": CARD_FORMAT,
        "version": CARD_VERSION,
        "member": {"key": card.member_key},
        "group": card.group,
        "published_at": card.published_at.isoformat(timespec="seconds"),
        "as_of": card.as_of.isoformat() if card.as_of else None,
    }
    if card.member_name:
        data["member"]["name"] = card.member_name
    if card.currency:
        data["currency"] = card.currency
    data["figures"] = [
        {"id": f.id, "unit": f.unit, "value": f.value, "status": f.status, "version": f.version}
        for f in card.figures
    ]
    return data


def card_json(card: Card) -> str:
    """The card as the exported file's text: canonical, so the same card is the same text."""
    return json.dumps(card_dict(card), indent=1, sort_keys=True, allow_nan=False)


# ---------------------------------------------------------------- reading a card file


def parse_card(data: bytes | str) -> Card:
    """A card file read and checked against CardFile; PeerError says what is wrong."""
    raw_bytes = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw_bytes) > MAX_CARD_BYTES:
        raise PeerError(
            f"The file is {len(raw_bytes) // 1024} KB; a KPI card is at most "
            f"{MAX_CARD_BYTES // 1024} KB. Is this the right file?"
        )
    if not raw_bytes.strip():
        raise PeerError("The file is empty: it holds no KPI card.")
    try:
        parsed = json.loads(raw_bytes.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise PeerError("The file is not text (UTF-8): it is not a KPI card.") from None
    except (ValueError, RecursionError) as exc:
        raise PeerError(f"The file is not valid JSON, so it is not a KPI card ({exc}).") from None
    try:
        card = CardFile.model_validate(parsed)
    except ValidationError as exc:
        raise PeerError(_told(exc, parsed)) from None
    return Card(
        card.member.key,
        card.member.name,
        card.group,
        card.published_at,
        card.as_of,
        card.currency,
        tuple(Figure(f.id, f.unit, f.value, f.status, f.version or 1) for f in card.figures),
    )


# ---------------------------------------------------------------- definition versions told

_DEFINITION_ERRORS = frozenset({DEFINITION_IN_V1, DEFINITION_MISSING, DEFINITION_UNKNOWN})


def _about_definition(err: ErrorDetails) -> bool:
    loc = err["loc"]
    on_field = len(loc) == 3 and loc[0] == "figures" and loc[2] == "version"
    return on_field or err["type"] in _DEFINITION_ERRORS


def _figure_at(err: ErrorDetails) -> int:
    loc = err["loc"]
    return int(loc[1]) if len(loc) > 1 else int(err.get("ctx", {})["n"])


def _definition_problem(err: ErrorDetails, raw: dict[str, Any]) -> str:
    """What is wrong with a figure's definition version, in one sentence."""
    n = _figure_at(err)
    given = raw["figures"][n]
    where = f"Figure {n + 1} ({given['id']})"
    kind = err["type"]
    if kind == DEFINITION_IN_V1:
        return (
            f"{where} gives a definition version, but a version-1 card has none: make the "
            "card version 2 or leave the figure's version out."
        )
    if kind == DEFINITION_MISSING:
        return f"{where} does not say which version of its definition it follows ('version')."
    if kind == DEFINITION_UNKNOWN:
        known = definition(str(given["id"])).version
        return (
            f"{where} follows version {given['version']} of its definition, which this server "
            f"does not know (it knows {'version 1' if known == 1 else f'versions 1 to {known}'})."
        )
    return (
        f"{where} has a definition version that is not a whole number from 1: "
        f"{json.dumps(given.get('version'))[:20]}."
    )


def _told(exc: ValidationError, raw: Any) -> str:
    """The first problem of a card file: card_errors tells every problem but the figures'
    definition versions, which are told here, after any other problem of the card."""
    errors = exc.errors()
    others = [e for e in errors if not _about_definition(e)]
    if len(others) == len(errors):
        return problem(exc, raw)
    if not others:
        return _definition_problem(min(errors, key=_figure_at), raw)
    rest: list[InitErrorDetails] = [
        {
            "type": PydanticCustomError(e["type"], e["type"], e.get("ctx")),
            "loc": e["loc"],
            "input": e["input"],
        }
        for e in others
    ]
    return problem(ValidationError.from_exception_data(exc.title, rest), raw)
