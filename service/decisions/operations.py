"""Recording a chair's decision (versioned, audited) and the delivery marks letters set.

A decision is recorded against a listed case. Changing it adds a new version and marks
the previous one superseded: earlier versions stay as they were, so what a family was
told can always be shown. The review date is passed on to the meeting listing so the
review is listed for a later meeting.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.audit.operations import Actor, record_event
from service.db import utcnow
from service.decisions.errors import DecisionError, DecisionNotFound, DecisionRuleBroken
from service.decisions.model import DecisionInput, LetterChannel, check_decision
from service.meetings import listing
from service.meetings.queries import panel_for
from service.models import Decision, Meeting, MeetingCase, Referral
from service.panels import get_profile
from service.tracking.versions import Trigger, refresh_quietly
from storage import ObjectStore

log = logging.getLogger(__name__)


def _meeting_date(session: Session, case: MeetingCase, now: dt.datetime) -> dt.date:
    meeting = session.get(Meeting, case.meeting_id) if case.meeting_id else None
    return meeting.date if meeting is not None else listing.uk_date(now)


def record_decision(session: Session, case_id: uuid.UUID, decision: DecisionInput, *, actor: Actor,
                    now: dt.datetime | None = None, store: ObjectStore | None = None) -> Decision:
    """Record (or change) a listed case's decision; DecisionRuleBroken lists every broken rule. Commits.

    With ``store``, the family's tracking form is then stored as a new version (``service.tracking``).
    """
    now = now or utcnow()
    case = listing.case_for(session, case_id)
    referral = session.get(Referral, case.referral_id)
    if referral is None:  # the row cascades with its referral; kept for the type checker
        raise DecisionNotFound("The listed case has no referral")
    profile = get_profile(panel_for(referral.panel))
    problems = check_decision(decision, profile, _meeting_date(session, case, now))
    if problems:
        raise DecisionRuleBroken("; ".join(problems), problems=problems)
    previous = current_decision(session, case.id)
    version = 1 + (session.scalar(select(func.max(Decision.version)).where(Decision.case_id == case.id)) or 0)
    if previous is not None:
        previous.superseded_at = now
    outcome = profile.outcome(decision.outcome_id)
    row = Decision(
        case_id=case.id, referral_id=referral.id, meeting_id=case.meeting_id, panel=referral.panel,
        version=version, outcome_id=decision.outcome_id, outcome_label=outcome.label if outcome else "",
        reason=decision.reason.strip(), lead_name=decision.lead_name.strip(),
        lead_agency=decision.lead_agency.strip(), lead_contact=decision.lead_contact.strip(),
        actions=[action.as_json() for action in decision.actions], review_date=decision.review_date,
        taf_date=decision.taf_date, child_views=_text(decision.child_views), dissent=_text(decision.dissent),
        actor_type=actor.kind, recorded_by=actor.id if actor.kind == "user" else None, recorded_at=now)
    session.add(row)
    session.flush()
    record_event(session, actor, "decision.recorded" if previous is None else "decision.changed",
                 object_type="case", object_id=case.id,
                 detail={"decision_id": str(row.id), "version": version, "outcome": decision.outcome_id,
                         "review_date": decision.review_date.isoformat()})
    log.info("decision recorded: version %d, outcome %s", version, decision.outcome_id)
    listing.set_review_due(session, referral.id, decision.review_date, actor=actor, source="decision",
                           now=now)
    session.commit()
    if store is not None:
        refresh_quietly(session, store, case.id, trigger=Trigger.DECISION, actor=actor)
    return row


def _text(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def current_decision(session: Session, case_id: uuid.UUID) -> Decision | None:
    return session.scalar(select(Decision).where(Decision.case_id == case_id)
                          .order_by(Decision.version.desc()).limit(1))


def decision_versions(session: Session, case_id: uuid.UUID) -> list[Decision]:
    query = select(Decision).where(Decision.case_id == case_id).order_by(Decision.version)
    return list(session.scalars(query))


def get_decision(session: Session, decision_id: uuid.UUID) -> Decision:
    row = session.get(Decision, decision_id)
    if row is None:
        raise DecisionNotFound()
    return row


def decisions_for_meeting(session: Session, meeting_id: uuid.UUID) -> list[Decision]:
    """The current decision of each case the meeting lists, in listing order (undecided cases left out)."""
    found = []
    for case in listing.meeting_cases(session, meeting_id):
        row = current_decision(session, case.case_id)
        if row is not None:
            found.append(row)
    return found


def mark_notified(session: Session, decision_id: uuid.UUID, *, actor: Actor,
                  at: dt.datetime | None = None) -> Decision:
    """The family and referrer were told of the decision. Commits; a second mark keeps the first time."""
    row = get_decision(session, decision_id)
    if row.notified_at is None:
        row.notified_at = at or utcnow()
        record_event(session, actor, "decision.notified", object_type="decision", object_id=row.id)
    session.commit()
    return row


def mark_letter_sent(session: Session, decision_id: uuid.UUID, *, channel: str, actor: Actor,
                     at: dt.datetime | None = None) -> Decision:
    """The family's letter went out (``email`` link or ``post``); also counts as notified. Commits."""
    row = get_decision(session, decision_id)
    if channel not in set(LetterChannel):
        raise DecisionError("A letter's channel is 'email' (a link was sent) or 'post' (printed for post)")
    chosen = LetterChannel(channel)
    moment = at or utcnow()
    if row.notified_at is None:
        row.notified_at = moment
    if row.letter_sent_at is None:
        row.letter_sent_at = moment
        row.letter_channel = str(chosen)
        record_event(session, actor, "decision.letter_sent", object_type="decision", object_id=row.id,
                     detail={"channel": str(chosen)})
    session.commit()
    return row
