"""The "Review pack" button (ui/pack.py) under AppTest on the demo: both formats offered for
download, each noted in the pack log. AppTest has no server runtime, so the pages come from
the registry here (test_pack_served.py draws them in a real runtime)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics.pack.log import history
from tests.apptest import TIMEOUT, no_failure

pytestmark = pytest.mark.usefixtures("fresh_streamlit")


def button_page() -> None:
    from ui import pack, sidebar
    from ui import store as ui_store

    ws = ui_store.workspaces()[0]
    last = ui_store.last_data_date(ws.id)
    pack.render(sidebar.Context(ws, last, last))


def make(at: AppTest, format_: str, pages: list[str]) -> bytes:
    at.multiselect[0].set_value(pages)
    at.radio[0].set_value(format_)
    [b for b in at.button if b.label == "Make the pack"][0].click().run()
    no_failure(at)
    made = at.session_state["_od_pack_made_pack"]
    assert made["format"] == ("pdf" if format_ == "PDF" else "html")
    return bytes(made["data"])


def test_the_button_makes_both_formats_and_logs_them(demo_db: Path) -> None:
    at = AppTest.from_function(button_page, default_timeout=TIMEOUT)
    at.run()
    no_failure(at)
    html = make(at, "HTML (opens in any browser, offline)", ["pace"]).decode("utf-8")
    assert "Review pack: Harbour IT (demo)" in html and "What changed" in html
    assert "<h1>Pace</h1>" in html
    pdf = make(at, "PDF", ["scoreboard", "fit"])
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for words in ("Harbour IT (demo)", "Scoreboard", "Customer fit", "Definitions"):
        assert words in text
    downloads = [str(b.proto.label) for b in at.get("download_button")]
    assert len(downloads) == 1 and downloads[0].startswith(
        "Download review-pack-harbour-it-demo-2026-10-31"
    )
    assert downloads[0].endswith(".pdf")
    con = store.connect(demo_db, read_only=True)
    try:
        made = history(con, store.list_workspaces(con)[0].id)
    finally:
        con.close()
    assert [(m.format, m.pages) for m in made] == [
        ("pdf", ("scoreboard", "fit")),
        ("html", ("pace",)),
    ]
