"""Run the panel checks on a stored referral and keep the verdict.

Gathers what the pure engine (``service.rules.evaluate``) needs from the database —
the effective record, confidence (1.0 for corrected paths), triage facts, the later
consent events, when the form was received, and earlier assessments of the same
children for this panel — then stores one ``ReferralEvaluation`` row (history is
kept; the newest wins) and mirrors the route and the social-care clock on the referral.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.operations import Actor, record_event
from service.db import utcnow
from service.models import (
    CheckTrigger,
    ConsentEventRow,
    Document,
    Referral,
    ReferralCorrection,
    ReferralEvaluation,
)
from service.panels import catalogue
from service.referrals.paths import leaf_paths
from service.rules import (
    ConsentEvent,
    ConsentTimeline,
    EventKind,
    ExistingAssessment,
    Route,
    Scope,
    TriageFacts,
    evaluate,
)
from service.rules.checks.existing import EXISTING
from service.rules.checks.safeguarding import SIGNIFICANT_HARM
from service.rules.consent import parse_date
from service.rules.context import normalise_name

log = logging.getLogger(__name__)


def triage_facts(referral: Referral) -> TriageFacts:
    return TriageFacts.from_dict(referral.triage or {})


def corrections(session: Session, referral_id: Any) -> list[ReferralCorrection]:
    return list(session.scalars(select(ReferralCorrection)
                                .where(ReferralCorrection.referral_id == referral_id)
                                .order_by(ReferralCorrection.version)))


def engine_confidence(referral: Referral, rows: Iterable[ReferralCorrection]) -> dict[str, float]:
    """Extraction's confidence, with every corrected path (and all beneath it) confirmed."""
    confidence = {k: float(v) for k, v in (referral.extracted_confidence or {}).items()}
    for row in rows:
        for path in leaf_paths(row.path, row.new_value.get("value")):
            confidence[path] = 1.0
    return confidence


def consent_event(row: ConsentEventRow) -> ConsentEvent:
    return ConsentEvent(
        EventKind(row.kind), frozenset(Scope(s) for s in row.scopes), row.on, by=row.given_by,
        excluded_agencies=tuple(row.excluded_agencies or ()), how_recorded=row.how_recorded,
        source=f"officer:{row.id}")


def consent_rows(session: Session, referral_id: Any) -> list[ConsentEventRow]:
    return list(session.scalars(select(ConsentEventRow).where(ConsentEventRow.referral_id == referral_id)
                                .order_by(ConsentEventRow.recorded_at)))


def later_timeline(rows: Iterable[ConsentEventRow]) -> ConsentTimeline:
    return ConsentTimeline(tuple(consent_event(row) for row in rows))


def received_at(session: Session, referral: Referral) -> dt.datetime:
    """When the referral's first document arrived: the clocks and the consent-date check start here."""
    uploaded = session.scalar(select(Document.uploaded_at).where(Document.id == referral.document_id))
    return uploaded or referral.created_at


def existing_assessments(session: Session, referral: Referral) -> list[ExistingAssessment]:
    """Assessments held on earlier referrals to the same panel for any child of the same name.

    Only earlier referrals count, so two referrals of one child never point at each other.
    The engine decides the rest (date of birth or postcode, look-back window).
    """
    record = referral.record or {}
    names = {normalise_name(c.get("full_name")) for c in record.get("children") or [] if isinstance(c, dict)}
    names.discard("")
    if not names:
        return []
    rows = session.execute(
        select(Referral.id, Referral.record, Referral.created_at)
        .where(Referral.panel == referral.panel, Referral.id != referral.id,
               Referral.created_at < referral.created_at, Referral.record.is_not(None))
    ).all()
    found: list[ExistingAssessment] = []
    for other_id, other, created_at in rows:
        found.extend(_assessments(str(other_id), other or {}, created_at, names))
    return found


def _assessments(referral_id: str, record: dict[str, Any], created_at: dt.datetime,
                 names: set[str]) -> Iterable[ExistingAssessment]:
    assessed_on = parse_date(record.get("assessment_date")) or created_at.date()
    referrer = record.get("referrer") if isinstance(record.get("referrer"), dict) else {}
    lead = record.get("lead_professional") if isinstance(record.get("lead_professional"), dict) else referrer
    family = record.get("family") if isinstance(record.get("family"), dict) else {}
    for child in record.get("children") or []:
        if not isinstance(child, dict) or normalise_name(child.get("full_name")) not in names:
            continue
        yield ExistingAssessment(
            referral_id=referral_id, child_full_name=str(child.get("full_name")),
            date_of_birth=parse_date(child.get("date_of_birth")), postcode=(family or {}).get("postcode"),
            assessed_on=assessed_on, lead_professional=(lead or {}).get("full_name"),
            lead_agency=(lead or {}).get("agency"))


def run_checks(session: Session, referral: Referral, *, trigger: CheckTrigger, actor: Actor,
               now: dt.datetime | None = None) -> ReferralEvaluation | None:
    """Evaluate ``referral`` now and store the verdict; None while no record has been read.

    The caller commits. The audit event carries the route and rule ids only.
    """
    if referral.record is None:
        return None
    now = now or utcnow()
    panels = catalogue()
    panel = panels.panel(referral.panel)
    profile = panels.profile_for(panel)
    rows = corrections(session, referral.id)
    result = evaluate(
        referral.record, profile=profile, panel=panel, triage=triage_facts(referral),
        confidence=engine_confidence(referral, rows),
        consent_timeline=later_timeline(consent_rows(session, referral.id)),
        uploaded_at=received_at(session, referral), existing=existing_assessments(session, referral),
        evaluated_at=now)
    findings = [f.as_dict() for f in result.findings]
    evaluation = ReferralEvaluation(
        referral_id=referral.id, route=str(result.route),
        basis=None if result.basis is None else str(result.basis),
        findings=findings, profile=profile.slug, trigger=str(trigger), evaluated_at=now)
    session.add(evaluation)
    referral.route = str(result.route)
    referral.harm_due_at = _harm_due(findings)
    referral.linked_referral_id = _linked(findings)
    _list_if_ready(session, referral, now)
    record_event(session, actor, "referral.check", object_type="referral", object_id=referral.id,
                 detail={"trigger": str(trigger), "route": str(result.route), "profile": profile.slug,
                         "rules": sorted({f["rule"] for f in findings})})
    log.info("referral checked: route %s (%s)", result.route, trigger)
    return evaluation


def _list_if_ready(session: Session, referral: Referral, now: dt.datetime) -> None:
    """A ready referral is listed for its next meeting (``service.meetings``); never loses the verdict."""
    from service.meetings.listing import list_ready_referral  # meetings builds on referrals

    if referral.route != Route.READY_FOR_PANEL:
        return
    try:
        with session.begin_nested():
            list_ready_referral(session, referral, now=now)
    except Exception as exc:  # noqa: BLE001  (listing again later: `mapdocs meetings list-ready`)
        log.error("listing after checks failed: %s", type(exc).__name__)


def _harm_due(findings: Sequence[dict[str, Any]]) -> dt.datetime | None:
    """The social-care deadline while the clock runs (harm found, referral not yet recorded as made)."""
    for finding in findings:
        if finding["rule"] == SIGNIFICANT_HARM and finding["data"].get("referral_made_at") is None:
            return dt.datetime.fromisoformat(finding["data"]["due_at"])
    return None


def _linked(findings: Sequence[dict[str, Any]]) -> uuid.UUID | None:
    for finding in findings:
        if finding["rule"] == EXISTING and finding.get("route") == Route.JOIN_EXISTING_CAF:
            return uuid.UUID(finding["data"]["referral_id"])
    return None
