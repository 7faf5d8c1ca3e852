"""The review pack as a PDF: the same cover, sections and blocks as the HTML, on real A4 or
Letter pages (reportlab, from PyPI wheels only), text selectable, charts as vectors
(`pdf_charts`), tables split across pages with their header repeated. Deterministic: the
same pack gives the same bytes (`invariant`, no dates or ids of its own)."""

from __future__ import annotations

import io
import os
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from analytics import format as fmt
from analytics.pack import pdf_charts
from analytics.pack.model import Pack
from analytics.snapshots.html import cell_text, is_number, markdown

_FONT_DIR = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
# Bitstream Vera, shipped inside reportlab's wheel: no system font is needed.
FONT, BOLD = "Vera", "Vera-Bold"
# Symbols the pages use that the font lacks, as words.
SYMBOLS = {
    "🔴": "",
    "🟠": "",
    "🟢": "",
    "⚪": "",
    "✓": "yes",
    "✗": "no",
    "→": "->",
    "≥": ">=",
    "≤": "<=",
    "\u2060": "",
}


def _fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, os.path.join(_FONT_DIR, "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, os.path.join(_FONT_DIR, "VeraBd.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def printable(text: Any) -> str:
    """Text the font can draw: the status icons dropped (their word stays), ticks as words,
    any other character the font lacks as '?'."""
    _fonts()
    out = str(text)
    for symbol, word in SYMBOLS.items():
        out = out.replace(symbol, word)
    face = pdfmetrics.getFont(FONT).face  # type: ignore[attr-defined]
    return "".join(
        c if ord(c) < 128 or ord(c) in face.charToGlyph or c in "\n\t" else "?" for c in out
    ).strip()


def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    base = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, spaceAfter=4)
    return {
        "body": base,
        "h1": ParagraphStyle("h1", base, fontName=BOLD, fontSize=17, leading=21, spaceAfter=8),
        "h2": ParagraphStyle("h2", base, fontName=BOLD, fontSize=13, leading=16, spaceBefore=8),
        "h3": ParagraphStyle("h3", base, fontName=BOLD, fontSize=10.5, leading=13, spaceBefore=6),
        "caption": ParagraphStyle("caption", base, fontSize=7.5, leading=10, textColor="#616e7c"),
        "box": ParagraphStyle("box", base, backColor="#e8f1fb", borderPadding=4, spaceBefore=4),
        "cell": ParagraphStyle("cell", base, fontSize=7, leading=8.5, spaceAfter=0),
        "num": ParagraphStyle("num", base, fontSize=7, leading=8.5, spaceAfter=0, alignment=2),
        "value": ParagraphStyle("value", base, fontName=BOLD, fontSize=13, leading=16),
        "cover": ParagraphStyle("cover", base, fontName=BOLD, fontSize=24, leading=30),
    }


def plain(text: Any, style: ParagraphStyle) -> Paragraph:
    """Owner's or page text as a paragraph: escaped, never reportlab markup."""
    return Paragraph(xml_escape(printable(fmt.unlinked(text))), style)


def marked(text: Any, style: ParagraphStyle) -> Paragraph:
    """The pages' small markdown (bold, italics, breaks) over escaped text, as the HTML's
    `markdown` filter reads it, in reportlab's tags."""
    html = str(markdown(printable(text)))
    for a, b in (("<strong>", "<b>"), ("</strong>", "</b>"), ("<em>", "<i>"), ("</em>", "</i>")):
        html = html.replace(a, b)
    return Paragraph(html.replace("<br>", "<br/>"), style)


class Renderer:
    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.size = A4 if pack.paper == "A4" else LETTER
        self.width = self.size[0] - 30 * mm
        self.s = _styles()

    def chart(
        self, spec: dict[str, Any], height: float = 210.0, width: float | None = None
    ) -> list[Flowable]:
        try:
            out: list[Flowable] = [pdf_charts.draw(spec, width or self.width, printable, height)]
        except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError):
            # A spec shape this renderer does not know: the chart is named, not drawn.
            return [plain("This chart is drawn in the HTML pack.", self.s["caption"])]
        missing = pdf_charts.skipped(spec)
        if missing:
            out.append(
                plain(
                    f"Part of this chart ({', '.join(missing)}) is drawn in the HTML pack.",
                    self.s["caption"],
                )
            )
        return out

    def table(self, block: dict[str, Any]) -> list[Flowable]:
        columns = [str(c) for c in block.get("columns", [])]
        if not columns:
            return []
        formats = block.get("formats", {})
        head = [plain(c, self.s["cell"]) for c in columns]
        rows = [head]
        for row in block.get("rows", []):
            rows.append(
                [
                    plain(
                        cell_text(v, formats.get(c)),
                        self.s["num"] if is_number(v) else self.s["cell"],
                    )
                    for c, v in zip(columns, row, strict=False)
                ]
            )
        table = Table(rows, colWidths=[self.width / len(columns)] * len(columns), repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#d0d5da")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f5f7fa")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return [table, Spacer(1, 6)]

    def card(self, block: dict[str, Any]) -> list[Flowable]:
        s = self.s
        head = plain(f"{block.get('label', '')} · {block.get('status_text', '')}", s["h3"])
        inner: list[list[Any]] = [
            [head, plain(block.get("value", ""), s["value"])],
            [plain(block.get("message", ""), s["body"]), ""],
        ]
        if block.get("spark"):
            inner.append([self.chart(block["spark"], 48, self.width - 20)[0], ""])
        step = block.get("next_step") or ""
        if step and block.get("status") != "green":
            inner.append([plain(f"What to do next: {step}", s["caption"]), ""])
        table = Table(inner, colWidths=[self.width * 0.74, self.width * 0.26])
        table.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#d0d5da")),
                    ("SPAN", (0, 1), (-1, 1)),
                    *[("SPAN", (0, r), (-1, r)) for r in range(2, len(inner))],
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ]
            )
        )
        return [KeepTogether([table]), Spacer(1, 5)]

    def metrics(self, block: dict[str, Any]) -> list[Flowable]:
        items = block.get("items", [])
        if not items:
            return []
        per_row = 4
        cells: list[Any] = [
            [
                plain(m.get("label", ""), self.s["caption"]),
                plain(m.get("value", ""), self.s["value"]),
                plain(m.get("note", ""), self.s["caption"]),
            ]
            for m in items
        ]
        rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
        rows[-1] += [""] * (per_row - len(rows[-1]))
        table = Table(rows, colWidths=[self.width / per_row] * per_row)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BOX", (0, 0), (-1, -1), 0.3, colors.HexColor("#e0e0e0")),
                    ("INNERGRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#e0e0e0")),
                ]
            )
        )
        return [table, Spacer(1, 6)]

    def block(self, block: dict[str, Any]) -> list[Flowable]:
        kind = block.get("kind")
        s = self.s
        if kind == "heading":
            level = min(max(int(block.get("level", 2)), 1), 3)
            return [CondPageBreak(60), plain(block.get("text", ""), s[f"h{level}"])]
        if kind == "text":
            style = block.get("style", "markdown")
            chosen = (
                s["caption"]
                if style == "caption"
                else s["box"]
                if style in ("info", "success", "warning")
                else s["body"]
            )
            return [marked(block.get("text", ""), chosen)]
        if kind == "metrics":
            return self.metrics(block)
        if kind == "card":
            return self.card(block)
        if kind == "chart":
            return self.chart(block["figure"])
        if kind == "table":
            return self.table(block)
        if kind == "steps":
            return [marked(f"• {line}", s["body"]) for line in block.get("items", [])]
        return []

    def cover(self) -> list[Flowable]:
        c, s = self.pack.cover, self.s
        rows = [
            ("Figures as of", fmt.day(c.as_of)),
            ("Compared with", f"{fmt.day(c.since)} ({c.since_reason})"),
            ("Period compared", c.period),
            ("Pages", ", ".join(c.pages)),
        ]
        table = Table(
            [[plain(a, s["caption"]), plain(b, s["body"])] for a, b in rows],
            colWidths=[self.width * 0.25, self.width * 0.75],
        )
        contents = [
            plain(f"{i}. {sec.title}", s["body"]) for i, sec in enumerate(self.pack.sections, 1)
        ]
        return [
            Spacer(1, 40 * mm),
            plain("Review pack", s["h2"]),
            plain(c.business, s["cover"]),
            Spacer(1, 8 * mm),
            table,
            Spacer(1, 10 * mm),
            plain("Contents", s["h3"]),
            *contents,
        ]

    def story(self) -> list[Flowable]:
        out = self.cover()
        for section in self.pack.sections:
            out.append(PageBreak())
            for block in section.blocks:
                out += self.block(block)
        return out

    def footer(self, canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#616e7c"))
        line = printable(
            f"Review pack · {self.pack.cover.business} · as of {fmt.day(self.pack.cover.as_of)}"
        )
        canvas.drawString(15 * mm, 9 * mm, line)
        canvas.drawRightString(self.size[0] - 15 * mm, 9 * mm, f"page {doc.page}")
        canvas.restoreState()


def to_pdf(pack: Pack) -> bytes:
    """The pack as PDF bytes, the same bytes for the same pack."""
    r = Renderer(pack)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=r.size,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=printable(pack.title),
        author="Opening Day",
        creator="Opening Day",
        producer="Opening Day",
        invariant=1,
    )
    doc.build(r.story(), onFirstPage=r.footer, onLaterPages=r.footer)
    return buffer.getvalue()


def page_count(data: bytes) -> int:
    """Pages in a PDF this module wrote (counted from its page objects)."""
    return data.count(b"/Type /Page\n") or data.count(b"/Type /Page ")
