"""Field paths and the merge of several documents' readings (pure functions, no database)."""

from __future__ import annotations

import pytest

from service.referrals.errors import InvalidCorrection
from service.referrals.merge import merge_extractions
from service.referrals.paths import check_value, get_value, leaf_paths, set_value
from tests.rules.records import clean_record


def test_paths_read_and_write_nested_values() -> None:
    record = clean_record()
    assert get_value(record, "children[0].date_of_birth") == "2020-06-15"
    assert get_value(record, "children[3].date_of_birth") is None
    set_value(record, "children[0].gender", "female")
    set_value(record, "needs[1]", "Sleep")  # the next index appends
    assert record["children"][0]["gender"] == "female" and record["needs"] == ["Speech delay", "Sleep"]
    with pytest.raises(InvalidCorrection):
        set_value(record, "needs[5]", "gap")


@pytest.mark.parametrize(
    ("path", "value", "read"),
    [
        ("level_of_need.tier", "3", 3),
        ("consent.information_sharing", "false", False),
        ("consent.excluded_agencies", ["Housing"], ["Housing"]),
        ("manager_signoff.date", None, None),
        ("family.parents_carers[0].phone", "+4420", "+4420"),
    ],
)
def test_values_are_read_by_the_record_schema(path: str, value: object, read: object) -> None:
    assert check_value(path, value) == read


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("children[0].full_name", None),
        ("consent.given_by", "neighbour"),
        ("children[0].nhs_number", "12"),
        ("strengths.first", "x"),
        ("referrer[0]", "x"),
        ("", 1),
    ],
)
def test_bad_paths_and_values_name_the_path(path: str, value: object) -> None:
    with pytest.raises(InvalidCorrection) as caught:
        check_value(path, value)
    assert caught.value.detail.startswith(path)


def test_leaf_paths_confirm_everything_beneath() -> None:
    assert list(leaf_paths("consent", {"information_sharing": True, "excluded_agencies": ["A"]})) == [
        "consent",
        "consent.information_sharing",
        "consent.excluded_agencies",
        "consent.excluded_agencies[0]",
    ]


def test_merge_fills_gaps_and_prefers_higher_confidence() -> None:
    first = {"child_views": None, "consent": {"information_sharing": None, "date": "2026-01-01"},
             "needs": ["a"]}
    later = {"child_views": "new", "consent": {"information_sharing": True, "date": "2026-02-02"},
             "needs": ["b"]}
    merged, confidence = merge_extractions(
        [
            (first, {"consent.date": 0.9, "needs[0]": 0.5}),
            (None, {}),
            (later, {"consent.information_sharing": 0.95, "consent.date": 0.4, "needs[0]": 0.9}),
        ]
    )
    assert merged is not None
    assert merged["child_views"] == "new" and merged["consent"]["information_sharing"] is True
    assert merged["consent"]["date"] == "2026-01-01"  # the later reading was less sure
    assert merged["needs"] == ["b"] and confidence["needs[0]"] == 0.9
    assert confidence["consent.information_sharing"] == 0.95
    assert first["child_views"] is None  # inputs are not changed


def test_merge_of_nothing_readable_is_none() -> None:
    assert merge_extractions([(None, {})]) == (None, {})
