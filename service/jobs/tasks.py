"""The Celery tasks. Each takes a job id, is idempotent and calls the same operations as the views.

Reliability, declared on every task: the message is acknowledged only after the task
ends (``acks_late``) and is given back to the broker when the worker process dies
(``reject_on_worker_lost``); soft and hard time limits bound each run; only transient
failures (database or object store unreachable) are retried, with exponential backoff,
and a job whose retries are spent ends as failed instead of staying "running".
A message that keeps killing its worker (hard time limit, memory) would come back for
ever under ``reject_on_worker_lost``; each delivery is therefore counted
(:func:`first_deliveries`) and the job fails after :data:`MAX_DELIVERIES`.
A message delivered twice does no harm: a finished job is left as it is, and of two
racing deliveries only one records a run (:func:`service.documents.operations.finish_job`).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable
from typing import Any

from billiard.exceptions import SoftTimeLimitExceeded
from celery import Celery, Task
from sqlalchemy.exc import InterfaceError, OperationalError

from extractors.errors import ExtractionError, ExtractionTimeout, ResourceLimitExceeded
from service.context import services
from service.documents import operations as docs
from service.errors import NotFound
from service.jobs.settings import JobSettings
from service.jobs.time_limit import JobTimeLimitExceeded, soft_limit_as_extraction_timeout
from service.models import Job
from storage import ObjectStore
from storage.base import StorageError, StorageUnavailable

log = logging.getLogger(__name__)

EXTRACT_TASK = "mapdocs.extract"
#: failures worth trying again later: the service's own dependencies being away
TRANSIENT: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, StorageUnavailable,
                                               ConnectionError, TimeoutError)
MAX_RETRIES = 5
#: deliveries of one task (same retry) before the job is given up: it keeps killing its worker
MAX_DELIVERIES = 3
JOBS_NAMESPACE = "jobs"
#: seconds before retry n: 2, 4, 8, 16, 32 (capped)
BACKOFF_CAP = 60

UNAVAILABLE = ("service-unavailable", "The database or object store stayed unreachable; extract again later")
ORIGINAL_UNREADABLE = ("original-unavailable", "The stored original could not be read; upload it again")


def task_options(settings: JobSettings) -> dict[str, Any]:
    return {"bind": True, "acks_late": True, "reject_on_worker_lost": True, "ignore_result": True,
            "soft_time_limit": settings.soft_time_limit, "time_limit": settings.time_limit,
            "max_retries": MAX_RETRIES}


def register_tasks(celery: Celery, settings: JobSettings) -> None:
    """Register the tasks on ``celery`` by name (an explicit registry, no import-time app)."""
    from service.batches.tasks import register_batch_tasks
    from service.jobs import pages

    celery.task(name=EXTRACT_TASK, **task_options(settings))(extract_document)
    pages.register_page_tasks(celery, settings)
    register_batch_tasks(celery, settings)


def extract_document(task: Task, job_id: str) -> str:
    """Run one extraction job; a scanned multi-page document fans out into page tasks instead."""
    from service.jobs import pages

    ident = uuid.UUID(job_id)
    svc = services()
    with guarded(task, ident), svc.db.session() as session:
        job = session.get(Job, ident)
        if job is None or job.finished_at is not None:
            return "skipped"  # a duplicate of a finished job, or a deleted one
        if not first_deliveries(task, svc.store, ident, "extract"):
            return "given-up"
        if pages.fan_out(task.app, session, svc.store, svc.extraction, ident):
            return "fanned-out"
        state = str(docs.run_extraction_job(session, svc.store, svc.extraction, ident).state)
        clean_up(svc.store, ident)
        return state
    return "failed"


def job_prefix(job_id: uuid.UUID) -> str:
    """Where a job keeps its working objects (page words, delivery marks) in the object store."""
    return f"{JOBS_NAMESPACE}/{job_id.hex}/"


def first_deliveries(task: Task, store: ObjectStore, job_id: uuid.UUID, step: str) -> bool:
    """Count this delivery of ``step``; False, with the job failed, once it came :data:`MAX_DELIVERIES` times.

    A retry or a second submission is a new message (its own count); only the same
    message coming back — its worker died before acknowledging it — adds up.
    """
    prefix = f"{job_prefix(job_id)}deliveries/{step}-{task.request.id}-r{task.request.retries or 0}/"
    if sum(1 for _ in store.list(prefix)) >= MAX_DELIVERIES:
        log.warning("job %s: %s delivered %d times without finishing; given up", job_id, step, MAX_DELIVERIES)
        _fail(job_id, ResourceLimitExceeded.slug,
              "Reading the document stopped its worker repeatedly (time or memory limit)")
        clean_up(store, job_id)
        return False
    store.put(prefix + uuid.uuid4().hex, b"1", content_type="text/plain")
    return True


def clean_up(store: ObjectStore, job_id: uuid.UUID) -> None:
    for key in list(store.list(job_prefix(job_id))):
        store.delete(key)


def retry_transient(task: Task, exc: BaseException, what: str, *, give_up: Callable[[], None]) -> bool:
    """Retry ``task`` after a transient failure, backing off; after ``MAX_RETRIES``, ``give_up()``.

    Raises Celery's ``Retry`` while retries are left; True (the exception handled) once
    given up. ``what`` names the job or batch in the log (ids only, never personal data).
    """
    retries = task.request.retries or 0
    if retries >= MAX_RETRIES:
        log.warning("%s: dependency still unavailable after %d retries", what, retries)
        give_up()
        return True
    log.info("%s: %s, retry %d", what, type(exc).__name__, retries + 1)
    raise task.retry(exc=exc, countdown=min(2 ** (retries + 1), BACKOFF_CAP)) from None


class guarded:  # noqa: N801  (used as a statement: ``with guarded(task, job_id):``)
    """Turn what goes wrong around a job into a retry or a failed job, never a stuck "running" one.

    Transient errors are retried with backoff (raising Celery's ``Retry``); a job or
    document deleted meanwhile ends the task quietly; an unreadable original, the soft
    time limit (``extraction-timeout``, see :mod:`service.jobs.time_limit`, in force
    inside the block) or a page the reader refuses ends the job as failed with that
    error. Other exceptions propagate (Celery logs them) after the job is marked failed.
    """

    def __init__(self, task: Task, job_id: uuid.UUID) -> None:
        self.task = task
        self.job_id = job_id
        self._limit = contextlib.ExitStack()

    def __enter__(self) -> None:
        self._limit.enter_context(soft_limit_as_extraction_timeout())

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _tb: Any) -> bool:
        self._limit.close()
        if exc is None:
            return False
        if isinstance(exc, TRANSIENT):
            return retry_transient(self.task, exc, f"job {self.job_id}",
                                   give_up=lambda: _fail(self.job_id, *UNAVAILABLE))
        if isinstance(exc, NotFound):
            log.info("job %s: job or document no longer exists", self.job_id)
            return True
        if isinstance(exc, StorageError):
            log.warning("job %s: original unreadable (%s)", self.job_id, type(exc).__name__)
            _fail(self.job_id, *ORIGINAL_UNREADABLE)
            return True
        if isinstance(exc, SoftTimeLimitExceeded):
            log.warning("job %s: stopped at the soft time limit", self.job_id)
            _fail(self.job_id, ExtractionTimeout.slug, JobTimeLimitExceeded.title)
            return True
        if isinstance(exc, ExtractionError):  # a page task's page: a corrupt frame, an OCR failure
            log.info("job %s: %s", self.job_id, exc.slug)
            _fail(self.job_id, exc.slug, exc.detail)
            return True
        if isinstance(exc, (MemoryError, RecursionError)):
            log.warning("job %s: %s", self.job_id, type(exc).__name__)
            _fail(self.job_id, ResourceLimitExceeded.slug, ResourceLimitExceeded.title)
            return True
        log.error("job %s: unexpected %s", self.job_id, type(exc).__name__)
        _fail(self.job_id, "extraction-failed", "The job stopped unexpectedly")
        return False


def _fail(job_id: uuid.UUID, slug: str, detail: str) -> None:
    try:
        with services().db.session() as session:
            docs.fail_job(session, job_id, slug, detail)
    except TRANSIENT as exc:  # the database itself is away: the job stays unfinished, recovered later
        log.warning("job %s: could not be marked failed (%s)", job_id, type(exc).__name__)
