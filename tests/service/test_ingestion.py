"""Ingestion through the API: status codes, dedupe per panel, byte-exact originals, refusals store nothing."""

import io
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.context import EXTENSION
from service.models import AuditEvent, Document, ExtractionRun, Job, Referral
from tests.service.svc_helpers import assert_problem, finished_job, make_pdf, upload

UPLOAD_KEYS = {"id", "sha256", "media_type", "panel", "job"}


def _objects(app: Flask) -> list[str]:
    return list(app.extensions[EXTENSION].store.list())


def _count(app: Flask, model: type) -> int:
    with app.extensions[EXTENSION].db.session() as session:
        return session.query(model).count()


@pytest.mark.db
def test_upload_stores_the_original_and_answers_201(app: Flask, client: FlaskClient, auth) -> None:
    headers = auth("triage")
    data = make_pdf("first")
    response = upload(client, headers, data, panel="hackney-mat", filename="whatever.docx")
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == UPLOAD_KEYS
    assert set(body["job"]) == {"id", "state"}
    uuid.UUID(body["id"]) and uuid.UUID(body["job"]["id"])
    assert body["media_type"] == "application/pdf"  # the bytes decide, not the name
    assert body["panel"] == "hackney-mat"
    assert body["job"]["state"] == "pending"  # the upload never waits for extraction
    assert response.headers["Location"] == f"/api/v1/documents/{body['id']}"

    original = client.get(f"/api/v1/documents/{body['id']}/original", headers=headers)
    assert original.status_code == 200
    assert original.data == data
    assert original.mimetype == "application/pdf"
    assert "attachment" in original.headers["Content-Disposition"]

    meta = client.get(response.headers["Location"], headers=headers).get_json()
    assert meta["sha256"] == body["sha256"] and meta["size"] == len(data) and meta["page_count"] in (1, None)
    assert len(_objects(app)) == 1
    with app.extensions[EXTENSION].db.session() as session:
        actions = [e.action for e in session.query(AuditEvent).filter(AuditEvent.object_id == body["id"])]
    assert "document.upload" in actions and "document.original.download" in actions


@pytest.mark.db
def test_same_bytes_same_panel_is_200_without_a_second_copy(app: Flask, client: FlaskClient, auth) -> None:
    headers = auth("triage")
    data = make_pdf("again")
    first = upload(client, headers, data, panel="generic")
    second = upload(client, auth("administrator"), data, panel="generic", filename="renamed.pdf")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json()["id"] == first.get_json()["id"]
    assert second.headers["Location"] == first.headers["Location"]
    assert set(second.get_json()) == UPLOAD_KEYS
    assert _count(app, Document) == 1
    assert len(_objects(app)) == 1


@pytest.mark.db
def test_same_bytes_other_panel_is_a_new_document_sharing_the_object(app: Flask, client: FlaskClient,
                                                                     auth) -> None:
    headers = auth("triage")
    data = make_pdf("shared")
    first = upload(client, headers, data, panel="barnet-map").get_json()
    response = upload(client, headers, data, panel="luton-afsp")
    assert response.status_code == 201
    second = response.get_json()
    assert second["id"] != first["id"] and second["sha256"] == first["sha256"]
    assert len(_objects(app)) == 1


@pytest.mark.db
def test_deleting_one_document_keeps_an_object_another_still_uses(app: Flask, client: FlaskClient,
                                                                  auth) -> None:
    headers, admin = auth("triage"), auth("admin")
    data = make_pdf("refcount")
    first = upload(client, headers, data, panel="barnet-map").get_json()
    second = upload(client, headers, data, panel="wolverhampton-mast").get_json()
    assert client.delete(f"/api/v1/documents/{first['id']}", headers=admin).status_code == 204
    assert len(_objects(app)) == 1
    assert client.get(f"/api/v1/documents/{second['id']}/original", headers=headers).data == data
    assert_problem(client.get(f"/api/v1/documents/{first['id']}", headers=headers), 404, "not-found")
    assert client.delete(f"/api/v1/documents/{second['id']}", headers=admin).status_code == 204
    assert _objects(app) == []
    assert [_count(app, model) for model in (Document, Referral, Job, ExtractionRun)] == [0, 0, 0, 0]


@pytest.mark.db
def test_record_and_job_are_served_after_upload(app: Flask, client: FlaskClient, auth) -> None:
    headers = auth("triage")
    body = upload(client, headers, make_pdf("record")).get_json()
    record = client.get(f"/api/v1/documents/{body['id']}/record", headers=headers)
    assert record.status_code == 200
    run = record.get_json()
    assert {"record", "confidence", "provenance", "issues", "error", "extractor"} <= set(run)
    assert run["document_id"] == body["id"]
    assert run["error"] is None or set(run["error"]) == {"type", "detail"}
    job = client.get(f"/api/v1/jobs/{body['job']['id']}", headers=headers)
    assert job.status_code == 200
    assert set(job.get_json()) == {"id", "state", "pages_done", "pages_total", "errors"}
    assert job.get_json()["state"] in {"succeeded", "failed"}
    if run["error"]:
        assert job.get_json()["errors"][0]["type"] == run["error"]["type"]


def test_unknown_panel_is_refused_and_nothing_stored(app: Flask, client: FlaskClient, auth) -> None:
    assert_problem(upload(client, auth("triage"), make_pdf("panel"), panel="atlantis"), 422, "unknown-panel")
    assert _objects(app) == [] and _count(app, Document) == 0


def test_empty_file_is_refused(app: Flask, client: FlaskClient, auth) -> None:
    assert_problem(upload(client, auth("triage"), b""), 422, "empty-file")
    assert _objects(app) == [] and _count(app, Document) == 0


def test_unsupported_type_is_415(app: Flask, client: FlaskClient, auth) -> None:
    assert_problem(upload(client, auth("triage"), b"just some text, not a form\n", filename="x.pdf"),
                   415, "unsupported-media-type")
    assert _objects(app) == [] and _count(app, Document) == 0


def test_file_over_the_configured_limit_is_413(app_config: dict, auth) -> None:
    app = create_app({**app_config, "MAX_UPLOAD_BYTES": 2000})
    try:
        client = app.test_client()
        from service.audit.operations import Actor
        from service.auth.operations import create_user, issue_token

        with app.extensions[EXTENSION].db.session() as session:
            token = issue_token(session, create_user(session, "t", "triage", actor=Actor.system()),
                                actor=Actor.system())
            session.commit()
        response = client.post("/api/v1/documents", headers={"Authorization": f"Bearer {token}"},
                               data={"file": (io.BytesIO(make_pdf("big", pages=40)), "big.pdf"),
                                     "panel": "generic"}, content_type="multipart/form-data")
        assert_problem(response, 413, "payload-too-large")
        assert _objects(app) == []
    finally:
        app.extensions[EXTENSION].db.dispose()


@pytest.mark.db
def test_extract_again_runs_a_new_job(app: Flask, client: FlaskClient, auth) -> None:
    headers = auth("triage")
    body = upload(client, headers, make_pdf("retry")).get_json()
    response = client.post(f"/api/v1/documents/{body['id']}/extract", headers=headers, json={})
    assert response.status_code == 200
    job = response.get_json()
    assert job["id"] != body["job"]["id"] and job["state"] == "pending"
    assert finished_job(client, headers, job["id"])["state"] in {"succeeded", "failed"}
    assert _count(app, ExtractionRun) == 2
