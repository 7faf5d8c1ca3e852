"""The CLI's shared parser builders: command() and action_group()."""

from __future__ import annotations

import argparse

import pytest

from analytics.cli.common import action_group, command


def _parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="t")
    sub = root.add_subparsers(dest="command", required=True)
    command(sub, "must", help="needs a workspace")
    command(sub, "may", workspace="optional")
    command(sub, "bare", workspace="none")
    command(sub, "rows", listing=True)
    actions = action_group(sub, "thing")
    command(actions, "show", workspace="none")
    return root


def test_command_adds_the_store_and_workspace_options() -> None:
    args = _parser().parse_args(["must", "--db", "s.duckdb", "--wait", "2", "--workspace", "W"])
    assert (args.command, args.db, args.wait, args.workspace) == ("must", "s.duckdb", 2.0, "W")
    with pytest.raises(SystemExit):
        _parser().parse_args(["must", "--db", "s.duckdb"])  # --workspace is required
    assert _parser().parse_args(["may"]).workspace is None
    bare = _parser().parse_args(["bare", "--db", "s.duckdb"])
    assert not hasattr(bare, "workspace") and not hasattr(bare, "json")
    with pytest.raises(SystemExit):
        _parser().parse_args(["bare", "--workspace", "W"])


def test_a_listing_takes_json_and_an_action_group_names_its_action() -> None:
    rows = _parser().parse_args(["rows", "--workspace", "W", "--json"])
    assert (rows.workspace, rows.json) == ("W", True)
    assert _parser().parse_args(["rows", "--workspace", "W"]).json is False
    shown = _parser().parse_args(["thing", "show", "--db", "s.duckdb"])
    assert (shown.command, shown.thing_action, shown.db) == ("thing", "show", "s.duckdb")
    with pytest.raises(SystemExit):
        _parser().parse_args(["thing"])  # an action is required
