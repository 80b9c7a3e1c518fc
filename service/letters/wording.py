"""Plain wording per outcome, read from ``outcome_wording.json`` (vocabulary as data).

Families read what the panel decided in their own words, not the protocol's ("Initiate a
CAF"); each profile outcome id has a title, a family sentence, a referrer sentence and next
steps. Triage routes that end a referral before panel have referrer wording only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from service.letters.errors import WordingMissing

WORDING_FILE = Path(__file__).resolve().parent / "outcome_wording.json"
TRIAGE_ROUTES = ("signpost", "not_eligible", "consent_missing", "refer_to_social_care_now")


@dataclass(frozen=True, slots=True)
class OutcomeWording:
    """How one outcome is told to each reader."""

    title: str
    family: str
    referrer: str
    next_steps: tuple[str, ...] = ()


@cache
def _data() -> dict[str, dict[str, dict[str, dict[str, object]]]]:
    data: dict[str, dict[str, dict[str, dict[str, object]]]] = json.loads(
        WORDING_FILE.read_text(encoding="utf-8"))
    return data


def _wording(entry: Mapping[str, object]) -> OutcomeWording:
    steps = entry.get("next", [])
    return OutcomeWording(title=str(entry["title"]), family=str(entry.get("family", "")),
                          referrer=str(entry["referrer"]),
                          next_steps=tuple(str(s) for s in steps) if isinstance(steps, list) else ())


def outcome_wording(profile: str, outcome_id: str) -> OutcomeWording:
    """Wording for a profile's outcome id (``WordingMissing`` names what to add)."""
    try:
        return _wording(_data()["profiles"][profile][outcome_id])
    except KeyError:
        raise WordingMissing(f"no wording for outcome {outcome_id!r} of profile {profile!r}") from None


def triage_wording(route: str) -> OutcomeWording:
    """Referrer wording for a triage route that ends a referral before panel."""
    try:
        return _wording(_data()["triage"][route])
    except KeyError:
        raise WordingMissing(f"no wording for triage route {route!r}") from None
