"""Progress ratings and the family's tracking form, gathered across every listing of the referral.

A family's reviews are separate listed cases (one per meeting that discussed them), so
the form reads the current decision of each case of the referral, oldest first: the
latest gives the support package, lead professional and actions; each gives a review row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderers.context import long_date
from renderers.convert import DocxToPdfConverter
from renderers.tracking_form import (
    TrackingAction,
    TrackingFormContext,
    TrackingRating,
    TrackingReview,
    render_tracking_form,
    tracking_csv,
)
from service.audit.operations import Actor, record_event
from service.db import utcnow
from service.decisions.operations import current_decision
from service.meetings import listing
from service.meetings.queries import panel_for
from service.models import Decision, MeetingCase, OutcomeRating, Referral
from service.panels import get_profile
from service.tracking.errors import NothingToTrack, TrackingError

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


@dataclass(frozen=True)
class TrackingFiles:
    docx: bytes
    pdf: bytes | None
    csv: bytes


def _referral(session: Session, case_id: uuid.UUID) -> tuple[MeetingCase, Referral]:
    case = listing.case_for(session, case_id)
    referral = session.get(Referral, case.referral_id)
    if referral is None:
        raise TrackingError("The listed case has no referral")
    return case, referral


def desired_outcomes(referral: Referral) -> list[str]:
    items = (referral.record or {}).get("desired_outcomes") or []
    return [str(item.get("outcome") or "") for item in items if isinstance(item, dict)]


def rate_progress(session: Session, case_id: uuid.UUID, review_date: dt.date, ratings: Sequence[RatingInput],
                  *, actor: Actor) -> list[OutcomeRating]:
    """Record a review's rating of each desired outcome named. Commits; audited (numbers only)."""
    case, referral = _referral(session, case_id)
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
    return rows


def _decisions(session: Session, referral_id: uuid.UUID) -> list[Decision]:
    cases = session.scalars(select(MeetingCase.id).where(MeetingCase.referral_id == referral_id))
    found = [d for d in (current_decision(session, case) for case in cases) if d is not None]
    return sorted(found, key=lambda d: d.recorded_at)


def _review(decision: Decision) -> TrackingReview:
    return TrackingReview(date=long_date(listing.uk_date(decision.recorded_at)),
                          decision=decision.outcome_label, next_review=long_date(decision.review_date),
                          lead=f"{decision.lead_name}, {decision.lead_agency}")


def _action(action: dict[str, Any]) -> TrackingAction:
    return TrackingAction(what=action["what"], who=action["who"],
                          by_when=long_date(dt.date.fromisoformat(action["by"])),
                          status=action.get("status", "open"))


def tracking_context(session: Session, case_id: uuid.UUID, *,
                     today: dt.date | None = None) -> TrackingFormContext:
    """The form's content now: NothingToTrack (409) before any decision."""
    case, referral = _referral(session, case_id)
    decided = _decisions(session, referral.id)
    if not decided:
        raise NothingToTrack()
    latest = decided[-1]
    panel = panel_for(referral.panel)
    ratings = session.scalars(select(OutcomeRating).where(OutcomeRating.referral_id == referral.id)
                              .order_by(OutcomeRating.outcome_index, OutcomeRating.review_date,
                                        OutcomeRating.recorded_at))
    return TrackingFormContext(
        panel_name=panel.name, council_name=get_profile(panel).council, case_ref=case.case_ref,
        initials=listing.children_initials(referral.record), support_package=f"{latest.outcome_label}. "
        f"{latest.reason}", lead_name=latest.lead_name, lead_agency=latest.lead_agency,
        lead_contact=latest.lead_contact, next_review=long_date(latest.review_date),
        generated_on=long_date(today or listing.uk_date(utcnow())),
        reviews=tuple(_review(d) for d in decided), actions=tuple(_action(a) for a in latest.actions),
        desired_outcomes=tuple(desired_outcomes(referral)),
        ratings=tuple(TrackingRating(outcome=r.outcome, review_date=long_date(r.review_date),
                                     rating=f"{r.rating}/10", note=r.note or "") for r in ratings))


def build_tracking_form(session: Session, case_id: uuid.UUID, *,
                        converter: DocxToPdfConverter | None = None) -> TrackingFiles:
    """DOCX, PDF (when a converter is given) and CSV of the family's tracking form."""
    ctx = tracking_context(session, case_id)
    rendered = render_tracking_form(ctx, converter=converter)
    return TrackingFiles(docx=rendered.docx, pdf=rendered.pdf, csv=tracking_csv(ctx))
