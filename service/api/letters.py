"""``/api/v1/meetings/<id>/letters``: build a meeting's letters, send links, mark letters posted.

Thin views over ``service.letters``. Building needs ``letters.build`` (administrator, chair,
admin); sending and marking posted need ``letters.send`` (administrator, admin).
"""

# flask-smorest ships no type hints: its decorators are untyped
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import current_app, request

from service.api.base import Blueprint
from service.auth.gate import requires
from service.context import current_actor, db_session, services
from service.letters import delivery
from service.letters.operations import build_meeting_letters
from service.mail import SmtpSender, mail_settings
from service.packs.operations import converter_or_none

blp = Blueprint("letters", __name__, url_prefix="/api/v1",
                description="Letters to families, notices to referrers, summaries for professionals")


class DocumentEntrySchema(ma.Schema):
    case_id = ma.fields.String(required=True)
    recipient = ma.fields.String(required=True, metadata={"description": "family | referrer | professional"})
    kind = ma.fields.String(required=True, metadata={"description": "letter | notice | summary"})
    variant = ma.fields.String(required=True, metadata={"description": "standard | large_print"})
    file = ma.fields.String(required=True)


class LettersManifestSchema(ma.Schema):
    meeting_id = ma.fields.String(required=True)
    documents = ma.fields.List(ma.fields.Nested(DocumentEntrySchema), required=True)
    skipped = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True,
                             metadata={"description": "case id -> why no family letter was made"})


class LetterSentSchema(ma.Schema):
    file = ma.fields.String(required=True)
    recipient = ma.fields.String(required=True)


class LetterSkippedSchema(ma.Schema):
    file = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)


class LettersSendSchema(ma.Schema):
    meeting_id = ma.fields.String(required=True)
    sent = ma.fields.List(ma.fields.Nested(LetterSentSchema), required=True)
    skipped = ma.fields.List(ma.fields.Nested(LetterSkippedSchema), required=True)


class PostedSchema(ma.Schema):
    id = ma.fields.String(required=True)
    channel = ma.fields.String(required=True)
    sent_at = ma.fields.DateTime(required=True)


@blp.route("/meetings/<uuid:meeting_id>/letters", methods=["POST"])
@requires("letters.build")
@blp.response(201, LettersManifestSchema)
def build(meeting_id: uuid.UUID) -> dict[str, Any]:
    """Build and store every letter, notice and summary for the meeting's decisions (consent re-checked)."""
    with converter_or_none(current_app.config) as converter:
        report = build_meeting_letters(db_session(), services().store, meeting_id, converter=converter)
    return {**report.manifest(), "skipped": report.skipped}


@blp.route("/meetings/<uuid:meeting_id>/letters/send", methods=["POST"])
@requires("letters.send")
@blp.response(200, LettersSendSchema)
def send(meeting_id: uuid.UUID) -> dict[str, Any]:
    """Mail families and referrers a link to their letter; letters without an address are skipped."""
    svc = services()
    base = svc.settings.public_base_url or request.host_url
    result = delivery.send_meeting_letters(db_session(), meeting_id,
                                           sender=SmtpSender(mail_settings(current_app.config)),
                                           base_url=base, actor=current_actor())
    return result.as_dict(meeting_id)


@blp.route("/letters/<uuid:letter_id>/posted", methods=["POST"])
@requires("letters.send")
@blp.response(200, PostedSchema)
def posted(letter_id: uuid.UUID) -> dict[str, Any]:
    """An administrator printed this letter for post."""
    row = delivery.mark_posted(db_session(), letter_id, actor=current_actor())
    return {"id": str(row.id), "channel": row.channel, "sent_at": row.sent_at}
