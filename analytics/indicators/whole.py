"""A whole indicator result (value, message, details and frame) as bytes and back, exactly or
not at all.

An area page reads a figure's whole result: its details (dates, tuples, numbers as computed)
and its frame (the table and chart behind it). `stored.area_results` keeps these bytes beside
the Scoreboard's row, so the first visit after a restart reads the page's figures instead of
computing them. What comes back must be what went in: the frame is an Arrow IPC stream and
the rest a JSON text in its metadata, with the Python types JSON lacks tagged by their exact
type (`date`, `datetime`, `timestamp`, `tuple`, `numpy`) and read back as exactly that type.
`encode` reads the frame back from its own bytes and compares it with the one computed
(Arrow's conversions are where a type may change), and gives None when anything differs or
a value has a type it does not know: such a figure is simply computed each time, as before.

The bytes name their format and the pandas and pyarrow versions that wrote them; bytes from
any other are not read (`decode` gives None). No pickle: a store file is data, and reading
it never runs code.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.indicators.base import Result

# The format of the bytes: change it whenever what they hold or how changes.
FORMAT = "whole-1"
_META = b"opening_day_result"
_TYPE = "$type"


class _Unkeepable(Exception):
    """A value this format cannot bring back exactly."""


def _stamp() -> str:
    return f"{FORMAT}:pandas {pd.__version__}:pyarrow {pa.__version__}"


# ---------------------------------------------------------------- details and the rest


def _tagged(value: Any) -> Any:
    """`value` in JSON's types, the others tagged; raises _Unkeepable for any other type."""
    kind = type(value)
    if value is None or kind in (bool, int, str, float):
        return value
    if kind is list:
        return [_tagged(v) for v in value]
    if kind is dict:
        if _TYPE in value or any(type(k) is not str for k in value):
            raise _Unkeepable("a dict with keys JSON cannot carry")
        return {k: _tagged(v) for k, v in value.items()}
    if kind is tuple:
        return {_TYPE: "tuple", "v": [_tagged(v) for v in value]}
    if kind is date:
        return {_TYPE: "date", "v": value.isoformat()}
    if kind is datetime and value.tzinfo is None:
        return {_TYPE: "datetime", "v": value.isoformat()}
    if kind is pd.Timestamp and value.tzinfo is None:
        return {_TYPE: "timestamp", "v": value.isoformat()}
    if isinstance(value, np.bool_ | np.integer | np.floating):
        return {_TYPE: "numpy", "dtype": value.dtype.str, "v": value.item()}
    raise _Unkeepable(f"a {kind.__name__}")


def _untagged(value: Any) -> Any:
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(_TYPE)
    if tag is None:
        return {k: _untagged(v) for k, v in value.items()}
    if tag == "tuple":
        return tuple(_untagged(v) for v in value["v"])
    if tag == "date":
        return date.fromisoformat(value["v"])
    if tag == "datetime":
        return datetime.fromisoformat(value["v"])
    if tag == "timestamp":
        return pd.Timestamp(value["v"])
    if tag == "numpy":
        return np.dtype(value["dtype"]).type(value["v"])
    raise _Unkeepable(f"an unknown tag {tag!r}")


# ---------------------------------------------------------------- the frame


def _frame_bytes(frame: pd.DataFrame, meta: str) -> bytes:
    table = pa.Table.from_pandas(frame)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), _META: meta})
    sink = io.BytesIO()
    options = pa.ipc.IpcWriteOptions(compression="lz4")
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _object_columns(frame: pd.DataFrame) -> list[Any]:
    """The columns of Python objects (dates, lists, mixed cells): not text, whose dtype says
    what its cells are."""
    return [name for name, dtype in frame.dtypes.items() if dtype == np.dtype("O")]


def _null_kinds(frame: pd.DataFrame) -> dict[str, str]:
    """Object columns whose missing values are all NaT or all NaN, not None (Arrow keeps a
    null, not which one): `_frame_of` puts them back."""
    kinds: dict[str, str] = {}
    for name in _object_columns(frame):
        cells = frame[name].to_numpy(dtype=object)
        missing = set(map(type, cells[pd.isna(cells)]))
        if missing == {type(pd.NaT)}:
            kinds[str(name)] = "NaT"
        elif missing == {float}:
            kinds[str(name)] = "NaN"
    return kinds


def _frame_of(table: pa.Table, nulls: dict[str, str]) -> pd.DataFrame:
    if table.num_columns == 0 and table.num_rows == 0:
        return pd.DataFrame()
    frame = table.to_pandas()
    for name, field in zip(table.column_names, table.schema, strict=True):
        # Arrow hands a list column's cells over as numpy arrays: make them lists again
        if name in frame.columns and pa.types.is_list(field.type):
            cells = table.column(name).to_pylist()
            frame[name] = pd.Series(cells, index=frame.index, dtype=object)
    for name, kind in nulls.items():
        values = frame[name].to_numpy(dtype=object, copy=True)
        values[pd.isna(values)] = pd.NaT if kind == "NaT" else float("nan")
        frame[name] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """The same columns and index (types too), dtypes and cells (NaN where NaN)."""
    for x, y in ((a.columns, b.columns), (a.index, b.index)):
        if type(x) is not type(y) or x.dtype != y.dtype or not x.equals(y):
            return False
    try:
        if not (a.dtypes.equals(b.dtypes) and a.equals(b)):
            return False
    except (TypeError, ValueError):  # cells that cannot even be compared
        return False
    # `equals` compares an object column's cells, not their types (a date and a Timestamp of
    # that day, None and NaN): the page may tell them apart.
    for name in _object_columns(a):
        if list(map(type, a[name].to_numpy(dtype=object))) != list(
            map(type, b[name].to_numpy(dtype=object))
        ):
            return False
    return True


# ---------------------------------------------------------------- whole results


def encode(result: Result) -> bytes | None:
    """The result as bytes that `decode` turns back into an equal result, or None when it
    would not come back exactly (then it is not kept).

    The frame is read back from the bytes and compared: Arrow's conversions, both ways, are
    where a type may change. The rest is JSON whose other types are tagged by their exact
    type and read back as exactly that type (tests/test_kept_whole.py holds each tag
    to it, and every figure of the demo business to the whole round trip)."""
    nulls = _null_kinds(result.frame)
    try:
        meta = json.dumps({"stamp": _stamp(), "rest": _tagged(_rest_of(result)), "nulls": nulls})
        blob = _frame_bytes(result.frame, meta)
        back = _frame_of(pa.ipc.open_stream(blob).read_all(), nulls)
    except (_Unkeepable, pa.ArrowException, TypeError, ValueError):
        return None
    return blob if _same_frame(result.frame, back) else None


def _rest_of(result: Result) -> dict[str, Any]:
    return {
        "value": result.value,
        "status": result.status,
        "message": result.message,
        "details": result.details,
    }


def decode(blob: bytes, indicator_id: str, settings_read: frozenset[str]) -> Result | None:
    """The result `encode` made these bytes from; None when they were written in another
    format or by other pandas or pyarrow versions (compute it again)."""
    try:
        table = pa.ipc.open_stream(blob).read_all()
        meta = json.loads((table.schema.metadata or {})[_META])
        if meta.get("stamp") != _stamp():
            return None
        rest = _untagged(meta["rest"])
        frame = _frame_of(table, meta["nulls"])
    except (pa.ArrowException, KeyError, ValueError, TypeError, _Unkeepable):
        return None
    return Result(
        indicator_id,
        rest["value"],
        rest["status"],
        rest["message"],
        rest["details"],
        frame,
        settings_read,
    )
