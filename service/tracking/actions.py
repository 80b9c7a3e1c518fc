"""Which status each agreed action shows: the decision's own, or the newest change since.

A decision records its actions with a status (``open`` unless the chair said otherwise).
Between reviews the lead work moves on without a new decision, so a status change is its
own row (:class:`~service.models.ActionStatusChange`). The form shows, per action of the
current decision, the newest change made for the same case, number and action text —
unless the decision version was recorded after that change and itself gives the action a
status other than ``open``: then the chair's newer word wins. A new version that only
repeats an action (status ``open`` by default) keeps the progress already recorded.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderers.context import long_date
from service.meetings import listing
from service.models import ActionStatusChange, Decision


class ActionProgress(enum.StrEnum):
    """An action's status; the decision's own vocabulary (open, done, dropped) plus ``in_progress``."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


def newest_changes(session: Session, case_id: uuid.UUID) -> dict[int, ActionStatusChange]:
    """The newest status change of each action number (from 0) recorded for the case."""
    rows = session.scalars(select(ActionStatusChange).where(ActionStatusChange.case_id == case_id)
                           .order_by(ActionStatusChange.set_at, ActionStatusChange.id))
    return {row.action_index: row for row in rows}


def applies(change: ActionStatusChange | None, action: Mapping[str, Any],
            decision: Decision) -> ActionStatusChange | None:
    """``change`` when it is the action's status now (see the module's rule), else None."""
    if change is None or change.action_what != action.get("what"):
        return None
    recorded = str(action.get("status") or ActionProgress.OPEN)
    if change.set_at < decision.recorded_at and recorded != ActionProgress.OPEN:
        return None
    return change


def status_text(action: Mapping[str, Any], change: ActionStatusChange | None) -> str:
    """What the form's status column says: ``"in progress (Monday 7 December 2026): note"``."""
    if change is None:
        return str(action.get("status") or ActionProgress.OPEN)
    text = f"{change.status.replace('_', ' ')} ({long_date(listing.uk_date(change.set_at))})"
    return f"{text}: {change.note}" if change.note else text
