"""The business's issues list from the command line: `issue-list` lists it; `issue-list add|
discuss|solve|drop|restore|priority|move|undo` change it (see analytics.issues_list)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from analytics import indicators, peers, review, store
from analytics import issues_list as il
from analytics.cli.common import command, fail, iso_date, open_store, print_listing
from analytics.settings import get_settings

ACTION = "issue_list_action"


def _shared(p: argparse.ArgumentParser, *, json_out: bool = True) -> None:
    """--db, --wait, --workspace (and --json) before or after the action: given after it, they
    are the action's; left out, they keep what was given before it."""
    p.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help="the DuckDB store")
    p.add_argument("--wait", metavar="SECONDS", type=float, default=argparse.SUPPRESS)
    p.add_argument("--workspace", metavar="NAME", default=argparse.SUPPRESS, help="workspace")
    if json_out:
        p.add_argument("--json", action="store_true", default=argparse.SUPPRESS)


def _who(p: argparse.ArgumentParser) -> None:
    p.add_argument("--who", default="", help="name kept with the change")


def add_parsers(sub: Any) -> None:
    p = command(
        sub,
        "issue-list",
        workspace="optional",
        help="the business's issues list: list, add, discuss, solve, drop, restore, reorder, undo",
        description="Without an action: the open items in working order (priority 1 high, "
        "2 medium, 3 low; then the order raised), with what each came from and the session "
        "that raised or solved it. --all adds the solved and dropped ones.",
    )
    p.add_argument("--json", action="store_true", help="print one JSON array on stdout")
    p.add_argument("--all", action="store_true", help="include solved and dropped items")
    actions = p.add_subparsers(dest=ACTION, required=False, metavar="ACTION")
    a = actions.add_parser("add", help="put a typed-in topic or a red/amber figure on the list")
    _shared(a)
    a.add_argument("--title", default="", help="what the issue is (default for a figure: "
                   "'<figure> is red')")  # fmt: skip
    a.add_argument("--priority", default="2", help="1/high, 2/medium (default), 3/low")
    a.add_argument("--by", default="", help="who raised it")
    a.add_argument(
        "--from-indicator", metavar="ID", help="the figure it comes from (must be red or amber)"
    )
    for name, what in (
        ("discuss", "start discussing an open item"),
        ("drop", "drop an item (restore brings it back)"),
        ("restore", "bring a dropped item back on the list"),
    ):
        a = actions.add_parser(name, help=what)
        _shared(a)
        a.add_argument("issue_id", metavar="ID", type=int)
        _who(a)
    a = actions.add_parser("solve", help="solve a discussed item: a commitment with owner and due")
    _shared(a)
    a.add_argument("issue_id", metavar="ID", type=int)
    a.add_argument("--owner", required=True, help="who does it")
    a.add_argument("--due", required=True, type=iso_date, metavar="YYYY-MM-DD")
    a.add_argument("--text", default="", help="the commitment (default: the issue's title)")
    a.add_argument("--session", type=int, help="the review session (default: the newest open one)")
    _who(a)
    a = actions.add_parser("priority", help="set an open item's priority (1/high … 3/low)")
    _shared(a)
    a.add_argument("issue_id", metavar="ID", type=int)
    a.add_argument("priority", metavar="PRIORITY")
    _who(a)
    a = actions.add_parser("move", help="move an open item up or down within its priority")
    _shared(a)
    a.add_argument("issue_id", metavar="ID", type=int)
    a.add_argument("direction", choices=("up", "down"))
    _who(a)
    a = actions.add_parser("undo", help="undo the list's last change")
    _shared(a)
    _who(a)


def item_json(issue: il.Issue) -> dict[str, Any]:
    def when(value: Any) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "id": issue.id,
        "title": issue.title,
        "raised_by": issue.raised_by,
        "priority": issue.priority,
        "priority_word": issue.priority_word,
        "state": issue.state,
        "from": issue.source.text,
        "source": {"kind": issue.source.kind, "id": issue.source.id or None},
        "raised_at": when(issue.raised_at),
        "raised_in_session": issue.raised_session_id,
        "raised_session_on": when(issue.raised_on),
        "closed_at": when(issue.closed_at),
        "closed_in_session": issue.closed_session_id,
        "closed_session_on": when(issue.closed_on),
        "commitment_id": issue.commitment_id,
    }


def item_line(issue: il.Issue) -> str:
    by = f" · raised by {issue.raised_by}" if issue.raised_by else ""
    raised = f" in the session of {issue.raised_on}" if issue.raised_on else ""
    closed = f" · {issue.state} in the session of {issue.closed_on}" if issue.closed_on else ""
    made = f" → commitment #{issue.commitment_id}" if issue.commitment_id else ""
    return (
        f"#{issue.id:<4} P{issue.priority} {issue.priority_word:<6} [{issue.state}] "
        f"{issue.title} — {issue.source.text}{by}{raised}{closed}{made}"
    )


def newest_open_session(con: store.Connection, workspace_id: int) -> int:
    """The newest session not closed of any group this business is in."""
    found = [
        s
        for g in peers.list_groups(con, [workspace_id])
        for s in review.sessions(con, g.id, viewer=workspace_id)
        if not s.is_closed
    ]
    if not found:
        raise il.IssueError(
            "Solving makes a commitment in a review session, and no session is open: start "
            "one on the Review session page (or give --session)."
        )
    return max(found, key=lambda s: (s.held_on, s.id)).id


def _from_indicator(con: store.Connection, workspace_id: int, indicator_id: str) -> il.Source:
    try:
        ind = indicators.get(indicator_id)
    except KeyError:
        raise il.IssueError(f"There is no figure {indicator_id!r}.") from None
    ctx = indicators.context(con, workspace_id)
    if ctx is None:
        raise il.IssueError("No data yet: load some, then raise a figure that is red or amber.")
    result = indicators.compute(ind, ctx)
    currency = str(get_settings(con, workspace_id)["currency"])
    return il.figure_source(ind.id, result.status, result.value, currency, place="Scoreboard")


def cmd_issue_list(args: argparse.Namespace) -> int:
    action = getattr(args, ACTION, None)
    if not args.workspace:
        return fail("give the business with --workspace NAME", 2)
    con = open_store(args, read_only=action is None)
    ws = store.get_workspace(con, args.workspace).id
    if action is None:
        items = il.list_issues(con, ws, include_closed=args.all)
        return print_listing(args, items, item_json, item_line, empty="The issues list is empty.")
    if action == "add":
        source = il.TYPED
        title = args.title
        if args.from_indicator:
            source = _from_indicator(con, ws, args.from_indicator)
            title = title or source.note.split(" — ", 1)[1]
        new = il.add_issue(con, ws, title, raised_by=args.by, priority=args.priority, source=source)
        return _done(args, il.get_issue(con, ws, new), f"Added #{new}.")
    if action == "undo":
        message = il.undo_last(con, ws, who=args.who)
        if args.json:
            print(json.dumps({"undone": message}))
        else:
            print(message)
        return 0
    if action == "solve":
        session = args.session or newest_open_session(con, ws)
        cid = il.solve(
            con, ws, args.issue_id, session, args.owner, args.due, text=args.text, who=args.who
        )
        return _done(args, il.get_issue(con, ws, args.issue_id), f"Commitment #{cid} made.")
    if action == "priority":
        issue = il.set_priority(con, ws, args.issue_id, args.priority, who=args.who)
        return _done(args, issue, f"#{issue.id} is priority {issue.priority_word}.")
    if action == "move":
        issue = il.move(con, ws, args.issue_id, up=args.direction == "up", who=args.who)
        return _done(args, issue, f"#{issue.id} moved {args.direction}.")
    change = {"discuss": il.discuss, "drop": il.drop, "restore": il.restore}[action]
    issue = change(con, ws, args.issue_id, who=args.who)
    return _done(args, issue, f"#{issue.id} is {issue.state}.")


def _done(args: argparse.Namespace, issue: il.Issue, message: str) -> int:
    if args.json:
        print(json.dumps(item_json(issue)))
    else:
        print(f"{message} {item_line(issue)}")
    return 0


COMMANDS = {"issue-list": cmd_issue_list}
