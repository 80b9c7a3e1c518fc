"""Delivering letters: a ``/l/<token>`` link by e-mail, or printed for post; the family link's DOB gate.

Mail never carries the letter or a child's name: the subject is generic and the body holds
only the link. A family link is gated: before the letter is shown the reader gives one of
the children's dates of birth; five wrong tries lock the link. Every try is audited.
Delivery states go to the decision through the decisions API (``mark_letter_sent``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.operations import Actor, record_event
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


def _address(recipient: str, record: Mapping[str, Any]) -> str | None:
    if recipient == "referrer":
        email = (record.get("referrer") or {}).get("email")
        return str(email) if email else None
    for parent in (record.get("family") or {}).get("parents_carers") or []:
        if parent.get("email"):
            return str(parent["email"])
    return None


def _body(recipient: str, url: str, days: int) -> str:
    if recipient == "family":
        return ("Hello,\n\nThe family support panel has written to you. "
                f"Open this link to read the letter:\n\n{url}\n\n"
                f"You will be asked for your child's date of birth. The link works for {days} days.\n"
                "If you did not expect this, please ignore it.\n")
    return (f"The panel's outcome notice for your referral is ready:\n\n{url}\n\n"
            f"The link works for {days} days.\n")


def send_meeting_letters(session: Session, meeting_id: uuid.UUID, *, sender: SmtpSender, base_url: str,
                         actor: Actor) -> SendReport:
    """Mail a link to every unsent standard family letter and referrer notice of a meeting."""
    report = SendReport()
    rows = session.scalars(select(LetterDocument).where(
        LetterDocument.meeting_id == meeting_id, LetterDocument.sent_at.is_(None),
        LetterDocument.recipient.in_(("family", "referrer")), LetterDocument.variant == "standard")).all()
    for row in rows:
        referral = session.get(Referral, row.referral_id)
        to = _address(row.recipient, (referral.record or {}) if referral else {})
        if to is None:
            report.skipped.append({"file": row.file, "reason": "no e-mail address: print for post"})
            continue
        days = FAMILY_LINK_DAYS if row.recipient == "family" else PROFESSIONAL_LINK_DAYS
        new = create_object_link(session, row.object_key, media_type=row.media_type,
                                 purpose=f"letter:{row.recipient}", ttl_seconds=days * 86400, actor=actor)
        if row.recipient == "family":
            session.add(LetterLinkGate(link_id=new.link.id, referral_id=row.referral_id, failures=0))
            session.commit()
        message = Message(to=to, subject=SUBJECT[row.recipient], body=_body(row.recipient,
                          link_url(base_url, new.token), days))
        sender.send([message])
        _mark(session, row, "email", actor)
        report.sent.append({"file": row.file, "recipient": row.recipient})
    return report


def _mark(session: Session, row: LetterDocument, channel: str, actor: Actor) -> None:
    row.sent_at, row.channel = utcnow(), channel
    record_event(session, actor, "letter.sent", object_type="letter", object_id=row.id,
                 detail={"channel": channel, "recipient": row.recipient})
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
    children = ((referral.record or {}) if referral else {}).get("children") or []
    return {str(c["date_of_birth"]) for c in children if c.get("date_of_birth")}


def check_dob(session: Session, gate: LetterLinkGate, answer: dt.date | None, *, ip: str | None) -> bool:
    """True when ``answer`` is one of the children's dates of birth; five misses lock the link."""
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
