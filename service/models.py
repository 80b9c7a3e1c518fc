"""The service's records (SQLAlchemy 2 typed models). The schema itself lives in Alembic migrations.

Ids are UUIDs (``Uuid``: native on PostgreSQL, 32 hex characters on SQLite). Rows hold
no serialisation logic: marshmallow schemas in ``service/api`` dump them.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    TRIAGE = "triage"
    ADMINISTRATOR = "administrator"
    CHAIR = "chair"
    PANEL_MEMBER = "panel_member"
    AUDITOR = "auditor"
    ADMIN = "admin"


class JobState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ReferralStatus(enum.StrEnum):
    RECEIVED = "received"
    EXTRACTED = "extracted"
    NEEDS_PASSWORD = "needs_password"
    NOT_A_FORM = "not_a_form"
    FAILED = "failed"


class RunStatus(enum.StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"


def _uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = _uuid_pk()
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    agency: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A bearer token; only its SHA-256 is kept. ``prefix`` identifies it to people (not secret)."""

    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = _uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Document(Base):
    """One original as received for one panel. The same bytes for two panels share one object."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("sha256", "panel", name="uq_documents_sha256_panel"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int | None] = mapped_column(Integer)
    object_key: Mapped[str] = mapped_column(String(255), index=True)
    storage_backend: Mapped[str] = mapped_column(String(16))
    panel: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)


class Referral(Base):
    """The record a document yields for its panel; updated by each extraction run."""

    __tablename__ = "referrals"

    id: Mapped[uuid.UUID] = _uuid_pk()
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), unique=True)
    panel: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(32), default=ReferralStatus.RECEIVED)
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # added by 0002_referral_checks: ``record`` above is the effective record (extraction merged
    # across the referral's documents, then the officers' corrections applied); what the
    # documents said is kept in ``extracted_record`` with its per-path confidence.
    extracted_record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    extracted_confidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: ``service.rules.TriageFacts.as_dict()``: what officers know or decide beside the record
    triage: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: the latest evaluation's route (history in ``referral_evaluations``)
    route: Mapped[str | None] = mapped_column(String(32), index=True)
    #: when the social-care referral is due while a significant-harm clock runs, else null
    harm_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    social_care_reference: Mapped[str | None] = mapped_column(String(100))
    #: the earlier referral whose assessment this one should join (existing work first)
    linked_referral_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("referrals.id", ondelete="SET NULL"), index=True)


class ExtractionRun(Base):
    __tablename__ = "extraction_runs"

    id: Mapped[uuid.UUID] = _uuid_pk()
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    extractor: Mapped[str] = mapped_column(String(64), default="")
    extractor_version: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(16))
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    confidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    issues: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error_slug: Mapped[str | None] = mapped_column(String(64))
    error_detail: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[uuid.UUID] = _uuid_pk()
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default=JobState.PENDING)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    pages_total: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(64))
    error_detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """Who did what to which object. ``detail`` holds ids and outcomes, never personal data."""

    __tablename__ = "audit_events"

    id: Mapped[uuid.UUID] = _uuid_pk()
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_type: Mapped[str] = mapped_column(String(16))  # user | link | system | anonymous
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(45))


class DisclosureLink(Base):
    """A ``/l/<token>`` link to one object: a document's original or a stored object key."""

    __tablename__ = "disclosure_links"

    id: Mapped[uuid.UUID] = _uuid_pk()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    object_key: Mapped[str | None] = mapped_column(String(255), index=True)
    media_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    purpose: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    open_count: Mapped[int] = mapped_column(Integer, default=0)



# --- referral checks (0002_referral_checks) ------------------------------------------------------


class CheckTrigger(enum.StrEnum):
    """What made the checks run again (kept on each evaluation row)."""

    EXTRACTION = "extraction"
    TRIAGE = "triage"
    CORRECTION = "correction"
    CONSENT = "consent"
    SOCIAL_CARE = "social_care"
    MANUAL = "manual"


class ReferralEvaluation(Base):
    """One run of the panel checks on a referral; the newest row is the referral's current verdict."""

    __tablename__ = "referral_evaluations"

    id: Mapped[uuid.UUID] = _uuid_pk()
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    route: Mapped[str] = mapped_column(String(32))
    basis: Mapped[str | None] = mapped_column(String(32))
    #: ``[{rule, severity, message, path, route, data}]`` in the engine's order (harm first)
    findings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    profile: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(16))
    evaluated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ReferralCorrection(Base):
    """One officer correction of one path: a new version of the record that keeps what was extracted."""

    __tablename__ = "referral_corrections"
    __table_args__ = (UniqueConstraint("referral_id", "version", name="uq_referral_corrections_version"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(200))
    #: the value the documents gave (null when they gave none), wrapped as ``{"value": ...}``
    extracted_value: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: the value before this correction (an earlier correction, or the extracted value)
    previous_value: Mapped[dict[str, Any]] = mapped_column(JSON)
    new_value: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor_type: Mapped[str] = mapped_column(String(16))
    corrected_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    corrected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReferralDocument(Base):
    """A later document (signed consent, rescan) attached to an existing referral."""

    __tablename__ = "referral_documents"

    id: Mapped[uuid.UUID] = _uuid_pk()
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), unique=True)
    attached_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    attached_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentEventRow(Base):
    """A consent event recorded after the form (given, refused, withdrawn); ``given_by`` is a role."""

    __tablename__ = "consent_events"

    id: Mapped[uuid.UUID] = _uuid_pk()
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    scopes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    on: Mapped[dt.date | None] = mapped_column(Date)
    given_by: Mapped[str | None] = mapped_column(String(64))
    excluded_agencies: Mapped[list[Any]] = mapped_column(JSON, default=list)
    how_recorded: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- panel meetings, listing and templates (0004_meetings) ---------------------------------------


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class CaseSection(enum.StrEnum):
    """Agenda sections, in the order the agenda lists them."""

    NEW = "new"
    REVIEW = "review"
    STEP_DOWN = "step_down"


class Meeting(Base):
    """One panel meeting; venue, time and membership copied from the panel when it was created."""

    __tablename__ = "meetings"

    id: Mapped[uuid.UUID] = _uuid_pk()
    panel: Mapped[str] = mapped_column(String(64), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    start_time: Mapped[str] = mapped_column(String(5))  # "HH:MM", local (Europe/London) time
    duration_minutes: Mapped[int] = mapped_column(Integer)
    venue: Mapped[str] = mapped_column(String(300))
    #: last day papers may arrive (inclusive), from the profile's working-day rule
    papers_deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.SCHEDULED, index=True)
    #: agency slugs from the panel's directory when the meeting was created
    members: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CaseRefCounter(Base):
    """The last case-reference sequence number issued per panel and year (row-locked on increment)."""

    __tablename__ = "case_ref_counters"

    panel: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class CaseReference(Base):
    """A referral's case reference (e.g. ``BAR-2026-0042``): documents use it instead of names."""

    __tablename__ = "case_references"

    id: Mapped[uuid.UUID] = _uuid_pk()
    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), unique=True)
    panel: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    case_ref: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class MeetingCase(Base):
    """A case listed for a meeting (its id is the ``case_id`` decisions refer to).

    ``meeting_id`` is null once a cancelled meeting's case had nowhere to go: the row is
    kept (same case id) and listed again when a meeting is available.
    """

    __tablename__ = "meeting_cases"

    id: Mapped[uuid.UUID] = _uuid_pk()
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    panel: Mapped[str] = mapped_column(String(64), index=True)
    case_ref: Mapped[str] = mapped_column(String(32), index=True)
    section: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    #: when the referral became ready for panel (null for reviews): the papers-deadline test
    ready_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    support_plan_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("support_plans.id", ondelete="SET NULL"), index=True)
    listed_by: Mapped[str] = mapped_column(String(16), default="system")  # system | user
    listed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SupportPlan(Base):
    """The minimum the listing needs of a family's support plan: when it is next reviewed.

    Decisions (a later issue) set ``review_due`` through ``listing.set_review_due``.
    """

    __tablename__ = "support_plans"

    id: Mapped[uuid.UUID] = _uuid_pk()
    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), unique=True)
    panel: Mapped[str] = mapped_column(String(64), index=True)
    review_due: Mapped[dt.date | None] = mapped_column(Date, index=True)
    source: Mapped[str] = mapped_column(String(32), default="manual")
    #: the review listing made for the current ``review_due`` (cleared when the date changes)
    listed_case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TemplateVersion(Base):
    """One uploaded Word template of one kind for one panel; the newest is used for new documents."""

    __tablename__ = "template_versions"
    __table_args__ = (UniqueConstraint("panel", "kind", "version", name="uq_template_versions_version"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    panel: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    object_key: Mapped[str] = mapped_column(String(255))
    storage_backend: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploader_type: Mapped[str] = mapped_column(String(16), default="user")
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- agenda packs and the information-sharing log (0005_packs) -----------------------------------


class PackBuild(Base):
    """One build of a meeting's agenda packs; the newest build is the one circulated."""

    __tablename__ = "pack_builds"

    id: Mapped[uuid.UUID] = _uuid_pk()
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: ``{"meeting_id", "packs": [{"agency", "file", "cases", "withheld"}]}`` as ``packs build`` writes it
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor_type: Mapped[str] = mapped_column(String(16))
    built_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    built_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class MeetingPack(Base):
    """One stored pack of a build: an agency's own, or ``full`` for the chair and administrators."""

    __tablename__ = "meeting_packs"
    __table_args__ = (UniqueConstraint("build_id", "agency", name="uq_meeting_packs_agency"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    build_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pack_builds.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    agency: Mapped[str] = mapped_column(String(64))
    file: Mapped[str] = mapped_column(String(80))
    object_key: Mapped[str] = mapped_column(String(255))
    storage_backend: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    #: case ids (``meeting_cases.id``) in the pack, in agenda order
    case_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    withheld: Mapped[int] = mapped_column(Integer, default=0)
    #: ``{case_id: {"referral_id", "case_ref", "basis", "chair_decision"}}`` decided at build time
    disclosures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_to: Mapped[str | None] = mapped_column(String(254))  # an agency's role mailbox, never a person's
    link_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("disclosure_links.id", ondelete="SET NULL"))


class InformationSharingEntry(Base):
    """Which family's information went to which agency, when, by whom, on what basis.

    Kept when the referral is later deleted (no foreign key): the log is the council's
    record of disclosures, and a deletion does not undo a disclosure.
    """

    __tablename__ = "information_sharing_log"

    id: Mapped[uuid.UUID] = _uuid_pk()
    shared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    case_ref: Mapped[str] = mapped_column(String(32))
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    pack_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    #: ``consent`` or ``safeguarding`` (with ``chair_decision``)
    basis: Mapped[str] = mapped_column(String(32))
    #: the chair's recorded decision ``{"decided_by", "decided_at"}`` when the basis is safeguarding
    chair_decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(16))  # link | attachment
    actor_type: Mapped[str] = mapped_column(String(16))
    shared_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class Decision(Base):
    """One version of the chair's decision for a listed case (earlier versions are kept).

    ``superseded_at`` is null on the current version. ``notified_at``, ``letter_sent_at``
    and ``letter_channel`` are the delivery states the deadline list reads.
    """

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("case_id", "version", name="uq_decisions_case_version"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meeting_cases.id", ondelete="CASCADE"), index=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    panel: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome_id: Mapped[str] = mapped_column(String(64))
    outcome_label: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text)
    lead_name: Mapped[str] = mapped_column(String(255))
    lead_agency: Mapped[str] = mapped_column(String(255))
    lead_contact: Mapped[str] = mapped_column(String(255))
    actions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    review_date: Mapped[dt.date] = mapped_column(Date, index=True)
    taf_date: Mapped[dt.date | None] = mapped_column(Date)
    child_views: Mapped[str | None] = mapped_column(Text)
    dissent: Mapped[str | None] = mapped_column(Text)
    actor_type: Mapped[str] = mapped_column(String(16))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    letter_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    letter_channel: Mapped[str | None] = mapped_column(String(16))  # email | post

    @property
    def state(self) -> str:
        """Delivery so far: recorded → notified → letter_sent (``DecisionState`` values)."""
        if self.letter_sent_at is not None:
            return "letter_sent"
        return "notified" if self.notified_at is not None else "recorded"


class OutcomeRating(Base):
    """Progress on one of the family's desired outcomes, rated at a review (0 = not met, 10 = fully met).

    ``outcome_index`` is the outcome's position in the referral record's ``desired_outcomes``;
    the text is copied so a later correction of the record does not rewrite past reviews.
    """

    __tablename__ = "outcome_ratings"

    id: Mapped[uuid.UUID] = _uuid_pk()
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    review_date: Mapped[dt.date] = mapped_column(Date)
    outcome_index: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(Text)
    rating: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    actor_type: Mapped[str] = mapped_column(String(16))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LetterDocument(Base):
    """A stored letter, notice or summary for a decided case (``service/letters``, 0007_letters).

    ``sent_at``/``channel`` record delivery: "email" (a ``/l/<token>`` link was mailed) or
    "post" (an administrator printed it). The address is not stored: it is read from the
    record when sending.
    """

    __tablename__ = "letter_documents"

    id: Mapped[uuid.UUID] = _uuid_pk()
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(16))  # family | referrer | professional
    kind: Mapped[str] = mapped_column(String(16))  # letter | notice | summary
    variant: Mapped[str] = mapped_column(String(16))  # standard | large_print
    file: Mapped[str] = mapped_column(String(200))
    object_key: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[str | None] = mapped_column(String(16))


class LetterLinkGate(Base):
    """A family letter's link asks for a child's date of birth first; 5 wrong tries lock it."""

    __tablename__ = "letter_link_gates"

    link_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disclosure_links.id", ondelete="CASCADE"),
                                               primary_key=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    passed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class FamilyContact(Base):
    """How a family wants its letters (``service/contacts``, 0008_family_contacts).

    Kept beside the referral, not in its record: the record is what the assessment form
    said (a fixed contract with no e-mail for parents/carers), while this is what triage
    or an administrator later learns from the family. One row per referral; ``email`` is
    stored lower-cased. ``channel`` is "email" or "post".
    """

    __tablename__ = "family_contacts"

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"),
                                                   primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    channel: Mapped[str] = mapped_column(String(16))
    large_print: Mapped[bool] = mapped_column(Boolean, default=False)
    actor_type: Mapped[str] = mapped_column(String(16))
    set_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class BatchKind(enum.StrEnum):
    LETTERS_BUILD = "letters.build"
    LETTERS_SEND = "letters.send"


class BatchJob(Base):
    """A meeting-level batch run in the background (``service/batches``, 0009_batch_jobs).

    ``done``/``total`` count cases (``letters.build``) or letters (``letters.send``) as the
    worker goes. ``result`` is what a finished batch reports — the letters manifest or the
    send report: case ids and file names, never a family's details. ``params`` keeps what the
    worker needs that only the request knew (the public base URL of links). ``attempts``
    counts runs, so a batch that keeps killing its worker is given up instead of retried for ever.
    """

    __tablename__ = "batch_jobs"

    id: Mapped[uuid.UUID] = _uuid_pk()
    kind: Mapped[str] = mapped_column(String(32))
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=JobState.PENDING)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(64))
    error_detail: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ActionStatusChange(Base):
    """A change of one agreed action's status between decisions (``service/tracking``, 0010_tracking).

    The action is the ``action_index``-th (from 0) of the case's decision version
    ``decision_id``; its text is copied so that a later version which reorders or replaces
    actions does not inherit a status meant for another action. Rows are never edited: the
    newest one for an action is its status.
    """

    __tablename__ = "action_status_changes"

    id: Mapped[uuid.UUID] = _uuid_pk()
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meeting_cases.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"))
    action_index: Mapped[int] = mapped_column(Integer)
    action_what: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # open | in_progress | done | dropped
    note: Mapped[str | None] = mapped_column(Text)
    actor_type: Mapped[str] = mapped_column(String(16))
    set_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class TrackingFormVersion(Base):
    """One stored build of a family's tracking form (``service/tracking``, 0010_tracking).

    A version is made whenever a rating, a decision or an action status changes, so what
    the form said after each review can be shown later. ``sources`` counts the decisions,
    ratings and status changes it was built from: when the counts move on, the form is
    stale. ``pdf_key`` stays empty until someone asks for the PDF (LibreOffice is slow).
    """

    __tablename__ = "tracking_form_versions"
    __table_args__ = (UniqueConstraint("referral_id", "version", name="uq_tracking_form_versions_version"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(32))  # rating | decision | action_status | catch_up
    sources: Mapped[str] = mapped_column(String(64))
    docx_key: Mapped[str] = mapped_column(String(300))
    csv_key: Mapped[str] = mapped_column(String(300))
    pdf_key: Mapped[str | None] = mapped_column(String(300))
    actor_type: Mapped[str] = mapped_column(String(16))
    built_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    built_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
