"""The HTML export rendered by Jinja2: autoescaped, strict, self-contained, and hostile text
from the owner's files (tags, javascript: links, markdown links, addresses) inert wherever a
snapshot shows it: a heading, a table cell, a card, a chart title and the owner's own text."""

from __future__ import annotations

import re
from datetime import date, datetime
from html.parser import HTMLParser
from typing import Any

import jinja2
import pandas as pd
import plotly.graph_objects as go
import pytest
from markupsafe import Markup

from analytics import snapshots
from analytics.format import inert
from analytics.snapshots import html as snapshot_html

SCRIPT = "<script>alert(1)</script>"
JS_LINK = '<a href="javascript:alert(2)">click</a>'
MD_LINK = "[click](javascript:alert(3))"
SNAP = snapshots.Snapshot(
    id=1,
    workspace_id=1,
    page="fit",
    title="Q3 for my coach",
    shown_name="Test Co",
    author="Sam",
    as_of=date(2026, 10, 31),
    created_at=datetime(2026, 11, 2, 9, 30),
    expires_at=None,
    revoked_at=None,
)


def card(**changes: Any) -> dict[str, Any]:
    """A card block: a plain red one, with `changes`."""
    fields: dict[str, Any] = {
        "label": "Pace",
        "status": "red",
        "status_text": "🔴 Off track",
        "value": "5",
        "message": "",
        "description": "",
        "next_step": "",
    }
    return snapshots.card_block(**{**fields, **changes})


def export(blocks: list[dict[str, Any]], snap: snapshots.Snapshot = SNAP) -> str:
    return snapshots.to_html(snapshots.Frozen(snap, snapshots.check_blocks(blocks)))


def outside_scripts(page: str) -> str:
    """The page without Plotly's script elements: what the browser shows as HTML."""
    return re.sub(r"<script.*?</script>", "", page.split("<body>", 1)[1], flags=re.S)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


# Every element the template (and Plotly's chart div) writes, and every attribute it uses.
OWN_TAGS = {"div", "h1", "h2", "h3", "h4", "p", "strong", "em", "br", "ul", "li"}
OWN_TAGS |= {"table", "thead", "tbody", "tr", "th", "td"}
OWN_ATTRIBUTES = {"class", "id", "style"}


def assert_no_markup_from_data(page: str) -> None:
    """The browser finds only the template's own elements: no script, link or handler."""
    parser = _Tags()
    parser.feed(outside_scripts(page))
    assert parser.found
    assert {tag for tag, _ in parser.found} <= OWN_TAGS
    assert {name for _, attrs in parser.found for name, _ in attrs} <= OWN_ATTRIBUTES


# ---------------------------------------------------------------- the environment


def test_the_environment_escapes_every_value_and_refuses_unknown_names() -> None:
    env = snapshot_html.ENV
    assert env.autoescape("snapshot.html.j2") is True  # type: ignore[operator]
    assert env.autoescape("anything.else") is True  # type: ignore[operator]
    assert env.undefined is jinja2.StrictUndefined
    # a template naming something it was not given fails, never renders an empty string
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
    assert env.from_string("{{ x }}").render(x=SCRIPT) == ("&lt;script&gt;alert(1)&lt;/script&gt;")


def test_the_template_ships_inside_the_package() -> None:
    source, path, _ = snapshot_html.ENV.loader.get_source(snapshot_html.ENV, "snapshot.html.j2")  # type: ignore[union-attr]
    assert path is not None and path.endswith("analytics/snapshots/templates/snapshot.html.j2")
    assert "{% for block in blocks %}" in source


# ---------------------------------------------------------------- the markdown filter


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("**bold** and *it*", "<strong>bold</strong> and <em>it</em>"),
        ("\\*\\*kept\\*\\*", "**kept**"),  # escaped marks stay literal
        ("one\ntwo", "one<br>two"),
        ("**open *both", "<strong>open <em>both</em></strong>"),  # closed at the end, inner first
        ('a < b & "c"', "a &lt; b &amp; &#34;c&#34;"),
        (SCRIPT, "&lt;script&gt;alert(1)&lt;/script&gt;"),
        (MD_LINK, "[click](javascript:alert(3))"),  # no link syntax: stays the text typed
        (inert(MD_LINK), "[click](javascript:alert(3))"),  # made inert by a page: the same text
        ("see www.evil.example", "see www\u2060.evil.example"),
    ],
)
def test_the_markdown_filter_keeps_today_s_rules(text: str, shown: str) -> None:
    out = snapshot_html.markdown(text)
    assert isinstance(out, Markup)
    assert out == shown
    assert snapshots.markdown_html(text) == shown
    assert snapshot_html.ENV.from_string("{{ t|markdown }}").render(t=text) == shown


# ---------------------------------------------------------------- hostile text, block by block


def test_a_heading_shows_tags_and_links_as_text() -> None:
    page = export([snapshots.heading_block(f"Dental {SCRIPT} {JS_LINK} {MD_LINK}", 2)])
    assert (
        "<h2>Dental &lt;script&gt;alert(1)&lt;/script&gt; "
        "&lt;a href=&#34;javascript:alert(2)&#34;&gt;click&lt;/a&gt; "
        "[click](javascript:alert(3))</h2>"
    ) in page
    assert_no_markup_from_data(page)


def test_a_heading_level_is_kept_between_1_and_4() -> None:
    page = export([snapshots.heading_block("Top", 0), snapshots.heading_block("Deep", 9)])
    assert "<h1>Top</h1>" in page and "<h4>Deep</h4>" in page


def test_a_table_cell_shows_tags_and_links_as_text_and_numbers_as_the_page_did() -> None:
    frame = pd.DataFrame(
        {
            "Customer <b>": [SCRIPT, JS_LINK, MD_LINK],
            "Revenue": [1234.5, 1000.0, None],
            "Share": [0.25, 0.5, 0.125],
        }
    )
    page = export([snapshots.table_block(frame, {"Revenue": "localized", "Share": "percent"})])
    assert "<th>Customer &lt;b&gt;</th><th>Revenue</th><th>Share</th>" in page
    # 1234.5 → "1,234.50"; 1000.0 is whole → "1,000"; None → "—" (not a number: no class)
    assert (
        '<tr><td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td class="num">1,234.50</td>'
        '<td class="num">25.0%</td></tr>'
    ) in page
    assert (
        "<tr><td>&lt;a href=&#34;javascript:alert(2)&#34;&gt;click&lt;/a&gt;</td>"
        '<td class="num">1,000</td><td class="num">50.0%</td></tr>'
    ) in page
    assert (
        '<tr><td>[click](javascript:alert(3))</td><td>—</td><td class="num">12.5%</td></tr>'
    ) in page
    assert_no_markup_from_data(page)


def test_a_card_shows_its_message_and_next_step_as_text() -> None:
    page = export(
        [
            card(
                label=f"Top customer {SCRIPT}",
                value="3 of 10",
                message=f"{JS_LINK} bought 42% of revenue",
                next_step=f"Call {MD_LINK} at x@evil.example",
            )
        ]
    )
    assert '<div class="value">3 of 10</div>' in page
    assert (
        "<strong>Top customer &lt;script&gt;alert(1)&lt;/script&gt;</strong> · 🔴 Off track" in page
    )
    assert (
        "<p>&lt;a href=&#34;javascript:alert(2)&#34;&gt;click&lt;/a&gt; bought 42% of revenue</p>"
    ) in page
    assert (
        '<p class="caption">What to do next: Call [click](javascript:alert(3)) '
        "at x@\u2060evil.example</p>"
    ) in page
    assert_no_markup_from_data(page)


def test_a_green_card_has_no_next_step() -> None:
    assert "What to do next: Keep going" in export([card(next_step="Keep going")])
    green = card(status="green", status_text="🟢 On track", next_step="Keep going")
    assert "What to do next" not in export([green])


def test_a_chart_title_and_names_stay_data_for_plotly() -> None:
    fig = go.Figure(
        go.Bar(x=[JS_LINK, "Legal"], y=[3, 4], name=SCRIPT),
        layout={"title": {"text": f"Revenue {SCRIPT}"}},
    )
    page = export([snapshots.chart_block(fig)])
    assert_no_markup_from_data(page)
    # The title reaches Plotly only as JSON, every "<", ">" and "/" escaped: no tag in the page.
    assert "Revenue \\u003cscript\\u003ealert(1)\\u003c\\u002fscript\\u003e" in page
    assert "<script>alert" not in page
    # Names from the data are escaped for Plotly too (it would draw an <a href> as a link).
    assert '&lt;a href=\\"javascript:alert(2)\\"\\u003eclick&lt;\\u002fa\\u003e' in page
    assert "&lt;script\\u003ealert(1)&lt;\\u002fscript\\u003e" in page
    assert 'href="javascript' not in page


def test_the_owner_s_text_keeps_bold_and_italics_and_nothing_else() -> None:
    page = export(
        [
            snapshots.text_block(f"Biggest: {inert(SCRIPT)} **grew** *fast*"),
            snapshots.text_block(f"Raw {SCRIPT} {MD_LINK}", "warning"),
            snapshots.steps_block([f"🔴 **{inert(JS_LINK)}**: call"]),
        ]
    )
    assert (
        "<p>Biggest: &lt;script&gt;alert(1)&lt;/script&gt; <strong>grew</strong> <em>fast</em></p>"
        in page
    )
    assert (
        '<div class="note-box">Raw &lt;script&gt;alert(1)&lt;/script&gt; '
        "[click](javascript:alert(3))</div>"
    ) in page
    assert (
        "<li>🔴 <strong>&lt;a href=&#34;javascript:alert(2)&#34;&gt;click&lt;/a&gt;</strong>: "
        "call</li>"
    ) in page
    assert_no_markup_from_data(page)


def test_title_and_banner_are_text() -> None:
    snap = snapshots.Snapshot(**{**SNAP.__dict__, "title": SCRIPT, "author": JS_LINK})
    page = export([snapshots.heading_block("Customer fit", 1)], snap)
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in page
    assert (
        "<strong>Read-only snapshot: &lt;script&gt;alert(1)&lt;/script&gt;</strong><br>"
        "Customer fit of Test Co · figures as of 31 Oct 2026 · frozen 2 Nov 2026 at 09:30 by "
        "&lt;a href=&#34;javascript:alert(2)&#34;&gt;click&lt;/a&gt;</div>"
    ) in page
    assert_no_markup_from_data(page)


def test_plotly_is_inlined_once_for_two_charts_and_a_sparkline() -> None:
    spark = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    bar = go.Figure(go.Bar(x=["a"], y=[1]))
    page = export([card(spark=spark), snapshots.chart_block(bar), snapshots.chart_block(bar)])
    assert page.count('class="plotly-graph-div"') == 3
    assert page.count("Plotly.newPlot") == 3  # one call per chart
    assert "<script src=" not in page and "cdn.plot.ly/plotly" not in outside_scripts(page)
    assert '"height":60' in page  # the card's trend, drawn small
