"""Text from the owner's files never becomes a link: not on the pages, not in a snapshot's
view, not in its HTML export, even when a customer is named like an address."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from analytics import importer, snapshots, store
from analytics.format import (
    PLOTLY_DATA_FIELDS,
    WORD_JOINER,
    inert,
    inert_figure,
    plotly_text,
    unlinked,
)
from tests.apptest import app, no_failure, run_page

# Names a linkifier would turn into links: GitHub-flavoured markdown (Streamlit's) links the
# first three even with every mark backslash-escaped; the last is a scheme it does not link.
EVIL = ["http://evil.example/p.png", "www.evil.example", "x@evil.example", "ftp://evil.example"]
SEGMENT = "https://evil.example/segment"
# Plotly draws an <a> tag in any text of a chart (axis labels, legend, hover) as a live link.
TAGGED = '<a href="http://evil.example/tag">Tag Co</a>'

# What remark-gfm (mdast-util-gfm-autolink-literal, as bundled in Streamlit 1.67) searches the
# text for once markdown's escapes are read: a scheme link or www., and a bare email.
_GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE | re.ASCII)
_GFM_EMAIL = re.compile(r"(?:^|(?<=[\s!-/:-@\[-`{-~]))([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def read_as_markdown(body: str) -> str:
    """The text a markdown renderer is left with once backslash escapes are read."""
    return _ESCAPE.sub(r"\1", body)


def links_in(body: str) -> list[str]:
    """What remark-gfm would link in this markdown body (its own patterns, reimplemented)."""
    text = read_as_markdown(body)
    return [m.group(0) for m in _GFM_URL.finditer(text)] + [
        m.group(0) for m in _GFM_EMAIL.finditer(text)
    ]


# ---------------------------------------------------------------- the helpers


@pytest.mark.parametrize(
    ("raw", "broken"),
    [
        ("http://evil.example/p.png", "http\u2060://evil.example/p.png"),
        ("HTTPS://EVIL.example", "HTTPS\u2060://EVIL.example"),
        ("ftp://evil.example", "ftp\u2060://evil.example"),
        ("www.evil.example", "www\u2060.evil.example"),
        ("Visit WWW.evil.example", "Visit WWW\u2060.evil.example"),
        ("x@evil.example", "x@\u2060evil.example"),
        ("mailto:x@evil.example", "mailto\u2060:x@\u2060evil.example"),
        ("Acme Inc. (10:30, note: ok)", "Acme Inc. (10:30, note: ok)"),  # nothing to break
        ("a@", "a@"),
    ],
)
def test_unlinked_breaks_where_a_link_would_start(raw: str, broken: str) -> None:
    assert unlinked(raw) == broken
    assert unlinked(broken) == broken  # twice is once
    assert broken.replace(WORD_JOINER, "") == raw  # the same text to read


@pytest.mark.parametrize("name", [*EVIL, SEGMENT, "mailto:x@evil.example", "WWW.EVIL.EXAMPLE"])
def test_inert_text_links_nothing(name: str) -> None:
    body = inert(name)
    assert links_in(name) or name.startswith(("ftp", "mailto"))  # the check sees real links
    assert links_in(body) == []
    assert read_as_markdown(body).replace(WORD_JOINER, "") == name


def test_text_escaped_before_addresses_were_broken_is_unlinked_the_same() -> None:
    # Snapshots frozen earlier hold text escaped without the joiners; the view adds them.
    plain = "see http://evil.example, x@y.zz"
    old = "".join("\\" + c if c in ":/.,@" else c for c in plain)  # inert as it was
    assert links_in(old) != []
    assert links_in(unlinked(old)) == []
    assert unlinked(old) == inert(plain)


# ---------------------------------------------------------------- a business with such names


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


WORKSPACE = "Names Co"


def build_store(path: Path) -> None:
    """A business whose biggest customers (and their segment) are named like addresses, and
    a customer and a segment hold a link tag, imported from CSV files the ordinary way: two
    years of monthly invoices. (The browser test serves the same store.)"""
    customers = [*EVIL, TAGGED, *(f"Customer {i}" for i in range(1, 8))]
    segment = {c: SEGMENT for c in EVIL} | {f"Customer {i}": TAGGED for i in (1, 2, 3)}
    invoices = [
        [(date(2024, 1, 15) + timedelta(days=30 * month)).isoformat(), name, str(5000 - 400 * rank)]
        for month in range(24)
        for rank, name in enumerate(customers)
    ]
    files = {
        "customers.csv": [
            ["Customer", "Segment"],
            *([c, segment.get(c, "Dental")] for c in customers),
        ],
        "invoices.csv": [["Date", "Customer", "Amount"], *invoices],
    }
    con = store.connect(path)
    try:
        ws = store.create_workspace(con, WORKSPACE)
        for name, rows in files.items():
            importer.import_source(con, ws.id, importer.read_source(_csv(rows), name))
    finally:
        con.close()


@pytest.fixture
def evil_db(db_file: Path) -> Path:
    build_store(db_file)
    return db_file


def markdown_bodies(at: AppTest) -> list[str]:
    """Every piece of text the page hands to Streamlit's markdown renderer."""
    bodies: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption"):
        bodies += [str(e.value) for e in getattr(at, kind)]
    for kind in ("success", "info", "warning", "error"):
        bodies += [str(e.value) for e in getattr(at, kind)]
    bodies += [str(m.label) for m in at.metric] + [str(m.value) for m in at.metric]
    return bodies


def assert_named_but_not_linked(at: AppTest, names: list[str]) -> None:
    bodies = markdown_bodies(at)
    shown = "\n".join(read_as_markdown(b).replace(WORD_JOINER, "") for b in bodies)
    for name in names:
        assert name in shown, f"{name} is not on the page"
    linked = [link for body in bodies for link in links_in(body)]
    assert linked == []


def chart_texts(at: AppTest) -> list[str]:
    """Every piece of data text in the page's charts, as handed to Plotly."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            for field in PLOTLY_DATA_FIELDS:
                walk(trace.get(field))
    return found


@pytest.mark.usefixtures("fresh_streamlit")
@pytest.mark.parametrize(
    ("page", "names"),
    [("pages/scoreboard.py", EVIL[:3]), ("pages/fit.py", EVIL[:3])],
)
def test_customers_named_like_addresses_are_text_on_the_pages(
    evil_db: Path, page: str, names: list[str]
) -> None:
    at = run_page(page)
    no_failure(at)
    assert_named_but_not_linked(at, names)


@pytest.mark.usefixtures("fresh_streamlit")
def test_a_name_holding_a_tag_is_text_in_the_charts(evil_db: Path) -> None:
    at = run_page("pages/niche.py")  # segments name the series
    no_failure(at)
    texts_ = chart_texts(at)
    assert plotly_text(TAGGED) in texts_  # charted, escaped: Plotly shows it as written
    assert not [t for t in texts_ if "<a" in t.lower()]


def test_inert_figure_escapes_data_text_only() -> None:
    fig = go.Figure(
        go.Bar(
            x=[TAGGED, "AT&T &lt;3"],
            y=[2.0, 1.0],
            name="<b>Segment</b>",
            customdata=np.stack([np.array([TAGGED, "b"], dtype=object), [1.5, 2.5]], axis=-1),
            hovertemplate="<b>%{x}</b><br>%{customdata[1]:,.1f}<extra></extra>",
        )
    )
    fig.update_xaxes(categoryarray=["AT&T &lt;3", TAGGED])
    fig.update_layout(title="<b>Biggest customers</b>")
    out = inert_figure(fig)
    escaped = '&lt;a href="http://evil.example/tag">Tag Co&lt;/a>'
    # "&" only where Plotly would read an entity: the name shows as written either way.
    assert list(out.data[0].x) == [escaped, "AT&T &amp;lt;3"]
    assert out.data[0].name == "&lt;b>Segment&lt;/b>"
    assert out.data[0].customdata.tolist() == [[escaped, 1.5], ["b", 2.5]]  # numbers stay
    assert list(out.layout.xaxis.categoryarray) == ["AT&T &amp;lt;3", escaped]
    assert out.data[0].hovertemplate == "<b>%{x}</b><br>%{customdata[1]:,.1f}<extra></extra>"
    assert out.layout.title.text == "<b>Biggest customers</b>"  # the app's own markup
    assert list(fig.data[0].x) == [TAGGED, "AT&T &lt;3"]  # the figure itself is left as it was
    plain_fig = go.Figure(go.Bar(x=["Dental", "Gallagher & Oakley"], y=[1, 2]))
    assert inert_figure(plain_fig) is plain_fig  # nothing to escape: no copy


@pytest.mark.usefixtures("fresh_streamlit")
def test_a_segment_named_like_an_address_is_text_when_picked(evil_db: Path) -> None:
    at = run_page("pages/fit.py", segment=SEGMENT)
    no_failure(at)
    assert at.multiselect(key="fit_segments").value == [SEGMENT]
    assert_named_but_not_linked(at, [SEGMENT])


@pytest.mark.usefixtures("fresh_streamlit")
def test_a_snapshot_of_them_shows_and_exports_no_link(evil_db: Path) -> None:
    at = run_page("pages/fit.py")
    [b for b in at.button if b.label == "Create link"][0].click().run()
    no_failure(at)
    [link] = [str(c.value) for c in at.code if "?snapshot=" in str(c.value)]
    view = app()
    view.query_params["snapshot"] = link.split("=", 1)[1]
    view.run()
    no_failure(view)
    assert "Read-only snapshot" in "".join(str(i.value) for i in view.info)
    assert_named_but_not_linked(view, EVIL[:3])

    con = store.connect(evil_db)
    try:
        ws = store.list_workspaces(con)[0]
        [snap] = snapshots.list_snapshots(con, ws.id)
        page = snapshots.to_html(snapshots.frozen(con, ws.id, snap.id))
    finally:
        con.close()
    assert "http\u2060://evil.example/p.png" in page  # the name, as text
    assert 'href="http://evil' not in page and "href='http://evil" not in page
    body = page.split("<body>", 1)[1]
    text_only = re.sub(r"<script.*?</script>", "", body, flags=re.S)
    assert "<a " not in text_only  # no link anywhere outside Plotly's own code


def test_the_html_export_escapes_and_unlinks_frozen_text(
    con: store.Connection, workspace: store.Workspace
) -> None:
    import pandas as pd

    blocks = [
        snapshots.heading_block("Customer fit", 1),
        snapshots.text_block("Biggest: " + inert("http://evil.example/p.png") + " **grew**"),
        # text frozen before addresses were broken up: escaped, but no joiners in it
        snapshots.text_block("Old: www\\.evil\\.example and x\\@evil\\.example"),
        snapshots.table_block(pd.DataFrame({"Customer": ["<a href=x>www.evil.example</a>"]})),
    ]
    _, token = snapshots.create(
        con, workspace.id, "fit", blocks, title="x@evil.example", author="www.evil.example"
    )
    item = snapshots.resolve(con, token)
    assert item is not None
    page = snapshots.to_html(item)
    assert "<p>Biggest: http\u2060://evil.example/p.png <strong>grew</strong></p>" in page
    assert "<p>Old: www\u2060.evil.example and x@\u2060evil.example</p>" in page
    assert "<td>&lt;a href=x&gt;www\u2060.evil.example&lt;/a&gt;</td>" in page
    assert "<title>x@\u2060evil.example</title>" in page
    assert "by www\u2060.evil.example" in page
    assert "<a " not in page.split("</style>", 1)[1].split("<script", 1)[0]
