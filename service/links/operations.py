"""Creating, revoking and opening disclosure links.

A link is bound to one object (a document's original, or a stored object key such as a
rendered pack), expires, can be revoked, and every attempt to open it is audited,
including the failed ones. Only the SHA-256 of the token is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.audit.operations import Actor, record_event
from service.db import utcnow
from service.documents.operations import get_document
from service.errors import InvalidRequest, LinkExpired, NotFound
from service.models import DisclosureLink
from storage import ObjectStore

#: a presigned S3 URL handed out by a link lives at most this long
PRESIGNED_TTL_SECONDS = 60
LINK_PATH = "/l/"


@dataclass(frozen=True)
class NewLink:
    link: DisclosureLink
    token: str  # shown once; only its hash is kept


@dataclass(frozen=True)
class OpenedLink:
    """Either a stream to send or a short-lived URL to redirect to."""

    link: DisclosureLink
    media_type: str
    stream: BinaryIO | None = None
    redirect_url: str | None = None
    size: int | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + LINK_PATH + token


def _expiry(ttl_seconds: int) -> dt.datetime:
    if ttl_seconds <= 0:
        raise InvalidRequest("A link's lifetime must be positive")
    return utcnow() + dt.timedelta(seconds=ttl_seconds)


def create_document_link(session: Session, document_id: uuid.UUID, *, purpose: str, ttl_seconds: int,
                         actor: Actor) -> NewLink:
    """A link to a document's original."""
    document = get_document(session, document_id)
    return _create(session, DisclosureLink(document_id=document.id, media_type=document.media_type,
                                           purpose=purpose, expires_at=_expiry(ttl_seconds)), actor)


def create_object_link(session: Session, object_key: str, *, media_type: str, purpose: str,
                       ttl_seconds: int, actor: Actor) -> NewLink:
    """A link to a stored object (a rendered letter or pack); it keeps the object referenced."""
    return _create(session, DisclosureLink(object_key=object_key, media_type=media_type, purpose=purpose,
                                           expires_at=_expiry(ttl_seconds)), actor)


def _create(session: Session, link: DisclosureLink, actor: Actor) -> NewLink:
    token = secrets.token_urlsafe(32)
    link.token_hash = hash_token(token)
    link.created_by = actor.id if actor.kind == "user" else None
    session.add(link)
    session.flush()
    record_event(session, actor, "link.create", object_type="link", object_id=link.id,
                 detail={"purpose": link.purpose, "document_id": str(link.document_id) if link.document_id
                         else None, "expires_at": link.expires_at.isoformat()})
    session.commit()
    return NewLink(link=link, token=token)


def revoke_link(session: Session, link_id: uuid.UUID, *, actor: Actor) -> DisclosureLink:
    link = session.get(DisclosureLink, link_id)
    if link is None:
        raise NotFound("No link with this id")
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        record_event(session, actor, "link.revoke", object_type="link", object_id=link.id)
    session.commit()
    return link


def open_link(session: Session, store: ObjectStore, token: str, *, ip: str | None) -> OpenedLink:
    """Resolve a token to its object, auditing the attempt whatever its outcome.

    Unknown → ``NotFound``; expired or revoked → ``LinkExpired``. On a backend with
    presigned URLs (S3) the caller redirects to a URL valid ≤ 60 s instead of streaming.
    """
    link = session.scalar(select(DisclosureLink).where(DisclosureLink.token_hash == hash_token(token)))
    if link is None:
        record_event(session, Actor.anonymous(ip), "link.open", object_type="link",
                     detail={"outcome": "unknown"})
        session.commit()
        raise NotFound("This link does not exist")
    actor = Actor("link", link.id, ip)
    now = utcnow()
    if link.revoked_at is not None or link.expires_at <= now:
        outcome = "revoked" if link.revoked_at is not None else "expired"
        record_event(session, actor, "link.open", object_type="link", object_id=link.id,
                     detail={"outcome": outcome})
        session.commit()
        raise LinkExpired()

    key, size = _target(session, link)
    redirect = store.presigned_url(key, expires_in=PRESIGNED_TTL_SECONDS)
    stream = None if redirect else store.open(key)
    session.execute(update(DisclosureLink).where(DisclosureLink.id == link.id)
                    .values(open_count=DisclosureLink.open_count + 1))
    record_event(session, actor, "link.open", object_type="link", object_id=link.id,
                 detail={"outcome": "redirected" if redirect else "streamed",
                         "document_id": str(link.document_id) if link.document_id else None})
    session.commit()
    return OpenedLink(link=link, media_type=link.media_type, stream=stream, redirect_url=redirect, size=size)


def _target(session: Session, link: DisclosureLink) -> tuple[str, int | None]:
    if link.document_id is not None:
        document = get_document(session, link.document_id)
        return document.object_key, document.size
    if link.object_key is None:
        raise NotFound("This link points at nothing")
    return link.object_key, None
