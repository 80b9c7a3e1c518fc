"""Request and response schemas of the JSON API (and the OpenAPI components they become)."""

from __future__ import annotations

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
    errors = fields.Function(_job_errors, metadata={"type": "array", "items": {"type": "object"}})


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
