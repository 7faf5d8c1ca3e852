"""The review pack: one document for a meeting — a cover, what changed since the last review,
the chosen pages as they stand (with their notes), the definitions of the figures used and
the filters in effect — as one offline HTML file or a PDF.

One module per question: `model` (the document as data), `build` (assembling it from the
store and the pages' blocks), `anonymous` (names replaced by labels), `html` and `pdf` (the
two renderers; `pdf_charts` draws the charts as vectors) and `log` (the packs made).
"""

from __future__ import annotations

from analytics.pack.build import PackError, parse_pages
from analytics.pack.html import to_html
from analytics.pack.log import last_made, record
from analytics.pack.model import ANONYMOUS_NAME, PAGES, PAPERS, Cover, Pack, Section
from analytics.pack.pdf import to_pdf

__all__ = [
    "ANONYMOUS_NAME",
    "PAGES",
    "PAPERS",
    "Cover",
    "Pack",
    "PackError",
    "Section",
    "last_made",
    "parse_pages",
    "record",
    "to_html",
    "to_pdf",
]
