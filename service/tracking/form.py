"""The family's tracking form as recorded now, gathered across every listing of the referral.

A family's reviews are separate listed cases (one per meeting that discussed them), so
the form reads the current decision of each case of the referral, oldest first: the
latest gives the support package, lead professional and actions (with their status, see
``service.tracking.actions``); each gives a review row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
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
from service.db import utcnow
from service.meetings import listing
from service.meetings.queries import panel_for
from service.models import ActionStatusChange, Decision, MeetingCase, OutcomeRating, Referral
from service.panels import get_profile
from service.tracking.actions import applies, newest_changes, status_text
from service.tracking.errors import NothingToTrack, TrackingError


@dataclass(frozen=True)
class TrackingFiles:
    docx: bytes
    pdf: bytes | None
    csv: bytes


def case_and_referral(session: Session, case_id: uuid.UUID) -> tuple[MeetingCase, Referral]:
    """The listed case and its referral (CaseNotFound, 404, for an unknown case)."""
    case = listing.case_for(session, case_id)
    referral = session.get(Referral, case.referral_id)
    if referral is None:
        raise TrackingError("The listed case has no referral")
    return case, referral


def desired_outcomes(referral: Referral) -> list[str]:
    items = (referral.record or {}).get("desired_outcomes") or []
    return [str(item.get("outcome") or "") for item in items if isinstance(item, dict)]


def current_decisions(session: Session, referral_id: uuid.UUID) -> list[Decision]:
    """The current version of each case's decision for the referral, oldest first."""
    query = (select(Decision).where(Decision.referral_id == referral_id, Decision.superseded_at.is_(None))
             .order_by(Decision.recorded_at, Decision.id))
    return list(session.scalars(query))


def sources(session: Session, referral_id: uuid.UUID) -> str:
    """How many decisions, ratings and status changes the family has: the form is stale when it moves.

    Each of the three only ever gains rows, so counts tell a change without trusting clocks.
    """
    counts = [session.scalar(select(func.count()).select_from(model).where(model.referral_id == referral_id))
              for model in (Decision, OutcomeRating, ActionStatusChange)]
    return "decisions={} ratings={} statuses={}".format(*counts)


def _review(decision: Decision) -> TrackingReview:
    return TrackingReview(date=long_date(listing.uk_date(decision.recorded_at)),
                          decision=decision.outcome_label, next_review=long_date(decision.review_date),
                          lead=f"{decision.lead_name}, {decision.lead_agency}")


def _actions(session: Session, decision: Decision) -> tuple[TrackingAction, ...]:
    changes = newest_changes(session, decision.case_id)
    return tuple(
        TrackingAction(what=action["what"], who=action["who"],
                       by_when=long_date(dt.date.fromisoformat(action["by"])),
                       status=status_text(action, applies(changes.get(index), action, decision)))
        for index, action in enumerate(decision.actions))


def tracking_context(session: Session, case_id: uuid.UUID, *,
                     today: dt.date | None = None) -> TrackingFormContext:
    """The form's content now: NothingToTrack (409) before any decision."""
    case, referral = case_and_referral(session, case_id)
    decided = current_decisions(session, referral.id)
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
        reviews=tuple(_review(d) for d in decided), actions=_actions(session, latest),
        desired_outcomes=tuple(desired_outcomes(referral)),
        ratings=tuple(TrackingRating(outcome=r.outcome, review_date=long_date(r.review_date),
                                     rating=f"{r.rating}/10", note=r.note or "") for r in ratings))


def build_tracking_form(session: Session, case_id: uuid.UUID, *,
                        converter: DocxToPdfConverter | None = None) -> TrackingFiles:
    """DOCX, PDF (when a converter is given) and CSV of the family's tracking form."""
    ctx = tracking_context(session, case_id)
    rendered = render_tracking_form(ctx, converter=converter)
    return TrackingFiles(docx=rendered.docx, pdf=rendered.pdf, csv=tracking_csv(ctx))
