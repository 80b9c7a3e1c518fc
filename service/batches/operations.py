"""The life of a batch row: created (audited) → claimed by a worker → progress → succeeded or failed.

Every step commits on its own, so what a reader polls is always what the worker last
recorded. A finished batch is never changed again: a message delivered twice, or a
late failure report, finds ``finished_at`` set and leaves the row as it is.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from service.audit.operations import Actor, record_event
from service.db import utcnow
from service.errors import NotFound
from service.models import BatchJob, BatchKind, JobState, Meeting

Progress = Callable[[int, int], None]


def create_batch(session: Session, kind: BatchKind, meeting_id: uuid.UUID, *, actor: Actor,
                 params: dict[str, Any] | None = None) -> BatchJob:
    """Record a pending batch for an existing meeting, audited in the same transaction; commits."""
    if session.get(Meeting, meeting_id) is None:
        raise NotFound("No meeting with this id")
    batch = BatchJob(id=uuid.uuid4(), kind=str(kind), meeting_id=meeting_id, state=JobState.PENDING, done=0,
                     params=dict(params or {}), attempts=0,
                     created_by=actor.id if actor.kind == "user" else None)
    session.add(batch)
    record_event(session, actor, "batch.created", object_type="batch", object_id=batch.id,
                 detail={"kind": str(kind), "meeting_id": str(meeting_id)})
    session.commit()
    return batch


def get_batch(session: Session, batch_id: uuid.UUID) -> BatchJob:
    batch = session.get(BatchJob, batch_id)
    if batch is None:
        raise NotFound("No batch with this id")
    return batch


class BatchBusy(Exception):
    """Another run holds the batch's lease: it may still be working (a duplicate delivery)."""


def claim_batch(session: Session, batch_id: uuid.UUID, *, lease_seconds: int,
                now: dt.datetime | None = None) -> BatchJob | None:
    """Mark the batch running for this run (counting the attempt); None when it is gone or finished.

    A run holds the batch for ``lease_seconds`` (the task's hard time limit, after which
    no worker can still be running it). A batch found running within its lease may be
    in the hands of a live worker, whose message came a second time (a Redis visibility
    timeout, a lost connection): :class:`BatchBusy`, so the caller retries after the
    lease rather than building or sending the letters twice at once. A batch found
    running past its lease was started by a worker that died: it is run again from the
    start, which the letter operations make harmless. ``started_at`` is when the latest
    run started.
    """
    now = now or utcnow()
    stale = now - dt.timedelta(seconds=lease_seconds)
    claimable = or_(BatchJob.state == JobState.PENDING, BatchJob.started_at.is_(None),
                    BatchJob.started_at < stale)
    claimed = session.execute(
        update(BatchJob).where(BatchJob.id == batch_id, BatchJob.finished_at.is_(None), claimable)
        .values(state=JobState.RUNNING, done=0, attempts=BatchJob.attempts + 1, started_at=now)
        .execution_options(synchronize_session=False))
    session.commit()
    batch = session.get(BatchJob, batch_id)
    if batch is not None:
        session.refresh(batch)
    if getattr(claimed, "rowcount", 0) == 1:
        return batch
    if batch is not None and batch.finished_at is None:
        raise BatchBusy(str(batch_id))
    return None


def progress_recorder(open_session: Callable[[], Session], batch_id: uuid.UUID) -> Progress:
    """A ``progress(done, total)`` callback that records each step in its own short transaction.

    Its own session keeps the progress independent of the work's transaction: a reader
    sees it at once, and a rollback of the work does not undo it.
    """

    def record(done: int, total: int) -> None:
        with open_session() as session:
            session.execute(update(BatchJob).where(BatchJob.id == batch_id, BatchJob.finished_at.is_(None))
                            .values(done=done, total=total).execution_options(synchronize_session=False))
            session.commit()

    return record


def succeed_batch(session: Session, batch_id: uuid.UUID, result: dict[str, Any]) -> None:
    """Record the result; ``total`` becomes ``done`` where no step was ever counted (nothing to do)."""
    session.execute(update(BatchJob).where(BatchJob.id == batch_id, BatchJob.finished_at.is_(None)).values(
        state=JobState.SUCCEEDED, result=result, finished_at=utcnow(),
        total=func.coalesce(BatchJob.total, BatchJob.done)).execution_options(synchronize_session=False))
    session.commit()


def fail_batch(session: Session, batch_id: uuid.UUID, slug: str, detail: str) -> None:
    """End an unfinished batch as failed with a stable slug and a message without personal data."""
    session.rollback()  # whatever the failed work left half-done in this session is not committed
    session.execute(update(BatchJob).where(BatchJob.id == batch_id, BatchJob.finished_at.is_(None)).values(
        state=JobState.FAILED, error=slug, error_detail=detail, finished_at=utcnow())
        .execution_options(synchronize_session=False))
    session.commit()


def unfinished_batches(session: Session, *, include_running: bool = True) -> list[uuid.UUID]:
    """Ids of batches not yet finished (pending, and running unless told not to), oldest first."""
    query = select(BatchJob.id).where(BatchJob.finished_at.is_(None))
    if not include_running:
        query = query.where(BatchJob.state == JobState.PENDING)
    return list(session.scalars(query.order_by(BatchJob.created_at)))
