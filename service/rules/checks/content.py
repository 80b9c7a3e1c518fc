"""Is there enough to discuss: needs, desired outcomes, the child's voice, the agencies involved, timing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from service.rules.agencies import normalise
from service.rules.checks.base import Rule, blocker, info, warning
from service.rules.context import Context
from service.rules.dates import subtract_days
from service.rules.findings import Finding, Route

NEEDS = "content.needs"
DESIRED_OUTCOMES = "content.desired_outcomes"
CHILD_VIEWS = "content.child_views"
AGENCIES_EXPECTED = "agencies.expected"
FORM_TYPE = "form.type"
MEETING = "meeting.listing"


def _texts(values: list[object], key: str | None = None) -> list[str]:
    out = []
    for v in values:
        text = v.get(key) if key and isinstance(v, Mapping) else v
        if isinstance(text, str) and text.strip():
            out.append(text)
    return out


def check_needs(ctx: Context) -> Iterator[Finding]:
    if not _texts(ctx.items("needs")):
        yield blocker(
            NEEDS,
            Route.NEEDS_INFORMATION,
            "The referral records no needs: the panel needs at least one identified need.",
            "needs",
        )


def check_desired_outcomes(ctx: Context) -> Iterator[Finding]:
    if not _texts(ctx.items("desired_outcomes"), "outcome"):
        yield blocker(
            DESIRED_OUTCOMES,
            Route.NEEDS_INFORMATION,
            "The referral records no desired outcome: record "
            "at least one change the family wants to achieve.",
            "desired_outcomes",
        )


def check_child_views(ctx: Context) -> Iterator[Finding]:
    if not ctx.profile.requirements.child_views_or_reason:
        return
    views = ctx.record.get("child_views")
    if not (isinstance(views, str) and views.strip()) and not ctx.triage.child_views_missing_reason:
        yield warning(
            CHILD_VIEWS,
            "The child's views are not recorded: record them, or why not and how the "
            "child's voice will be represented at the meeting.",
            "child_views",
        )


def check_agencies_expected(ctx: Context) -> Iterator[Finding]:
    expected = ctx.profile.requirements.min_professionals_involved
    if expected <= 0:
        return
    names = {
        normalise(a.get("agency") or "")
        for a in ctx.items("agencies_involved")
        if isinstance(a, Mapping)
    }
    names.add(normalise(ctx.section("referrer").get("agency") or ""))
    names.discard("")
    if len(names) < expected:
        yield warning(
            AGENCIES_EXPECTED,
            f"{len(names)} agency(ies) are recorded as involved, including the "
            f"referrer's; this panel expects referrals where {expected} or more professionals are "
            "involved: check which agencies work with the family.",
            "agencies_involved",
            involved=len(names),
            expected=expected,
        )


def check_form_type(ctx: Context) -> Iterator[Finding]:
    form_type = ctx.record.get("form_type")
    wanted = ctx.profile.form_types
    if wanted and form_type not in wanted:
        yield warning(
            FORM_TYPE,
            f"This panel works from the {' or '.join(wanted)} form; the referral came on a "
            f"different form ({form_type}): check nothing the panel needs is missing.",
            "form_type",
        )


def check_meeting(ctx: Context) -> Iterator[Finding]:
    timings = ctx.profile.timings
    data: dict[str, object] = {"meeting": str(ctx.meeting)}
    if timings.papers_deadline_days:
        deadline = subtract_days(
            ctx.meeting, timings.papers_deadline_days, working=timings.papers_deadline_working_days
        )
        data["papers_deadline"] = str(deadline)
        if deadline < ctx.received:
            yield warning(
                MEETING,
                f"The form arrived after the papers deadline ({deadline}) for the meeting on "
                f"{ctx.meeting}: agree with the chair whether it is heard then or at the next meeting.",
                None,
                **data,
            )
            return
    yield info(
        MEETING, f"The next meeting this referral can be heard at is on {ctx.meeting}.", None, **data
    )


RULES = (
    Rule(NEEDS, check_needs, "at least one need"),
    Rule(DESIRED_OUTCOMES, check_desired_outcomes, "at least one desired outcome"),
    Rule(CHILD_VIEWS, check_child_views, "child's views or a reason (Calderdale guide) → warning"),
    Rule(
        AGENCIES_EXPECTED,
        check_agencies_expected,
        "professionals involved against the profile → warning",
    ),
    Rule(FORM_TYPE, check_form_type, "form type the panel works from → warning"),
    Rule(MEETING, check_meeting, "meeting the referral is listed for; papers deadline"),
)
