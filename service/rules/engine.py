"""Evaluate one referral against its panel's profile: run every rule, pick the route, explain why.

The engine is pure: no Flask, no database, no clock of its own. The service passes
the extracted record, the officer's triage facts, per-field confidences, later
consent events, the time the form was received and the referrals already held.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from service.rules.checks import RULES
from service.rules.checks.consent import apply_chair_decision
from service.rules.consent import ConsentTimeline, Scope
from service.rules.context import CONSENT_PATH, Context, ExistingAssessment
from service.rules.dates import next_meeting
from service.rules.errors import RulesError
from service.rules.findings import Basis, Evaluation, Finding
from service.rules.model import Panel, Profile
from service.rules.triage import TriageFacts


def consent_timeline_for(
    record: Mapping[str, Any], triage: TriageFacts, later: ConsentTimeline | None = None
) -> ConsentTimeline:
    """The whole consent story: the form (as corrected by the officer's answers), then later events.

    Packs and letters call ``consent_timeline_for(...).consent_in_force(now)`` when they are built.
    """
    form = ConsentTimeline.from_record(
        record,
        information_sharing=triage.consent_confirmed,
        panel_discussion=triage.panel_consent_confirmed,
    )
    return form.merge(later)


def meeting_for(panel: Panel, profile: Profile, received: dt.date) -> dt.date:
    """The next meeting by cadence whose papers deadline has not passed (until meetings exist)."""
    timings = profile.timings
    return next_meeting(
        panel.cadence,
        received,
        papers_deadline_days=timings.papers_deadline_days,
        working=timings.papers_deadline_working_days,
    )


def evaluate(
    record: Mapping[str, Any],
    *,
    profile: Profile,
    panel: Panel,
    triage: TriageFacts | None = None,
    confidence: Mapping[str, float] | None = None,
    consent_timeline: ConsentTimeline | None = None,
    uploaded_at: dt.datetime,
    next_meeting: dt.date | None = None,
    existing: Sequence[ExistingAssessment] = (),
    evaluated_at: dt.datetime | None = None,
) -> Evaluation:
    """Route ``record`` and explain it.

    ``confidence`` maps field paths (``safeguarding.significant_harm_concern``,
    ``consent.information_sharing``, ``consent.panel_discussion``) to 0..1; a path
    missing from it counts as low confidence, so pass 1.0 for values an officer
    corrected. ``consent_timeline`` holds events recorded after the form (signed
    consents, withdrawals); the form's own consent is read from ``record``.
    ``evaluated_at`` (default ``uploaded_at``) is when consent must be in force.
    """
    if panel.profile != profile.slug:
        raise RulesError(f"Panel {panel.slug!r} uses profile {panel.profile!r}, not {profile.slug!r}.")
    triage = triage or TriageFacts()
    ctx = Context(
        record=record,
        profile=profile,
        panel=panel,
        triage=triage,
        confidence=dict(confidence or {}),
        timeline=consent_timeline_for(record, triage, consent_timeline),
        uploaded_at=uploaded_at,
        evaluated_at=evaluated_at or uploaded_at,
        meeting=next_meeting or meeting_for(panel, profile, uploaded_at.date()),
        existing=tuple(existing),
    )
    findings: list[Finding] = []
    for rule in RULES:
        for finding in rule.check(ctx):
            if finding.rule != rule.id:
                raise RulesError(f"rule {rule.id} produced a finding labelled {finding.rule}")
            findings.append(finding)
    findings = apply_chair_decision(ctx, findings)
    return Evaluation.from_findings(findings, _basis(ctx))


def _basis(ctx: Context) -> Basis | None:
    """Why the panel may hold and share this referral: safeguarding, consent, or the officer's basis."""
    if ctx.chair_override_applies:
        return Basis.SAFEGUARDING
    consent_known = not ctx.consent_uncertain(
        Scope.INFORMATION_SHARING, CONSENT_PATH, ctx.triage.consent_confirmed
    )
    panel_ok = not ctx.profile.consent.panel_discussion_required or ctx.consent.panel_discussion is True
    if consent_known and ctx.consent.information_sharing is True and panel_ok:
        return Basis.CONSENT
    if ctx.triage.lawful_basis is not None:
        return Basis(str(ctx.triage.lawful_basis))
    return None
