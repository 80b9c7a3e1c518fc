"""What a chair's decision is made of, and the panel rules it must keep (pure: no database).

``check_decision`` returns every broken rule as a plain sentence that tells the chair what
to change; the operations raise them together so one correction round fixes them all.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from service.rules import Profile


class DecisionState(enum.StrEnum):
    RECORDED = "recorded"
    NOTIFIED = "notified"
    LETTER_SENT = "letter_sent"


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class LetterChannel(enum.StrEnum):
    EMAIL = "email"
    POST = "post"


#: Outcome ids that start a Team Around the Family, so the first TAF meeting's date is
#: required. The profile files carry no such flag; these ids are the ones whose protocol
#: wording starts a plan with a lead professional (CAF/early help assessment and TAF).
TAF_OUTCOMES = frozenset({
    "team_around_family",
    "initiate_caf",
    "appoint_lead_professional",
    "support_package",
})


@dataclass(frozen=True)
class ActionInput:
    """A SMART action: what is done, by whom, by when."""

    what: str
    who: str
    by: dt.date
    status: str = ActionStatus.OPEN

    def as_json(self) -> dict[str, Any]:
        return {"what": self.what, "who": self.who, "by": self.by.isoformat(), "status": str(self.status)}

    @classmethod
    def parse(cls, text: str) -> ActionInput:
        """``'what|who|YYYY-MM-DD'`` (the CLI's shape); ValueError saying which part is wrong."""
        parts = [part.strip() for part in text.split("|")]
        if len(parts) != 3:
            raise ValueError("an action is 'what|who|YYYY-MM-DD' (three parts separated by '|')")
        what, who, by = parts
        try:
            day = dt.date.fromisoformat(by)
        except ValueError:
            raise ValueError("an action's 'by when' must be an ISO date, YYYY-MM-DD") from None
        return cls(what=what, who=who, by=day)


@dataclass(frozen=True)
class DecisionInput:
    outcome_id: str
    reason: str
    lead_name: str
    lead_agency: str
    lead_contact: str
    review_date: dt.date
    actions: tuple[ActionInput, ...] = field(default_factory=tuple)
    taf_date: dt.date | None = None
    child_views: str | None = None
    dissent: str | None = None


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def check_decision(decision: DecisionInput, profile: Profile, meeting_date: dt.date) -> list[str]:
    """Every rule ``decision`` breaks for a case discussed on ``meeting_date`` (empty when it is sound)."""
    problems: list[str] = []
    if profile.outcome(decision.outcome_id) is None:
        known = ", ".join(o.id for o in profile.outcomes)
        problems.append(f"outcome '{decision.outcome_id}' is not one of this panel's outcomes ({known})")
    for name, value in (("reason", decision.reason), ("lead professional's name", decision.lead_name),
                        ("lead professional's agency", decision.lead_agency),
                        ("lead professional's contact", decision.lead_contact)):
        if _blank(value):
            problems.append(f"the {name} is required")
    if decision.review_date <= meeting_date:
        problems.append(f"the review date must fall after the meeting ({meeting_date.isoformat()})")
    limit = profile.timings.max_review_interval_days
    if limit is not None and decision.review_date > meeting_date + dt.timedelta(days=limit):
        latest = (meeting_date + dt.timedelta(days=limit)).isoformat()
        problems.append(f"the review date is beyond this panel's maximum review interval of {limit} days "
                        f"from the meeting: choose {latest} or earlier")
    if decision.outcome_id in TAF_OUTCOMES and decision.taf_date is None:
        problems.append("this outcome starts a Team Around the Family: give the first TAF meeting's date")
    if decision.taf_date is not None and decision.taf_date < meeting_date:
        problems.append("the first Team Around the Family meeting cannot be before the panel meeting")
    for number, action in enumerate(decision.actions, start=1):
        if _blank(action.what) or _blank(action.who):
            problems.append(f"action {number} needs what is done and who does it")
        if action.by < meeting_date:
            problems.append(f"action {number}'s 'by when' date is before the meeting")
        if action.status not in set(ActionStatus):
            problems.append(f"action {number}'s status must be one of open, done, dropped")
    return problems
