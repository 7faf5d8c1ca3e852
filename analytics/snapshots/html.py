"""Reading a snapshot back: the banner that says who froze what and when, table cells as the
page showed them, and the HTML export, one self-contained file rendered by Jinja2 from
templates/snapshot.html.j2 with every value autoescaped and Plotly's JavaScript inlined once.
"""

from __future__ import annotations

import math
import re
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from analytics import format as fmt
from analytics.snapshots.model import Frozen, Snapshot


def banner(snap: Snapshot) -> str:
    """Who froze what, and when, in one plain line."""
    parts = [f"{snap.page_title} of {snap.shown_name}"]
    if snap.as_of is not None:
        parts.append(f"figures as of {fmt.day(snap.as_of)}")
    made = f"frozen {fmt.day(snap.created_at.date())} at {snap.created_at:%H:%M}"
    parts.append(f"{made} by {snap.author}" if snap.author else made)
    if snap.expires_at is not None:
        parts.append(f"link works until {fmt.day(snap.expires_at.date())}")
    return " · ".join(parts)


def cell_text(value: Any, format_: str | None) -> str:
    """A table cell as the page showed it (the formats the pages use)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, int | float) and format_:
        if format_ == "localized":
            return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
        if format_ == "percent":
            return fmt.pct(float(value))
        if format_.startswith("%"):
            try:
                return format_ % value
            except (TypeError, ValueError):
                return str(value)
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if isinstance(value, list):
        return ", ".join(cell_text(v, None) for v in value)
    return str(value)


def is_number(value: object) -> bool:
    """A cell the table aligns right (a bool is shown as a tick, not a number)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


# ---------------------------------------------------------------- the markdown filter

_MD_TOKEN = re.compile(r"\\(.)|\*\*|\*|\n")
# The only tags the filter writes: each style's opening and closing tag.
_MD_TAGS = {
    "**": (Markup("<strong>"), Markup("</strong>")),
    "*": (Markup("<em>"), Markup("</em>")),
}
_BREAK = Markup("<br>")


def markdown(text: object) -> Markup:
    """The small markdown the pages write (bold, italics, backslash escapes, line breaks) as
    safe HTML: the template's `markdown` filter.

    A character escaped with a backslash is literal (that is how the pages make the owner's
    text inert); every literal goes through markupsafe's `escape`, and the only markup is the
    filter's own <strong>, <em> and <br>. Bare addresses are broken up first
    (`analytics.format.unlinked`): nothing in a snapshot becomes markup or a link.
    """
    text = fmt.unlinked(text)
    out: list[Markup] = []
    open_: list[str] = []
    pos = 0
    for m in _MD_TOKEN.finditer(text):
        out.append(escape(text[pos : m.start()]))
        pos = m.end()
        mark = m.group(0)
        if m.group(1) is not None:
            out.append(escape(m.group(1)))
        elif mark == "\n":
            out.append(_BREAK)
        elif mark in open_:
            out.append(_MD_TAGS[mark][1])
            open_.remove(mark)
        else:
            out.append(_MD_TAGS[mark][0])
            open_.append(mark)
    out.append(escape(text[pos:]))
    out.extend(_MD_TAGS[mark][1] for mark in ("*", "**") if mark in open_)
    return Markup("").join(out)


def markdown_html(text: str) -> str:
    """`markdown` as a plain string (for callers outside a template)."""
    return str(markdown(text))


# ---------------------------------------------------------------- the export


class _Charts:
    """The template's `chart(spec, height)`: a frozen figure as Plotly's own div and script,
    with the library's JavaScript (from the installed package, no CDN) in the first only."""

    def __init__(self) -> None:
        self.plotly_in = False

    def __call__(self, spec: dict[str, Any], height: int | None = None) -> Markup:
        fig = fmt.inert_figure(go.Figure(spec))
        if height:
            fig.update_layout(height=height)
        html = pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=not self.plotly_in,
            config={"displaylogo": False, "responsive": True},
        )
        self.plotly_in = True
        # Plotly's markup, trusted as such: the figure goes into it as JSON with "<", ">" and
        # "/" escaped, and its data text escaped for Plotly (`inert_figure`).
        return Markup(html)


ENV = Environment(
    loader=PackageLoader("analytics.snapshots", "templates"),
    # Every template escapes every value, whatever its name ends with.
    autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
ENV.filters["markdown"] = markdown
ENV.filters["unlinked"] = fmt.unlinked
ENV.filters["cell"] = cell_text
ENV.tests["number_cell"] = is_number
ENV.globals["zip"] = zip


def to_html(item: Frozen) -> str:
    """One self-contained HTML file: Plotly's JavaScript inlined once, no network needed."""
    return ENV.get_template("snapshot.html.j2").render(
        snapshot=item.snapshot,
        banner=banner(item.snapshot),
        blocks=item.blocks,
        chart=_Charts(),
    )
