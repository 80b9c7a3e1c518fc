from __future__ import annotations

import json

import pytest

from extractors.vocabulary import VOCABULARY_PATH, VocabularyError, label_key, load, parse

V = load()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Section 3: Lead practitioner", "lead practitioner"),
        ("1. Details of parents / carers", "details of parents carers"),
        ("a) Worries", "worries"),
        ("Q4 - Interpreter needed?", "interpreter needed"),
        ("CHILD'S NAME:", "childs name"),
        ("(ii) Goals", "goals"),
    ],
)
def test_label_key_forgives_numbering_case_and_punctuation(text: str, key: str) -> None:
    assert label_key(text) == key


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("What is working well?", "strengths"),
        ("Things that are going well", "strengths"),
        ("What are we worried about?", "needs"),
        ("Worries", "needs"),
        ("Concerns", "needs"),
        ("Unmet needs", "needs"),
        ("What needs to happen?", "outcomes"),
        ("Goals", "outcomes"),
        ("What will things look like at review?", "outcomes"),
        ("Changes the family want to achieve", "outcomes"),
        ("Section 4: Other agencies involved", "agencies"),
        ("Child / young person 3", "child_block"),
        ("Support plan for Amy Stone", "support_plan"),
        ("Details of the person undertaking the assessment", "referrer"),
        ("Practitioner completing the CSF", "referrer"),
        ("Manager sign off", "manager"),
        ("Reason for referral", "narrative"),
    ],
)
def test_headings_in_councils_words(text: str, section: str) -> None:
    match = V.match_heading(text)
    assert match is not None and match.key == section


def test_small_wording_change_matches_with_lower_score() -> None:
    match = V.match_heading("What is working well so far")
    assert match is not None and match.key == "strengths" and match.score < 1.0


def test_section_decides_what_a_generic_label_means() -> None:
    assert V.match_field("Name", "referrer").key == "referrer_name"  # type: ignore[union-attr]
    assert V.match_field("Name", "consent").key == "consent_name"  # type: ignore[union-attr]
    assert V.match_field("Date", "manager").key == "manager_date"  # type: ignore[union-attr]
    assert V.match_field("Postcode", "children").key == "family_postcode"  # type: ignore[union-attr]


def test_values_are_not_labels() -> None:
    for text in ("Louise Okafor", "Early Help Service", "07936 138 769", "Riverside Primary Academy"):
        assert V.match_field(text, "referrer") is None


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("Universal", 1),
        ("Tier 2 – Universal Plus", 2),
        ("Universal Plus – additional needs", 2),
        ("Additional needs", 2),
        ("Targeted", 2),
        ("Early help", 2),
        ("Complex needs (Child in Need)", 3),
        ("Acute – child protection", 4),
        ("Statutory", 4),
        ("Specialist", 4),
        ("Level 3", 3),
        ("something else", None),
    ],
)
def test_tiers_in_any_councils_words(text: str, tier: int | None) -> None:
    assert V.tier(text) == tier


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Yes", "yes"),
        ("I agree", "yes"),
        ("No", "no"),
        ("I do not agree", "no"),
        ("I don't consent", "no"),
        ("Parent / carer", "parent_carer"),
        ("Young person (aged 13+)", "young_person"),
        ("Child / young person", "young_person"),
    ],
)
def test_option_kinds(label: str, kind: str) -> None:
    match = V.option_kind(label)
    assert match is not None and match.key == kind


def test_form_types() -> None:
    assert V.form_type("Common Assessment Framework for children", abbreviations=True) == "CAF"
    assert V.form_type("Common Support Framework (CSF)", abbreviations=True) == "CSF"
    assert V.form_type("Early Help Assessment", abbreviations=True) is None
    assert V.form_type("see the CSF guidance", abbreviations=False) is None


def test_bad_vocabulary_is_refused() -> None:
    data = json.loads(VOCABULARY_PATH.read_text(encoding="utf-8"))
    data["fields"]["referrer_name"]["type"] = "colour"
    with pytest.raises(VocabularyError):
        parse(data)
    data = json.loads(VOCABULARY_PATH.read_text(encoding="utf-8"))
    del data["tiers"]["4"]
    with pytest.raises(VocabularyError):
        parse(data)
    data = json.loads(VOCABULARY_PATH.read_text(encoding="utf-8"))
    data["sections"]["strengths"]["headings"] = ["ok", ""]
    with pytest.raises(VocabularyError):
        parse(data)
