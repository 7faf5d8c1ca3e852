"""The review pack on a tiny store: what it holds, both formats, the same bytes twice, owner
text kept inert, anonymity, the paper, the pack log and the definitions, worked out by hand."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime
from typing import Any

import pytest
from pypdf import PdfReader

from analytics import notes, store
from analytics.indicators import Indicator, Thresholds
from analytics.pack import PackError, last_made, parse_pages, record, to_html, to_pdf
from analytics.pack.anonymous import Replacer
from analytics.pack.build import build, definition_lines, paper_for, trimmed
from analytics.pack.log import history
from analytics.pack.model import Pack
from tests.conftest import insert_rows as insert

SINCE, AS_OF = date(2025, 3, 31), date(2025, 6, 30)
HOSTILE = 'Raised prices 8 % for Acme Plumbing <script>alert(1)</script> <a href="http://evil.example/">win</a>'


@pytest.fixture
def small(con: store.Connection, workspace: store.Workspace) -> int:
    ws = workspace.id
    insert(
        con,
        "invoices",
        [
            {"date": date(2025, m, 5), "customer": c, "amount": a}
            for m in range(1, 7)
            for c, a in (("Acme Plumbing", 1000.0), ("Bolt & Nut Ltd", 250.0))
        ],
        ws,
    )
    insert(
        con,
        "time_entries",
        [
            {
                "date": date(2025, 6, 2),
                "person": "Zed Quill",
                "hours": 6.0,
                "customer": "Acme Plumbing",
            }
        ],
        ws,
    )
    notes.add_note(con, ws, day=date(2025, 5, 10), text=HOSTILE, author="Jo Owner")
    return ws


def pack_of(con: store.Connection, ws: int, **kwargs: Any) -> Pack:
    return build(con, ws, pages=["fit"], as_of=AS_OF, since=SINCE, page_blocks={}, **kwargs)


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_the_pack_holds_a_cover_what_changed_the_page_and_the_definitions(
    con: store.Connection, small: int
) -> None:
    pack = pack_of(con, small)
    assert pack.cover.business == "Test Co"
    assert (pack.cover.since, pack.cover.as_of) == (SINCE, AS_OF)
    assert pack.cover.period == "31 Mar 2025 to 30 Jun 2025"
    assert pack.cover.pages == ("Customer fit",)
    assert [(s.id, s.source) for s in pack.sections] == [
        ("changes", "app"),
        ("fit", "registry"),  # no page drawn by the app was given: built from the registry
        ("definitions", "app"),
    ]
    changed = pack.sections[0].blocks
    [table] = [b for b in changed if b["kind"] == "table"]
    assert table["columns"] == ["Day", "Until", "Note", "Concerns", "By"]
    assert table["rows"] == [["2025-05-10", "", HOSTILE, "", "Jo Owner"]]
    assert "Filters in effect" in [b.get("text") for b in pack.sections[-1].blocks]


def test_html_is_one_file_with_the_owner_text_inert_and_the_same_twice(
    con: store.Connection, small: int
) -> None:
    pack = pack_of(con, small)
    html = to_html(pack)
    assert html == to_html(pack_of(con, small))
    for title in ("Review pack: Test Co", "What changed", "Customer fit", "Definitions"):
        assert title in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html and 'href="http://evil' not in html
    # Nothing is fetched: no script or stylesheet from elsewhere.
    assert "<script src=" not in html and "<link" not in html


def test_pdf_has_the_text_real_pages_and_the_same_bytes_twice(
    con: store.Connection, small: int
) -> None:
    data = to_pdf(pack_of(con, small))
    assert data == to_pdf(pack_of(con, small))
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for words in ("Test Co", "What changed", "Customer fit", "Definitions", "Raised prices 8 %"):
        assert words in text
    # Owner text is text: no link, no script, no action in the file.
    assert "<script>alert(1)</script>" in text
    assert b"/URI" not in data and b"/JavaScript" not in data and b"/Link" not in data
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 4  # the cover, then each of three sections on new pages
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]  # A4


def test_letter_paper_from_the_option_or_the_setting() -> None:
    assert paper_for({}, None) == "A4"
    assert paper_for({"pack_paper": "Letter"}, None) == "Letter"
    assert paper_for({"pack_paper": "Letter"}, "a4") == "A4"
    assert paper_for({}, "letter") == "Letter"
    with pytest.raises(PackError, match="A4 or Letter"):
        paper_for({}, "A5")


def test_a_letter_pdf_has_letter_pages(con: store.Connection, small: int) -> None:
    data = to_pdf(pack_of(con, small, paper="letter"))
    assert [float(v) for v in PdfReader(io.BytesIO(data)).pages[0].mediabox[2:]] == [612, 792]


def test_an_anonymous_pack_names_no_business_customer_or_person(
    con: store.Connection, small: int
) -> None:
    pack = pack_of(con, small, anonymous=True)
    html = to_html(pack)
    text = pdf_text(to_pdf(pack))
    for shown in (html, text):
        assert "Anonymous business" in shown
        for name in (
            "Test Co",
            "Acme Plumbing",
            "Bolt & Nut",
            "Bolt &amp; Nut",
            "Zed Quill",
            "Jo Owner",
        ):
            assert name not in shown, name
    [table] = [b for b in pack.sections[0].blocks if b["kind"] == "table"]
    # The note names Acme first of all the pack's names: it is Customer 1 throughout.
    assert table["rows"][0][2].startswith("Raised prices 8 % for Customer 1 <script>")
    assert table["rows"][0][4] == "Person 1"


def test_names_are_replaced_whole_longest_first_numbered_as_met() -> None:
    r = Replacer({"Acme": "Customer", "Acme Plumbing": "Customer", "Zed": "Person"}, ["Test Co"])
    got = r.walk({"t": "Zed billed Acme Plumbing and Acme; Acmes for Test Co", "n": [1, "Acme"]})
    assert got == {
        "t": "Person 1 billed Customer 1 and Customer 2; Acmes for Anonymous business",
        "n": [1, "Customer 2"],
    }


def test_pages_are_checked_and_put_in_the_navigation_order() -> None:
    assert parse_pages("fit, pace") == ["pace", "fit"]
    assert parse_pages(None) == ["scoreboard", "pace", "niche", "fit", "friction"]
    with pytest.raises(PackError, match="'bogus'"):
        parse_pages("pace,bogus")
    with pytest.raises(PackError):
        parse_pages(" , ")


def test_since_must_come_before_the_as_of_day(con: store.Connection, small: int) -> None:
    with pytest.raises(PackError, match="before"):
        build(con, small, pages=["fit"], as_of=AS_OF, since=AS_OF, page_blocks={})


def test_the_pack_log_keeps_each_pack_and_the_day_the_last_ran_to(
    con: store.Connection, workspace: store.Workspace
) -> None:
    ws = workspace.id
    assert last_made(con, ws) is None
    first = record(
        con,
        ws,
        as_of=AS_OF,
        since=SINCE,
        pages=["pace"],
        format_="pdf",
        data=b"one",
        made_at=datetime(2025, 7, 1, 9, 30),
    )
    record(
        con,
        ws,
        as_of=date(2025, 7, 11),
        since=AS_OF,
        pages=["pace", "fit"],
        format_="html",
        data=b"two",
        made_at=datetime(2025, 7, 14, 16, 0),
    )
    assert first.sha256 == hashlib.sha256(b"one").hexdigest()
    assert last_made(con, ws) == date(2025, 7, 11)  # the day the last pack ran to
    assert [(m.format, m.pages) for m in history(con, ws)] == [
        ("html", ("pace", "fit")),
        ("pdf", ("pace",)),
    ]
    other = store.create_workspace(con, "Other Co").id
    assert last_made(con, other) is None


def test_a_definition_names_area_unit_direction_and_thresholds() -> None:
    ind = Indicator(
        id="x",
        area="friction",
        label="X",
        unit="share",
        higher_is_better=False,
        description="d",
        thresholds=Thresholds(0.05, 0.15),
        compute=lambda ctx: None,  # type: ignore[arg-type,return-value]
    )
    assert definition_lines(ind, {}, "USD") == (
        "Sales vs tech · share of a whole (%) · lower is better · "
        "on track at 5.0% or less, act now above 15.0%."
    )
    owner = {"threshold:x": {"green": 0.1, "red": 0.2}}
    assert "on track at 10.0% or less, act now above 20.0%" in definition_lines(ind, owner, "USD")


def test_a_long_table_shows_its_first_rows_and_says_how_many_more() -> None:
    table = {"kind": "table", "columns": ["Customer"], "rows": [[f"C{i}"] for i in range(45)]}
    short = {"kind": "table", "columns": ["Customer"], "rows": [["A"], ["B"]]}
    got = trimmed([table, short], limit=40)
    assert [b["kind"] for b in got] == ["table", "text", "table"]
    assert got[0]["rows"] == [[f"C{i}"] for i in range(40)]
    assert (
        got[1]["text"]
        == "The first 40 of 45 rows, in the page's order; the page in the app shows them all."
    )
    assert got[2] is short
