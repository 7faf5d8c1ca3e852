"""A frozen Plotly chart drawn as vectors for the PDF pack (reportlab.graphics), from the
spec's own data: lines and markers, bars (grouped, stacked, horizontal), heatmaps, reference
lines and note bands with their labels. Other kinds (a box plot, a gauge) are named instead
of drawn. Deterministic: no randomness, no clock."""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np
from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
DRAWN = frozenset({"scatter", "scattergl", "bar", "heatmap"})
_TAG = re.compile(r"<[^>]*>")
_RGB = re.compile(r"rgba?\(([^)]*)\)")

Text = Callable[[str], str]


def values(raw: Any) -> list[Any]:
    """A trace's array as a list: plain lists as they are, Plotly's typed arrays decoded."""
    if raw is None:
        return []
    if isinstance(raw, dict) and "bdata" in raw:
        arr = np.frombuffer(base64.b64decode(raw["bdata"]), dtype=np.dtype(raw.get("dtype", "f8")))
        shape = raw.get("shape")
        if shape:
            dims = [int(s) for s in str(shape).split(",")]
            return arr.reshape(dims).tolist()  # type: ignore[no-any-return]
        return arr.tolist()  # type: ignore[no-any-return]
    if isinstance(raw, list | tuple):
        return list(raw)
    return [raw]


def plain(text: Any) -> str:
    """Plotly text without its tags (`<b>`, `<br>`): drawn as a string, never markup."""
    return html.unescape(_TAG.sub(" ", str(text or ""))).strip()


def colour(value: Any, fallback: str) -> colors.Color:
    if isinstance(value, str):
        m = _RGB.match(value.strip())
        if m:
            parts = [float(p) for p in m.group(1).split(",")]
            alpha = parts[3] if len(parts) > 3 else 1.0
            return colors.Color(parts[0] / 255, parts[1] / 255, parts[2] / 255, alpha)
        try:
            return colors.toColor(value)
        except ValueError:
            pass
    return colors.toColor(fallback)


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float):
        return float(v) if math.isfinite(v) else None
    return None


def _day(v: Any) -> float | None:
    if isinstance(v, str) and len(v) >= 7 and v[4] == "-":
        try:
            d = datetime.fromisoformat(v[:19]) if len(v) > 10 else date.fromisoformat(v[:10])
        except ValueError:
            try:
                d = date.fromisoformat(v[:7] + "-01")
            except ValueError:
                return None
        return float(d.toordinal())
    return None


class Axis:
    """One axis: numbers, days (as ordinals) or categories (as positions)."""

    def __init__(self, raw: list[Any]) -> None:
        present = [v for v in raw if v is not None]
        if present and all(_number(v) is not None for v in present):
            self.kind = "number"
        elif present and all(_day(v) is not None for v in present):
            self.kind = "date"
        else:
            self.kind = "category"
        self.categories: list[str] = []
        if self.kind == "category":
            for v in present:
                if str(v) not in self.categories:
                    self.categories.append(str(v))

    def add(self, raw: list[Any]) -> None:
        if self.kind == "category":
            for v in raw:
                if v is not None and str(v) not in self.categories:
                    self.categories.append(str(v))

    def pos(self, v: Any) -> float | None:
        if self.kind == "number":
            return _number(v)
        if self.kind == "date":
            return _day(v)
        return float(self.categories.index(str(v))) if str(v) in self.categories else None

    def ticks(self, lo: float, hi: float) -> list[tuple[float, str]]:
        if self.kind == "category":
            step = max(1, math.ceil(len(self.categories) / 8))
            return [(float(i), c[:22]) for i, c in enumerate(self.categories) if i % step == 0]
        if self.kind == "date":
            span = max(hi - lo, 1.0)
            return [
                (t, f"{date.fromordinal(int(t)):%b %Y}")
                for t in (lo + span * k / 4 for k in range(5))
            ]
        return [(t, short(t)) for t in nice_ticks(lo, hi)]


def short(v: float) -> str:
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.1f}M"
    if a >= 1e4:
        return f"{v / 1e3:.0f}k"
    if a >= 100 or v == int(v):
        return f"{v:,.0f}"
    return f"{v:.2f}"


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step + 1e-9) + 1)]


class Plot:
    """Maps data to the plot area of a drawing."""

    def __init__(
        self, box: tuple[float, float, float, float], x: tuple[float, float], y: tuple[float, float]
    ):
        self.x0, self.y0, self.w, self.h = box
        self.xr, self.yr = x, y

    def px(self, v: float) -> float:
        lo, hi = self.xr
        return self.x0 + (v - lo) / ((hi - lo) or 1) * self.w

    def py(self, v: float) -> float:
        lo, hi = self.yr
        return self.y0 + (v - lo) / ((hi - lo) or 1) * self.h


def _range(vals: list[float], zero: bool) -> tuple[float, float]:
    if not vals:
        return (0.0, 1.0)
    lo, hi = min(vals), max(vals)
    if zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    pad = (hi - lo) * 0.05 or 1.0
    return (lo - (pad if lo < 0 or not zero else 0), hi + pad)


def skipped(spec: dict[str, Any]) -> list[str]:
    """The kinds of the traces this renderer does not draw."""
    return sorted({str(t.get("type", "scatter")) for t in spec.get("data", [])} - DRAWN)


def draw(spec: dict[str, Any], width: float, text: Text, height: float = 210.0) -> Drawing:
    """The chart as a Drawing `width` points wide. `text` makes each string safe for the
    PDF's font (the owner's names are drawn as plain strings, never markup)."""
    traces = [t for t in spec.get("data", []) if str(t.get("type", "scatter")) in DRAWN]
    layout = spec.get("layout", {})
    d = Drawing(width, height)
    title = plain(
        (layout.get("title") or {}).get("text")
        if isinstance(layout.get("title"), dict)
        else layout.get("title")
    )
    top = height - (16 if title else 4)
    if title:
        d.add(String(0, height - 11, text(title)[:110], fontName="Vera-Bold", fontSize=9))
    named = [t for t in traces if t.get("name") and t.get("showlegend", True) is not False]
    legend_h = 12 if named else 0
    horizontal = all(t.get("type") == "bar" and t.get("orientation") == "h" for t in traces)
    left = 96.0 if horizontal else 44.0  # room for the categories' names
    box = (left, 22.0 + legend_h, width - left - 8.0, top - 26.0 - legend_h)
    if not traces:
        return d
    if any(t.get("type") == "heatmap" for t in traces):
        _heatmap(d, next(t for t in traces if t.get("type") == "heatmap"), box, text)
        return d

    cat_key, val_key = ("y", "x") if horizontal else ("x", "y")
    axis = Axis([v for t in traces for v in values(t.get(cat_key))])
    for t in traces:
        axis.add(values(t.get(cat_key)))
    stacked = layout.get("barmode") in ("stack", "relative")
    bars = [t for t in traces if t.get("type") == "bar"]
    cats: list[float] = []
    vals: list[float] = []
    totals: dict[float, list[float]] = {}
    for t in traces:
        for c, v in zip(values(t.get(cat_key)), values(t.get(val_key)), strict=False):
            pc, pv = axis.pos(c), _number(v)
            if pc is None or pv is None:
                continue
            cats.append(pc)
            if stacked and t.get("type") == "bar":
                side = totals.setdefault(pc, [0.0, 0.0])
                side[pv < 0] += pv
                vals.append(side[pv < 0])
            else:
                vals.append(pv)
    if axis.kind == "category":
        crange = (-0.6, max(len(axis.categories) - 0.4, 0.6))
    else:
        crange = _range(cats, False)
    vrange = _range(vals, bool(bars))
    plot = Plot(box, vrange, crange) if horizontal else Plot(box, crange, vrange)
    _axes(d, plot, axis, horizontal, text)
    _shapes(d, plot, layout, axis, horizontal, text)
    base = {k: [0.0, 0.0] for k in totals} if stacked else {}
    for i, t in enumerate(traces):
        fallback = PALETTE[i % len(PALETTE)]
        if t.get("type") == "bar":
            slot = bars.index(t)
            _bars(
                d, plot, t, axis, horizontal, fallback, (slot, len(bars)), base if stacked else None
            )
        else:
            _line(d, plot, t, axis, fallback)
    if named:
        _legend(d, named, traces, width, text)
    return d


def _axes(d: Drawing, plot: Plot, axis: Axis, horizontal: bool, text: Text) -> None:
    grey = colors.HexColor("#9aa5b1")
    d.add(Line(plot.x0, plot.y0, plot.x0 + plot.w, plot.y0, strokeColor=grey, strokeWidth=0.5))
    d.add(Line(plot.x0, plot.y0, plot.x0, plot.y0 + plot.h, strokeColor=grey, strokeWidth=0.5))
    value_ticks = nice_ticks(*(plot.xr if horizontal else plot.yr))
    if plot.h < 40 and len(value_ticks) > 2:  # a sparkline: its lowest and highest tick
        value_ticks = [value_ticks[0], value_ticks[-1]]
    cat_ticks = axis.ticks(*(plot.yr if horizontal else plot.xr))
    for v in value_ticks:
        if horizontal:
            x = plot.px(v)
            d.add(
                String(x, plot.y0 - 9, short(v), fontName="Vera", fontSize=6, textAnchor="middle")
            )
        else:
            y = plot.py(v)
            d.add(
                Line(
                    plot.x0,
                    y,
                    plot.x0 + plot.w,
                    y,
                    strokeColor=colors.HexColor("#eef0f2"),
                    strokeWidth=0.4,
                )
            )
            d.add(
                String(plot.x0 - 3, y - 2, short(v), fontName="Vera", fontSize=6, textAnchor="end")
            )
    for v, label in cat_ticks:
        if horizontal:
            d.add(
                String(
                    plot.x0 - 3,
                    plot.py(v) - 2,
                    text(label),
                    fontName="Vera",
                    fontSize=6,
                    textAnchor="end",
                )
            )
        else:
            d.add(
                String(
                    plot.px(v),
                    plot.y0 - 9,
                    text(label),
                    fontName="Vera",
                    fontSize=6,
                    textAnchor="middle",
                )
            )


def _shapes(
    d: Drawing, plot: Plot, layout: dict[str, Any], axis: Axis, horizontal: bool, text: Text
) -> None:
    """Reference lines and note bands (`line` and `rect` shapes on the data or the paper),
    and the annotations' texts (notes' labels)."""

    def x_of(v: Any, ref: str) -> float | None:
        if ref == "paper" or ref.endswith("domain"):
            f = _number(v)
            return None if f is None else plot.x0 + f * plot.w
        p = axis.pos(v) if not horizontal else _number(v)
        return None if p is None else plot.px(p)

    def y_of(v: Any, ref: str) -> float | None:
        f = _number(v)
        if ref == "paper" or ref.endswith("domain"):
            return None if f is None else plot.y0 + f * plot.h
        if horizontal:
            p = axis.pos(v)
            return None if p is None else plot.py(p)
        return None if f is None else plot.py(f)

    for s in layout.get("shapes", []) or []:
        x0, x1 = (
            x_of(s.get("x0"), str(s.get("xref", "x"))),
            x_of(s.get("x1"), str(s.get("xref", "x"))),
        )
        y0, y1 = (
            y_of(s.get("y0"), str(s.get("yref", "y"))),
            y_of(s.get("y1"), str(s.get("yref", "y"))),
        )
        if None in (x0, x1, y0, y1):
            continue
        assert x0 is not None and x1 is not None and y0 is not None and y1 is not None
        x0, x1 = (min(max(v, plot.x0), plot.x0 + plot.w) for v in (x0, x1))
        y0, y1 = (min(max(v, plot.y0), plot.y0 + plot.h) for v in (y0, y1))
        line = s.get("line") or {}
        stroke = colour(line.get("color"), "#333333")
        if s.get("type") == "rect":
            fill = colour(s.get("fillcolor"), "#d9d9d9")
            fill = colors.Color(
                fill.red, fill.green, fill.blue, min(fill.alpha, float(s.get("opacity", 0.2)))
            )
            d.add(
                Rect(
                    min(x0, x1),
                    min(y0, y1),
                    abs(x1 - x0) or 0.8,
                    abs(y1 - y0),
                    fillColor=fill,
                    strokeColor=None,
                )
            )
        else:
            d.add(Line(x0, y0, x1, y1, strokeColor=stroke, strokeWidth=0.8, strokeDashArray=[3, 2]))
    for a in layout.get("annotations", []) or []:
        label = plain(a.get("text"))
        if not label:
            continue
        x = x_of(a.get("x"), str(a.get("xref", "x")))
        y = y_of(a.get("y"), str(a.get("yref", "y")))
        if x is None:
            continue
        if y is None:
            y = plot.y0 + plot.h - 6
        y = min(max(y, plot.y0), plot.y0 + plot.h - 4)
        d.add(
            String(
                x + 2,
                y,
                text(label)[:40],
                fontName="Vera",
                fontSize=6,
                fillColor=colors.HexColor("#333333"),
            )
        )


def _bars(
    d: Drawing,
    plot: Plot,
    t: dict[str, Any],
    axis: Axis,
    horizontal: bool,
    fallback: str,
    slot: tuple[int, int],
    stack: dict[float, list[float]] | None,
) -> None:
    cat_key, val_key = ("y", "x") if horizontal else ("x", "y")
    marker = t.get("marker") or {}
    per_bar = values(marker.get("color")) if isinstance(marker.get("color"), list | dict) else []
    base_colour = colour(marker.get("color") if not per_bar else None, fallback)
    span = 0.8 if axis.kind == "category" else _bar_span(t, axis, cat_key)
    n, k = (1, 0) if stack is not None else (slot[1], slot[0])
    width = span / n
    for j, (c, v) in enumerate(zip(values(t.get(cat_key)), values(t.get(val_key)), strict=False)):
        pc, pv = axis.pos(c), _number(v)
        if pc is None or pv is None:
            continue
        start = 0.0
        if stack is not None:
            side = stack.setdefault(pc, [0.0, 0.0])
            start = side[pv < 0]
            side[pv < 0] += pv
        lo_c = pc - span / 2 + k * width
        fill = colour(per_bar[j], fallback) if j < len(per_bar) else base_colour
        if horizontal:
            x0, x1 = plot.px(start), plot.px(start + pv)
            y0, y1 = plot.py(lo_c), plot.py(lo_c + width)
        else:
            x0, x1 = plot.px(lo_c), plot.px(lo_c + width)
            y0, y1 = plot.py(start), plot.py(start + pv)
        d.add(
            Rect(
                min(x0, x1),
                min(y0, y1),
                abs(x1 - x0),
                abs(y1 - y0),
                fillColor=fill,
                strokeColor=None,
            )
        )


def _bar_span(t: dict[str, Any], axis: Axis, key: str) -> float:
    """The width of one bar slot on a number or date axis: 80 % of the closest gap."""
    pos = sorted({p for p in (axis.pos(v) for v in values(t.get(key))) if p is not None})
    gaps = [b - a for a, b in zip(pos, pos[1:], strict=False) if b > a]
    return 0.8 * (min(gaps) if gaps else 1.0)


def _line(d: Drawing, plot: Plot, t: dict[str, Any], axis: Axis, fallback: str) -> None:
    mode = str(t.get("mode") or "lines+markers")
    line = t.get("line") or {}
    marker = t.get("marker") or {}
    stroke = colour(
        line.get("color")
        or (marker.get("color") if isinstance(marker.get("color"), str) else None),
        fallback,
    )
    points: list[tuple[float, float]] = []
    for c, v in zip(values(t.get("x")), values(t.get("y")), strict=False):
        pc, pv = axis.pos(c), _number(v)
        if pc is not None and pv is not None:
            points.append((plot.px(pc), plot.py(pv)))
    if "lines" in mode and len(points) >= 2:
        flat = [coord for p in points for coord in p]
        dash = [3, 2] if line.get("dash") in ("dash", "dot", "dashdot") else None
        d.add(
            PolyLine(
                flat,
                strokeColor=stroke,
                strokeWidth=float(line.get("width") or 1.2),
                strokeDashArray=dash,
            )
        )
    if "markers" in mode or len(points) == 1:
        size = min(_number(marker.get("size")) or 4.0, 6.0) / 2
        for x, y in points[:2000]:
            d.add(Rect(x - size / 2, y - size / 2, size, size, fillColor=stroke, strokeColor=None))


def _heatmap(
    d: Drawing, t: dict[str, Any], box: tuple[float, float, float, float], text: Text
) -> None:
    z = values(t.get("z"))
    rows = [values(r) for r in z]
    if not rows or not rows[0]:
        return
    xs = [str(v) for v in values(t.get("x"))] or [str(i) for i in range(len(rows[0]))]
    ys = [str(v) for v in values(t.get("y"))] or [str(i) for i in range(len(rows))]
    flat = [f for r in rows for f in (_number(v) for v in r) if f is not None]
    lo, hi = (min(flat), max(flat)) if flat else (0.0, 1.0)
    x0, y0, w, h = box
    left = 70.0
    cw, ch = (w - left + 44) / max(len(xs), 1), h / max(len(rows), 1)
    for i, r in enumerate(rows):
        yy = y0 + h - (i + 1) * ch
        if i < len(ys):
            d.add(
                String(
                    x0 + left - 48,
                    yy + ch / 2 - 2,
                    text(ys[i])[:14],
                    fontName="Vera",
                    fontSize=6,
                    textAnchor="end",
                )
            )
        for j, v in enumerate(r):
            f = _number(v)
            share = 0.0 if f is None or hi == lo else (f - lo) / (hi - lo)
            fill = (
                colors.Color(1 - 0.8 * share, 1 - 0.55 * share, 1 - 0.2 * share)
                if f is not None
                else colors.white
            )
            d.add(
                Rect(
                    x0 + left - 44 + j * cw,
                    yy,
                    cw,
                    ch,
                    fillColor=fill,
                    strokeColor=colors.white,
                    strokeWidth=0.3,
                )
            )
    step = max(1, math.ceil(len(xs) / 8))
    for j, label in enumerate(xs):
        if j % step == 0:
            d.add(
                String(
                    x0 + left - 44 + (j + 0.5) * cw,
                    y0 - 9,
                    text(label)[:12],
                    fontName="Vera",
                    fontSize=6,
                    textAnchor="middle",
                )
            )


def _legend(
    d: Drawing, named: list[dict[str, Any]], traces: list[dict[str, Any]], width: float, text: Text
) -> None:
    x = 44.0
    for t in named[:8]:
        i = traces.index(t)
        marker = t.get("marker") or {}
        line = t.get("line") or {}
        c = colour(
            line.get("color")
            or (marker.get("color") if isinstance(marker.get("color"), str) else None),
            PALETTE[i % len(PALETTE)],
        )
        label = text(plain(t.get("name")))[:28]
        d.add(Rect(x, 3, 6, 6, fillColor=c, strokeColor=None))
        d.add(String(x + 8, 3, label, fontName="Vera", fontSize=6))
        x += 14 + 3.4 * len(label)
        if x > width - 40:
            break
