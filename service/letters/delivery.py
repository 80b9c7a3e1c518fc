"""Delivering letters: a ``/l/<token>`` link by e-mail, or printed for post; the family link's DOB gate.

Mail never carries the letter or a child's name: the subject is generic and the body holds
only the link. The family's address comes from its contact details (``service.contacts``),
never from the record, which has none. A family link is gated: before the letter is shown
the reader gives one of the children's dates of birth (or an unborn child's due date);
five wrong tries lock the link, and a family with no such date gets no link at all (the
letter waits to be printed for post). Every try is audited.
Delivery states go to the decision through the decisions API (``mark_letter_sent``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.operations import Actor, record_event
from service.contacts.operations import Channel, get_contact
from service.db import utcnow
from service.decisions import operations as decisions
from service.errors import NotFound
from service.letters.errors import LetterError
from service.links.operations import create_object_link, hash_token, link_url
from service.mail import Message, SmtpSender
from service.models import DisclosureLink, LetterDocument, LetterLinkGate, Referral

FAMILY_LINK_DAYS = 14
PROFESSIONAL_LINK_DAYS = 7
MAX_DOB_TRIES = 5
POST_REASON = "no e-mail address: print for post"
POST_CHOSEN_REASON = "the family asked for post: print for post"
POST_LARGE_PRINT_REASON = "the family asked for post in large print: print the large-print letter for post"
UNGATED_REASON = "no date of birth to protect the link: print for post"
SUBJECT = {"family": "A letter from the family support panel",
           "referrer": "Outcome of your referral to the panel"}


class LinkLocked(LetterError):
    """Too many wrong dates of birth: ask the panel for a new link."""

    http_status = 423


@dataclass
class SendReport:
    sent: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self, meeting_id: uuid.UUID) -> dict[str, Any]:
        return {"meeting_id": str(meeting_id), "sent": self.sent, "skipped": self.skipped}


def _referrer_address(record: Mapping[str, Any]) -> str | None:
    email = (record.get("referrer") or {}).get("email")
    return str(email) if email else None


def _body(recipient: str, url: str, days: int) -> str:
    if recipient == "family":
        return ("Hello,\n\nThe family support panel has written to you. "
                f"Open this link to read the letter:\n\n{url}\n\n"
                "You will be asked for your child's date of birth, or the due date if your baby "
                f"is not born yet. The link works for {days} days.\n"
                "If you did not expect this, please ignore it.\n")
    return (f"The panel's outcome notice for your referral is ready:\n\n{url}\n\n"
            f"The link works for {days} days.\n")


def send_meeting_letters(session: Session, meeting_id: uuid.UUID, *, sender: SmtpSender, base_url: str,
                         actor: Actor, progress: Callable[[int, int], None] | None = None) -> SendReport:
    """Mail a link to every unsent family letter and referrer notice of a meeting.

    One letter per family and referrer: the standard rows are the units, and a family that
    asked for large print gets the link to the large-print row instead. ``progress`` (when
    given) is called with ``(done, total)`` after each letter, sent or skipped, so a
    background batch job can report how far it has got.
    """
    report = SendReport()
    rows = session.scalars(select(LetterDocument).where(
        LetterDocument.meeting_id == meeting_id, LetterDocument.sent_at.is_(None),
        LetterDocument.recipient.in_(("family", "referrer")), LetterDocument.variant == "standard")
        .order_by(LetterDocument.created_at, LetterDocument.file)).all()
    rows = [row for row in rows if not _variant_delivered(session, row)]
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        if row.recipient == "family":
            _send_family(session, row, report, sender=sender, base_url=base_url, actor=actor)
        else:
            _send_referrer(session, row, report, sender=sender, base_url=base_url, actor=actor)
        if progress is not None:
            progress(done, total)
    return report


def _variant_delivered(session: Session, row: LetterDocument) -> bool:
    """Whether another variant of this letter (e.g. the large-print one) was already sent or posted."""
    if row.decision_id is None:
        return False
    return session.scalar(select(LetterDocument.id).where(
        LetterDocument.decision_id == row.decision_id, LetterDocument.recipient == row.recipient,
        LetterDocument.kind == row.kind, LetterDocument.id != row.id,
        LetterDocument.sent_at.is_not(None)).limit(1)) is not None


def _send_referrer(session: Session, row: LetterDocument, report: SendReport, *, sender: SmtpSender,
                   base_url: str, actor: Actor) -> None:
    referral = session.get(Referral, row.referral_id)
    to = _referrer_address((referral.record or {}) if referral else {})
    if to is None:
        report.skipped.append({"file": row.file, "reason": POST_REASON})
        return
    new = create_object_link(session, row.object_key, media_type=row.media_type, purpose="letter:referrer",
                             ttl_seconds=PROFESSIONAL_LINK_DAYS * 86400, actor=actor)
    _mail(sender, to, "referrer", link_url(base_url, new.token), PROFESSIONAL_LINK_DAYS)
    _mark(session, row, "email", actor)
    report.sent.append({"file": row.file, "recipient": row.recipient})


def _send_family(session: Session, row: LetterDocument, report: SendReport, *, sender: SmtpSender,
                 base_url: str, actor: Actor) -> None:
    """Mail the family the gated link, or say why the letter waits to be printed for post.

    The address comes from the family's contact details (``service.contacts``), never from
    the record. A family link is never sent without a date to gate it.
    """
    contact = get_contact(session, row.referral_id)
    if contact is not None and contact.channel == Channel.POST:
        reason = POST_LARGE_PRINT_REASON if contact.large_print else POST_CHOSEN_REASON
        report.skipped.append({"file": row.file, "reason": reason})
        return
    if contact is None or not contact.email:
        report.skipped.append({"file": row.file, "reason": POST_REASON})
        return
    if not _dobs(session.get(Referral, row.referral_id)):
        report.skipped.append({"file": row.file, "reason": UNGATED_REASON})
        return
    letter = (_large_print(session, row) or row) if contact.large_print else row
    new = create_object_link(session, letter.object_key, media_type=letter.media_type,
                             purpose="letter:family", ttl_seconds=FAMILY_LINK_DAYS * 86400, actor=actor)
    session.add(LetterLinkGate(link_id=new.link.id, referral_id=row.referral_id, failures=0))
    session.commit()
    _mail(sender, contact.email, "family", link_url(base_url, new.token), FAMILY_LINK_DAYS)
    _mark(session, letter, "email", actor)
    report.sent.append({"file": letter.file, "recipient": letter.recipient})


def _large_print(session: Session, row: LetterDocument) -> LetterDocument | None:
    """The large-print sibling of a standard family letter, when one was built."""
    if row.decision_id is None:
        return None
    return session.scalar(select(LetterDocument).where(
        LetterDocument.decision_id == row.decision_id, LetterDocument.recipient == row.recipient,
        LetterDocument.kind == row.kind, LetterDocument.variant == "large_print").limit(1))


def _mail(sender: SmtpSender, to: str, recipient: str, url: str, days: int) -> None:
    sender.send([Message(to=to, subject=SUBJECT[recipient], body=_body(recipient, url, days))])


def _mark(session: Session, row: LetterDocument, channel: str, actor: Actor) -> None:
    row.sent_at, row.channel = utcnow(), channel
    record_event(session, actor, "letter.sent", object_type="letter", object_id=row.id,
                 detail={"channel": channel, "recipient": row.recipient, "variant": row.variant})
    session.commit()
    if row.decision_id is not None and row.recipient == "family":
        decisions.mark_letter_sent(session, row.decision_id, channel=channel, actor=actor)
    elif row.decision_id is not None:
        decisions.mark_notified(session, row.decision_id, actor=actor)


def mark_posted(session: Session, letter_id: uuid.UUID, *, actor: Actor) -> LetterDocument:
    """An administrator printed the letter for post."""
    row = session.get(LetterDocument, letter_id)
    if row is None:
        raise NotFound("No letter with this id")
    _mark(session, row, "post", actor)
    return row


def gate_for(session: Session, token: str) -> LetterLinkGate | None:
    """The DOB gate of a link, or None where the link is not a family letter's."""
    link = session.scalar(select(DisclosureLink).where(DisclosureLink.token_hash == hash_token(token)))
    return None if link is None else session.get(LetterLinkGate, link.id)


def _dobs(referral: Referral | None) -> set[str]:
    """The dates that open a family link: each child's date of birth, or the due date of an unborn child.

    The record gives an unborn child no date of birth but an ``expected_date_of_delivery``;
    a family whose only child is unborn answers with that.
    """
    children = ((referral.record or {}) if referral else {}).get("children") or []
    dates = set()
    for child in children:
        date = child.get("date_of_birth") or child.get("expected_date_of_delivery")
        if date:
            dates.add(str(date))
    return dates


def check_dob(session: Session, gate: LetterLinkGate, answer: dt.date | None, *, ip: str | None) -> bool:
    """True when ``answer`` is a child's date of birth (or an unborn child's due date); five misses lock."""
    actor = Actor("link", gate.link_id, ip)
    if gate.locked_at is not None:
        record_event(session, actor, "letter.dob_check", object_type="link", object_id=gate.link_id,
                     detail={"outcome": "locked"})
        session.commit()
        raise LinkLocked("This link is locked after too many tries. Please ask the panel for a new one.")
    ok = answer is not None and answer.isoformat() in _dobs(session.get(Referral, gate.referral_id))
    if ok:
        gate.passed_at = utcnow()
    else:
        gate.failures += 1
        if gate.failures >= MAX_DOB_TRIES:
            gate.locked_at = utcnow()
    record_event(session, actor, "letter.dob_check", object_type="link", object_id=gate.link_id,
                 detail={"outcome": "passed" if ok else ("locked" if gate.locked_at else "wrong")})
    session.commit()
    return ok
