"""``/api/v1/audit-events``: the audit trail, for auditors."""

# flask-smorest ships no type hints: its decorators are untyped
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

from typing import Any

from service.api.base import Blueprint
from service.api.schemas import AuditEventSchema, AuditQuerySchema
from service.audit.operations import list_events
from service.auth.gate import requires
from service.context import db_session

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit-events", description="Who did what, when")


@blp.route("", methods=["GET"])
@requires("audit.read")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditEventSchema(many=True))
def audit_events(args: dict[str, Any]) -> Any:
    """The latest audit events, newest first, optionally for one object or action."""
    return list_events(db_session(), object_id=args["object_id"], action=args["action"], limit=args["limit"])
