"""Uploads hand their job to the broker from a background thread, so a slow or absent
broker never holds an upload's answer, and an acknowledged upload is never lost: its job
row is committed first, and ``mapdocs jobs requeue`` hands it over once a broker answers.
"""

from __future__ import annotations

import socket
import threading
import uuid
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from service.cli import cli
from service.context import EXTENSION
from service.jobs import dispatch
from service.jobs.dispatch import BrokerHandOff, job_queue
from service.jobs.worker import broker_reachable, run_queued
from service.models import Job
from tests.service.svc_helpers import make_pdf, upload
from tests.service.test_jobs_brokers import REDIS_URL, _unavailable


def test_ids_are_published_in_order_and_flush_waits_for_them() -> None:
    published: list[uuid.UUID] = []
    gate = threading.Event()

    def publish(job_id: uuid.UUID) -> None:
        gate.wait(10)
        published.append(job_id)

    handoff = BrokerHandOff(publish)
    ids = [uuid.uuid4() for _ in range(5)]
    for job_id in ids:
        handoff.submit(job_id)
    assert not handoff.flush(timeout=0.2)  # the publisher is held: nothing is handed over yet
    gate.set()
    assert handoff.flush(timeout=10)
    assert published == ids


def test_a_failing_publish_is_given_up_without_blocking_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dispatch, "IDLE_SECONDS", 0.05)
    published: list[uuid.UUID] = []
    first, second = uuid.uuid4(), uuid.uuid4()

    def publish(job_id: uuid.UUID) -> None:
        if job_id == first:
            raise ConnectionError("broker away")
        published.append(job_id)

    handoff = BrokerHandOff(publish)
    handoff.submit(first)
    handoff.submit(second)
    assert handoff.flush(timeout=10)
    assert published == [second]
    thread = handoff._thread
    if thread is not None:
        thread.join(5)  # an idle hand-off thread ends, holding nothing
    assert handoff._thread is None
    third = uuid.uuid4()
    handoff.submit(third)  # and the next submit starts another
    assert handoff.flush(timeout=10) and published[-1] == third


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """A Redis broker that is not there (nothing listens on the port)."""
    return {**app_config, "BROKER_URL": f"redis://127.0.0.1:{_closed_port()}/0",
            "JOB_QUEUE": f"mapdocs-test-{uuid.uuid4().hex[:12]}"}


@pytest.mark.db
@pytest.mark.broker
def test_an_upload_made_while_the_broker_is_away_is_extracted_after_requeue(
        app: Flask, client: FlaskClient, auth: Any, app_config: dict[str, Any],
        cli_env: dict[str, str]) -> None:
    if not broker_reachable(REDIS_URL):
        _unavailable("redis", REDIS_URL)
    response = upload(client, auth("triage"), make_pdf("broker-away"), finish=False)
    assert response.status_code == 201  # acknowledged: the original and the pending job are committed
    job_id = uuid.UUID(response.get_json()["job"]["id"])
    assert job_queue(app).flush(timeout=60)  # the hand-off gave up on the absent broker

    from service import create_app

    back = create_app({**app_config, "BROKER_URL": REDIS_URL})  # the broker is back
    try:
        env = {**cli_env, "MAPDOCS_BROKER_URL": REDIS_URL}
        result = CliRunner(env=env).invoke(cli, ["jobs", "requeue"])
        assert result.exit_code == 0, result.output
        assert "submitted 1 unfinished job(s)" in result.stderr
        assert run_queued(back) == 1
        with back.extensions[EXTENSION].db.session() as session:
            job = session.get(Job, job_id)
            assert job is not None and job.finished_at is not None
    finally:
        run_queued(back)
        back.extensions[EXTENSION].db.dispose()
