"""A realistic, wholly fictional referral record for filling our own templates."""

from __future__ import annotations

import copy
from typing import Any

_RECORD: dict[str, Any] = {
    "schema_version": "1",
    "form_type": "CAF",
    "assessment_date": "2024-03-14",
    "children": [
        {"full_name": "Tayo Adeyemi-Clarke", "date_of_birth": "2013-05-21",
         "expected_date_of_delivery": None, "gender": "Male",
         "school_or_setting": "Orchard Park Primary School", "nhs_number": "4857773456",
         "upn": "K819273645120"},
        {"full_name": "Zara Adeyemi-Clarke", "date_of_birth": "2019-11-02",
         "expected_date_of_delivery": None, "gender": "Female",
         "school_or_setting": "Little Acorns Nursery", "nhs_number": "9434765919", "upn": None},
        {"full_name": "Unborn baby of Grace Adeyemi", "date_of_birth": None,
         "expected_date_of_delivery": "2024-07-30", "gender": None, "school_or_setting": None,
         "nhs_number": None, "upn": None},
    ],
    "family": {
        "address": "Flat 7 Bramble House, 42 Wick Road, London",
        "postcode": "E9 5AB",
        "home_language": "Yoruba",
        "interpreter_required": False,
        "parents_carers": [
            {"full_name": "Grace Adeyemi", "relationship": "Mother", "phone": "07700900123"},
            {"full_name": "Daniel Clarke", "relationship": "Father", "phone": "07700900456"},
        ],
    },
    "referrer": {"full_name": "Priya Lindqvist", "role": "Family Support Worker",
                 "agency": "Wick Children's Centre", "email": "p.lindqvist@wickcc.example",
                 "phone": "02089460011"},
    "agencies_involved": [
        {"agency": "Health Visiting", "worker": "Amy Brennan", "role": "Health Visitor"},
        {"agency": "CAMHS", "worker": None, "role": "Primary Mental Health Worker"},
        {"agency": "Housing Needs", "worker": "Omar Siddiqui", "role": "Housing Officer"},
    ],
    "strengths": [
        "Mum is warm and affectionate with the children",
        "Tayo attends school every day and is doing well in maths",
        "Dad collects Zara from nursery and takes part in her key worker meetings, and both parents "
        "have kept every antenatal appointment so far",
        "The family have support from their church",
    ],
    "needs": [
        "Overcrowding: four people sharing a one-bedroom flat",
        "Rent arrears of about £900 after a change in benefits",
        "Mum has low mood and is anxious about the birth",
        "Tayo is struggling with sleep and is often tired in class",
    ],
    "desired_outcomes": [
        {"outcome": "Family living in suitable, settled accommodation",
         "success_criteria": "Housing register banding reviewed and a bid accepted"},
        {"outcome": "Family income is maximised",
         "success_criteria": "Benefit check completed and arrears plan agreed"},
        {"outcome": "Mum feels supported before and after the birth",
         "success_criteria": "Mum is attending a weekly parent group"},
    ],
    "child_views": "Tayo said he wants a room of his own so he can sleep and do his homework.",
    "parent_views": "Grace said the family need help with housing before the baby comes.",
    "level_of_need": {"tier": 2, "as_written": "Tier 2 – Universal Plus / Early Help"},
    "safeguarding": {"significant_harm_concern": False, "details": None},
    "consent": {"information_sharing": True, "panel_discussion": True, "given_by": "parent_carer",
                "name": "Grace Adeyemi", "date": "2024-03-14",
                "excluded_agencies": ["Jobcentre Plus", "Wick Road Pharmacy"]},
    "manager_signoff": {"full_name": "Helen Okafor", "date": "2024-03-18"},
}


def sample_record(form: str = "CAF") -> dict[str, Any]:
    """A fresh copy of the fictional family's record, stamped with ``form``."""
    record = copy.deepcopy(_RECORD)
    record["form_type"] = form
    return record


def leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """A record as {path: scalar}, lists as a count plus one entry per item (order matters)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(leaves(item, f"{prefix}.{key}" if prefix else key))
        return out
    if isinstance(value, list):
        out = {f"{prefix}.count": len(value)}
        for index, item in enumerate(value):
            out.update(leaves(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def record_diff(truth: dict[str, Any], pred: dict[str, Any] | None) -> list[str]:
    """Paths whose values differ (names only, so a failure prints no personal data)."""
    if pred is None:
        return ["<no record>"]
    want, got = leaves(truth), leaves(pred)
    return sorted(path for path in want.keys() | got.keys()
                  if want.get(path) != got.get(path) and not (path in want and path not in got
                                                                and want[path] is None))
