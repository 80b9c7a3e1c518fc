"""What a letters batch does: the operations ``mapdocs letters build`` / ``send`` call, in their shapes.

Running a batch again is harmless, which is what lets a worker that died be replaced
by another delivery of the same message: building first removes the meeting's letters
that have not gone out (``build_meeting_letters``), and sending skips every letter whose
``sent_at`` is set. The configuration-bound pieces (converter, mail sender) come in as
:class:`BatchTools`, built by the caller, so nothing here reads the app config.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from renderers.convert import DocxToPdfConverter
from service.audit.operations import Actor
from service.errors import ServiceError
from service.letters import delivery
from service.letters.operations import BuildReport, build_meeting_letters
from service.mail import SmtpSender
from service.models import BatchJob, BatchKind
from storage import ObjectStore

Progress = Callable[[int, int], None]


class UnknownBatchKind(ServiceError):
    slug = "unknown-batch-kind"
    status = 500
    title = "This service does not know how to run this kind of batch"


class MissingBaseUrl(ServiceError):
    slug = "missing-base-url"
    status = 500
    title = "The batch has no public base URL for its links; send the letters again"


@dataclass(frozen=True)
class BatchTools:
    """The configured services a batch may need; each made only when its kind needs it."""

    store: ObjectStore
    converter: Callable[[], AbstractContextManager[DocxToPdfConverter | None]]
    sender: Callable[[], SmtpSender]


def build_result(report: BuildReport) -> dict[str, Any]:
    """The API's build result: the CLI's ``manifest.json`` plus the cases left without a family letter."""
    return {**report.manifest(), "skipped": dict(report.skipped)}


def batch_actor(batch: BatchJob) -> Actor:
    """Who the audit trail names for what the batch does: the user who asked for it."""
    return Actor("user", batch.created_by) if batch.created_by is not None else Actor.system()


def run_batch(session: Session, batch: BatchJob, tools: BatchTools, progress: Progress) -> dict[str, Any]:
    """Do the batch's work from the start and return its result (manifest or send report)."""
    if batch.kind == BatchKind.LETTERS_BUILD:
        with tools.converter() as converter:
            report = build_meeting_letters(session, tools.store, batch.meeting_id, converter=converter,
                                           progress=progress)
        return build_result(report)
    if batch.kind == BatchKind.LETTERS_SEND:
        base_url = str((batch.params or {}).get("base_url") or "")
        if not base_url:
            raise MissingBaseUrl()
        sent = delivery.send_meeting_letters(session, batch.meeting_id, sender=tools.sender(),
                                             base_url=base_url, actor=batch_actor(batch), progress=progress)
        return sent.as_dict(batch.meeting_id)
    raise UnknownBatchKind()
