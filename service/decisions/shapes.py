"""A decision as plain JSON values: what ``mapdocs decisions show`` prints (the API dumps the same fields)."""

from __future__ import annotations

from typing import Any

from service.models import Decision


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def decision_json(row: Decision) -> dict[str, Any]:
    return {
        "decision_id": str(row.id), "case_id": str(row.case_id), "referral_id": str(row.referral_id),
        "meeting_id": str(row.meeting_id) if row.meeting_id else None, "panel": row.panel,
        "version": row.version, "current": row.superseded_at is None,
        "outcome": row.outcome_id, "outcome_label": row.outcome_label, "reason": row.reason,
        "lead_professional": {"name": row.lead_name, "agency": row.lead_agency, "contact": row.lead_contact},
        "actions": list(row.actions), "review_date": _iso(row.review_date), "taf_date": _iso(row.taf_date),
        "child_views": row.child_views, "dissent": row.dissent, "state": row.state,
        "recorded_at": _iso(row.recorded_at), "notified_at": _iso(row.notified_at),
        "letter_sent_at": _iso(row.letter_sent_at), "letter_channel": row.letter_channel,
    }
