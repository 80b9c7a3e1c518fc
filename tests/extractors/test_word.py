from __future__ import annotations

import io
import zipfile

import pytest

from extractors.base import ExtractionContext
from extractors.errors import DamagedDocument, NotAnAssessmentForm, UnsafeDocument
from extractors.layout import DocxLocation
from extractors.word import WordExtractor, docx_layout
from tests.extractors.docx_builders import (
    cell,
    docx,
    legacy_box,
    other_council_form,
    p,
    run,
    small_form,
    tbl,
    w14_box,
)

CTX = ExtractionContext()
STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"


def layout_of(body: str):
    return docx_layout(docx(body), CTX)


def marks_of(body: str):
    rows = layout_of(body).rows
    return [(m.label, m.checked) for row in rows for c in row.cells for m in c.marks]


def test_glyph_ticks_become_marks_with_the_option_after_them() -> None:
    body = tbl(["Interpreter required?", "☐ Yes    ☒ No"])
    assert marks_of(body) == [("Yes", False), ("No", True)]


@pytest.mark.parametrize("glyph", ["☑", "✓", "✔", "■"])
def test_other_tick_glyphs_count_as_ticked(glyph: str) -> None:
    assert marks_of(tbl(["Q", f"☐ Yes {glyph} No"])) == [("Yes", False), ("No", True)]


def test_option_written_before_its_box() -> None:
    assert marks_of(tbl(["Q", "Yes ☒ No ☐"])) == [("Yes", True), ("No", False)]


def test_w14_content_control_checkboxes_use_their_state_not_the_glyph() -> None:
    body = tbl(["Q", cell(p(w14_box(True), " I agree ", w14_box(False), " I do not agree"))])
    assert marks_of(body) == [("I agree", True), ("I do not agree", False)]


def test_legacy_formcheckbox_checked_default_and_explicit_off() -> None:
    body = tbl(
        [
            "Q",
            cell(
                p(
                    legacy_box(True),
                    " A ",
                    legacy_box(None, default=True),
                    " B ",
                    legacy_box(False, default=True),
                    " C ",
                    legacy_box(None),
                    " D",
                )
            ),
        ]
    )
    assert marks_of(body) == [("A", True), ("B", True), ("C", False), ("D", False)]


def test_tracked_changes_keep_insertions_and_skip_deletions() -> None:
    body = (
        '<w:p><w:r><w:t>Rent </w:t></w:r><w:del w:id="1" w:author="x"><w:r><w:delText>debts</w:delText>'
        '</w:r></w:del><w:ins w:id="2" w:author="x"><w:r><w:t>arrears</w:t></w:r></w:ins></w:p>'
    )
    assert layout_of(body).rows[0].text == "Rent arrears"


def test_merged_cell_is_one_cell_and_provenance_names_table_row_cell() -> None:
    layout = layout_of(p("intro") + tbl([cell(p("Name"), span=2), "Amy"]))
    row = layout.rows[1]
    assert row.kind == "table" and [c.text for c in row.cells] == ["Name", "Amy"]
    assert row.cells[1].location == DocxLocation("word/document.xml", table=0, row=0, cell=1)
    assert layout.rows[0].cells[0].location == DocxLocation("word/document.xml", paragraph=0)


def test_heading_style_and_line_breaks() -> None:
    layout = layout_of(
        p("Common Assessment Framework", style="Heading1")
        + "<w:p><w:r><w:t>one</w:t><w:br/><w:t>two</w:t></w:r></w:p>"
    )
    assert layout.rows[0].kind == "heading"
    assert layout.rows[1].cells[0].lines == ["one", "two"]


def test_x_typed_into_box_cells_becomes_marks() -> None:
    assert marks_of(tbl(["Yes", "X", "No", ""])) == [("Yes", True), ("No", False)]


def test_named_content_controls_are_kept_for_our_own_templates() -> None:
    body = tbl(["Q", cell(p(w14_box(True, tag="interpreter_yes")))])
    assert layout_of(body).named_fields == {"interpreter_yes": True}


def test_a_whole_small_form_reads_through_labels() -> None:
    result = WordExtractor().extract(docx(small_form()), CTX)
    record = result.record
    assert record is not None
    assert record["form_type"] == "EHA"
    assert record["children"][0]["full_name"] == "Amy Stone"
    assert record["children"][0]["date_of_birth"] == "2016-05-03"
    assert record["family"]["postcode"] == "AB1 2CD"
    assert record["family"]["interpreter_required"] is False
    assert record["referrer"]["full_name"] == "Jo Bloggs"
    assert record["strengths"] == ["Mum is warm", "Amy loves school"]
    assert record["needs"] == ["Rent arrears", "Low mood"]
    assert record["consent"]["information_sharing"] is None
    assert result.provenance["children[0].full_name"].to_json()["table"] == 1
    assert result.extractor == "word"


def test_consent_ticked_in_a_docx() -> None:
    consent = tbl(["Consent"]) + tbl(
        [
            "I give consent for information to be shared:",
            cell(p(legacy_box(True), " Yes ", legacy_box(False), " No")),
        ]
    )
    record = WordExtractor().extract(docx(small_form(consent)), CTX).record
    assert record is not None and record["consent"]["information_sharing"] is True


def test_strict_namespace_documents_read_like_transitional_ones() -> None:
    layout = docx_layout(docx(tbl(["Name", "Amy"]), namespace=STRICT_NS), CTX)
    assert [c.text for c in layout.rows[0].cells] == ["Name", "Amy"]


def test_a_letter_is_not_an_assessment_form() -> None:
    body = p("14 Church Lane") + p("Dear Sir or Madam,") + p("I am writing to complain about the bins.")
    with pytest.raises(NotAnAssessmentForm):
        WordExtractor().extract(docx(body), CTX)


def test_entities_are_refused() -> None:
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", xml)
    with pytest.raises(UnsafeDocument):
        docx_layout(buffer.getvalue(), CTX)


def test_not_a_zip_is_damaged() -> None:
    with pytest.raises(DamagedDocument):
        docx_layout(b"PK\x03\x04 not really a zip", CTX)


def test_package_without_a_body_is_damaged() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(DamagedDocument):
        docx_layout(buffer.getvalue(), CTX)


def test_a_council_layout_none_of_the_dev_forms_use() -> None:
    record = WordExtractor().extract(docx(other_council_form()), CTX).record
    assert record is not None
    assert [
        (c["full_name"], c["date_of_birth"], c.get("expected_date_of_delivery")) for c in record["children"]
    ] == [
        ("Zara Ali", "2014-04-03", None),
        ("Unborn baby of Sara Ali", None, "2026-02-14"),
    ]
    assert (
        record["family"]["address"] == "12 Oak Road, Luton"
        and record["family"]["interpreter_required"] is True
    )
    assert record["family"]["parents_carers"] == [
        {"full_name": "Sara Ali", "relationship": "Mother", "phone": "07700900111"}
    ]
    assert record["referrer"] == {
        "full_name": "Kim Lee",
        "role": "Family Worker",
        "agency": "Family Hub",
        "email": "kim.lee@luton.gov.uk",
        "phone": "01582000000",
    }
    assert record["assessment_date"] == "2026-01-05"
    assert record["agencies_involved"] == [{"agency": "School", "worker": "Mr Brown", "role": "SENCo"}]
    assert record["strengths"] == ["Zara enjoys school", "Mum is engaged"]
    assert record["needs"] == ["Damp housing", "Mum is isolated"]
    assert record["desired_outcomes"] == [
        {"outcome": "Warm dry home", "success_criteria": "Repairs completed"}
    ]
    assert record["child_views"] == "Zara wants her own room."
    assert record["parent_views"] == "Mum wants help with housing."
    assert record["level_of_need"] == {"tier": 2, "as_written": "Targeted early help"}
    assert record["safeguarding"]["significant_harm_concern"] is False
    assert record["consent"] == {
        "information_sharing": True,
        "panel_discussion": None,
        "given_by": "parent_carer",
        "name": "Sara Ali",
        "date": "2026-01-05",
        "excluded_agencies": ["Police"],
    }
    assert record["manager_signoff"] == {"full_name": "Pat Jones", "date": "2026-01-07"}


def test_a_short_all_bold_paragraph_is_a_heading_and_long_bold_text_is_not() -> None:
    bold = '<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>'
    layout = layout_of(
        "<w:p>" + bold.format("What the parents told us") + "</w:p>"
        + "<w:p>" + bold.format("Mum") + run(" said she needs help in the mornings") + "</w:p>"
        + "<w:p>" + bold.format(" ".join(["word"] * 20)) + "</w:p>"
    )
    assert [r.kind for r in layout.rows] == ["heading", "text", "text"]


def test_named_controls_keep_lines_and_where_they_sit() -> None:
    body = p("Strengths") + tbl(["Strengths", cell(p(
        '<w:sdt><w:sdtPr><w:tag w:val="strengths"/></w:sdtPr><w:sdtContent>'
        '<w:r><w:t>Kind</w:t><w:br/><w:t>Funny</w:t></w:r></w:sdtContent></w:sdt>'))])
    layout = layout_of(body)
    assert layout.named_fields == {"strengths": "Kind\nFunny"}
    assert layout.named_locations["strengths"] == DocxLocation("word/document.xml", table=0, row=0, cell=1)


def test_our_own_word_template_reads_by_its_control_names() -> None:
    from form_templates.build import TEMPLATE_DIR, template_path
    from form_templates.fill import fill_docx, record_to_values
    from tests.form_templates.template_record import record_diff, sample_record

    values = record_to_values(sample_record("CAF"), "CAF")
    data = fill_docx(template_path("CAF", "docx", TEMPLATE_DIR).read_bytes(), values)
    result = WordExtractor().extract(data, CTX)
    assert result.extractor == "template-fields"
    assert record_diff(sample_record("CAF"), result.record) == []
    assert isinstance(result.provenance.get("referrer.full_name"), DocxLocation)
