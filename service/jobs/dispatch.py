"""How the service hands a job over: by id to the broker, or, with a password, to a local thread.

A password must never be stored, and a broker stores messages (the embedded SQLite
transport keeps delivered ones on disk). A job that needs a password therefore runs
in a thread of the process that received it; the password lives only in that
thread's memory. Everything else goes to the broker as a bare job id.

Handing over is asynchronous: :meth:`CeleryJobQueue.submit` puts the job id on an
in-process queue that one daemon thread publishes, so an upload never waits on the
broker (the embedded SQLite broker, shared with the worker's polling, sometimes took
hundreds of milliseconds to take a message). This loses nothing: the job row is
committed as pending before the upload is acknowledged. If the broker cannot be
reached, or the process stops before the thread published, the job stays pending until
``mapdocs jobs requeue`` or, on the embedded broker, the worker's next start submits it
again. A clean stop (``mapdocs serve`` exiting, the CLI finishing) waits for the thread.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
import uuid
import weakref
from collections.abc import Callable
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


#: seconds a hand-off thread waits for more work before it ends (the next submit starts another)
IDLE_SECONDS = 5.0
_LIVE: weakref.WeakSet[BrokerHandOff] = weakref.WeakSet()


@atexit.register
def _flush_all() -> None:
    """At interpreter exit, hand over what was submitted (a CLI run, a stopping server)."""
    for handoff in list(_LIVE):
        handoff.flush(30.0)


class BrokerHandOff:
    """A daemon thread that publishes job ids in the order they were submitted.

    ``flush`` waits until every id submitted so far has been published (or given up on).
    The thread ends after :data:`IDLE_SECONDS` without work and holds nothing meanwhile,
    so an application that is no longer used can be collected with its queue.
    """

    def __init__(self, publish: Callable[[uuid.UUID], None], *, name: str = "mapdocs-broker-handoff") -> None:
        self._publish = publish
        self._name = name
        self._queue: queue.SimpleQueue[uuid.UUID] = queue.SimpleQueue()
        self._unfinished = 0
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None
        _LIVE.add(self)

    def submit(self, job_id: uuid.UUID) -> None:
        with self._idle:
            self._unfinished += 1
            self._queue.put(job_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def flush(self, timeout: float | None = None) -> bool:
        """True once everything submitted so far is handed over; False if ``timeout`` ran out first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while self._unfinished:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def _run(self) -> None:
        while True:
            try:
                job_id = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._idle:  # submit() starts a new thread under this lock when none runs
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            try:
                self._publish(job_id)
            except Exception as exc:  # noqa: BLE001  (a thread has no caller; the job stays pending)
                log.warning("job %s left pending: hand-off failed (%s)", job_id, type(exc).__name__)
            finally:
                with self._idle:
                    self._unfinished -= 1
                    self._idle.notify_all()


class CeleryJobQueue:
    """The service's :class:`~service.documents.operations.JobQueue`."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.celery = celery_init_app(app)
        self.settings = settings_of(app)
        self._pool: ThreadPoolExecutor | None = None
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()
        self._handoff: BrokerHandOff | None = None

    def submit(self, job_id: uuid.UUID, *, password: str | None = None) -> None:
        if password is not None:
            self._submit_local(job_id, password)
            return
        with self._lock:
            if self._handoff is None:
                self._handoff = BrokerHandOff(self._publish)
        self._handoff.submit(job_id)

    def _publish(self, job_id: uuid.UUID) -> None:
        try:
            self.celery.send_task(EXTRACT_TASK, args=[str(job_id)], queue=self.settings.queue)
        except (BrokerUnavailable, OSError) as exc:
            log.warning("job %s left pending: broker unreachable (%s)", job_id, type(exc).__name__)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every job id submitted by this process is on the broker (or given up on)."""
        handoff = self._handoff
        return True if handoff is None else handoff.flush(timeout)

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
        """Wait for this process's hand-offs and password jobs; False if some still run at ``timeout``."""
        if not self.flush(timeout):
            return False
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
