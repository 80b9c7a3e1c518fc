"""``/api/v1/documents``: upload, metadata, the original, the extracted record, retries, links."""

# flask-smorest ships no type hints: its decorators are untyped
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, request, url_for
from werkzeug.wsgi import wrap_file

from service.api.base import Blueprint
from service.api.schemas import (
    DocumentSchema,
    ExtractArgsSchema,
    ExtractionRecordSchema,
    JobSchema,
    LinkCreateSchema,
    LinkSchema,
    UploadResponseSchema,
    UploadSchema,
)
from service.auth.gate import requires
from service.context import current_actor, db_session, services
from service.documents import operations as docs
from service.jobs.dispatch import job_queue
from service.links.operations import create_document_link, link_url

blp = Blueprint("documents", __name__, url_prefix="/api/v1/documents",
                description="Assessment forms as received, and the records read from them")

CHUNK = 64 * 1024


@blp.route("", methods=["POST"])
@requires("documents.upload")
@blp.arguments(UploadSchema, location="form_and_files")
@blp.response(201, UploadResponseSchema,
              description="New bytes for this panel: stored; extraction queued (job pending)")
@blp.alt_response(200, schema=UploadResponseSchema,
                  description="The same bytes were already sent to this panel")
def upload_document(args: dict[str, Any]) -> tuple[docs.IngestOutcome, int, dict[str, str]]:
    """Send a completed form. Stored byte-exact before this answers; refusals store nothing.

    Extraction runs in the background: follow ``job.id`` at ``/api/v1/jobs/<id>``.
    """
    svc = services()
    outcome = docs.ingest_document(
        db_session(), svc.store, svc.extraction, data=args["file"].read(), panel=args["panel"],
        password=args["password"], key_secret=svc.settings.key_secret,
        max_bytes=svc.settings.max_upload_bytes, actor=current_actor(), jobs=job_queue())
    location = url_for("documents.get_document", document_id=outcome.document.id)
    return outcome, 201 if outcome.created else 200, {"Location": location}


@blp.route("/<uuid:document_id>", methods=["GET"])
@requires("documents.read")
@blp.response(200, DocumentSchema)
def get_document(document_id: uuid.UUID) -> docs.DocumentSummary:
    """Metadata of a received document."""
    return docs.describe_document(db_session(), document_id)


@blp.route("/<uuid:document_id>", methods=["DELETE"])
@requires("documents.delete")
@blp.response(204)
def delete_document(document_id: uuid.UUID) -> None:
    """Delete a document and its records; the original goes only when no other row needs it."""
    docs.delete_document(db_session(), services().store, document_id, actor=current_actor())


@blp.route("/<uuid:document_id>/original", methods=["GET"])
@requires("documents.original")
@blp.response(200, description="The original bytes, with the media type decided at upload")
def download_original(document_id: uuid.UUID) -> Response:
    """Stream the original as received. Each download is audited as a disclosure."""
    document, stream = docs.open_original(db_session(), services().store, document_id,
                                          actor=current_actor())
    response = Response(wrap_file(request.environ, stream, buffer_size=CHUNK), mimetype=document.media_type,
                        direct_passthrough=True)
    response.content_length = document.size
    response.headers["Content-Disposition"] = f'attachment; filename="document-{document.id}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/<uuid:document_id>/record", methods=["GET"])
@requires("documents.record")
@blp.response(200, ExtractionRecordSchema)
def get_record(document_id: uuid.UUID) -> Any:
    """The latest extraction: record, confidence and provenance per path, issues, error."""
    return docs.latest_run(db_session(), document_id)


@blp.route("/<uuid:document_id>/extract", methods=["POST"])
@requires("documents.extract")
@blp.arguments(ExtractArgsSchema, location="json_or_form")
@blp.response(200, JobSchema)
def extract_again(args: dict[str, Any], document_id: uuid.UUID) -> Any:
    """Run extraction again, e.g. with the password of an encrypted PDF (used in memory only)."""
    svc = services()
    return docs.retry_extraction(db_session(), svc.store, svc.extraction, document_id,
                                 password=args["password"], actor=current_actor(), jobs=job_queue())


@blp.route("/<uuid:document_id>/links", methods=["POST"])
@requires("links.create")
@blp.arguments(LinkCreateSchema, location="json_or_form")
@blp.response(201, LinkSchema)
def create_link(args: dict[str, Any], document_id: uuid.UUID) -> dict[str, Any]:
    """A disclosure link ``/l/<token>`` to the original; the token is shown only in this answer."""
    svc = services()
    new = create_document_link(db_session(), document_id, purpose=args["purpose"],
                               ttl_seconds=args["ttl_seconds"] or svc.settings.link_ttl_seconds,
                               actor=current_actor())
    base = svc.settings.public_base_url or request.host_url
    return {"link": new.link, "url": link_url(base, new.token)}
