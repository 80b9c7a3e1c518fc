"""Consent checks: present, in force, dated, fresh, from someone who may give it, and for the panel.

Rules in ``GAP_RULES`` describe a missing consent; where a profile lets the chair
discuss a welfare-concern referral without consent, ``apply_chair_decision`` turns
them into warnings once the chair has decided (and asks for the decision until then).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from service.rules.checks.base import Rule, blocker, info, ordinal_child, warning
from service.rules.consent import EventKind, Scope, parse_date
from service.rules.context import CONSENT_PATH, PANEL_CONSENT_PATH, Context
from service.rules.dates import age_in_years
from service.rules.findings import Finding, Route, Severity

UNCERTAIN = "consent.uncertain"
REFUSED = "consent.refused"
WITHDRAWN = "consent.withdrawn"
NOT_RECORDED = "consent.not_recorded"
UNDATED = "consent.undated"
AFTER_UPLOAD = "consent.after_upload"
EXPIRED = "consent.expired"
GIVER_MISSING = "consent.given_by_missing"
GIVER_NOT_ALLOWED = "consent.given_by_not_allowed"
GILLICK = "consent.gillick_fraser"
PANEL_UNCERTAIN = "consent.panel_discussion_uncertain"
PANEL_MISSING = "consent.panel_discussion_missing"
EARLY_HELP = "consent.early_help"
CHAIR = "consent.chair_decision"

GAP_RULES = frozenset(
    {REFUSED, WITHDRAWN, NOT_RECORDED, EXPIRED, GIVER_NOT_ALLOWED, PANEL_MISSING, EARLY_HELP}
)

GIVERS = {"parent_carer": "a parent or carer", "young_person": "the young person"}


def _gap(rule: str, message: str, path: str | None = None, **data: object) -> Finding:
    return blocker(rule, Route.CONSENT_MISSING, message, path, **data)


def _uncertain(ctx: Context) -> bool:
    return ctx.consent_uncertain(Scope.INFORMATION_SHARING, CONSENT_PATH, ctx.triage.consent_confirmed)


def _given(ctx: Context) -> bool:
    return ctx.consent_required and not _uncertain(ctx) and ctx.consent.information_sharing is True


def check_uncertain(ctx: Context) -> Iterator[Finding]:
    if ctx.consent_required and _uncertain(ctx):
        value = ctx.section("consent").get("information_sharing")
        what = "is blank or could not be read" if value is None else "was read with low confidence"
        yield blocker(
            UNCERTAIN,
            Route.NEEDS_REVIEW,
            f"The form's consent to share information {what}: check the form and record whether the "
            "family consented.",
            CONSENT_PATH,
        )


def check_refused(ctx: Context) -> Iterator[Finding]:
    state = ctx.consent[Scope.INFORMATION_SHARING]
    if (
        ctx.consent_required
        and not _uncertain(ctx)
        and state.event
        and state.event.kind is EventKind.REFUSED
    ):
        yield _gap(
            REFUSED,
            "The family did not consent to their information being shared with the panel.",
            CONSENT_PATH,
        )


def check_withdrawn(ctx: Context) -> Iterator[Finding]:
    state = ctx.consent[Scope.INFORMATION_SHARING]
    if ctx.consent_required and state.withdrawn and state.event is not None:
        yield _gap(
            WITHDRAWN,
            f"Consent to share information was withdrawn on {state.event.on}: do not share "
            "this family's information unless consent is given again.",
            "consent_timeline",
            withdrawn_on=str(state.event.on),
            how_recorded=state.event.how_recorded,
        )


def _form_dated_after_receipt(ctx: Context) -> bool:
    """The form's consent carries a date after the form arrived: a date problem, not a missing consent."""
    form = ctx.section("consent")
    on = parse_date(form.get("date"))
    given = (
        form.get("information_sharing") is True
        if ctx.triage.consent_confirmed is None
        else (ctx.triage.consent_confirmed)
    )
    return bool(given) and on is not None and on > ctx.received


def check_not_recorded(ctx: Context) -> Iterator[Finding]:
    if (
        ctx.consent_required
        and not _uncertain(ctx)
        and ctx.consent.information_sharing is None
        and not _form_dated_after_receipt(ctx)
    ):
        yield _gap(
            NOT_RECORDED,
            "No consent to share information is recorded: obtain the family's consent "
            "before the referral is listed.",
            CONSENT_PATH,
        )


def _given_on(ctx: Context) -> dt.date | None:
    event = ctx.consent[Scope.INFORMATION_SHARING].event
    return event.on if event is not None else None


def check_undated(ctx: Context) -> Iterator[Finding]:
    if _given(ctx) and _given_on(ctx) is None:
        yield blocker(
            UNDATED,
            Route.NEEDS_INFORMATION,
            "Consent is recorded without a date: record the date the family gave consent.",
            "consent.date",
        )


def check_after_upload(ctx: Context) -> Iterator[Finding]:
    if ctx.consent_required and not _uncertain(ctx) and _form_dated_after_receipt(ctx):
        yield blocker(
            AFTER_UPLOAD,
            Route.NEEDS_INFORMATION,
            f"The consent date is after the form was received ({ctx.received}): check the date, "
            "it may have been misread.",
            "consent.date",
        )


def check_expired(ctx: Context) -> Iterator[Finding]:
    limit = ctx.profile.consent.max_age_days
    on = _given_on(ctx)
    if _given(ctx) and limit is not None and on is not None:
        age = (ctx.evaluated_at.date() - on).days
        if age > limit:
            yield _gap(
                EXPIRED,
                f"Consent was given {age} days ago; this panel accepts consent up to {limit} days "
                "old: obtain fresh consent.",
                "consent.date",
                age_days=age,
                max_age_days=limit,
            )


def _giver(ctx: Context) -> str | None:
    event = ctx.consent[Scope.INFORMATION_SHARING].event
    return event.by if event is not None else None


def check_giver_missing(ctx: Context) -> Iterator[Finding]:
    if _given(ctx) and _giver(ctx) is None:
        yield warning(
            GIVER_MISSING,
            "The form does not say who gave consent (parent or carer, or the young person): record it.",
            "consent.given_by",
        )


def check_giver_allowed(ctx: Context) -> Iterator[Finding]:
    giver = _giver(ctx)
    allowed = ctx.profile.consent.allowed_givers
    if _given(ctx) and giver is not None and giver not in allowed:
        who = " or ".join(GIVERS.get(g, g) for g in allowed)
        yield _gap(
            GIVER_NOT_ALLOWED,
            f"Consent was given by {GIVERS.get(giver, giver)}; this panel needs consent from {who}.",
            "consent.given_by",
        )


def check_gillick(ctx: Context) -> Iterator[Finding]:
    if not _given(ctx) or _giver(ctx) != "young_person":
        return
    limit = ctx.profile.consent.self_consent_min_age
    on = _given_on(ctx) or ctx.received
    for i, child in enumerate(ctx.children):
        born = parse_date(child.get("date_of_birth"))
        if born is None:
            if parse_date(child.get("expected_date_of_delivery")) is None:
                yield warning(
                    GILLICK,
                    f"Consent was given by a young person but {ordinal_child(i)}'s age is "
                    "unknown: check they are old enough to consent (Gillick competence / Fraser "
                    "guidelines) or obtain parent or carer consent.",
                    f"children[{i}].date_of_birth",
                )
        elif age_in_years(born, on) < limit:
            yield warning(
                GILLICK,
                f"Consent was given by a young person and {ordinal_child(i)} was under {limit} "
                "at that date: record a Gillick competence / Fraser assessment or obtain parent or "
                "carer consent.",
                "consent.given_by",
                child_index=i,
            )


def _panel_uncertain(ctx: Context) -> bool:
    officer = ctx.triage.panel_consent_confirmed
    form_value = ctx.section("consent").get("panel_discussion")
    return form_value is not None and ctx.consent_uncertain(
        Scope.PANEL_DISCUSSION, PANEL_CONSENT_PATH, officer
    )


def check_panel_uncertain(ctx: Context) -> Iterator[Finding]:
    if ctx.profile.consent.panel_discussion_required and _panel_uncertain(ctx):
        yield blocker(
            PANEL_UNCERTAIN,
            Route.NEEDS_REVIEW,
            "The form's consent to discussion at the panel was read with low confidence: check the "
            "form and record whether the family agreed.",
            PANEL_CONSENT_PATH,
        )


def check_panel_missing(ctx: Context) -> Iterator[Finding]:
    if not ctx.profile.consent.panel_discussion_required or _panel_uncertain(ctx):
        return
    state = ctx.consent[Scope.PANEL_DISCUSSION]
    if state.in_force is not True:
        reason = "was refused or withdrawn" if state.in_force is False else "is not recorded"
        yield _gap(
            PANEL_MISSING,
            f"Explicit consent for the family to be discussed at the panel {reason}: this "
            "panel does not discuss families without it.",
            PANEL_CONSENT_PATH,
        )


def check_early_help(ctx: Context) -> Iterator[Finding]:
    answer = ctx.triage.consent_to_early_help
    if answer is False:
        yield _gap(
            EARLY_HELP,
            "Triage recorded that the family does not consent to receive early help.",
            "triage.consent_to_early_help",
        )
    elif answer is None and ctx.profile.consent.early_help_consent_required:
        yield blocker(
            EARLY_HELP,
            Route.NEEDS_INFORMATION,
            "Record whether the family consents to receive early help.",
            "triage.consent_to_early_help",
        )


def apply_chair_decision(ctx: Context, findings: list[Finding]) -> list[Finding]:
    """Where the protocol lets the chair proceed on a welfare concern, defer consent gaps to the chair."""
    gaps = [f for f in findings if f.rule in GAP_RULES and f.route is Route.CONSENT_MISSING]
    override = ctx.triage.chair_override
    out = list(findings)
    if override is not None and not ctx.welfare_override_allowed:
        out.append(
            warning(
                CHAIR,
                "A chair's decision to proceed without consent is recorded, but this panel's "
                "protocol does not allow discussion without consent: it has no effect.",
                "triage",
            )
        )
    if not gaps or not ctx.welfare_override_allowed:
        return out
    if ctx.chair_override_applies and override is not None:
        out = [_downgrade(f) if f in gaps else f for f in out]
        out.append(
            info(
                CHAIR,
                "Consent is missing but the chair decided the panel may discuss the family "
                "because of a welfare concern: information is shared on a safeguarding basis only.",
                "triage.chair_override",
                decided_at=override.decided_at.isoformat(),
            )
        )
    elif ctx.triage.welfare_concern is True:
        out.append(
            blocker(
                CHAIR,
                Route.AWAITING_CHAIR_DECISION,
                "Consent is missing and triage recorded a welfare concern: the chair decides whether "
                "the panel discusses the family without consent.",
                "triage.chair_override",
            )
        )
    elif override is not None:
        out.append(
            warning(
                CHAIR,
                "A chair's decision is recorded but no welfare concern is: record the welfare "
                "concern for the decision to take effect.",
                "triage.welfare_concern",
            )
        )
    return out


def _downgrade(finding: Finding) -> Finding:
    return Finding(finding.rule, Severity.WARNING, finding.message, finding.path, None, finding.data)


RULES = (
    Rule(UNCERTAIN, check_uncertain, "consent blank or unsure and unconfirmed → review"),
    Rule(REFUSED, check_refused, "consent refused → consent missing"),
    Rule(WITHDRAWN, check_withdrawn, "consent withdrawn (timeline) → consent missing"),
    Rule(NOT_RECORDED, check_not_recorded, "no consent event after confirmation → consent missing"),
    Rule(UNDATED, check_undated, "consent without a date → needs information"),
    Rule(AFTER_UPLOAD, check_after_upload, "consent dated after receipt → needs information"),
    Rule(EXPIRED, check_expired, "consent older than the profile allows → consent missing"),
    Rule(GIVER_MISSING, check_giver_missing, "who consented not recorded → warning"),
    Rule(GIVER_NOT_ALLOWED, check_giver_allowed, "consent from someone the profile does not accept"),
    Rule(GILLICK, check_gillick, "young person under the self-consent age → Gillick/Fraser warning"),
    Rule(
        PANEL_UNCERTAIN,
        check_panel_uncertain,
        "panel-discussion consent read with low confidence → review",
    ),
    Rule(
        PANEL_MISSING,
        check_panel_missing,
        "explicit panel-discussion consent where the profile needs it",
    ),
    Rule(EARLY_HELP, check_early_help, "family does not consent to early help → consent missing"),
)
