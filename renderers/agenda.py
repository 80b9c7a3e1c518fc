"""The panel meeting agenda: context, and DOCX (+ PDF) rendering.

One document kind end to end: a frozen context built by the meetings code, the Word
template found by name (the panel's upload or ``form_templates/documents/agenda.docx``),
rendered in the sandbox, then converted by the warm LibreOffice. Cases appear by case
reference and initials only; the context has no field that could hold a name.
"""

from __future__ import annotations

from pathlib import Path

from renderers.context import RenderedDocument, document_context
from renderers.convert import DocxToPdfConverter, PdfOptions
from renderers.templates import find_template, render_docx

KIND = "agenda"


@document_context
class AgendaMember:
    """Someone expected at the meeting, for introductions: a professional, never a family member."""

    name: str
    role: str
    agency: str


@document_context
class AgendaCase:
    """One listed case: ``slot`` is "HH:MM"; ``initials`` the children's, e.g. "A.K., Z.K."."""

    case_ref: str
    initials: str
    slot: str
    referred_by: str = ""
    note: str = ""
    late: bool = False


@document_context
class AgendaContext:
    """Everything the agenda shows. Dates and times arrive already written for people."""

    panel_name: str
    council_name: str
    meeting_date: str
    start_time: str
    end_time: str
    venue: str
    chair: str
    members: tuple[AgendaMember, ...] = ()
    new_referrals: tuple[AgendaCase, ...] = ()
    reviews: tuple[AgendaCase, ...] = ()
    step_downs: tuple[AgendaCase, ...] = ()
    withheld: int = 0
    aob: tuple[str, ...] = ()
    next_meeting: str = ""
    recipient: str = ""
    contact: str = ""
    marking: str = "OFFICIAL-SENSITIVE"


def render_agenda(ctx: AgendaContext, *, template: Path | None = None,
                  converter: DocxToPdfConverter | None = None) -> RenderedDocument:
    """Render the agenda from the panel's template (or the shipped one); PDF if ``converter``."""
    docx = render_docx(find_template(KIND, template), ctx)
    pdf = converter.convert(docx, PdfOptions(tagged=True)) if converter is not None else None
    return RenderedDocument(docx=docx, pdf=pdf)


