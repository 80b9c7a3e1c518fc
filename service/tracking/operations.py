"""What people record for a family's tracking form: progress ratings at a review, action statuses.

Each records its fact (audited, committed) and then, given the object store, stores the
family's next tracking form version (``service.tracking.versions``). Reading the form is
in ``service.tracking.form``; its two entry points are re-exported here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from service.audit.operations import Actor, record_event
from service.models import ActionStatusChange, Decision, OutcomeRating
from service.tracking.actions import ActionProgress
from service.tracking.errors import ActionNotFound, NothingToTrack, TrackingError, UnknownActionStatus
from service.tracking.form import (
    TrackingFiles,
    build_tracking_form,
    case_and_referral,
    current_decisions,
    desired_outcomes,
    tracking_context,
)
from service.tracking.versions import Trigger, refresh_quietly
from storage import ObjectStore

__all__ = ["ActionProgress", "RatingInput", "StatusChange", "TrackingFiles", "build_tracking_form",
           "rate_progress", "set_action_status", "tracking_context"]

RATING_RANGE = range(0, 11)


@dataclass(frozen=True)
class RatingInput:
    outcome_index: int
    rating: int
    note: str | None = None

    @classmethod
    def parse(cls, text: str) -> RatingInput:
        """``'N=R'`` or ``'N=R|note'`` (N counts the desired outcomes from 1, as the form shows them)."""
        head, _, note = text.partition("|")
        index, sep, rating = head.partition("=")
        if not sep or not index.strip().isdigit() or not rating.strip().isdigit():
            raise ValueError("a rating is 'N=R' or 'N=R|note': outcome number N from 1, rating R 0 to 10")
        return cls(int(index) - 1, int(rating), note.strip() or None)


def rate_progress(session: Session, case_id: uuid.UUID, review_date: dt.date, ratings: Sequence[RatingInput],
                  *, actor: Actor, store: ObjectStore | None = None) -> list[OutcomeRating]:
    """Record a review's rating of each desired outcome named. Commits; audited (numbers only).

    With ``store``, the family's tracking form is then stored as a new version.
    """
    case, referral = case_and_referral(session, case_id)
    outcomes = desired_outcomes(referral)
    rows = []
    for item in ratings:
        if not 0 <= item.outcome_index < len(outcomes):
            raise TrackingError(f"outcome {item.outcome_index + 1} does not exist: the family's plan has "
                                f"{len(outcomes)} desired outcomes")
        if item.rating not in RATING_RANGE:
            raise TrackingError("a rating runs from 0 (not yet) to 10 (achieved)")
        rows.append(OutcomeRating(referral_id=referral.id, case_id=case.id, review_date=review_date,
                                  outcome_index=item.outcome_index, outcome=outcomes[item.outcome_index],
                                  rating=item.rating, note=(item.note or "").strip() or None,
                                  actor_type=actor.kind,
                                  recorded_by=actor.id if actor.kind == "user" else None))
    session.add_all(rows)
    record_event(session, actor, "tracking.progress_rated", object_type="case", object_id=case.id,
                 detail={"review_date": review_date.isoformat(), "ratings": len(rows)})
    session.commit()
    if store is not None:
        refresh_quietly(session, store, case.id, trigger=Trigger.RATING, actor=actor)
    return rows


@dataclass(frozen=True)
class StatusChange:
    """A recorded status change and the tracking form version stored after it (None: not stored)."""

    change: ActionStatusChange
    number: int
    form_version: int | None


def _current_decision(session: Session, case_id: uuid.UUID, referral_id: uuid.UUID) -> Decision:
    found = [d for d in current_decisions(session, referral_id) if d.case_id == case_id]
    if not found:
        raise NothingToTrack("No decision is recorded for this case yet: record the panel's decision first")
    return found[0]


def set_action_status(session: Session, store: ObjectStore, case_id: uuid.UUID, number: int, status: str,
                      *, actor: Actor, note: str | None = None) -> StatusChange:
    """Set action ``number`` (from 1) of the case's current decision to ``status``; audited. Commits.

    Then stores the family's next tracking form version. The note goes on the form, never
    into the audit trail or the log.
    """
    if status not in set(ActionProgress):
        raise UnknownActionStatus(f"'{status}' is not an action status: use one of "
                                  + ", ".join(ActionProgress))
    case, referral = case_and_referral(session, case_id)
    decision = _current_decision(session, case.id, referral.id)
    if not 1 <= number <= len(decision.actions):
        raise ActionNotFound(f"action {number} does not exist: the case's current decision has "
                             f"{len(decision.actions)} actions")
    change = ActionStatusChange(
        referral_id=referral.id, case_id=case.id, decision_id=decision.id, action_index=number - 1,
        action_what=decision.actions[number - 1]["what"], status=status, note=(note or "").strip() or None,
        actor_type=actor.kind, set_by=actor.id if actor.kind == "user" else None)
    session.add(change)
    session.flush()
    record_event(session, actor, "tracking.action_status", object_type="case", object_id=case.id,
                 detail={"action": number, "status": status, "decision_id": str(decision.id),
                         "change_id": str(change.id)})
    session.commit()
    stored = refresh_quietly(session, store, case.id, trigger=Trigger.ACTION_STATUS, actor=actor)
    return StatusChange(change=change, number=number, form_version=stored.version if stored else None)
