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


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("PART E – WORRIES", "worries"),
        ("Part B: Consent", "consent"),
        ("Section 3 Goals", "goals"),
        ("Step 2. Views", "views"),
        ("Stage iv) Goals", "goals"),
        ("A) Strengths", "strengths"),
        ("B – Assessor", "assessor"),
        ("3.1 Needs", "needs"),
        ("D.O.B.", "dob"),
        ("D.O.B. / EDD", "dob edd"),
        ("The household", "household"),
        ("Part time work", "part time work"),  # a word after "part" is not numbering
        ("Stage of pregnancy", "stage of pregnancy"),
    ],
)
def test_label_key_forgives_council_heading_prefixes(text: str, key: str) -> None:
    assert label_key(text) == key


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("PART E – WORRIES", "needs"),
        ("Section 2: What is going well", "strengths"),
        ("Young person's own words", "child_views"),
        ("Child's wishes and feelings", "child_views"),
        ("What the parents told us", "parent_views"),
        ("What mum and dad say", "parent_views"),
        ("Agreement to share information", "consent"),
        ("Team leader authorisation", "manager"),
        ("Other services supporting the family", "agencies"),
        ("Adults in the household", "parents"),
        ("Eastmere continuum of need", "level"),
        ("Risk of harm", "safeguarding"),
    ],
)
def test_headings_by_key_nouns_and_synonyms(text: str, section: str) -> None:
    match = V.match_heading(text)
    assert match is not None and match.key == section


@pytest.mark.parametrize(
    ("text", "section", "field"),
    [
        ("Date agreed", "consent", "consent_date"),
        ("Name of person agreeing", "consent", "consent_name"),
        ("Who gave agreement", "consent", "consent_given_by"),
        ("Reviewing manager", "manager", "manager_name"),
        ("Date reviewed", "manager", "manager_date"),
        ("Where the family live", "family", "family_address"),
        ("Nursery / school attended", "children", "child_school"),
        ("Their role", "referrer", "referrer_role"),
    ],
)
def test_section_key_nouns_only_in_a_labels_place(text: str, section: str, field: str) -> None:
    strict = V.match_field(text, section)
    assert strict is None or strict.key == field
    match = V.match_field(text, section, loose=True)
    assert match is not None and match.key == field
    assert match.score < 0.86  # a key-noun match is flagged for review


def test_section_key_nouns_do_not_leave_their_section() -> None:
    assert V.match_field("Date agreed", "children", loose=True) is None
    assert V.match_field("Early Help Service", "referrer") is None  # a value, asked strictly


def test_anywhere_date_labels_by_key_nouns() -> None:
    for text in ("Date request completed", "Date of referral"):
        match = V.match_field(text, "referrer")
        assert match is not None and match.key == "assessment_date"


@pytest.mark.parametrize(
    ("table", "text", "column"),
    [
        ("parents", "Adult's name", "full_name"),
        ("parents", "Relationship to the children", "relationship"),
        ("parents", "Mobile", "phone"),
        ("agencies", "Their role", "role"),
        ("agencies", "Service", "agency"),
        ("children", "D.O.B. / EDD", "date_of_birth"),
        ("children", "M/F", "gender"),
        ("children", "Boy/Girl", "gender"),
        ("children", "First name", "given_name"),
        ("outcomes", "We'll know this has worked when", "success_criteria"),
        ("outcomes", "How will we know?", "success_criteria"),
    ],
)
def test_columns_by_wording_or_key_nouns(table: str, text: str, column: str) -> None:
    match = V.match_column(table, text)
    assert match is not None and match.key == column


def test_keyword_alternatives() -> None:
    for text in ("Voice of the child", "What the child says", "Pupil's views"):
        match = V.match_heading(text)
        assert match is not None and match.key == "child_views"


@pytest.mark.parametrize(
    ("text", "tier"),
    [("Statutory-Specialist", 4), ("Statutory / specialist", 4), ("Child in Need", 3),
     ("Child Protection", 4), ("Level 4 – Specialist / statutory", 4)],
)
def test_more_tier_wordings(text: str, tier: int) -> None:
    assert V.tier(text) == tier


@pytest.mark.parametrize(
    ("text", "heading"),
    [("PART H – IN THEIR OWN WORDS", True), ("5. Other information", True), ("Other information:", True),
     ("Kai is caring towards his sister", False), ("A sentence that ends.", False)],
)
def test_looks_like_heading(text: str, heading: bool) -> None:
    assert V.looks_like_heading(text) is heading


def test_list_sections_must_target_a_record_list() -> None:
    data = json.loads(VOCABULARY_PATH.read_text(encoding="utf-8"))
    data["sections"]["strengths"]["target"] = "referrer.full_name"
    with pytest.raises(VocabularyError):
        parse(data)
    data = json.loads(VOCABULARY_PATH.read_text(encoding="utf-8"))
    data["tables"]["parents"]["keywords"]["colour"] = [["red"]]
    with pytest.raises(VocabularyError):
        parse(data)


def test_a_numbered_block_heading_without_its_number_names_the_block() -> None:
    vocab = load()
    assert vocab.match_unnumbered_block("Child / young person") == "child_block"
    assert vocab.match_unnumbered_block("Child / young person 2") is None
    assert vocab.match_unnumbered_block("Strengths") is None
