"""Where a group's members stand: labels, each member's latest figures, quartiles, reds."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analytics.indicators import REGISTRY
from analytics.peers.groups import require_member
from analytics.queries import query
from analytics.store import Connection


def member_labels(
    con: Connection, group_id: int, *, viewer: int, mark_you: bool = True
) -> pd.DataFrame:
    """Members with the label shown for them: 'You' (unless `mark_you` is off: the labels the
    room sees), a name they opted to show, 'Member A'… A hidden name stays out of the frame, and
    `here` says whether the member publishes on this server."""
    you = require_member(con, group_id, viewer)
    frame = query(
        con, "peer_member_labels", {"g": group_id, "viewer": you.member_key if mark_you else ""}
    )
    frame["here"] = frame["workspace_id"].notna()
    frame.loc[
        ~(frame["show_name"].astype(bool) | (frame["member_key"] == you.member_key)), "name"
    ] = ""
    return frame.drop(columns=["workspace_id"])


def latest_figures(
    con: Connection,
    group_id: int,
    *,
    viewer: int,
    until: date | None = None,
    mark_you: bool = True,
) -> pd.DataFrame:
    """Each member's latest card, one row per figure, with the member's label and is_you."""
    labels = member_labels(con, group_id, viewer=viewer, mark_you=mark_you)
    figures = query(con, "peer_latest_figures", {"g": group_id, "until": until})
    return figures.merge(labels[["member_key", "label", "is_you"]], on="member_key", how="inner")


def spread(con: Connection, group_id: int, *, viewer: int) -> pd.DataFrame:
    """Per indicator (and currency, for money): members counted, low, Q1, median, Q3, high."""
    require_member(con, group_id, viewer)
    return query(con, "peer_spread", {"g": group_id})


def standing(con: Connection, group_id: int, *, viewer: int) -> pd.DataFrame:
    """The viewer's figures beside the group's quartiles, with where each one falls.

    `position` is 'bottom quartile' when the figure is on the wrong side of Q1 (or Q3 for a
    lower-is-better figure), 'top quartile' on the right side of the other, else 'middle';
    'unknown' when the viewer has no value.
    """
    stats = spread(con, group_id, viewer=viewer)
    mine = latest_figures(con, group_id, viewer=viewer)
    mine = mine[mine["is_you"]][["indicator_id", "basis", "value", "status"]]
    out = stats.merge(mine, on=["indicator_id", "basis"], how="left")
    better = out["indicator_id"].map(lambda i: REGISTRY[i].higher_is_better).astype(bool)
    below, above = out["value"] < out["q1"], out["value"] > out["q3"]
    bottom = (better & below) | (~better & above)
    top = (better & above) | (~better & below)
    out["position"] = "middle"
    out.loc[top, "position"] = "top quartile"
    out.loc[bottom, "position"] = "bottom quartile"
    out.loc[out["value"].isna(), "position"] = "unknown"
    out["status"] = out["status"].fillna("unknown")
    order = {i: n for n, i in enumerate(REGISTRY)}
    return out.sort_values(
        ["indicator_id", "basis"], key=lambda s: s.map(order) if s.name == "indicator_id" else s
    ).reset_index(drop=True)


def reds(con: Connection, group_id: int, *, viewer: int, until: date | None = None) -> pd.DataFrame:
    """Per member with a red figure on their latest card: member_key and reds (indicator ids in
    registry order)."""
    figures = latest_figures(con, group_id, viewer=viewer, until=until, mark_you=False)
    red = figures[figures["status"] == "red"]
    grouped = red.groupby("member_key", sort=False)["indicator_id"].agg(list).rename("reds")
    return grouped.reset_index()
