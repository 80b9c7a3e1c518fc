"""How the service hands a job over: by id to the broker, or, with a password, to a local thread.

A password must never be stored, and a broker stores messages (the embedded SQLite
transport keeps delivered ones on disk). A job that needs a password therefore runs
in a thread of the process that received it; the password lives only in that
thread's memory. Everything else goes to the broker as a bare job id.

If the broker cannot be reached the upload is still acknowledged (the original and
the job row are committed first): the job stays pending until ``mapdocs jobs requeue``
or, on the embedded broker, the worker's next start submits it again.
"""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app
from kombu.exceptions import OperationalError as BrokerUnavailable
from sqlalchemy import update

from service.context import EXTENSION, Services
from service.documents import operations as docs
from service.jobs.celery_app import celery_init_app, settings_of
from service.jobs.tasks import EXTRACT_TASK
from service.models import Job

log = logging.getLogger(__name__)

QUEUE_EXTENSION = "mapdocs.job_queue"
#: ``Job.kind`` of a job run in-process because it carries a password (never re-queued)
PASSWORD_JOB = "extract-password"


class CeleryJobQueue:
    """The service's :class:`~service.documents.operations.JobQueue`."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.celery = celery_init_app(app)
        self.settings = settings_of(app)
        self._pool: ThreadPoolExecutor | None = None
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()

    def submit(self, job_id: uuid.UUID, *, password: str | None = None) -> None:
        if password is not None:
            self._submit_local(job_id, password)
            return
        try:
            self.celery.send_task(EXTRACT_TASK, args=[str(job_id)], queue=self.settings.queue)
        except (BrokerUnavailable, OSError) as exc:
            log.warning("job %s left pending: broker unreachable (%s)", job_id, type(exc).__name__)

    # --- password jobs, in this process ------------------------------------------------------

    def _submit_local(self, job_id: uuid.UUID, password: str) -> None:
        services: Services = self.app.extensions[EXTENSION]
        with services.db.session() as session:
            session.execute(update(Job).where(Job.id == job_id).values(kind=PASSWORD_JOB))
            session.commit()
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mapdocs-password-job")
            future = self._pool.submit(self._run_local, job_id, password)
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _run_local(self, job_id: uuid.UUID, password: str) -> None:
        with self.app.app_context():
            services: Services = self.app.extensions[EXTENSION]
            try:
                with services.db.session() as session:
                    docs.run_extraction_job(session, services.store, services.extraction, job_id,
                                            password=password)
            except Exception as exc:  # noqa: BLE001  (a thread has no caller to raise to)
                log.error("password job %s stopped: %s", job_id, type(exc).__name__)
                with services.db.session() as session:
                    docs.fail_job(session, job_id, "extraction-failed", "The job stopped unexpectedly")

    def wait_local(self, timeout: float | None = None) -> bool:
        """Wait for this process's password jobs; False if some are still running at ``timeout``."""
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            try:
                future.result(timeout=timeout)
            except TimeoutError:
                return False
        return True


def job_queue(app: Flask | None = None) -> CeleryJobQueue:
    """The job queue of ``app`` (default: the current app), created once."""
    if app is None:
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # werkzeug proxy
    queue: CeleryJobQueue | None = app.extensions.get(QUEUE_EXTENSION)
    if queue is None:
        queue = app.extensions[QUEUE_EXTENSION] = CeleryJobQueue(app)
    return queue


def requeue_unfinished(app: Flask) -> int:
    """Submit every unfinished broker job again; the tasks' idempotency absorbs duplicates."""
    services: Services = app.extensions[EXTENSION]
    queue = job_queue(app)
    with services.db.session() as session:
        ids = [job_id for job_id in docs.unfinished_jobs(session)
               if (job := session.get(Job, job_id)) is not None and job.kind != PASSWORD_JOB]
    for job_id in ids:
        queue.submit(job_id)
    return len(ids)


def fail_orphaned_password_jobs(app: Flask) -> int:
    """At start-up of the only web process: password jobs left unfinished lost their password."""
    from extractors.errors import EncryptedDocument

    services: Services = app.extensions[EXTENSION]
    with services.db.session() as session:
        ids = [job_id for job_id in docs.unfinished_jobs(session)
               if (job := session.get(Job, job_id)) is not None and job.kind == PASSWORD_JOB]
        for job_id in ids:
            docs.fail_job(session, job_id, EncryptedDocument.slug,
                          "The service restarted before the job ran; send the password again")
    return len(ids)
