"""The referral record (``referral-record/1``) as marshmallow schemas, for the API boundary.

Mirrors ``spec/referral-record.schema.json`` field by field so the OpenAPI document shows
the record's shape; the JSON Schema stays the contract (tests validate dumped records
against it). Dates stay ISO strings (``YYYY-MM-DD``), as in the record. Keys the schema
does not declare are kept on load and on dump: the JSON Schema allows additional
properties, and the API must not silently drop what an extractor added.
"""

from __future__ import annotations

from typing import Any

from marshmallow import INCLUDE, Schema, fields, post_dump, validate

ISO_DATE = validate.Regexp(r"^\d{4}-\d{2}-\d{2}$", error="Not an ISO date (YYYY-MM-DD).")


def _date(**kwargs: Any) -> fields.String:
    return fields.String(allow_none=True, validate=ISO_DATE, metadata={"format": "date"}, **kwargs)


def _text(**kwargs: Any) -> fields.String:
    return fields.String(allow_none=True, **kwargs)


class _OpenSchema(Schema):
    """Keeps undeclared keys both ways (``additionalProperties: true``)."""

    class Meta:
        unknown = INCLUDE

    @post_dump(pass_original=True)
    def keep_undeclared(self, data: dict[str, Any], original: Any, **_kwargs: Any) -> dict[str, Any]:
        if isinstance(original, dict):
            for key, value in original.items():
                if key not in self.fields:
                    data[key] = value
        return data


class ChildSchema(_OpenSchema):
    full_name = fields.String(required=True)
    date_of_birth = _date(required=True)
    expected_date_of_delivery = _date()
    gender = _text()
    school_or_setting = _text()
    nhs_number = _text(validate=validate.Regexp(r"^\d{10}$"), metadata={"description": "10 digits"})
    upn = _text(validate=validate.Length(equal=13), metadata={"description": "Unique Pupil Number"})


class ParentCarerSchema(_OpenSchema):
    full_name = fields.String(required=True)
    relationship = _text()
    phone = _text(metadata={"description": "digits only, leading + kept"})


class FamilySchema(_OpenSchema):
    address = _text()
    postcode = _text()
    home_language = _text()
    interpreter_required = fields.Boolean(allow_none=True)
    parents_carers = fields.List(fields.Nested(ParentCarerSchema))


class ReferrerSchema(_OpenSchema):
    full_name = fields.String(required=True)
    role = _text()
    agency = _text(required=True)
    email = _text()
    phone = _text()


class AgencyInvolvedSchema(_OpenSchema):
    agency = fields.String(required=True)
    worker = _text()
    role = _text()


class DesiredOutcomeSchema(_OpenSchema):
    outcome = fields.String(required=True)
    success_criteria = _text()


class LevelOfNeedSchema(_OpenSchema):
    tier = fields.Integer(required=True, allow_none=True, validate=validate.Range(min=1, max=4))
    as_written = _text()


class SafeguardingSchema(_OpenSchema):
    significant_harm_concern = fields.Boolean(required=True, allow_none=True)
    details = _text()


class ConsentSchema(_OpenSchema):
    information_sharing = fields.Boolean(
        required=True, allow_none=True,
        metadata={"description": "true only where consent is positively marked or signed; never guessed"})
    panel_discussion = fields.Boolean(allow_none=True)
    given_by = fields.String(allow_none=True, validate=validate.OneOf(["parent_carer", "young_person"]))
    name = _text()
    date = _date()
    excluded_agencies = fields.List(fields.String())


class ManagerSignoffSchema(_OpenSchema):
    full_name = _text()
    date = _date()


class ReferralRecordSchema(_OpenSchema):
    """One referral record extracted from one completed CAF / CSF / Early Help Assessment."""

    schema_version = fields.String(required=True, validate=validate.Equal("1"))
    form_type = fields.String(required=True, validate=validate.OneOf(["CAF", "CSF", "EHA"]))
    assessment_date = _date()
    children = fields.List(fields.Nested(ChildSchema), required=True, validate=validate.Length(min=1))
    family = fields.Nested(FamilySchema)
    referrer = fields.Nested(ReferrerSchema, required=True)
    agencies_involved = fields.List(fields.Nested(AgencyInvolvedSchema))
    strengths = fields.List(fields.String(), required=True)
    needs = fields.List(fields.String(), required=True)
    desired_outcomes = fields.List(fields.Nested(DesiredOutcomeSchema), required=True)
    child_views = _text()
    parent_views = _text()
    level_of_need = fields.Nested(LevelOfNeedSchema, required=True)
    safeguarding = fields.Nested(SafeguardingSchema, required=True)
    consent = fields.Nested(ConsentSchema, required=True)
    manager_signoff = fields.Nested(ManagerSignoffSchema)
