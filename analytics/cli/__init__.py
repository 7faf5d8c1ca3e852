"""Command line: `python -m analytics demo|import|batches|undo|export|kpis|snapshot|workspace …`.

One module per group of commands (`data`, `reports`, `access`), each adding its
parsers and its `cmd_*` functions; `main(argv)` returns the exit code, so tests
call it in-process.

A command loads its own group alone (`GROUP_OF`): `import` (a script may run it once a
file) no longer pulls in pandas, the figures and the PDF maker, half a second before the
first row is read, nor `note list` the checklists. `--help` and a mistake load every group.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

import duckdb

from analytics import store
from analytics.cli import data
from analytics.cli.common import EXIT_FILE, EXIT_STORE, fail
from analytics.errors import ImportError_, OpeningDayError

# The groups of commands (modules of analytics.cli), in the order `--help` lists them.
GROUP_NAMES = ("data", "reports", "access", "checklist", "notes", "pack", "issues_list", "peers")

# Each command's group, by the command line's first word (tests/test_import_speed_cli.py
# checks it against every group's COMMANDS).
GROUP_OF = {
    **dict.fromkeys(("demo", "import", "batches", "undo", "export"), "data"),
    **dict.fromkeys(("kpis", "snapshot"), "reports"),
    **dict.fromkeys(("admin", "invite", "workspace"), "access"),
    "checklist": "checklist",
    "note": "notes",
    "pack": "pack",
    "issue-list": "issues_list",
    "peers": "peers",
}

__all__ = ["COMMANDS", "EXIT_FILE", "EXIT_STORE", "GROUPS", "build_parser", "main"]


def all_groups() -> tuple[ModuleType, ...]:
    return tuple(importlib.import_module(f"{__name__}.{name}") for name in GROUP_NAMES)


def __getattr__(name: str) -> object:
    """GROUPS and COMMANDS (every group's commands by name) load every group: on first use."""
    if name == "GROUPS":
        return all_groups()
    if name == "COMMANDS":
        commands: dict[str, Callable[[argparse.Namespace], int]] = {
            command: run for group in all_groups() for command, run in group.COMMANDS.items()
        }
        return commands
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_parser(groups: Sequence[ModuleType] | None = None) -> argparse.ArgumentParser:
    """The parser of `groups`' commands (None: every group's)."""
    parser = argparse.ArgumentParser(
        prog="python -m analytics",
        description="Opening Day: load a business's data into the store and manage imports.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in all_groups() if groups is None else groups:
        group.add_parsers(sub)
    return parser


def _groups_for(argv: Sequence[str]) -> tuple[ModuleType, ...] | None:
    """The groups a command line needs: its command's group alone (the top-level parser has
    no options of its own, so the first word is the command, and its sub-parser reads the
    rest the same way either way); None (every group) for anything else: `--help`, a
    mistake to list the commands for."""
    group = GROUP_OF.get(argv[0]) if argv else None
    return None if group is None else (importlib.import_module(f"{__name__}.{group}"),)


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    groups = _groups_for(words)
    try:
        args = build_parser(groups).parse_args(words)
    except SystemExit as exc:  # --help, or a usage error already printed by argparse
        return exc.code if isinstance(exc.code, int) else 2
    # `import --json` prints one result object on every exit, a failure's included.
    failed = (
        (lambda message, code: data.import_failed(args, message, code))
        if args.command == "import"
        else fail
    )
    commands = {
        name: run for group in groups or all_groups() for name, run in group.COMMANDS.items()
    }
    try:
        return commands[args.command](args)
    except ImportError_ as exc:
        return failed(str(exc), EXIT_FILE)
    except OpeningDayError as exc:
        return failed(str(exc), EXIT_STORE)
    except duckdb.Error as exc:  # the file, the disk or memory failed under a command
        return failed(str(store.translate_error(exc, str(store.db_path(args.db)))), EXIT_STORE)
    except MemoryError:
        return failed("ran out of memory; close other programs or use a smaller file", EXIT_STORE)
    except OSError as exc:  # a full disk or a folder that cannot be written, while exporting
        return failed(f"{exc.filename or 'a file'}: {exc.strerror or exc}", EXIT_STORE)
    finally:
        _close(args)


def _close(args: argparse.Namespace) -> None:
    """Close what the command opened, so a caller in the same process (a test) can open the
    store next, read-only or not."""
    for con in getattr(args, "opened", []):
        with contextlib.suppress(duckdb.Error):  # broken: the command's error is the one to tell
            con.close()
