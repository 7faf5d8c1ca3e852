"""`python -m analytics import` loads only what an import needs (issue 12): the `data` group
of commands, never pandas or the other groups; every other command line, `--help` and the
names other modules import are as before."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import analytics.__main__ as entry
from analytics import cli
from analytics.cli import data

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
from analytics.cli import main
code = main(sys.argv[1:])
heavy = ["pandas", "numpy", "analytics.checklists", "analytics.pack", "analytics.peers",
         "analytics.indicators", "analytics.cli.reports", "analytics.cli.access"]
print(json.dumps({"exit": code, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def run_probe(*args: str) -> tuple[dict[str, object], dict[str, object]]:
    """The command's own JSON line and the probe's (exit code, heavy modules loaded)."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.strip()
    *command, probe = out.splitlines()
    return (json.loads(command[-1]) if command else {}), json.loads(probe)


def test_an_import_loads_neither_pandas_nor_the_other_commands(tmp_path: Path) -> None:
    csv = tmp_path / "lines.csv"
    csv.write_text("Date,Customer,Amount\n2025-01-02,Acme,$1,200.50\n2025-01-03,Beta,80\n")
    result, probe = run_probe(
        "import", "--db", str(tmp_path / "s.duckdb"), "--workspace", "W",
        "--entity", "invoices", str(csv), "--json",
    )  # fmt: skip
    # "$1,200.50" unquoted is two values on a line of three columns: a row too wide.
    assert probe == {"exit": 2, "loaded": []}
    assert result["ok"] is False


def test_a_good_import_through_the_light_path(tmp_path: Path) -> None:
    csv = tmp_path / "lines.csv"
    csv.write_text('Date,Customer,Amount\n2025-01-02,Acme,"$1,200.50"\n2025-01-03,Beta,80\n')
    result, probe = run_probe(
        "import", "--db", str(tmp_path / "s.duckdb"), "--workspace", "W",
        "--entity", "invoices", str(csv), "--json",
    )  # fmt: skip
    assert probe == {"exit": 0, "loaded": []}
    assert (result["rows_read"], result["rows_imported"], result["customers_created"]) == (2, 2, 2)


def test_another_command_loads_its_own_group(tmp_path: Path) -> None:
    # kpis of a workspace that does not exist: the store's error, exit 1, after loading them
    _, probe = run_probe("kpis", "--db", str(tmp_path / "s.duckdb"), "--workspace", "W")
    assert probe["exit"] == 1
    assert "analytics.cli.reports" in probe["loaded"]  # type: ignore[operator]
    assert "analytics.cli.access" not in probe["loaded"]  # type: ignore[operator]
    # a note listing needs neither the figures nor pandas
    _, probe = run_probe("note", "list", "--db", str(tmp_path / "s.duckdb"), "--workspace", "W")
    assert probe["exit"] == 1
    assert probe["loaded"] == []


def test_every_command_is_in_its_group() -> None:
    by_group = {
        name: group.__name__.rsplit(".", 1)[1] for group in cli.GROUPS for name in group.COMMANDS
    }
    assert by_group == cli.GROUP_OF


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    listed = capsys.readouterr().out
    for name in ("demo", "import", "batches", "undo", "export", "kpis", "checklist", "peers"):
        assert f"    {name}" in listed


def test_commands_stay_reachable_where_they_were() -> None:
    everything = {name for group in cli.GROUPS for name in group.COMMANDS}
    assert set(cli.COMMANDS) == everything == set(entry.COMMANDS)
    assert set(data.COMMANDS) == {"demo", "import", "batches", "undo", "export"}
    assert set(data.COMMANDS) < everything
    assert [g.__name__.rsplit(".", 1)[1] for g in cli.GROUPS] == list(cli.GROUP_NAMES)
