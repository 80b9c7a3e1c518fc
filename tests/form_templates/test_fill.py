from __future__ import annotations

import io
import zipfile

import pypdf
import pytest

from form_templates.build import template_path
from form_templates.fill import FillError, fill_docx, fill_pdf, record_to_values
from tests.form_templates.template_record import sample_record


def test_values_are_written_as_a_practitioner_would() -> None:
    values = record_to_values(sample_record("CSF"), "CSF")
    assert values["mapdocs_form"] == "CSF"
    assert values["child1_date_of_birth"] == "21/05/2013"
    assert values["child3_date_of_birth"] == ""
    assert values["family_address"] == "Flat 7 Bramble House\n42 Wick Road\nLondon"
    assert values["strengths"].count("\n") == 3  # type: ignore[union-attr]
    assert values["level_of_need_tier_2"] is True and values["level_of_need_tier_3"] is False
    assert values["consent_information_sharing_yes"] is True
    assert values["consent_information_sharing_no"] is False
    assert values["child4_full_name"] == ""


def test_a_record_too_big_for_the_form_is_refused() -> None:
    record = sample_record()
    record["children"] = record["children"] * 2
    with pytest.raises(FillError, match="room for 4"):
        record_to_values(record, "CAF")


def test_pdf_ticks_use_the_boxes_own_on_state_and_text_gets_an_appearance() -> None:
    values = record_to_values(sample_record("CAF"), "CAF")
    reader = pypdf.PdfReader(io.BytesIO(fill_pdf(template_path("CAF", "pdf").read_bytes(), values)))
    fields = reader.get_fields() or {}
    assert fields["consent_given_by_parent_carer"].get("/V") == "/Yes"
    assert fields["consent_given_by_young_person"].get("/V") == "/Off"
    assert fields["child1_full_name"].get("/V") == "Tayo Adeyemi-Clarke"
    for page in reader.pages:
        for annot in page.get("/Annots", []):
            widget = annot.get_object()
            if widget.get("/FT") == "/Btn":
                assert widget["/AS"] in widget["/AP"]["/N"]
            elif widget.get("/T") == "child1_full_name":
                assert b"Tayo Adeyemi-Clarke" in widget["/AP"]["/N"].get_object().get_data()


def test_word_controls_take_text_and_ticks() -> None:
    values = record_to_values(sample_record("CSF"), "CSF")
    data = fill_docx(template_path("CSF", "docx").read_bytes(), values)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    assert "Tayo Adeyemi-Clarke" in xml
    assert xml.count('w14:checked w14:val="1"') == sum(1 for v in values.values() if v is True)
    assert xml.count("\u2612") == xml.count('w14:checked w14:val="1"')
