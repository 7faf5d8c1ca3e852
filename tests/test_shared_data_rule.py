"""The rule for the real exports in ../shared/data (tests/conftest.py `shared_file`): a missing
file skips the test on a developer's machine and fails it in CI, never skips it there."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import conftest
from tests.conftest import SHARED_DATA, in_ci, shared_file

MISSING = ("no-such-export", "missing.csv")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("1", True), ("TRUE", True), ("", False), ("false", False), ("0", False)],
)
def test_ci_is_told_by_the_ci_variable(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    monkeypatch.setenv("CI", value)
    assert in_ci() is expected


def test_without_ci_a_missing_export_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="missing.csv not found"):
        shared_file(*MISSING)


def test_in_ci_a_missing_export_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failed:
        shared_file(*MISSING)
    message = str(failed.value)
    assert str(SHARED_DATA / "no-such-export" / "missing.csv") in message
    assert "the real exports are required" in message


def test_a_present_export_is_handed_back_in_or_out_of_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "here").mkdir()
    (tmp_path / "here" / "it.csv").write_text("a\n1\n", encoding="utf-8")
    monkeypatch.setattr(conftest, "SHARED_DATA", tmp_path)
    for value in ("true", ""):
        monkeypatch.setenv("CI", value)
        assert conftest.shared_file("here", "it.csv") == tmp_path / "here" / "it.csv"
