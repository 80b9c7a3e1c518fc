"""``/api/v1/meetings/<id>/packs``: build a meeting's agenda packs, read the manifest, circulate them.

Thin views over ``service.packs.operations``. Administrators and chairs build and read;
administrators send. The manifest names case ids and agency slugs only.
"""

# flask-smorest ships no type hints: its decorators are untyped
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import Response, current_app, request

from service.api.base import Blueprint
from service.auth.gate import requires
from service.context import current_actor, db_session, services
from service.mail import SmtpSender, mail_settings
from service.packs import operations as ops

blp = Blueprint("packs", __name__, url_prefix="/api/v1/meetings",
                description="Agenda packs per agency, and their circulation")


class PackEntrySchema(ma.Schema):
    agency = ma.fields.String(required=True, metadata={"description": "agency slug, or `full`"})
    file = ma.fields.String(required=True, metadata={"example": "police.pdf"})
    cases = ma.fields.List(ma.fields.String(), required=True,
                           metadata={"description": "case ids in the pack"})
    withheld = ma.fields.Integer(required=True, metadata={"description": "listed cases not in this pack"})


class ManifestSchema(ma.Schema):
    meeting_id = ma.fields.String(required=True)
    build_id = ma.fields.String(required=True)
    built_at = ma.fields.DateTime(required=True)
    packs = ma.fields.List(ma.fields.Nested(PackEntrySchema), required=True)


class SendArgsSchema(ma.Schema):
    now = ma.fields.Boolean(load_default=False, metadata={
        "description": "send before the panel's circulation day (e.g. Monday for Barnet) on purpose"})


class SentSchema(ma.Schema):
    agency = ma.fields.String(required=True)
    to = ma.fields.String(required=True)
    file = ma.fields.String(required=True)


class SkippedSchema(ma.Schema):
    agency = ma.fields.String(required=True)
    reason = ma.fields.String(required=True, metadata={
        "description": "full_pack_not_mailed | no_secure_email | already_sent"})


class SendResultSchema(ma.Schema):
    meeting_id = ma.fields.String(required=True)
    sent = ma.fields.List(ma.fields.Nested(SentSchema), required=True)
    skipped = ma.fields.List(ma.fields.Nested(SkippedSchema), required=True)


def _manifest(build: Any) -> dict[str, Any]:
    return {**build.manifest, "build_id": str(build.id), "built_at": build.built_at}


@blp.route("/<uuid:meeting_id>/packs", methods=["POST"])
@requires("packs.build")
@blp.response(201, ManifestSchema)
def build(meeting_id: uuid.UUID) -> dict[str, Any]:
    """Build every pack of the meeting now (consent re-checked), store them and return the manifest."""
    svc = services()
    with ops.converter_or_none(current_app.config) as converter:
        built = ops.build_meeting_packs(db_session(), svc.store, meeting_id, actor=current_actor(),
                                        converter=converter, workers=ops.pack_workers(current_app.config))
    return _manifest(built.build)


@blp.route("/<uuid:meeting_id>/packs", methods=["GET"])
@requires("packs.read")
@blp.response(200, ManifestSchema)
def manifest(meeting_id: uuid.UUID) -> dict[str, Any]:
    """The latest build's manifest: each pack's agency, file, case ids and withheld count."""
    return _manifest(ops.latest_build(db_session(), meeting_id))


@blp.route("/<uuid:meeting_id>/packs/<string:file>", methods=["GET"])
@requires("packs.read")
@blp.response(200, content_type="application/pdf")
def download(meeting_id: uuid.UUID, file: str) -> Response:
    """One pack of the latest build as PDF (chairs and administrators: e.g. ``full.pdf``); audited."""
    row, data = ops.open_pack(db_session(), services().store, meeting_id, file, actor=current_actor())
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{row.file}"',
                             "Cache-Control": "no-store"})


@blp.route("/<uuid:meeting_id>/packs/send", methods=["POST"])
@requires("packs.send")
@blp.arguments(SendArgsSchema, location="json", required=False)
@blp.response(200, SendResultSchema)
def send(args: dict[str, Any], meeting_id: uuid.UUID) -> dict[str, Any]:
    """Mail each member agency's secure mailbox a link to its own pack; logs every disclosure."""
    svc = services()
    config = current_app.config
    sender = SmtpSender(mail_settings(config))
    result = ops.send_meeting_packs(
        db_session(), svc.store, meeting_id, sender=sender,
        base_url=svc.settings.public_base_url or request.host_url,
        link_ttl_seconds=svc.settings.link_ttl_seconds, actor=current_actor(), force=bool(args.get("now")),
        attach_panels=ops.attach_panels(config))
    return result.as_dict()
