"""Chart figures built once: a builder wrapped in `once` hands back the figure it built before
for the same arguments, instead of building it again on every rerun.

A chart builder is a pure function of what it draws (frames, numbers, names), so the key is
that content itself, digested exactly: a frame by its shape, column names, dtypes and a hash
of every row and index value, numbers and text by their exact repr. Whatever decides what a
chart shows (workspace, as-of day, filters, settings, a new import) reaches the builder as
its arguments, so a changed input is a new key and a figure is never stale, and a figure is
only ever handed to a caller whose own data would build exactly that figure. Arguments that
cannot be digested (an object of an unknown kind) are not cached: the figure is built.

The figure is shared by every rerun and session that asks for the same content: callers draw
it (`capture.chart`) and freeze it for a snapshot, both of which only read it, and must not
change it afterwards (build a changed figure in the builder instead).

Notes on the timeline are drawn after the cache, on a copy (`noted`): the key of a figure
with notes is the figure's own key and the notes themselves, so a note added, edited or
removed is a new key, and one business's notes never reach another's figure.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, ParamSpec

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.format import inert_figure
from analytics.notes import Note
from analytics.notes_chart import annotate
from ui import chart_room

MAX_FIGURES = 96  # across every builder; a large scatter is a few MB of Python objects

P = ParamSpec("P")
_LOCK = threading.Lock()
_FIGURES: OrderedDict[bytes, go.Figure] = OrderedDict()
_KEY_OF: dict[int, bytes] = {}  # id of a kept figure → its key (kept, so the id stays its own)
_DRAWN: dict[bytes, go.Figure] = {}  # key → the kept figure as drawn (`drawable`)
# (key, notes) → the kept figure as drawn with those notes (`noted`); a copy of a figure costs
# tens of milliseconds, so a page's reruns reuse it.
_NOTED: OrderedDict[tuple[bytes, tuple[Note, ...]], go.Figure] = OrderedDict()
MAX_NOTED = 32
# key → set when the build under way for it ends: a second caller (a visit arriving while the
# server's warm-up builds the same figure) waits for that figure instead of building it again
_BUILDING: dict[bytes, threading.Event] = {}
builds = 0  # figures built by `once` builders since the start (tests count warm-up work with it)
_SCALARS = (
    str,
    bytes,
    bool,
    int,
    float,
    complex,
    date,
    datetime,
    timedelta,
    pd.Timestamp,
    np.generic,
)


class Undigestible(Exception):
    """An argument whose content cannot be digested exactly: build, do not cache."""


def _frame_part(h: Any, frame: pd.DataFrame | pd.Series) -> None:
    columns = frame.columns if isinstance(frame, pd.DataFrame) else [frame.name]
    dtypes = frame.dtypes if isinstance(frame, pd.DataFrame) else [frame.dtype]
    h.update(
        repr(
            (
                type(frame).__name__,
                frame.shape,
                [repr(c) for c in columns],
                [str(d) for d in dtypes],
                list(frame.index.names),
                str(frame.index.dtype),
            )
        ).encode()
    )
    try:
        rows = pd.util.hash_pandas_object(frame, index=True)
    except TypeError as exc:  # a cell holding a list or a dict
        raise Undigestible(str(exc)) from None
    h.update(rows.to_numpy().tobytes())
    # pandas hashes an object cell by its text, so 1 and "1" (or True and "True") would
    # agree; Plotly draws them differently. Each such cell's type goes in too.
    parts = frame.items() if isinstance(frame, pd.DataFrame) else [(frame.name, frame)]
    for _, values in [*parts, (None, frame.index)]:
        if values.dtype == object:
            h.update("|".join(type(v).__name__ for v in values).encode())


def _digest(h: Any, value: Any) -> None:
    """Feed `value`'s exact content into the hash `h`, or raise Undigestible."""
    if value is None or isinstance(value, _SCALARS):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, pd.DataFrame | pd.Series):
        _frame_part(h, value)
    elif isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            raise Undigestible("an object array")
        h.update(f"ndarray:{value.dtype}:{value.shape};".encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, list | tuple):
        h.update(f"{type(value).__name__}[{len(value)}](".encode())
        for item in value:
            _digest(h, item)
        h.update(b")")
    elif isinstance(value, dict):  # in its own order: a builder may draw in that order
        h.update(f"dict[{len(value)}](".encode())
        for k, v in value.items():
            _digest(h, k)
            _digest(h, v)
        h.update(b")")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        h.update(f"{type(value).__module__}.{type(value).__qualname__}(".encode())
        for f in dataclasses.fields(value):
            h.update(f"{f.name}=".encode())
            _digest(h, getattr(value, f.name))
        h.update(b")")
    else:
        raise Undigestible(type(value).__name__)


def key(builder: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
    """The exact content key of one builder call (Undigestible when there is none)."""
    h = hashlib.blake2b(digest_size=32)
    h.update(f"{builder.__module__}.{builder.__qualname__};".encode())
    _digest(h, args)
    _digest(h, sorted(kwargs.items()))
    return h.digest()


def once(builder: Callable[P, go.Figure]) -> Callable[P, go.Figure]:
    """`builder`, with each figure kept and handed back for the same arguments."""

    @functools.wraps(builder)
    def cached(*args: P.args, **kwargs: P.kwargs) -> go.Figure:
        try:
            k = key(builder, args, kwargs)
        except Undigestible:
            return chart_room.fit(builder(*args, **kwargs))
        while True:
            with _LOCK:
                fig = _FIGURES.get(k)
                if fig is not None:
                    _FIGURES.move_to_end(k)
                    return fig
                under_way = _BUILDING.get(k)
                if under_way is None:
                    _BUILDING[k] = done = threading.Event()
                    break
            under_way.wait()  # then it is kept (or the build failed: build it here)
        try:
            fig = _build(builder, args, kwargs)  # outside the lock: other figures go on
            with _LOCK:
                _keep(k, fig)
        finally:
            with _LOCK:
                _BUILDING.pop(k, None)
            done.set()
        return fig

    return cached


def _build(builder: Callable[..., go.Figure], args: Any, kwargs: Any) -> go.Figure:
    global builds
    fig = chart_room.fit(builder(*args, **kwargs))
    with _LOCK:
        builds += 1
    return fig


def _keep(k: bytes, fig: go.Figure) -> None:
    """Keep `fig` under `k` (the caller holds _LOCK), dropping the oldest beyond MAX_FIGURES."""
    _FIGURES[k] = fig
    _KEY_OF[id(fig)] = k
    while len(_FIGURES) > MAX_FIGURES:
        old_key, old = _FIGURES.popitem(last=False)
        _KEY_OF.pop(id(old), None)
        _DRAWN.pop(old_key, None)
        for gone in [n for n in _NOTED if n[0] == old_key]:
            del _NOTED[gone]


def kept() -> int:
    """How many figures are kept."""
    with _LOCK:
        return len(_FIGURES)


class _Drawn(go.Figure):
    """A kept figure as drawn. st.plotly_chart turns the figure it gets into a dict on every
    run (`to_dict`: a deep copy with every array encoded, 8–13 ms a page); this one works that
    dict out once and hands back the same dict after, which st.plotly_chart only reads (it is
    encoded as JSON and never changed)."""

    _as_dict: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        if self._as_dict is None:
            self._as_dict = super().to_dict()
        return self._as_dict


def drawable(fig: go.Figure) -> go.Figure:
    """`inert_figure(fig)`, the figure as st.plotly_chart gets it: worked out once for a
    figure kept here, every time for any other."""
    with _LOCK:
        k = _KEY_OF.get(id(fig))
        if k is None or _FIGURES.get(k) is not fig:
            k = None
        elif k in _DRAWN:
            return _DRAWN[k]
    drawn = inert_figure(fig)
    if k is not None:
        drawn = _Drawn(drawn)
        with _LOCK:
            if _FIGURES.get(k) is fig:
                _DRAWN[k] = drawn
    return drawn


def _kept_key(fig: go.Figure) -> bytes | None:
    """The key `fig` is kept under (the caller holds _LOCK); None for a figure not kept."""
    k = _KEY_OF.get(id(fig))
    return k if k is not None and _FIGURES.get(k) is fig else None


def noted(fig: go.Figure, notes: tuple[Note, ...]) -> go.Figure:
    """`drawable(fig)` with `notes` drawn on it (`annotate`): worked out once per kept figure
    and set of notes, every time for any other figure."""
    drawn = drawable(fig)
    if not notes:
        return drawn
    with _LOCK:
        k = _kept_key(fig)
        if k is not None and (k, notes) in _NOTED:
            _NOTED.move_to_end((k, notes))
            return _NOTED[(k, notes)]
    out = annotate(drawn, notes)
    if k is not None:
        out = _Drawn(out)
        with _LOCK:
            if _kept_key(fig) == k:
                _NOTED[(k, notes)] = out
                while len(_NOTED) > MAX_NOTED:
                    _NOTED.popitem(last=False)
    return out


def clear() -> None:
    with _LOCK:
        _FIGURES.clear()
        _KEY_OF.clear()
        _DRAWN.clear()
        _NOTED.clear()
