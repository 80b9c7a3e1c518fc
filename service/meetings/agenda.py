"""The agenda of a meeting: its context built from the listing, rendered, stored and audited.

Cases appear by case reference and children's initials only (the context cannot hold a
name). The panel's newest uploaded agenda template is used, else the shipped default.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session

from renderers.agenda import KIND, AgendaCase, AgendaContext, AgendaMember, render_agenda
from renderers.context import long_date
from renderers.convert import DocxToPdfConverter
from service.audit.operations import Actor, record_event
from service.meetings.errors import InvalidMeeting, MeetingCancelled
from service.meetings.listing import ListedCase, meeting_cases
from service.meetings.queries import get_meeting, meeting_after
from service.meetings.scheduling import add_minutes
from service.models import CaseSection, Meeting, MeetingStatus
from service.panels import catalogue
from service.templates.operations import DOCX_MEDIA_TYPE, current_version, template_override
from storage import ObjectStore
from storage.keys import random_key

FORMATS = {"docx": DOCX_MEDIA_TYPE, "pdf": "application/pdf"}
CHAIR = "Panel chair"
MEMBER_NAME = "Agency representative"
AOB = ("Any other business raised by members (no family is named).",)

# ``renderers.context.document_context`` is a plain ``dataclass(...)`` alias, which mypy does
# not see through; these names give the constructors their real (keyword) signatures.
_Context: Callable[..., AgendaContext] = AgendaContext
_Case: Callable[..., AgendaCase] = AgendaCase
_Member: Callable[..., AgendaMember] = AgendaMember


@dataclass(frozen=True)
class GeneratedDocument:
    """A rendered document as stored: its object key, bytes, media type and a download name."""

    key: str
    data: bytes
    media_type: str
    filename: str


def _agenda_case(case: ListedCase) -> AgendaCase:
    return _Case(case_ref=case.case_ref, initials=case.initials, slot=case.slot, late=case.late)


def agenda_context(session: Session, meeting: Meeting, *, recipient: str = "", withheld: int = 0,
                   hidden_case_ids: Collection[uuid.UUID] = frozenset()) -> AgendaContext:
    """What the agenda shows; a per-agency copy hides withheld cases and says how many there are."""
    panels = catalogue()
    panel = panels.panel(meeting.panel)
    profile = panels.profile_for(panel)
    cases = [c for c in meeting_cases(session, meeting.id) if c.case_id not in hidden_case_ids]
    members = tuple(_Member(name=MEMBER_NAME, role="Panel member", agency=agency.name)
                    for slug in meeting.members if (agency := panel.agency(str(slug))) is not None)
    following = meeting_after(session, meeting)

    def section(name: CaseSection) -> tuple[AgendaCase, ...]:
        return tuple(_agenda_case(c) for c in cases if c.section == name)

    return _Context(
        panel_name=panel.name, council_name=profile.council, meeting_date=long_date(meeting.date),
        start_time=meeting.start_time, end_time=add_minutes(meeting.start_time, meeting.duration_minutes),
        venue=meeting.venue, chair=CHAIR, members=members, new_referrals=section(CaseSection.NEW),
        reviews=section(CaseSection.REVIEW), step_downs=section(CaseSection.STEP_DOWN), withheld=withheld,
        aob=AOB, next_meeting=long_date(following.date) if following else "", recipient=recipient)


def generate_agenda(session: Session, store: ObjectStore, meeting_id: uuid.UUID, *, fmt: str, actor: Actor,
                    converter: DocxToPdfConverter | None = None) -> GeneratedDocument:
    """Render the full agenda (DOCX or PDF) with the panel's current template; store, audit, commit."""
    if fmt not in FORMATS:
        raise InvalidMeeting("format must be docx or pdf", errors={"format": ["Must be docx or pdf."]})
    meeting = get_meeting(session, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingCancelled()
    ctx = agenda_context(session, meeting)
    version = current_version(session, meeting.panel, KIND)
    if fmt == "pdf" and converter is None:
        from service.templates.converter import shared_converter

        converter = shared_converter()
    with template_override(session, store, meeting.panel, KIND, version) as template:
        rendered = render_agenda(ctx, template=template, converter=converter if fmt == "pdf" else None)
    data = rendered.pdf if fmt == "pdf" and rendered.pdf is not None else rendered.docx
    key = random_key("rendered", suffix=f".{fmt}")
    store.put(key, data, content_type=FORMATS[fmt])
    record_event(session, actor, "meeting.agenda_generated", object_type="meeting", object_id=meeting.id,
                 detail={"format": fmt, "object_key": key,
                         "template_version": version.version if version else None,
                         "cases": len(ctx.new_referrals) + len(ctx.reviews) + len(ctx.step_downs)})
    session.commit()
    return GeneratedDocument(key=key, data=data, media_type=FORMATS[fmt],
                             filename=f"agenda-{meeting.panel}-{meeting.date.isoformat()}.{fmt}")
