"""Background jobs in this process: the upload answers pending, the queue carries ids, tasks are idempotent.

The queue here is the real embedded broker (kombu's SQLAlchemy transport over SQLite in
the test's data directory); :func:`finish_jobs` consumes it as a worker would. Real
worker processes and the Redis/RabbitMQ brokers are in ``test_jobs_brokers.py``.
"""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from service.cli import Progress, cli
from service.context import EXTENSION
from service.jobs.celery_app import celery_config
from service.jobs.dispatch import job_queue
from service.jobs.settings import job_settings
from service.jobs.worker import prepare_embedded_broker, run_queued
from service.models import ExtractionRun, Job, Referral
from tests.service.svc_helpers import finish_jobs, finished_job, make_pdf, upload

JOB_KEYS = {"id", "state", "pages_done", "pages_total", "errors"}


def _count(app: Flask, model: type, **where: object) -> int:
    with app.extensions[EXTENSION].db.session() as session:
        return session.query(model).filter_by(**where).count()


def _job(client: FlaskClient, headers: dict[str, str], job_id: str) -> dict:
    response = client.get(f"/api/v1/jobs/{job_id}", headers=headers)
    assert response.status_code == 200
    body: dict = response.get_json()
    assert set(body) == JOB_KEYS
    return body


@pytest.mark.db
def test_upload_answers_pending_and_a_worker_finishes_the_job(app: Flask, client: FlaskClient, auth) -> None:
    headers = auth("triage")
    response = upload(client, headers, make_pdf("async"), finish=False)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "sha256", "media_type", "panel", "job"}
    assert body["job"]["state"] == "pending"
    assert _job(client, headers, body["job"]["id"])["state"] == "pending"
    assert client.get(f"/api/v1/documents/{body['id']}/record", headers=headers).status_code == 404

    assert finish_jobs(app) >= 1
    job = _job(client, headers, body["job"]["id"])
    assert job["state"] in {"succeeded", "failed"}
    assert job["pages_total"] == 1
    record = client.get(f"/api/v1/documents/{body['id']}/record", headers=headers)
    assert record.status_code == 200
    if job["state"] == "failed":
        assert job["errors"][0]["type"] == record.get_json()["error"]["type"]
    else:
        assert job["errors"] == [] and job["pages_done"] == 1


@pytest.mark.db
def test_a_message_delivered_twice_records_one_run(app: Flask, client: FlaskClient, auth) -> None:
    headers = auth("triage")
    body = upload(client, headers, make_pdf("twice"), finish=False).get_json()
    job_id = uuid.UUID(body["job"]["id"])
    job_queue(app).submit(job_id)  # a redelivery: the same job id a second time
    assert run_queued(app) == 2
    assert _count(app, ExtractionRun, document_id=uuid.UUID(body["id"])) == 1
    assert _count(app, Referral, document_id=uuid.UUID(body["id"])) == 1
    first = _job(client, headers, str(job_id))
    job_queue(app).submit(job_id)  # and once more after it finished: left as it is
    assert run_queued(app) == 1
    assert _job(client, headers, str(job_id)) == first
    assert _count(app, ExtractionRun, document_id=uuid.UUID(body["id"])) == 1


@pytest.mark.db
def test_embedded_worker_start_requeues_unfinished_jobs(app: Flask, client: FlaskClient, auth) -> None:
    """The SQLite transport loses a message whose worker was killed; the jobs table brings it back."""
    headers = auth("triage")
    body = upload(client, headers, make_pdf("lost"), finish=False).get_json()
    assert job_queue(app).flush(timeout=60)  # the hand-off thread has put the message on the broker
    broker = sa.create_engine(job_settings(app.config).broker_url.removeprefix("sqla+"))
    try:  # what the transport does when a worker takes a message; a killed worker never gives it back
        with broker.begin() as conn:
            assert conn.execute(sa.text("UPDATE kombu_message SET visible = 0")).rowcount == 1
    finally:
        broker.dispose()
    assert run_queued(app) == 0  # lost
    assert prepare_embedded_broker(app) == 1
    assert finish_jobs(app) >= 1
    assert finished_job(client, headers, body["job"]["id"])["state"] in {"succeeded", "failed"}
    assert _count(app, ExtractionRun, document_id=uuid.UUID(body["id"])) == 1


@pytest.mark.db
def test_a_job_whose_original_is_gone_fails_instead_of_hanging(app: Flask, client: FlaskClient, auth) -> None:
    headers = auth("triage")
    body = upload(client, headers, make_pdf("gone"), finish=False).get_json()
    svc = app.extensions[EXTENSION]
    with svc.db.session() as session:
        key = session.get(Job, uuid.UUID(body["job"]["id"])).document_id
        from service.models import Document

        svc.store.delete(session.get(Document, key).object_key)
    job = finished_job(client, headers, body["job"]["id"])
    assert job["state"] == "failed"
    assert job["errors"][0]["type"] == "original-unavailable"


@pytest.mark.db
def test_a_job_of_a_deleted_document_ends_quietly(app: Flask, client: FlaskClient, auth) -> None:
    headers = auth("triage")
    body = upload(client, headers, make_pdf("deleted"), finish=False).get_json()
    assert client.delete(f"/api/v1/documents/{body['id']}", headers=auth("admin")).status_code == 204
    assert run_queued(app) == 1
    assert _count(app, Job) == 0 and _count(app, ExtractionRun) == 0


def test_ingest_cli_queues_the_job(app: Flask, runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "form.pdf"
    path.write_bytes(make_pdf("cli-queue"))
    result = runner.invoke(cli, ["ingest", str(path), "--panel", "generic"])
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout)
    assert line["job"]["state"] == "pending"
    assert finish_jobs(app) >= 1
    assert _count(app, ExtractionRun) == 1


def test_settings_default_to_the_embedded_broker(tmp_path: Path) -> None:
    settings = job_settings({"DATA_DIR": str(tmp_path), "BROKER_URL": ""})
    assert settings.embedded and settings.broker_url == f"sqla+sqlite:///{tmp_path}/broker.sqlite3"
    assert 1 <= settings.concurrency <= 2
    config = celery_config(settings)
    assert config["task_acks_late"] and config["task_reject_on_worker_lost"]
    assert config["worker_prefetch_multiplier"] == 1
    assert config["task_soft_time_limit"] < config["task_time_limit"]
    assert config["result_backend"] is None


def test_redis_settings_isolate_the_queue_and_recover_lost_messages(tmp_path: Path) -> None:
    settings = job_settings({"DATA_DIR": str(tmp_path), "BROKER_URL": "redis://127.0.0.1:6379/3",
                             "JOB_QUEUE": "mapdocs-a", "BROKER_VISIBILITY_TIMEOUT": "40"})
    options = celery_config(settings)["broker_transport_options"]
    assert not settings.embedded and settings.transport == "redis"
    assert options["global_keyprefix"] == "mapdocs-a:"
    assert options["visibility_timeout"] == 40 and options["unacked_restore_interval"] == 10


@pytest.mark.parametrize(("name", "value"), [("JOB_QUEUE", "bad queue!"), ("JOB_TIME_LIMIT", "10"),
                                             ("WORKER_CONCURRENCY", "0")])
def test_bad_job_settings_stop_start_up(tmp_path: Path, name: str, value: str) -> None:
    from service.config import ConfigError

    with pytest.raises(ConfigError, match=f"MAPDOCS_{name}"):
        job_settings({"DATA_DIR": str(tmp_path), "JOB_SOFT_TIME_LIMIT": "30", name: value})


def test_progress_is_one_line_per_file_when_not_a_terminal() -> None:
    out = io.StringIO()
    progress = Progress(3, out)
    for _ in range(3):
        progress.advance()
    progress.close()
    lines = out.getvalue().splitlines()
    assert lines[-1].endswith("] 3/3") and lines[-1].startswith("[" + "#" * Progress.WIDTH)
    assert len(lines) == 3 and "\r" not in out.getvalue()


def test_progress_redraws_in_place_on_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    progress = Progress(2, out)
    progress.advance()
    progress.advance()
    progress.close()
    assert out.getvalue().count("\r") == 3 and out.getvalue().endswith("] 2/2\n")


def test_extract_many_files_keeps_stdout_json_lines(tmp_path: Path) -> None:
    files = []
    for index in range(2):
        path = tmp_path / f"f{index}.pdf"
        path.write_bytes(make_pdf(f"progress-{index}"))
        files.append(str(path))
    result = CliRunner().invoke(cli, ["extract", *files])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == ["f0.pdf", "f1.pdf"]
    assert "] 2/2" in result.stderr and "] 2/2" not in result.stdout


@pytest.mark.ocr
@pytest.mark.slow
@pytest.mark.corpus
def test_a_multi_page_scan_is_read_page_by_page(app: Flask, client: FlaskClient, auth,
                                                shared_dir: Path) -> None:
    """Probe pages, then the rest, then the assembly: the same record as reading it in one pass."""
    from extractors.base import ExtractionContext
    from service.documents.operations import extract_bytes
    from service.jobs.pages import PAGED_JOB

    data = (shared_dir / "corpus" / "dev" / "dev_034.tif").read_bytes()  # a three-page scan
    headers = auth("triage")
    body = upload(client, headers, data, filename="scan.tif", finish=False).get_json()
    assert finish_jobs(app) == 5  # extract, three pages, assemble
    job = finished_job(client, headers, body["job"]["id"])
    assert (job["state"], job["pages_done"], job["pages_total"]) == ("succeeded", 3, 3)
    with app.extensions[EXTENSION].db.session() as session:
        assert session.get(Job, uuid.UUID(job["id"])).kind == PAGED_JOB
    run = client.get(f"/api/v1/documents/{body['id']}/record", headers=headers).get_json()
    one_pass = extract_bytes(data, ExtractionContext(panel="generic"))
    assert run["extractor"] == "scan" and run["record"] == one_pass.record
    store = app.extensions[EXTENSION].store
    assert [key for key in store.list() if key.startswith("jobs/")] == []  # page words removed


@pytest.mark.db
def test_a_message_that_keeps_killing_its_worker_is_given_up(app: Flask, client: FlaskClient, auth) -> None:
    """Three deliveries of one message that never finished: the fourth fails the job instead of looping."""
    from service.jobs.celery_app import celery_init_app
    from service.jobs.tasks import EXTRACT_TASK, MAX_DELIVERIES, job_prefix

    headers = auth("triage")
    body = upload(client, headers, make_pdf("poison"), finish=False).get_json()
    job_id = uuid.UUID(body["job"]["id"])
    store = app.extensions[EXTENSION].store
    task_id = str(uuid.uuid4())
    for n in range(MAX_DELIVERIES):  # what three workers killed mid-task leave behind
        store.put(f"{job_prefix(job_id)}deliveries/extract-{task_id}-r0/{n}", b"1")
    celery_init_app(app).tasks[EXTRACT_TASK].apply(args=[str(job_id)], task_id=task_id)
    job = _job(client, headers, str(job_id))
    assert job["state"] == "failed" and job["errors"][0]["type"] == "resource-limit-exceeded"
    assert _count(app, ExtractionRun) == 0
    assert list(store.list(job_prefix(job_id))) == []
