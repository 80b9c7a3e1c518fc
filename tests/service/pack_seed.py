"""Seeding a Barnet meeting with listed cases whose originals are really stored, for the packs tests."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask

from service.audit.operations import Actor
from service.context import EXTENSION
from service.meetings import listing
from service.meetings import operations as meetings
from service.models import Document, Referral
from service.referrals.operations import add_consent_event, update_triage
from tests.renderers.pack_helpers import form_pages
from tests.service.referral_helpers import record_for, seed

PANEL = "barnet-map"
CHILD = "Test Child Alpha"


def next_tuesday(after: dt.date, weeks: int = 2) -> dt.date:
    day = after + dt.timedelta(days=7 * weeks)
    return day + dt.timedelta(days=(1 - day.weekday()) % 7)


@dataclass
class SeededMeeting:
    meeting_id: uuid.UUID
    date: dt.date
    #: label -> (case id, referral id, case ref)
    cases: dict[str, tuple[str, uuid.UUID, str]]

    def case_id(self, label: str) -> str:
        return self.cases[label][0]

    def case_ref(self, label: str) -> str:
        return self.cases[label][2]


def _record(label: str, **changes: Any) -> dict[str, Any]:
    return record_for(PANEL, strengths=[f"{CHILD.split()[-1]} attends nursery every day ({label})"],
                      needs=["Speech delay; Test Parent Beta asks for help"], **changes)


def seed_meeting(app: Flask, labels: dict[str, dict[str, Any]], *,
                 today: dt.date | None = None) -> SeededMeeting:
    """Referrals (one per label, ``record_for`` changes), stored originals, then a meeting that lists them."""
    today = today or dt.date.today()
    store = app.extensions[EXTENSION].store
    with app.extensions[EXTENSION].db.session() as session:
        referrals: dict[str, uuid.UUID] = {}
        for label, changes in labels.items():
            referral = seed(session, _record(label, **changes), panel=PANEL)
            document = session.get(Document, referral.document_id)
            assert document is not None
            store.put(document.object_key, form_pages(2, f"original form {label}"),
                      content_type="application/pdf")
            referrals[label] = referral.id
        day = next_tuesday(today)
        meeting = meetings.create_meeting(session, PANEL, day, actor=Actor.system())
        listed = {case.referral_id: case for case in listing.meeting_cases(session, meeting.id)}
        for referral_id in referrals.values():
            if referral_id not in listed:
                listing.list_case(session, meeting.id, referral_id, "new", actor=Actor.system())
        listed = {case.referral_id: case for case in listing.meeting_cases(session, meeting.id)}
        cases = {label: (str(listed[rid].case_id), rid, listed[rid].case_ref)
                 for label, rid in referrals.items()}
        return SeededMeeting(meeting_id=meeting.id, date=day, cases=cases)


def withdraw_consent(app: Flask, referral_id: uuid.UUID, on: dt.date) -> None:
    with app.extensions[EXTENSION].db.session() as session:
        add_consent_event(session, referral_id, kind="withdrawn", scopes=["information_sharing"], on=on,
                          given_by="parent_carer", how_recorded="telephone call", actor=Actor.system())


def exclude(app: Flask, referral_id: uuid.UUID, organisation: str, on: dt.date) -> None:
    with app.extensions[EXTENSION].db.session() as session:
        add_consent_event(session, referral_id, kind="exclusions_noted", scopes=[], on=on,
                          given_by="parent_carer", excluded_agencies=[organisation],
                          how_recorded="telephone call", actor=Actor.system())


def chair_decides(app: Flask, referral_id: uuid.UUID, at: dt.datetime) -> None:
    with app.extensions[EXTENSION].db.session() as session:
        update_triage(session, referral_id, {"chair_override": {
            "decided_by": "chair", "decided_at": at.isoformat(), "reason": "welfare concern"}},
            replace=False, actor=Actor.system(), role=None)


def route(app: Flask, referral_id: uuid.UUID) -> str | None:
    with app.extensions[EXTENSION].db.session() as session:
        referral = session.get(Referral, referral_id)
        return referral.route if referral else None
