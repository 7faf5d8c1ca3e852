"""The page registry: every page of the app and every indicator area, named once.

The navigation (app.py), the indicator areas (`analytics.indicators.AREAS`), the page
headers, snapshots and the browser tests all read this. A page's file is
`pages/<id>.py`; an area is the page of the same id whose indicators come from the module
`analytics.indicators.<id>`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One page of the navigation, in sidebar order."""

    id: str
    title: str
    icon: str
    # The heading the page shows when it differs from its title (Home shows the business).
    heading: str = ""
    # One sentence under the heading: why the page matters (pages that draw their own
    # heading leave it empty).
    intro: str = ""
    # True when the page draws charts on the demo business (the browser test waits for them).
    charts: bool = False
    # True when a snapshot can freeze the page (`analytics.snapshots`).
    snapshot: bool = False
    default: bool = False

    @property
    def file(self) -> str:
        """The page's file, relative to app.py."""
        return f"pages/{self.id}.py"

    @property
    def url_path(self) -> str:
        """The page's address after the server's (the default page has none)."""
        return "" if self.default else self.id

    @property
    def shown_heading(self) -> str:
        return self.heading or self.title


@dataclass(frozen=True)
class Area:
    """An indicator area: the page of the same id loops over its registry entries."""

    id: str
    # What the page says, and stops at, while the business has no dated data.
    empty: str = "Nothing to show yet: load the demo business or your own data first."
    # Appended to the page's "as of" line: how its figures count.
    as_of_note: str = ""
    # "What to do next" when every figure of the area is green.
    all_clear: str = "Every figure here is on track."
    # The label of the link to Settings at the page's end (none when empty).
    settings_link: str = ""

    @property
    def module(self) -> str:
        """The module that registers the area's indicators when imported."""
        return f"analytics.indicators.{self.id}"


PAGES: tuple[Page, ...] = (
    Page("home", "Home", "🏠", heading="Welcome to Opening Day", default=True),
    Page(
        "scoreboard",
        "Scoreboard",
        "🏁",
        intro="Every figure Opening Day tracks, the ones that need you first. Each links to the "
        "page that explains it; the weekly scorecard below shows the last 13 weeks against your "
        "goals.",
        snapshot=True,  # no charts on a view: the cards' trends are pictures
    ),
    Page(
        "pace",
        "Pace",
        "⏱️",
        intro="While you deliver you are not selling, and a quiet month of prospecting becomes a "
        "hole in the cash about two months later. This page shows whether selling is steady and "
        "whether the work is being done at a pace your people can keep.",
        charts=True,
        snapshot=True,
    ),
    Page(
        "niche",
        "Niche growth",
        "🧭",
        intro="A niche you know well is a strength until it runs out of new buyers. This page "
        "shows which segments bring the revenue, which are growing, and where new customers are "
        "drying up while revenue still looks fine.",
        charts=True,
        snapshot=True,
    ),
    Page(
        "fit",
        "Customer fit",
        "🤝",
        intro="Which customers are worth keeping close, which cost you more than they pay, and "
        "what does an ideal customer look like? A few customers bring most of the revenue and a "
        "few bring most of the trouble: this page names them, so you can spend your time where "
        "it pays.",
        charts=True,
        snapshot=True,
    ),
    Page(
        "friction",
        "Sales vs tech",
        "🔧",
        intro="Where do sales and delivery pull against each other: discounts, optimistic "
        "estimates, presales time, deals that should be dropped? Each figure below comes from "
        "your own deals and timesheets over the last 12 months.",
        charts=True,
        snapshot=True,
    ),
    Page("reset", "Hard reset", "🧰"),
    Page("peers", "Peers", "👥"),
    Page("review", "Review session", "🗓️"),
    Page("sharing", "Shared links", "🔗"),
    Page("data", "Data", "📥", heading="Your data"),
    Page("settings", "Settings", "⚙️"),
)

# The indicator areas, in the order pages, the Scoreboard and the command line show them.
AREAS: tuple[Area, ...] = (
    Area(
        "pace",
        as_of_note="Weeks are complete ISO weeks (Monday to Sunday).",
        all_clear="Every pace figure is on track. Keep the weekly prospecting slot anyway.",
        settings_link="Adjust targets and the sustainable band in Settings",
    ),
    Area(
        "niche",
        empty="Nothing to show yet: load the demo business or your own invoices first.",
        as_of_note="The last 12 months are compared with the 12 before.",
        all_clear="Your niches look healthy. Check again next quarter.",
    ),
    Area(
        "fit",
        empty="Nothing to show yet: load the demo business or your own invoices first.",
        as_of_note="A figure's 12 months run from the day after the same day a year earlier up "
        "to and including its day.",
        all_clear="Your customer base looks healthy. Check again next quarter.",
        settings_link="Adjust cost rates and the contact interval in Settings",
    ),
    Area(
        "friction",
        as_of_note="A figure's 12 months end on its day (an open deal counts by the day it was "
        "created: its expected close is a forecast).",
        all_clear="Sales and delivery pull the same way on every figure here. Look again next "
        "quarter.",
        settings_link="Change the deep-discount line, weekly capacity and thresholds in Settings",
    ),
)

_BY_ID: dict[str, Page] = {p.id: p for p in PAGES}
_AREA_BY_ID: dict[str, Area] = {a.id: a for a in AREAS}


def page(page_id: str) -> Page:
    try:
        return _BY_ID[page_id]
    except KeyError:
        raise KeyError(f"no page {page_id!r}") from None


def area(area_id: str) -> Area:
    try:
        return _AREA_BY_ID[area_id]
    except KeyError:
        raise KeyError(f"no indicator area {area_id!r}") from None


def labels() -> dict[str, str]:
    """Area id → the title of its page, in area order."""
    return {a.id: page(a.id).title for a in AREAS}


def snapshot_pages() -> dict[str, str]:
    """The pages a snapshot can freeze: page id → title."""
    return {p.id: p.title for p in PAGES if p.snapshot}


assert all(a.id in _BY_ID for a in AREAS), "every area needs its page"
assert sum(p.default for p in PAGES) == 1, "one default page"
