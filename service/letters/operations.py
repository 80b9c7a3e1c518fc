"""Building a meeting's letters, notices and summaries from its decisions.

For each current decision of a meeting: a family letter (standard and large print) to the
parent/carer or young person who consented, a notice to the referrer, and a summary for the
lead professional and each involved agency the family did not exclude. Consent is checked
again at build time: where information sharing is no longer in force, no family letter and
no agency summary are made, and the case is reported as skipped. Documents are stored in
object storage under server-made keys; the caller gets bytes and keys back (the CLI writes
them out with ``manifest.json``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from renderers.context import RenderedDocument, initials, long_date
from renderers.convert import DocxToPdfConverter
from renderers.letters import (
    FamilyLetterContext,
    LeadProfessional,
    ProfessionalSummaryContext,
    ReferrerNoticeContext,
    SummaryAction,
    Variant,
    render_family_letter,
    render_professional_summary,
    render_referrer_notice,
)
from service.decisions import operations as decisions
from service.letters.wording import TRIAGE_ROUTES, outcome_wording, triage_wording
from service.models import CaseReference, Decision, LetterDocument, Meeting, Referral
from service.panels import catalogue
from service.referrals.operations import consent_in_force, get_referral, latest_evaluation
from storage import ObjectStore
from storage.keys import random_key

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class BuiltDocument:
    """One stored document. ``email`` is where delivery sends the link (None: post only)."""

    case_id: str
    referral_id: uuid.UUID
    decision_id: uuid.UUID | None
    recipient: str  # family | referrer | professional
    kind: str  # letter | notice | summary
    variant: str  # standard | large_print
    file: str
    object_key: str
    pdf: bytes
    email: str | None = None

    def manifest_entry(self) -> dict[str, str]:
        return {"case_id": self.case_id, "recipient": self.recipient, "kind": self.kind,
                "variant": self.variant, "file": self.file}


@dataclass
class BuildReport:
    """What a batch made and what it left out (case id -> reason, no personal data)."""

    meeting_id: uuid.UUID
    documents: list[BuiltDocument] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def manifest(self) -> dict[str, Any]:
        return {"meeting_id": str(self.meeting_id),
                "documents": [doc.manifest_entry() for doc in self.documents]}


def _lead(decision: Decision) -> LeadProfessional:
    contact = decision.lead_contact or ""
    is_email = bool(_EMAIL.fullmatch(contact.strip()))
    return LeadProfessional(name=decision.lead_name, role="lead professional", agency=decision.lead_agency,
                            email=contact if is_email else "", phone="" if is_email else contact)


def _children(record: Mapping[str, Any]) -> str:
    names = [str(c.get("full_name") or "").split(" ")[0] for c in record.get("children") or []]
    names = [n for n in names if n] or ["your child"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _initials(record: Mapping[str, Any]) -> str:
    return ", ".join(initials(str(c.get("full_name") or "")) for c in record.get("children") or []) or "?"


def _reasons(decision: Decision) -> tuple[str, ...]:
    return tuple(s.strip() for s in re.split(r"(?<=[.!?])\s+", decision.reason or "") if s.strip())


def _pdf(rendered: RenderedDocument) -> bytes:
    return rendered.pdf if rendered.pdf is not None else rendered.docx


@dataclass(frozen=True)
class _Ended:
    """A referral ended by triage before panel, in the shape ``_Batch.keep`` needs of a decision."""

    meeting_id: uuid.UUID
    case_id: uuid.UUID | None
    referral_id: uuid.UUID
    id: None = None


class _Batch:
    """Renders and stores one meeting's documents, reporting progress as it goes."""

    def __init__(self, session: Session, store: ObjectStore, converter: DocxToPdfConverter | None,
                 report: BuildReport) -> None:
        self.session, self.store, self.converter, self.report = session, store, converter, report
        self.suffix = ".pdf" if converter is not None else ".docx"
        self.media = "application/pdf" if converter is not None else (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document")

    def keep(self, decision: Decision | _Ended, case_ref: str, recipient: str, kind: str, variant: str,
             n: int, rendered: RenderedDocument, email: str | None) -> None:
        data = _pdf(rendered)
        key = random_key("letters", suffix=self.suffix)
        self.store.put(key, data, content_type=self.media)
        row = LetterDocument(meeting_id=decision.meeting_id, case_id=decision.case_id,
                             referral_id=decision.referral_id, decision_id=decision.id, recipient=recipient,
                             kind=kind, variant=variant, file="", object_key=key, media_type=self.media)
        tail = "" if variant == "standard" else "-large-print"
        file = f"{case_ref}-{recipient}-{kind}{tail}{'' if n == 0 else f'-{n}'}{self.suffix}"
        row.file = file
        self.session.add(row)
        self.report.documents.append(BuiltDocument(
            case_id=str(decision.case_id or decision.referral_id), referral_id=decision.referral_id,
            decision_id=decision.id,
            recipient=recipient, kind=kind, variant=variant, file=file, object_key=key, pdf=data,
            email=email))


def build_meeting_letters(session: Session, store: ObjectStore, meeting_id: uuid.UUID, *,
                          converter: DocxToPdfConverter | None, now: dt.datetime | None = None,
                          progress: Progress | None = None) -> BuildReport:
    """Build and store every document for a meeting's decided cases (consent re-checked now)."""
    now = now or dt.datetime.now(dt.UTC)
    meeting = session.get(Meeting, meeting_id)
    report = BuildReport(meeting_id=meeting_id)
    if meeting is None:
        from service.errors import NotFound

        raise NotFound("No meeting with this id")
    panel = catalogue().panel(meeting.panel)
    profile = catalogue().profile_for(panel)
    # A rebuild replaces what has not gone out yet; sent documents stay on record.
    session.execute(delete(LetterDocument).where(LetterDocument.meeting_id == meeting_id,
                                                 LetterDocument.sent_at.is_(None)))
    batch = _Batch(session, store, converter, report)
    rows = decisions.decisions_for_meeting(session, meeting_id)
    for done, decision in enumerate(rows):
        referral = get_referral(session, decision.referral_id)
        record: Mapping[str, Any] = referral.record or {}
        case_ref = _case_ref(session, decision)
        words = outcome_wording(profile.slug, decision.outcome_id)
        lead = _lead(decision)
        review = long_date(decision.review_date)
        consent = consent_in_force(session, referral.id, now)
        referrer = record.get("referrer") or {}
        notice = ReferrerNoticeContext(
            council_name=profile.council, panel_name=panel.name, notice_date=long_date(now.date()),
            referrer_name=str(referrer.get("full_name") or "Referrer"),
            referrer_agency=str(referrer.get("agency") or ""), case_ref=case_ref, initials=_initials(record),
            outcome_title=words.title, outcome=words.referrer, reasons=_reasons(decision), lead=lead,
            next_steps=words.next_steps, review_date=review)
        batch.keep(decision, case_ref, "referrer", "notice", "standard", 0,
                   render_referrer_notice(notice, converter=converter), referrer.get("email"))
        if consent.information_sharing is not True:
            report.skipped[str(decision.case_id)] = "consent to share information is not in force"
            log.info("letters: family letter and summaries skipped, consent not in force")
        else:
            _family(batch, decision, record, case_ref, profile.council, panel.name, words, lead, review, now)
            excluded = {a.casefold() for a in consent.excluded_agencies}
            _summaries(batch, decision, record, case_ref, profile.council, panel.name, meeting.date,
                       words.title, words.referrer, lead, review, excluded)
        session.commit()  # each case's documents stay recorded if a later case fails
        if progress is not None:
            progress(done + 1, len(rows))
    _triage_notices(session, batch, meeting, council=profile.council, panel_name=panel.name, now=now)
    return report


def _triage_notices(session: Session, batch: _Batch, meeting: Meeting, *, council: str, panel_name: str,
                    now: dt.datetime) -> None:
    """Referrer notices for the panel's referrals that triage ended before panel, not yet told."""
    told = select(LetterDocument.referral_id).where(LetterDocument.recipient == "referrer",
                                                    LetterDocument.decision_id.is_(None))
    ended = session.scalars(select(Referral).where(
        Referral.panel == meeting.panel, Referral.route.in_(TRIAGE_ROUTES), Referral.id.not_in(told))).all()
    for referral in ended:
        record: Mapping[str, Any] = referral.record or {}
        referrer = record.get("referrer") or {}
        ref = session.scalar(select(CaseReference.case_ref).where(CaseReference.referral_id == referral.id))
        evaluation = latest_evaluation(session, referral.id)
        reasons = tuple(str(f.get("message")) for f in (evaluation.findings if evaluation else [])
                        if f.get("route") == referral.route and f.get("message"))[:3]
        rendered = triage_notice(route=str(referral.route), council=council, panel_name=panel_name,
                                 referrer_name=str(referrer.get("full_name") or "Referrer"),
                                 referrer_agency=str(referrer.get("agency") or ""),
                                 case_ref=ref or f"referral {str(referral.id)[:8]}",
                                 children_initials=_initials(record), reasons=reasons, today=now.date(),
                                 converter=batch.converter)
        batch.keep(_Ended(meeting_id=meeting.id, case_id=None, referral_id=referral.id),
                   ref or str(referral.id)[:8], "referrer", "notice", "standard", 0, rendered,
                   referrer.get("email"))
    session.commit()


def _case_ref(session: Session, decision: Decision) -> str:
    from service.models import MeetingCase

    case = session.get(MeetingCase, decision.case_id)
    return case.case_ref if case is not None else str(decision.case_id)[:8]


def _family(batch: _Batch, decision: Decision, record: Mapping[str, Any], case_ref: str, council: str,
            panel_name: str, words: Any, lead: LeadProfessional, review: str, now: dt.datetime) -> None:
    consent = record.get("consent") or {}
    addressee = str(consent.get("name") or "").strip() or (
        "young person" if consent.get("given_by") == "young_person" else "parent or carer")
    ctx = FamilyLetterContext(
        council_name=council, panel_name=panel_name, letter_date=long_date(now.date()), addressee=addressee,
        case_ref=case_ref, children=_children(record), decision_title=words.title, decision=words.family,
        reasons=_reasons(decision), lead=lead, next_steps=words.next_steps, review_date=review,
        withdraw_contact="contact the panel", complaints_contact="ask the council for its complaints form")
    variants: tuple[Variant, ...] = ("standard", "large_print")
    for variant in variants:  # the family's address is not in the record: delivery reads service.contacts
        batch.keep(decision, case_ref, "family", "letter", variant, 0,
                   render_family_letter(ctx, variant, converter=batch.converter), None)


def _summaries(batch: _Batch, decision: Decision, record: Mapping[str, Any], case_ref: str, council: str,
               panel_name: str, meeting_date: dt.date, title: str, outcome: str, lead: LeadProfessional,
               review: str, excluded: set[str]) -> None:
    agencies = [str(a.get("agency") or "") for a in record.get("agencies_involved") or []]
    agencies = [a for a in dict.fromkeys([lead.agency, *agencies]) if a and a.casefold() not in excluded]
    actions = tuple(SummaryAction(agency=str(a.get("who", "")), action=str(a.get("what", "")),
                                  by_when=str(a.get("by", ""))) for a in decision.actions or [])
    for n, agency in enumerate(agencies):
        worker = lead.name if agency == lead.agency else "Agency contact"
        ctx = ProfessionalSummaryContext(
            council_name=council, panel_name=panel_name, meeting_date=long_date(meeting_date),
            recipient_name=worker, recipient_agency=agency, case_ref=case_ref, initials=_initials(record),
            outcome_title=title, outcome=outcome, reasons=_reasons(decision), lead=lead, actions=actions,
            agencies_involved=tuple(agencies), review_date=review)
        email = lead.email or None if agency == lead.agency else None
        batch.keep(decision, case_ref, "professional", "summary", "standard", n,
                   render_professional_summary(ctx, converter=batch.converter), email)


def triage_notice(*, route: str, council: str, panel_name: str, referrer_name: str, referrer_agency: str,
                  case_ref: str, children_initials: str, reasons: tuple[str, ...], today: dt.date,
                  converter: DocxToPdfConverter | None) -> RenderedDocument:
    """The referrer notice for a triage route that ends a referral before panel."""
    words = triage_wording(route)
    ctx = ReferrerNoticeContext(
        council_name=council, panel_name=panel_name, notice_date=long_date(today),
        referrer_name=referrer_name, referrer_agency=referrer_agency, case_ref=case_ref,
        initials=children_initials,
        outcome_title=words.title, outcome=words.referrer, reasons=reasons, ended_before_panel=True)
    return render_referrer_notice(ctx, converter=converter)
