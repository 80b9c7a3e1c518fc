"""marshmallow schemas for profile and panel data files; unknown keys are rejected.

The schemas are the only place data files become ``model`` values, and
``flatten_errors`` turns marshmallow's nested messages into ``a.b[2].c: message``
so a council's mistake names the key to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from service.rules import model

SLUG = validate.Regexp(r"^[a-z0-9][a-z0-9-]*$", error="Use lower-case letters, digits and hyphens.")
OUTCOME_ID = validate.Regexp(
    r"^[a-z][a-z0-9_]*$", error="Use lower-case letters, digits and underscores."
)
TIER = validate.Range(min=1, max=4)
DAYS = validate.Range(min=0, max=3660)
SOURCE = fields.String(required=True, validate=validate.Length(min=1))


def _int(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, **kwargs)


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class AgeSchema(_Strict):
    min_years = _int(required=True, validate=validate.Range(min=0, max=25))
    max_years = _int(required=True, validate=validate.Range(min=0, max=25))
    unborn_allowed = fields.Boolean(required=True)
    source = SOURCE

    @validates_schema
    def _ordered(self, data: Mapping[str, Any], **_: Any) -> None:
        if data["min_years"] > data["max_years"]:
            raise ValidationError("Must not be below min_years.", "max_years")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> model.AgeRemit:
        return model.AgeRemit(**data)


class ConsentSchema(_Strict):
    information_sharing_required = fields.Boolean(required=True)
    panel_discussion_required = fields.Boolean(required=True)
    early_help_consent_required = fields.Boolean(load_default=False)
    allowed_givers = fields.List(
        fields.String(validate=validate.OneOf(model.CONSENT_GIVERS)),
        required=True,
        validate=validate.Length(min=1),
    )
    max_age_days = _int(required=True, allow_none=True, validate=validate.Range(min=1, max=3660))
    self_consent_min_age = _int(load_default=13, validate=validate.Range(min=0, max=18))
    discussion_without_consent_on_welfare_concern = fields.Boolean(required=True)
    source = SOURCE

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> model.ConsentRules:
        data["allowed_givers"] = tuple(data["allowed_givers"])
        return model.ConsentRules(**data)


class LevelOfNeedSchema(_Strict):
    min_tier = _int(required=True, validate=TIER)
    max_tier = _int(required=True, validate=TIER)
    words = fields.Dict(
        keys=fields.String(validate=validate.OneOf(["1", "2", "3", "4"])),
        values=fields.String(validate=validate.Length(min=1)),
        required=True,
    )
    signpost_tiers_known_to_csc = fields.List(_int(validate=TIER), load_default=list)
    source = SOURCE

    @validates_schema
    def _ordered(self, data: Mapping[str, Any], **_: Any) -> None:
        if data["min_tier"] > data["max_tier"]:
            raise ValidationError("Must not be below min_tier.", "max_tier")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> model.LevelOfNeed:
        data["words"] = {int(k): v for k, v in data["words"].items()}
        data["signpost_tiers_known_to_csc"] = tuple(data["signpost_tiers_known_to_csc"])
        return model.LevelOfNeed(**data)


class SafeguardingSchema(_Strict):
    clock_hours = _int(required=True, validate=validate.Range(min=1, max=168))
    statutory_needs_to_social_care = fields.Boolean(load_default=False)
    source = SOURCE

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> model.Safeguarding:
        return model.Safeguarding(**data)


class TimingsSchema(_Strict):
    look_back_days = _int(required=True, validate=DAYS)
    max_review_interval_days = _int(required=True, allow_none=True, validate=DAYS)
    papers_deadline_days = _int(load_default=None, allow_none=True, validate=DAYS)
    papers_deadline_working_days = fields.Boolean(load_default=True)
    circulation_weekday = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(model.WEEKDAYS)
    )
    referrer_invite_days = _int(load_default=None, allow_none=True, validate=DAYS)
    decisions_circulated_working_days = _int(load_default=None, allow_none=True, validate=DAYS)
    source = SOURCE

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> model.Timings:
        return model.Timings(**data)


class RequirementsSchema(_Strict):
    manager_signoff_required = fields.Boolean(required=True)
    min_professionals_involved = _int(required=True, validate=validate.Range(min=0, max=20))
    child_views_or_reason = fields.Boolean(load_default=True)
    source = SOURCE

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> model.Requirements:
        return model.Requirements(**data)


class OutcomeSchema(_Strict):
    id = fields.String(required=True, validate=OUTCOME_ID)
    label = fields.String(required=True, validate=validate.Length(min=1))
    source = SOURCE

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> model.Outcome:
        return model.Outcome(**data)


class ProfileSchema(_Strict):
    kind = fields.String(required=True, validate=validate.Equal("profile"))
    slug = fields.String(required=True, validate=SLUG)
    name = fields.String(required=True, validate=validate.Length(min=1))
    council = fields.String(required=True)
    protocol = fields.String(required=True)
    form_types = fields.List(
        fields.String(validate=validate.OneOf(["CAF", "CSF", "EHA"])), required=True
    )
    age = fields.Nested(AgeSchema, required=True)
    consent = fields.Nested(ConsentSchema, required=True)
    level_of_need = fields.Nested(LevelOfNeedSchema, required=True)
    safeguarding = fields.Nested(SafeguardingSchema, required=True)
    timings = fields.Nested(TimingsSchema, required=True)
    requirements = fields.Nested(RequirementsSchema, required=True)
    outcomes = fields.List(fields.Nested(OutcomeSchema), required=True, validate=validate.Length(min=1))

    @validates_schema
    def _unique_outcomes(self, data: Mapping[str, Any], **_: Any) -> None:
        seen: set[str] = set()
        for i, outcome in enumerate(data.get("outcomes", [])):
            if outcome.id in seen:
                raise ValidationError({i: {"id": [f"Duplicate outcome id {outcome.id!r}."]}}, "outcomes")
            seen.add(outcome.id)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> model.Profile:
        del data["kind"]
        data["form_types"] = tuple(data["form_types"])
        data["outcomes"] = tuple(data["outcomes"])
        return model.Profile(**data)


class AgencySchema(_Strict):
    slug = fields.String(required=True, validate=SLUG)
    name = fields.String(required=True, validate=validate.Length(min=1))
    aliases = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)
    secure_email = fields.Email(load_default=None, allow_none=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> model.Agency:
        data["aliases"] = tuple(data["aliases"])
        return model.Agency(**data)


class CadenceSchema(_Strict):
    weekday = fields.String(required=True, validate=validate.OneOf(model.WEEKDAYS))
    every_weeks = _int(required=True, validate=validate.Range(min=1, max=52))
    first_meeting = fields.Date(required=True)
    start_time = fields.Time(required=True)
    duration_minutes = _int(required=True, validate=validate.Range(min=5, max=600))

    @validates_schema
    def _weekday_matches(self, data: Mapping[str, Any], **_: Any) -> None:
        if model.WEEKDAYS[data["first_meeting"].weekday()] != data["weekday"]:
            raise ValidationError(f"Must fall on a {data['weekday']}.", "first_meeting")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> model.Cadence:
        return model.Cadence(**data)


class PanelSchema(_Strict):
    kind = fields.String(required=True, validate=validate.Equal("panel"))
    slug = fields.String(required=True, validate=SLUG)
    name = fields.String(required=True, validate=validate.Length(min=1))
    profile = fields.String(required=True, validate=SLUG)
    agencies = fields.List(fields.Nested(AgencySchema), required=True)
    cadence = fields.Nested(CadenceSchema, required=True)
    venue = fields.String(required=True)
    slot_minutes = _int(load_default=None, allow_none=True, validate=validate.Range(min=5, max=240))
    source = SOURCE

    @validates_schema
    def _unique_agencies(self, data: Mapping[str, Any], **_: Any) -> None:
        seen: set[str] = set()
        for i, agency in enumerate(data.get("agencies", [])):
            if agency.slug in seen:
                raise ValidationError(
                    {i: {"slug": [f"Duplicate agency slug {agency.slug!r}."]}}, "agencies"
                )
            seen.add(agency.slug)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> model.Panel:
        del data["kind"]
        data["agencies"] = tuple(data["agencies"])
        return model.Panel(**data)


def flatten_errors(messages: Any, prefix: str = "") -> list[str]:
    """Turn ``{"consent": {"max_age_days": ["Not a valid integer."]}}`` into ``consent.max_age_days: …``."""
    if isinstance(messages, Mapping):
        out: list[str] = []
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(flatten_errors(value, path))
        return out
    if isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        text = " ".join(messages)
        return [f"{prefix}: {text}" if prefix else text]
    if isinstance(messages, list | tuple):
        return [line for m in messages for line in flatten_errors(m, prefix)]
    return [f"{prefix}: {messages}" if prefix else str(messages)]
