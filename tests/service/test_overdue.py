"""The deadline list: each kind appears when its clock runs out and leaves when its action is done."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from service.audit.operations import Actor
from service.cli import cli
from service.context import EXTENSION
from service.decisions import operations as decisions
from service.overdue.operations import add_working_days, overdue_items
from tests.service.decision_seed import record, seeded, sound_input

pytestmark = pytest.mark.db



def _kinds(app: Flask, now: dt.datetime) -> list[str]:
    with app.extensions[EXTENSION].db.session() as session:
        return [item.kind for item in overdue_items(session, now=now)]


def test_working_days_skip_weekends_and_bank_holidays() -> None:
    assert add_working_days(dt.date(2026, 12, 17), 4) == dt.date(2026, 12, 23)  # Thu → Wed
    assert add_working_days(dt.date(2026, 12, 23), 2) == dt.date(2026, 12, 29)  # 25, 26→28 holidays


def test_decision_clocks_run_and_stop(app: Flask) -> None:
    meeting = seeded(app)
    recorded = dt.datetime.combine(meeting.date + dt.timedelta(days=2), dt.time(10), dt.UTC)
    decision_id = record(app, meeting.case_id("one"), sound_input(meeting.date), now=recorded)
    assert "decision_not_notified" not in _kinds(app, recorded + dt.timedelta(hours=47))
    assert _kinds(app, recorded + dt.timedelta(hours=49))[:1] == ["decision_not_notified"]
    letter_due = add_working_days(recorded.date(), 4)
    assert "letter_not_sent" not in _kinds(app, dt.datetime.combine(letter_due, dt.time(20), dt.UTC))
    late = dt.datetime.combine(letter_due + dt.timedelta(days=1), dt.time(9), dt.UTC)
    assert _kinds(app, late)[:2] == ["decision_not_notified", "letter_not_sent"]
    with app.extensions[EXTENSION].db.session() as session:
        decisions.mark_letter_sent(session, decision_id, channel="email", actor=Actor.system(), at=late)
    assert not {"decision_not_notified", "letter_not_sent"} & set(_kinds(app, late))


def test_reviews_past_due_are_listed_until_the_review_decision(app: Flask) -> None:
    meeting = seeded(app)
    data = sound_input(meeting.date)
    record(app, meeting.case_id("one"), data)
    after_review = dt.datetime.combine(data.review_date + dt.timedelta(days=1), dt.time(12), dt.UTC)
    assert "review_past_due" in _kinds(app, after_review)
    later = meeting.date + dt.timedelta(days=42)
    record(app, meeting.case_id("one"), sound_input(meeting.date, review_date=later))
    assert "review_past_due" not in _kinds(app, after_review)


def test_cli_and_api_print_the_same_lines(app: Flask, runner: CliRunner, client: FlaskClient,
                                          auth: Callable[..., dict[str, str]]) -> None:
    meeting = seeded(app)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    decision_id = record(app, meeting.case_id("one"), sound_input(meeting.date), now=old)
    result = runner.invoke(cli, ["overdue"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["kind"] for line in lines] == ["decision_not_notified", "letter_not_sent"]
    assert lines[0]["decision_id"] == str(decision_id) and lines[0]["case_id"] == meeting.case_id("one")
    assert set(lines[0]) == {"kind", "panel", "referral_id", "case_id", "case_ref", "decision_id", "due"}
    response = client.get("/api/v1/overdue", headers=auth("triage"))
    assert response.status_code == 200 and response.get_json() == lines
    assert client.get("/api/v1/overdue?panel=generic", headers=auth("chair")).get_json() == []
    assert client.get("/api/v1/overdue", headers=auth("auditor")).status_code == 403
    uuid.UUID(lines[0]["referral_id"])
