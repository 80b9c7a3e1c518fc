"""Test records for the rules engine: a clean referral every shipped profile lists, and a way to tweak it."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from service.rules import Evaluation

UPLOADED = dt.datetime(2026, 3, 2, 9, 30)  # a Monday
FULL_CONFIDENCE = {
    "safeguarding.significant_harm_concern": 0.99,
    "consent.information_sharing": 0.99,
    "consent.panel_discussion": 0.99,
}
FORM_TYPE = {
    "hackney-mat": "CSF",
    "barnet-map": "CAF",
    "luton-afsp": "CAF",
    "wolverhampton-mast": "CAF",
    "generic": "EHA",
}
SLUGS = tuple(FORM_TYPE)


def clean_record(slug: str = "generic") -> dict[str, Any]:
    """A referral every shipped profile lists: one child of 5, dated parental consent, tier 2."""
    return {
        "schema_version": "1",
        "form_type": FORM_TYPE[slug],
        "assessment_date": "2026-02-20",
        "children": [
            {
                "full_name": "Test Child Alpha",
                "date_of_birth": "2020-06-15",
                "gender": None,
                "school_or_setting": None,
                "nhs_number": None,
                "upn": None,
            }
        ],
        "family": {
            "address": "1 Example Road, Exampletown",
            "postcode": "ZZ1 1ZZ",
            "home_language": None,
            "interpreter_required": False,
            "parents_carers": [
                {"full_name": "Test Parent Beta", "relationship": "Mother", "phone": None}
            ],
        },
        "referrer": {
            "full_name": "Test Referrer Gamma",
            "role": "Family worker",
            "agency": "Health Visiting",
            "email": None,
            "phone": None,
        },
        "agencies_involved": [
            {"agency": "School Nursing", "worker": None, "role": None},
            {"agency": "Health Visiting", "worker": None, "role": None},
            {"agency": "Housing", "worker": None, "role": None},
        ],
        "strengths": ["Attends nursery every day"],
        "needs": ["Speech delay"],
        "desired_outcomes": [{"outcome": "Child speaks in short sentences", "success_criteria": None}],
        "child_views": "Likes drawing.",
        "parent_views": None,
        "level_of_need": {"tier": 2, "as_written": "Additional needs"},
        "safeguarding": {"significant_harm_concern": False, "details": None},
        "consent": {
            "information_sharing": True,
            "panel_discussion": True,
            "given_by": "parent_carer",
            "name": "Test Parent Beta",
            "date": "2026-02-20",
            "excluded_agencies": [],
        },
        "manager_signoff": {"full_name": "Test Manager Delta", "date": "2026-02-21"},
    }


def set_path(record: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Return a copy of ``record`` with ``a.b[0].c`` set to ``value``."""
    out = copy.deepcopy(record)
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]
    target: Any = out
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value
    return out


Run = Callable[..., Evaluation]
