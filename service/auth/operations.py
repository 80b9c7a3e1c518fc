"""Users and bearer tokens. A token is shown once; only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.operations import Actor, record_event
from service.db import utcnow
from service.errors import InvalidRequest, NotFound
from service.models import ApiToken, Role, User

TOKEN_PREFIX_LENGTH = 8


class UserError(InvalidRequest):
    slug = "invalid-user"
    title = "The user cannot be created"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(session: Session, name: str, role: str, *, agency: str | None = None,
                actor: Actor) -> User:
    """Create a staff user. A ``panel_member`` must belong to one agency; other roles must not."""
    name = name.strip()
    if not name:
        raise UserError("The user name is empty")
    try:
        role_value = Role(role)
    except ValueError:
        raise UserError(f"Unknown role; choose one of: {', '.join(r.value for r in Role)}") from None
    if role_value is Role.PANEL_MEMBER and not agency:
        raise UserError("A panel_member must belong to an agency (--agency SLUG)")
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise UserError("A user with this name already exists")
    user = User(name=name, role=role_value.value, agency=agency or None)
    session.add(user)
    session.flush()
    record_event(session, actor, "user.create", object_type="user", object_id=user.id,
                 detail={"role": user.role})
    return user


def issue_token(session: Session, user: User, *, actor: Actor) -> str:
    """A new random bearer token for ``user``; returned once, stored hashed."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, prefix=token[:TOKEN_PREFIX_LENGTH], token_hash=hash_token(token))
    session.add(row)
    session.flush()
    record_event(session, actor, "token.issue", object_type="api_token", object_id=row.id,
                 detail={"user_id": str(user.id)})
    return token


def revoke_token(session: Session, token_id: uuid.UUID, *, actor: Actor) -> None:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("No such token")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record_event(session, actor, "token.revoke", object_type="api_token", object_id=row.id)


def authenticate(session: Session, token: str) -> User | None:
    """The active user a bearer token belongs to, or None (unknown, revoked, disabled)."""
    if not token:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return user

