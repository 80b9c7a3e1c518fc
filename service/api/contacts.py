"""``/api/v1/referrals/<id>/family-contact``: how a family wants its letters (e-mail or post, print size).

Thin views over ``service.contacts``. Setting and clearing need ``contacts.manage``,
reading ``contacts.read`` (triage, administrator, admin); reading is audited as a disclosure.
"""

# flask-smorest ships no type hints: its decorators are untyped
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma

from service.api.base import Blueprint
from service.auth.gate import requires
from service.contacts import operations as ops
from service.context import current_actor, db_session
from service.models import FamilyContact

blp = Blueprint("contacts", __name__, url_prefix="/api/v1/referrals",
                description="A family's contact details for letters, kept beside the referral record")


class FamilyContactArgsSchema(ma.Schema):
    #: checked by ``service.contacts`` (as for the CLI), which also trims and lower-cases it
    email = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=320),
                             metadata={"description": "required when channel is email; stored lower-cased",
                                       "format": "email"})
    channel = ma.fields.Enum(ops.Channel, by_value=True, load_default=ops.Channel.EMAIL,
                             metadata={"description": "email | post"})
    large_print = ma.fields.Boolean(load_default=False,
                                    metadata={"description": "send the large-print letter (body text 16 pt)"})

class FamilyContactSchema(ma.Schema):
    referral_id = ma.fields.UUID(required=True)
    email = ma.fields.String(allow_none=True, required=True)
    channel = ma.fields.String(required=True, metadata={"description": "email | post"})
    large_print = ma.fields.Boolean(required=True)
    actor_type = ma.fields.String(required=True)
    set_by = ma.fields.UUID(allow_none=True, required=True)
    set_at = ma.fields.DateTime(required=True)


@blp.route("/<uuid:referral_id>/family-contact", methods=["GET"])
@requires("contacts.read")
@blp.response(200, FamilyContactSchema)
def get_contact(referral_id: uuid.UUID) -> FamilyContact:
    """The family's contact details for letters; audited as a disclosure."""
    return ops.read_contact(db_session(), referral_id, actor=current_actor())


@blp.route("/<uuid:referral_id>/family-contact", methods=["PUT"])
@requires("contacts.manage")
@blp.arguments(FamilyContactArgsSchema, location="json")
@blp.response(200, FamilyContactSchema)
def put_contact(args: dict[str, Any], referral_id: uuid.UUID) -> FamilyContact:
    """Record or replace how the family wants its letters: by e-mail (an address) or post."""
    data = ops.ContactInput(email=args["email"], channel=args["channel"], large_print=args["large_print"])
    return ops.set_contact(db_session(), referral_id, data, actor=current_actor())


@blp.route("/<uuid:referral_id>/family-contact", methods=["DELETE"])
@requires("contacts.manage")
@blp.response(204)
def delete_contact(referral_id: uuid.UUID) -> None:
    """Forget the family's contact details; their letters then wait to be printed for post."""
    ops.clear_contact(db_session(), referral_id, actor=current_actor())
