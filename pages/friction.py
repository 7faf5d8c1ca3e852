"""Sales vs tech: where do sales and delivery pull against each other?

Its sections are in ui/sections/friction.py; its heading and texts in analytics/areas.py.
"""

from __future__ import annotations

from ui.sections import area_page

area_page("friction")
