from __future__ import annotations

from typing import Any

import pytest

from extractors.base import REVIEW_THRESHOLD
from extractors.layout import PdfLocation
from extractors.template_fields import identify_form, is_ticked, read_template_fields
from form_templates.definition import load_definition


def blank(form: str | None = "CSF") -> dict[str, str | bool | None]:
    """Every field of our form present and empty, as an AcroForm reader reports a blank form."""
    definition = load_definition()
    named: dict[str, str | bool | None] = {
        f.name: (False if f.type == "checkbox" else "") for f in definition.fields("CSF")}
    if form is not None:
        named[definition.marker_field] = form
    return named


def read(named: dict[str, str | bool | None], **kwargs: Any) -> Any:
    result = read_template_fields(named, **kwargs)
    assert result is not None
    return result


def test_other_councils_field_names_are_not_ours() -> None:
    foreign: dict[str, str | bool | None] = {
        "child1_given_names": "A", "child1_family_name": "B", "child1_dob": "1 May 2015",
        "postcode": "E8 1AA", "strengths": "x", "assessment_date": "1 May 2024",
        "interpreter_required_yes": "/Off", "consent_share_i_agree": "/Yes"}
    assert read_template_fields(foreign) is None
    assert read_template_fields({}) is None
    assert read_template_fields({"mapdocs_form": "CAF", "child1_full_name": "A"}) is None


def test_form_type_comes_from_the_marker() -> None:
    assert identify_form(blank("CAF")) == "CAF"
    assert read(blank("CSF")).record["form_type"] == "CSF"
    unmarked = read(blank(None))
    assert unmarked.record["form_type"] == "EHA"
    assert any(i.code == "form-marker-missing" for i in unmarked.issues)


def test_blank_form_is_a_record_of_nulls() -> None:
    result = read(blank())
    record = result.record
    assert record["children"] == [] and record["strengths"] == []
    assert record["consent"]["information_sharing"] is None
    assert record["level_of_need"] == {"tier": None, "as_written": None}
    assert result.confidence == {}
    assert [i.code for i in result.issues] == ["empty-form"]


def test_values_are_normalised_as_the_schema_says() -> None:
    named = blank()
    named.update({
        "child1_full_name": "  Ama   Boateng ", "child1_date_of_birth": "3rd March 2016",
        "child1_nhs_number": "485 777 3456", "child1_upn": "k819 2736 45120",
        "family_address": "12 Mare Street\r\nHackney\r\nLondon", "family_postcode": "e8 3rh",
        "referrer_email": " A.Person@Example.ORG ", "referrer_phone": "020 8946 0011",
        "strengths": "1. Warm relationship\n2) Good attendance\n\n- Church support",
        "child_views": "Likes school.\nWants his own room.", "manager_date": "18.03.24",
        "parent1_full_name": "N/A",
    })
    record = read(named).record
    assert record["children"] == [{
        "full_name": "Ama Boateng", "date_of_birth": "2016-03-03", "expected_date_of_delivery": None,
        "gender": None, "school_or_setting": None, "nhs_number": "4857773456", "upn": "K819273645120"}]
    assert record["family"]["address"] == "12 Mare Street, Hackney, London"
    assert record["family"]["postcode"] == "E8 3RH"
    assert record["family"]["parents_carers"] == []
    assert record["referrer"]["email"] == "a.person@example.org"
    assert record["referrer"]["phone"] == "02089460011"
    assert record["strengths"] == ["Warm relationship", "Good attendance", "Church support"]
    assert record["child_views"] == "Likes school. Wants his own room."
    assert record["manager_signoff"]["date"] == "2024-03-18"


def test_blank_rows_are_dropped_and_later_rows_renumbered() -> None:
    named = blank()
    named.update({"child1_full_name": "First Child", "child3_full_name": "Unborn baby of X Y",
                  "child3_expected_date_of_delivery": "30/07/2024",
                  "agency2_agency": "CAMHS", "agency2_role": "Clinician",
                  "outcome4_outcome": "Safe at home"})
    record = read(named).record
    assert [c["full_name"] for c in record["children"]] == ["First Child", "Unborn baby of X Y"]
    assert record["children"][1]["expected_date_of_delivery"] == "2024-07-30"
    assert record["children"][1]["date_of_birth"] is None
    assert record["agencies_involved"] == [{"agency": "CAMHS", "worker": None, "role": "Clinician"}]
    assert record["desired_outcomes"] == [{"outcome": "Safe at home", "success_criteria": None}]


@pytest.mark.parametrize("on", [True, "/Yes", "Yes", "/On", "/1"])
def test_a_tick_in_any_on_state_sets_the_value(on: str | bool) -> None:
    named = blank()
    named.update({"level_of_need_tier_3": on, "significant_harm_no": on,
                  "consent_given_by_young_person": on, "family_interpreter_required_yes": on})
    record = read(named).record
    assert record["level_of_need"] == {"tier": 3, "as_written": "Tier 3 – Complex / Child in Need"}
    assert record["safeguarding"]["significant_harm_concern"] is False
    assert record["consent"]["given_by"] == "young_person"
    assert record["family"]["interpreter_required"] is True


@pytest.mark.parametrize("off", [False, None, "/Off", "Off", "", "/No"])
def test_unticked_states_are_not_ticks(off: str | bool | None) -> None:
    assert not is_ticked(off)


def test_consent_is_never_guessed() -> None:
    named = blank()
    named.update({"consent_information_sharing_yes": True, "consent_information_sharing_no": True})
    result = read(named)
    assert result.record["consent"]["information_sharing"] is None
    assert any(i.code == "conflicting-ticks" and i.path == "consent.information_sharing"
               for i in result.issues)
    named.update({"consent_name": "A Parent", "consent_date": "14/03/2024"})
    assert read(named).record["consent"]["information_sharing"] is None  # still conflicting

    only_name = blank()
    only_name["consent_name"] = "A Parent"
    assert read(only_name).record["consent"]["information_sharing"] is None

    refused = blank()
    refused.update({"consent_information_sharing_no": "/Yes", "consent_name": "A Parent",
                    "consent_date": "14/03/2024"})
    assert read(refused).record["consent"]["information_sharing"] is False


def test_signed_and_dated_consent_without_a_tick_counts_but_is_flagged() -> None:
    named = blank()
    named.update({"consent_name": "A Parent", "consent_date": "14/03/2024"})
    result = read(named)
    assert result.record["consent"]["information_sharing"] is True
    assert result.confidence["consent.information_sharing"] < REVIEW_THRESHOLD
    assert any(i.path == "consent.information_sharing" and i.severity == "warning" for i in result.issues)


def test_unreadable_date_is_null_and_flagged() -> None:
    named = blank()
    named["assessment_date"] = "the week after half term"
    result = read(named)
    assert result.record["assessment_date"] is None
    assert any(i.code == "unreadable-date" for i in result.issues)


def test_provenance_follows_the_field() -> None:
    named = blank()
    named.update({"child2_full_name": "Only Child", "level_of_need_tier_1": True})
    where = PdfLocation(page=1, x0=10, top=20, x1=30, bottom=40)
    tier = PdfLocation(page=3, x0=1, top=2, x1=3, bottom=4)
    result = read(named, locations={"child2_full_name": where, "level_of_need_tier_1": tier})
    assert result.provenance["children[0].full_name"] == where
    assert result.provenance["level_of_need.tier"] == tier
    assert result.provenance["level_of_need.as_written"] == tier
    assert result.extractor == "template-fields"
