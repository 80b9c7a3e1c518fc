"""What the API and ``mapdocs referrals show`` return about a referral, as plain dictionaries.

Reading a referral's detail discloses family data, so :func:`describe_referral` audits
it; the list holds ids, routes, panels and dates only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.operations import Actor, record_event
from service.db import utcnow
from service.models import Document, Referral, ReferralEvaluation
from service.referrals.evaluation import corrections, triage_facts
from service.referrals.operations import (
    consent_timeline,
    document_ids,
    get_referral,
    latest_evaluation,
)
from service.rules import ConsentEvent, Scope
from service.rules.checks.existing import EXISTING


def describe_referral(session: Session, referral_id: uuid.UUID, *, actor: Actor,
                      now: dt.datetime | None = None) -> dict[str, Any]:
    referral = get_referral(session, referral_id)
    now = now or utcnow()
    evaluation = latest_evaluation(session, referral.id)
    findings = list(evaluation.findings) if evaluation else []
    timeline = consent_timeline(session, referral)
    state = timeline.consent_in_force(now)
    facts = triage_facts(referral)
    existing = next((f["data"] for f in findings if f["rule"] == EXISTING and f.get("route")), None)
    body = {
        **list_item(referral, now),
        "record": referral.record,
        "extracted_record": referral.extracted_record,
        "confidence": referral.extracted_confidence or {},
        "triage": facts.as_dict(),
        "basis": evaluation.basis if evaluation else None,
        "profile": evaluation.profile if evaluation else None,
        "evaluated_at": evaluation.evaluated_at if evaluation else None,
        "findings": findings,
        "existing_assessment": None if existing is None else {
            "referral_id": existing.get("referral_id"), "assessed_on": existing.get("assessed_on"),
            "lead_professional": existing.get("lead_professional"),
            "lead_agency": existing.get("lead_agency")},
        "social_care": {
            "due_at": referral.harm_due_at,
            "overdue": referral.harm_due_at is not None and referral.harm_due_at < now,
            "made_at": facts.social_care_referral.made_at if facts.social_care_referral else None,
            "recorded_by": facts.social_care_referral.recorded_by if facts.social_care_referral else None,
            "reference": referral.social_care_reference,
        },
        "consent": {
            "events": [_event(e) for e in timeline.events],
            "in_force": {str(scope): state[scope].in_force for scope in Scope},
            "excluded_agencies": list(state.excluded_agencies),
        },
        "versions": [{"version": row.version, "path": row.path,
                      "extracted_value": row.extracted_value.get("value"),
                      "previous_value": row.previous_value.get("value"),
                      "new_value": row.new_value.get("value"), "actor_type": row.actor_type,
                      "corrected_by": row.corrected_by, "corrected_at": row.corrected_at}
                     for row in corrections(session, referral.id)],
        "documents": _documents(session, referral),
        "checks": [{"route": e.route, "trigger": e.trigger, "evaluated_at": e.evaluated_at}
                   for e in session.scalars(select(ReferralEvaluation)
                                            .where(ReferralEvaluation.referral_id == referral.id)
                                            .order_by(ReferralEvaluation.evaluated_at.desc()))],
    }
    record_event(session, actor, "referral.read", object_type="referral", object_id=referral.id,
                 detail={"route": referral.route})
    session.commit()
    return body


def list_item(referral: Referral, now: dt.datetime) -> dict[str, Any]:
    """No names: what a list of referrals may show."""
    return {
        "id": referral.id,
        "panel": referral.panel,
        "document_id": referral.document_id,
        "status": referral.status,
        "route": referral.route,
        "created_at": referral.created_at,
        "updated_at": referral.updated_at,
        "linked_referral_id": referral.linked_referral_id,
        "social_care_due_at": referral.harm_due_at,
        "social_care_overdue": referral.harm_due_at is not None and referral.harm_due_at < now,
    }


def list_referrals(session: Session, *, panel: str | None = None, route: str | None = None,
                   overdue: bool | None = None, document_id: uuid.UUID | None = None, limit: int = 100,
                   now: dt.datetime | None = None) -> list[dict[str, Any]]:
    now = now or utcnow()
    query = select(Referral).order_by(Referral.created_at.desc()).limit(limit)
    if panel is not None:
        query = query.where(Referral.panel == panel)
    if route is not None:
        query = query.where(Referral.route == route)
    if document_id is not None:
        query = query.where(Referral.document_id == document_id)
    if overdue:
        query = query.where(Referral.harm_due_at.is_not(None), Referral.harm_due_at < now)
    return [list_item(r, now) for r in session.scalars(query)]


def _event(event: ConsentEvent) -> dict[str, Any]:
    return {"kind": str(event.kind), "scopes": sorted(str(s) for s in event.scopes),
            "on": event.on.isoformat() if event.on else None, "given_by": event.by,
            "excluded_agencies": list(event.excluded_agencies), "how_recorded": event.how_recorded,
            "source": "form" if event.source == "form" else "officer"}


def _documents(session: Session, referral: Referral) -> list[dict[str, Any]]:
    out = []
    for index, doc_id in enumerate(document_ids(session, referral)):
        document = session.get(Document, doc_id)
        if document is None:
            continue
        out.append({"id": document.id, "role": "first" if index == 0 else "attached",
                    "media_type": document.media_type, "uploaded_at": document.uploaded_at,
                    "sha256": document.sha256})
    return out
