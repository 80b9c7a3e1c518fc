"""Stored versions of a family's tracking form: one per change, audited, served from storage.

Every rating, decision (or new decision version) and action status change stores a new
version — Word and CSV, made in the request (about 15 ms) — so the form as it stood after
each review can be shown later. The PDF is made from the stored Word file the first time
someone asks for it, because LibreOffice takes a quarter of a second or more.

A change whose form could not be stored (storage down, a concurrent version) is not lost:
the next download sees that the stored form is older than the records (``sources``) and
stores a ``catch_up`` version first.
"""

from __future__ import annotations

import enum
import logging
import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from renderers.convert import DocxToPdfConverter, PdfOptions
from renderers.errors import RenderError
from service.audit.operations import Actor, record_event
from service.errors import ServiceError
from service.models import TrackingFormVersion
from service.tracking.errors import FormVersionNotFound, NothingToTrack, PdfUnavailable, TrackingError
from service.tracking.form import build_tracking_form, case_and_referral, sources
from storage import ObjectStore, StorageError
from storage.keys import random_key

log = logging.getLogger(__name__)

MEDIA_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


class Trigger(enum.StrEnum):
    """Why a version was stored."""

    RATING = "rating"
    DECISION = "decision"
    ACTION_STATUS = "action_status"
    CATCH_UP = "catch_up"


def _put(store: ObjectStore, data: bytes, fmt: str) -> str:
    key = random_key("tracking", suffix=f".{fmt}")
    store.put(key, data, content_type=MEDIA_TYPES[fmt])
    return key


def store_version(session: Session, store: ObjectStore, case_id: uuid.UUID, *, trigger: Trigger,
                  actor: Actor) -> TrackingFormVersion:
    """Build the form now (Word and CSV), store it as the family's next version, audited. Commits."""
    case, referral = case_and_referral(session, case_id)
    files = build_tracking_form(session, case_id)
    number = 1 + (session.scalar(select(func.max(TrackingFormVersion.version))
                                 .where(TrackingFormVersion.referral_id == referral.id)) or 0)
    row = TrackingFormVersion(
        referral_id=referral.id, case_id=case.id, version=number, trigger=str(trigger),
        sources=sources(session, referral.id), docx_key=_put(store, files.docx, "docx"),
        csv_key=_put(store, files.csv, "csv"), actor_type=actor.kind,
        built_by=actor.id if actor.kind == "user" else None)
    session.add(row)
    record_event(session, actor, "tracking.form_stored", object_type="referral", object_id=referral.id,
                 detail={"version": number, "trigger": str(trigger), "case_id": str(case.id)})
    session.commit()
    return row


def refresh_quietly(session: Session, store: ObjectStore, case_id: uuid.UUID, *, trigger: Trigger,
                    actor: Actor) -> TrackingFormVersion | None:
    """Store a new version after a change that is already committed; None when that failed.

    The change (a decision, a rating) matters more than its form: a failure is logged by
    class name and left for the next download to catch up, instead of failing the request.
    A family with no decision yet (ratings recorded first) has no form to store.
    """
    try:
        return store_version(session, store, case_id, trigger=trigger, actor=actor)
    except NothingToTrack:
        session.rollback()
        return None
    except (ServiceError, RenderError, StorageError, SQLAlchemyError) as exc:
        session.rollback()
        log.warning("tracking form not stored after %s: %s", trigger, type(exc).__name__)
        return None


def _stored(session: Session, referral_id: uuid.UUID) -> list[TrackingFormVersion]:
    query = (select(TrackingFormVersion).where(TrackingFormVersion.referral_id == referral_id)
             .order_by(TrackingFormVersion.version))
    return list(session.scalars(query))


def versions(session: Session, case_id: uuid.UUID) -> list[TrackingFormVersion]:
    """The family's stored versions, oldest first (any case of the referral names the family)."""
    _case, referral = case_and_referral(session, case_id)
    return _stored(session, referral.id)


def _chosen(session: Session, store: ObjectStore, case_id: uuid.UUID, referral_id: uuid.UUID,
            version: int | None, *, actor: Actor) -> TrackingFormVersion:
    """Version ``version``; or the newest, storing a ``catch_up`` one first when the records moved on."""
    found = _stored(session, referral_id)
    if version is not None:
        row = next((r for r in found if r.version == version), None)
        if row is None:
            raise FormVersionNotFound()
        return row
    if found and found[-1].sources == sources(session, referral_id):
        return found[-1]
    return store_version(session, store, case_id, trigger=Trigger.CATCH_UP, actor=actor)


def _pdf_key(store: ObjectStore, row: TrackingFormVersion,
             converter: DocxToPdfConverter | None) -> str:
    """The version's PDF, made from its stored Word file the first time it is asked for."""
    if row.pdf_key is not None:
        return row.pdf_key
    if converter is None:
        raise PdfUnavailable()
    pdf = converter.convert(store.get_bytes(row.docx_key), PdfOptions(tagged=True))
    row.pdf_key = _put(store, pdf, "pdf")
    return row.pdf_key


def open_form(session: Session, store: ObjectStore, case_id: uuid.UUID, fmt: str, *, actor: Actor,
              version: int | None = None,
              converter: DocxToPdfConverter | None = None) -> tuple[TrackingFormVersion, bytes]:
    """One format of a stored version (the newest when ``version`` is None), audited. Commits.

    ``fmt`` is ``docx``, ``csv`` or ``pdf`` (the PDF needs ``converter`` the first time).
    """
    if fmt not in MEDIA_TYPES:
        raise TrackingError("A tracking form is served as docx, pdf or csv")
    case, referral = case_and_referral(session, case_id)
    row = _chosen(session, store, case.id, referral.id, version, actor=actor)
    key = row.docx_key if fmt == "docx" else row.csv_key if fmt == "csv" else _pdf_key(store, row, converter)
    data = store.get_bytes(key)
    record_event(session, actor, "tracking.form_download", object_type="case", object_id=case.id,
                 detail={"format": fmt, "version": row.version, "referral_id": str(referral.id)})
    session.commit()
    return row, data
