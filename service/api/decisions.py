"""``/api/v1/cases/<case_id>/decision`` and ``/api/v1/overdue`` (tracking forms: ``service.api.tracking``).

Thin views over ``service.decisions`` and ``service.overdue``. Chairs record decisions (each
stores the family's next tracking form version); administrators and chairs read them;
triage, administrators and chairs read the deadline list.
"""

# flask-smorest ships no type hints: its decorators are untyped
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import uuid
from typing import Any

from service.api.base import Blueprint
from service.api.schemas import (
    DecisionArgsSchema,
    DecisionSchema,
    OverdueItemSchema,
    OverdueQuerySchema,
)
from service.auth.gate import requires
from service.context import current_actor, db_session, services
from service.decisions import operations as ops
from service.decisions.errors import DecisionNotFound
from service.decisions.model import ActionInput, DecisionInput
from service.decisions.shapes import decision_json
from service.overdue.operations import overdue_items

blp = Blueprint("decisions", __name__, url_prefix="/api/v1",
                description="Panel decisions per listed case, and overdue post-panel deadlines")


def _input(args: dict[str, Any]) -> DecisionInput:
    lead = args["lead_professional"]
    return DecisionInput(
        outcome_id=args["outcome"], reason=args["reason"], lead_name=lead["name"], lead_agency=lead["agency"],
        lead_contact=lead["contact"], review_date=args["review_date"], taf_date=args["taf_date"],
        child_views=args["child_views"], dissent=args["dissent"],
        actions=tuple(ActionInput(a["what"], a["who"], a["by"], a["status"]) for a in args["actions"]))


@blp.route("/cases/<uuid:case_id>/decision", methods=["POST"])
@requires("decisions.record")
@blp.arguments(DecisionArgsSchema, location="json")
@blp.response(201, DecisionSchema)
def record(args: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
    """Record the case's decision (a change adds a version; earlier ones are kept); 422 names broken rules."""
    return decision_json(ops.record_decision(db_session(), case_id, _input(args), actor=current_actor(),
                                             store=services().store))


@blp.route("/cases/<uuid:case_id>/decision", methods=["GET"])
@requires("decisions.read")
@blp.response(200, DecisionSchema)
def current(case_id: uuid.UUID) -> dict[str, Any]:
    """The case's current decision with its delivery state."""
    row = ops.current_decision(db_session(), case_id)
    if row is None:
        raise DecisionNotFound("No decision is recorded for this case")
    return decision_json(row)


@blp.route("/cases/<uuid:case_id>/decision/versions", methods=["GET"])
@requires("decisions.read")
@blp.response(200, DecisionSchema(many=True))
def versions(case_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every version of the case's decision, oldest first."""
    return [decision_json(row) for row in ops.decision_versions(db_session(), case_id)]


@blp.route("/overdue", methods=["GET"])
@requires("overdue.read")
@blp.arguments(OverdueQuerySchema, location="query")
@blp.response(200, OverdueItemSchema(many=True))
def overdue(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Decisions not notified in 48 hours, letters late, reviews past due, social care not confirmed."""
    return [item.as_line() for item in overdue_items(db_session(), panel=args["panel"])]

