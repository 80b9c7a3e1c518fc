"""``/api/v1/panels/<slug>/templates/<kind>``: a council's own Word templates, checked and versioned."""

# flask-smorest ships no type hints: its decorators are untyped
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

from typing import Any

from flask import request

from service.api.base import Blueprint
from service.api.schemas import TemplateVersionSchema
from service.auth.gate import requires
from service.context import current_actor, db_session, services
from service.models import TemplateVersion
from service.templates import operations as ops

blp = Blueprint("templates", __name__, url_prefix="/api/v1/panels",
                description="Word templates a council uploads per panel (defaults ship with mapdocs)")


def _uploaded_bytes() -> bytes:
    """Multipart ``file`` part, or the raw request body (a .docx sent as is)."""
    part = request.files.get("file")
    if part is not None:
        data: bytes = part.read()
        return data
    return request.get_data(cache=False)


@blp.route("/<slug>/templates/<kind>", methods=["PUT"])
@requires("templates.upload")
@blp.response(201, TemplateVersionSchema)
@blp.doc(requestBody={"required": True, "content": {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
        "schema": {"type": "string", "format": "binary"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}}}}})
def upload(slug: str, kind: str) -> TemplateVersion:
    """Upload a new version (raw DOCX body or multipart ``file``); used for documents rendered from now on.

    Refused with 422 ``unknown-template-variable`` naming each unknown or misspelt variable.
    """
    return ops.upload_template(db_session(), services().store, slug, kind, _uploaded_bytes(),
                               actor=current_actor())


@blp.route("/<slug>/templates/<kind>", methods=["GET"])
@requires("templates.read")
@blp.response(200, TemplateVersionSchema(many=True))
def versions(slug: str, kind: str) -> list[Any]:
    """Every uploaded version, newest first (the newest is in use; none means the shipped default)."""
    return list(ops.list_versions(db_session(), slug, kind))
