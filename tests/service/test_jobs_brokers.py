"""Real worker processes on each broker: the embedded SQLite transport, Redis and RabbitMQ.

Each test gets its own queue name (and, on Redis, key prefix), so parallel runs never
share messages; Redis keys and RabbitMQ queues are removed afterwards. When Redis or
RabbitMQ cannot be reached, their runs are skipped with the reason shown, unless
``MAPDOCS_REQUIRE_BROKERS=1`` (set by ``.ci/run``), which makes that a failure.
Addresses: ``MAPDOCS_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``) and
``MAPDOCS_TEST_AMQP_URL`` (default ``amqp://guest:guest@127.0.0.1:5672//``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.context import EXTENSION
from service.jobs.worker import broker_reachable
from service.models import ExtractionRun, Referral
from tests.service.cli_run import REPO, mapdocs_argv
from tests.service.svc_helpers import child_env, make_pdf, upload

pytestmark = [pytest.mark.broker, pytest.mark.slow]

REDIS_URL = os.environ.get("MAPDOCS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
AMQP_URL = os.environ.get("MAPDOCS_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
#: generous: a loaded 2-core machine, and extraction of a page may take several seconds
JOB_DEADLINE = 300.0
#: how long Redis hides a taken message before another worker may have it (the test kills one)
VISIBILITY = 15

#: a worker that takes one task and then hangs inside it, so the test can kill it mid-task
STALLING_WORKER = """
import pathlib, sys, time
from celery.signals import task_prerun
marker = pathlib.Path(sys.argv[1])

@task_prerun.connect
def _stall(**_kwargs):
    marker.write_text("started")
    time.sleep(3600)

from service.cli import main
main(["worker", "--concurrency", "1", "--loglevel", "INFO"])
"""


@dataclass(frozen=True)
class Broker:
    kind: str
    url: str
    queue: str


def _unavailable(kind: str, url: str) -> None:
    where = url.split("@")[-1]
    message = f"{kind} not reachable at {where}; {kind} runs of broker tests skipped"
    if os.environ.get("MAPDOCS_REQUIRE_BROKERS") == "1":
        pytest.fail(message + " but MAPDOCS_REQUIRE_BROKERS=1", pytrace=False)
    pytest.skip(message)


@pytest.fixture(params=["embedded", "redis", "rabbitmq"])
def broker(request: pytest.FixtureRequest) -> Iterator[Broker]:
    kind = request.param
    queue = f"mapdocs-test-{uuid.uuid4().hex[:12]}"
    url = {"embedded": "", "redis": REDIS_URL, "rabbitmq": AMQP_URL}[kind]
    if url and not broker_reachable(url):
        _unavailable(kind, url)
    yield Broker(kind, url, queue)
    _clean_up(Broker(kind, url, queue))


def _clean_up(broker: Broker) -> None:
    if broker.kind == "redis":
        import redis

        client = redis.Redis.from_url(broker.url)
        try:
            for key in client.scan_iter(match=f"{broker.queue}:*"):
                client.delete(key)
        finally:
            client.close()
    elif broker.kind == "rabbitmq":
        from kombu import Connection

        with Connection(broker.url, connect_timeout=5) as conn:
            channel = conn.channel()
            with contextlib.suppress(Exception):
                channel.queue_delete(broker.queue)
            with contextlib.suppress(Exception):
                channel.exchange_delete(broker.queue)


@pytest.fixture
def app_config(app_config: dict[str, Any], broker: Broker) -> dict[str, Any]:
    """The shared test configuration, on this test's broker and queue."""
    return {**app_config, "BROKER_URL": broker.url, "JOB_QUEUE": broker.queue,
            "BROKER_VISIBILITY_TIMEOUT": VISIBILITY}


class Workers:
    """Worker subprocesses of one test, each in its own process group; all stopped at the end."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = child_env(**env)
        self.logs = logs
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, argv: list[str]) -> subprocess.Popen[bytes]:
        log_path = self.logs / f"worker-{len(self.started)}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(argv, cwd=REPO, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.started.append((process, log_path))
        return process

    def plain(self) -> subprocess.Popen[bytes]:
        return self.start([*mapdocs_argv(), "worker", "--concurrency", "1"])

    def stalling(self, marker: Path) -> subprocess.Popen[bytes]:
        return self.start([sys.executable, "-c", STALLING_WORKER, str(marker)])

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def logs_text(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
                         for _process, path in self.started)

    def stop_all(self) -> None:
        for process, _path in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, _path in self.started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill(process)
            with contextlib.suppress(ProcessLookupError):  # pool processes left behind
                os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def workers(cli_env: dict[str, str], tmp_path: Path) -> Iterator[Workers]:
    group = Workers(cli_env, tmp_path)
    try:
        yield group
    finally:
        group.stop_all()


def _wait_for_job(client: FlaskClient, headers: dict[str, str], job_id: str, workers: Workers,
                  alive: subprocess.Popen[bytes]) -> tuple[dict[str, Any], list[str]]:
    """Poll the job until it finishes; the states seen on the way."""
    deadline = time.monotonic() + JOB_DEADLINE
    seen: list[str] = []
    while True:
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).get_json()
        if not seen or seen[-1] != job["state"]:
            seen.append(job["state"])
        if job["state"] in ("succeeded", "failed"):
            return job, seen
        assert alive.poll() is None, "worker exited\n" + workers.logs_text()
        assert time.monotonic() < deadline, f"job still {job['state']}\n" + workers.logs_text()
        time.sleep(0.3)


def _wait_for(path: Path, workers: Workers, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + JOB_DEADLINE
    while not path.exists():
        assert process.poll() is None, "worker exited\n" + workers.logs_text()
        assert time.monotonic() < deadline, "the worker never took the task\n" + workers.logs_text()
        time.sleep(0.2)


def _count(app: Flask, model: type, document_id: str) -> int:
    with app.extensions[EXTENSION].db.session() as session:
        return session.query(model).filter_by(document_id=uuid.UUID(document_id)).count()


def test_a_worker_process_extracts_an_upload(broker: Broker, app: Flask, client: FlaskClient, auth,
                                             workers: Workers) -> None:
    worker = workers.plain()
    headers = auth("triage")
    response = upload(client, headers, make_pdf(f"worker-{broker.kind}"), finish=False)
    assert response.status_code == 201
    body = response.get_json()
    assert body["job"]["state"] == "pending"

    job, seen = _wait_for_job(client, headers, body["job"]["id"], workers, worker)
    assert seen[0] in ("pending", "running") and seen[-1] in ("succeeded", "failed")
    assert job["pages_total"] == 1
    record = client.get(f"/api/v1/documents/{body['id']}/record", headers=headers)
    assert record.status_code == 200
    assert record.get_json()["document_id"] == body["id"]
    assert _count(app, ExtractionRun, body["id"]) == 1


def test_a_killed_worker_s_job_is_delivered_again_and_recorded_once(
        broker: Broker, app: Flask, client: FlaskClient, auth, workers: Workers, tmp_path: Path) -> None:
    marker = tmp_path / "task-started"
    doomed = workers.stalling(marker)
    headers = auth("triage")
    body = upload(client, headers, make_pdf(f"killed-{broker.kind}"), finish=False).get_json()
    _wait_for(marker, workers, doomed)
    workers.kill(doomed)  # SIGKILL mid-task: the message was taken and never acknowledged

    rescuer = workers.plain()
    job, _seen = _wait_for_job(client, headers, body["job"]["id"], workers, rescuer)
    assert job["state"] in ("succeeded", "failed")
    assert _count(app, ExtractionRun, body["id"]) == 1
    assert _count(app, Referral, body["id"]) == 1


@pytest.mark.ocr
@pytest.mark.corpus
def test_pages_of_one_scan_spread_across_two_workers(broker: Broker, app: Flask, client: FlaskClient, auth,
                                                    workers: Workers, shared_dir: Path) -> None:
    first, second = workers.plain(), workers.plain()
    data = (shared_dir / "corpus" / "dev" / "dev_034.tif").read_bytes()  # a three-page scan
    headers = auth("triage")
    body = upload(client, headers, data, filename="scan.tif", finish=False).get_json()
    job, _seen = _wait_for_job(client, headers, body["job"]["id"], workers, first)
    assert (job["state"], job["pages_done"], job["pages_total"]) == ("succeeded", 3, 3), job
    assert second.poll() is None
    took_pages = [path.read_text(errors="replace").count("mapdocs.page[") for _p, path in workers.started]
    assert all(count >= 1 for count in took_pages), workers.logs_text()
    assert _count(app, ExtractionRun, body["id"]) == 1
