"""The CLI's shared parser builders: command() and action_group()."""

from __future__ import annotations

import argparse

import pytest

from analytics.cli.common import action_group, command, print_listing


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


def test_print_listing_prints_json_or_lines(capsys: pytest.CaptureFixture[str]) -> None:
    def as_json(n: int) -> dict[str, int]:
        return {"n": n}

    def as_line(n: int) -> str:
        return f"#{n}"

    plain, as_array = argparse.Namespace(json=False), argparse.Namespace(json=True)
    assert print_listing(plain, [1, 2], as_json, as_line, empty="none", header="head") == 0
    assert capsys.readouterr().out == "head\n#1\n#2\n"
    print_listing(plain, [], as_json, as_line, empty="none", header="head")
    assert capsys.readouterr().out == "none\n"
    print_listing(as_array, [1, 2], as_json, as_line, empty="none")
    assert capsys.readouterr().out == '[{"n": 1}, {"n": 2}]\n'
    print_listing(as_array, [], as_json, as_line, empty="none")
    assert capsys.readouterr().out == "[]\n"
