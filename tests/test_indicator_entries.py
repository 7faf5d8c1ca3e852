"""Indicator entries as data: each area's indicators.toml is read strictly, and every entry in
it is registered by exactly one short call naming its code parts."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import indicators
from analytics.indicators import entries
from analytics.indicators.base import Context, Result, Thresholds

ENTRY = """
[late_share]
label = "Late invoices"
unit = "share"
higher_is_better = false
reads = ["invoices"]
counts_days = false
thresholds = { green = 0.1, red = 0 }
checklists = ["test_advice"]
description = \"\"\"\\
  Invoices paid late, \\
  as a share.\"\"\"
next_step = "Chase them."
"""


def _never(ctx: Context) -> Result:
    raise AssertionError("not computed here")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "indicators.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_entry_reads_as_its_fields_with_its_area(tmp_path: Path) -> None:
    fields = entries.read_area("pace", write(tmp_path, ENTRY))["late_share"]
    assert fields == {
        "label": "Late invoices",
        "unit": "share",
        "higher_is_better": False,
        "reads": ["invoices"],
        "counts_days": False,
        "thresholds": {"green": 0.1, "red": 0},
        "checklists": ["test_advice"],
        # The line continuations join the lines with one space.
        "description": "Invoices paid late, as a share.",
        "next_step": "Chase them.",
        "area": "pace",
    }


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (("next_step = ", "next_stp = "), "unknown key(s) next_stp"),
        (('label = "Late invoices"\n', ""), "misses key(s) label"),
        (('unit = "share"', 'unit = "percent"'), "unit must be one of hours, share,"),
        (("higher_is_better = false", 'higher_is_better = "no"'), "higher_is_better must be"),
        (('reads = ["invoices"]', 'reads = "invoices"'), "reads must be a list"),
        (("{ green = 0.1, red = 0 }", "{ green = 0.1 }"), "thresholds must be { green"),
        (("{ green = 0.1, red = 0 }", "{ green = 0.1, red = true }"), "thresholds must be"),
        (("counts_days = false", 'anchor = "last"'), "anchor must be one of first, latest"),
    ],
)
def test_a_wrong_entry_stops_the_import_naming_file_and_id(
    tmp_path: Path, change: tuple[str, str], complaint: str
) -> None:
    old, new = change
    assert old in ENTRY
    path = write(tmp_path, ENTRY.replace(old, new))
    with pytest.raises(entries.EntryError) as caught:
        entries.read_area("pace", path)
    assert str(caught.value).startswith(f"{path}: [late_share] ")
    assert complaint in str(caught.value)


def test_a_file_that_is_not_toml_names_itself(tmp_path: Path) -> None:
    path = write(tmp_path, "[late_share\n")
    with pytest.raises(entries.EntryError, match=r"indicators\.toml: "):
        entries.read_area("pace", path)


def test_thresholds_come_from_the_file_or_the_code_never_both_nor_neither() -> None:
    # revenue_pareto has its thresholds in fit/indicators.toml; churn_rate's are code
    # (the red line is the churn reference the page's chart also draws).
    with pytest.raises(entries.EntryError, match=r"\[revenue_pareto\] needs thresholds"):
        entries.indicator("revenue_pareto", compute=_never, thresholds=Thresholds(0.5, 0.6))
    with pytest.raises(entries.EntryError, match=r"fit/indicators\.toml: \[churn_rate\]"):
        entries.indicator("churn_rate", compute=_never)
    built = entries.indicator("revenue_pareto", compute=_never)
    assert built.thresholds == Thresholds(green=0.8, red=0.9)
    assert (built.area, built.page, built.reads) == ("fit", "fit", ("invoices",))


def test_an_id_in_no_file_is_an_error() -> None:
    with pytest.raises(entries.EntryError, match=r"no entry \[revenue_paretto\]"):
        entries.indicator("revenue_paretto", compute=_never)


def test_every_entry_in_the_files_is_registered_in_its_area() -> None:
    in_files = entries.all_entries()
    assert entries.unregistered(set(indicators.REGISTRY)) == []
    assert entries.unregistered({"revenue_pareto"}) == [
        i for i in in_files if i != "revenue_pareto"
    ]
    assert {i: indicators.get(i).area for i in in_files} == {
        i: f["area"] for i, f in in_files.items()
    }


def test_verdicts_say_the_colours_sentence_and_need_all_three(tmp_path: Path) -> None:
    text = ENTRY + 'verdicts = { red = "Act.", amber = "Watch.", green = "Fine." }\n'
    fields = entries.read_area("pace", write(tmp_path, text))["late_share"]
    assert fields["verdicts"] == {"red": "Act.", "amber": "Watch.", "green": "Fine."}
    with pytest.raises(entries.EntryError, match=r"\[late_share\] verdicts must be"):
        entries.read_area("pace", write(tmp_path, ENTRY + 'verdicts = { red = "Act." }\n'))
    ticket = indicators.get("ticket_pareto")
    assert ticket.verdict("amber") == (
        "A few customers stand out: talk to them before they talk to a competitor."
    )
    # Green's sentence stands for any colour but red and amber.
    assert ticket.verdict("unknown") == ticket.verdict("green")
    assert indicators.get("churn_rate").verdict("red") == ""
