"""Settings: defaults, validation, all-or-nothing saves, thresholds and goals that take effect."""

from __future__ import annotations

from datetime import date

import pytest

from analytics import indicators, store
from analytics.settings import SettingError, defaults, get_settings, save_settings


def test_defaults_until_saved_then_saved_values(
    con: store.Connection, workspace: store.Workspace
) -> None:
    assert get_settings(con, workspace.id) == defaults()
    save_settings(
        con,
        workspace.id,
        {"currency": "EUR", "prospecting_target_hours": "2.5", "season_start": "2025-04-01"},
    )
    s = get_settings(con, workspace.id)
    assert (s["currency"], s["prospecting_target_hours"], s["season_start"]) == (
        "EUR",
        2.5,
        "2025-04-01",
    )
    other = store.create_workspace(con, "Other")
    assert get_settings(con, other.id)["currency"] == "USD"  # per workspace


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"currency": "XYZ"}, "Currency must be one of"),
        ({"prospecting_target_hours": "lots"}, "must be a number"),
        ({"prospecting_target_hours": -1}, "at least 0"),
        ({"fiscal_year_start": 13}, "at most 12"),
        ({"season_start": "31/12/2025"}, "must be a date"),
        ({"sustainable_hours_low": 50, "sustainable_hours_high": 40}, "lower bound must be below"),
        ({"threshold:workload_pace": {"green": 0.1}}, "need a green and a red"),
        ({"threshold:workload_pace": {"green": "x", "red": 1}}, "must be a number"),
        ({"goal:tickets": -3}, "cannot be negative"),
        ({"nonsense": 1}, "Unknown setting"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(
    con: store.Connection, workspace: store.Workspace, values: dict, message: str
) -> None:
    with pytest.raises(SettingError, match=message):
        save_settings(con, workspace.id, {"currency": "GBP", **values})
    assert get_settings(con, workspace.id)["currency"] == "USD"


def test_thresholds_from_settings_change_the_status(
    con: store.Connection, workspace: store.Workspace
) -> None:
    # One person, 4 weeks: 50, 40, 40, 40 h → 1 of 4 weeks too fast = 0.25, amber by default.
    for week, hours in zip(
        ("2025-03-03", "2025-03-10", "2025-03-17", "2025-03-24"), (50, 40, 40, 40), strict=True
    ):
        con.execute(
            "INSERT INTO time_entries (workspace_id, date, person, hours) VALUES ($w, $d::DATE, 'Ana', $h)",
            {"w": workspace.id, "d": week, "h": hours},
        )
    store.refresh_facts(con, workspace.id)  # what an import does after writing rows
    # 4 person-weeks: below the default minimum of 5 cases, so lower it to see the colours
    save_settings(con, workspace.id, {"pace_weeks": 4, "min_cases": 4})
    r = indicators.compute_all(con, workspace.id, date(2025, 3, 30), area="pace")["workload_pace"]
    assert r.value == 0.25 and r.status == "amber"  # default: green ≤ 0.10, red > 0.25
    save_settings(con, workspace.id, {"threshold:workload_pace": {"green": 0.3, "red": 0.5}})
    r = indicators.compute_all(con, workspace.id, date(2025, 3, 30), area="pace")["workload_pace"]
    assert r.status == "green"
    save_settings(con, workspace.id, {"threshold:workload_pace": None})  # back to the default
    assert "threshold:workload_pace" not in get_settings(con, workspace.id)


def test_goals_are_saved_and_removed(con: store.Connection, workspace: store.Workspace) -> None:
    save_settings(con, workspace.id, {"goal:revenue": "12000"})
    assert get_settings(con, workspace.id)["goal:revenue"] == 12000.0
    save_settings(con, workspace.id, {"goal:revenue": ""})
    assert "goal:revenue" not in get_settings(con, workspace.id)
