"""``/api/v1/meetings/<id>/letters``: roles, build, send by real SMTP, marking posted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.service.decision_seed import record, seeded, sound_input
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
def test_roles_that_may_not_build_or_send(app: Flask, client: FlaskClient, auth: Headers, role: str) -> None:
    meeting = seeded(app, "one")
    agency = "mash" if role == "panel_member" else None
    base = f"/api/v1/meetings/{meeting.meeting_id}/letters"
    assert_problem(client.post(base, headers=auth(role, agency)), 403)
    assert_problem(client.post(f"{base}/send", headers=auth(role, agency)), 403)


def test_build_then_send(app: Flask, client: FlaskClient, auth: Headers, smtp_server: SmtpServer) -> None:
    meeting = seeded(app, "one")
    record(app, meeting.case_id("one"), sound_input(meeting.date))
    base = f"/api/v1/meetings/{meeting.meeting_id}/letters"
    built = client.post(base, headers=auth("administrator"))
    assert built.status_code == 201, built.json
    body = built.json
    assert body["meeting_id"] == str(meeting.meeting_id) and body["skipped"] == {}
    kinds = {(d["recipient"], d["kind"], d["variant"]) for d in body["documents"]}
    assert ("family", "letter", "large_print") in kinds and ("referrer", "notice", "standard") in kinds
    sent = client.post(f"{base}/send", headers=auth("administrator"))
    assert sent.status_code == 200
    # the seeded record has no e-mail addresses: everything waits to be printed for post
    assert sent.json["sent"] == [] and len(sent.json["skipped"]) == 2
    assert smtp_server.mailbox.received == []
