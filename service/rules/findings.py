"""What an evaluation returns: one route, the findings that led to it, and the basis for sharing.

Routes are ordered by precedence: the first one any finding asks for wins, so a
significant-harm concern always outranks everything else.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


class Route(enum.StrEnum):
    """Where a referral goes next; declaration order is precedence (first wins)."""

    REFER_TO_SOCIAL_CARE_NOW = "refer_to_social_care_now"
    NEEDS_REVIEW = "needs_review"
    AWAITING_CHAIR_DECISION = "awaiting_chair_decision"
    SIGNPOST = "signpost"
    JOIN_EXISTING_CAF = "join_existing_caf"
    CONSENT_MISSING = "consent_missing"
    NOT_ELIGIBLE = "not_eligible"
    NEEDS_INFORMATION = "needs_information"
    READY_FOR_PANEL = "ready_for_panel"

    @property
    def precedence(self) -> int:
        return list(Route).index(self)


class Severity(enum.StrEnum):
    BLOCKER = "blocker"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class Basis(enum.StrEnum):
    """The lawful basis on which the panel may discuss and share the referral."""

    CONSENT = "consent"
    SAFEGUARDING = "safeguarding"
    PUBLIC_TASK = "public_task"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"


def _frozen(data: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(data or {}))


@dataclass(frozen=True)
class Finding:
    """One rule's verdict, written for a triage officer and free of personal data.

    ``message`` never names a person (children are "child 2"); anything a screen
    needs beyond the words (a due time, the existing lead professional, agency
    slugs) is in ``data``, which is not for logs.
    """

    rule: str
    severity: Severity
    message: str
    path: str | None = None
    route: Route | None = None
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.route is not None and self.severity is not Severity.BLOCKER:
            raise ValueError(f"{self.rule}: only a blocker may set a route")
        object.__setattr__(self, "data", _frozen(self.data))

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape used by the API and ``mapdocs check``."""
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "message": self.message,
            "path": self.path,
            "route": None if self.route is None else str(self.route),
            "data": dict(self.data),
        }


def _order(finding: Finding) -> tuple[int, int]:
    route_rank = finding.route.precedence if finding.route is not None else len(Route)
    return (route_rank, finding.severity.rank)


@dataclass(frozen=True)
class Evaluation:
    """The outcome of evaluating one referral against its panel."""

    route: Route
    findings: tuple[Finding, ...]
    basis: Basis | None = None

    @classmethod
    def from_findings(cls, findings: list[Finding], basis: Basis | None) -> Evaluation:
        """Order findings by the route they ask for (harm first), then severity; pick the winning route."""
        ordered = tuple(sorted(findings, key=_order))  # sorted() is stable: rule order breaks ties
        routes = [f.route for f in ordered if f.route is not None]
        route = min(routes, key=lambda r: r.precedence) if routes else Route.READY_FOR_PANEL
        return cls(route=route, findings=ordered, basis=basis)

    @property
    def rule_ids(self) -> list[str]:
        return [f.rule for f in self.findings]

    def as_dict(self) -> dict[str, Any]:
        return {
            "route": str(self.route),
            "basis": None if self.basis is None else str(self.basis),
            "findings": [f.as_dict() for f in self.findings],
        }
