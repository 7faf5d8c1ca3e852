"""A card file's problems told plainly: pydantic's error list (loc, type) becomes the one
sentence a member can act on, naming the field or the figure, in the order a reader meets them."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from analytics.indicators import REGISTRY
from analytics.peers.card_file import CARD_FORMAT, CARD_VERSION, STATUSES, CardFigure, CardFile
from analytics.peers.groups import MAX_GROUP_NAME, MAX_NAME, clean_text, too_long

# The order the checks are told in; "<...>" are kinds of problem rather than fields.
_TOP: tuple[str, ...] = ("format", "version", "<extra>", "<missing>", "member", "group")
_TOP += ("published_at", "as_of", "share_amounts", "currency", "figures")
_MEMBER = ("<object>", "<extra>", "key", "show_name", "name", "<shown>", "<too long>")
_FIGURE = ("<object>", "<extra>", "<missing>", "id", "unit", "status", "value", "<status>")


def _rank(err: ErrorDetails) -> tuple[int, ...]:
    """Where a reader going through the card meets this problem, so the first one is told: the
    format and version, unknown then missing fields, each field in turn, figures in order (a
    figure's own fields before what is checked across them)."""
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


# What is wrong with a figure's value against its status, by the validator's error kind
# (filled from the figure as given).
_VALUE_PROBLEMS: dict[str, str] = {
    "finite_number": "has a value that is not a finite number ({value}).",
    "value_missing": "has no value but status {status!r}; it should be 'unknown'.",
    "value_unknown": "has a value but status 'unknown'; an unknown figure has none.",
}


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
    if field == "value" and kind != "finite_number":
        return f"{where} has a value that is not a number: {str(given['value'])[:40]!r}."
    if kind in _VALUE_PROBLEMS:
        return f"{where} {_VALUE_PROBLEMS[kind].format(**given)}"
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


def problem(exc: ValidationError, raw: Any) -> str:
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
            f"versions 1 and {CARD_VERSION}. Export it again from an up-to-date Opening Day."
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
