"""The shared text checker (analytics.texts) and revision writer (analytics.store.revisions)."""

from __future__ import annotations

import duckdb
import pytest

from analytics.store.revisions import log_revision
from analytics.texts import checked_text, one_line


class Refused(Exception):
    pass


def test_one_line_folds_white_space() -> None:
    assert one_line("  Call\n the   bank\t") == "Call the bank"
    assert one_line(12) == "12"


def test_checked_text_raises_the_callers_error() -> None:
    assert checked_text("  fix   the quote ", "title", 13, Refused) == "fix the quote"
    with pytest.raises(Refused, match="Write the title first."):
        checked_text(" \n ", "title", 13, Refused)
    assert checked_text(" ", "name", 5, Refused, required=False) == ""
    # "fix the quotes" is 14 characters once folded: one over the limit.
    with pytest.raises(Refused, match="at most 13 characters, got 14."):
        checked_text("fix  the quotes", "title", 13, Refused)


def test_log_revision_writes_one_row() -> None:
    con = duckdb.connect(":memory:")
    con.execute(
        "create table goal_revisions (workspace_id int, goal_id int, what varchar, "
        "old_value varchar, new_value varchar, changed_by varchar, "
        "changed_at timestamp default current_localtimestamp())"
    )
    log_revision(
        con, "goal_revisions", {"workspace_id": 3, "goal_id": 7}, "goal", "10", "12", "Ann"
    )
    assert con.execute(
        "select workspace_id, goal_id, what, old_value, new_value, changed_by, "
        "changed_at is not null from goal_revisions"
    ).fetchall() == [(3, 7, "goal", "10", "12", "Ann", True)]
