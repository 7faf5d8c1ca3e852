"""A demo peer group: six demo businesses of different sizes and seeds, with published KPI
cards and one past review session, so a single owner sees the Peers and Review pages working.

`python -m analytics demo --peers` builds it beside the demo business (which is the group's
founder, "You" on its own pages). Each other business is the demo builder
(analytics.demo.generate_demo) run into its own workspace with its own seed and size. Every
member publishes its card as of the last day of its data, dated the day after; five of the
six share amounts (so money and counts have five members too) and three show their names.
Everything is fixed, never the wall clock, so the group is the same on every machine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TypedDict

from analytics import demo, peers, review, store

GROUP_NAME = "Demo peer circle"
SESSION_DAY = date(2026, 10, 6)
PUBLISHED_AT = datetime(2026, 11, 2, 9, 0)


class MemberChoices(TypedDict):
    """A member's choices, as `peers.join_group` takes them."""

    name: str
    show_name: bool
    share_amounts: bool
    reset_item: str


@dataclass(frozen=True)
class PeerBusiness:
    workspace: str
    display_name: str
    seed: int
    customers: int  # paying customers over the history (the demo business has 242)
    techs: int
    salespeople: int
    show_name: bool
    share_amounts: bool
    reset_item: str

    @property
    def choices(self) -> MemberChoices:
        """How it takes part: under its display name, shown or not, amounts shared or not,
        with its Hard reset item."""
        return MemberChoices(
            name=self.display_name,
            show_name=self.show_name,
            share_amounts=self.share_amounts,
            reset_item=self.reset_item,
        )


# The five other businesses: smaller and larger than the demo's 242 customers and 10 techs.
BUSINESSES: tuple[PeerBusiness, ...] = (
    PeerBusiness(
        "Demo - Northwind Support", "Northwind Support", 101, 120, 5, 3, True, True,
        "Stop discounting renewals",
    ),
    PeerBusiness(
        "Demo - Kestrel Systems", "Kestrel Systems", 202, 170, 7, 3, False, True,
        "A weekly prospecting slot on Tuesdays",
    ),
    PeerBusiness(
        "Demo - Lantern IT", "Lantern IT", 303, 210, 8, 4, True, False,
        "Timesheets filled in every Friday",
    ),
    PeerBusiness(
        "Demo - Pier Networks", "Pier Networks", 404, 300, 12, 6, False, True, "",
    ),
    PeerBusiness(
        "Demo - Summit Managed Services", "Summit Managed Services", 505, 380, 15, 6, True, True,
        "Cut loose the two slowest deals",
    ),
)  # fmt: skip

# What the group decided at its last session, by member (0 is the demo business): owner, what,
# days after the session it is due.
COMMITMENTS: tuple[tuple[int, str, str, int], ...] = (
    (0, "Sam", "Book two hours of prospecting every Tuesday morning", 14),
    (1, "Priya", "Call the three biggest customers not contacted for a month", 7),
    (2, "Jo", "Review every open deal older than 90 days and close the lost ones", 21),
    (4, "Alex", "Put list prices on the website and stop ad-hoc discounts", 28),
)


@contextlib.contextmanager
def _scale(business: PeerBusiness) -> Iterator[str]:
    """The demo builder's small scale resized to this business, under its own name, for the
    time it is built (analytics.demo knows only its two shipped scales)."""
    name = f"peer-{business.seed}"
    demo.SCALES[name] = replace(
        demo.SCALES["small"],
        customers=business.customers,
        techs=business.techs,
        salespeople=business.salespeople,
    )
    try:
        yield name
    finally:
        del demo.SCALES[name]


def _business(con: store.Connection, business: PeerBusiness) -> store.Workspace:
    """The business's workspace, built by the demo builder unless it already holds data."""
    ws = store.find_workspace(con, business.workspace)
    if ws is None:
        ws = store.create_workspace(con, business.workspace, business.display_name)
    if sum(store.entity_counts(con, ws.id).values()) == 0:
        with _scale(business) as scale:
            demo.generate_demo(con, ws.id, scale=scale, seed=business.seed)
    return ws


def load_demo_peers(con: store.Connection, founder: store.Workspace) -> peers.Group:
    """The demo peer group with `founder` (the demo business) and five more demo businesses,
    each card published, and one past review session with its commitments. Does nothing but
    return the group when the founder is already in it."""
    existing = peers.find_group(con, GROUP_NAME, viewer=founder.id)
    if existing is not None:
        return existing
    others = [_business(con, b) for b in BUSINESSES]
    group = peers.create_group(con, GROUP_NAME, founder=founder.id)
    peers.join_group(
        con, group.id, founder.id, share_amounts=True, reset_item="Invoice within a week"
    )
    for business, ws in zip(BUSINESSES, others, strict=True):
        peers.join_group(con, group.id, ws.id, sponsor=founder.id, **business.choices)
    for ws in [founder, *others]:  # as of the last day of its data
        peers.publish(con, group.id, ws.id, published_at=PUBLISHED_AT)
    keys = [peers.membership(con, group.id, ws.id) for ws in [founder, *others]]
    session = review.start_session(con, group.id, SESSION_DAY, viewer=founder.id)
    for n, owner, text, days in COMMITMENTS:
        member = keys[n]
        assert member is not None
        review.add_commitment(
            con,
            session.id,
            member.member_key,
            owner,
            text,
            SESSION_DAY + timedelta(days=days),
            viewer=founder.id,
        )
    review.close_session(con, session.id, viewer=founder.id)
    return group
