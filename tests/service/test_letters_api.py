"""``/api/v1/meetings/<id>/letters``: roles, build and send as background batches polled to the end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.service.decision_seed import record, seeded, sound_input
from tests.service.smtp_server import SmtpServer, smtp_server
from tests.service.svc_helpers import assert_problem, finish_jobs

__all__ = ["smtp_server"]

pytestmark = pytest.mark.db

Headers = Callable[..., dict[str, str]]


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SmtpServer) -> dict[str, Any]:
    return {**app_config, "SMTP_URL": smtp_server.url, "MAIL_FROM": "panel@barnet-map.invalid",
            "PACKS_AGENDA": "plain", "PUBLIC_BASE_URL": "https://mapdocs.example.invalid"}


@pytest.mark.parametrize("role", ["panel_member", "triage", "auditor"])
def test_roles_that_may_not_build_or_send(app: Flask, client: FlaskClient, auth: Headers, role: str) -> None:
    meeting = seeded(app, "one")
    agency = "mash" if role == "panel_member" else None
    base = f"/api/v1/meetings/{meeting.meeting_id}/letters"
    assert_problem(client.post(base, headers=auth(role, agency)), 403)
    assert_problem(client.post(f"{base}/send", headers=auth(role, agency)), 403)


def _finished(client: FlaskClient, headers: dict[str, str], started: Any) -> dict[str, Any]:
    """Run the queued batch as a worker would, then poll its ``Location`` once."""
    assert started.status_code == 202, started.json
    assert set(started.json) == {"id", "kind", "state", "done", "total"}
    finish_jobs(client.application)
    polled = client.get(started.headers["Location"], headers=headers)
    assert polled.status_code == 200, polled.json
    body = polled.get_json()
    assert isinstance(body, dict) and body["state"] == "succeeded", body["error"]
    return body


def test_build_then_send(app: Flask, client: FlaskClient, auth: Headers, smtp_server: SmtpServer) -> None:
    meeting = seeded(app, "one")
    record(app, meeting.case_id("one"), sound_input(meeting.date))
    base = f"/api/v1/meetings/{meeting.meeting_id}/letters"
    headers = auth("administrator")
    built = _finished(client, headers, client.post(base, headers=headers))
    body = built["result"]
    assert body["meeting_id"] == str(meeting.meeting_id) and body["skipped"] == {}
    kinds = {(d["recipient"], d["kind"], d["variant"]) for d in body["documents"]}
    assert ("family", "letter", "large_print") in kinds and ("referrer", "notice", "standard") in kinds
    sent = _finished(client, headers, client.post(f"{base}/send", headers=headers))["result"]
    # the seeded record has no e-mail addresses: everything waits to be printed for post
    assert sent["sent"] == [] and len(sent["skipped"]) == 2
    assert smtp_server.mailbox.received == []
