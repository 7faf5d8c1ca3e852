"""Where a group's members stand: labels, each member's latest figures, quartiles, reds.

A figure is pooled only over cards that follow the current version of its definition in the
peer dictionary; members whose latest card follows another version are counted apart
(`older`). Quartiles are drawn only when at least MIN_FOR_QUARTILES members published the
figure (`banded`); below that the page shows the values as dots and says why.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from analytics.indicators import REGISTRY
from analytics.peers.dictionary import current_version
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
    figures["version"] = _definition_versions(con, figures)
    figures["current"] = figures["version"] == figures["indicator_id"].map(current_version)
    return figures.merge(labels[["member_key", "label", "is_you"]], on="member_key", how="inner")


def _definition_versions(con: Connection, figures: pd.DataFrame) -> list[int]:
    """Each figure's definition version, read from its card (a version-1 card's: all 1)."""
    ids = sorted({int(c) for c in figures["card_id"]})
    rows = (
        con.cursor()
        .execute("SELECT id, card FROM peer_cards WHERE list_contains($ids, id)", {"ids": ids})
        .fetchall()
    )
    versions: dict[tuple[int, str], int] = {}
    for card_id, text in rows:
        for f in json.loads(text)["figures"]:
            versions[(int(card_id), str(f["id"]))] = int(f.get("version") or 1)
    return [
        versions.get((int(c), str(i)), 1)
        for c, i in zip(figures["card_id"], figures["indicator_id"], strict=True)
    ]


# Fewer members than this on a figure: their values as dots, no median or quartiles drawn.
MIN_FOR_QUARTILES = 5
_SPREAD_COLUMNS = ["indicator_id", "basis", "members", "low", "q1", "median", "q3", "high"]


def spread(con: Connection, group_id: int, *, viewer: int) -> pd.DataFrame:
    """Per indicator (and currency, for money), over each member's latest card: members counted,
    low, Q1, median, Q3, high — by linear interpolation between members (as DuckDB's
    quantile_cont and Excel's QUARTILE.INC), so 0.10, 0.20, 0.40 give Q1 0.15, median 0.20,
    Q3 0.30. Only figures that follow the current definition `version` are pooled; `older`
    counts members whose figure follows another version, `banded` says whether enough members
    published it for quartiles. Unknown figures (no value) are not counted."""
    figures = latest_figures(con, group_id, viewer=viewer)
    known = figures[figures["value"].notna()]
    out = []
    for (ind_id, basis), part in known.groupby(["indicator_id", "basis"], sort=True):
        pooled = part.loc[part["current"], "value"].astype(float)
        quartiles = pooled.quantile([0.25, 0.5, 0.75]) if len(pooled) else None
        out.append(
            {
                "indicator_id": ind_id,
                "basis": basis,
                "members": len(pooled),
                "low": pooled.min(),
                "q1": quartiles.iloc[0] if quartiles is not None else None,
                "median": quartiles.iloc[1] if quartiles is not None else None,
                "q3": quartiles.iloc[2] if quartiles is not None else None,
                "high": pooled.max(),
                "version": current_version(str(ind_id)),
                "older": int((~part["current"]).sum()),
            }
        )
    frame = pd.DataFrame(out, columns=[*_SPREAD_COLUMNS, "version", "older"])
    frame["members"] = frame["members"].astype("int64")
    frame["older"] = frame["older"].astype("int64")
    for column in ("low", "q1", "median", "q3", "high"):
        frame[column] = frame[column].astype(float)
    frame["banded"] = frame["members"] >= MIN_FOR_QUARTILES
    return frame


def standing(con: Connection, group_id: int, *, viewer: int) -> pd.DataFrame:
    """The viewer's figures beside the group's quartiles, with where each one falls.

    `position` is 'bottom quartile' when the figure is on the wrong side of Q1 (or Q3 for a
    lower-is-better figure), 'top quartile' on the right side of the other, else 'middle';
    'unknown' when the viewer has no value.
    """
    stats = spread(con, group_id, viewer=viewer)
    mine = latest_figures(con, group_id, viewer=viewer)
    mine = mine[mine["is_you"] & mine["current"]][["indicator_id", "basis", "value", "status"]]
    out = stats.merge(mine, on=["indicator_id", "basis"], how="left")
    better = out["indicator_id"].map(lambda i: REGISTRY[i].higher_is_better).astype(bool)
    below, above = out["value"] < out["q1"], out["value"] > out["q3"]
    bottom = (better & below) | (~better & above)
    top = (better & above) | (~better & below)
    out["position"] = "middle"
    out.loc[top, "position"] = "top quartile"
    out.loc[bottom, "position"] = "bottom quartile"
    out.loc[out["value"].isna() | out["q1"].isna(), "position"] = "unknown"
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


def pooling_notes(members: int, older: int) -> list[str]:
    """Why a figure's strip is drawn as it is: too few members for quartiles, and members
    whose card follows another definition of the figure (listed apart, never pooled)."""
    notes = []
    if members < MIN_FOR_QUARTILES:
        who = "Only 1 member" if members == 1 else f"Only {members} members"
        notes.append(
            f"{who} published this figure: quartiles need {MIN_FOR_QUARTILES}."
            if members
            else "No member published the current definition of this figure."
        )
    if older:
        who = "1 member" if older == 1 else f"{older} members"
        notes.append(
            f"{who} published an older definition of this figure: listed apart, not pooled."
        )
    return notes
