"""Setting, reading and clearing how a family wants its letters.

The referral record is what the assessment form said and has no e-mail for parents or
carers, so an address the family gives later is kept in :class:`FamilyContact`, beside
the referral. Every change is audited, and so is every read (the address is personal
data); audit details name the channel and print size, never the address.
"""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from service.audit.operations import Actor, record_event
from service.contacts.errors import InvalidContact, NoContact
from service.db import utcnow
from service.models import FamilyContact
from service.referrals.operations import get_referral

MAX_EMAIL = 254
#: one ``@``, no spaces, a dotted domain: enough to catch typing slips, not a full RFC 5321 parser
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


class Channel(enum.StrEnum):
    EMAIL = "email"
    POST = "post"


@dataclass(frozen=True)
class ContactInput:
    email: str | None
    channel: Channel
    large_print: bool = False


def normalise_email(raw: str | None) -> str | None:
    """The address trimmed and lower-cased, or None when blank; raises on an unusable address."""
    email = (raw or "").strip().lower()
    if not email:
        return None
    if len(email) > MAX_EMAIL or not _EMAIL.match(email):
        raise InvalidContact("The e-mail address is not valid: check it reads like name@example.org",
                             errors={"email": ["Not a valid e-mail address."]})
    return email


def get_contact(session: Session, referral_id: uuid.UUID) -> FamilyContact | None:
    """The family's contact details without auditing: for delivery, which audits what it sends."""
    return session.get(FamilyContact, referral_id)


def read_contact(session: Session, referral_id: uuid.UUID, *, actor: Actor) -> FamilyContact:
    """The family's contact details for a person; audited as a disclosure."""
    get_referral(session, referral_id)
    contact = session.get(FamilyContact, referral_id)
    if contact is None:
        raise NoContact()
    record_event(session, actor, "family_contact.read", object_type="referral", object_id=referral_id,
                 detail={"channel": contact.channel})
    session.commit()
    return contact


def set_contact(session: Session, referral_id: uuid.UUID, data: ContactInput, *,
                actor: Actor) -> FamilyContact:
    """Record (or replace) how the family wants its letters; audited."""
    get_referral(session, referral_id)
    email = normalise_email(data.email)
    if data.channel is Channel.EMAIL and email is None:
        raise InvalidContact("Letters by e-mail need an e-mail address; give one, or choose post",
                             errors={"email": ["Required when the channel is email."]})
    contact = session.get(FamilyContact, referral_id) or FamilyContact(referral_id=referral_id)
    contact.email, contact.channel, contact.large_print = email, str(data.channel), data.large_print
    contact.actor_type = actor.kind
    contact.set_by = actor.id if actor.kind == "user" else None
    contact.set_at = utcnow()
    session.add(contact)
    record_event(session, actor, "family_contact.set", object_type="referral", object_id=referral_id,
                 detail={"channel": contact.channel, "large_print": contact.large_print,
                         "has_email": email is not None})
    session.commit()
    return contact


def clear_contact(session: Session, referral_id: uuid.UUID, *, actor: Actor) -> None:
    """Forget the family's contact details (letters then wait to be printed for post); audited."""
    get_referral(session, referral_id)
    contact = session.get(FamilyContact, referral_id)
    if contact is None:
        raise NoContact()
    session.delete(contact)
    record_event(session, actor, "family_contact.clear", object_type="referral", object_id=referral_id)
    session.commit()
