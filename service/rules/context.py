"""The frozen inputs of one evaluation, with the small derived views every rule shares."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from service.rules.agencies import ExclusionMatch, resolve_exclusions
from service.rules.consent import ConsentState, ConsentTimeline, Scope
from service.rules.model import Panel, Profile
from service.rules.triage import TriageFacts

#: below this an extracted answer must be confirmed by a triage officer
CONFIDENCE_THRESHOLD = 0.8
HARM_PATH = "safeguarding.significant_harm_concern"
CONSENT_PATH = "consent.information_sharing"
PANEL_CONSENT_PATH = "consent.panel_discussion"


@dataclass(frozen=True)
class ExistingAssessment:
    """An assessment already held for a child (from earlier referrals), for the "existing work first" rule."""

    referral_id: str
    child_full_name: str
    date_of_birth: dt.date | None
    postcode: str | None
    assessed_on: dt.date
    lead_professional: str | None = None
    lead_agency: str | None = None


def normalise_name(value: Any) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(value or "").lower()).split())


def normalise_postcode(value: Any) -> str:
    return re.sub(r"\s+", "", str(value or "")).upper()


@dataclass(frozen=True)
class Context:
    record: Mapping[str, Any]
    profile: Profile
    panel: Panel
    triage: TriageFacts
    confidence: Mapping[str, float]
    timeline: ConsentTimeline
    uploaded_at: dt.datetime
    evaluated_at: dt.datetime
    meeting: dt.date
    existing: Sequence[ExistingAssessment]

    def section(self, name: str) -> Mapping[str, Any]:
        value = self.record.get(name)
        return value if isinstance(value, Mapping) else {}

    def items(self, name: str) -> list[Any]:
        value = self.record.get(name)
        return list(value) if isinstance(value, list) else []

    def confident(self, path: str) -> bool:
        """A missing confidence counts as low: the service passes 1.0 for values an officer corrected."""
        return self.confidence.get(path, 0.0) >= CONFIDENCE_THRESHOLD

    @property
    def received(self) -> dt.date:
        return self.uploaded_at.date()

    @property
    def children(self) -> list[Mapping[str, Any]]:
        return [c for c in self.items("children") if isinstance(c, Mapping)]

    @cached_property
    def consent(self) -> ConsentState:
        return self.timeline.consent_in_force(self.evaluated_at)

    @cached_property
    def exclusions(self) -> list[ExclusionMatch]:
        """Every organisation the family excluded (form and later events), matched to the directory."""
        return resolve_exclusions(
            self.timeline.excluded_agencies, self.panel, self.triage.exclusion_resolutions
        )

    @property
    def consent_required(self) -> bool:
        return self.profile.consent.information_sharing_required

    def consent_uncertain(self, scope: Scope, path: str, officer_answer: bool | None) -> bool:
        """The form's answer is unread or unsure, and no officer has answered or recorded an event."""
        if officer_answer is not None or self.timeline.confirmed(scope):
            return False
        return self.section("consent").get(path.rsplit(".", 1)[1]) is None or not self.confident(path)

    @property
    def welfare_override_allowed(self) -> bool:
        return self.profile.consent.discussion_without_consent_on_welfare_concern

    @property
    def chair_override_applies(self) -> bool:
        """Consent gaps give way to safeguarding: profile allows it, welfare concern, chair decided."""
        return (
            self.welfare_override_allowed
            and self.triage.welfare_concern is True
            and self.triage.chair_override is not None
        )
