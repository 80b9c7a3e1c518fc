"""``/api/v1/panels/<slug>/templates/<kind>``: checked, versioned uploads used for new documents only."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from service.context import EXTENSION
from service.models import AuditEvent, TemplateVersion
from tests.service.meetings_helpers import agenda_template, docx_text
from tests.service.svc_helpers import assert_problem, multipart

Auth = Callable[..., dict[str, str]]
URL = "/api/v1/panels/barnet-map/templates/agenda"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CUSTOM = agenda_template("Welcome and introductions", "Welcome, introductions and apologies")


def _put_raw(client: FlaskClient, headers: dict[str, str], data: bytes) -> object:
    return client.put(URL, headers=headers, data=data, content_type=DOCX)


@pytest.mark.db
def test_a_misspelt_variable_is_refused_with_its_name(client: FlaskClient, auth: Auth, app: Flask) -> None:
    misspelt = agenda_template("{{ case.initials }}", "{{ case.intials }}")
    response = _put_raw(client, auth("administrator"), misspelt)
    body = assert_problem(response, 422, "unknown-template-variable")
    assert body["variables"] == ["case.intials"] and "case.intials" in body["detail"]
    broken = _put_raw(client, auth("administrator"), b"not a word file")
    assert_problem(broken, 422, "invalid-template")
    assert_problem(client.put("/api/v1/panels/barnet-map/templates/agendum", headers=auth("administrator"),
                              data=CUSTOM, content_type=DOCX), 404, "unknown-document-kind")
    with app.extensions[EXTENSION].db.session() as session:
        assert session.scalars(select(TemplateVersion)).all() == []  # nothing stored on refusal


@pytest.mark.db
def test_uploads_are_versioned_and_listed(client: FlaskClient, auth: Auth, app: Flask) -> None:
    first = _put_raw(client, auth("administrator"), CUSTOM)
    assert first.status_code == 201, first.get_data(as_text=True)
    body, content_type = multipart({"file": FileStorage(io.BytesIO(CUSTOM), filename="mine.docx")})
    second = client.put(URL, headers=auth("admin"), data=body, content_type=content_type)
    assert second.status_code == 201, second.get_data(as_text=True)
    assert (first.get_json()["version"], second.get_json()["version"]) == (1, 2)
    versions = client.get(URL, headers=auth("chair")).get_json()
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["uploader_type"] == "user" and versions[0]["uploaded_by"] is not None
    assert client.get("/api/v1/panels/luton-afsp/templates/agenda", headers=auth("chair")).get_json() == []
    assert_problem(_put_raw(client, auth("chair"), CUSTOM), 403)
    assert_problem(client.get(URL, headers=auth("triage")), 403)
    with app.extensions[EXTENSION].db.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "template.upload")).all()
        assert sorted(e.detail["version"] for e in events) == [1, 2]
        row = session.scalars(select(TemplateVersion).where(TemplateVersion.version == 1)).one()
        assert app.extensions[EXTENSION].store.get_bytes(row.object_key) == CUSTOM


@pytest.mark.db
def test_new_agendas_use_the_newest_template(client: FlaskClient, auth: Auth, app: Flask) -> None:
    created = client.post("/api/v1/panels/barnet-map/meetings", headers=auth("administrator"),
                          json={"date": "2026-03-17"})
    agenda_url = f"/api/v1/meetings/{created.get_json()['id']}/agenda"
    before = client.get(agenda_url, headers=auth("chair"))
    assert "introductions and apologies" not in docx_text(before.data)
    assert _put_raw(client, auth("administrator"), CUSTOM).status_code == 201
    after = client.get(agenda_url, headers=auth("chair"))
    assert "Welcome, introductions and apologies" in docx_text(after.data)
    with app.extensions[EXTENSION].db.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "meeting.agenda_generated")
                                 .order_by(AuditEvent.at)).all()
        assert [e.detail["template_version"] for e in events] == [None, 1]
        # the agenda made before the upload keeps the bytes it was rendered with
        assert app.extensions[EXTENSION].store.get_bytes(events[0].detail["object_key"]) == before.data
