"""The cash calendar on the Pace page, headless with AppTest on the demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.apptest import every_tab

pytestmark = pytest.mark.usefixtures("fresh_streamlit")


def test_pace_on_the_demo_shows_the_cash_calendar(demo_db: Path) -> None:
    at, shown, found = every_tab("pages/pace.py")
    specs = [json.loads(spec) for spec in found]
    by_title = {s["layout"]["title"]["text"]: s for s in specs}
    calendar = by_title["Cash expected in, week by week (USD)"]
    names = [t.get("name", "") for t in calendar["data"]]
    assert names[:3] == [
        "Open invoices due (at each customer's usual lateness)",
        "Won deals not yet invoiced",
        "Recurring billing, expected",
    ]
    assert any(n.startswith("Weekly costs") for n in names)
    # The gaps are marked with a sign and a word, not by colour alone.
    marks = [a["text"] for a in calendar["layout"].get("annotations", [])]
    assert "⚠ gap" in marks
    assert "Days sales outstanding, month by month" in by_title
    assert "The customers who pay latest" in shown
    assert "What to do next:" in shown and "days after the due date" in shown
