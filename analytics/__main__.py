"""`python -m analytics …`: the command line lives in analytics/cli/."""

from __future__ import annotations

import sys

from analytics.cli import COMMANDS, EXIT_FILE, EXIT_STORE, build_parser, main

__all__ = ["COMMANDS", "EXIT_FILE", "EXIT_STORE", "build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
