"""PDFium page words: words with top-left boxes, bold, ruling rectangles/lines and ink."""

from __future__ import annotations

import pypdfium2 as pdfium
from reportlab.pdfgen.canvas import Canvas

from extractors.words import PageWords, page_words_from_pdfium
from tests.extractors.pdf_builders import PAGE_H, pdf_bytes, top


def read(data: bytes) -> list[PageWords]:
    document = pdfium.PdfDocument(data)
    try:
        return [page_words_from_pdfium(document[i], i + 1) for i in range(len(document))]
    finally:
        document.close()


def draw_form(c: Canvas) -> None:
    c.setFont("Helvetica-Bold", 10)
    c.drawString(40, top(100), "Name of child")
    c.setFont("Helvetica", 10)
    c.drawString(200, top(100), "Jane  Smith")
    c.rect(36, top(106), 150, 18, stroke=1, fill=0)  # a ruled cell
    c.line(36, top(130), 500, top(130))  # a ruling line
    c.line(300, top(160), 309, top(151))  # a diagonal stroke: a drawn tick
    c.line(300, top(151), 309, top(160))


def test_words_have_top_left_boxes_and_bold() -> None:
    (pw,) = read(pdf_bytes(draw_form))
    assert [w.text for w in pw.words] == ["Name", "of", "child", "Jane", "Smith"]
    name = pw.words[0]
    assert 39 <= name.box.x0 <= 41
    assert 88 <= name.box.top < 100 <= name.box.bottom <= 104  # baseline 100 pt below the top
    assert name.bold and not pw.words[3].bold
    assert name.size == 10
    assert all(w.confidence == 1.0 for w in pw.words)
    assert abs(pw.height - PAGE_H) < 0.01


def test_ruling_rectangles_lines_and_ink_are_collected() -> None:
    (pw,) = read(pdf_bytes(draw_form))
    boxes = sorted((round(r.box.x0), round(r.box.top), round(r.box.x1), round(r.box.bottom))
                   for r in pw.rects)
    assert (36, 88, 186, 106) in boxes  # the cell
    assert (36, 130, 500, 130) in boxes  # the line, zero height
    assert len(pw.ink) == 2 and all(295 < b.x0 < 310 for b in pw.ink)


def test_rotated_page_words_read_upright() -> None:
    def draw(c: Canvas) -> None:
        c.setFont("Helvetica", 12)
        c.drawString(40, top(60), "Upright")

    data = pdf_bytes(draw)
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(data)))
    writer.pages[0].rotate(90)
    out = BytesIO()
    writer.write(out)
    (pw,) = read(out.getvalue())
    assert pw.width > pw.height  # landscape as displayed
    (w,) = pw.words
    assert w.text == "Upright"


def test_sideways_margin_text_is_dropped() -> None:
    def draw(c: Canvas) -> None:
        c.setFont("Helvetica", 10)
        for i, text in enumerate(("Name of child", "Date of birth", "School")):
            c.drawString(40, top(100 + 14 * i), text)
        c.saveState()
        c.translate(20, 400)
        c.rotate(90)
        c.drawString(0, 0, "Form version 3")
        c.restoreState()

    (pw,) = read(pdf_bytes(draw))
    assert [w.text for w in pw.words] == ["Name", "of", "child", "Date", "of", "birth", "School"]
