"""Reading the figures: `kpis` and the read-only `snapshot` links."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analytics import store
from analytics.cli import common
from analytics.cli.records import record_json


def add_parsers(sub: Any) -> None:
    p = common.command(
        sub,
        "kpis",
        help="compute every indicator for a workspace",
        description="Compute every registered indicator as of the last date in the data "
        "(or --as-of). Unknown values are null, with the reason in the message.",
    )
    p.add_argument(
        "--as-of", metavar="YYYY-MM-DD", type=common.iso_date, help="compute as of this day"
    )
    common.add_json(p)

    actions = common.action_group(
        sub,
        "snapshot",
        help="make, list, revoke and export read-only snapshot links",
        description="A snapshot freezes a page's figures and charts under a private link "
        "(<base>/?snapshot=TOKEN) that shows them read-only and nothing else.",
    )
    p = common.command(actions, "create", help="freeze a page and print its id, token and link")
    p.add_argument(
        "--page",
        default="scoreboard",
        help="scoreboard (default), pace, niche, fit or friction",
    )
    p.add_argument("--title", default="", help="title (default: page and day)")
    p.add_argument("--author", default="", help="name shown on the snapshot")
    p.add_argument(
        "--anonymous", action="store_true", help="show 'anonymous' instead of the business name"
    )
    p.add_argument("--expires-days", type=int, metavar="N", help="the link stops after N days")
    p.add_argument(
        "--as-of", metavar="YYYY-MM-DD", type=common.iso_date, help="figures as of this day"
    )
    p.add_argument(
        "--base-url",
        metavar="URL",
        help="start of the link (default: the workspace's setting, else http://localhost:8501)",
    )
    common.add_json(p)
    p = common.command(
        actions, "list", help="list a workspace's snapshots and their state", listing=True
    )
    p = common.command(
        actions, "revoke", help="turn a snapshot link off for good", workspace="none"
    )
    p.add_argument("snapshot_id", metavar="ID", type=int)
    p = common.command(
        actions, "export", help="write a snapshot as one self-contained HTML file", workspace="none"
    )
    p.add_argument("snapshot_id", metavar="ID", type=int)
    p.add_argument("file", metavar="FILE.html")


def cmd_kpis(args: argparse.Namespace) -> int:
    from analytics import indicators

    con = common.open_store(args, read_only=True)
    ws = store.get_workspace(con, args.workspace)
    ctx = indicators.context(con, ws.id, args.as_of)
    results = indicators.compute_all(con, ws.id, args.as_of)
    as_of = ctx.as_of.isoformat() if ctx else None
    if args.json:
        payload = {
            "workspace": ws.name,
            "as_of": as_of,
            "indicators": {k: indicators.result_json(r) for k, r in results.items()},
        }
        print(json.dumps(payload))
        return 0
    print(f"{ws.name} — as of {as_of or 'no data yet'}")
    for ind_id, r in sorted(results.items(), key=lambda kv: indicators.STATUS_ORDER[kv[1].status]):
        word = indicators.STATUS_WORD[r.status]
        print(f"  [{word:^15}] {indicators.get(ind_id).label}: {r.message}")
    return 0


# Where links point when neither --base-url nor the workspace's setting says otherwise.
DEFAULT_BASE = "http://localhost:8501"


def _snapshot_line(snap: Any) -> str:
    until = f", until {snap.expires_at:%Y-%m-%d %H:%M}" if snap.expires_at else ""
    return (
        f"{snap.id:>4}  [{snap.state():^7}] {snap.title} ({snap.page_title}, "
        f"made {snap.created_at:%Y-%m-%d %H:%M}{until})"
    )


def _snapshot_json(snap: Any) -> dict[str, Any]:
    return record_json(snap, leave_out=("workspace_id", "copyable"))


def cmd_snapshot(args: argparse.Namespace) -> int:
    from analytics import snapshots  # draws charts: loaded only when asked for
    from analytics.settings import get_settings

    # Listing and exporting only read: they open the store read-only.
    con = common.open_store(args, read_only=args.snapshot_action in ("list", "export"))
    action = args.snapshot_action
    if action == "create":
        ws = store.get_workspace(con, args.workspace)
        blocks, day_ = snapshots.page_blocks(con, ws.id, args.page, args.as_of)
        snap, token = snapshots.create(
            con,
            ws.id,
            args.page,
            blocks,
            title=args.title,
            author=args.author,
            anonymous=args.anonymous,
            expires_days=args.expires_days,
            as_of=day_,
        )
        base = args.base_url or get_settings(con, ws.id).get("share_base_url") or DEFAULT_BASE
        url = snapshots.link(str(base), token)
        if args.json:
            print(json.dumps({**_snapshot_json(snap), "token": token, "link": url}))
        else:
            print(f"Snapshot {snap.id}: {snap.title}\ntoken: {token}\nlink:  {url}")
        return 0
    if action == "list":
        ws = store.get_workspace(con, args.workspace)
        listed = snapshots.list_snapshots(con, ws.id)
        return common.print_listing(
            args, listed, _snapshot_json, _snapshot_line, empty=f"{ws.name} has no snapshots."
        )
    snap = snapshots.find(con, args.snapshot_id)
    if action == "revoke":
        snap = snapshots.revoke(con, snap.workspace_id, snap.id)
        print(f"Snapshot {snap.id} ({snap.title}) is revoked: its link now says it is not valid.")
        return 0
    html = snapshots.to_html(snapshots.frozen(con, snap.workspace_id, snap.id))
    target = Path(args.file)
    target.write_text(html, encoding="utf-8")
    print(f"Wrote {target} ({len(html.encode('utf-8')) / 1e6:.1f} MB, opens without a network).")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "kpis": cmd_kpis,
    "snapshot": cmd_snapshot,
}
