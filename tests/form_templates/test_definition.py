from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from extractors.record import empty_record
from form_templates.definition import (
    FIELDS_JSON,
    DefinitionError,
    load_definition,
    pair_rows,
    parse_definition,
)


def _raw() -> dict[str, Any]:
    return json.loads(FIELDS_JSON.read_text(encoding="utf-8"))


def _leaf_paths() -> set[str]:
    """Every scalar / list path of referral-record/1 a form can fill, with row 0 for lists."""
    record = empty_record()
    paths = {"assessment_date", "child_views", "parent_views", "strengths", "needs",
             "consent.excluded_agencies"}
    for group in ("family", "referrer", "level_of_need", "safeguarding", "consent", "manager_signoff"):
        paths |= {f"{group}.{key}" for key, value in record[group].items() if not isinstance(value, list)}
    paths |= {f"children[0].{k}" for k in ("full_name", "date_of_birth", "expected_date_of_delivery",
                                          "gender", "school_or_setting", "nhs_number", "upn")}
    paths |= {f"family.parents_carers[0].{k}" for k in ("full_name", "relationship", "phone")}
    paths |= {f"agencies_involved[0].{k}" for k in ("agency", "worker", "role")}
    paths |= {f"desired_outcomes[0].{k}" for k in ("outcome", "success_criteria")}
    return paths


def test_both_forms_carry_every_record_field() -> None:
    definition = load_definition()
    for form in ("CAF", "CSF"):
        filled = set()
        for field in definition.fields(form):
            filled.add(field.path)
            if field.label_path:
                filled.add(field.label_path)
        assert _leaf_paths() <= filled, sorted(_leaf_paths() - filled)


def test_repeated_blocks_expand_to_the_promised_rows() -> None:
    names = load_definition().field_names("CSF")
    assert {"child4_expected_date_of_delivery", "parent3_phone", "agency6_role",
            "outcome6_success_criteria"} <= names
    assert not {"child5_full_name", "parent4_full_name", "agency7_agency", "outcome7_outcome"} & names
    assert load_definition().by_name()["child3_upn"].path == "children[2].upn"


def test_names_are_pdf_and_word_safe_and_unique() -> None:
    definition = load_definition()
    names = [f.name for f in definition.fields()]
    assert len(names) == len(set(names))
    assert all(len(n) <= 64 and "." not in n and n == n.lower() for n in names)
    assert definition.marker_field not in names


def test_tiers_and_consent_options_say_what_they_set() -> None:
    by_name = load_definition().by_name()
    tiers = [by_name[f"level_of_need_tier_{n}"] for n in range(1, 5)]
    assert [t.value for t in tiers] == [1, 2, 3, 4]
    assert tiers[0].label == "Tier 1 – Universal"
    assert "Child Protection" in tiers[3].label
    assert by_name["consent_given_by_young_person"].value == "young_person"
    assert by_name["consent_information_sharing_no"].value is False


def test_form_wording_is_per_form() -> None:
    definition = load_definition()
    titles = {form: [s.title_for(form) for s, _ in definition.sections_for(form)] for form in ("CAF", "CSF")}
    assert "3. Person completing the CSF" in titles["CSF"]
    assert "3. Person completing the CAF" in titles["CAF"]
    assert "Common Support Framework" in definition.forms["CSF"].title
    assert "Common Assessment Framework" in definition.forms["CAF"].title


def _mutate(change: Any) -> dict[str, Any]:
    raw = copy.deepcopy(_raw())
    change(raw)
    return raw


def _first_field(raw: dict[str, Any]) -> dict[str, Any]:
    return raw["sections"][0]["blocks"][0]["fields"][0]


@pytest.mark.parametrize("change, message", [
    (lambda r: _first_field(r).update(name="Child {n} name"), "not a valid"),
    (lambda r: _first_field(r).update(type="signature"), "unknown field type"),
    (lambda r: _first_field(r).update(path="child[{i}].full_name"), "not a referral-record path"),
    (lambda r: _first_field(r).update(path="children[{i}]..x"), "bad record path"),
    (lambda r: r["sections"][-1]["blocks"][0]["fields"][1].update(name="manager_full_name"), "used twice"),
    (lambda r: r["sections"][1]["blocks"][1]["fields"][0].pop("value"), "needs the value"),
    (lambda r: _first_field(r).update(format="shoe_size"), "unknown format"),
    (lambda r: r["sections"][0]["blocks"][0]["fields"][0].update(name="child_full_name"), "'{n}'"),
    (lambda r: r.pop("marking"), "malformed"),
])
def test_broken_definitions_are_refused(change: Any, message: str) -> None:
    with pytest.raises(DefinitionError, match=message):
        parse_definition(_mutate(change))


def test_the_shipped_definition_parses_unchanged() -> None:
    assert parse_definition(_raw()) == load_definition()


def test_a_field_can_be_carried_by_one_form_only() -> None:
    raw = _raw()
    _first_field(raw)["forms"] = ["CSF"]
    definition = parse_definition(raw)
    assert "child1_full_name" in definition.field_names("CSF")
    assert "child4_full_name" not in definition.field_names("CAF")
    assert "child4_gender" in definition.field_names("CAF")
    caf_children = definition.sections_for("CAF")[0][1][0]
    assert all("full_name" not in f.name for f in caf_children.fields())


def test_a_field_cannot_name_a_form_its_block_does_not_carry() -> None:
    raw = _raw()
    raw["sections"][0]["blocks"][0]["forms"] = ["CAF"]
    _first_field(raw)["forms"] = ["CSF"]
    with pytest.raises(DefinitionError, match="not carried by its block"):
        parse_definition(raw)


def test_wide_fields_take_a_row_of_their_own() -> None:
    family = next(s for s in load_definition().sections if s.id == "family")
    rows = pair_rows(family.blocks[0].fields())
    assert [[f.name for f in row] for row in rows] == [
        ["family_address"], ["family_postcode", "family_home_language"]]
