"""KPI cards: what a member publishes, and the JSON file a card travels in between servers.

A card carries only what a member chose to publish: per indicator its id, unit, value and
status. Never a coaching message, a detail or a frame (those name customers and people);
money and counts only when the member opted in to share amounts, and their name only when
they opted in to show it. A card file from elsewhere is untrusted: it is read into the pydantic
models below (extra fields refused, strict types, a version) and pydantic's errors are told as
one plain sentence naming the field or figure, before anything is written.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from analytics.errors import PeerError
from analytics.indicators import REGISTRY, Result
from analytics.peers.groups import (
    AMOUNT_UNITS,
    MAX_GROUP_NAME,
    MAX_NAME,
    Group,
    Member,
    clean_text,
    publishable,
    too_long,
)

CardFormat = Literal["opening-day-kpi-card"]
# Every card version this server reads (a new version is added here, the old ones kept).
CardVersion = Literal[1]
CARD_FORMAT: str = get_args(CardFormat)[0]
CARD_VERSION: int = max(get_args(CardVersion))  # the version this server writes
# A card with every indicator is about 3 KB; anything near this limit is not a card.
MAX_CARD_BYTES = 256 * 1024
Status = Literal["red", "amber", "green", "unknown"]
STATUSES: tuple[str, ...] = get_args(Status)


@dataclass(frozen=True)
class Figure:
    id: str
    unit: str
    value: float | None
    status: str


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
        if r is None or value is None or not math.isfinite(value):
            figures.append(Figure(ind_id, ind.unit, None, "unknown"))
        else:
            figures.append(Figure(ind_id, ind.unit, value, r.status))
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
        {"id": f.id, "unit": f.unit, "value": f.value, "status": f.status} for f in card.figures
    ]
    return data


def card_json(card: Card) -> str:
    """The card as the exported file's text: canonical, so the same card is the same text."""
    return json.dumps(card_dict(card), indent=1, sort_keys=True, allow_nan=False)


# ---------------------------------------------------------------- the card file's schema


def _collapsed(value: Any) -> Any:
    """Text as it is kept (runs of white space made one); anything else is left for the type
    check to refuse."""
    return clean_text(value) if isinstance(value, str) else value


def _version(value: Any) -> Any:
    # Literal[1] takes True (True == 1 in Python): a version is a number, never a yes/no.
    if isinstance(value, bool):
        raise PydanticCustomError("literal_error", "a card version is a number")
    return value


def _when(value: Any) -> Any:
    """ISO 8601 as Python reads it; an offset is turned into UTC, then dropped with the
    microseconds (cards are compared to the second)."""
    if not isinstance(value, str):
        raise PydanticCustomError("datetime_type", "a date and time written as text")
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("datetime_parsing", "not a date and time") from None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC).replace(tzinfo=None)
    return stamp.replace(microsecond=0)


def _day(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "a date written as text")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_parsing", "not a date") from None


def _known_indicator(value: str) -> str:
    if value not in REGISTRY:
        raise PydanticCustomError("unknown_indicator", "an indicator this server does not know")
    return value


_CLOSED = ConfigDict(extra="forbid", strict=True)


class CardMember(BaseModel):
    """Who published the card: a random key, and a name only when they chose to show it."""

    model_config = _CLOSED

    key: str = Field(pattern=r"^[0-9a-f]{32}$", description="A random id: 32 hex characters.")
    name: Annotated[str, BeforeValidator(_collapsed), Field(max_length=MAX_NAME)] | None = Field(
        default=None, description="Only when the member chose to show it."
    )
    show_name: bool = Field(
        default=False, description="Whether the name may be shown; true when a name is given."
    )

    @model_validator(mode="before")
    @classmethod
    def _show_name_follows_name(cls, data: Any) -> Any:
        if isinstance(data, dict) and "show_name" not in data:
            return {**data, "show_name": data.get("name") is not None}
        return data

    @model_validator(mode="after")
    def _name_only_when_shown(self) -> CardMember:
        if self.name is not None and not self.show_name:
            raise PydanticCustomError("name_not_shown", "a name the member chose to hide")
        if not self.name:
            self.name = None
        return self


class CardFigure(BaseModel):
    """One indicator's figure: its id, the unit it is measured in, the value and the status."""

    model_config = _CLOSED

    id: Annotated[str, AfterValidator(_known_indicator)] = Field(
        description="An indicator id of the registry.", json_schema_extra={"enum": list(REGISTRY)}
    )
    unit: str = Field(description="The indicator's unit (share, ratio, money, count, ...).")
    value: float | None = Field(
        allow_inf_nan=False, description="A finite number; null exactly when status is unknown."
    )
    status: Status = Field(
        description="Red, amber or green against the indicator's thresholds; unknown when it "
        "could not be computed."
    )

    @field_validator("unit")
    @classmethod
    def _unit_of_the_indicator(cls, unit: str, info: ValidationInfo) -> str:
        ind_id = info.data.get("id")
        if ind_id is not None and unit != REGISTRY[ind_id].unit:
            raise PydanticCustomError("unit_mismatch", "not the unit this indicator is in")
        return unit

    @model_validator(mode="after")
    def _value_matches_status(self) -> CardFigure:
        if self.value is None and self.status != "unknown":
            raise PydanticCustomError("value_missing", "no value but a known status")
        if self.value is not None and self.status == "unknown":
            raise PydanticCustomError("value_unknown", "a value but status unknown")
        return self


class CardFile(BaseModel):
    """An Opening Day KPI card, as exported by one server and imported by another."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        title="Opening Day KPI card",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    format: CardFormat
    version: Annotated[CardVersion, BeforeValidator(_version)] = Field(
        description="The card format's version; a server reads only the versions it knows."
    )
    member: CardMember
    group: Annotated[
        str, BeforeValidator(_collapsed), Field(min_length=1, max_length=MAX_GROUP_NAME)
    ] = Field(description="The name of the peer group it was published for.")
    published_at: Annotated[datetime, BeforeValidator(_when)]
    as_of: Annotated[date | None, BeforeValidator(_day)] = Field(
        default=None, description="The last day of the data behind the figures."
    )
    share_amounts: bool | None = Field(
        default=None, description="Optional; false with a currency is refused."
    )
    currency: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{3}$",
        description="Present exactly when the member shares amounts (money and counts).",
    )
    figures: list[CardFigure] = Field(min_length=1, max_length=len(REGISTRY))

    @field_validator("currency")
    @classmethod
    def _currency_only_when_shared(cls, currency: str | None, info: ValidationInfo) -> str | None:
        if currency is not None and info.data.get("share_amounts") is False:
            raise PydanticCustomError("currency_not_shared", "a currency while not sharing")
        return currency

    @field_validator("figures")
    @classmethod
    def _amounts_opted_in_once_each(
        cls, figures: list[CardFigure], info: ValidationInfo
    ) -> list[CardFigure]:
        if info.data.get("currency") is None:
            for n, f in enumerate(figures):
                if f.unit in AMOUNT_UNITS:
                    raise PydanticCustomError("amount_not_shared", "an amount", {"n": n})
        ids = [f.id for f in figures]
        if len(set(ids)) < len(ids):
            raise PydanticCustomError("figure_twice", "an indicator more than once")
        return figures


def card_json_schema() -> dict[str, Any]:
    """The JSON Schema of a card file (published as docs/peer-card.schema.json)."""
    return CardFile.model_json_schema()


# ---------------------------------------------------------------- pydantic's errors, told plainly

# The order the checks are told in; "<...>" are kinds of problem rather than fields.
_TOP: tuple[str, ...] = ("format", "version", "<extra>", "<missing>", "member", "group")
_TOP += ("published_at", "as_of", "share_amounts", "currency", "figures")
_MEMBER = ("<object>", "<extra>", "key", "show_name", "name", "<shown>", "<too long>")
_FIGURE = ("<object>", "<extra>", "<missing>", "id", "unit", "status", "value", "<status>")


def _rank(err: ErrorDetails) -> tuple[int, ...]:
    """Where the old field-by-field reading met this problem, so the first one is told: the
    format and version, unknown then missing fields, each field in turn, figures in order."""
    loc, kind = err["loc"], err["type"]
    if not loc:
        return (-1,)
    head = str(loc[0])
    if len(loc) == 1 and kind == "extra_forbidden":
        head = "<extra>"
    elif len(loc) == 1 and kind == "missing" and head not in ("format", "version"):
        head = "<missing>"
    top = _TOP.index(head)
    if head == "member":
        sub = {"model_type": "<object>", "extra_forbidden": "<extra>", "too_long": "<too long>"}
        field = str(loc[1]) if len(loc) > 1 else "<shown>"
        return (top, _MEMBER.index(sub.get(kind, field)))
    if head == "figures" and len(loc) > 1:
        sub = {"model_type": "<object>", "extra_forbidden": "<extra>", "missing": "<missing>"}
        field = str(loc[2]) if len(loc) > 2 else "<status>"
        return (top, 1, int(loc[1]), _FIGURE.index(sub.get(kind, field)))
    if head == "figures":  # the list itself first, then what is checked across figures
        return (top, 2 if kind in ("amount_not_shared", "figure_twice") else 0)
    return (top,)


def _names(errors: list[ErrorDetails], parent: tuple[Any, ...], kind: str) -> list[str]:
    """The field names of every `kind` error directly under `parent`."""
    return [
        str(e["loc"][-1])
        for e in errors
        if e["type"] == kind and tuple(e["loc"][:-1]) == parent and len(e["loc"]) > len(parent)
    ]


def _figure_problem(
    n: int, kind: str, field: Any, errors: list[ErrorDetails], raw: dict[str, Any]
) -> str:
    """What is wrong with figure n (from 0) of the card, named as Figure n + 1 (its id)."""
    where = f"Figure {n + 1}"
    given = raw["figures"][n]
    if kind == "model_type":
        return f"{where} is not an object with id, unit, value and status."
    if kind == "extra_forbidden":
        extra = ", ".join(map(repr, sorted(_names(errors, ("figures", n), kind))))
        return (
            f"{where} has unexpected field(s) {extra}: a card carries only id, unit, value and "
            "status (never messages or details, which name people)."
        )
    if kind == "missing":
        lacking = set(_names(errors, ("figures", n), kind))
        return f"{where} lacks {', '.join(k for k in CardFigure.model_fields if k in lacking)}."
    if field == "id":
        shown = given["id"][:60] if isinstance(given["id"], str) else given["id"]
        return f"{where} names an unknown indicator {shown!r}."
    ind = REGISTRY[given["id"]]
    where = f"Figure {n + 1} ({ind.id})"
    if field == "unit":
        return (
            f"{where} is in unit {str(given['unit'])[:20]!r}, but this indicator is measured in "
            f"{ind.unit!r} here."
        )
    if field == "status":
        return (
            f"{where} has status {str(given['status'])[:20]!r}; a status is one of "
            f"{', '.join(STATUSES)}."
        )
    if kind == "finite_number":
        return f"{where} has a value that is not a finite number ({given['value']})."
    if field == "value":
        return f"{where} has a value that is not a number: {str(given['value'])[:40]!r}."
    if kind == "value_missing":
        return f"{where} has no value but status {given['status']!r}; it should be 'unknown'."
    if kind == "value_unknown":
        return f"{where} has a value but status 'unknown'; an unknown figure has none."
    return (
        f"{where} is an amount ({ind.unit}), but the card does not say its member chose to "
        "share amounts (no currency)."
    )


def _member_problem(err: ErrorDetails, errors: list[ErrorDetails]) -> str:
    kind, field = err["type"], err["loc"][1] if len(err["loc"]) > 1 else None
    if kind == "model_type":
        return "'member' must be an object with the member's key."
    if kind == "name_not_shown":
        return (
            "The card names its member although the member did not choose to show their "
            "name: refused, to keep them anonymous."
        )
    if kind == "extra_forbidden":
        extra = ", ".join(map(repr, sorted(_names(errors, ("member",), kind))))
        return f"'member' has unexpected field(s): {extra}."
    if field == "key":
        return "'member.key' must be 32 hexadecimal characters (a random id)."
    if field == "show_name":
        return "'member.show_name' must be true or false."
    if kind == "too_long":
        return too_long("member name", MAX_NAME, len(clean_text(err["input"])))
    return "'member.name' must be text."


def _problem(exc: ValidationError, raw: Any) -> str:
    """The first thing wrong with a card file, in the words a member can act on."""
    errors = exc.errors()
    err = min(errors, key=_rank)
    loc, kind = err["loc"], err["type"]
    if not loc:
        return "The file holds JSON, but not a KPI card (expected an object)."
    head = loc[0]
    if head == "format":
        return f"The file is not an Opening Day KPI card: 'format' should be {CARD_FORMAT!r}."
    if head == "version":
        return (
            f"The card is version {json.dumps(raw.get('version'))[:20]}; this server reads "
            f"version {CARD_VERSION}. Export it again from an up-to-date Opening Day."
        )
    if len(loc) == 1 and kind == "extra_forbidden":
        extra = sorted(_names(errors, (), kind))[:5]
        return f"The card has unexpected field(s): {', '.join(map(repr, extra))}."
    if len(loc) == 1 and kind == "missing":
        lacking = set(_names(errors, (), kind))
        return f"The card lacks {', '.join(k for k in CardFile.model_fields if k in lacking)}."
    if head == "member":
        return _member_problem(err, errors)
    if head == "group":
        if kind == "too_long":
            return too_long("group name", MAX_GROUP_NAME, len(clean_text(err["input"])))
        return "'group' must be the name of the peer group, as text."
    if head in ("published_at", "as_of"):
        written = "date and time" if head == "published_at" else "date"
        if kind.endswith("_parsing"):
            return f"'{head}' is not a {written}: {str(err['input'])[:40]!r}."
        form = "ISO 8601" if head == "published_at" else "YYYY-MM-DD"
        return f"'{head}' must be a {written} written as text ({form})."
    if head == "share_amounts":
        return "'share_amounts' must be true or false."
    if head == "currency":
        if kind == "currency_not_shared":
            return "The card gives a currency although its member chose not to share amounts."
        return "'currency' must be a three-letter currency code such as USD or EUR."
    if len(loc) > 1:
        return _figure_problem(int(loc[1]), kind, loc[2] if len(loc) > 2 else None, errors, raw)
    return _figures_problem(err, raw)


def _figures_problem(err: ErrorDetails, raw: dict[str, Any]) -> str:
    kind, given = err["type"], raw["figures"]
    if kind == "list_type":
        return "'figures' must be a list."
    if kind == "too_short":
        return "The card has no figures: nothing to compare."
    if kind == "too_long":
        return f"The card has {len(given)} figures; there are only {len(REGISTRY)} indicators."
    if kind == "amount_not_shared":
        return _figure_problem(int(err.get("ctx", {})["n"]), kind, None, [], raw)
    ids = [f["id"] for f in given]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    return f"The card gives {', '.join(twice)} more than once."


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
        raise PeerError(_problem(exc, parsed)) from None
    return Card(
        card.member.key,
        card.member.name,
        card.group,
        card.published_at,
        card.as_of,
        card.currency,
        tuple(Figure(f.id, f.unit, f.value, f.status) for f in card.figures),
    )
