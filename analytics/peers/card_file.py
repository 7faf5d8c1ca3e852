"""What a KPI card file may hold, as pydantic v2 models: the file is untrusted input.

Extra fields are refused (a card never carries messages or details, which name people), types
are strict (no "0.25" read as a number, no true read as version 1), and cross-field rules are
checked: an indicator in its own unit, a value exactly when the status is known, amounts only
with a currency, and (from format version 2) each figure's definition version, one the peer
dictionary knows. `card_json_schema()` is the published JSON Schema (docs/peer-card.schema.json);
card_errors tells pydantic's errors as plain sentences.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from analytics.indicators import REGISTRY
from analytics.peers.dictionary import definition
from analytics.peers.groups import AMOUNT_UNITS, MAX_GROUP_NAME, MAX_NAME, clean_text

CardFormat = Literal["opening-day-kpi-card"]
# Every card version this server reads (a new version is added here, the old ones kept).
# Version 2 adds each figure's definition version; version 1 cards have none (all version 1).
CardVersion = Literal[1, 2]
CARD_FORMAT: str = get_args(CardFormat)[0]
CARD_VERSION: int = max(get_args(CardVersion))  # the version this server writes
Status = Literal["red", "amber", "green", "unknown"]
STATUSES: tuple[str, ...] = get_args(Status)
# The errors about figures' definition versions (told by analytics.peers.cards).
DEFINITION_IN_V1 = "definition_in_version_1"
DEFINITION_MISSING = "definition_missing"
DEFINITION_UNKNOWN = "definition_unknown"


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
    version: int | None = Field(
        default=None,
        ge=1,
        description="The version of the figure's definition in the peer dictionary: required "
        "from card version 2, absent in version 1 (whose figures all follow version 1).",
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
        json_schema_extra={
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            # Version 2: every figure names its definition version; version 1: none does.
            "allOf": [
                {
                    "if": {"properties": {"version": {"const": 2}}},
                    "then": {"properties": {"figures": {"items": {"required": ["version"]}}}},
                },
                {
                    "if": {"properties": {"version": {"const": 1}}},
                    "then": {
                        "properties": {"figures": {"items": {"not": {"required": ["version"]}}}}
                    },
                },
            ],
        },
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
    def _figures_allowed(cls, figures: list[CardFigure], info: ValidationInfo) -> list[CardFigure]:
        """Amounts only with a currency, each indicator once; then, version 2: every figure
        names a definition version this server knows; version 1: none does (they all follow
        version 1)."""
        if info.data.get("currency") is None:
            for n, f in enumerate(figures):
                if f.unit in AMOUNT_UNITS:
                    raise PydanticCustomError("amount_not_shared", "an amount", {"n": n})
        ids = [f.id for f in figures]
        if len(set(ids)) < len(ids):
            raise PydanticCustomError("figure_twice", "an indicator more than once")
        card_version = info.data.get("version")
        for n, f in enumerate(figures):
            if card_version == 1 and f.version is not None:
                raise PydanticCustomError(DEFINITION_IN_V1, "a definition version", {"n": n})
            if card_version == 2 and f.version is None:
                raise PydanticCustomError(DEFINITION_MISSING, "no definition version", {"n": n})
            if f.version is not None and not definition(f.id).knows(f.version):
                raise PydanticCustomError(DEFINITION_UNKNOWN, "an unknown definition", {"n": n})
        return figures


def card_json_schema() -> dict[str, Any]:
    """The JSON Schema of a card file (published as docs/peer-card.schema.json)."""
    return CardFile.model_json_schema()
