"""Significant harm first: a suspected concern goes to children's social care, never to the panel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from service.rules.checks.base import Rule, blocker
from service.rules.context import HARM_PATH, Context
from service.rules.findings import Finding, Route
from service.rules.model import Profile
from service.rules.triage import TriageFacts

SIGNIFICANT_HARM = "safeguarding.significant_harm"
HARM_UNCONFIRMED = "safeguarding.harm_unconfirmed"
STATUTORY_PATHWAY = "safeguarding.statutory_pathway"


@dataclass(frozen=True)
class HarmClock:
    """The social-care referral clock a significant-harm route starts."""

    started_at: dt.datetime
    due_at: dt.datetime
    hours: int
    referral_made_at: dt.datetime | None

    def overdue(self, now: dt.datetime) -> bool:
        """Overdue until an officer records that the referral was made."""
        return self.referral_made_at is None and now > self.due_at


def harm_clock(uploaded_at: dt.datetime, profile: Profile, triage: TriageFacts) -> HarmClock:
    hours = profile.safeguarding.clock_hours
    made = triage.social_care_referral.made_at if triage.social_care_referral else None
    return HarmClock(uploaded_at, uploaded_at + dt.timedelta(hours=hours), hours, made)


def _harm_indicated(ctx: Context) -> bool:
    return (
        ctx.section("safeguarding").get("significant_harm_concern") is True
        or ctx.triage.harm_confirmed is True
    )


def check_significant_harm(ctx: Context) -> Iterator[Finding]:
    if not _harm_indicated(ctx):
        return
    clock = harm_clock(ctx.uploaded_at, ctx.profile, ctx.triage)
    data = {
        "clock_hours": clock.hours,
        "due_at": clock.due_at.isoformat(),
        "overdue": clock.overdue(ctx.evaluated_at),
        "referral_made_at": None
        if clock.referral_made_at is None
        else clock.referral_made_at.isoformat(),
    }
    if clock.referral_made_at is not None:
        message = (
            "A significant harm concern is recorded and the referral to children's social care has been "
            "recorded as made; this family is not listed for the panel while social care responds."
        )
    else:
        late = " This is now overdue." if data["overdue"] else ""
        message = (
            "A significant harm concern is recorded: refer to children's social care now, within "
            f"{clock.hours} hours of receipt, then record when the referral was made.{late}"
        )
    yield blocker(SIGNIFICANT_HARM, Route.REFER_TO_SOCIAL_CARE_NOW, message, HARM_PATH, **data)


def check_harm_unconfirmed(ctx: Context) -> Iterator[Finding]:
    if _harm_indicated(ctx) or ctx.triage.harm_confirmed is not None:
        return
    value = ctx.section("safeguarding").get("significant_harm_concern")
    if value is None or not ctx.confident(HARM_PATH):
        what = "is blank or could not be read" if value is None else "was read with low confidence"
        yield blocker(
            HARM_UNCONFIRMED,
            Route.NEEDS_REVIEW,
            f"The form's answer on significant harm {what}: read the form and record whether there "
            "is a significant harm concern. It is never assumed to be 'no'.",
            HARM_PATH,
        )


def check_statutory_pathway(ctx: Context) -> Iterator[Finding]:
    if not ctx.profile.safeguarding.statutory_needs_to_social_care:
        return
    reasons = []
    if ctx.triage.family_breakdown_risk is True:
        reasons.append("a significant or immediate risk of family breakdown")
    if ctx.triage.statutory_assessment_needed is True:
        reasons.append(
            "a need for an assessment for a specific service of the children's services authority"
        )
    if reasons:
        yield blocker(
            STATUTORY_PATHWAY,
            Route.REFER_TO_SOCIAL_CARE_NOW,
            "Triage recorded " + " and ".join(reasons) + ": under this panel's protocol the family "
            "must be referred to the children's social services intake and assessment team instead "
            "of the panel.",
            "triage",
            clock_hours=ctx.profile.safeguarding.clock_hours,
        )


RULES = (
    Rule(
        SIGNIFICANT_HARM,
        check_significant_harm,
        "significant harm → refer to social care now, clock started",
    ),
    Rule(
        HARM_UNCONFIRMED, check_harm_unconfirmed, "harm answer blank or unsure and unconfirmed → review"
    ),
    Rule(
        STATUTORY_PATHWAY,
        check_statutory_pathway,
        "family breakdown or statutory assessment (profiles that say so) → social care",
    ),
)
