"""Request and response schemas of the JSON API (and the OpenAPI components they become)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate
from werkzeug.datastructures import FileStorage

from service.records.schema import ReferralRecordSchema


class FileField(Upload):  # type: ignore[misc]  # untyped library
    """A multipart file part; a plain text field of the same name is a validation error."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> FileStorage:
        if not isinstance(value, FileStorage):
            raise ma.ValidationError("Not a file.")
        return value


class UploadSchema(ma.Schema):
    file = FileField(required=True,
                     metadata={"description": "PDF, DOCX, PNG, JPEG or TIFF; the bytes decide"})
    panel = fields.String(required=True, metadata={"example": "hackney-mat"})
    password = fields.String(load_default=None, metadata={
        "description": "opens an encrypted PDF; used in memory, never stored"})


class JobRefSchema(ma.Schema):
    id = fields.UUID(required=True)
    state = fields.String(required=True, metadata={"enum": ["pending", "running", "succeeded", "failed"]})


class UploadResponseSchema(ma.Schema):
    """Dumped from an ``IngestOutcome``: the same body for the HTTP API and ``mapdocs ingest``."""

    id = fields.UUID(attribute="document.id", required=True)
    sha256 = fields.String(attribute="document.sha256", required=True)
    media_type = fields.String(attribute="document.media_type", required=True)
    panel = fields.String(attribute="document.panel", required=True)
    job = fields.Nested(JobRefSchema, required=True)


class DocumentSchema(ma.Schema):
    id = fields.UUID(attribute="document.id")
    sha256 = fields.String(attribute="document.sha256")
    media_type = fields.String(attribute="document.media_type")
    size = fields.Integer(attribute="document.size")
    page_count = fields.Integer(attribute="document.page_count", allow_none=True)
    panel = fields.String(attribute="document.panel")
    encrypted = fields.Boolean(attribute="document.encrypted")
    uploaded_at = fields.DateTime(attribute="document.uploaded_at")
    uploaded_by = fields.UUID(attribute="document.uploaded_by", allow_none=True)
    status = fields.String(allow_none=True, metadata={"description": "the referral's status"})
    job = fields.Nested(JobRefSchema, allow_none=True, metadata={"description": "the latest job"})


class ErrorRefSchema(ma.Schema):
    type = fields.String(required=True, metadata={"example": "encrypted-document"})
    detail = fields.String(required=True)


class IssueSchema(ma.Schema):
    path = fields.String(allow_none=True)
    severity = fields.String(validate=validate.OneOf(["info", "warning", "error"]))
    message = fields.String()
    code = fields.String(allow_none=True, metadata={"description": "stable issue slug, e.g. active-content"})


def _run_error(run: Any) -> dict[str, str] | None:
    if run.error_slug is None:
        return None
    return {"type": run.error_slug, "detail": run.error_detail or ""}


class ExtractionRecordSchema(ma.Schema):
    """The latest extraction run of a document."""

    run_id = fields.UUID(attribute="id")
    document_id = fields.UUID()
    status = fields.String()
    record = fields.Nested(ReferralRecordSchema, allow_none=True)
    confidence = fields.Dict(keys=fields.String(), values=fields.Float(),
                             metadata={"description": "per record path, 0..1"})
    provenance = fields.Dict(keys=fields.String(), values=fields.Dict(),
                             metadata={"description": "per record path: {page, bbox} or {part, table, row, "
                                                      "cell, paragraph}"})
    issues = fields.List(fields.Nested(IssueSchema))
    error = fields.Function(_run_error, metadata={"type": "object", "nullable": True})
    extractor = fields.String()
    extractor_version = fields.String()
    duration_ms = fields.Integer()
    created_at = fields.DateTime()


def _job_errors(job: Any) -> list[dict[str, str]]:
    return [{"type": job.error, "detail": job.error_detail or ""}] if job.error else []


class JobSchema(ma.Schema):
    id = fields.UUID(required=True)
    state = fields.String(required=True)
    pages_done = fields.Integer(required=True)
    pages_total = fields.Integer(allow_none=True)
    errors = fields.Function(_job_errors, metadata={
        "type": "array", "items": {"type": "object"},
        "description": "why a failed job failed: {type, detail}; type is a problem slug such as "
                       "not-an-assessment-form, damaged-document, resource-limit-exceeded, "
                       "extraction-timeout (the job time limit) or original-unavailable"})


class ExtractArgsSchema(ma.Schema):
    password = fields.String(load_default=None)


class LinkCreateSchema(ma.Schema):
    purpose = fields.String(load_default="original", validate=validate.Length(min=1, max=64))
    ttl_seconds = fields.Integer(load_default=None, validate=validate.Range(min=1, max=90 * 24 * 3600))


class LinkSchema(ma.Schema):
    id = fields.UUID(attribute="link.id", required=True)
    url = fields.String(required=True)
    expires_at = fields.DateTime(attribute="link.expires_at", required=True)


class AuditEventSchema(ma.Schema):
    id = fields.UUID()
    at = fields.DateTime()
    actor_type = fields.String()
    actor_id = fields.UUID(allow_none=True)
    action = fields.String()
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    detail = fields.Dict()
    ip = fields.String(allow_none=True)


class AuditQuerySchema(ma.Schema):
    object_id = fields.String(load_default=None)
    action = fields.String(load_default=None)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


# --- referrals (checks, triage, corrections, consent) --------------------------------------------

ROUTES = ["refer_to_social_care_now", "needs_review", "awaiting_chair_decision", "signpost",
          "join_existing_caf", "consent_missing", "not_eligible", "needs_information", "ready_for_panel"]


class OpenObjectSchema(ma.Schema):
    """A JSON object of any keys (field path → value, triage facts): read as is, checked by the operation."""

    class Meta:  # noqa: D106
        unknown = ma.INCLUDE


class FindingSchema(ma.Schema):
    rule = fields.String(required=True, metadata={"example": "consent.missing"})
    severity = fields.String(required=True, validate=validate.OneOf(["blocker", "warning", "info"]))
    message = fields.String(required=True, metadata={"description": "plain English, names no one"})
    path = fields.String(allow_none=True, metadata={"example": "consent.information_sharing"})
    route = fields.String(allow_none=True, metadata={"description": "the route a blocker asks for"})
    data = fields.Dict(metadata={"description": "details for screens (due times, lead professional); not "
                                                "for logs"})


class ReferralListItemSchema(ma.Schema):
    id = fields.UUID(required=True)
    panel = fields.String(required=True)
    document_id = fields.UUID(required=True, metadata={"description": "the first document received"})
    status = fields.String(required=True)
    route = fields.String(allow_none=True, validate=validate.OneOf(ROUTES))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    linked_referral_id = fields.UUID(allow_none=True,
                                     metadata={"description": "the earlier referral to join (existing CAF)"})
    social_care_due_at = fields.DateTime(allow_none=True)
    social_care_overdue = fields.Boolean()


class ReferralQuerySchema(ma.Schema):
    panel = fields.String(load_default=None)
    route = fields.String(load_default=None, validate=validate.OneOf(ROUTES))
    overdue = fields.Boolean(load_default=None,
                             metadata={"description": "only overdue social-care referrals"})
    document_id = fields.UUID(load_default=None, metadata={"description": "the referral of this document"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class SocialCareStateSchema(ma.Schema):
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()
    made_at = fields.DateTime(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)


class ConsentEventOutSchema(ma.Schema):
    kind = fields.String()
    scopes = fields.List(fields.String())
    on = fields.String(allow_none=True, metadata={"format": "date"})
    given_by = fields.String(allow_none=True)
    excluded_agencies = fields.List(fields.String())
    how_recorded = fields.String(allow_none=True)
    source = fields.String(metadata={"enum": ["form", "officer"]})


class ConsentStateSchema(ma.Schema):
    events = fields.List(fields.Nested(ConsentEventOutSchema))
    in_force = fields.Dict(keys=fields.String(), values=fields.Boolean(allow_none=True),
                           metadata={"description": "per scope now: true given, false refused/withdrawn, "
                                                    "null never asked"})
    excluded_agencies = fields.List(fields.String())


class CorrectionVersionSchema(ma.Schema):
    version = fields.Integer()
    path = fields.String()
    extracted_value = fields.Raw(allow_none=True)
    previous_value = fields.Raw(allow_none=True)
    new_value = fields.Raw(allow_none=True)
    actor_type = fields.String()
    corrected_by = fields.UUID(allow_none=True)
    corrected_at = fields.DateTime()


class ReferralDocumentSchema(ma.Schema):
    id = fields.UUID()
    role = fields.String(metadata={"enum": ["first", "attached"]})
    media_type = fields.String()
    uploaded_at = fields.DateTime()
    sha256 = fields.String()


class CheckRunSchema(ma.Schema):
    route = fields.String()
    trigger = fields.String()
    evaluated_at = fields.DateTime()


class ReferralSchema(ReferralListItemSchema):
    record = fields.Nested(ReferralRecordSchema, allow_none=True,
                           metadata={"description": "the effective record: extracted, with corrections"})
    extracted_record = fields.Nested(ReferralRecordSchema, allow_none=True)
    confidence = fields.Dict(keys=fields.String(), values=fields.Float())
    triage = fields.Dict()
    basis = fields.String(allow_none=True)
    profile = fields.String(allow_none=True)
    evaluated_at = fields.DateTime(allow_none=True)
    findings = fields.List(fields.Nested(FindingSchema))
    existing_assessment = fields.Dict(allow_none=True)
    social_care = fields.Nested(SocialCareStateSchema)
    consent = fields.Nested(ConsentStateSchema)
    versions = fields.List(fields.Nested(CorrectionVersionSchema))
    documents = fields.List(fields.Nested(ReferralDocumentSchema))
    checks = fields.List(fields.Nested(CheckRunSchema), metadata={"description": "every evaluation, newest "
                                                                                  "first"})


class ConsentEventArgsSchema(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["given", "refused", "withdrawn",
                                                                 "exclusions_noted"]))
    scopes = fields.List(fields.String(validate=validate.OneOf(["information_sharing", "panel_discussion",
                                                                "early_help"])), load_default=list)
    on = fields.Date(load_default=None, metadata={"description": "when it was given or withdrawn"})
    given_by = fields.String(load_default=None, validate=validate.Length(max=64),
                             metadata={"description": "a role (parent_carer, young_person), never a name"})
    excluded_agencies = fields.List(fields.String(validate=validate.Length(min=1, max=200)),
                                    load_default=list)
    how_recorded = fields.String(load_default=None, validate=validate.Length(max=200))


class ConsentEventCreatedSchema(ma.Schema):
    id = fields.UUID()
    kind = fields.String()
    scopes = fields.List(fields.String())
    on = fields.Date(allow_none=True)
    recorded_at = fields.DateTime()


class SocialCareReferralArgsSchema(ma.Schema):
    made_at = fields.AwareDateTime(required=True, default_timezone=dt.UTC)
    reference = fields.String(load_default=None, validate=validate.Length(max=100))
    by = fields.String(load_default=None, validate=validate.Length(max=200),
                       metadata={"description": "who made the referral (defaults to the caller)"})


class AttachSchema(ma.Schema):
    file = FileField(required=True, metadata={"description": "a later document: signed consent, rescan"})
    password = fields.String(load_default=None)


# --- meetings, listing and templates ------------------------------------------------------------

_SECTIONS = ["new", "review", "step_down"]


class MeetingCreateSchema(ma.Schema):
    date = fields.Date(required=True)
    start_time = fields.String(load_default=None, metadata={"example": "10:00",
                                                            "description": "default: the panel's"})
    venue = fields.String(load_default=None, validate=validate.Length(min=1, max=300))
    duration_minutes = fields.Integer(load_default=None, validate=validate.Range(min=15, max=480))


class MeetingGenerateSchema(ma.Schema):
    count = fields.Integer(required=True, validate=validate.Range(min=1, max=52))
    start = fields.Date(data_key="from", load_default=None,
                        metadata={"description": "first possible date (default today)"})


class MeetingPatchSchema(ma.Schema):
    date = fields.Date(load_default=None)
    start_time = fields.String(load_default=None, metadata={"example": "13:30"})
    venue = fields.String(load_default=None, validate=validate.Length(min=1, max=300))
    duration_minutes = fields.Integer(load_default=None, validate=validate.Range(min=15, max=480))


class MeetingCancelSchema(ma.Schema):
    reason = fields.String(load_default=None, validate=validate.Length(max=500))


class MeetingQuerySchema(ma.Schema):
    include_cancelled = fields.Boolean(load_default=False)
    start = fields.Date(data_key="from", load_default=None)


class MeetingSchema(ma.Schema):
    id = fields.UUID()
    panel = fields.String()
    date = fields.Date()
    start_time = fields.String(metadata={"example": "10:00"})
    duration_minutes = fields.Integer()
    venue = fields.String()
    papers_deadline = fields.Date(metadata={"description": "last day papers may arrive (inclusive)"})
    status = fields.String(metadata={"enum": ["scheduled", "cancelled"]})
    members = fields.List(fields.String(), metadata={"description": "agency slugs from the panel directory"})
    created_at = fields.DateTime()
    cancelled_at = fields.DateTime(allow_none=True)


class ListedCaseSchema(ma.Schema):
    """The same object as a ``mapdocs meetings cases`` line."""

    case_id = fields.UUID(required=True)
    referral_id = fields.UUID(required=True)
    case_ref = fields.String(required=True, metadata={"example": "BAR-2026-0042"})
    initials = fields.String(required=True, metadata={"example": "A.K., B.K."})
    section = fields.String(required=True, metadata={"enum": _SECTIONS})
    slot = fields.String(required=True, metadata={"example": "10:15"})
    late = fields.Boolean(required=True)


class ListCaseArgsSchema(ma.Schema):
    referral_id = fields.UUID(required=True)
    section = fields.String(load_default="new", validate=validate.OneOf(_SECTIONS))


class AgendaQuerySchema(ma.Schema):
    format = fields.String(load_default="docx", validate=validate.OneOf(["docx", "pdf"]))


class ReviewDueArgsSchema(ma.Schema):
    review_due = fields.Date(required=True, allow_none=True)


class SupportPlanSchema(ma.Schema):
    referral_id = fields.UUID()
    panel = fields.String()
    review_due = fields.Date(allow_none=True)
    source = fields.String()
    listed_case_id = fields.UUID(allow_none=True)


class TemplateVersionSchema(ma.Schema):
    id = fields.UUID()
    panel = fields.String()
    kind = fields.String()
    version = fields.Integer()
    sha256 = fields.String()
    size = fields.Integer()
    uploaded_by = fields.UUID(allow_none=True)
    uploader_type = fields.String()
    uploaded_at = fields.DateTime()


# --- decisions and the deadline list ---------------------------------------------------------------

class DecisionActionSchema(ma.Schema):
    what = fields.String(required=True, validate=validate.Length(min=1, max=500))
    who = fields.String(required=True, validate=validate.Length(min=1, max=255))
    by = fields.Date(required=True, metadata={"description": "by when, YYYY-MM-DD"})
    status = fields.String(load_default="open", validate=validate.OneOf(["open", "done", "dropped"]))


class DecisionActionOutSchema(ma.Schema):
    what = fields.String(required=True)
    who = fields.String(required=True)
    by = fields.String(required=True, metadata={"description": "YYYY-MM-DD"})
    status = fields.String(required=True, metadata={"enum": ["open", "done", "dropped"]})


class LeadProfessionalSchema(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    agency = fields.String(required=True, validate=validate.Length(min=1, max=255))
    contact = fields.String(required=True, validate=validate.Length(min=1, max=255))


class DecisionArgsSchema(ma.Schema):
    """What the chair decided; the panel's rules (outcome, review interval, TAF date) are checked after."""

    outcome = fields.String(required=True, metadata={"description": "outcome id from the panel's profile"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    lead_professional = fields.Nested(LeadProfessionalSchema, required=True)
    review_date = fields.Date(required=True)
    taf_date = fields.Date(load_default=None, allow_none=True,
                           metadata={"description": "first Team Around the Family meeting"})
    actions = fields.List(fields.Nested(DecisionActionSchema), load_default=list)
    child_views = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    dissent = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class DecisionSchema(ma.Schema):
    """The same object as ``mapdocs decisions show`` prints."""

    decision_id = fields.String(required=True)
    case_id = fields.String(required=True)
    referral_id = fields.String(required=True)
    meeting_id = fields.String(allow_none=True)
    panel = fields.String(required=True)
    version = fields.Integer(required=True)
    current = fields.Boolean(required=True)
    outcome = fields.String(required=True)
    outcome_label = fields.String(required=True)
    reason = fields.String(required=True)
    lead_professional = fields.Nested(LeadProfessionalSchema, required=True)
    actions = fields.List(fields.Nested(DecisionActionOutSchema), required=True)
    review_date = fields.String(required=True)
    taf_date = fields.String(allow_none=True)
    child_views = fields.String(allow_none=True)
    dissent = fields.String(allow_none=True)
    state = fields.String(required=True, metadata={"enum": ["recorded", "notified", "letter_sent"]})
    recorded_at = fields.String(required=True)
    notified_at = fields.String(allow_none=True)
    letter_sent_at = fields.String(allow_none=True)
    letter_channel = fields.String(allow_none=True, metadata={"enum": ["email", "post"]})


class OverdueQuerySchema(ma.Schema):
    panel = fields.String(load_default=None)


class OverdueItemSchema(ma.Schema):
    """The same object as a ``mapdocs overdue`` line."""

    kind = fields.String(required=True, metadata={"enum": ["decision_not_notified", "letter_not_sent",
                                                           "review_past_due", "social_care_not_confirmed"]})
    panel = fields.String(required=True)
    referral_id = fields.String(required=True)
    case_id = fields.String(allow_none=True)
    case_ref = fields.String(allow_none=True)
    decision_id = fields.String(allow_none=True)
    due = fields.String(required=True, metadata={"description": "ISO date or date-time it fell due"})


class TrackingQuerySchema(ma.Schema):
    format = fields.String(load_default="docx", validate=validate.OneOf(["docx", "pdf", "csv"]))
