"""``/api/v1/panels/<slug>/meetings`` and ``/api/v1/meetings``: meetings, listed cases, the agenda.

Thin views over ``service.meetings``: administrators create, move and cancel meetings
and list cases; chairs read them and render the agenda. Cases are shown by case
reference and initials only.
"""

# flask-smorest ships no type hints: its decorators are untyped
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Response, url_for

from service.api.base import Blueprint
from service.api.schemas import (
    AgendaQuerySchema,
    ListCaseArgsSchema,
    ListedCaseSchema,
    MeetingCancelSchema,
    MeetingCreateSchema,
    MeetingGenerateSchema,
    MeetingPatchSchema,
    MeetingQuerySchema,
    MeetingSchema,
    ReviewDueArgsSchema,
    SupportPlanSchema,
)
from service.auth.gate import requires
from service.context import current_actor, db_session, services
from service.meetings import listing
from service.meetings import operations as ops
from service.meetings.agenda import generate_agenda
from service.models import Meeting

blp = Blueprint("meetings", __name__, url_prefix="/api/v1",
                description="Panel meetings, the cases listed for them and their agendas")


def _cases(meeting_id: uuid.UUID) -> list[dict[str, Any]]:
    return [case.as_line() for case in listing.meeting_cases(db_session(), meeting_id)]


@blp.route("/panels/<slug>/meetings", methods=["GET"])
@requires("meetings.read")
@blp.arguments(MeetingQuerySchema, location="query")
@blp.response(200, MeetingSchema(many=True))
def list_meetings(args: dict[str, Any], slug: str) -> list[Meeting]:
    """The panel's meetings in date order (cancelled ones with ``include_cancelled``)."""
    return ops.list_meetings(db_session(), slug, include_cancelled=args["include_cancelled"],
                             on_or_after=args["start"])


@blp.route("/panels/<slug>/meetings", methods=["POST"])
@requires("meetings.manage")
@blp.arguments(MeetingCreateSchema, location="json")
@blp.response(201, MeetingSchema)
def create_meeting(args: dict[str, Any], slug: str) -> tuple[Meeting, int, dict[str, str]]:
    """One meeting; venue, time, length and membership default to the panel's, deadline from its profile."""
    meeting = ops.create_meeting(db_session(), slug, args["date"], actor=current_actor(),
                                 start_time=args["start_time"], venue=args["venue"],
                                 duration_minutes=args["duration_minutes"])
    return meeting, 201, {"Location": url_for("meetings.get_meeting", meeting_id=meeting.id)}


@blp.route("/panels/<slug>/meetings/generate", methods=["POST"])
@requires("meetings.manage")
@blp.arguments(MeetingGenerateSchema, location="json")
@blp.response(201, MeetingSchema(many=True))
def generate(args: dict[str, Any], slug: str) -> list[Meeting]:
    """The next ``count`` meetings of the panel's cadence from ``from`` (default today)."""
    return ops.generate_meetings(db_session(), slug, count=args["count"],
                                 start=args["start"] or dt.date.today(), actor=current_actor())


@blp.route("/panels/<slug>/meetings/list-ready", methods=["POST"])
@requires("meetings.list")
@blp.response(200, ListedCaseSchema(many=True))
def list_ready(slug: str) -> list[dict[str, Any]]:
    """List every ready referral not yet listed, and reviews falling due; returns what was listed."""
    session = db_session()
    rows = listing.list_ready(session, slug, actor=current_actor())
    listed = {row.id for row in rows}
    meetings = {row.meeting_id for row in rows if row.meeting_id is not None}
    return [line for meeting_id in meetings for line in _cases(meeting_id)
            if uuid.UUID(line["case_id"]) in listed]


@blp.route("/meetings/<uuid:meeting_id>", methods=["GET"])
@requires("meetings.read")
@blp.response(200, MeetingSchema)
def get_meeting(meeting_id: uuid.UUID) -> Meeting:
    return ops.get_meeting(db_session(), meeting_id)


@blp.route("/meetings/<uuid:meeting_id>", methods=["PATCH"])
@requires("meetings.manage")
@blp.arguments(MeetingPatchSchema, location="json")
@blp.response(200, MeetingSchema)
def move(args: dict[str, Any], meeting_id: uuid.UUID) -> Meeting:
    """Move a meeting (date, time, venue, length); its cases move too and lateness is re-judged."""
    return ops.move_meeting(db_session(), meeting_id, actor=current_actor(), date=args["date"],
                            start_time=args["start_time"], venue=args["venue"],
                            duration_minutes=args["duration_minutes"])


@blp.route("/meetings/<uuid:meeting_id>/cancel", methods=["POST"])
@requires("meetings.manage")
@blp.arguments(MeetingCancelSchema, location="json")
@blp.response(200, MeetingSchema)
def cancel(args: dict[str, Any], meeting_id: uuid.UUID) -> Meeting:
    """Cancel; listed cases move to the panel's next meeting, or wait unlisted until one exists."""
    return ops.cancel_meeting(db_session(), meeting_id, actor=current_actor(), reason=args["reason"])


@blp.route("/meetings/<uuid:meeting_id>/cases", methods=["GET"])
@requires("meetings.cases")
@blp.response(200, ListedCaseSchema(many=True))
def cases(meeting_id: uuid.UUID) -> list[dict[str, Any]]:
    """Listed cases in agenda order (new, reviews, step-downs) with slot times."""
    return _cases(meeting_id)


@blp.route("/meetings/<uuid:meeting_id>/cases", methods=["POST"])
@requires("meetings.list")
@blp.arguments(ListCaseArgsSchema, location="json")
@blp.response(201, ListedCaseSchema)
def list_case(args: dict[str, Any], meeting_id: uuid.UUID) -> dict[str, Any]:
    """List a referral explicitly (``new``, ``review`` or ``step_down``); after the deadline it is late."""
    row = listing.list_case(db_session(), meeting_id, args["referral_id"], args["section"],
                            actor=current_actor())
    return next(line for line in _cases(meeting_id) if line["case_id"] == str(row.id))


@blp.route("/meetings/<uuid:meeting_id>/agenda", methods=["GET"])
@requires("meetings.agenda")
@blp.arguments(AgendaQuerySchema, location="query")
@blp.response(200, description="The agenda as Word or PDF; stored and audited as a document generated")
def agenda(args: dict[str, Any], meeting_id: uuid.UUID) -> Response:
    """Render the agenda with the panel's current template (case references and initials only)."""
    doc = generate_agenda(db_session(), services().store, meeting_id, fmt=args["format"],
                          actor=current_actor())
    response = Response(doc.data, mimetype=doc.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/referrals/<uuid:referral_id>/review", methods=["PUT"])
@requires("meetings.list")
@blp.arguments(ReviewDueArgsSchema, location="json")
@blp.response(200, SupportPlanSchema)
def set_review(args: dict[str, Any], referral_id: uuid.UUID) -> Any:
    """Set when the family's support plan is next reviewed; the review is listed for the right meeting."""
    return listing.set_review_due(db_session(), referral_id, args["review_due"], actor=current_actor())
