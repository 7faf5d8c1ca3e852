"""The card's trend as a picture (analytics.figures.sparkline_svg): where each value goes,
worked out by hand on three points, and markup that carries numbers only."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analytics import figures


def test_points_are_spaced_by_date_and_scaled_from_lowest_to_highest() -> None:
    # days 0, 10 and 30 across 240 - 2 * 4 = 232 px: x = 4, 4 + 232/3 = 81.33, 236;
    # values 1..3 across 56 - 2 * 4 = 48 px, highest at the top: y = 52, 4, 28
    series = pd.Series(
        [1.0, 3.0, 2.0], index=[date(2026, 1, 1), date(2026, 1, 11), date(2026, 1, 31)]
    )
    assert figures.sparkline_points(series) == [(4.0, 52.0), (81.3, 4.0), (236.0, 28.0)]


def test_missing_values_are_left_out_and_a_flat_line_sits_in_the_middle() -> None:
    flat = pd.Series(
        [5.0, None, 5.0], index=pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-19"])
    )
    assert figures.sparkline_points(flat) == [(4.0, 28.0), (236.0, 28.0)]
    # no dates in the index: one step per value
    steps = pd.Series([0.0, 10.0, 5.0, 10.0])
    assert [x for x, _ in figures.sparkline_points(steps)] == [4.0, 81.3, 158.7, 236.0]
    assert figures.sparkline_points(pd.Series([], dtype=float)) == []


def test_the_markup_is_the_line_and_a_dot_on_the_last_value() -> None:
    series = pd.Series([2.0, 4.0], index=[date(2026, 3, 1), date(2026, 3, 8)])
    svg = figures.sparkline_svg(series)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 56"')
    assert 'points="4.0,52.0 236.0,4.0"' in svg
    assert '<circle cx="236.0" cy="4.0" r="3"' in svg
    assert svg.count("<") == 4 and "script" not in svg  # svg, polyline, circle, /svg
