"""Is this panel the right place: exclusions settled, children in remit, level of need, sign-off."""

from __future__ import annotations

from collections.abc import Iterator

from service.rules.agencies import MatchStatus, excluded_agency_slugs
from service.rules.checks.base import Rule, blocker, info, ordinal_child, warning
from service.rules.consent import parse_date
from service.rules.context import Context
from service.rules.dates import age_in_years
from service.rules.findings import Finding, Route

EXCLUSIONS_UNRESOLVED = "exclusions.unresolved"
EXCLUSIONS_APPLIED = "exclusions.applied"
AGE_UNKNOWN = "age.unknown"
AGE_REMIT = "age.remit"
LEVEL_MISSING = "level_of_need.missing"
LEVEL_RANGE = "level_of_need.range"
KNOWN_TO_CSC = "level_of_need.known_to_csc"
MANAGER_SIGNOFF = "signoff.manager"


def _exclusion_path(ctx: Context, index: int) -> str:
    written = ctx.section("consent").get("excluded_agencies") or []
    return f"consent.excluded_agencies[{index}]" if index < len(written) else "consent_timeline"


def check_exclusions_unresolved(ctx: Context) -> Iterator[Finding]:
    for m in ctx.exclusions:
        if m.status is MatchStatus.AMBIGUOUS:
            names = " or ".join(a.name for a in ctx.panel.agencies if a.slug in m.candidates)
            yield blocker(
                EXCLUSIONS_UNRESOLVED,
                Route.NEEDS_INFORMATION,
                f"Excluded organisation {m.index + 1} could mean {names}: record which agency the family "
                "meant so it is left out of circulation.",
                _exclusion_path(ctx, m.index),
                candidates=list(m.candidates),
            )
        elif m.status is MatchStatus.UNRESOLVED:
            yield blocker(
                EXCLUSIONS_UNRESOLVED,
                Route.NEEDS_INFORMATION,
                f"Excluded organisation {m.index + 1} matches no agency in this panel's directory: record "
                "which panel agency it is, or that it is not a panel agency. Until then the referral "
                "is held so the family's exclusion cannot be missed.",
                _exclusion_path(ctx, m.index),
            )


def check_exclusions_applied(ctx: Context) -> Iterator[Finding]:
    slugs = excluded_agency_slugs(ctx.exclusions)
    if slugs:
        names = ", ".join(a.name for a in ctx.panel.agencies if a.slug in slugs)
        yield info(
            EXCLUSIONS_APPLIED,
            f"The family excluded these panel agencies, which will not receive their "
            f"information: {names}.",
            "consent.excluded_agencies",
            agencies=sorted(slugs),
        )


def check_age_unknown(ctx: Context) -> Iterator[Finding]:
    if not ctx.children:
        yield blocker(
            AGE_UNKNOWN,
            Route.NEEDS_INFORMATION,
            "The referral names no child: record the children.",
            "children",
        )
    for i, child in enumerate(ctx.children):
        born = parse_date(child.get("date_of_birth"))
        due = parse_date(child.get("expected_date_of_delivery"))
        if born is None and due is None:
            yield blocker(
                AGE_UNKNOWN,
                Route.NEEDS_INFORMATION,
                f"{ordinal_child(i).capitalize()} has no date of "
                "birth (or expected date of delivery): record it to check the panel's age range.",
                f"children[{i}].date_of_birth",
            )
        elif born is not None and born > ctx.meeting:
            yield blocker(
                AGE_UNKNOWN,
                Route.NEEDS_INFORMATION,
                f"{ordinal_child(i).capitalize()}'s date of birth "
                "is after the meeting date: check it, it may have been misread.",
                f"children[{i}].date_of_birth",
            )


def check_age_remit(ctx: Context) -> Iterator[Finding]:
    remit = ctx.profile.age
    outside: list[tuple[int, str]] = []
    inside = 0
    for i, child in enumerate(ctx.children):
        born = parse_date(child.get("date_of_birth"))
        if born is None:
            if parse_date(child.get("expected_date_of_delivery")) is None:
                continue
            if remit.unborn_allowed:
                inside += 1
            else:
                outside.append((i, "is unborn; this panel does not take unborn children"))
            continue
        if born > ctx.meeting:
            continue
        age = age_in_years(born, ctx.meeting)
        if remit.min_years <= age <= remit.max_years:
            inside += 1
        else:
            outside.append((i, f"will be {age} at the meeting"))
    band = f"{remit.min_years}–{remit.max_years}"
    if outside and not inside and len(outside) == len(ctx.children):
        yield blocker(
            AGE_REMIT,
            Route.NOT_ELIGIBLE,
            f"No child is within this panel's age range ({band}) at the "
            f"meeting on {ctx.meeting}: refer to the service for their age group.",
            "children",
            meeting=str(ctx.meeting),
            children=[i for i, _ in outside],
        )
        return
    for i, why in outside:
        yield warning(
            AGE_REMIT,
            f"{ordinal_child(i).capitalize()} {why}, outside this panel's age range ({band}); "
            "the panel considers the other children.",
            f"children[{i}].date_of_birth",
            meeting=str(ctx.meeting),
        )


def _tier(ctx: Context) -> int | None:
    tier = ctx.section("level_of_need").get("tier")
    return tier if isinstance(tier, int) and not isinstance(tier, bool) else None


def check_level_missing(ctx: Context) -> Iterator[Finding]:
    if _tier(ctx) is None:
        yield blocker(
            LEVEL_MISSING,
            Route.NEEDS_INFORMATION,
            "The level of need is not recorded: record it using this panel's levels.",
            "level_of_need.tier",
        )


def check_level_range(ctx: Context) -> Iterator[Finding]:
    tier = _tier(ctx)
    level = ctx.profile.level_of_need
    if tier is None:
        return
    band = f"{level.word(level.min_tier)} to {level.word(level.max_tier)}"
    if tier < level.min_tier:
        yield blocker(
            LEVEL_RANGE,
            Route.SIGNPOST,
            f"The level of need is {level.word(tier)}; this panel takes "
            f"{band}: signpost the family to universal services.",
            "level_of_need.tier",
            tier=tier,
        )
    elif tier > level.max_tier:
        yield blocker(
            LEVEL_RANGE,
            Route.NOT_ELIGIBLE,
            f"The level of need is {level.word(tier)}; this panel takes "
            f"{band}: refer to children's social care or the statutory / specialist service.",
            "level_of_need.tier",
            tier=tier,
        )


def check_known_to_csc(ctx: Context) -> Iterator[Finding]:
    tier = _tier(ctx)
    level = ctx.profile.level_of_need
    if tier is None or tier not in level.signpost_tiers_known_to_csc:
        return
    known, monitoring = ctx.triage.known_to_csc, ctx.triage.monitoring_or_new_information
    if known is None:
        yield blocker(
            KNOWN_TO_CSC,
            Route.NEEDS_INFORMATION,
            f"At {level.word(tier)}, record whether the family is "
            "known to children's social care, and if so whether the panel is asked to monitor them or "
            "hear new information.",
            "triage.known_to_csc",
        )
    elif known and monitoring is not True:
        yield blocker(
            KNOWN_TO_CSC,
            Route.SIGNPOST,
            f"The family is known to children's social care at "
            f"{level.word(tier)}: signpost them to the appropriate services without waiting for the "
            "panel, unless it is for monitoring with social care or new information.",
            "triage.known_to_csc",
        )


def check_manager_signoff(ctx: Context) -> Iterator[Finding]:
    if not ctx.profile.requirements.manager_signoff_required:
        return
    signoff = ctx.section("manager_signoff")
    signed = parse_date(signoff.get("date"))
    if not signoff.get("full_name") or signed is None:
        yield blocker(
            MANAGER_SIGNOFF,
            Route.NEEDS_INFORMATION,
            "The assessment must be signed off by a manager "
            "in the referring agency: the sign-off name or date is missing.",
            "manager_signoff",
        )
    elif signed > ctx.received:
        yield blocker(
            MANAGER_SIGNOFF,
            Route.NEEDS_INFORMATION,
            "The manager's sign-off date is after the form was "
            "received: check the date, it may have been misread.",
            "manager_signoff.date",
        )


RULES = (
    Rule(
        EXCLUSIONS_UNRESOLVED,
        check_exclusions_unresolved,
        "an exclusion matching no agency fails closed",
    ),
    Rule(
        EXCLUSIONS_APPLIED,
        check_exclusions_applied,
        "which panel agencies are excluded (for circulation)",
    ),
    Rule(AGE_UNKNOWN, check_age_unknown, "a child without a usable date of birth → needs information"),
    Rule(AGE_REMIT, check_age_remit, "children's age at the meeting within the profile's remit"),
    Rule(LEVEL_MISSING, check_level_missing, "level of need not recorded → needs information"),
    Rule(LEVEL_RANGE, check_level_range, "level below range → signpost; above → not eligible"),
    Rule(
        KNOWN_TO_CSC,
        check_known_to_csc,
        "known to social care at a signposted tier → signpost (Hackney)",
    ),
    Rule(MANAGER_SIGNOFF, check_manager_signoff, "manager sign-off where the profile needs it"),
)
