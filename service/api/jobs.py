"""``/api/v1/jobs``: the state of extraction jobs."""

# flask-smorest ships no type hints: its decorators are untyped
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import uuid
from typing import Any

from service.api.base import Blueprint
from service.api.schemas import JobSchema
from service.auth.gate import requires
from service.context import db_session
from service.documents.operations import get_job

blp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs", description="Background work on documents")


@blp.route("/<uuid:job_id>", methods=["GET"])
@requires("jobs.read")
@blp.response(200, JobSchema)
def job_state(job_id: uuid.UUID) -> Any:
    """State, pages done / total and errors of one job."""
    return get_job(db_session(), job_id)
