"""`python -m analytics …`: the command line lives in analytics/cli/."""

from __future__ import annotations

import sys

from analytics.cli import EXIT_FILE, EXIT_STORE, build_parser, main

# COMMANDS is reachable here too, loaded on first use (__getattr__ below).
__all__ = ["EXIT_FILE", "EXIT_STORE", "build_parser", "main"]


def __getattr__(name: str) -> object:
    """COMMANDS loads every group of commands: on first use (see analytics.cli)."""
    if name == "COMMANDS":
        from analytics import cli

        return cli.COMMANDS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    sys.exit(main())
