"""What a request needs from the application: its services and one database session.

Views call :func:`services` and :func:`db_session`; operations never do (they take the
session and store as arguments), so they run the same from the CLI or a job.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request
from sqlalchemy.orm import Session

from extractors.base import ExtractionContext
from service.audit.operations import Actor
from service.db import Database
from storage import ObjectStore


@dataclass(frozen=True)
class Settings:
    """The configuration operations need, as plain values."""

    max_upload_bytes: int
    link_ttl_seconds: int
    public_base_url: str | None
    storage_backend: str
    key_secret: bytes


@dataclass(frozen=True)
class Services:
    db: Database
    store: ObjectStore
    settings: Settings
    extraction: ExtractionContext


EXTENSION = "mapdocs"


def services() -> Services:
    found: Services = current_app.extensions[EXTENSION]
    return found


def db_session() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = services().db.session()
    session: Session = g.db_session
    return session


def close_db_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def current_actor() -> Actor:
    """The authenticated user (set by the auth gate), or an anonymous caller, with the client IP."""
    user = g.get("user")
    if user is not None:
        return Actor("user", user.id, request.remote_addr)
    return Actor.anonymous(request.remote_addr)
