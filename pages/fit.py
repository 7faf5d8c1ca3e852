"""Customer fit: which customers are worth keeping close, which cost more than they pay, and
what does an ideal customer look like?

Its sections are in ui/sections/fit.py; its heading and texts in analytics/areas.py.
"""

from __future__ import annotations

from ui.sections import area_page

area_page("fit")
