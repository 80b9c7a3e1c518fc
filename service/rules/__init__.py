"""Panel rules: profiles and panels as validated data, and the pure engine that routes a referral.

The service calls ``load_catalogue()`` once at start-up and ``evaluate(...)`` for each
referral; nothing here imports Flask or the database.
"""

from service.rules.agencies import NOT_A_PANEL_AGENCY, ExclusionMatch, MatchStatus, resolve_exclusions
from service.rules.catalogue import Catalogue, load_catalogue, profile_dirs
from service.rules.checks import RULES
from service.rules.checks.safeguarding import HarmClock, harm_clock
from service.rules.consent import ConsentEvent, ConsentState, ConsentTimeline, EventKind, Scope
from service.rules.context import CONFIDENCE_THRESHOLD, ExistingAssessment
from service.rules.engine import consent_timeline_for, evaluate, meeting_for
from service.rules.errors import ProfileError, RulesError, UnknownPanel
from service.rules.findings import Basis, Evaluation, Finding, Route, Severity
from service.rules.model import Agency, Cadence, Outcome, Panel, Profile
from service.rules.triage import ChairOverride, LawfulBasis, SocialCareReferral, TriageError, TriageFacts

__all__ = [
    "CONFIDENCE_THRESHOLD",
    "NOT_A_PANEL_AGENCY",
    "RULES",
    "Agency",
    "Basis",
    "Cadence",
    "Catalogue",
    "ChairOverride",
    "ConsentEvent",
    "ConsentState",
    "ConsentTimeline",
    "Evaluation",
    "EventKind",
    "ExclusionMatch",
    "ExistingAssessment",
    "Finding",
    "HarmClock",
    "LawfulBasis",
    "MatchStatus",
    "Outcome",
    "Panel",
    "Profile",
    "ProfileError",
    "Route",
    "RulesError",
    "Scope",
    "Severity",
    "SocialCareReferral",
    "TriageError",
    "TriageFacts",
    "UnknownPanel",
    "consent_timeline_for",
    "evaluate",
    "harm_clock",
    "load_catalogue",
    "meeting_for",
    "profile_dirs",
    "resolve_exclusions",
]
