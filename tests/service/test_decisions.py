"""Recording decisions: the panel's rules, versions kept, audit, the review listed (operations level)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from flask import Flask
from sqlalchemy import select

from service.audit.operations import Actor
from service.context import EXTENSION
from service.decisions import operations as decisions
from service.decisions.errors import DecisionError, DecisionRuleBroken
from service.decisions.model import ActionInput
from service.models import AuditEvent, Decision, SupportPlan
from tests.service.decision_seed import record, seeded, sound_input

pytestmark = pytest.mark.db


def test_record_keeps_versions_and_lists_the_review(app: Flask) -> None:
    meeting = seeded(app)
    case_id = meeting.case_id("one")
    first = record(app, case_id, sound_input(meeting.date))
    second = record(app, case_id, sound_input(meeting.date, outcome_id="universal_plus", taf_date=None,
                                              review_date=meeting.date + dt.timedelta(days=42)))
    with app.extensions[EXTENSION].db.session() as session:
        versions = decisions.decision_versions(session, uuid.UUID(case_id))
        assert [(v.id, v.version) for v in versions] == [(first, 1), (second, 2)]
        assert versions[0].superseded_at is not None and versions[1].superseded_at is None
        assert versions[0].outcome_id == "initiate_caf"  # the earlier version is unchanged
        current = decisions.current_decision(session, uuid.UUID(case_id))
        assert current is not None and current.id == second and current.state == "recorded"
        assert current.outcome_label
        actions = [e.action for e in session.scalars(select(AuditEvent).where(
            AuditEvent.object_id == case_id, AuditEvent.action.like("decision.%")))]
        assert actions == ["decision.recorded", "decision.changed"]
        plan = session.scalar(select(SupportPlan).where(SupportPlan.referral_id == versions[1].referral_id))
        assert plan is not None and plan.review_due == meeting.date + dt.timedelta(days=42)
        assert plan.source == "decision"
        assert [d.id for d in decisions.decisions_for_meeting(session, meeting.meeting_id)] == [second]


@pytest.mark.parametrize(("changes", "message"), [
    ({"outcome_id": "made_up"}, "not one of this panel's outcomes"),
    ({"review_date_days": 43}, "maximum review interval of 42 days"),
    ({"review_date_days": 0}, "must fall after the meeting"),
    ({"taf_date": None}, "Team Around the Family"),
    ({"reason": "  "}, "reason is required"),
    ({"lead_contact": ""}, "contact is required"),
    ({"actions": (ActionInput("", "Health visitor", dt.date(2000, 1, 1)),)}, "action 1"),
])
def test_broken_rules_are_refused(app: Flask, changes: dict[str, object], message: str) -> None:
    meeting = seeded(app)
    days = changes.pop("review_date_days", None)
    if isinstance(days, int):
        changes["review_date"] = meeting.date + dt.timedelta(days=days)
    with pytest.raises(DecisionRuleBroken, match=message):
        record(app, meeting.case_id("one"), sound_input(meeting.date, **changes))
    with app.extensions[EXTENSION].db.session() as session:
        assert session.scalars(select(Decision)).first() is None


def test_delivery_marks_move_the_state(app: Flask) -> None:
    meeting = seeded(app)
    decision_id = record(app, meeting.case_id("one"), sound_input(meeting.date))
    with app.extensions[EXTENSION].db.session() as session:
        row = decisions.mark_notified(session, decision_id, actor=Actor.system())
        assert row.state == "notified"
        row = decisions.mark_letter_sent(session, decision_id, channel="post", actor=Actor.system())
        assert (row.state, row.letter_channel) == ("letter_sent", "post")
        with pytest.raises(DecisionError, match="email"):
            decisions.mark_letter_sent(session, decision_id, channel="pigeon", actor=Actor.system())
