"""What families and referrers receive after panel: typed contexts and their renderers.

Three document kinds share this module because they are built together from one decision:
the family letter (standard and large-print templates), the referrer notice and the
professional summary. Contexts carry words already written for their reader (the plain
wording per outcome lives with the service, ``service/letters/outcome_wording.json``);
templates add only fixed text, so the readability tests can cover every outcome.

Letters stay tagged: the PDF is LibreOffice's output with ``PdfOptions(tagged=True)``,
returned untouched (no pypdf writer, no ``pdfops``), so /StructTreeRoot, /Lang and /Title
survive for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from renderers.context import RenderedDocument
from renderers.convert import DocxToPdfConverter, PdfOptions
from renderers.errors import TemplateNotFound
from renderers.templates import find_template, render_docx

FAMILY_KIND = "family_letter"
FAMILY_LARGE_PRINT_KIND = "family_letter_large_print"
REFERRER_KIND = "referrer_notice"
SUMMARY_KIND = "professional_summary"

Variant = Literal["standard", "large_print"]
VARIANT_KINDS: dict[str, str] = {"standard": FAMILY_KIND, "large_print": FAMILY_LARGE_PRINT_KIND}


@dataclass(frozen=True, slots=True, kw_only=True)  # document_context, spelt out for mypy
class LeadProfessional:
    """Who will work with the family, and how to reach them (already formatted)."""

    name: str
    role: str
    agency: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)  # document_context, spelt out for mypy
class FamilyLetterContext:
    """A letter to the parent, carer or young person who gave consent.

    ``decision`` and ``reasons`` are plain sentences for a reading age of about 11;
    ``children`` is how the family would say it ("Amira and Zain"). No agency jargon:
    any acronym must be spelt out where it is first used.
    """

    council_name: str
    panel_name: str
    letter_date: str
    addressee: str
    case_ref: str
    children: str
    decision_title: str
    decision: str
    reasons: tuple[str, ...] = ()
    lead: LeadProfessional | None = None
    next_steps: tuple[str, ...] = ()
    review_date: str = ""
    withdraw_contact: str = ""
    complaints_contact: str = ""
    marking: str = "OFFICIAL-SENSITIVE"


@dataclass(frozen=True, slots=True, kw_only=True)  # document_context, spelt out for mypy
class ReferrerNoticeContext:
    """What the referrer is told: the panel's decision, or why the referral ended before panel.

    ``ended_before_panel`` is true for triage routes (signposted, not eligible, consent
    missing, referred to social care); then ``lead`` and ``review_date`` are usually empty.
    Children appear by initials only.
    """

    council_name: str
    panel_name: str
    notice_date: str
    referrer_name: str
    referrer_agency: str
    case_ref: str
    initials: str
    outcome_title: str
    outcome: str
    reasons: tuple[str, ...] = ()
    ended_before_panel: bool = False
    lead: LeadProfessional | None = None
    next_steps: tuple[str, ...] = ()
    review_date: str = ""
    contact: str = ""
    marking: str = "OFFICIAL-SENSITIVE"


@dataclass(frozen=True, slots=True, kw_only=True)  # document_context, spelt out for mypy
class SummaryAction:
    """One agreed action: who does what, by when."""

    agency: str
    action: str
    by_when: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)  # document_context, spelt out for mypy
class ProfessionalSummaryContext:
    """The decision summary for the lead professional and each involved agency.

    The caller never builds one for an agency the family excluded from sharing.
    """

    council_name: str
    panel_name: str
    meeting_date: str
    recipient_name: str
    recipient_agency: str
    case_ref: str
    initials: str
    outcome_title: str
    outcome: str
    reasons: tuple[str, ...] = ()
    lead: LeadProfessional | None = None
    actions: tuple[SummaryAction, ...] = ()
    agencies_involved: tuple[str, ...] = ()
    review_date: str = ""
    contact: str = ""
    marking: str = "OFFICIAL-SENSITIVE"


def _render(kind: str, ctx: object, template: Path | None,
            converter: DocxToPdfConverter | None) -> RenderedDocument:
    docx = render_docx(find_template(kind, template), ctx)
    pdf = converter.convert(docx, PdfOptions(tagged=True)) if converter is not None else None
    return RenderedDocument(docx=docx, pdf=pdf)


def render_family_letter(ctx: FamilyLetterContext, variant: Variant = "standard", *,
                         template: Path | None = None,
                         converter: DocxToPdfConverter | None = None) -> RenderedDocument:
    """Render the family letter; ``variant="large_print"`` uses the 16 pt template."""
    try:
        kind = VARIANT_KINDS[variant]
    except KeyError:
        raise TemplateNotFound(f"no family letter variant called {variant!r}") from None
    return _render(kind, ctx, template, converter)


def render_referrer_notice(ctx: ReferrerNoticeContext, *, template: Path | None = None,
                           converter: DocxToPdfConverter | None = None) -> RenderedDocument:
    """Render the notice to the referrer (decision or end of referral before panel)."""
    return _render(REFERRER_KIND, ctx, template, converter)


def render_professional_summary(ctx: ProfessionalSummaryContext, *, template: Path | None = None,
                                converter: DocxToPdfConverter | None = None) -> RenderedDocument:
    """Render the decision summary for a lead professional or involved agency."""
    return _render(SUMMARY_KIND, ctx, template, converter)
