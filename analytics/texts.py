"""Short texts people type (a title, a name, an owner): white space folded to single spaces,
checked against a length limit, each broken rule raised as the caller's own error."""

from __future__ import annotations


def one_line(value: object) -> str:
    """`value` as text on one line: runs of white space (newlines too) become one space."""
    return " ".join(str(value).split())


def checked_text(
    value: object, what: str, limit: int, error: type[Exception], *, required: bool = True
) -> str:
    """`value` on one line, or `error` when it is blank (and `required`) or longer than
    `limit` characters; `what` names it in the message ("the owner's name")."""
    clean = one_line(value)
    if required and not clean:
        raise error(f"Write the {what} first.")
    if len(clean) > limit:
        raise error(f"The {what} is too long: at most {limit} characters, got {len(clean)}.")
    return clean
