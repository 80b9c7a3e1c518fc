"""Circulating packs: real SMTP, links to each agency's own pack, the sharing log, the circulation day."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from service.audit.operations import Actor
from service.context import EXTENSION
from service.mail import MailSettings, SmtpSender
from service.models import AuditEvent, InformationSharingEntry, MeetingPack
from service.packs.circulation import circulation_day
from service.packs.errors import NoPacksBuilt, TooEarlyToSend
from service.packs.operations import SendResult, build_meeting_packs, send_meeting_packs, sharing_log
from service.panels import catalogue
from tests.service.pack_seed import CHILD, PANEL, SeededMeeting, chair_decides, seed_meeting, withdraw_consent
from tests.service.smtp_server import SmtpServer, smtp_server

__all__ = ["smtp_server"]

BASE = "https://mapdocs.example.invalid"
LINK = re.compile(re.escape(BASE) + r"/l/([A-Za-z0-9_-]+)")


def _build(app: Flask, meeting: SeededMeeting) -> None:
    services = app.extensions[EXTENSION]
    with services.db.session() as session:
        build_meeting_packs(session, services.store, meeting.meeting_id, actor=Actor.system())


def _send(app: Flask, meeting: SeededMeeting, server: SmtpServer, **kwargs: Any) -> SendResult:
    services = app.extensions[EXTENSION]
    sender = SmtpSender(MailSettings.from_url(server.url, "panel@barnet-map.invalid"))
    kwargs.setdefault("now", dt.datetime.combine(meeting.date - dt.timedelta(days=1), dt.time(9), dt.UTC))
    with services.db.session() as session:
        return send_meeting_packs(session, services.store, meeting.meeting_id, sender=sender, base_url=BASE,
                                  link_ttl_seconds=3600, actor=Actor.system(), **kwargs)


def test_circulation_day_is_the_profiles_weekday_before_the_meeting() -> None:
    profile = catalogue().profile_for(catalogue().panel(PANEL))
    assert circulation_day(profile, dt.date(2026, 3, 10)) == dt.date(2026, 3, 9)  # Tuesday -> Monday
    assert circulation_day(profile, dt.date(2026, 4, 7)) == dt.date(2026, 4, 2)  # Easter Monday -> Thursday
    generic = catalogue().profile_for(catalogue().panel("generic"))
    assert circulation_day(generic, dt.date(2026, 3, 10)) is None


@pytest.mark.db
def test_each_agency_gets_a_link_to_its_own_pack(app: Flask, smtp_server: SmtpServer) -> None:
    meeting = seed_meeting(app, {"clean": {}, "no_police": {"consent__excluded_agencies": ["Police"]}})
    _build(app, meeting)
    result = _send(app, meeting, smtp_server)

    received = smtp_server.mailbox.received
    panel = catalogue().panel(PANEL)
    mailboxes = {a.slug: a.secure_email for a in panel.agencies if a.secure_email}
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(mailboxes.values())
    assert {s["agency"] for s in result.sent} == set(mailboxes)
    assert {"agency": "full", "reason": "full_pack_not_mailed"} in result.skipped
    assert {"agency": "vcs", "reason": "no_secure_email"} in result.skipped

    client = app.test_client()
    services = app.extensions[EXTENSION]
    with services.db.session() as session:
        stored = {row.sent_to: services.store.get_bytes(row.object_key)
                  for row in session.scalars(select(MeetingPack).where(MeetingPack.sent_at.is_not(None)))}
    for message in received:
        assert not message.attachments
        text = message.message["Subject"] + "\n" + message.body
        assert panel.name in message.message["Subject"]
        for forbidden in (CHILD, "Alpha", "T.C.A.", meeting.case_ref("clean"), meeting.case_ref("no_police")):
            assert forbidden not in text
        tokens = LINK.findall(message.body)
        assert len(tokens) == 1
        opened = client.get(f"/l/{tokens[0]}")
        assert opened.status_code == 200
        assert opened.data == stored[message.rcpt_tos[0]]  # its own pack, not another agency's


@pytest.mark.db
def test_every_disclosure_is_logged_with_its_basis(app: Flask, smtp_server: SmtpServer) -> None:
    today = dt.date.today()
    meeting = seed_meeting(app, {"clean": {}, "no_police": {"consent__excluded_agencies": ["Police"]},
                                 "override": {}})
    withdraw_consent(app, meeting.cases["override"][1], today)
    chair_decides(app, meeting.cases["override"][1], dt.datetime.now(dt.UTC))
    _build(app, meeting)
    result = _send(app, meeting, smtp_server)
    with app.extensions[EXTENSION].db.session() as session:
        rows = sharing_log(session, meeting_id=meeting.meeting_id)
        by_agency: dict[str, set[str]] = {}
        for row in rows:
            by_agency.setdefault(row.agency, set()).add(row.case_ref)
            assert row.channel == "link" and row.actor_type == "system"
            if row.case_ref == meeting.case_ref("override"):
                assert row.basis == "safeguarding"
                assert row.chair_decision is not None and row.chair_decision["decided_by"] == "chair"
            else:
                assert row.basis == "consent" and row.chair_decision is None
        assert by_agency["mash"] == {meeting.case_ref(x) for x in ("clean", "no_police", "override")}
        assert by_agency["police-safer-schools"] == {meeting.case_ref(x) for x in ("clean", "override")}
        assert "vcs" not in by_agency and "full" not in by_agency
        assert len(rows) == sum(len(sharing_log(session, referral_id=meeting.cases[x][1]))
                                for x in ("clean", "no_police", "override"))
        sends = session.scalars(select(AuditEvent).where(AuditEvent.action == "packs.send")).all()
        assert len(sends) == len(result.sent)
        keys = {"agency", "pack_id", "cases", "withheld", "channel"}
        assert all(set(event.detail) == keys for event in sends)


@pytest.mark.db
def test_sending_twice_does_not_send_again(app: Flask, smtp_server: SmtpServer) -> None:
    meeting = seed_meeting(app, {"clean": {}})
    _build(app, meeting)
    first = _send(app, meeting, smtp_server)
    second = _send(app, meeting, smtp_server)
    assert second.sent == []
    assert len(smtp_server.mailbox.received) == len(first.sent)
    reasons = {s["reason"] for s in second.skipped}
    assert reasons == {"already_sent", "no_secure_email", "full_pack_not_mailed"}
    with app.extensions[EXTENSION].db.session() as session:
        assert len(session.scalars(select(InformationSharingEntry)).all()) == len(first.sent)


@pytest.mark.db
def test_too_early_unless_forced(app: Flask, smtp_server: SmtpServer) -> None:
    meeting = seed_meeting(app, {"clean": {}})
    _build(app, meeting)
    early = dt.datetime.combine(meeting.date - dt.timedelta(days=3), dt.time(9), dt.UTC)
    with pytest.raises(TooEarlyToSend) as caught:
        _send(app, meeting, smtp_server, now=early)
    assert early.date() < dt.date.fromisoformat(caught.value.extra["circulation_day"]) < meeting.date
    assert smtp_server.mailbox.received == []
    assert _send(app, meeting, smtp_server, now=early, force=True).sent


@pytest.mark.db
def test_nothing_to_send_before_a_build(app: Flask, smtp_server: SmtpServer) -> None:
    meeting = seed_meeting(app, {"clean": {}})
    with pytest.raises(NoPacksBuilt):
        _send(app, meeting, smtp_server)


@pytest.mark.db
def test_panels_configured_to_attach_get_the_pack_attached(app: Flask, smtp_server: SmtpServer) -> None:
    meeting = seed_meeting(app, {"clean": {}})
    _build(app, meeting)
    _send(app, meeting, smtp_server, attach_panels={PANEL})
    message = smtp_server.mailbox.received[0]
    assert not LINK.findall(message.body)
    attachments = message.attachments
    assert len(attachments) == 1 and attachments[0].get_content().startswith(b"%PDF")
    with app.extensions[EXTENSION].db.session() as session:
        assert {row.channel for row in session.scalars(select(InformationSharingEntry))} == {"attachment"}
