"""What a triage officer knows or decides that the form does not say, kept beside the record.

The extracted record is evidence from a document; these facts are an officer's
statements, so they never overwrite the record and each can be audited separately.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from types import MappingProxyType
from typing import Any

from service.rules.errors import RulesError


class TriageError(RulesError):
    """Triage facts that cannot be read; the message names the key."""

    status = 422


class LawfulBasis(enum.StrEnum):
    CONSENT = "consent"
    PUBLIC_TASK = "public_task"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"


@dataclass(frozen=True)
class ChairOverride:
    """The chair's decision to discuss a welfare-concern referral without consent.

    ``decided_by`` is a user id or role, ``reason`` the chair's words; neither is
    ever put in a finding message.
    """

    decided_by: str
    decided_at: dt.datetime
    reason: str


@dataclass(frozen=True)
class SocialCareReferral:
    """An officer's record that the referral to children's social care was made (stops the clock)."""

    made_at: dt.datetime
    recorded_by: str


@dataclass(frozen=True)
class TriageFacts:
    known_to_csc: bool | None = None
    monitoring_or_new_information: bool | None = None
    welfare_concern: bool | None = None
    consent_to_early_help: bool | None = None
    lawful_basis: LawfulBasis | None = None
    child_views_missing_reason: str | None = None
    chair_override: ChairOverride | None = None
    #: an officer's own answer to "is there a significant harm concern?" (None: not asked yet)
    harm_confirmed: bool | None = None
    #: an officer's own answer to "did the family consent to information sharing?"
    consent_confirmed: bool | None = None
    #: an officer's own answer to "did the family consent to discussion at the panel?"
    panel_consent_confirmed: bool | None = None
    #: exclusion text as written → agency slug, or ``agencies.NOT_A_PANEL_AGENCY``
    exclusion_resolutions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    family_breakdown_risk: bool | None = None
    statutory_assessment_needed: bool | None = None
    social_care_referral: SocialCareReferral | None = None
    #: the family is stepping down from children's social care: listed in its own agenda section
    step_down_from_csc: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "exclusion_resolutions", MappingProxyType(dict(self.exclusion_resolutions))
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> TriageFacts:
        """Read the JSON shape stored beside a referral (``as_dict``'s output)."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise TriageError(f"triage.{unknown[0]}: Unknown field.")
        for key in (
            "known_to_csc",
            "monitoring_or_new_information",
            "welfare_concern",
            "consent_to_early_help",
            "harm_confirmed",
            "consent_confirmed",
            "panel_consent_confirmed",
            "family_breakdown_risk",
            "statutory_assessment_needed",
            "step_down_from_csc",
        ):
            if data.get(key) is not None and not isinstance(data[key], bool):
                raise TriageError(f"triage.{key}: Not a valid boolean.")
        try:
            if data.get("lawful_basis") is not None:
                data["lawful_basis"] = LawfulBasis(data["lawful_basis"])
        except ValueError:
            raise TriageError(
                "triage.lawful_basis: Must be one of " + ", ".join(LawfulBasis) + "."
            ) from None
        if data.get("chair_override") is not None:
            data["chair_override"] = _nested(
                ChairOverride, data["chair_override"], "chair_override", "decided_at"
            )
        if data.get("social_care_referral") is not None:
            data["social_care_referral"] = _nested(
                SocialCareReferral, data["social_care_referral"], "social_care_referral", "made_at"
            )
        resolutions = data.get("exclusion_resolutions") or {}
        if not isinstance(resolutions, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in resolutions.items()
        ):
            raise TriageError("triage.exclusion_resolutions: Must map exclusion text to an agency slug.")
        data["exclusion_resolutions"] = resolutions
        return cls(**data)

    def as_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["exclusion_resolutions"] = dict(self.exclusion_resolutions)
        for key in ("chair_override", "social_care_referral"):
            if out[key] is not None:
                out[key] = {
                    k: v.isoformat() if isinstance(v, dt.datetime) else v
                    for k, v in asdict(out[key]).items()
                }
        if self.lawful_basis is not None:
            out["lawful_basis"] = str(self.lawful_basis)
        return out


def _nested(cls: type[Any], raw: Any, name: str, when: str) -> Any:
    if not isinstance(raw, Mapping):
        raise TriageError(f"triage.{name}: Not a valid object.")
    wanted = {f.name for f in fields(cls)}
    if set(raw) != wanted:
        missing = sorted(wanted - set(raw)) or sorted(set(raw) - wanted)
        raise TriageError(f"triage.{name}.{missing[0]}: Missing or unknown field.")
    values = dict(raw)
    try:
        values[when] = dt.datetime.fromisoformat(str(values[when]))
    except ValueError:
        raise TriageError(f"triage.{name}.{when}: Not a valid datetime.") from None
    return cls(**values)
