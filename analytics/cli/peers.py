"""Peer groups from the command line: `peers list [--workspace W] [--json]`.

Lists each group with its members as its members see them ("Member A, B…" unless a member
chose to show their name; "You" for --workspace) and each member's latest card: its day, when
it was published, and every figure with its definition version, value and status. Without
--workspace, every group with a business on this server, read as its first such member
(no one is "You").
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

import pandas as pd

from analytics import peers, store
from analytics.cli.common import action_group, add_db, add_json, add_workspace, open_store
from analytics.indicators import REGISTRY


def add_parsers(sub: Any) -> None:
    actions = action_group(
        sub,
        "peers",
        help="list peer groups, their members and their published figures",
        description="Peer groups on this server: members (anonymous unless they show their "
        "name) and the figures of each member's latest KPI card.",
    )
    p = actions.add_parser(
        "list", help="every group with its members and the figures each published"
    )
    add_db(p)
    add_workspace(p, required=False)
    add_json(p, listing=True)


def _viewers(con: store.Connection, workspace: str | None) -> list[tuple[peers.Group, int]]:
    """Each group listed, with the workspace it is read as."""
    if workspace is not None:
        ws = store.get_workspace(con, workspace)
        return [(g, ws.id) for g in peers.list_groups(con, [ws.id])]
    here = [w.id for w in store.list_workspaces(con)]
    return [
        (g, next(w for w in here if peers.membership(con, g.id, w) is not None))
        for g in peers.list_groups(con, here)
    ]


def _value(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _card(rows: pd.DataFrame) -> dict[str, Any] | None:
    """A member's latest card: its day, when it was published, its figures in registry order."""
    if rows.empty:
        return None
    first = rows.iloc[0]
    order = {i: n for n, i in enumerate(REGISTRY)}
    ordered = rows.sort_values("indicator_id", key=lambda s: s.map(lambda i: order.get(i, 999)))
    return {
        "as_of": None
        if pd.isna(first["as_of"])
        else pd.Timestamp(first["as_of"]).date().isoformat(),
        "published_at": pd.Timestamp(first["published_at"]).isoformat(timespec="seconds"),
        "figures": [
            {
                "id": str(r["indicator_id"]),
                "version": int(r["version"]),
                "value": _value(r["value"]),
                "status": str(r["status"]),
            }
            for r in ordered.to_dict("records")
        ],
    }


def group_listing(
    con: store.Connection, group: peers.Group, viewer: int, mark_you: bool
) -> dict[str, Any]:
    """One group as `peers list --json` prints it."""
    labels = peers.member_labels(con, group.id, viewer=viewer, mark_you=mark_you)
    figures = peers.latest_figures(con, group.id, viewer=viewer, mark_you=mark_you)
    return {
        "group": group.name,
        "members": [
            {
                "label": str(m["label"]),
                "you": bool(m["is_you"]),
                "here": bool(m["here"]),
                "card": _card(figures[figures["member_key"] == m["member_key"]]),
            }
            for m in labels.to_dict("records")
        ],
    }


def _lines(listing: dict[str, Any]) -> list[str]:
    members = listing["members"]
    lines = [f"{listing['group']} ({len(members)} member{'s' if len(members) != 1 else ''})"]
    for m in members:
        card = m["card"]
        if card is None:
            lines.append(f"  {m['label']}: no card yet")
            continue
        day = card["as_of"] or "an unstated day"
        lines.append(
            f"  {m['label']}: card of {day} (published {card['published_at'].replace('T', ' ')}), "
            f"{len(card['figures'])} figures"
        )
        for f in card["figures"]:
            value = "—" if f["value"] is None else f"{f['value']:.6g}"
            lines.append(f"    {f['id']} v{f['version']}  {value}  {f['status']}")
    return lines


def cmd_peers(args: argparse.Namespace) -> int:
    con = open_store(args, read_only=True)
    mark_you = args.workspace is not None
    listings = [group_listing(con, g, w, mark_you) for g, w in _viewers(con, args.workspace)]
    if args.json:
        print(json.dumps(listings))
        return 0
    if not listings:
        print("No peer groups" + (f" for {args.workspace!r}." if mark_you else " on this server."))
        return 0
    print("\n\n".join("\n".join(_lines(g)) for g in listings))
    return 0


COMMANDS = {"peers": cmd_peers}
