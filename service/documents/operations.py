"""Receiving documents and reading records from them: the domain actions behind the API and CLI.

Plain functions taking a session, the object store and plain values; no Flask. The
order in :func:`ingest_document` is the safety argument of the service: everything
that can refuse a file runs before anything is stored, and the original is stored and
its row committed before the caller is told the upload was accepted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from extractors import pipeline
from extractors.base import ExtractionContext, ExtractionResult
from extractors.errors import EncryptedDocument, ExtractionError, NotAnAssessmentForm
from service.audit.operations import Actor, record_event
from service.db import utcnow
from service.documents.key_locks import object_key_lock
from service.errors import NotFound, PayloadTooLarge, UnknownPanel
from service.models import (
    DisclosureLink,
    Document,
    ExtractionRun,
    Job,
    JobState,
    Referral,
    ReferralDocument,
    ReferralStatus,
    RunStatus,
)
from service.panels import get_panel
from service.referrals.operations import apply_extraction
from storage import ObjectStore
from storage.keys import content_key

log = logging.getLogger(__name__)

EXTRACT_JOB = "extract"
ORIGINALS_NAMESPACE = "originals"


class JobQueue(Protocol):
    """Where a new job goes to run (``service.jobs.dispatch``): a worker, never the caller.

    A ``password`` never travels through a broker: the queue runs such a job in the
    process that received the password, and forgets it afterwards.
    """

    def submit(self, job_id: uuid.UUID, *, password: str | None = None) -> None:
        ...


@dataclass(frozen=True)
class IngestOutcome:
    document: Document
    job: Job
    created: bool


@dataclass(frozen=True)
class ExtractionOutcome:
    """What one extraction attempt produced, already in JSON-ready form, or an error slug."""

    record: dict[str, Any] | None = None
    confidence: dict[str, float] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    #: ``{"path", "severity", "message", "code"}`` (the CLI drops ``code``)
    issues: list[dict[str, Any]] = field(default_factory=list)
    extractor: str = ""
    extractor_version: str = ""
    page_count: int | None = None
    error_slug: str | None = None
    error_detail: str | None = None
    error_class: type[ExtractionError] | None = None
    duration_ms: int = 0


def check_upload(data: bytes, panel: str, *, max_bytes: int) -> None:
    """The refusals that need no parsing: unknown panel, over the size limit."""
    if get_panel(panel) is None:
        raise UnknownPanel()
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"The file is larger than the limit of {max_bytes} bytes")


def ingest_document(session: Session, store: ObjectStore, ctx: ExtractionContext, *, data: bytes,
                    panel: str, key_secret: bytes, max_bytes: int, actor: Actor,
                    password: str | None = None, attach_to: uuid.UUID | None = None,
                    jobs: JobQueue | None = None) -> IngestOutcome:
    """Refuse, or store the original, record it and start its extraction job.

    With ``jobs`` the extraction is queued and the answer returns at once (job
    pending); without, it runs here before returning (tests, scripts).

    Refusals (``UnknownPanel``, ``PayloadTooLarge`` and the inspection's
    ``ExtractionError``s) leave no object and no row. The same bytes sent again to the
    same panel return the existing document (``created=False``); a ``password`` then
    re-runs extraction in memory. The password is passed on, never stored or logged.
    """
    check_upload(data, panel, max_bytes=max_bytes)
    inspection = pipeline.inspect(data, dataclasses.replace(ctx, panel=panel, password=None))
    sha256 = hashlib.sha256(data).hexdigest()

    existing = _find_document(session, sha256, panel)
    if existing is not None:
        return _resend(session, store, ctx, existing, data=data, password=password, actor=actor, jobs=jobs)

    key = content_key(data, secret=key_secret, namespace=ORIGINALS_NAMESPACE)
    # Put even when the same bytes are stored already (sent to another panel): that
    # rewrites identical content and saves an existence check, a round trip per upload
    # on S3. The key's lock keeps a deletion of those bytes from removing the object
    # before this upload's row is committed (``key_locks``).
    with object_key_lock(_engine(session), key):
        store.put(key, data, content_type=inspection.media_type)
        # One short write transaction: ids are made here, so nothing is flushed before the
        # commit and SQLite's write lock is held for the inserts and the commit alone.
        document = Document(id=uuid.uuid4(), sha256=sha256, media_type=inspection.media_type, size=len(data),
                            page_count=inspection.page_count, object_key=key, storage_backend=store.scheme,
                            panel=panel, uploaded_by=actor.id if actor.kind == "user" else None,
                            encrypted=inspection.encrypted)
        job = Job(id=uuid.uuid4(), document_id=document.id, kind=EXTRACT_JOB, state=JobState.PENDING,
                  pages_total=inspection.page_count)
        session.add(document)
        if attach_to is None:
            session.add(Referral(document_id=document.id, panel=panel, status=ReferralStatus.RECEIVED))
        else:  # a later document (signed consent, rescan) for an existing referral: no second referral
            session.add(ReferralDocument(referral_id=attach_to, document_id=document.id,
                                         attached_by=actor.id if actor.kind == "user" else None))
        session.add(job)
        record_event(session, actor, "document.upload", object_type="document", object_id=document.id,
                     detail={"panel": panel, "media_type": inspection.media_type, "size": len(data),
                             "job_id": str(job.id)})
        try:
            session.commit()
        except IntegrityError:
            # the same bytes for the same panel arrived concurrently: theirs won, answer as a resend
            session.rollback()
            existing = _find_document(session, sha256, panel)
            if existing is None:
                raise
            return _resend(session, store, ctx, existing, data=data, password=password, actor=actor,
                           jobs=jobs)

    _start(session, store, ctx, job.id, jobs, data=data, password=password)
    return IngestOutcome(document=document, job=job, created=True)


def _find_document(session: Session, sha256: str, panel: str) -> Document | None:
    return session.scalar(select(Document).where(Document.sha256 == sha256, Document.panel == panel))


def _resend(session: Session, store: ObjectStore, ctx: ExtractionContext, document: Document, *,
            data: bytes, password: str | None, actor: Actor, jobs: JobQueue | None) -> IngestOutcome:
    record_event(session, actor, "document.resend", object_type="document", object_id=document.id,
                 detail={"panel": document.panel, "with_password": password is not None})
    if password is not None:
        job = _new_job(session, document)
        session.commit()
        _start(session, store, ctx, job.id, jobs, data=data, password=password)
        return IngestOutcome(document=document, job=job, created=False)
    latest = latest_job(session, document.id)
    if latest is None:  # a document always has a job; recover rather than fail if one was removed
        latest = _new_job(session, document)
        session.commit()
        _start(session, store, ctx, latest.id, jobs, data=data)
    else:
        session.commit()
    return IngestOutcome(document=document, job=latest, created=False)


def _new_job(session: Session, document: Document) -> Job:
    job = Job(document_id=document.id, kind=EXTRACT_JOB, state=JobState.PENDING,
              pages_total=document.page_count)
    session.add(job)
    session.flush()
    return job


def retry_extraction(session: Session, store: ObjectStore, ctx: ExtractionContext, document_id: uuid.UUID,
                     *, password: str | None, actor: Actor, jobs: JobQueue | None = None) -> Job:
    """Run extraction again on a stored original (typically with the password it needed)."""
    document = get_document(session, document_id)
    job = _new_job(session, document)
    record_event(session, actor, "document.extract", object_type="document", object_id=document.id,
                 detail={"job_id": str(job.id), "with_password": password is not None})
    session.commit()
    return _start(session, store, ctx, job.id, jobs, password=password)


def _start(session: Session, store: ObjectStore, ctx: ExtractionContext, job_id: uuid.UUID,
           jobs: JobQueue | None, *, data: bytes | None = None, password: str | None = None) -> Job:
    """Queue the job when there is a queue, else run it now; the job as the caller should report it."""
    if jobs is None:
        return run_extraction_job(session, store, ctx, job_id, data=data, password=password)
    jobs.submit(job_id, password=password)
    return get_job(session, job_id)


def run_extraction_job(session: Session, store: ObjectStore, ctx: ExtractionContext, job_id: uuid.UUID,
                       *, data: bytes | None = None, password: str | None = None) -> Job:
    """Run one extraction job to completion and record its run, referral and state.

    Takes ids so a background worker can call it; ``data`` saves re-reading the
    original when the caller already holds it. Never raises for a document problem:
    those end as a failed job with an error slug.

    Idempotent: a job already finished is returned untouched (a message delivered
    twice), and when two deliveries of one job race, only the first to finish records
    its run and referral update; the other's result is dropped.
    """
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("No such job")
    if job.finished_at is not None:
        return job
    document = session.get(Document, job.document_id)
    if document is None:
        raise NotFound("No such document")
    started = session.execute(update(Job).where(Job.id == job.id, Job.finished_at.is_(None)).values(
        state=JobState.RUNNING, started_at=utcnow()).execution_options(synchronize_session=False))
    session.commit()
    session.refresh(job)
    if getattr(started, "rowcount", 0) != 1:
        return job

    if data is None:
        data = store.get_bytes(document.object_key)
    outcome = extract_bytes(data, dataclasses.replace(ctx, panel=document.panel, password=password))
    return finish_job(session, job, outcome)


def finish_job(session: Session, job: Job, outcome: ExtractionOutcome) -> Job:
    """Record ``outcome`` as ``job``'s result unless another delivery of the job already did.

    The conditional UPDATE takes the row (PostgreSQL) or the database (SQLite) write
    lock, so of two racing deliveries exactly one sees the job unfinished.
    """
    claimed = session.execute(update(Job).where(Job.id == job.id, Job.finished_at.is_(None))
                              .values(finished_at=utcnow()).execution_options(synchronize_session=False))
    if getattr(claimed, "rowcount", 0) != 1:
        session.rollback()
        session.refresh(job)
        return job
    document = session.get(Document, job.document_id)
    if document is None:
        raise NotFound("No such document")
    _record_outcome(session, document, job, outcome)
    session.commit()
    return job


def fail_job(session: Session, job_id: uuid.UUID, slug: str, detail: str) -> None:
    """End an unfinished job as failed without a run (its original unreadable, time or retries spent)."""
    session.execute(update(Job).where(Job.id == job_id, Job.finished_at.is_(None)).values(
        state=JobState.FAILED, error=slug, error_detail=detail, finished_at=utcnow()))
    session.commit()


def unfinished_jobs(session: Session) -> list[uuid.UUID]:
    """Ids of jobs not yet finished (pending or running), oldest first."""
    return list(session.scalars(select(Job.id).where(Job.finished_at.is_(None)).order_by(Job.created_at)))


def extract_bytes(data: bytes, ctx: ExtractionContext) -> ExtractionOutcome:
    """Run the extraction pipeline; every failure becomes an error slug, never an exception.

    The result is serialised here, inside the guard, so a reader that returns something
    malformed fails this one document rather than the request. Unexpected exceptions are
    logged by class name only: their messages may quote the document.
    """
    return outcome_of(lambda: pipeline.extract(data, ctx))


def outcome_of(produce: Callable[[], ExtractionResult]) -> ExtractionOutcome:
    """Run ``produce`` (the pipeline, or the assembly of OCR'd pages) under :func:`extract_bytes`' guard."""
    started = time.perf_counter()
    try:
        result = produce()
        # a JSON round trip proves the parts can be stored and printed (raises TypeError if not)
        record, confidence, provenance, issues = json.loads(json.dumps([
            result.record, result.confidence, result.provenance_json(),
            [{**issue.to_json(), "code": issue.code or None} for issue in result.issues]]))
        return ExtractionOutcome(
            record=record, confidence=confidence, provenance=provenance, issues=issues,
            extractor=result.extractor, extractor_version=result.extractor_version,
            page_count=result.page_count, duration_ms=_elapsed_ms(started))
    except ExtractionError as exc:
        return ExtractionOutcome(error_slug=exc.slug, error_detail=exc.detail, error_class=type(exc),
                                 duration_ms=_elapsed_ms(started))
    except Exception as exc:  # noqa: BLE001  (a reader bug must not take the service down)
        log.error("extraction failed unexpectedly: %s", type(exc).__name__)
        return ExtractionOutcome(error_slug=ExtractionError.slug, error_detail=ExtractionError.title,
                                 error_class=ExtractionError, duration_ms=_elapsed_ms(started))


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _record_outcome(session: Session, document: Document, job: Job, outcome: ExtractionOutcome) -> None:
    run = ExtractionRun(
        document_id=document.id,
        extractor=outcome.extractor,
        extractor_version=outcome.extractor_version,
        status=RunStatus.SUCCEEDED if outcome.error_slug is None else RunStatus.FAILED,
        record=outcome.record,
        confidence=outcome.confidence,
        provenance=outcome.provenance,
        issues=outcome.issues,
        error_slug=outcome.error_slug,
        error_detail=outcome.error_detail,
        duration_ms=outcome.duration_ms,
    )
    session.add(run)
    # the referral (new, or the one this document was attached to) is rebuilt and checked
    apply_extraction(session, document, status=_referral_status(outcome))
    if outcome.page_count is not None:
        document.page_count = document.page_count or outcome.page_count
    job.state = JobState.SUCCEEDED if outcome.error_slug is None else JobState.FAILED
    job.error = outcome.error_slug
    job.error_detail = outcome.error_detail
    job.pages_total = job.pages_total or document.page_count
    job.pages_done = (job.pages_total or 0) if outcome.error_slug is None else 0
    job.finished_at = utcnow()


def _referral_status(outcome: ExtractionOutcome) -> ReferralStatus:
    if outcome.error_class is None:
        return ReferralStatus.EXTRACTED
    if issubclass(outcome.error_class, EncryptedDocument):
        return ReferralStatus.NEEDS_PASSWORD
    if issubclass(outcome.error_class, NotAnAssessmentForm):
        return ReferralStatus.NOT_A_FORM
    return ReferralStatus.FAILED


def get_document(session: Session, document_id: uuid.UUID) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound("No document with this id")
    return document


def get_job(session: Session, job_id: uuid.UUID) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("No job with this id")
    return job


def latest_job(session: Session, document_id: uuid.UUID) -> Job | None:
    return session.scalar(select(Job).where(Job.document_id == document_id)
                          .order_by(Job.created_at.desc()).limit(1))


def latest_run(session: Session, document_id: uuid.UUID) -> ExtractionRun:
    get_document(session, document_id)
    run = session.scalar(select(ExtractionRun).where(ExtractionRun.document_id == document_id)
                         .order_by(ExtractionRun.created_at.desc()).limit(1))
    if run is None:
        raise NotFound("No extraction has run on this document yet")
    return run


def referral_status(session: Session, document_id: uuid.UUID) -> str | None:
    return session.scalar(select(Referral.status).where(Referral.document_id == document_id))


def open_original(session: Session, store: ObjectStore, document_id: uuid.UUID, *,
                  actor: Actor) -> tuple[Document, BinaryIO]:
    """The original's byte stream; each download is audited as a disclosure."""
    document = get_document(session, document_id)
    stream = store.open(document.object_key)
    record_event(session, actor, "document.original.download", object_type="document",
                 object_id=document.id, detail={"channel": "api"})
    session.commit()
    return document, stream


def object_references(session: Session, key: str, *, excluding: Sequence[uuid.UUID] = ()) -> int:
    """How many rows still point at ``key`` (documents and object links), minus ``excluding``."""
    documents = session.scalar(select(func.count()).select_from(Document).where(
        Document.object_key == key, Document.id.not_in(list(excluding)))) or 0
    links = session.scalar(select(func.count()).select_from(DisclosureLink).where(
        DisclosureLink.object_key == key)) or 0
    return int(documents) + int(links)


def delete_document(session: Session, store: ObjectStore, document_id: uuid.UUID, *, actor: Actor) -> None:
    """Delete a document, its referral, runs, jobs and links; the object only when no row needs it.

    The database rows go first and commit; the object is removed afterwards, so a crash in
    between leaves an unreferenced object (harmless, collectable) rather than a row
    pointing at nothing. Counting, committing and removing happen under the key's lock,
    which an upload of the same bytes also holds until its row is committed.
    """
    document = get_document(session, document_id)
    key = document.object_key
    with object_key_lock(_engine(session), key):
        if session.scalar(select(Document.id).where(Document.id == document_id)) is None:
            raise NotFound("No such document")  # a concurrent deletion got there first
        still_used = object_references(session, key, excluding=[document.id]) > 0
        for model in (DisclosureLink, ExtractionRun, Job, Referral):
            session.execute(delete(model).where(model.document_id == document_id))
        session.execute(delete(Document).where(Document.id == document_id))
        session.expunge(document)
        record_event(session, actor, "document.delete", object_type="document", object_id=document_id,
                     detail={"object_deleted": not still_used})
        session.commit()
        if not still_used:
            store.delete(key)


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


@dataclass(frozen=True)
class DocumentSummary:
    document: Document
    status: str | None
    job: Job | None


def describe_document(session: Session, document_id: uuid.UUID) -> DocumentSummary:
    document = get_document(session, document_id)
    return DocumentSummary(document=document, status=referral_status(session, document.id),
                           job=latest_job(session, document.id))
