"""The review pack from the command line: `pack --workspace W --out FILE.html|FILE.pdf`.

Each chosen page is put in the pack as the app draws it: the command lets go of the store and
runs the app headless in a child process (`python -m ui.pack`: this package never imports
the app), which writes the pages' blocks to a file; then it builds the pack, writes it and
notes it in the pack log. Where the app cannot run (or with --without-app) the pages come from
the registry — headline, cards, next steps — and the pack and this command say so.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analytics import store
from analytics.cli.common import add_json, command, iso_date, open_store
from analytics.pack import PAGES, PAPERS, PackError, parse_pages
from analytics.pack.build import as_of_day, build, make_file
from analytics.pack.pdf import page_count

ROOT = Path(__file__).resolve().parent.parent.parent
APP_TIMEOUT_S = 900.0


def add_parsers(sub: Any) -> None:
    p = command(
        sub,
        "pack",
        help="write a review pack (one HTML or PDF file for a meeting)",
        description="One document for a review: a cover, what changed since the last review, "
        "each chosen page as it stands (headline, cards, charts with their notes, tables) and "
        "the definitions of every figure used. FILE.html opens offline; FILE.pdf prints.",
    )
    p.add_argument(
        "--pages",
        default=",".join(PAGES),
        metavar="LIST",
        help=f"comma-separated pages, in any order (default: {','.join(PAGES)})",
    )
    p.add_argument(
        "--since",
        metavar="YYYY-MM-DD",
        type=iso_date,
        help="compare with this day (default: the last review session, else the last pack, "
        "else 90 days before)",
    )
    p.add_argument("--as-of", metavar="YYYY-MM-DD", type=iso_date, help="figures as of this day")
    p.add_argument(
        "--anonymous",
        action="store_true",
        help="hide the business's name and every customer's and person's name",
    )
    p.add_argument(
        "--paper",
        choices=[x.lower() for x in PAPERS],
        help="PDF paper (default: the setting, else A4)",
    )
    p.add_argument(
        "--without-app",
        action="store_true",
        help="build the pages from the registry only (faster; no larger charts or tables)",
    )
    p.add_argument("--out", metavar="FILE", required=True, help="FILE.html or FILE.pdf")
    add_json(p)


def _format(out: Path) -> str:
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in ("html", "pdf"):
        raise PackError(f"--out must end in .html or .pdf; got {out.name!r}.")
    return suffix


def drawn_by_app(
    db: Path, workspace: str, pages: list[str], as_of: Any
) -> tuple[dict[str, list[dict[str, Any]]], str]:
    """The pages as the app draws them (from the child process), and why not when it could
    not ({}, the reason)."""
    with tempfile.TemporaryDirectory(prefix="opening-day-pack-") as tmp:
        out = Path(tmp) / "blocks.json"
        argv = [sys.executable, "-m", "ui.pack", str(out), "--db", str(db)]
        argv += ["--workspace", workspace, "--pages", ",".join(pages)]
        if as_of is not None:
            argv += ["--as-of", as_of.isoformat()]
        try:
            run = subprocess.run(
                argv, cwd=ROOT, capture_output=True, text=True, timeout=APP_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return {}, str(exc)
        if run.returncode != 0 or not out.exists():
            lines = [line for line in run.stderr.splitlines() if line.strip()]
            return {}, lines[-1] if lines else f"exit {run.returncode}"
        blocks: dict[str, list[dict[str, Any]]] = json.loads(out.read_text(encoding="utf-8"))
        return blocks, ""


def cmd_pack(args: argparse.Namespace) -> int:
    out = Path(args.out)
    format_ = _format(out)
    pages = parse_pages(args.pages)
    con = open_store(args)
    ws = store.get_workspace(con, args.workspace)
    as_of_day(con, ws.id, args.as_of)  # no dated data: say so before drawing anything
    drawn: dict[str, list[dict[str, Any]]] = {}
    if not args.without_app:
        # The child process opens the store itself: DuckDB lets one program hold it.
        con.close()
        args.opened.remove(con)
        drawn, why = drawn_by_app(store.db_path(args.db), ws.name, pages, args.as_of)
        if why:
            print(
                f"warning: the app could not draw the pages ({why}); "
                "they come from the registry instead",
                file=sys.stderr,
            )
        con = open_store(args)
    pack = build(
        con,
        ws.id,
        pages=pages,
        as_of=args.as_of,
        since=args.since,
        anonymous=args.anonymous,
        paper=args.paper,
        page_blocks=drawn,
    )
    data, made = make_file(con, ws.id, pack, format_)
    out.write_bytes(data)
    from_registry = [s.id for s in pack.sections if s.source == "registry"]
    info = {
        "file": str(out),
        "format": format_,
        "bytes": len(data),
        "sha256": made.sha256,
        "as_of": pack.cover.as_of.isoformat(),
        "since": pack.cover.since.isoformat(),
        "since_reason": pack.cover.since_reason,
        "pages": pages,
        "from_registry": from_registry,
        "pdf_pages": page_count(data) if format_ == "pdf" else None,
    }
    if args.json:
        print(json.dumps(info))
        return 0
    size = f"{len(data) / 1e6:.1f} MB" if len(data) >= 1e5 else f"{len(data) / 1e3:.0f} kB"
    extent = f", {info['pdf_pages']} pages" if format_ == "pdf" else ", opens without a network"
    print(
        f"Wrote {out} ({size}{extent}): {', '.join(PAGES[p] for p in pages)}, "
        f"as of {info['as_of']}, compared with {info['since']} ({pack.cover.since_reason})."
    )
    if from_registry:
        print(
            f"note: built from the registry (no larger charts or tables): {', '.join(from_registry)}"
        )
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"pack": cmd_pack}
