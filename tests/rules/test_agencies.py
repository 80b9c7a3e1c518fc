from __future__ import annotations

import pytest

from service.rules import NOT_A_PANEL_AGENCY, MatchStatus, load_catalogue, resolve_exclusions
from service.rules.agencies import excluded_agency_slugs, normalise
from service.rules.catalogue import BUILTIN_DIR


@pytest.fixture(scope="module")
def barnet():  # type: ignore[no-untyped-def]
    return load_catalogue([BUILTIN_DIR]).panel("barnet-map")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Substance Misuse Service (WDP)", "wdp"),
        ("W.D.P", "wdp"),
        ("CAMHS", "camhs"),
        ("Child and Adolescent Mental Health Services", "camhs"),
        ("the Housing service", "housing"),
        ("Solace Womens Aid", "solace"),
        ("Helth Visiting", "health-visiting"),
        ("Police", "police-safer-schools"),
        ("job centre plus", "dwp"),
    ],
)
def test_names_and_aliases_match_tolerantly(barnet, text: str, slug: str) -> None:  # type: ignore[no-untyped-def]
    [match] = resolve_exclusions([text], barnet)
    assert (match.status, match.agency) == (MatchStatus.MATCHED, slug)


@pytest.mark.parametrize("text", ["Home Office", "Probation", "Dentist", "", "Services"])
def test_unknown_names_fail_closed(barnet, text: str) -> None:  # type: ignore[no-untyped-def]
    [match] = resolve_exclusions([text], barnet)
    assert match.status is MatchStatus.UNRESOLVED
    assert not match.settled


def test_triage_resolutions_win(barnet) -> None:  # type: ignore[no-untyped-def]
    matches = resolve_exclusions(
        ["Home Office", "Mum's work"],
        barnet,
        {"HOME OFFICE": NOT_A_PANEL_AGENCY, "mum's work": "housing"},
    )
    assert [m.status for m in matches] == [MatchStatus.NOT_A_PANEL_AGENCY, MatchStatus.RESOLVED]
    assert excluded_agency_slugs(matches) == {"housing"}


def test_normalise() -> None:
    assert normalise("  Child & Adolescent   Mental Health’s ") == "child and adolescent mental healths"
