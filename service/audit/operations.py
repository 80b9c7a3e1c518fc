"""Recording audit events.

Callers add the event to their own transaction, so an action and its audit row commit
(or roll back) together.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff user, a disclosure link, the system (CLI, jobs) or nobody identified."""

    kind: str  # "user" | "link" | "system" | "anonymous"
    id: uuid.UUID | None = None
    ip: str | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls("system")

    @classmethod
    def anonymous(cls, ip: str | None = None) -> Actor:
        return cls("anonymous", None, ip)


def record_event(session: Session, actor: Actor, action: str, *, object_type: str | None = None,
                 object_id: uuid.UUID | str | None = None,
                 detail: dict[str, Any] | None = None) -> AuditEvent:
    """Add one audit event to ``session`` (the caller commits)."""
    event = AuditEvent(actor_type=actor.kind, actor_id=actor.id, action=action, object_type=object_type,
                       object_id=str(object_id) if object_id is not None else None,
                       detail=dict(detail or {}), ip=actor.ip)
    session.add(event)
    return event


def list_events(session: Session, *, object_id: str | None = None, action: str | None = None,
                limit: int = 100) -> Iterable[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.at.desc()).limit(limit)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return session.scalars(query).all()
