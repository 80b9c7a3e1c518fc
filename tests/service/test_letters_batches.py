"""Letters as background batches: 202 and a ``Location`` to poll, progress to the total, the CLI's manifest,
failures recorded with a slug, runs repeated without duplicate letters or mail, and who may read a batch.

The queue is the real embedded broker; :func:`finish_jobs` consumes it in this process as a
worker would. Real worker processes on Redis and RabbitMQ are in
``test_letters_batches_brokers.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from renderers.convert import DocxToPdfConverter
from service.audit.operations import Actor
from service.batches.dispatch import submit_batch
from service.batches.letters import BatchTools, run_batch
from service.batches.operations import BatchBusy, claim_batch, create_batch, progress_recorder
from service.cli import cli
from service.contacts.operations import Channel, ContactInput, set_contact
from service.context import EXTENSION
from service.db import utcnow
from service.jobs.tasks import MAX_DELIVERIES
from service.models import AuditEvent, BatchJob, BatchKind, JobState, LetterDocument
from service.templates import converter as shared
from tests.service.decision_seed import record, sound_input
from tests.service.pack_seed import CHILD, SeededMeeting, seed_meeting
from tests.service.smtp_server import SmtpServer, smtp_server
from tests.service.svc_helpers import assert_problem, finish_jobs

__all__ = ["smtp_server"]

pytestmark = pytest.mark.db

Headers = Callable[..., dict[str, str]]
CREATED_KEYS = {"id", "kind", "state", "done", "total"}
BATCH_KEYS = CREATED_KEYS | {"meeting_id", "result", "error", "created_at", "started_at", "finished_at"}
BASE = "https://mapdocs.example.invalid"
PARENT = "parent.beta@example.invalid"
REFERRER = "referrer.gamma@example.invalid"


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SmtpServer) -> dict[str, Any]:
    """Word documents only (no LibreOffice) unless a test asks for PDFs; a real SMTP server."""
    return {**app_config, "SMTP_URL": smtp_server.url, "MAIL_FROM": "panel@barnet-map.invalid",
            "PACKS_AGENDA": "plain", "PUBLIC_BASE_URL": BASE}


def _decided(app: Flask, *labels: str, **changes: Any) -> SeededMeeting:
    meeting = seed_meeting(app, {label: dict(changes) for label in labels})
    for label in labels:
        record(app, meeting.case_id(label), sound_input(meeting.date))
    return meeting


def _letters(meeting: SeededMeeting) -> str:
    return f"/api/v1/meetings/{meeting.meeting_id}/letters"


def _started(response: Any, kind: str) -> dict[str, Any]:
    assert response.status_code == 202, response.get_data(as_text=True)[:300]
    body: dict[str, Any] = response.json
    assert set(body) == CREATED_KEYS
    assert body["kind"] == kind and body["state"] == "pending" and body["done"] == 0 and body["total"] is None
    assert response.headers["Location"] == f"/api/v1/batches/{body['id']}"
    return body


def _poll(client: FlaskClient, headers: dict[str, str], batch_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/batches/{batch_id}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == BATCH_KEYS
    return body


def _finished(client: FlaskClient, headers: dict[str, str], batch_id: str) -> dict[str, Any]:
    finish_jobs(client.application)
    body = _poll(client, headers, batch_id)
    assert body["state"] in {"succeeded", "failed"}, body
    return body


def _count(app: Flask, model: type, *where: Any) -> int:
    with app.extensions[EXTENSION].db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _as_if_its_worker_died(app: Flask, batch_id: str, attempts: int = 1) -> None:
    """What a worker killed mid-batch leaves once its lease has run out: running, never finished."""
    with app.extensions[EXTENSION].db.session() as session:
        session.execute(update(BatchJob).where(BatchJob.id == uuid.UUID(batch_id)).values(
            state=JobState.RUNNING, finished_at=None, result=None, attempts=attempts,
            started_at=utcnow() - dt.timedelta(days=1)))
        session.commit()


def test_build_runs_in_the_background_and_reaches_its_total(app: Flask, client: FlaskClient,
                                                            auth: Headers) -> None:
    meeting = _decided(app, "one", "two")
    headers = auth("chair")
    batch = _started(client.post(_letters(meeting), headers=headers), "letters.build")
    assert _poll(client, headers, batch["id"])["state"] == "pending"
    assert _count(app, LetterDocument) == 0  # the request itself built nothing

    done = _finished(client, headers, batch["id"])
    assert done["state"] == "succeeded" and done["error"] is None
    assert done["done"] == done["total"] == 2  # one step per decided case
    assert done["meeting_id"] == str(meeting.meeting_id) and done["finished_at"] is not None
    result = done["result"]
    assert set(result) == {"meeting_id", "documents", "skipped"} and result["skipped"] == {}
    assert {d["case_id"] for d in result["documents"]} == {meeting.case_id("one"), meeting.case_id("two")}
    stored = _count(app, LetterDocument, LetterDocument.meeting_id == meeting.meeting_id)
    assert len(result["documents"]) == stored
    with app.extensions[EXTENSION].db.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "batch.created")).one()
    assert event.object_type == "batch" and event.object_id == batch["id"] and event.actor_type == "user"
    assert event.detail == {"kind": "letters.build", "meeting_id": str(meeting.meeting_id)}


def test_each_step_is_visible_to_a_reader_while_the_batch_runs(app: Flask) -> None:
    meeting = _decided(app, "one", "two", "three")
    services = app.extensions[EXTENSION]
    with services.db.session() as session:
        batch = create_batch(session, BatchKind.LETTERS_BUILD, meeting.meeting_id, actor=Actor.system())
        claimed = claim_batch(session, batch.id, lease_seconds=600)
        assert claimed is not None and claimed.state == "running" and claimed.attempts == 1
        record_step = progress_recorder(services.db.session, batch.id)
        seen: list[tuple[int, int | None]] = []

        def progress(done: int, total: int) -> None:
            record_step(done, total)
            with services.db.session() as reader:
                row = reader.get(BatchJob, batch.id)
                assert row is not None
                seen.append((row.done, row.total))

        tools = BatchTools(store=services.store, converter=lambda: nullcontext(None),
                           sender=lambda: pytest.fail("a build sends no mail"))
        run_batch(session, claimed, tools, progress)
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_the_result_is_the_manifest_the_cli_writes(app: Flask, client: FlaskClient, auth: Headers,
                                                   runner: CliRunner, tmp_path: Path) -> None:
    meeting = _decided(app, "one", "two")
    headers = auth("administrator")
    batch = _started(client.post(_letters(meeting), headers=headers), "letters.build")
    result = _finished(client, headers, batch["id"])["result"]

    out = tmp_path / "letters"
    cli_run = runner.invoke(cli, ["letters", "build", str(meeting.meeting_id), "--out", str(out)])
    assert cli_run.exit_code == 0, cli_run.output
    assert cli_run.stdout == ""  # the progress bar goes to stderr only
    assert "[" + "#" * 30 + "] 2/2" in cli_run.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest == {"meeting_id": result["meeting_id"], "documents": result["documents"]}


def test_sending_in_the_background_mails_each_link_once(app: Flask, client: FlaskClient, auth: Headers,
                                                        smtp_server: SmtpServer) -> None:
    meeting = _decided(app, "one", referrer__email=REFERRER)
    with app.extensions[EXTENSION].db.session() as session:  # the family's address is its contact
        set_contact(session, meeting.cases["one"][1], ContactInput(PARENT, Channel.EMAIL),
                    actor=Actor.system())
    headers = auth("administrator")
    built = _started(client.post(_letters(meeting), headers=headers), "letters.build")
    assert _finished(client, headers, built["id"])["state"] == "succeeded"
    batch = _started(client.post(f"{_letters(meeting)}/send", headers=headers), "letters.send")
    assert smtp_server.mailbox.received == []  # the request itself mailed nothing

    done = _finished(client, headers, batch["id"])
    assert done["state"] == "succeeded" and done["done"] == done["total"] == 2
    assert set(done["result"]) == {"meeting_id", "sent", "skipped"}
    assert sorted(s["recipient"] for s in done["result"]["sent"]) == ["family", "referrer"]
    assert sorted(m.rcpt_tos[0] for m in smtp_server.mailbox.received) == sorted([PARENT, REFERRER])
    with app.extensions[EXTENSION].db.session() as session:
        sent_by = {(e.actor_type, e.actor_id) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "letter.sent"))}
        batch_row = session.get(BatchJob, uuid.UUID(batch["id"]))
        assert batch_row is not None and sent_by == {("user", batch_row.created_by)}

    submit_batch(app, uuid.UUID(batch["id"]))  # the same message again: a finished batch is left as it is
    assert _finished(client, headers, batch["id"]) == done
    _as_if_its_worker_died(app, batch["id"])  # its worker died after mailing: run again, nothing re-sent
    submit_batch(app, uuid.UUID(batch["id"]))
    again = _finished(client, headers, batch["id"])
    assert again["state"] == "succeeded" and again["result"]["sent"] == []
    assert len(smtp_server.mailbox.received) == 2


def test_cli_send_draws_its_progress_on_stderr_only(app: Flask, client: FlaskClient, auth: Headers,
                                                     runner: CliRunner, smtp_server: SmtpServer) -> None:
    meeting = _decided(app, "one", referrer__email=REFERRER)
    with app.extensions[EXTENSION].db.session() as session:
        set_contact(session, meeting.cases["one"][1], ContactInput(PARENT, Channel.EMAIL),
                    actor=Actor.system())
    headers = auth("administrator")
    built = _started(client.post(_letters(meeting), headers=headers), "letters.build")
    assert _finished(client, headers, built["id"])["state"] == "succeeded"
    cli_run = runner.invoke(cli, ["letters", "send", str(meeting.meeting_id)])  # mail settings: app_config
    assert cli_run.exit_code == 0, cli_run.output
    out = json.loads(cli_run.stdout)  # one JSON object, exactly as before
    assert set(out) == {"meeting_id", "sent", "skipped"} and len(out["sent"]) == 2
    assert "[" + "#" * 30 + "] 2/2" in cli_run.stderr
    assert len(smtp_server.mailbox.received) == 2


def test_a_build_run_again_after_its_worker_died_makes_no_duplicates(app: Flask, client: FlaskClient,
                                                                     auth: Headers) -> None:
    meeting = _decided(app, "one", "two")
    headers = auth("administrator")
    batch = _started(client.post(_letters(meeting), headers=headers), "letters.build")
    first = _finished(client, headers, batch["id"])
    stored = _count(app, LetterDocument, LetterDocument.meeting_id == meeting.meeting_id)
    assert stored == len(first["result"]["documents"]) > 0

    _as_if_its_worker_died(app, batch["id"])
    submit_batch(app, uuid.UUID(batch["id"]))
    again = _finished(client, headers, batch["id"])
    assert again["state"] == "succeeded" and again["result"] == first["result"]
    assert _count(app, LetterDocument, LetterDocument.meeting_id == meeting.meeting_id) == stored
    with app.extensions[EXTENSION].db.session() as session:
        row = session.get(BatchJob, uuid.UUID(batch["id"]))
        assert row is not None and row.attempts == 2


def test_a_batch_that_keeps_killing_its_worker_is_given_up(app: Flask, client: FlaskClient,
                                                           auth: Headers) -> None:
    meeting = _decided(app, "one")
    headers = auth("administrator")
    batch = _started(client.post(_letters(meeting), headers=headers), "letters.build")
    _as_if_its_worker_died(app, batch["id"], attempts=MAX_DELIVERIES)  # delivered and lost that often
    failed = _finished(client, headers, batch["id"])
    assert failed["state"] == "failed" and failed["error"]["type"] == "batch-gave-up"
    assert failed["result"] is None
    assert _count(app, LetterDocument) == 0


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed: no PDF step to fail")
def test_a_conversion_failure_ends_the_batch_failed_with_a_slug(
        app: Flask, client: FlaskClient, auth: Headers, runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    meeting = _decided(app, "one")
    headers = auth("administrator")
    app.config["PACKS_AGENDA"] = "template"  # make PDFs, through the process's shared converter...
    with DocxToPdfConverter(warm=False, soffice="false") as broken:  # ...whose LibreOffice always fails
        monkeypatch.setattr(shared, "_converter", broken)
        batch = _started(client.post(_letters(meeting), headers=headers), "letters.build")
        failed = _finished(client, headers, batch["id"])
        cli_run = runner.invoke(cli, ["letters", "build", str(meeting.meeting_id), "--out", str(tmp_path)],
                                env={"MAPDOCS_PACKS_AGENDA": "template"})
    assert failed["state"] == "failed" and failed["result"] is None
    assert failed["error"]["type"] == "conversion-failed"
    assert CHILD not in failed["error"]["detail"] and meeting.case_ref("one") not in failed["error"]["detail"]
    assert _count(app, LetterDocument) == 0  # nothing half-built is left on record
    assert cli_run.exit_code == 1 and cli_run.stdout == ""
    assert "LibreOffice could not convert" in cli_run.stderr and "Traceback" not in cli_run.output


def test_an_unknown_meeting_is_refused_when_asked(app: Flask, client: FlaskClient, auth: Headers) -> None:
    headers = auth("admin")
    missing = f"/api/v1/meetings/{uuid.uuid4()}/letters"
    assert_problem(client.post(missing, headers=headers), 404, "not-found")
    assert_problem(client.post(f"{missing}/send", headers=headers), 404, "not-found")
    assert_problem(client.get(f"/api/v1/batches/{uuid.uuid4()}", headers=headers), 404, "not-found")
    assert _count(app, BatchJob) == 0


def test_sending_without_mail_settings_is_refused_when_asked(app: Flask, client: FlaskClient, auth: Headers,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    meeting = _decided(app, "one")
    monkeypatch.delenv("MAPDOCS_SMTP_URL", raising=False)
    app.config["SMTP_URL"] = ""
    assert_problem(client.post(f"{_letters(meeting)}/send", headers=auth("administrator")), 503,
                   "mail-not-configured")
    assert _count(app, BatchJob) == 0


@pytest.mark.parametrize(("role", "build", "send", "read"), [
    ("administrator", 202, 202, 200), ("chair", 202, 403, 200), ("admin", 202, 202, 200),
    ("triage", 403, 403, 403), ("auditor", 403, 403, 403), ("panel_member", 403, 403, 403)])
def test_roles(app: Flask, client: FlaskClient, auth: Headers, role: str, build: int, send: int,
               read: int) -> None:
    meeting = _decided(app, "one")
    headers = auth(role, "mash" if role == "panel_member" else None)
    assert client.post(_letters(meeting), headers=headers).status_code == build
    assert client.post(f"{_letters(meeting)}/send", headers=headers).status_code == send
    batch = _started(client.post(_letters(meeting), headers=auth("admin")), "letters.build")
    response = client.get(f"/api/v1/batches/{batch['id']}", headers=headers)
    assert response.status_code == read
    if read == 403:
        assert_problem(response, 403, "forbidden")
    assert_problem(client.get(f"/api/v1/batches/{batch['id']}"), 401)



def test_a_batch_never_handed_to_the_broker_runs_after_requeue(app: Flask, runner: CliRunner) -> None:
    """The batch row is committed before the hand-off: a broker that was away loses nothing.

    ``mapdocs jobs requeue`` submits the pending batch; the embedded worker's start
    (``prepare_embedded_broker``) submits running ones too, as no worker can hold them.
    """
    from service.jobs.worker import prepare_embedded_broker

    meeting = _decided(app, "beta")
    services = app.extensions[EXTENSION]
    with services.db.session() as session:  # created, never submitted: as if the broker was down
        pending = create_batch(session, BatchKind.LETTERS_BUILD, meeting.meeting_id, actor=Actor.system()).id
        stuck = create_batch(session, BatchKind.LETTERS_BUILD, meeting.meeting_id, actor=Actor.system()).id
        session.execute(update(BatchJob).where(BatchJob.id == stuck).values(state=JobState.RUNNING))
        session.commit()

    result = runner.invoke(cli, ["jobs", "requeue"])
    assert result.exit_code == 0, result.output
    assert "1 letter batch(es)" in result.stderr
    finish_jobs(app)
    with services.db.session() as session:
        assert session.get(BatchJob, pending).state == "succeeded"
        assert session.get(BatchJob, stuck).state == "running"  # a live worker may hold it: left alone

    assert prepare_embedded_broker(app) >= 1
    finish_jobs(app)
    with services.db.session() as session:
        assert session.get(BatchJob, stuck).state == "succeeded"


def test_a_batch_held_by_a_live_run_is_not_claimed_twice(app: Flask) -> None:
    """A second delivery while the first run still holds its lease must not build or send again."""
    meeting = _decided(app, "one")
    services = app.extensions[EXTENSION]
    with services.db.session() as session:
        batch = create_batch(session, BatchKind.LETTERS_SEND, meeting.meeting_id, actor=Actor.system())
        assert claim_batch(session, batch.id, lease_seconds=600) is not None
        with pytest.raises(BatchBusy):
            claim_batch(session, batch.id, lease_seconds=600)
        later = utcnow() + dt.timedelta(seconds=601)  # the lease ran out: its worker died
        again = claim_batch(session, batch.id, lease_seconds=600, now=later)
        assert again is not None and again.attempts == 2
        session.execute(update(BatchJob).where(BatchJob.id == batch.id).values(
            state=JobState.SUCCEEDED, finished_at=later))
        session.commit()
        assert claim_batch(session, batch.id, lease_seconds=600, now=later) is None  # finished: left alone
