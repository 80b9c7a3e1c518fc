"""A listed case's record turned into the summary page's context: initials and ages, no names.

Names the record holds (children, parents and carers, the referrer, the consent giver,
the manager) are replaced by initials wherever they turn up in free text; workers'
names in "agencies involved" are not carried at all, only the agency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from renderers.case_summary import (
    CaseSummaryContext,
    ConsentEvidence,
    SummaryChild,
    SummaryOutcome,
    redact_names,
)
from renderers.context import age_label, initials, long_date
from service.packs.disclosure import Basis, CaseDisclosure
from service.rules import Profile
from service.rules.consent import EventKind

SECTIONS = {"new": "New referral", "review": "Review", "step_down": "Step-down from children's social care"}
GIVERS = {"parent_carer": "Parent/carer", "young_person": "Young person"}
SCOPES = {"information_sharing": "information sharing", "panel_discussion": "panel discussion",
          "early_help": "early help"}


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def record_names(record: dict[str, Any]) -> list[str]:
    """Every person's name the record holds, for redaction."""
    names = [str(c.get("full_name") or "") for c in record.get("children") or [] if isinstance(c, dict)]
    family = record.get("family") or {}
    names += [str(p.get("full_name") or "")
              for p in family.get("parents_carers") or [] if isinstance(p, dict)]
    people = (("referrer", "full_name"), ("consent", "name"), ("manager_signoff", "full_name"))
    names += [str((record.get(key) or {}).get(name) or "") for key, name in people]
    names += [str(a.get("worker") or "")
              for a in record.get("agencies_involved") or [] if isinstance(a, dict)]
    return [name for name in names if name.strip()]


def _children(record: dict[str, Any], on: dt.date) -> tuple[SummaryChild, ...]:
    out = []
    for child in record.get("children") or []:
        if not isinstance(child, dict):
            continue
        born = _date(child.get("date_of_birth"))
        name = str(child.get("full_name") or "")
        unborn = born is None and _date(child.get("expected_date_of_delivery")) is not None
        unborn_name = unborn or name.lower().startswith("unborn")
        out.append(SummaryChild(initials="unborn" if unborn_name else initials(name),
                                age="unborn" if unborn else age_label(born, on)))
    return tuple(out)


def _texts(values: Iterable[Any], names: list[str]) -> tuple[str, ...]:
    return tuple(redact_names(str(v), names) for v in values if isinstance(v, str) and v.strip())


def _consent(disclosure: CaseDisclosure, at: dt.date) -> tuple[ConsentEvidence, ...]:
    out = []
    for event in disclosure.timeline.events:
        if event.kind is EventKind.EXCLUSIONS_NOTED or (event.on is not None and event.on > at):
            continue
        out.append(ConsentEvidence(
            given_by=GIVERS.get(event.by or "", "not stated"),
            on=long_date(event.on) if event.on else "not dated",
            scopes=tuple(SCOPES.get(str(s), str(s)) for s in sorted(event.scopes)), kind=str(event.kind),
            how_recorded="on the form" if event.source == "form" else "recorded by an officer"))
    return tuple(out)


def _level(record: dict[str, Any], profile: Profile, names: list[str]) -> str:
    level = record.get("level_of_need") or {}
    tier = level.get("tier")
    if isinstance(tier, int):
        return f"{tier} ({profile.level_of_need.word(tier)})"
    written = level.get("as_written")
    return redact_names(str(written), names) if written else "not stated"


def _basis_label(disclosure: CaseDisclosure) -> str:
    if disclosure.basis is Basis.SAFEGUARDING and disclosure.chair_decision:
        day = dt.datetime.fromisoformat(disclosure.chair_decision["decided_at"]).date()
        return f"safeguarding (chair's decision of {long_date(day)})"
    return str(disclosure.basis or "none")


def summary_context(disclosure: CaseDisclosure, *, profile: Profile, panel_name: str, meeting_date: dt.date,
                    findings: Iterable[dict[str, Any]], at: dt.date) -> CaseSummaryContext:
    record = disclosure.referral.record or {}
    names = record_names(record)
    outcomes = tuple(
        SummaryOutcome(outcome=redact_names(str(o.get("outcome") or ""), names),
                       success_criteria=redact_names(str(o.get("success_criteria") or ""), names))
        for o in record.get("desired_outcomes") or [] if isinstance(o, dict) and o.get("outcome"))
    involved = record.get("agencies_involved") or []
    agencies = _texts((a.get("agency") for a in involved if isinstance(a, dict)), names)
    return CaseSummaryContext(
        case_ref=disclosure.case.case_ref,
        section=SECTIONS.get(disclosure.case.section, disclosure.case.section),
        panel_name=panel_name, meeting_date=long_date(meeting_date),
        children=_children(record, meeting_date), level_of_need=_level(record, profile, names),
        basis=_basis_label(disclosure), strengths=_texts(record.get("strengths") or [], names),
        needs=_texts(record.get("needs") or [], names), outcomes=outcomes, agencies=agencies,
        consent=_consent(disclosure, at),
        findings=tuple(str(f.get("message")) for f in findings if isinstance(f, dict) and f.get("message")))
