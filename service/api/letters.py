"""``/api/v1/meetings/<id>/letters``: build a meeting's letters, send links, mark letters posted.

Thin views over ``service.letters`` and ``service.batches``. Building and sending run as
background batches — a meeting of twenty cases makes about a hundred documents — so both
answer ``202`` with the batch and a ``Location`` (``/api/v1/batches/<id>``) to poll for
progress and, once finished, the manifest or send report. Building needs ``letters.build``
(administrator, chair, admin); sending and marking posted need ``letters.send``
(administrator, admin).
"""

# flask-smorest ships no type hints: its decorators are untyped
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import current_app, request

from service.api.base import Blueprint
from service.api.batches import BatchCreatedSchema, batch_location
from service.auth.gate import requires
from service.batches.dispatch import submit_batch
from service.batches.operations import create_batch
from service.context import current_actor, db_session, services
from service.letters import delivery
from service.mail import mail_settings
from service.models import BatchKind

blp = Blueprint("letters", __name__, url_prefix="/api/v1",
                description="Letters to families, notices to referrers, summaries for professionals")


class PostedSchema(ma.Schema):
    id = ma.fields.String(required=True)
    channel = ma.fields.String(required=True)
    sent_at = ma.fields.DateTime(required=True)


def _start(kind: BatchKind, meeting_id: uuid.UUID, params: dict[str, Any] | None = None) -> Any:
    """Record the batch (audited; 404 for an unknown meeting), queue it, answer 202 with where to poll."""
    batch = create_batch(db_session(), kind, meeting_id, actor=current_actor(), params=params)
    submit_batch(current_app._get_current_object(), batch.id)  # type: ignore[attr-defined]  # werkzeug proxy
    return batch, 202, {"Location": batch_location(batch.id)}


@blp.route("/meetings/<uuid:meeting_id>/letters", methods=["POST"])
@requires("letters.build")
@blp.response(202, BatchCreatedSchema)
def build(meeting_id: uuid.UUID) -> Any:
    """Start building every letter, notice and summary of the meeting's decisions (consent re-checked).

    The batch's result is the manifest of ``mapdocs letters build`` plus ``skipped`` (case id ->
    why no family letter was made); a rebuild replaces the letters not yet sent.
    """
    return _start(BatchKind.LETTERS_BUILD, meeting_id)


@blp.route("/meetings/<uuid:meeting_id>/letters/send", methods=["POST"])
@requires("letters.send")
@blp.response(202, BatchCreatedSchema)
def send(meeting_id: uuid.UUID) -> Any:
    """Start mailing families and referrers a link to their letter; letters without an address are skipped.

    The batch's result is ``{"meeting_id", "sent": [{"file", "recipient"}], "skipped": [{"file",
    "reason"}]}``. Mail settings are checked now (503 ``mail-not-configured``), not in the worker.
    """
    mail_settings(current_app.config)
    base = services().settings.public_base_url or request.host_url
    return _start(BatchKind.LETTERS_SEND, meeting_id, {"base_url": base})


@blp.route("/letters/<uuid:letter_id>/posted", methods=["POST"])
@requires("letters.send")
@blp.response(200, PostedSchema)
def posted(letter_id: uuid.UUID) -> dict[str, Any]:
    """An administrator printed this letter for post."""
    row = delivery.mark_posted(db_session(), letter_id, actor=current_actor())
    return {"id": str(row.id), "channel": row.channel, "sent_at": row.sent_at}
