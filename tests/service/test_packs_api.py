"""``/api/v1/meetings/<id>/packs``: roles, build, manifest, download, send (real SMTP)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from service.context import EXTENSION
from service.models import AuditEvent
from tests.service.pack_seed import seed_meeting
from tests.service.smtp_server import SmtpServer, smtp_server
from tests.service.svc_helpers import assert_problem

__all__ = ["smtp_server"]

pytestmark = pytest.mark.db
Headers = Callable[..., dict[str, str]]


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SmtpServer) -> dict[str, Any]:
    return {**app_config, "SMTP_URL": smtp_server.url, "MAIL_FROM": "panel@barnet-map.invalid",
            "PACKS_AGENDA": "plain", "PUBLIC_BASE_URL": "https://mapdocs.example.invalid"}


@pytest.mark.parametrize("role", ["panel_member", "triage", "auditor"])
def test_roles_that_may_not_build(app: Flask, client: FlaskClient, auth: Headers, role: str) -> None:
    meeting = seed_meeting(app, {"clean": {}})
    agency = "mash" if role == "panel_member" else None
    base = f"/api/v1/meetings/{meeting.meeting_id}/packs"
    assert_problem(client.post(base, headers=auth(role, agency)), 403)
    assert_problem(client.get(base, headers=auth(role, agency)), 403)
    assert_problem(client.post(f"{base}/send", headers=auth(role, agency), json={"now": True}), 403)


def test_anonymous_is_refused(app: Flask, client: FlaskClient) -> None:
    meeting = seed_meeting(app, {"clean": {}})
    assert_problem(client.post(f"/api/v1/meetings/{meeting.meeting_id}/packs"), 401)


def test_build_read_download_and_send(app: Flask, client: FlaskClient, auth: Headers,
                                      smtp_server: SmtpServer) -> None:
    meeting = seed_meeting(app, {"clean": {}})
    base = f"/api/v1/meetings/{meeting.meeting_id}/packs"
    assert_problem(client.get(base, headers=auth("administrator")), 409, "no-packs")

    built = client.post(base, headers=auth("administrator"))
    assert built.status_code == 201, built.json
    body = built.json
    assert set(body) == {"meeting_id", "build_id", "built_at", "packs"}
    assert body["packs"][-1] == {"agency": "full", "file": "full.pdf", "cases": [meeting.case_id("clean")],
                                 "withheld": 0}
    assert client.get(base, headers=auth("chair")).json["build_id"] == body["build_id"]

    full = client.get(f"{base}/full.pdf", headers=auth("chair"))
    assert full.status_code == 200 and full.mimetype == "application/pdf"
    assert len(PdfReader(io.BytesIO(full.data)).pages) >= 4
    assert_problem(client.get(f"{base}/nope.pdf", headers=auth("chair")), 404)

    assert_problem(client.post(f"{base}/send", headers=auth("chair"), json={}), 403)
    early = client.post(f"{base}/send", headers=auth("administrator"), json={})
    assert_problem(early, 409, "too-early-to-send")
    assert smtp_server.mailbox.received == []
    sent = client.post(f"{base}/send", headers=auth("administrator"), json={"now": True})
    assert sent.status_code == 200, sent.json
    assert len(sent.json["sent"]) == len(smtp_server.mailbox.received) == 19
    assert all("https://mapdocs.example.invalid/l/" in m.body for m in smtp_server.mailbox.received)
    with app.extensions[EXTENSION].db.session() as session:
        query = select(AuditEvent).where(AuditEvent.action.like("packs.%"))
        actions = [e.action for e in session.scalars(query)]
    assert actions.count("packs.build") == 1 and actions.count("packs.download") == 1
    assert actions.count("packs.send") == 19


def test_openapi_documents_the_pack_routes(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"/api/v1/meetings/{meeting_id}/packs", "/api/v1/meetings/{meeting_id}/packs/send",
            "/api/v1/meetings/{meeting_id}/packs/{file}"} <= set(paths)
