"""Referral actions behind the API and CLI: read, correct, triage, consent, social care, attach.

Plain functions taking a session and plain values (no Flask). Every change is one
transaction: the change, its audit event and the re-run of the checks commit together.
Audit details hold ids, paths and outcomes, never a value from the record.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from extractors.base import ExtractionContext
from service.audit.operations import Actor, record_event
from service.db import utcnow
from service.errors import NotFound
from service.models import (
    CheckTrigger,
    ConsentEventRow,
    Document,
    ExtractionRun,
    Referral,
    ReferralCorrection,
    ReferralDocument,
    ReferralEvaluation,
    ReferralStatus,
    Role,
    RunStatus,
)
from service.referrals.errors import (
    AlreadyAnotherReferral,
    ChairOnly,
    InvalidConsentEvent,
    InvalidCorrection,
    InvalidTriage,
    NoRecordYet,
)
from service.referrals.evaluation import (
    consent_rows,
    corrections,
    later_timeline,
    run_checks,
    triage_facts,
)
from service.referrals.merge import merge_extractions
from service.referrals.paths import check_value, get_value, set_value
from service.rules import (
    ConsentEvent,
    ConsentState,
    ConsentTimeline,
    EventKind,
    Route,
    Scope,
    SocialCareReferral,
    TriageError,
    TriageFacts,
    consent_timeline_for,
)
from storage import ObjectStore

if TYPE_CHECKING:  # documents.operations imports this module: no import cycle at run time
    from service.documents.operations import IngestOutcome, JobQueue

log = logging.getLogger(__name__)

CHAIR_KEY = "chair_override"


# --- reading -------------------------------------------------------------------------------------

def get_referral(session: Session, referral_id: uuid.UUID) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotFound("No referral with this id")
    return referral


def referral_for_document(session: Session, document_id: uuid.UUID) -> tuple[Referral | None, bool]:
    """The referral a document belongs to, and whether it was attached (rather than the first document)."""
    referral = session.scalar(select(Referral).where(Referral.document_id == document_id))
    if referral is not None:
        return referral, False
    link = session.scalar(select(ReferralDocument).where(ReferralDocument.document_id == document_id))
    if link is None:
        return None, False
    return session.get(Referral, link.referral_id), True


def latest_evaluation(session: Session, referral_id: uuid.UUID) -> ReferralEvaluation | None:
    return session.scalar(select(ReferralEvaluation).where(ReferralEvaluation.referral_id == referral_id)
                          .order_by(ReferralEvaluation.evaluated_at.desc()).limit(1))


def document_ids(session: Session, referral: Referral) -> list[uuid.UUID]:
    """The first document, then attached ones in the order they arrived."""
    attached = session.scalars(select(ReferralDocument.document_id)
                               .where(ReferralDocument.referral_id == referral.id)
                               .order_by(ReferralDocument.attached_at)).all()
    return [referral.document_id, *attached]


# --- extraction → record → checks ----------------------------------------------------------------

def apply_extraction(session: Session, document: Document, *, status: ReferralStatus) -> Referral:
    """After a run on ``document``: rebuild its referral's record and run the checks.

    The run itself must already be in ``session``. A first document sets the referral's
    status; an attached one only adds what it read (a failed rescan changes nothing).
    """
    referral, attached = referral_for_document(session, document.id)
    if referral is None:
        referral = Referral(document_id=document.id, panel=document.panel)
        session.add(referral)
        session.flush()
    if not attached:
        referral.status = status
    refresh_record(session, referral)
    if referral.extracted_record is not None and attached:
        referral.status = ReferralStatus.EXTRACTED
    try:
        run_checks(session, referral, trigger=CheckTrigger.EXTRACTION, actor=Actor.system())
    except Exception as exc:  # noqa: BLE001  (a rules bug must not lose the extraction; nothing is final)
        log.error("checks failed after extraction: %s", type(exc).__name__)
        referral.route = Route.NEEDS_REVIEW  # unchecked is never final: an officer looks at it
        record_event(session, Actor.system(), "referral.check_failed", object_type="referral",
                     object_id=referral.id, detail={"error": type(exc).__name__})
    return referral


def _latest_success(session: Session, document_id: uuid.UUID) -> ExtractionRun | None:
    return session.scalar(select(ExtractionRun).where(ExtractionRun.document_id == document_id,
                                                      ExtractionRun.status == RunStatus.SUCCEEDED)
                          .order_by(ExtractionRun.created_at.desc()).limit(1))


def refresh_record(session: Session, referral: Referral) -> None:
    """Extracted record = the documents merged; effective record = that plus every correction, in order."""
    runs = [_latest_success(session, doc_id) for doc_id in document_ids(session, referral)]
    extracted, confidence = merge_extractions((run.record, run.confidence or {}) for run in runs if run)
    referral.extracted_record = extracted
    referral.extracted_confidence = confidence
    referral.record = _with_corrections(extracted, corrections(session, referral.id))


def _with_corrections(extracted: Mapping[str, Any] | None,
                      rows: Iterable[ReferralCorrection]) -> dict[str, Any] | None:
    if extracted is None:
        return None
    record = copy.deepcopy(dict(extracted))
    for row in rows:
        try:
            set_value(record, row.path, copy.deepcopy(row.new_value.get("value")))
        except InvalidCorrection:  # an item a later document no longer has: the row stays in history
            continue
    return record


# --- corrections ---------------------------------------------------------------------------------

def correct_referral(session: Session, referral_id: uuid.UUID, changes: Mapping[str, Any], *,
                     actor: Actor) -> list[ReferralCorrection]:
    """Apply ``{path: value}``: each path becomes a new version keeping the extracted value; re-check.

    Every path and value is checked against the record schema before anything is
    written, so a bad one leaves the referral unchanged.
    """
    referral = get_referral(session, referral_id)
    if referral.record is None:
        raise NoRecordYet()
    if not changes:
        raise InvalidCorrection("Give at least one field path and its new value")
    checked = [(path, check_value(path, value)) for path, value in changes.items()]
    record = copy.deepcopy(referral.record)
    version = session.scalar(select(func.max(ReferralCorrection.version))
                             .where(ReferralCorrection.referral_id == referral.id)) or 0
    rows: list[ReferralCorrection] = []
    for path, value in checked:
        previous = get_value(record, path)
        set_value(record, path, value)
        version += 1
        rows.append(ReferralCorrection(
            referral_id=referral.id, version=version, path=path,
            extracted_value={"value": get_value(referral.extracted_record, path)},
            previous_value={"value": previous}, new_value={"value": value}, actor_type=actor.kind,
            corrected_by=actor.id if actor.kind == "user" else None, corrected_at=utcnow()))
    session.add_all(rows)
    referral.record = record
    record_event(session, actor, "referral.correct", object_type="referral", object_id=referral.id,
                 detail={"paths": [path for path, _ in checked], "versions": [r.version for r in rows]})
    run_checks(session, referral, trigger=CheckTrigger.CORRECTION, actor=actor)
    session.commit()
    return rows


# --- triage facts --------------------------------------------------------------------------------

def update_triage(session: Session, referral_id: uuid.UUID, data: Mapping[str, Any], *, replace: bool,
                  actor: Actor, role: Role | None) -> Referral:
    """Replace (PUT) or merge (PATCH) the triage facts; re-check.

    Only a chair records, changes or removes the decision to proceed without consent,
    and a chair changes nothing else here. ``role`` None (the CLI, the system) is not limited.
    """
    referral = get_referral(session, referral_id)
    current = triage_facts(referral).as_dict()
    merged = dict(data) if replace else {**current, **data}
    facts = read_triage(merged)
    new = facts.as_dict()
    changed = sorted(key for key in new if new[key] != current.get(key))
    if role is not None:
        if CHAIR_KEY in changed and role is not Role.CHAIR:
            raise ChairOnly()
        if role is Role.CHAIR and set(changed) - {CHAIR_KEY}:
            raise ChairOnly("A chair records only the decision to proceed without consent; "
                            "ask a triage officer to change the other facts")
    referral.triage = new
    record_event(session, actor, "referral.triage", object_type="referral", object_id=referral.id,
                 detail={"changed": changed})
    run_checks(session, referral, trigger=CheckTrigger.TRIAGE, actor=actor)
    session.commit()
    return referral


def read_triage(data: Mapping[str, Any]) -> TriageFacts:
    """``TriageFacts.from_dict`` with its error turned into a 422 problem naming the key."""
    try:
        return TriageFacts.from_dict(data)
    except TriageError as exc:
        message = str(exc)
        key = message.split(":", 1)[0]
        raise InvalidTriage(message, errors={key: [message.split(":", 1)[-1].strip()]}) from None


def record_social_care_referral(session: Session, referral_id: uuid.UUID, *, made_at: dt.datetime,
                                reference: str | None, by: str | None, actor: Actor) -> Referral:
    """An officer records that the referral to children's social care was made: the clock stops."""
    referral = get_referral(session, referral_id)
    if made_at.tzinfo is None:
        made_at = made_at.replace(tzinfo=dt.UTC)
    recorded_by = by or (str(actor.id) if actor.id else actor.kind)
    facts = dataclasses.replace(triage_facts(referral),
                                social_care_referral=SocialCareReferral(made_at, recorded_by))
    referral.triage = facts.as_dict()
    referral.social_care_reference = reference
    record_event(session, actor, "referral.social_care_referral", object_type="referral",
                 object_id=referral.id, detail={"made_at": made_at.isoformat(),
                                                "with_reference": reference is not None})
    run_checks(session, referral, trigger=CheckTrigger.SOCIAL_CARE, actor=actor)
    session.commit()
    return referral


def overdue_social_care(session: Session, *, now: dt.datetime | None = None,
                        panel: str | None = None) -> list[Referral]:
    """Referrals whose significant-harm clock has run out with no social-care referral recorded."""
    query = select(Referral).where(Referral.harm_due_at.is_not(None),
                                   Referral.harm_due_at < (now or utcnow()))
    if panel is not None:
        query = query.where(Referral.panel == panel)
    return list(session.scalars(query.order_by(Referral.harm_due_at)))


# --- consent -------------------------------------------------------------------------------------

def add_consent_event(session: Session, referral_id: uuid.UUID, *, kind: str, scopes: Sequence[str],
                      on: dt.date | None, given_by: str | None, excluded_agencies: Sequence[str] = (),
                      how_recorded: str | None = None, actor: Actor) -> ConsentEventRow:
    """Record consent given, refused or withdrawn after the form; re-check."""
    referral = get_referral(session, referral_id)
    try:
        event = ConsentEvent(EventKind(kind), frozenset(Scope(s) for s in scopes), on, by=given_by,
                             excluded_agencies=tuple(excluded_agencies), how_recorded=how_recorded)
    except ValueError as exc:
        raise InvalidConsentEvent(f"{exc}.") from None
    if event.kind is EventKind.WITHDRAWN and not (given_by and how_recorded):
        raise InvalidConsentEvent("A withdrawal must say who withdrew (given_by) and how it was recorded "
                                  "(how_recorded).")
    row = ConsentEventRow(referral_id=referral.id, kind=str(event.kind),
                          scopes=sorted(str(s) for s in event.scopes), on=on, given_by=given_by,
                          excluded_agencies=list(event.excluded_agencies), how_recorded=how_recorded,
                          recorded_by=actor.id if actor.kind == "user" else None, recorded_at=utcnow())
    session.add(row)
    session.flush()
    record_event(session, actor, "referral.consent_event", object_type="referral", object_id=referral.id,
                 detail={"event_id": str(row.id), "kind": row.kind, "scopes": row.scopes,
                         "exclusions": len(row.excluded_agencies)})
    run_checks(session, referral, trigger=CheckTrigger.CONSENT, actor=actor)
    session.commit()
    return row


def consent_timeline(session: Session, referral: Referral) -> ConsentTimeline:
    """The form's consent (as confirmed by officers) followed by every later event."""
    return consent_timeline_for(referral.record or {}, triage_facts(referral),
                                later_timeline(consent_rows(session, referral.id)))


def consent_in_force(session: Session, referral_id: uuid.UUID, at: dt.datetime | dt.date) -> ConsentState:
    """Where consent stands at ``at``: packs and letters call this again when they are built."""
    state: ConsentState = consent_timeline(session, get_referral(session, referral_id)).consent_in_force(at)
    return state


# --- attaching a later document ------------------------------------------------------------------

def attach_document(session: Session, store: ObjectStore, ctx: ExtractionContext, referral_id: uuid.UUID,
                    *, data: bytes, password: str | None, key_secret: bytes, max_bytes: int,
                    actor: Actor, jobs: JobQueue | None = None) -> IngestOutcome:
    """Receive a later document for an existing referral (same checks as an upload) and re-read it.

    The same bytes already received as another referral's document are refused: one
    original belongs to one referral. With ``jobs`` the extraction is queued, as for
    an upload; when it finishes the referral is re-read and checked.
    """
    from service.documents.operations import ingest_document

    referral = get_referral(session, referral_id)
    sha256 = hashlib.sha256(data).hexdigest()
    existing = session.scalar(select(Document).where(Document.sha256 == sha256,
                                                     Document.panel == referral.panel))
    if existing is not None and existing.id not in document_ids(session, referral):
        raise AlreadyAnotherReferral()
    panel = referral.panel
    outcome = ingest_document(session, store, ctx, data=data, panel=panel, password=password,
                              key_secret=key_secret, max_bytes=max_bytes, actor=actor,
                              attach_to=referral.id, jobs=jobs)
    record_event(session, actor, "referral.attach", object_type="referral", object_id=referral_id,
                 detail={"document_id": str(outcome.document.id), "created": outcome.created})
    session.commit()
    return outcome

