"""Durations: hh:mm:ss, h:mm, m:ss, ISO 8601, spreadsheet time cells and fractions of a
day read into hours (time entries, tickets) or minutes (activities); a person's name
joined from first and last name. Expected values are worked out by hand."""

from __future__ import annotations

import csv
import io
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from analytics import importer, store
from analytics.errors import RowsRejected
from tests.conftest import shared_file


def values(con: store.Connection, sql: str) -> list[tuple[object, ...]]:
    return con.cursor().execute(sql).fetchall()


def test_time_entry_durations_become_hours(
    con: store.Connection, workspace: store.Workspace
) -> None:
    data = b"""Date,Person,Duration
2025-01-06,Ann,00:02:23
2025-01-06,Ann,1:30
2025-01-06,Ann,PT1H30M
2025-01-06,Ann,PT2M23S
2025-01-06,Ann,2.25
2025-01-06,Ann,25:00:00
2025-01-06,Ann,P1DT2H
"""
    result = importer.import_source(con, workspace.id, importer.read_source(data, "t.csv"))
    assert (result.entity, result.mapping["hours"]) == ("time_entries", "Duration")
    hours = [h for (h,) in values(con, "SELECT hours FROM time_entries ORDER BY source_row")]
    assert hours == pytest.approx(
        [
            143 / 3600,  # 00:02:23
            1.5,  # 1:30 is h:mm in an hours field
            1.5,  # PT1H30M
            143 / 3600,  # PT2M23S
            2.25,  # a plain number is hours
            25.0,
            26.0,  # one day and two hours
        ]
    )
    assert any("Two-part values like 1:30 are hours:minutes" in w for w in result.warnings)


def test_activity_durations_become_minutes(
    con: store.Connection, workspace: store.Workspace
) -> None:
    data = b"""Activity date,Activity type,Call duration
2025-01-06,call,00:02:23
2025-01-06,call,4:32
2025-01-06,call,PT2M23S
2025-01-06,call,12
"""
    result = importer.import_source(con, workspace.id, importer.read_source(data, "c.csv"))
    assert result.entity == "activities"
    minutes = [m for (m,) in values(con, "SELECT minutes FROM activities ORDER BY source_row")]
    # 00:02:23 = 2 + 23/60 = 2.3833; 4:32 is m:ss in a minutes field = 4.5333
    assert minutes == pytest.approx([2.383333, 4.533333, 2.383333, 12.0], abs=1e-5)
    assert any("minutes:seconds" in w for w in result.warnings)


def test_ticket_hours_from_a_duration(con: store.Connection, workspace: store.Workspace) -> None:
    data = b"Opened,Customer,Duration\n2025-01-06,Acme,01:45:00\n2025-01-07,Acme,0:15\n"
    importer.import_source(con, workspace.id, importer.read_source(data, "t.csv"))
    hours = [h for (h,) in values(con, "SELECT hours FROM tickets ORDER BY source_row")]
    assert hours == pytest.approx([1.75, 0.25])


def test_fractions_of_a_day_under_a_duration_header(
    con: store.Connection, workspace: store.Workspace
) -> None:
    # A spreadsheet stores 15 minutes as 15/1440 = 0.0104166667 and 2 h as 0.0833333333.
    data = b"Date,Person,Duration\n2025-01-06,Ann,0.0104166667\n2025-01-06,Ann,0.0833333333\n"
    result = importer.import_source(con, workspace.id, importer.read_source(data, "f.csv"))
    hours = [h for (h,) in values(con, "SELECT hours FROM time_entries ORDER BY source_row")]
    assert hours == pytest.approx([0.25, 2.0], abs=1e-6)
    assert any("fractions of a day" in w for w in result.warnings)


def test_small_decimal_hours_stay_hours(con: store.Connection, workspace: store.Workspace) -> None:
    # Under an "Hours" header, or with two decimals, 0.25 means a quarter of an hour.
    data = b"Date,Person,Hours\n2025-01-06,Ann,0.0104166667\n2025-01-06,Ann,0.25\n"
    importer.import_source(con, workspace.id, importer.read_source(data, "h.csv"))
    other = b"Date,Person,Duration\n2025-01-07,Bo,0.25\n2025-01-07,Bo,0.5\n"
    importer.import_source(con, workspace.id, importer.read_source(other, "d.csv"))
    hours = [h for (h,) in values(con, "SELECT hours FROM time_entries ORDER BY date, source_row")]
    assert hours == pytest.approx([0.0104166667, 0.25, 0.25, 0.5])


def test_excel_time_cells_are_durations(
    con: store.Connection, workspace: store.Workspace, tmp_path: Path
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Date", "Person", "Duration"])
    sheet.append([date(2025, 1, 6), "Ann", time(0, 2, 23)])  # a time cell
    sheet.append([date(2025, 1, 6), "Ann", timedelta(hours=1, minutes=30)])  # [h]:mm:ss
    sheet.append([date(2025, 1, 6), "Ann", timedelta(hours=26, minutes=30)])  # over a day
    sheet.append([date(2025, 1, 6), "Ann", 1.5])  # 36 hours shown as h:mm
    sheet["C5"].number_format = "[h]:mm"
    path = tmp_path / "hours.xlsx"
    book.save(path)
    importer.import_file(con, workspace.id, path)
    hours = [h for (h,) in values(con, "SELECT hours FROM time_entries ORDER BY source_row")]
    assert hours == pytest.approx([143 / 3600, 1.5, 26.5, 36.0])


def test_an_unreadable_duration_is_a_reject_naming_the_forms(
    con: store.Connection, workspace: store.Workspace
) -> None:
    data = b"Date,Person,Duration\n2025-01-06,Ann,1:30\n2025-01-06,Ann,1:75\n"
    with pytest.raises(RowsRejected) as err:
        importer.import_source(con, workspace.id, importer.read_source(data, "bad.csv"))
    (reject,) = err.value.result.rejects
    assert (reject.row, reject.value) == (3, "1:75")
    assert reject.reason.startswith("not a number or duration we can read in column 'Duration'")


# ---------------------------------------------------------------- the real exports


def _clock_hours(text: str) -> Decimal:
    h, m, s = (int(p) for p in text.split(":"))
    return Decimal(h * 3600 + m * 60 + s) / Decimal(3600)


def test_toggl_export_imports_as_time_entries_without_a_map(
    con: store.Connection, workspace: store.Workspace
) -> None:
    path = shared_file("toggl-time-entries", "Toggl_time_entries_2017-08-01_to_2017-08-31.csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    expected = [float(_clock_hours(r["Duration"])) for r in rows]
    result = importer.import_file(con, workspace.id, path)
    assert (result.entity, result.kind_source, result.rows_imported) == (
        "time_entries",
        "guessed",
        217,
    )
    assert result.mapping["hours"] == "Duration"
    assert result.mapping["date"] == "Start date"
    stored = [h for (h,) in values(con, "SELECT hours FROM time_entries ORDER BY source_row")]
    assert stored == pytest.approx(expected)
    assert sum(stored) == pytest.approx(sum(expected)) == pytest.approx(186.9427778, abs=1e-6)
    # The entry past midnight counts on its start day.
    late = next(r for r in rows if r["End date"] != r["Start date"])
    day = values(
        con,
        f"SELECT date FROM time_entries WHERE source_row = {rows.index(late) + 2}",  # noqa: S608
    )
    assert str(day[0][0]) == late["Start date"]


def test_harvest_person_is_first_and_last_name(
    con: store.Connection, workspace: store.Workspace
) -> None:
    path = shared_file("harvest-time-sample", "harvest-sample.csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    result = importer.import_file(con, workspace.id, path)
    assert result.entity == "time_entries"
    assert result.mapping["person"] == "First name + Last name"
    people = [p for (p,) in values(con, "SELECT person FROM time_entries ORDER BY source_row")]
    assert people == [f"{r['First name']} {r['Last name']}" for r in rows]
    assert len(set(people)) == 5


def test_a_person_can_be_joined_by_hand() -> None:
    assert importer.parse_map_args(["person=Given+Family"]) == {"person": ("Given", "Family")}
    # A sum of numbers is not a thing: "A+B" is then a column's name.
    assert importer.parse_map_args(["amount=A+B"]) == {"amount": "A+B"}


def test_a_blank_half_leaves_the_other(con: store.Connection, workspace: store.Workspace) -> None:
    data = b"Date,First name,Last name,Hours\n2025-01-06,Ann,,1\n2025-01-06,,Lee,1\n"
    importer.import_source(con, workspace.id, importer.read_source(data, "n.csv"))
    people = [p for (p,) in values(con, "SELECT person FROM time_entries ORDER BY source_row")]
    assert people == ["Ann", "Lee"]
