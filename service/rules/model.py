"""Profiles (a protocol's rules) and panels (a configured meeting using a profile) as frozen values.

Built only by ``schemas`` from validated data files, so the engine can trust every
field. ``source`` strings cite the protocol line a value came from, or say that the
protocol is silent and the value is a local default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CONSENT_GIVERS = ("parent_carer", "young_person")


@dataclass(frozen=True)
class AgeRemit:
    """Children aged ``min_years``..``max_years`` (completed years, inclusive) at the meeting."""

    min_years: int
    max_years: int
    unborn_allowed: bool
    source: str


@dataclass(frozen=True)
class ConsentRules:
    information_sharing_required: bool
    panel_discussion_required: bool
    early_help_consent_required: bool
    allowed_givers: tuple[str, ...]
    max_age_days: int | None
    self_consent_min_age: int
    discussion_without_consent_on_welfare_concern: bool
    source: str


@dataclass(frozen=True)
class LevelOfNeed:
    min_tier: int
    max_tier: int
    words: Mapping[int, str]
    signpost_tiers_known_to_csc: tuple[int, ...]
    source: str

    def word(self, tier: int) -> str:
        return self.words.get(tier, f"tier {tier}")


@dataclass(frozen=True)
class Safeguarding:
    clock_hours: int
    statutory_needs_to_social_care: bool
    source: str


@dataclass(frozen=True)
class Timings:
    look_back_days: int
    max_review_interval_days: int | None
    papers_deadline_days: int | None
    papers_deadline_working_days: bool
    circulation_weekday: str | None
    referrer_invite_days: int | None
    decisions_circulated_working_days: int | None
    source: str


@dataclass(frozen=True)
class Requirements:
    manager_signoff_required: bool
    min_professionals_involved: int
    child_views_or_reason: bool
    source: str


@dataclass(frozen=True)
class Outcome:
    id: str
    label: str
    source: str


@dataclass(frozen=True)
class Profile:
    slug: str
    name: str
    council: str
    protocol: str
    form_types: tuple[str, ...]
    age: AgeRemit
    consent: ConsentRules
    level_of_need: LevelOfNeed
    safeguarding: Safeguarding
    timings: Timings
    requirements: Requirements
    outcomes: tuple[Outcome, ...]

    def outcome(self, outcome_id: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.id == outcome_id), None)


@dataclass(frozen=True)
class Agency:
    """A panel member agency: an organisation and a role mailbox, never a person."""

    slug: str
    name: str
    aliases: tuple[str, ...]
    secure_email: str | None


@dataclass(frozen=True)
class Cadence:
    weekday: str
    every_weeks: int
    first_meeting: dt.date
    start_time: dt.time
    duration_minutes: int


@dataclass(frozen=True)
class Panel:
    slug: str
    name: str
    profile: str
    agencies: tuple[Agency, ...]
    cadence: Cadence
    venue: str
    slot_minutes: int | None
    source: str

    def agency(self, slug: str) -> Agency | None:
        return next((a for a in self.agencies if a.slug == slug), None)
