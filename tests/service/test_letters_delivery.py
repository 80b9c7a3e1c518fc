"""Sending letters: real SMTP, links without attachments or names, and the family link's DOB gate."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select

from service.audit.operations import Actor
from service.cli import cli
from service.context import EXTENSION
from service.decisions import operations as decisions
from service.letters.delivery import SendReport, mark_posted, send_meeting_letters
from service.letters.operations import build_meeting_letters
from service.mail import MailSettings, SmtpSender
from service.models import AuditEvent, LetterDocument
from tests.service.decision_seed import record, sound_input
from tests.service.pack_seed import CHILD, SeededMeeting, seed_meeting
from tests.service.smtp_server import SmtpServer, smtp_server

__all__ = ["smtp_server"]

pytestmark = pytest.mark.db

BASE = "https://mapdocs.example.invalid"
LINK = re.compile(re.escape(BASE) + r"/l/([A-Za-z0-9_-]+)")
DOB = "2020-06-15"  # the seeded child's, from clean_record
PARENT = "parent.beta@example.invalid"
REFERRER = "referrer.gamma@example.invalid"


def _meeting(app: Flask, **changes: Any) -> SeededMeeting:
    values: dict[str, Any] = {
        "referrer__email": REFERRER,
        "family__parents_carers": [{"full_name": "Test Parent Beta", "relationship": "Mother",
                                    "phone": None, "email": PARENT}]}
    values.update(changes)
    meeting = seed_meeting(app, {"one": values})
    record(app, meeting.case_id("one"), sound_input(meeting.date))
    services = app.extensions[EXTENSION]
    with services.db.session() as session:
        build_meeting_letters(session, services.store, meeting.meeting_id, converter=None)
    return meeting


def _send(app: Flask, meeting: SeededMeeting, server: SmtpServer) -> SendReport:
    sender = SmtpSender(MailSettings.from_url(server.url, "panel@barnet-map.invalid"))
    with app.extensions[EXTENSION].db.session() as session:
        return send_meeting_letters(session, meeting.meeting_id, sender=sender, base_url=BASE,
                                    actor=Actor.system())


def _links(server: SmtpServer) -> dict[str, str]:
    return {m.rcpt_tos[0]: LINK.findall(m.body)[0] for m in server.mailbox.received}


def test_links_go_by_mail_without_attachments_or_names(app: Flask, smtp_server: SmtpServer) -> None:
    meeting = _meeting(app)
    report = _send(app, meeting, smtp_server)
    assert sorted(s["recipient"] for s in report.sent) == ["family", "referrer"]
    received = smtp_server.mailbox.received
    assert sorted(m.rcpt_tos[0] for m in received) == sorted([PARENT, REFERRER])
    for message in received:
        assert not message.attachments
        assert len(LINK.findall(message.body)) == 1
        for forbidden in (CHILD, "Alpha", "Beta", meeting.case_ref("one")):
            assert forbidden not in message.message["Subject"]
            assert forbidden not in message.body
    with app.extensions[EXTENSION].db.session() as session:
        decision = decisions.current_decision(session, uuid.UUID(meeting.case_id("one")))
        assert decision is not None and decision.state == "letter_sent" and decision.letter_channel == "email"
    # the referrer's notice opens directly; nothing is sent twice
    client = app.test_client()
    assert client.get(f"/l/{_links(smtp_server)[REFERRER]}").status_code == 200
    assert _send(app, meeting, smtp_server).sent == []


def test_family_link_asks_for_the_date_of_birth_and_locks_after_five(app: Flask,
                                                                     smtp_server: SmtpServer) -> None:
    meeting = _meeting(app)
    _send(app, meeting, smtp_server)
    token = _links(smtp_server)[PARENT]
    client = app.test_client()
    form = client.get(f"/l/{token}")
    assert form.status_code == 200 and form.mimetype == "text/html"
    assert b"date of birth" in form.data and b"%PDF" not in form.data
    for _ in range(4):
        assert client.post(f"/l/{token}", data={"dob": "2019-01-01"}).status_code == 403
    assert client.post(f"/l/{token}", data={"dob": "not a date"}).status_code == 423  # fifth wrong try
    assert client.post(f"/l/{token}", data={"dob": DOB}).status_code == 423  # locked even when right
    assert client.get(f"/l/{token}").status_code == 423
    with app.extensions[EXTENSION].db.session() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "letter.dob_check"))
        assert events == 6


def test_right_date_of_birth_shows_only_that_letter(app: Flask, smtp_server: SmtpServer) -> None:
    meeting = _meeting(app)
    _send(app, meeting, smtp_server)
    token = _links(smtp_server)[PARENT]
    client = app.test_client()
    assert client.post(f"/l/{token}", data={"dob": "2019-01-01"}).status_code == 403
    opened = client.post(f"/l/{token}", data={"dob": DOB})
    assert opened.status_code == 200
    services = app.extensions[EXTENSION]
    with services.db.session() as session:
        row = session.scalars(select(LetterDocument).where(
            LetterDocument.recipient == "family", LetterDocument.variant == "standard")).one()
        assert opened.data == services.store.get_bytes(row.object_key)


def test_no_address_means_post_marked_by_an_administrator(app: Flask, smtp_server: SmtpServer) -> None:
    meeting = _meeting(app, referrer__email=None,
                       family__parents_carers=[{"full_name": "Test Parent Beta", "phone": None}])
    report = _send(app, meeting, smtp_server)
    assert report.sent == [] and len(report.skipped) == 2
    with app.extensions[EXTENSION].db.session() as session:
        letter = session.scalars(select(LetterDocument).where(
            LetterDocument.recipient == "family", LetterDocument.variant == "standard")).one()
        mark_posted(session, letter.id, actor=Actor.system())
        decision = decisions.current_decision(session, letter.case_id)  # type: ignore[arg-type]
        assert decision is not None and decision.letter_channel == "post"


def test_cli_send_prints_what_went(app: Flask, runner: CliRunner, smtp_server: SmtpServer) -> None:
    meeting = _meeting(app)
    env = {"MAPDOCS_SMTP_URL": smtp_server.url, "MAPDOCS_MAIL_FROM": "panel@barnet-map.invalid",
           "MAPDOCS_PUBLIC_BASE_URL": BASE}
    result = runner.invoke(cli, ["letters", "send", str(meeting.meeting_id)], env=env)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"meeting_id", "sent", "skipped"}
    assert sorted(s["recipient"] for s in out["sent"]) == ["family", "referrer"]
    assert len(smtp_server.mailbox.received) == 2
