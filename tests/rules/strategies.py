"""hypothesis strategies for referral records (valid shapes of the record contract) and triage facts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from service.rules import (
    ChairOverride,
    ConsentEvent,
    ConsentTimeline,
    EventKind,
    Scope,
    SocialCareReferral,
    TriageFacts,
)
from service.rules.context import CONSENT_PATH, HARM_PATH, PANEL_CONSENT_PATH

SLUGS = ("hackney-mat", "barnet-map", "luton-afsp", "wolverhampton-mast", "generic")
#: every generated person's name word starts "Zq", so a message quoting a name is easy to spot
_WORD = st.text("abcdefghijklmnop", min_size=3, max_size=8)
NAMES = st.builds(lambda first, last: f"Zq{first} Zq{last}", _WORD, _WORD)
TEXT = st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")), min_size=1, max_size=40)
AGENCY_TEXT = (
    st.sampled_from(
        [
            "Police",
            "Housing",
            "Health Visiting",
            "CAMHS",
            "Home Office",
            "GP Surgery",
            "Substance Misuse Service (WDP)",
            "Jobcentre Plus",
            "Youth Service",
            "Children's Social Care",
        ]
    )
    | TEXT
)
DAYS = st.dates(dt.date(2000, 1, 1), dt.date(2027, 12, 31))
DATES = DAYS.map(dt.date.isoformat)


def opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


CHILD = st.fixed_dictionaries(
    {"full_name": NAMES, "date_of_birth": opt(DATES)},
    optional={
        "expected_date_of_delivery": opt(DATES),
        "gender": opt(TEXT),
        "school_or_setting": opt(TEXT),
        "nhs_number": opt(st.from_regex(r"[0-9]{10}", fullmatch=True)),
        "upn": opt(st.from_regex(r"[A-Z][0-9]{12}", fullmatch=True)),
    },
)
CONSENT = st.fixed_dictionaries(
    {"information_sharing": opt(st.booleans())},
    optional={
        "panel_discussion": opt(st.booleans()),
        "given_by": st.sampled_from(["parent_carer", "young_person", None]),
        "name": opt(NAMES),
        "date": opt(DATES),
        "excluded_agencies": st.lists(AGENCY_TEXT, max_size=3),
    },
)
RECORD = st.fixed_dictionaries(
    {
        "schema_version": st.just("1"),
        "form_type": st.sampled_from(["CAF", "CSF", "EHA"]),
        "children": st.lists(CHILD, min_size=1, max_size=4),
        "referrer": st.fixed_dictionaries(
            {"full_name": NAMES, "agency": opt(AGENCY_TEXT)},
            optional={
                "role": opt(TEXT),
                "email": opt(st.just("someone@example.org")),
                "phone": opt(st.from_regex(r"\+?[0-9]{11}", fullmatch=True)),
            },
        ),
        "strengths": st.lists(TEXT, max_size=3),
        "needs": st.lists(TEXT, max_size=3),
        "desired_outcomes": st.lists(
            st.fixed_dictionaries({"outcome": TEXT}, optional={"success_criteria": opt(TEXT)}),
            max_size=3,
        ),
        "consent": CONSENT,
        "safeguarding": st.fixed_dictionaries(
            {"significant_harm_concern": opt(st.booleans())}, optional={"details": opt(TEXT)}
        ),
        "level_of_need": st.fixed_dictionaries(
            {"tier": opt(st.integers(1, 4))}, optional={"as_written": opt(TEXT)}
        ),
    },
    optional={
        "assessment_date": opt(DATES),
        "family": st.fixed_dictionaries(
            {},
            optional={
                "address": opt(TEXT),
                "postcode": opt(st.sampled_from(["ZZ1 1ZZ", "ZZ9 9ZZ"])),
                "home_language": opt(TEXT),
                "interpreter_required": opt(st.booleans()),
                "parents_carers": st.lists(
                    st.fixed_dictionaries({"full_name": NAMES}, optional={"relationship": opt(TEXT)}),
                    max_size=2,
                ),
            },
        ),
        "agencies_involved": st.lists(
            st.fixed_dictionaries(
                {"agency": AGENCY_TEXT}, optional={"worker": opt(NAMES), "role": opt(TEXT)}
            ),
            max_size=4,
        ),
        "child_views": opt(TEXT),
        "parent_views": opt(TEXT),
        "manager_signoff": st.fixed_dictionaries(
            {}, optional={"full_name": opt(NAMES), "date": opt(DATES)}
        ),
    },
)
CONFIDENCE = st.dictionaries(
    st.sampled_from([HARM_PATH, CONSENT_PATH, PANEL_CONSENT_PATH]), st.floats(0, 1, allow_nan=False)
)
MOMENTS = st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2027, 12, 31))
OVERRIDES = st.builds(ChairOverride, st.just("user-1"), MOMENTS, TEXT)
TRIAGE = st.builds(
    TriageFacts,
    known_to_csc=opt(st.booleans()),
    monitoring_or_new_information=opt(st.booleans()),
    welfare_concern=opt(st.booleans()),
    consent_to_early_help=opt(st.booleans()),
    child_views_missing_reason=opt(TEXT),
    chair_override=opt(OVERRIDES),
    harm_confirmed=opt(st.booleans()),
    consent_confirmed=opt(st.booleans()),
    panel_consent_confirmed=opt(st.booleans()),
    exclusion_resolutions=st.dictionaries(
        AGENCY_TEXT, st.sampled_from(["not-a-panel-agency", "housing", "x"]), max_size=2
    ),
    family_breakdown_risk=opt(st.booleans()),
    statutory_assessment_needed=opt(st.booleans()),
    social_care_referral=opt(st.builds(SocialCareReferral, MOMENTS, st.just("user-2"))),
)
EVENTS = st.builds(
    ConsentEvent,
    kind=st.sampled_from(list(EventKind)),
    scopes=st.frozensets(st.sampled_from(list(Scope)), min_size=1),
    on=DAYS,
    by=st.sampled_from(["parent_carer", "young_person", None]),
    excluded_agencies=st.lists(AGENCY_TEXT, max_size=2).map(tuple),
    source=st.sampled_from(["user-3", "document:1"]),
)
TIMELINES = opt(st.lists(EVENTS, max_size=3).map(lambda events: ConsentTimeline(tuple(events))))
