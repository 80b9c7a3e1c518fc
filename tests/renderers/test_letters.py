"""Family letters, referrer notices and professional summaries: wording, readability, tagging.

Every outcome of every shipped profile is rendered for every recipient and variant, with
long agency names and real-length reasons, then read back from the PDF: family letters
must score Flesch-Kincaid grade 6 or below, and no document may use an acronym it has not
spelt out first.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pytest
import textstat
from docx import Document
from docx.shared import Pt
from pypdf import PdfReader

from renderers.convert import DocxToPdfConverter
from renderers.letters import (
    FamilyLetterContext,
    LeadProfessional,
    ProfessionalSummaryContext,
    ReferrerNoticeContext,
    SummaryAction,
    render_family_letter,
    render_professional_summary,
    render_referrer_notice,
)
from renderers.templates import find_template, validate_template
from service.letters.wording import TRIAGE_ROUTES, outcome_wording, triage_wording
from service.rules.catalogue import load_catalogue

CASE_REF = "EH-2026-00417"
LONG_AGENCY = "Bedfordshire and Luton Community Children's Health Partnership Foundation Trust"
LONG_AGENCY_2 = "Northfield Primary and Nursery Academy Trust Inclusion and Family Support Service"
REASONS = (
    "You told us that mornings are hard and the children are often late for school.",
    "The school is worried that your son has missed a lot of days this term.",
    "We think some help at home in the mornings would make a real difference to all of you.",
)
LEAD = LeadProfessional(name="Bernadette Okafor", role="a family support worker", agency=LONG_AGENCY,
                        phone="01582 000 000", email="family.support@example.org")
FAMILY_GRADE_LIMIT = 6.0
KNOWN_ACRONYMS = ("MASH", "CAF", "TAF", "CAMHS", "CSC", "EHA", "MAST", "MAT", "CSF", "LP")
ALLOWED_CAPS = {"OFFICIAL", "SENSITIVE"}  # the protective marking in the header and footer


@pytest.fixture(scope="module")
def grades() -> Iterator[dict[str, float]]:
    """Grades measured, written to ``MAPDOCS_GRADES_OUT`` when set (for reports)."""
    measured: dict[str, float] = {}
    yield measured
    out = os.environ.get("MAPDOCS_GRADES_OUT")
    if out:
        Path(out).write_text(json.dumps(measured, indent=1), encoding="utf-8")


def _outcomes() -> list[tuple[str, str]]:
    catalogue = load_catalogue()
    return [(slug, o.id) for slug, profile in sorted(catalogue.profiles.items()) for o in profile.outcomes]


OUTCOMES = _outcomes()


def family_context(profile: str, outcome_id: str) -> FamilyLetterContext:
    words = outcome_wording(profile, outcome_id)
    return FamilyLetterContext(
        council_name="Luton Borough Council", panel_name="Area Family Support Panel",
        letter_date="Tuesday 3 March 2026", addressee="Ms Grace Adeyemi", case_ref=CASE_REF,
        children="Amira and Zain", decision_title=words.title, decision=words.family,
        reasons=REASONS, lead=LEAD, next_steps=words.next_steps,
        review_date="Tuesday 14 April 2026", withdraw_contact="call the panel on 01582 111 111",
        complaints_contact="write to the complaints team at the town hall, or call 01582 222 222")


def referrer_context(title: str, outcome: str, *, ended: bool = False) -> ReferrerNoticeContext:
    return ReferrerNoticeContext(
        council_name="Luton Borough Council", panel_name="Area Family Support Panel",
        notice_date="Tuesday 3 March 2026", referrer_name="Daniel Whitcombe-Hargreaves",
        referrer_agency=LONG_AGENCY_2, case_ref=CASE_REF, initials="A.A., Z.A.",
        outcome_title=title, outcome=outcome, reasons=REASONS, ended_before_panel=ended,
        lead=None if ended else LEAD, review_date="" if ended else "Tuesday 14 April 2026",
        contact="panel.coordinator@example.org")


def summary_context(profile: str, outcome_id: str) -> ProfessionalSummaryContext:
    words = outcome_wording(profile, outcome_id)
    return ProfessionalSummaryContext(
        council_name="Luton Borough Council", panel_name="Area Family Support Panel",
        meeting_date="Tuesday 3 March 2026", recipient_name="Bernadette Okafor",
        recipient_agency=LONG_AGENCY, case_ref=CASE_REF, initials="A.A., Z.A.",
        outcome_title=words.title, outcome=words.referrer, reasons=REASONS, lead=LEAD,
        actions=(SummaryAction(agency=LONG_AGENCY_2, action="Offer a morning routine group place",
                               by_when="17 March 2026"),),
        agencies_involved=(LONG_AGENCY, LONG_AGENCY_2), review_date="Tuesday 14 April 2026")


def pdf_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def body_sentences(text: str) -> str:
    """Letter text as sentences: drop the marking and page footer; headings, address lines and
    list items end where their line ends (no full stop), so close them before scoring."""
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line in ALLOWED_CAPS or "OFFICIAL-SENSITIVE" in line or " · Page " in line:
            continue
        lines.append(line)
    out: list[str] = []
    for line in lines:
        # A PDF line that continues a sentence starts lower-case; anything else starts anew.
        if out and line[:1].islower():
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return " ".join(p if p.endswith((".", "?", "!", ":")) else f"{p}." for p in out)


def unexplained_acronyms(text: str) -> list[str]:
    """Acronyms whose first use is not inside brackets after the words they stand for."""
    text = text.replace(CASE_REF, "")
    found = []
    for token in dict.fromkeys(re.findall(r"\b[A-Z]{2,}\b", text)):
        if token in ALLOWED_CAPS:
            continue
        first = re.search(rf"\b{token}\b", text)
        assert first is not None
        if text[first.start() - 1:first.start()] != "(" or text[first.end():first.end() + 1] != ")":
            found.append(token)
    return found


def test_every_profile_outcome_has_wording() -> None:
    for profile, outcome_id in OUTCOMES:
        words = outcome_wording(profile, outcome_id)
        assert words.title and words.family and words.referrer and words.next_steps
    for route in TRIAGE_ROUTES:
        assert triage_wording(route).referrer


@pytest.mark.parametrize("kind,ctx_type", [
    ("family_letter", FamilyLetterContext), ("family_letter_large_print", FamilyLetterContext),
    ("referrer_notice", ReferrerNoticeContext), ("professional_summary", ProfessionalSummaryContext)])
def test_shipped_templates_use_only_their_context(kind: str, ctx_type: type) -> None:
    validate_template(find_template(kind), ctx_type, kind)


def test_acronym_check_can_fail() -> None:
    assert unexplained_acronyms("We will start a CAF. A Common Assessment Framework (CAF) helps.") == ["CAF"]
    assert unexplained_acronyms("A Common Assessment Framework (CAF). Then the CAF.") == []


def _body_sizes(docx: bytes) -> Iterator[float]:
    doc = Document(io.BytesIO(docx))
    default = doc.styles["Normal"].font.size
    assert default is not None
    paragraphs = list(doc.paragraphs)
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    for paragraph in paragraphs:
        style_size = paragraph.style.font.size if paragraph.style is not None else None
        for run in paragraph.runs:
            if not run.text.strip():
                continue
            size = run.font.size or style_size or default
            yield size.pt


def test_large_print_body_is_at_least_16pt() -> None:
    ctx = family_context(*OUTCOMES[0])
    large = render_family_letter(ctx, "large_print").docx
    sizes = list(_body_sizes(large))
    assert sizes and min(sizes) >= Pt(16).pt
    standard = list(_body_sizes(render_family_letter(ctx).docx))
    assert min(standard) < 16  # the check tells the variants apart


@pytest.mark.slow
@pytest.mark.parametrize("profile,outcome_id", OUTCOMES)
def test_every_outcome_reads_plainly(converter: DocxToPdfConverter, profile: str, outcome_id: str,
                                     grades: dict[str, float]) -> None:
    for variant in ("standard", "large_print"):
        pdf = render_family_letter(family_context(profile, outcome_id), variant, converter=converter).pdf
        assert pdf is not None
        text = pdf_text(pdf)
        assert "Amira and Zain" in text and LONG_AGENCY in text.replace("\n", " ")
        grade = textstat.flesch_kincaid_grade(body_sentences(text))
        grades[f"family {variant} {profile}/{outcome_id}"] = grade
        assert grade <= FAMILY_GRADE_LIMIT, f"{profile}/{outcome_id} {variant}: grade {grade}"
        assert unexplained_acronyms(text) == [], f"{profile}/{outcome_id} {variant}"
    words = outcome_wording(profile, outcome_id)
    notice = render_referrer_notice(referrer_context(words.title, words.referrer), converter=converter)
    summary = render_professional_summary(summary_context(profile, outcome_id), converter=converter)
    for name, rendered in (("notice", notice), ("summary", summary)):
        assert rendered.pdf is not None
        text = pdf_text(rendered.pdf)
        grades[f"{name} {profile}/{outcome_id}"] = textstat.flesch_kincaid_grade(body_sentences(text))
        assert unexplained_acronyms(text) == [], f"{profile}/{outcome_id}"


@pytest.mark.slow
@pytest.mark.parametrize("route", TRIAGE_ROUTES)
def test_triage_notices_explain_themselves(converter: DocxToPdfConverter, route: str) -> None:
    words = triage_wording(route)
    pdf = render_referrer_notice(referrer_context(words.title, words.referrer, ended=True),
                                 converter=converter).pdf
    assert pdf is not None
    text = pdf_text(pdf)
    assert "closed before it reached the panel" in text
    assert unexplained_acronyms(text) == []


@pytest.mark.slow
def test_family_letter_pdf_is_tagged(converter: DocxToPdfConverter) -> None:
    for variant in ("standard", "large_print"):
        pdf = render_family_letter(family_context(*OUTCOMES[0]), variant, converter=converter).pdf
        assert pdf is not None
        reader = PdfReader(io.BytesIO(pdf))
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root
        assert bool(root["/MarkInfo"]["/Marked"]) is True
        assert root["/Lang"] == "en-GB"
        assert reader.metadata is not None
        assert reader.metadata.title == "Letter from Area Family Support Panel"
