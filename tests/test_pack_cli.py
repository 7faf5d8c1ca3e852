"""`python -m analytics pack` on the demo business: the pages as the app draws them (a child
process runs app.py headless), both formats, the pack log, and the same bytes twice."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from analytics import notes, store
from analytics.pack import PAGES, last_made
from analytics.pack.log import history
from tests.test_cli import run_cli

WS = "Demo - Harbour IT"
NOTE = "New CRM from August <b>bold?</b>"
AS_OF = "2026-10-31"


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def noted(demo_db: Path) -> Path:
    con = store.connect(demo_db)
    try:
        ws = store.get_workspace(con, WS).id
        notes.add_note(con, ws, day=date(2026, 9, 1), text=NOTE, author="Dana")
    finally:
        con.close()
    return demo_db


def pack_json(db: Path, out: Path, *args: str) -> dict:
    ran = run_cli(
        "pack", "--db", db, "--workspace", WS, "--as-of", AS_OF, "--out", out, "--json", *args
    )
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout)


def test_the_html_pack_holds_the_pages_as_the_app_draws_them(noted: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack.html"
    info = pack_json(noted, out, "--pages", "fit,pace")
    assert info["from_registry"] == []  # both pages came from the app, charts and tables too
    assert info["pages"] == ["pace", "fit"] and info["format"] == "html"
    html = out.read_text(encoding="utf-8")
    for title in ("Review pack: Harbour IT (demo)", "What changed", "Pace", "Customer fit"):
        assert title in html
    # The app's larger charts and tables are there (the registry alone gives neither), Plotly's
    # JavaScript once, and the note on the timeline, escaped, in "What changed".
    assert "Prospecting hours per week" in html and "<table>" in html
    assert html.count('id="chart-') > 10 and html.count("Plotly.newPlot") > 10
    assert html.count("plotly.js v") == 1
    assert "New CRM from August &lt;b&gt;bold?&lt;/b&gt;" in html
    con = store.connect(noted, read_only=True)
    try:
        [made] = history(con, store.get_workspace(con, WS).id)
    finally:
        con.close()
    assert (made.format, made.pages, made.as_of) == ("html", ("pace", "fit"), date(2026, 10, 31))
    assert made.sha256 == info["sha256"]


def test_the_pdf_pack_names_the_business_every_page_and_the_note(
    noted: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "one.pdf", tmp_path / "two.pdf"
    info = pack_json(noted, first, "--without-app", "--since", "2026-08-01", "--paper", "letter")
    assert info["from_registry"] == list(PAGES)
    assert info["since"] == "2026-08-01" and info["pdf_pages"] >= 8
    data = first.read_bytes()
    text = pdf_text(data)
    for words in ("Harbour IT (demo)", "What changed", *PAGES.values(), "New CRM from August"):
        assert words in text, words
    assert len(PdfReader(io.BytesIO(data)).pages) == info["pdf_pages"]
    pack_json(noted, second, "--without-app", "--since", "2026-08-01", "--paper", "letter")
    assert second.read_bytes() == data  # the same pack, the same bytes
    con = store.connect(noted, read_only=True)
    try:
        assert last_made(con, store.get_workspace(con, WS).id) == date(2026, 10, 31)
    finally:
        con.close()


def test_an_anonymous_pack_from_the_cli_hides_every_name(noted: Path, tmp_path: Path) -> None:
    out = tmp_path / "anon.html"
    info = pack_json(noted, out, "--pages", "fit", "--anonymous")
    assert info["from_registry"] == []  # the page as the app draws it: its customer tables too
    html = out.read_text(encoding="utf-8")
    assert "Anonymous business" in html and "Customer 1" in html
    con = store.connect(noted, read_only=True)
    try:
        customers = [r[0] for r in con.execute("SELECT DISTINCT customer FROM invoices").fetchall()]
        people = [r[0] for r in con.execute("SELECT DISTINCT person FROM time_entries").fetchall()]
    finally:
        con.close()
    for name in ["Harbour IT", "Dana", *people, *customers]:
        # as text in the page, and as data in a chart's JSON
        for shown in {name, name.replace("&", "&amp;").replace("'", "&#39;")}:
            assert shown not in html, name


def test_a_wrong_file_kind_or_page_is_one_line(demo_db: Path, tmp_path: Path) -> None:
    ran = run_cli("pack", "--db", demo_db, "--workspace", WS, "--out", tmp_path / "p.docx")
    assert ran.returncode != 0 and "must end in .html or .pdf" in ran.stderr
    ran = run_cli(
        "pack", "--db", demo_db, "--workspace", WS, "--pages", "fun", "--out", tmp_path / "p.pdf"
    )
    assert ran.returncode != 0 and "'fun'" in ran.stderr
