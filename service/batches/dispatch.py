"""Handing a batch to the job queue: its id to the broker, as ``CeleryJobQueue`` does for extraction.

With the embedded default the message goes to the SQLite broker the managed worker
consumes (the tests consume it in-process with ``run_queued``); with Redis or RabbitMQ to
the production workers. If the broker cannot be reached the request still succeeds (the
batch row is committed first): the batch stays pending until it is submitted again
(:func:`requeue_unfinished_batches`).
"""

from __future__ import annotations

import logging
import uuid

from flask import Flask
from kombu.exceptions import OperationalError as BrokerUnavailable

from service.batches.operations import unfinished_batches
from service.batches.tasks import BATCH_TASK
from service.context import EXTENSION, Services
from service.jobs.celery_app import celery_init_app, settings_of

log = logging.getLogger(__name__)


def submit_batch(app: Flask, batch_id: uuid.UUID) -> bool:
    """Send the batch's id to the queue; False (the batch left pending) when the broker is away."""
    try:
        celery_init_app(app).send_task(BATCH_TASK, args=[str(batch_id)], queue=settings_of(app).queue)
    except (BrokerUnavailable, OSError) as exc:
        log.warning("batch %s left pending: broker unreachable (%s)", batch_id, type(exc).__name__)
        return False
    return True


def requeue_unfinished_batches(app: Flask, *, include_running: bool) -> int:
    """Submit unfinished batches again; how many were submitted.

    ``include_running`` only when no worker can be running a batch (the embedded
    worker's start): a duplicate of a batch still running would run it twice at once.
    ``mapdocs jobs requeue`` after a broker outage submits the pending ones only.
    """
    services: Services = app.extensions[EXTENSION]
    with services.db.session() as session:
        ids = unfinished_batches(session, include_running=include_running)
    return sum(1 for batch_id in ids if submit_batch(app, batch_id))
