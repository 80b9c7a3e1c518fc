"""A real ``mapdocs worker`` process runs a letters batch from each broker: embedded SQLite, Redis, RabbitMQ.

Brokers, queues and worker processes come from ``test_jobs_brokers.py`` (skipped with the
reason shown when Redis or RabbitMQ is down, a failure under ``MAPDOCS_REQUIRE_BROKERS=1``).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.context import EXTENSION
from service.models import LetterDocument
from tests.service.decision_seed import record, seeded, sound_input
from tests.service.test_jobs_brokers import JOB_DEADLINE, VISIBILITY, Broker, Workers, broker, workers

__all__ = ["broker", "workers"]

pytestmark = [pytest.mark.broker, pytest.mark.slow]


@pytest.fixture
def app_config(app_config: dict[str, Any], broker: Broker) -> dict[str, Any]:
    """This test's broker and queue; Word documents only, so the worker needs no LibreOffice."""
    return {**app_config, "BROKER_URL": broker.url, "JOB_QUEUE": broker.queue,
            "BROKER_VISIBILITY_TIMEOUT": VISIBILITY, "PACKS_AGENDA": "plain"}


def test_a_worker_process_builds_a_meetings_letters(broker: Broker, app: Flask, client: FlaskClient,
                                                    auth: Any, workers: Workers) -> None:
    worker = workers.plain()
    meeting = seeded(app, "one", "two")
    for label in ("one", "two"):
        record(app, meeting.case_id(label), sound_input(meeting.date))
    headers = auth("administrator")
    started = client.post(f"/api/v1/meetings/{meeting.meeting_id}/letters", headers=headers)
    assert started.status_code == 202, started.get_data(as_text=True)[:300]

    deadline = time.monotonic() + JOB_DEADLINE
    while True:
        batch = client.get(started.headers["Location"], headers=headers).get_json()
        if batch["state"] in ("succeeded", "failed"):
            break
        assert worker.poll() is None, "worker exited\n" + workers.logs_text()
        assert time.monotonic() < deadline, f"batch still {batch['state']}\n" + workers.logs_text()
        time.sleep(0.3)
    assert batch["state"] == "succeeded", (batch["error"], workers.logs_text())
    assert batch["done"] == batch["total"] == 2
    with app.extensions[EXTENSION].db.session() as session:
        stored = session.scalar(select(func.count()).select_from(LetterDocument).where(
            LetterDocument.meeting_id == uuid.UUID(batch["meeting_id"])))
    assert stored == len(batch["result"]["documents"]) > 0
