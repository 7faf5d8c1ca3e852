"""The PDF pack's charts drawn from a Plotly spec's own data: arrays decoded, axes and bars
placed where the numbers say (worked out by hand), note bands and labels kept, other kinds
named instead of drawn."""

from __future__ import annotations

import base64

import numpy as np
from reportlab.graphics.shapes import Drawing, Rect, String

from analytics.pack import pdf_charts


def shapes(d: Drawing, kind: type) -> list:  # type: ignore[type-arg]
    return [c for c in d.contents if isinstance(c, kind)]


def test_typed_arrays_are_decoded() -> None:
    raw = {
        "dtype": "i2",
        "bdata": base64.b64encode(np.array([1, 2, 3, 4], "i2").tobytes()).decode(),
    }
    assert pdf_charts.values(raw) == [1, 2, 3, 4]
    assert pdf_charts.values({**raw, "shape": "2, 2"}) == [[1, 2], [3, 4]]
    assert pdf_charts.values(["a", None]) == ["a", None]
    assert pdf_charts.values(None) == []


def test_ticks_are_round_numbers() -> None:
    assert pdf_charts.nice_ticks(0, 10) == [0, 2, 4, 6, 8, 10]
    assert pdf_charts.nice_ticks(0, 0.9) == [0, 0.2, 0.4, 0.6000000000000001, 0.8]
    assert [pdf_charts.short(v) for v in (1500000, 25000, 150, 3, 0.25)] == [
        "1.5M",
        "25k",
        "150",
        "3",
        "0.25",
    ]


def test_two_bars_stand_in_proportion_to_their_values() -> None:
    spec = {"data": [{"type": "bar", "x": ["a", "b"], "y": [1, 3], "marker": {"color": "#123456"}}]}
    d = pdf_charts.draw(spec, 300, str, 200)
    bars = [
        r for r in shapes(d, Rect) if r.fillColor is not None and r.fillColor.hexval() == "0x123456"
    ]
    assert len(bars) == 2
    # The value axis runs from 0 to 3 + 5 % = 3.15: heights 1/3.15 and 3/3.15 of the plot.
    plot_h = 200 - 4 - 26  # no title, no legend
    assert [round(b.height, 2) for b in bars] == [
        round(plot_h / 3.15, 2),
        round(3 * plot_h / 3.15, 2),
    ]
    assert bars[0].y == bars[1].y == 22  # both stand on the zero line
    labels = {s.text for s in shapes(d, String)}
    assert {"a", "b"} <= labels


def test_a_note_band_and_its_label_are_drawn_on_a_date_axis() -> None:
    spec = {
        "data": [
            {"type": "scatter", "mode": "lines", "x": ["2025-01-01", "2025-03-01"], "y": [1, 2]}
        ],
        "layout": {
            "title": {"text": "<b>Revenue</b>"},
            "shapes": [
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": "2025-01-15",
                    "x1": "2025-02-15",
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": "rgba(106, 27, 154, 0.10)",
                }
            ],
            "annotations": [
                {
                    "x": "2025-01-15",
                    "xref": "x",
                    "yref": "paper",
                    "y": 1,
                    "text": "Raised prices &lt;8 %&gt;",
                }
            ],
        },
    }
    d = pdf_charts.draw(spec, 400, str)
    texts = [s.text for s in shapes(d, String)]
    assert "Revenue" in texts and "Raised prices <8 %>" in texts  # drawn as text, never markup
    [band] = [r for r in shapes(d, Rect) if r.fillColor is not None and r.fillColor.alpha < 0.2]
    # Jan 15 to Feb 15 is 31 of the axis's 59 days (widened by 5 % each side).
    plot_w = 400 - 44 - 8
    assert round(band.width, 1) == round(31 / (59 * 1.1) * plot_w, 1)


def test_kinds_it_cannot_draw_are_named() -> None:
    spec = {"data": [{"type": "box", "y": [1, 2]}, {"type": "bar", "x": ["a"], "y": [1]}]}
    assert pdf_charts.skipped(spec) == ["box"]
