"""``/api/v1/cases/<case_id>/tracking-form...``, ``.../actions/<n>/status``, ``.../progress-ratings``.

Thin views over ``service.tracking``. Administrators and chairs read the family's stored
tracking form (each download audited with its format), set an action's status between
reviews and record a review's progress ratings; each change stores a new form version.
"""

# flask-smorest ships no type hints: its decorators are untyped
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import marshmallow as ma
from flask import Response

from service.api.base import Blueprint
from service.api.schemas import TrackingQuerySchema
from service.auth.gate import requires
from service.context import current_actor, db_session, services
from service.models import TrackingFormVersion
from service.packs.operations import converter_or_none
from service.tracking import operations as ops
from service.tracking import versions
from service.tracking.actions import ActionProgress
from service.tracking.errors import ActionNotFound

blp = Blueprint("tracking", __name__, url_prefix="/api/v1/cases",
                description="A family's support-plan tracking form: stored versions, action status, ratings")


class TrackingFormQuerySchema(TrackingQuerySchema):
    version = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=1),
                                metadata={"description": "a stored version (default: the newest)"})


class TrackingVersionSchema(ma.Schema):
    version = ma.fields.Integer(required=True)
    case_id = ma.fields.String(allow_none=True, metadata={"description": "the case whose change made it"})
    trigger = ma.fields.String(required=True,
                               metadata={"enum": ["rating", "decision", "action_status", "catch_up"]})
    built_at = ma.fields.DateTime(required=True)
    formats = ma.fields.List(ma.fields.String(), required=True,
                             metadata={"description": "stored formats; pdf is made on first download"})


class ActionStatusArgsSchema(ma.Schema):
    # checked by the operation, so the API and CLI refuse a bad status with the same slug
    status = ma.fields.String(required=True, metadata={"enum": list(ActionProgress)})
    note = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=2000))


class ActionStatusSchema(ma.Schema):
    case_id = ma.fields.String(required=True)
    action = ma.fields.Integer(required=True, metadata={"description": "number from 1"})
    status = ma.fields.String(required=True, metadata={"enum": list(ActionProgress)})
    set_at = ma.fields.DateTime(required=True)
    form_version = ma.fields.Integer(allow_none=True,
                                     metadata={"description": "the tracking form version stored after it"})


class RatingArgsSchema(ma.Schema):
    outcome = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1),
                                metadata={"description": "desired outcome number, from 1"})
    rating = ma.fields.Integer(required=True, metadata={"description": "0 (not yet) to 10 (achieved)"})
    note = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=2000))


class RatingsArgsSchema(ma.Schema):
    review_date = ma.fields.Date(required=True)
    ratings = ma.fields.List(ma.fields.Nested(RatingArgsSchema), required=True,
                             validate=ma.validate.Length(min=1))


class RatingsResultSchema(ma.Schema):
    case_id = ma.fields.String(required=True)
    ratings = ma.fields.Integer(required=True)


def _version_json(row: TrackingFormVersion) -> dict[str, Any]:
    formats = ["docx", "csv"] + (["pdf"] if row.pdf_key else [])
    return {"version": row.version, "case_id": str(row.case_id) if row.case_id else None,
            "trigger": row.trigger, "built_at": row.built_at, "formats": formats}


@blp.route("/<uuid:case_id>/tracking-form", methods=["GET"])
@requires("tracking.build")
@blp.arguments(TrackingFormQuerySchema, location="query")
@blp.response(200, description="The family's stored tracking form as Word, PDF or CSV")
def tracking_form(args: dict[str, Any], case_id: uuid.UUID) -> Response:
    """The newest stored form (brought up to date first if needed) or ``version``; audited.

    409 before any decision is recorded; the PDF is made on its first download.
    """
    fmt = args["format"]
    converters = converter_or_none() if fmt == "pdf" else contextlib.nullcontext(None)
    with converters as converter:
        row, data = versions.open_form(db_session(), services().store, case_id, fmt, actor=current_actor(),
                                       version=args["version"], converter=converter)
    response = Response(data, mimetype=versions.MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="tracking_form-v{row.version}.{fmt}"')
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/<uuid:case_id>/tracking-form/versions", methods=["GET"])
@requires("tracking.build")
@blp.response(200, TrackingVersionSchema(many=True))
def tracking_versions(case_id: uuid.UUID) -> list[dict[str, Any]]:
    """The family's stored tracking form versions, oldest first (metadata only)."""
    return [_version_json(row) for row in versions.versions(db_session(), case_id)]


# ``number`` is a plain path segment, not ``<int:>``: a malformed one is refused as the
# tracking problem ``action-not-found`` rather than werkzeug's bare 404
@blp.route("/<uuid:case_id>/actions/<number>/status", methods=["PUT"])
@requires("tracking.actions")
@blp.arguments(ActionStatusArgsSchema, location="json")
@blp.response(200, ActionStatusSchema)
def action_status(args: dict[str, Any], case_id: uuid.UUID, number: str) -> dict[str, Any]:
    """Set action ``number`` (from 1) of the case's current decision; stores a new form version."""
    if not number.isdecimal():
        raise ActionNotFound("An action is named by its number in the decision, from 1")
    done = ops.set_action_status(db_session(), services().store, case_id, int(number), args["status"],
                                 actor=current_actor(), note=args["note"])
    return {"case_id": str(case_id), "action": done.number, "status": done.change.status,
            "set_at": done.change.set_at, "form_version": done.form_version}


@blp.route("/<uuid:case_id>/progress-ratings", methods=["POST"])
@requires("tracking.rate")
@blp.arguments(RatingsArgsSchema, location="json")
@blp.response(201, RatingsResultSchema)
def progress_ratings(args: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
    """Record a review's rating of desired outcomes (422 names a missing outcome); stores a new version."""
    ratings = [ops.RatingInput(item["outcome"] - 1, item["rating"], item["note"]) for item in args["ratings"]]
    rows = ops.rate_progress(db_session(), case_id, args["review_date"], ratings, actor=current_actor(),
                             store=services().store)
    return {"case_id": str(case_id), "ratings": len(rows)}
