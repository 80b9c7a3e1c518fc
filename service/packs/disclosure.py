"""Who may see which case: the basis for sharing each listed case, and each agency's exclusions.

Decided again every time packs are built, because consent can change after listing.
A case goes into packs on one of two bases: information-sharing consent in force now,
or safeguarding, when the chair recorded a decision to proceed without consent (and no
withdrawal came after that decision). Otherwise it is in no pack at all, not even the
chair's: the agendas only count it as withheld.

Exclusions fail closed: an organisation the family named that matches no panel agency
(or several) withholds the case from every agency pack; only the full pack keeps it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from service.meetings.listing import ListedCase
from service.models import Referral
from service.referrals.evaluation import triage_facts
from service.referrals.operations import consent_timeline, get_referral
from service.rules import Panel, Scope, resolve_exclusions
from service.rules.agencies import excluded_agency_slugs
from service.rules.consent import ConsentState, ConsentTimeline


class Basis(enum.StrEnum):
    CONSENT = "consent"
    SAFEGUARDING = "safeguarding"


class LeftOut(enum.StrEnum):
    """Why a case is in no pack at all."""

    CONSENT_WITHDRAWN = "consent_withdrawn"
    NO_BASIS = "no_basis"


@dataclass(frozen=True)
class CaseDisclosure:
    """The build-time decision for one listed case."""

    case: ListedCase
    referral: Referral
    timeline: ConsentTimeline
    basis: Basis | None
    left_out: LeftOut | None
    #: agencies the family excluded, as panel agency slugs
    excluded: frozenset[str]
    #: an exclusion that names no agency (or several): only the full pack may hold the case
    unresolved: bool
    chair_decision: dict[str, Any] | None = None

    @property
    def case_id(self) -> str:
        return str(self.case.case_id)

    def may_go_to(self, agency: str) -> bool:
        return self.basis is not None and not self.unresolved and agency not in self.excluded

    def as_dict(self) -> dict[str, Any]:
        """What a stored pack keeps per case (ids, basis, the chair's decision: no personal data)."""
        return {"referral_id": str(self.referral.id), "case_ref": self.case.case_ref,
                "basis": str(self.basis) if self.basis else None, "chair_decision": self.chair_decision}


def _basis(state: ConsentState,
           referral: Referral) -> tuple[Basis | None, LeftOut | None, dict[str, Any] | None]:
    sharing = state[Scope.INFORMATION_SHARING]
    discussion = state[Scope.PANEL_DISCUSSION]
    withdrawn = [s.event.on for s in (sharing, discussion)
                 if s.withdrawn and s.event is not None and s.event.on]
    if sharing.in_force is True and discussion.in_force is not False:
        return Basis.CONSENT, None, None
    override = triage_facts(referral).chair_override
    if override is not None:
        decided = override.decided_at.date()
        if not withdrawn or all(day <= decided for day in withdrawn):
            decision = {"decided_by": override.decided_by, "decided_at": override.decided_at.isoformat()}
            return Basis.SAFEGUARDING, None, decision
    return None, (LeftOut.CONSENT_WITHDRAWN if withdrawn else LeftOut.NO_BASIS), None


def decide(session: Session, panel: Panel, cases: Sequence[ListedCase], *,
           at: dt.datetime) -> list[CaseDisclosure]:
    """The basis and exclusions of each listed case as they stand at ``at`` (in agenda order)."""
    out: list[CaseDisclosure] = []
    for case in cases:
        referral = get_referral(session, case.referral_id)
        timeline = consent_timeline(session, referral)
        state = timeline.consent_in_force(at)
        basis, left_out, decision = _basis(state, referral)
        matches = resolve_exclusions(state.excluded_agencies, panel,
                                     triage_facts(referral).exclusion_resolutions)
        out.append(CaseDisclosure(case=case, referral=referral, timeline=timeline, basis=basis,
                                  left_out=left_out,
                                  excluded=excluded_agency_slugs(matches),
                                  unresolved=any(not m.settled for m in matches), chair_decision=decision))
    return out


def case_ids_for(disclosures: Sequence[CaseDisclosure], agency: str | None) -> frozenset[str]:
    """Case ids an agency's pack may hold; ``None`` means the full pack (every case with a basis)."""
    if agency is None:
        return frozenset(d.case_id for d in disclosures if d.basis is not None)
    return frozenset(d.case_id for d in disclosures if d.may_go_to(agency))
