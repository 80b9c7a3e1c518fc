"""Printed PDFs: rows from a synthetic form, and PDF failures as specific extraction errors."""

from __future__ import annotations

import pytest
from reportlab.pdfgen.canvas import Canvas

from extractors.base import ExtractionContext
from extractors.errors import DamagedDocument, EncryptedDocument, NotAnAssessmentForm, WrongPassword
from extractors.pdf_text import PdfTextExtractor, pdf_layout
from tests.extractors.pdf_builders import encrypt, pdf_bytes, top


def draw_form(c: Canvas) -> None:
    c.setFont("Helvetica", 8)
    c.drawString(420, top(20), "OFFICIAL - SENSITIVE")
    c.drawString(500, top(820), "Page 1")
    c.setFont("Helvetica-Bold", 10)
    c.drawString(40, top(80), "Strengths")
    c.setFont("Helvetica", 10)
    c.rect(40, top(150), 300, 60)
    c.drawString(44, top(104), "- Mum is warm and affectionate with the")
    c.drawString(52, top(116), "children")
    c.drawString(44, top(128), "- Attends school")
    c.rect(40, top(190), 120, 20)
    c.rect(160, top(190), 180, 20)
    c.drawString(44, top(184), "Interpreter required?")
    for x, label, ticked in ((170, "Yes", False), (220, "No", True)):
        c.rect(x, top(185), 9, 9)
        if ticked:
            c.setFont("ZapfDingbats", 8)
            c.drawString(x + 1.5, top(183.5), "4")  # ✔
            c.setFont("Helvetica", 10)
        c.drawString(x + 12, top(184), label)


FORM = pdf_bytes(draw_form)
CTX = ExtractionContext()


def test_printed_form_rows() -> None:
    layout = pdf_layout(FORM, CTX)
    assert [r.text for r in layout.rows][:2] == [
        "Strengths", "- Mum is warm and affectionate with the children - Attends school"]
    assert layout.rows[1].cells[0].lines == ["- Mum is warm and affectionate with the children",
                                             "- Attends school"]
    question, options = layout.rows[2].cells
    assert question.text == "Interpreter required?"
    assert [(m.label, m.checked) for m in options.marks] == [("Yes", False), ("No", True)]
    assert not any("OFFICIAL" in r.text or "Page" in r.text for r in layout.rows)


def test_encrypted_pdf_needs_the_password() -> None:
    locked = encrypt(FORM, "s3cret")
    with pytest.raises(EncryptedDocument) as info:
        pdf_layout(locked, CTX)
    assert not isinstance(info.value, WrongPassword)
    with pytest.raises(WrongPassword):
        pdf_layout(locked, ExtractionContext(password="wrong"))
    layout = pdf_layout(locked, ExtractionContext(password="s3cret"))
    assert layout.rows[0].text == "Strengths"


def test_damaged_and_textless_pdfs_raise_specific_errors() -> None:
    with pytest.raises(DamagedDocument):
        PdfTextExtractor().extract(b"%PDF-1.7\n1 0 obj <<", CTX)
    with pytest.raises(NotAnAssessmentForm):
        pdf_layout(pdf_bytes(lambda c: c.rect(40, 40, 100, 100)), CTX)


def test_scores_only_pdfs() -> None:
    ex = PdfTextExtractor()
    assert ex.score("application/pdf", FORM, CTX) > 0
    assert ex.score("image/png", FORM, CTX) == 0


def test_image_only_pdf_scores_low_so_a_scan_reader_can_win() -> None:
    ex = PdfTextExtractor()
    blank = pdf_bytes(lambda c: c.rect(40, 40, 100, 100))
    assert 0 < ex.score("application/pdf", blank, CTX) < ex.score("application/pdf", FORM, CTX)
