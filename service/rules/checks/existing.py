"""Existing work first: a child already assessed recently joins that team instead of starting again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from service.rules.checks.base import Rule, blocker, ordinal_child
from service.rules.consent import parse_date
from service.rules.context import (
    Context,
    ExistingAssessment,
    normalise_name,
    normalise_postcode,
)
from service.rules.findings import Finding, Route

EXISTING = "existing.assessment"


def same_child(child: Mapping[str, Any], postcode: str, other: ExistingAssessment) -> bool:
    """Same name and either the same date of birth or the same postcode."""
    name = normalise_name(child.get("full_name"))
    if not name or name != normalise_name(other.child_full_name):
        return False
    born = parse_date(child.get("date_of_birth"))
    if born is not None and other.date_of_birth is not None:
        return born == other.date_of_birth
    return bool(postcode) and postcode == normalise_postcode(other.postcode)


def check_existing(ctx: Context) -> Iterator[Finding]:
    since = ctx.received - dt.timedelta(days=ctx.profile.timings.look_back_days)
    postcode = normalise_postcode(ctx.section("family").get("postcode"))
    recent = [e for e in ctx.existing if since <= e.assessed_on <= ctx.received]
    for i, child in enumerate(ctx.children):
        match = max(
            (e for e in recent if same_child(child, postcode, e)),
            key=lambda e: e.assessed_on,
            default=None,
        )
        if match is None:
            continue
        yield blocker(
            EXISTING,
            Route.JOIN_EXISTING_CAF,
            f"{ordinal_child(i).capitalize()} already has an assessment dated {match.assessed_on}, within "
            f"this panel's {ctx.profile.timings.look_back_days}-day look-back: contact the existing lead "
            "professional and join that team rather than starting a new one.",
            f"children[{i}]",
            child_index=i,
            referral_id=match.referral_id,
            assessed_on=str(match.assessed_on),
            lead_professional=match.lead_professional,
            lead_agency=match.lead_agency,
        )


RULES = (Rule(EXISTING, check_existing, "same child assessed within the look-back → join existing CAF"),)
