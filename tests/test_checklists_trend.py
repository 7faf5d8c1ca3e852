"""Answers over time, worked out by hand: three runs of Does it work?, counted per section."""

from __future__ import annotations

from datetime import date

from analytics import checklists, store
from analytics.checklists import runs, trend
from analytics.checklists.runs import Answer

ANSWERS = {
    date(2026, 1, 10): {
        "offices_works": "yes",
        "offices_as_wanted": "no",
        "offices_optimal": "no",
        "hardware_works": "yes",
    },
    date(2026, 4, 10): {
        "offices_works": "yes",
        "offices_as_wanted": "partly",
        "offices_optimal": "no",
        "offices_action": "fix",
        "hardware_works": "no",
    },
    date(2026, 7, 10): {
        "offices_works": "yes",
        "offices_as_wanted": "yes",
        "offices_optimal": "partly",
        "offices_action": "keep",
        "hardware_works": "yes",
    },
}


def test_three_runs_counted_per_section_and_changes_traced(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    t = checklists.templates_for(con, ws)["does_it_work"]
    for day, answers in ANSWERS.items():
        run = runs.start_run(con, ws, t, day)
        for item_id, status in answers.items():
            runs.answer_item(con, ws, run, t, item_id, Answer(status))
    frame = trend.history(con, ws, t)
    assert len(frame) == 3 * 20
    counts = trend.section_counts(frame)
    offices = counts[counts["section"] == "Offices"]
    assert offices[["run", "works", "partly", "not", "open"]].values.tolist() == [
        ["10 Jan 2026", 1, 0, 2, 1],
        ["10 Apr 2026", 1, 2, 1, 0],
        ["10 Jul 2026", 3, 1, 0, 0],
    ]
    hardware = counts[counts["section"] == "Hardware"]
    assert hardware[["works", "partly", "not", "open"]].values.tolist() == [
        [1, 0, 0, 3],
        [0, 0, 1, 3],
        [1, 0, 0, 3],
    ]
    assert list(dict.fromkeys(counts["section"])) == [
        "Offices",
        "Hardware",
        "Software",
        "Business processes",
        "People",
    ]
    table = trend.changes(frame).set_index("prompt")
    assert table.loc["Offices: does it work the way you want?"].tolist()[1:] == [
        "✘ No",
        "→ ◐ Partly",
        "→ ✔ Yes",
        2,
    ]
    assert table.loc["Hardware: does it work?", "changes"] == 2
    assert table.loc["Offices: does it work?", "changes"] == 0
    assert table.loc["Offices: is it as good as it could be?", "changes"] == 1
    assert trend.changed_per_run(frame) == {"10 Jan 2026": 0, "10 Apr 2026": 3, "10 Jul 2026": 4}


def test_no_runs_gives_empty_tables(con: store.Connection, workspace: store.Workspace) -> None:
    t = checklists.templates_for(con, workspace.id)["assumptions"]
    frame = trend.history(con, workspace.id, t)
    assert frame.empty and trend.section_counts(frame).empty
    assert trend.changed_per_run(frame) == {}
