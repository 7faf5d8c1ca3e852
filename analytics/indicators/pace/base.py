"""What every Pace figure shares: its constants, the weeks it looks back over and the
sparklines' reading.
"""

from __future__ import annotations

import pandas as pd

from analytics.indicators.base import Context, Result

PAGE = "pace"

# Fewest complete weeks of history before a weekly figure means anything.
MIN_WEEKS = 4
# A coming month is a "hole" when bookings already won cover less than this share of a
# typical month's bookings.
HOLE_SHARE = 0.6
# How far ahead the bookings-vs-revenue frame reaches (months after the as-of month).
HORIZON_MONTHS = 6
MAX_LAG_MONTHS = 6


def setting_weeks(ctx: Context) -> int:
    """The complete weeks a weekly pace figure looks back over (setting pace_weeks)."""
    return int(ctx.settings.get("pace_weeks", 13))


def tail_series(result: Result, date_col: str, value_col: str, n: int) -> pd.Series:
    """A sparkline: the last `n` past rows of a result's frame, value by date."""
    frame = result.frame
    if frame.empty or date_col not in frame or value_col not in frame:
        return pd.Series(dtype=float)
    past = frame[~frame["future"]] if "future" in frame else frame
    return pd.Series(past[value_col].to_numpy(dtype=float), index=past[date_col]).tail(n)
