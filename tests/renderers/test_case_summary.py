from __future__ import annotations

import io

import pdfplumber

from renderers.case_summary import (
    CaseSummaryContext,
    ConsentEvidence,
    SummaryChild,
    SummaryOutcome,
    redact_names,
    render_case_summary,
)


def _ctx(**changes: object) -> CaseSummaryContext:
    values: dict[str, object] = {
        "case_ref": "BAR-2026-0042", "section": "New referral", "panel_name": "Test Panel",
        "meeting_date": "Tuesday 3 March 2026",
        "children": (SummaryChild(initials="T.A.C.", age="9"),
                     SummaryChild(initials="Z.A.C.", age="8 months")),
        "level_of_need": "Level 3 (targeted)", "basis": "consent",
        "strengths": ("Warm and affectionate parenting",), "needs": ("Housing is overcrowded",),
        "outcomes": (SummaryOutcome(outcome="Settled housing", success_criteria="Moved by June"),),
        "agencies": ("Health Visiting", "School"),
        "consent": (ConsentEvidence(given_by="parent/carer", on="14 March 2024",
                                    scopes=("information sharing", "panel discussion")),),
        "findings": ("Consent is more than 12 months old",),
    }
    values.update(changes)
    return CaseSummaryContext(**values)  # type: ignore[arg-type]


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def test_summary_shows_every_section() -> None:
    text = _text(render_case_summary(_ctx()))
    for expected in ("BAR-2026-0042", "T.A.C.", "8 months", "Warm and affectionate", "Housing is overcrowded",
                     "Settled housing", "Moved by June", "Health Visiting", "parent/carer", "14 March 2024",
                     "information sharing", "Level 3 (targeted)", "Consent is more than 12 months old",
                     "Basis for sharing: consent"):
        assert expected in text, expected


def test_summary_fits_one_page_for_a_typical_case() -> None:
    with pdfplumber.open(io.BytesIO(render_case_summary(_ctx()))) as doc:
        assert len(doc.pages) == 1


def test_long_free_text_flows_onto_more_pages() -> None:
    needs = tuple(f"Need number {i} described at some length so that it wraps " * 3 for i in range(60))
    with pdfplumber.open(io.BytesIO(render_case_summary(_ctx(needs=needs)))) as doc:
        assert len(doc.pages) > 1


def test_markup_characters_are_printed_not_interpreted() -> None:
    text = _text(render_case_summary(_ctx(needs=("<b>rent & arrears</b> < 3 months",))))
    assert "<b>rent & arrears</b> < 3 months" in text


def test_empty_sections_say_so() -> None:
    text = _text(render_case_summary(_ctx(strengths=(), outcomes=(), consent=(), findings=(), agencies=())))
    assert "None recorded." in text
    assert "No consent recorded." in text
    assert "No findings." in text


def test_redact_names_replaces_full_names_and_parts() -> None:
    names = ["Tayo Adeyemi-Clarke", "Grace Adeyemi", "Unborn baby of Grace Adeyemi"]
    text = redact_names("Tayo attends school; grace and TAYO ADEYEMI-CLARKE see the baby. Tayor too.", names)
    assert "Tayo " not in text and "TAYO" not in text and "grace" not in text
    assert "T.A.C. attends school" in text
    assert "baby" in text  # not a name, even though it is in the recorded "name"
    assert "Tayor" in text  # whole words only
