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
from service.contacts.operations import Channel, ContactInput, set_contact
from service.context import EXTENSION
from service.decisions import operations as decisions
from service.letters.delivery import SendReport, mark_posted, send_meeting_letters
from service.letters.operations import build_meeting_letters
from service.mail import MailSettings, SmtpSender
from service.models import AuditEvent, DisclosureLink, LetterDocument, LetterLinkGate
from service.referrals.operations import correct_referral
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
BY_EMAIL = ContactInput(PARENT, Channel.EMAIL)


def _meeting(app: Flask, *, contact: ContactInput | None = BY_EMAIL, **changes: Any) -> SeededMeeting:
    """A decided, built meeting; the family's address is its contact (the record has no e-mail)."""
    values: dict[str, Any] = {
        "referrer__email": REFERRER,
        "family__parents_carers": [{"full_name": "Test Parent Beta", "relationship": "Mother",
                                    "phone": None}]}
    values.update(changes)
    meeting = seed_meeting(app, {"one": values})
    record(app, meeting.case_id("one"), sound_input(meeting.date))
    services = app.extensions[EXTENSION]
    with services.db.session() as session:
        if contact is not None:
            set_contact(session, meeting.cases["one"][1], contact, actor=Actor.system())
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
    meeting = _meeting(app, contact=None, referrer__email=None,
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


# --- family contact details, large print, unborn-only families, progress -------------------------

DUE = "2027-01-20"
UNBORN = [{"full_name": "Unborn baby of Test Parent Beta", "date_of_birth": None,
           "expected_date_of_delivery": DUE, "gender": None, "school_or_setting": None,
           "nhs_number": None, "upn": None}]


def _family_letter(app: Flask, variant: str) -> LetterDocument:
    with app.extensions[EXTENSION].db.session() as session:
        row: LetterDocument = session.scalars(select(LetterDocument).where(
            LetterDocument.recipient == "family", LetterDocument.variant == variant)).one()
        session.expunge(row)
        return row


def test_the_address_comes_from_the_contact_lower_cased(app: Flask, smtp_server: SmtpServer) -> None:
    meeting = _meeting(app, contact=ContactInput("Parent.Beta@Example.INVALID", Channel.EMAIL))
    report = _send(app, meeting, smtp_server)
    assert sorted(s["recipient"] for s in report.sent) == ["family", "referrer"]
    assert PARENT in _links(smtp_server)
    body = next(m.body for m in smtp_server.mailbox.received if m.rcpt_tos == [PARENT])
    assert "due date if your baby is not born yet" in body


def test_large_print_preference_sends_the_large_print_letter_once(app: Flask,
                                                                   smtp_server: SmtpServer) -> None:
    meeting = _meeting(app, contact=ContactInput(PARENT, Channel.EMAIL, large_print=True))
    report = _send(app, meeting, smtp_server)
    large = _family_letter(app, "large_print")
    assert {"file": large.file, "recipient": "family"} in report.sent
    opened = app.test_client().post(f"/l/{_links(smtp_server)[PARENT]}", data={"dob": DOB})
    assert opened.status_code == 200
    assert opened.data == app.extensions[EXTENSION].store.get_bytes(large.object_key)
    assert _family_letter(app, "large_print").channel == "email"
    # the standard letter is the same letter: it is not sent again on the next run
    assert _send(app, meeting, smtp_server).sent == []
    assert len(smtp_server.mailbox.received) == 2


@pytest.mark.parametrize(("large_print", "reason"), [
    (False, "the family asked for post: print for post"),
    (True, "the family asked for post in large print: print the large-print letter for post")])
def test_family_that_asked_for_post_gets_no_mail(app: Flask, smtp_server: SmtpServer, large_print: bool,
                                                 reason: str) -> None:
    meeting = _meeting(app, contact=ContactInput(PARENT, Channel.POST, large_print=large_print))
    report = _send(app, meeting, smtp_server)
    assert [s["recipient"] for s in report.sent] == ["referrer"]
    assert report.skipped == [{"file": _family_letter(app, "standard").file, "reason": reason}]
    assert [m.rcpt_tos for m in smtp_server.mailbox.received] == [[REFERRER]]


def test_a_record_email_is_not_an_address(app: Flask, smtp_server: SmtpServer) -> None:
    """Only the contact details count: an e-mail somewhere in the record is never used."""
    meeting = _meeting(app, contact=None, family__parents_carers=[
        {"full_name": "Test Parent Beta", "phone": None, "email": PARENT}])
    report = _send(app, meeting, smtp_server)
    assert report.skipped == [{"file": _family_letter(app, "standard").file,
                               "reason": "no e-mail address: print for post"}]
    assert [m.rcpt_tos for m in smtp_server.mailbox.received] == [[REFERRER]]


def test_unborn_only_family_opens_the_letter_with_the_due_date(app: Flask, smtp_server: SmtpServer) -> None:
    meeting = _meeting(app, children=UNBORN)
    report = _send(app, meeting, smtp_server)
    assert sorted(s["recipient"] for s in report.sent) == ["family", "referrer"]
    token = _links(smtp_server)[PARENT]
    client = app.test_client()
    form = client.get(f"/l/{token}")
    assert form.status_code == 200
    assert b"date of birth, or due date if your baby is not born yet" in form.data
    assert client.post(f"/l/{token}", data={"dob": DOB}).status_code == 403  # someone else's child
    opened = client.post(f"/l/{token}", data={"dob": DUE})
    assert opened.status_code == 200
    standard = _family_letter(app, "standard")
    assert opened.data == app.extensions[EXTENSION].store.get_bytes(standard.object_key)


def test_no_date_to_gate_the_link_means_post_never_an_open_link(app: Flask, smtp_server: SmtpServer) -> None:
    meeting = _meeting(app, children=UNBORN)
    with app.extensions[EXTENSION].db.session() as session:  # the due date is corrected away after building
        correct_referral(session, meeting.cases["one"][1], {"children[0].expected_date_of_delivery": None},
                         actor=Actor.system())
    report = _send(app, meeting, smtp_server)
    assert report.skipped == [{"file": _family_letter(app, "standard").file,
                               "reason": "no date of birth to protect the link: print for post"}]
    assert [m.rcpt_tos for m in smtp_server.mailbox.received] == [[REFERRER]]
    with app.extensions[EXTENSION].db.session() as session:
        assert session.scalar(select(func.count()).select_from(LetterLinkGate)) == 0
        assert session.scalar(select(func.count()).select_from(DisclosureLink).where(
            DisclosureLink.purpose == "letter:family")) == 0
    assert _family_letter(app, "standard").sent_at is None


def test_progress_is_reported_after_each_letter(app: Flask, smtp_server: SmtpServer) -> None:
    meeting = _meeting(app, contact=None)
    calls: list[tuple[int, int]] = []
    sender = SmtpSender(MailSettings.from_url(smtp_server.url, "panel@barnet-map.invalid"))
    with app.extensions[EXTENSION].db.session() as session:
        report = send_meeting_letters(session, meeting.meeting_id, sender=sender, base_url=BASE,
                                      actor=Actor.system(),
                                      progress=lambda done, total: calls.append((done, total)))
    assert len(report.sent) + len(report.skipped) == 2
    assert calls == [(1, 2), (2, 2)]
