"""Niche growth: which segments carry the business, which are growing, and which are running dry?

Its sections are in ui/sections/niche.py; its heading and texts in analytics/areas.py.
"""

from __future__ import annotations

from ui.sections import area_page

area_page("niche")
