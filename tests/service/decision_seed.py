"""A Barnet meeting with listed cases and a sound decision, for the decisions, overdue and tracking tests."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Flask

from service.audit.operations import Actor
from service.context import EXTENSION
from service.decisions import operations as decisions
from service.decisions.model import ActionInput, DecisionInput
from service.models import Decision
from tests.service.pack_seed import SeededMeeting, seed_meeting


def decision_body(day: dt.date, **changes: Any) -> dict[str, Any]:
    """A valid ``POST /cases/<id>/decision`` body for a meeting on ``day``, with ``changes`` applied."""
    body: dict[str, Any] = {
        "outcome": "universal_plus", "reason": "Nursery and the health visitor can meet the needs together.",
        "lead_professional": {"name": "Test Lead Epsilon", "agency": "Barnet Early Help Hub",
                              "contact": "early.help@example.org"},
        "review_date": (day + dt.timedelta(days=42)).isoformat(),
        "actions": [{"what": "Book a hearing test", "who": "Health visitor",
                     "by": (day + dt.timedelta(days=10)).isoformat()}],
    }
    body.update(changes)
    return body


def sound_input(meeting_date: dt.date, **changes: Any) -> DecisionInput:
    """A decision Barnet's rules accept (review in four weeks, a TAF in one)."""
    values: dict[str, Any] = {
        "outcome_id": "initiate_caf",
        "reason": "The family asked for help with speech and sleep; nursery sees progress with support.",
        "lead_name": "Test Lead Epsilon", "lead_agency": "Barnet Early Help Hub",
        "lead_contact": "early.help@example.org",
        "review_date": meeting_date + dt.timedelta(days=28),
        "taf_date": meeting_date + dt.timedelta(days=7),
        "actions": (ActionInput("Refer to speech and language therapy", "Health visitor",
                                meeting_date + dt.timedelta(days=14)),),
        "child_views": "The child drew what helps at nursery; the plan keeps those activities.",
    }
    values.update(changes)
    return DecisionInput(**values)


def seeded(app: Flask, *labels: str) -> SeededMeeting:
    return seed_meeting(app, {label: {} for label in labels or ("one",)})


def record(app: Flask, case_id: str, data: DecisionInput, *, now: dt.datetime | None = None) -> uuid.UUID:
    with app.extensions[EXTENSION].db.session() as session:
        row: Decision = decisions.record_decision(session, uuid.UUID(case_id), data, actor=Actor.system(),
                                                  now=now)
        return row.id
