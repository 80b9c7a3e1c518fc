"""``/api/v1/batches/<id>``: how far a meeting's background batch has got, and what it produced.

A batch's result is the letters manifest or the send report (case ids and file names, no
family details), so reading it needs ``batches.read`` (administrator, chair, admin) and is
not a disclosure to audit; the documents themselves stay behind their own routes and links.
"""

# flask-smorest ships no type hints: its decorators are untyped
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma

from service.api.base import Blueprint
from service.auth.gate import requires
from service.batches.operations import get_batch
from service.context import db_session
from service.models import BatchJob

blp = Blueprint("batches", __name__, url_prefix="/api/v1/batches",
                description="Meeting-level work run in the background (letters build and send)")


def batch_location(batch_id: uuid.UUID) -> str:
    return f"{blp.url_prefix}/{batch_id}"


class BatchCreatedSchema(ma.Schema):
    """What ``POST .../letters`` and ``.../letters/send`` answer (``202``, ``Location`` to poll)."""

    id = ma.fields.UUID(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "letters.build | letters.send"})
    state = ma.fields.String(required=True,
                             metadata={"description": "pending | running | succeeded | failed"})
    done = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "cases (letters.build) or letters (letters.send); null until the worker has counted"})


class BatchErrorSchema(ma.Schema):
    type = ma.fields.String(required=True, metadata={"example": "conversion-failed"})
    detail = ma.fields.String(required=True)


def _error(batch: BatchJob) -> dict[str, str] | None:
    if batch.error is None:
        return None
    return {"type": batch.error, "detail": batch.error_detail or ""}


class BatchSchema(BatchCreatedSchema):
    meeting_id = ma.fields.UUID(required=True)
    result = ma.fields.Dict(required=True, allow_none=True, metadata={
        "description": "once succeeded: the letters manifest (letters.build) or the send report "
                       "(letters.send)"})
    error = ma.fields.Function(_error, allow_none=True, metadata={
        "description": "once failed: {type: stable slug, detail}", "type": "object", "nullable": True})
    created_at = ma.fields.DateTime(required=True)
    started_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)


@blp.route("/<uuid:batch_id>", methods=["GET"])
@requires("batches.read")
@blp.response(200, BatchSchema)
def batch_state(batch_id: uuid.UUID) -> Any:
    """State, progress (done / total), and the result or error of one batch."""
    return get_batch(db_session(), batch_id)
