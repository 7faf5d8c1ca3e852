"""Indicator.judged: a known result coloured under the owner's thresholds."""

from __future__ import annotations

import pandas as pd

from analytics.indicators.base import Indicator, Result, Thresholds


def _never(ctx: object) -> Result:
    raise AssertionError("not computed here")


LATE = Indicator(
    id="late_share",
    area="pace",
    label="Late",
    unit="share",
    higher_is_better=False,
    description="A share where less is better.",
    thresholds=Thresholds(green=0.1, red=0.25),
    compute=_never,
)


def test_judged_colours_by_the_default_thresholds() -> None:
    # Lower is better: up to 0.1 green, above 0.25 red, amber between.
    assert [LATE.judged(v, {}, "m", {}).status for v in (0.05, 0.1, 0.2, 0.25, 0.3)] == [
        "green",
        "green",
        "amber",
        "amber",
        "red",
    ]


def test_judged_follows_the_owners_thresholds_and_keeps_what_it_is_given() -> None:
    frame = pd.DataFrame({"x": [1, 2]})
    r = LATE.judged(
        0.3, {"threshold:late_share": {"green": 0.3, "red": 0.5}}, "Late 30%", {"n": 2}, frame
    )
    assert (r.id, r.value, r.status, r.message, r.details) == (
        "late_share",
        0.3,
        "green",
        "Late 30%",
        {"n": 2},
    )
    assert r.frame is frame
    assert r.known
    # No frame: an empty one, as a Result made without one.
    assert LATE.judged(0.3, {}, "m", {}).frame.empty
