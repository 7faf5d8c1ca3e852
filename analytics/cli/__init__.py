"""Command line: `python -m analytics demo|import|batches|undo|export|kpis|snapshot|workspace …`.

One module per group of commands (`data`, `reports`, `access`), each adding its
parsers and its `cmd_*` functions; `main(argv)` returns the exit code, so tests
call it in-process.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Sequence

import duckdb

from analytics import store
from analytics.cli import access, checklist, data, issues_list, notes, pack, peers, reports
from analytics.cli.common import EXIT_FILE, EXIT_STORE, fail
from analytics.errors import ImportError_, OpeningDayError

# in the order `--help` lists their commands
GROUPS = (data, reports, access, checklist, notes, pack, issues_list, peers)

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    name: command for group in GROUPS for name, command in group.COMMANDS.items()
}

__all__ = ["COMMANDS", "EXIT_FILE", "EXIT_STORE", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analytics",
        description="Opening Day: load a business's data into the store and manage imports.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed by argparse
        return exc.code if isinstance(exc.code, int) else 2
    # `import --json` prints one result object on every exit, a failure's included.
    failed = (
        (lambda message, code: data.import_failed(args, message, code))
        if args.command == "import"
        else fail
    )
    try:
        return COMMANDS[args.command](args)
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
