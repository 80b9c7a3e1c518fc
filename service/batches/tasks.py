"""The Celery task that runs a batch by id, with the extraction tasks' reliability rules.

Declared like every mapdocs task (:func:`service.jobs.tasks.task_options`): acknowledged
after it ends (``acks_late``), given back when its worker dies, bounded by the soft and
hard time limits. The database or object store being away is retried with backoff; what
retrying cannot fix (the meeting deleted, a document LibreOffice cannot convert, the mail
server refusing) ends the batch as failed with a stable slug. A message that comes back
because it keeps killing its worker is given up after
:data:`~service.jobs.tasks.MAX_DELIVERIES` runs of the same retry. A message delivered
while another run still holds the batch's lease (the hard time limit) is retried once
that lease has run out, so a batch never runs twice at once.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from celery import Celery, Task
from celery.exceptions import Retry
from flask import current_app

from service.batches.errors import known_failure
from service.batches.letters import BatchTools, run_batch
from service.batches.operations import BatchBusy, claim_batch, fail_batch, progress_recorder, succeed_batch
from service.context import services
from service.errors import ServiceError
from service.jobs.settings import JobSettings
from service.jobs.tasks import MAX_DELIVERIES, TRANSIENT, retry_transient, task_options
from service.mail import SmtpSender, mail_settings

log = logging.getLogger(__name__)

BATCH_TASK = "mapdocs.batch"
#: seconds a run holds its batch when the task has no time limit of its own
DEFAULT_LEASE = 3600

UNAVAILABLE = ("service-unavailable",
               "The database or object store stayed unreachable; run the batch again later")
GAVE_UP = ("batch-gave-up", "The batch stopped its worker repeatedly (time or memory limit)")
UNEXPECTED = ("batch-failed", "The batch stopped unexpectedly; the error has been logged")


def register_batch_tasks(celery: Celery, settings: JobSettings) -> None:
    celery.task(name=BATCH_TASK, **task_options(settings))(run_batch_task)


def run_batch_task(task: Task, batch_id: str) -> str:
    """Run one batch; a duplicate message of a finished batch leaves it as it is."""
    ident = uuid.UUID(batch_id)
    svc = services()
    lease = batch_lease(task)
    with batch_guard(task, ident), svc.db.session() as session:
        try:
            batch = claim_batch(session, ident, lease_seconds=lease)
        except BatchBusy:  # a live run may hold it: look again once its lease has run out
            log.info("batch %s: held by another run; retrying after its lease", ident)
            raise task.retry(countdown=lease + 1) from None
        if batch is None:
            return "skipped"  # finished already, or the meeting (and so the batch) was deleted
        if batch.attempts - (task.request.retries or 0) > MAX_DELIVERIES:
            log.warning("batch %s: delivered %d times without finishing; given up", ident, MAX_DELIVERIES)
            fail_batch(session, ident, *GAVE_UP)
            return "given-up"
        result = run_batch(session, batch, configured_tools(), progress_recorder(svc.db.session, ident))
        succeed_batch(session, ident, result)
        return "succeeded"
    return "failed"


def batch_lease(task: Task) -> int:
    """The batch lease: the task's hard time limit, past which no worker still runs it."""
    limit = task.time_limit or task.app.conf.task_time_limit
    return int(limit) if limit else DEFAULT_LEASE


def configured_tools() -> BatchTools:
    """The converter and mail sender as the running app is configured (the task runs in its context)."""
    from service.packs.operations import converter_or_none

    config = current_app.config
    return BatchTools(store=services().store, converter=lambda: converter_or_none(config),
                      sender=lambda: SmtpSender(mail_settings(config)))


class batch_guard:  # noqa: N801  (used as a statement: ``with batch_guard(task, batch_id):``)
    """Turn what goes wrong in a batch into a retry or a failed batch, never one left "running"."""

    def __init__(self, task: Task, batch_id: uuid.UUID) -> None:
        self.task = task
        self.batch_id = batch_id

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _tb: Any) -> bool:
        if exc is None or isinstance(exc, Retry):  # a retry asked for inside the block goes to Celery
            return False
        if isinstance(exc, TRANSIENT):
            return retry_transient(self.task, exc, f"batch {self.batch_id}",
                                   give_up=lambda: _fail(self.batch_id, *UNAVAILABLE))
        if isinstance(exc, ServiceError):
            log.info("batch %s: failed (%s)", self.batch_id, exc.slug)
            _fail(self.batch_id, exc.slug, exc.detail)
            return True
        known = known_failure(exc)
        if known is not None:
            log.warning("batch %s: failed (%s)", self.batch_id, type(exc).__name__)
            _fail(self.batch_id, *known)
            return True
        log.error("batch %s: unexpected %s", self.batch_id, type(exc).__name__)
        _fail(self.batch_id, *UNEXPECTED)
        return False


def _fail(batch_id: uuid.UUID, slug: str, detail: str) -> None:
    try:
        with services().db.session() as session:
            fail_batch(session, batch_id, slug, detail)
    except TRANSIENT as exc:  # the database itself is away: the batch stays unfinished, requeued later
        log.warning("batch %s: could not be marked failed (%s)", batch_id, type(exc).__name__)
