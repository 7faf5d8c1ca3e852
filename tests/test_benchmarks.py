"""The benchmark registry and its README agree, and `--list` names every benchmark (no timing)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks import run

README = Path(__file__).resolve().parent.parent / "benchmarks" / "README.md"


def readme_benchmarks() -> list[str]:
    """The names in the first column of the README's table of benchmarks (`| \\`name\\` | …`)."""
    text = README.read_text(encoding="utf-8")
    return re.findall(r"^\| `([\w-]+)` \|", text, flags=re.MULTILINE)


def test_every_benchmark_the_readme_names_is_registered() -> None:
    named = readme_benchmarks()
    assert named, "the README's table of benchmarks was not found"
    assert [n for n in named if n not in run.BENCHMARKS] == []


def test_every_registered_benchmark_is_in_the_readme() -> None:
    assert [n for n in run.BENCHMARKS if n not in readme_benchmarks()] == []


def test_list_names_every_benchmark_with_its_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines() if line[:1] != " "]
    assert listed == list(run.BENCHMARKS)
    for name, fn in run.BENCHMARKS.items():
        assert (fn.__doc__ or "").strip(), f"{name} has no docstring for --list"


def test_only_accepts_the_registered_names() -> None:
    with pytest.raises(SystemExit):
        run.main(["--only", "no-such-benchmark"])


def test_the_benchmarks_find_every_page_they_visit() -> None:
    # browser, load and reopen take each page's title (their heading) from the page registry.
    from analytics import areas
    from benchmarks import browser, load

    found = dict(load.indicator_pages(browser.PAGES))
    assert found == {p.id: p.title for p in areas.PAGES if p.id in browser.PAGES}
    assert list(found) == list(browser.PAGES)
    assert dict(load.indicator_pages())["friction"] == "Sales vs tech"
