"""Which of the owner's settings each figure read while it was computed.

A figure kept in the store (`stored.scoreboard_results`) stays right after a settings change
unless the change touches a setting it read: a new weekly goal or another figure's
thresholds leave it as it was. So the settings a context hands to figures are a `Settings`:
a plain dict that notes every key read, for the figure being computed on this thread
(`indicators.compute` opens a `reading()` around each figure; a frame shared between figures
(`common.shared`) carries the keys read while it was made to every figure that uses it).

Reading the whole dict (iterating it, its items, keys or values, copying or comparing it)
counts as reading every setting (`EVERY`): such a figure is computed again after any
settings change. So is a figure whose context holds a plain dict (nothing was noted).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

# Read as a key: the figure read the whole dict.
EVERY = "*"

_LOCAL = threading.local()


def _frames() -> list[set[str]]:
    frames: list[set[str]] | None = getattr(_LOCAL, "frames", None)
    if frames is None:
        frames = _LOCAL.frames = []
    return frames


def note(keys: Iterable[str]) -> None:
    """Count `keys` as read by the figure being computed on this thread (if any)."""
    frames = _frames()
    if frames:
        frames[-1].update(keys)


@contextmanager
def reading() -> Iterator[set[str]]:
    """The keys read on this thread until the block ends; they count for the enclosing
    block too (a figure computed inside another's computation, a shared frame made)."""
    frames = _frames()
    keys: set[str] = set()
    frames.append(keys)
    try:
        yield keys
    finally:
        frames.pop()
        if frames:
            frames[-1].update(keys)


class Settings(dict[str, Any]):
    """The owner's settings as figures read them: a dict noting each key read (see above)."""

    def __getitem__(self, key: str) -> Any:
        note((key,))
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        note((key,))
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        note((str(key),))
        return super().__contains__(key)

    def _every(self) -> None:
        note((EVERY,))

    def __iter__(self) -> Iterator[str]:
        self._every()
        return super().__iter__()

    def __len__(self) -> int:
        self._every()
        return super().__len__()

    def __eq__(self, other: object) -> bool:
        self._every()
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]  # a dict: unhashable, as before

    def __repr__(self) -> str:
        self._every()
        return super().__repr__()

    def keys(self) -> Any:
        self._every()
        return super().keys()

    def values(self) -> Any:
        self._every()
        return super().values()

    def items(self) -> Any:
        self._every()
        return super().items()

    def copy(self) -> dict[str, Any]:
        self._every()
        return dict(super().items())

    def __or__(self, other: Any) -> Any:
        self._every()
        return dict(super().items()) | other

    def __ror__(self, other: Any) -> Any:
        self._every()
        return other | dict(super().items())

    def __reduce__(self) -> Any:  # pickled (Streamlit's cache) as a plain dict's contents
        return (Settings, (dict(super().items()),))


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def recorded(keys: Iterable[str], settings: dict[str, Any]) -> dict[str, str | None]:
    """What a kept figure remembers of the settings it read: each key's value as canonical
    JSON (None: the key was not set), or, when it read every setting, all of them as one
    value under `EVERY`."""
    plain = dict(dict.items(settings))
    chosen = set(keys)
    if EVERY in chosen:
        return {EVERY: _canon(plain)}
    return {k: (_canon(plain[k]) if k in plain else None) for k in sorted(chosen)}


def still_holds(kept: dict[str, str | None], settings: dict[str, Any]) -> bool:
    """True when every setting a kept figure read has the value it had then."""
    plain = dict(dict.items(settings))
    if EVERY in kept:
        return kept[EVERY] == _canon(plain)
    return all((_canon(plain[k]) if k in plain else None) == v for k, v in kept.items())
