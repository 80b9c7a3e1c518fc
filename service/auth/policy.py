"""Who may do what: the one table of API permissions.

Each API route names an action from :data:`POLICY`; :func:`service.auth.gate.requires`
refuses anonymous callers with 401 and callers whose role is not listed with 403. The
fuller permission model (panel members seeing their agency's cases) comes later;
``panel_member`` has no API access until then.

| action | triage | administrator | chair | panel_member | auditor | admin |
|---|---|---|---|---|---|---|
| documents.upload | ✓ | ✓ | | | | ✓ |
| documents.read (metadata, job) | ✓ | ✓ | ✓ | | ✓ | ✓ |
| documents.record (extracted record) | ✓ | ✓ | ✓ | | | ✓ |
| documents.original (download) | ✓ | ✓ | ✓ | | | ✓ |
| documents.extract (retry, password) | ✓ | ✓ | | | | ✓ |
| documents.delete | | | | | | ✓ |
| links.create / links.revoke | | ✓ | | | | ✓ |
| audit.read | | | | | ✓ | ✓ |
| referrals.list (ids, routes, panels, dates; overdue social care) | ✓ | ✓ | ✓ | | ✓ | ✓ |
| referrals.read (record, findings, triage, consent, versions) | ✓ | ✓ | ✓ | | | ✓ |
| referrals.correct / referrals.attach / referrals.consent | ✓ | ✓ | | | | ✓ |
| referrals.triage (the chair's override: chair only, checked in the operation) | ✓ | ✓ | ✓ | | | ✓ |
| referrals.social_care (record that the social-care referral was made) | ✓ | ✓ | | | | ✓ |
| meetings.read (meetings of a panel, dates, venue, deadlines) | ✓ | ✓ | ✓ | | ✓ | ✓ |
| meetings.manage (create, generate, move, cancel) | | ✓ | | | | ✓ |
| meetings.cases (listed cases: refs, initials, slots) | ✓ | ✓ | ✓ | | | ✓ |
| meetings.list (list a case, list ready referrals, set a review date) | | ✓ | | | | ✓ |
| meetings.agenda (render the agenda) | | ✓ | ✓ | | | ✓ |
| templates.read (a panel's template versions) | | ✓ | ✓ | | | ✓ |
| templates.upload | | ✓ | | | | ✓ |
| packs.build (build a meeting's agenda packs) | | ✓ | ✓ | | | ✓ |
| packs.read (the manifest; download a pack, e.g. full.pdf) | | ✓ | ✓ | | | ✓ |
| packs.send (mail each agency a link to its own pack) | | ✓ | | | | ✓ |
| decisions.record (record or change a case's decision) | | | ✓ | | | ✓ |
| decisions.read (a case's decision and its versions) | | ✓ | ✓ | | | ✓ |
| overdue.read (the deadline list) | ✓ | ✓ | ✓ | | | ✓ |
| tracking.build (a family's stored tracking form, each download audited; its versions) | | ✓ | ✓ | | | ✓ |
| tracking.actions (set an agreed action's status between reviews) | | ✓ | ✓ | | | ✓ |
| tracking.rate (record a review's progress ratings) | | ✓ | ✓ | | | ✓ |
| letters.build (a meeting's letters, notices and summaries) | | ✓ | ✓ | | | ✓ |
| letters.send (mail the links; mark a letter posted) | | ✓ | | | | ✓ |
| batches.read (a letters batch's progress, manifest or send report) | | ✓ | ✓ | | | ✓ |
| contacts.read (a family's e-mail and letter preferences; audited) | ✓ | ✓ | | | | ✓ |
| contacts.manage (set or clear a family's e-mail and letter preferences) | ✓ | ✓ | | | | ✓ |

Auditors see metadata and the audit trail but not the contents of referrals.
"""

from __future__ import annotations

from service.models import Role

T, AD, C, AU, ADM = Role.TRIAGE, Role.ADMINISTRATOR, Role.CHAIR, Role.AUDITOR, Role.ADMIN

POLICY: dict[str, frozenset[Role]] = {
    "documents.upload": frozenset({T, AD, ADM}),
    "documents.read": frozenset({T, AD, C, AU, ADM}),
    "documents.record": frozenset({T, AD, C, ADM}),
    "documents.original": frozenset({T, AD, C, ADM}),
    "documents.extract": frozenset({T, AD, ADM}),
    "documents.delete": frozenset({ADM}),
    "jobs.read": frozenset({T, AD, C, AU, ADM}),
    "links.create": frozenset({AD, ADM}),
    "links.revoke": frozenset({AD, ADM}),
    "audit.read": frozenset({AU, ADM}),
    "referrals.list": frozenset({T, AD, C, AU, ADM}),
    "referrals.read": frozenset({T, AD, C, ADM}),
    "referrals.correct": frozenset({T, AD, ADM}),
    "referrals.attach": frozenset({T, AD, ADM}),
    "referrals.consent": frozenset({T, AD, ADM}),
    "referrals.triage": frozenset({T, AD, C, ADM}),
    "referrals.social_care": frozenset({T, AD, ADM}),
    "meetings.read": frozenset({T, AD, C, AU, ADM}),
    "meetings.manage": frozenset({AD, ADM}),
    "meetings.cases": frozenset({T, AD, C, ADM}),
    "meetings.list": frozenset({AD, ADM}),
    "meetings.agenda": frozenset({AD, C, ADM}),
    "templates.read": frozenset({AD, C, ADM}),
    "templates.upload": frozenset({AD, ADM}),
    "packs.build": frozenset({AD, C, ADM}),
    "packs.read": frozenset({AD, C, ADM}),
    "packs.send": frozenset({AD, ADM}),
    "letters.build": frozenset({AD, C, ADM}),
    "letters.send": frozenset({AD, ADM}),
    "batches.read": frozenset({AD, C, ADM}),
    "contacts.read": frozenset({T, AD, ADM}),
    "contacts.manage": frozenset({T, AD, ADM}),
    "decisions.record": frozenset({C, ADM}),
    "decisions.read": frozenset({AD, C, ADM}),
    "overdue.read": frozenset({T, AD, C, ADM}),
    "tracking.build": frozenset({AD, C, ADM}),
    "tracking.actions": frozenset({AD, C, ADM}),
    "tracking.rate": frozenset({AD, C, ADM}),
}


def roles_for(action: str) -> frozenset[Role]:
    """The roles allowed ``action``; a typo in a route's action fails at import, not at request time."""
    return POLICY[action]
