"""Pace: are you selling steadily enough to keep work coming, at a pace your people can hold?

Its sections are in ui/sections/pace.py; its heading and texts in analytics/areas.py.
"""

from __future__ import annotations

from ui.sections import area_page

area_page("pace")
