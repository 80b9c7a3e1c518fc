"""``/api/v1/referrals``: the checked referral, its triage facts, corrections, consent and attachments."""

# flask-smorest ships no type hints: its decorators are untyped
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import uuid
from typing import Any

from flask import url_for

from service.api.base import Blueprint
from service.api.schemas import (
    AttachSchema,
    ConsentEventArgsSchema,
    ConsentEventCreatedSchema,
    OpenObjectSchema,
    ReferralListItemSchema,
    ReferralQuerySchema,
    ReferralSchema,
    SocialCareReferralArgsSchema,
    UploadResponseSchema,
)
from service.auth.gate import current_user, requires
from service.context import current_actor, db_session, services
from service.jobs.dispatch import job_queue
from service.models import Role
from service.referrals import operations as ops
from service.referrals.summary import describe_referral, list_referrals

blp = Blueprint("referrals", __name__, url_prefix="/api/v1/referrals",
                description="Referrals checked against their panel's rules, with what officers add")


def _detail(referral_id: uuid.UUID) -> dict[str, Any]:
    return describe_referral(db_session(), referral_id, actor=current_actor())


@blp.route("", methods=["GET"])
@requires("referrals.list")
@blp.arguments(ReferralQuerySchema, location="query")
@blp.response(200, ReferralListItemSchema(many=True))
def list_all(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Referrals, newest first: ids, panel, route, dates and the social-care clock (no names)."""
    return list_referrals(db_session(), panel=args["panel"], route=args["route"], overdue=args["overdue"],
                          document_id=args["document_id"], limit=args["limit"])


@blp.route("/overdue-social-care", methods=["GET"])
@requires("referrals.list")
@blp.response(200, ReferralListItemSchema(many=True))
def overdue() -> list[dict[str, Any]]:
    """Significant-harm referrals past their deadline with no social-care referral recorded."""
    return list_referrals(db_session(), overdue=True, limit=1000)


@blp.route("/<uuid:referral_id>", methods=["GET"])
@requires("referrals.read")
@blp.response(200, ReferralSchema)
def get_referral(referral_id: uuid.UUID) -> dict[str, Any]:
    """One referral in full; audited as a disclosure.

    The record (corrections applied), what was extracted, triage facts, route,
    findings, consent, versions and documents.
    """
    return _detail(referral_id)


@blp.route("/<uuid:referral_id>", methods=["PATCH"])
@requires("referrals.correct")
@blp.arguments(OpenObjectSchema, location="json")
@blp.response(200, ReferralSchema)
def correct(changes: dict[str, Any], referral_id: uuid.UUID) -> dict[str, Any]:
    """Correct fields by path, e.g. ``{"consent.information_sharing": true}``.

    Each path becomes a new version (the extracted value is kept); the checks run again.
    """
    ops.correct_referral(db_session(), referral_id, changes, actor=current_actor())
    return _detail(referral_id)


def _triage(data: dict[str, Any], referral_id: uuid.UUID, *, replace: bool) -> dict[str, Any]:
    ops.update_triage(db_session(), referral_id, data, replace=replace, actor=current_actor(),
                      role=Role(current_user().role))
    return _detail(referral_id)


@blp.route("/<uuid:referral_id>/triage", methods=["PUT"])
@requires("referrals.triage")
@blp.arguments(OpenObjectSchema, location="json")
@blp.response(200, ReferralSchema)
def put_triage(data: dict[str, Any], referral_id: uuid.UUID) -> dict[str, Any]:
    """Replace the triage facts. Only a chair records the decision to proceed without consent."""
    return _triage(data, referral_id, replace=True)


@blp.route("/<uuid:referral_id>/triage", methods=["PATCH"])
@requires("referrals.triage")
@blp.arguments(OpenObjectSchema, location="json")
@blp.response(200, ReferralSchema)
def patch_triage(data: dict[str, Any], referral_id: uuid.UUID) -> dict[str, Any]:
    """Change some triage facts (keys not sent are kept)."""
    return _triage(data, referral_id, replace=False)


@blp.route("/<uuid:referral_id>/consent-events", methods=["POST"])
@requires("referrals.consent")
@blp.arguments(ConsentEventArgsSchema, location="json")
@blp.response(201, ConsentEventCreatedSchema)
def add_consent_event(args: dict[str, Any], referral_id: uuid.UUID) -> Any:
    """Record consent given, refused or withdrawn after the form; the checks run again."""
    return ops.add_consent_event(db_session(), referral_id, kind=args["kind"], scopes=args["scopes"],
                                 on=args["on"], given_by=args["given_by"],
                                 excluded_agencies=args["excluded_agencies"],
                                 how_recorded=args["how_recorded"], actor=current_actor())


@blp.route("/<uuid:referral_id>/social-care-referral", methods=["POST"])
@requires("referrals.social_care")
@blp.arguments(SocialCareReferralArgsSchema, location="json")
@blp.response(200, ReferralSchema)
def social_care_referral(args: dict[str, Any], referral_id: uuid.UUID) -> dict[str, Any]:
    """Record that the referral to children's social care was made: stops the significant-harm clock."""
    ops.record_social_care_referral(db_session(), referral_id, made_at=args["made_at"],
                                    reference=args["reference"], by=args["by"], actor=current_actor())
    return _detail(referral_id)


@blp.route("/<uuid:referral_id>/documents", methods=["POST"])
@requires("referrals.attach")
@blp.arguments(AttachSchema, location="form_and_files")
@blp.response(201, UploadResponseSchema, description="New bytes: stored, read and merged into this referral")
@blp.alt_response(200, schema=UploadResponseSchema, description="These bytes were already attached")
def attach(args: dict[str, Any], referral_id: uuid.UUID) -> tuple[Any, int, dict[str, str]]:
    """Attach a later document (signed consent, rescan) to this referral instead of starting another."""
    svc = services()
    outcome = ops.attach_document(
        db_session(), svc.store, svc.extraction, referral_id, data=args["file"].read(),
        password=args["password"], key_secret=svc.settings.key_secret,
        max_bytes=svc.settings.max_upload_bytes, actor=current_actor(), jobs=job_queue())
    location = url_for("documents.get_document", document_id=outcome.document.id)
    return outcome, 201 if outcome.created else 200, {"Location": location}
