from __future__ import annotations

import pytest

from extractors.base import REVIEW_THRESHOLD
from extractors.errors import NotAnAssessmentForm
from extractors.layout import Cell, Layout, Mark, PdfLocation, Row
from extractors.reader import form_signals, read_layout

#: enough recognisable sections that a synthetic layout counts as a form
FRAME = [["Child details"], ["Parents / carers"], ["Safeguarding"], ["Consent"]]


def row(*texts: str | Cell, kind: str = "table", table: int | None = None) -> Row:
    cells = [t if isinstance(t, Cell) else Cell(lines=t.split("\n") if t else []) for t in texts]
    return Row(cells, kind=kind, table=table)  # type: ignore[arg-type]


def ticks(*options: tuple[str, bool | None]) -> Cell:
    return Cell(lines=[" ".join(o for o, _ in options)], marks=[Mark(o, c) for o, c in options])


def read(*rows: Row, frame: bool = True):
    extra = [row(*r) for r in FRAME] if frame else []
    return read_layout(Layout(rows=[*extra, *rows]), extractor="test", version="0")


def rec(*rows: Row):
    result = read(*rows)
    assert result.record is not None
    return result.record


def test_label_in_one_cell_value_in_the_next() -> None:
    r = rec(
        row("Lead practitioner"),
        row("Name", "Jo Bloggs", "Job title", "Health Visitor"),
        row("Tel", "+44 7512 735863", "E-mail", "Jo.Bloggs@NHS.net"),
    )
    assert r["referrer"] == {
        "full_name": "Jo Bloggs",
        "role": "Health Visitor",
        "agency": None,
        "email": "jo.bloggs@nhs.net",
        "phone": "+447512735863",
    }


def test_label_above_its_box() -> None:
    r = rec(
        row("Safeguarding"), row("If yes, please give details"), row("Police attended.\nReferral to MASH.")
    )
    assert r["safeguarding"]["details"] == "Police attended. Referral to MASH."


def test_label_and_value_in_one_cell_when_cell_splitting_failed() -> None:
    result = read(row("Lead practitioner"), row("Name Nasreen Mensah"))
    assert result.record is not None
    assert result.record["referrer"]["full_name"] == "Nasreen Mensah"
    assert result.confidence["referrer.full_name"] < 1.0


def test_children_table_with_given_and_family_names_joined() -> None:
    r = rec(
        row("Children and young people"),
        row("Given name(s)", "Family name", "DOB", "Gender", "NHS no", "UPN", table=3),
        row("Amy", "Stone", "12.03.16", "Female", "416 697 1131", "a123456789012", table=3),
        row("Ben", "Stone", "1 Feb 2019", "Male", "n/a", "", table=3),
        row("Parents / carers"),
    )
    assert [(c["full_name"], c["date_of_birth"], c["nhs_number"], c["upn"]) for c in r["children"]] == [
        ("Amy Stone", "2016-03-12", "4166971131", "A123456789012"),
        ("Ben Stone", "2019-02-01", None, None),
    ]


def test_repeated_child_blocks() -> None:
    r = rec(
        row("Child / young person 1"),
        row("First name", "Amy", "Surname", "Stone"),
        row("Date of birth", "1/2/2015"),
        row("Child / young person 2"),
        row("First name", "Ben", "Surname", "Stone"),
        row("Date of birth", "2/3/2017"),
    )
    assert [(c["full_name"], c["date_of_birth"]) for c in r["children"]] == [
        ("Amy Stone", "2015-02-01"),
        ("Ben Stone", "2017-03-02"),
    ]


def test_unborn_baby_takes_the_expected_date_of_delivery() -> None:
    r = rec(
        row("Child details"),
        row("Name", "Unborn baby of Amina Khan"),
        row("Expected date of delivery", "12th May 2025"),
    )
    child = r["children"][0]
    assert child["full_name"] == "Unborn baby of Amina Khan"
    assert child["date_of_birth"] is None and child["expected_date_of_delivery"] == "2025-05-12"


def test_unborn_baby_in_a_table_moves_the_date_to_edd() -> None:
    r = rec(
        row("Name", "Date of birth", "Gender", table=1),
        row("Unborn baby of Amina Khan", "01/06/2025", "", table=1),
    )
    assert r["children"][0]["date_of_birth"] is None
    assert r["children"][0]["expected_date_of_delivery"] == "2025-06-01"


def test_parents_and_agencies_tables() -> None:
    r = rec(
        row("Name", "Relationship to child", "Contact number", table=1),
        row("Ann Stone", "Mother", "07700 900123", table=1),
        row("Services involved"),
        row("Organisation", "Named worker", "Job title", table=2),
        row("School Nursing", "Kim Lee", "", table=2),
    )
    assert r["family"]["parents_carers"] == [
        {"full_name": "Ann Stone", "relationship": "Mother", "phone": "07700900123"}
    ]
    assert r["agencies_involved"] == [{"agency": "School Nursing", "worker": "Kim Lee", "role": None}]


def test_synonym_sections_and_numbered_headings() -> None:
    r = rec(
        row("4. Things that are going well"),
        row("- Mum is warm\n- Amy likes school"),
        row("Section 5: Worries"),
        row("1) Rent arrears\n2) Low mood"),
        row("a) Goals"),
        row("Desired outcome", "How will we know?", table=9),
        row("Rent arrears are cleared", "No notice of eviction", table=9),
    )
    assert r["strengths"] == ["Mum is warm", "Amy likes school"]
    assert r["needs"] == ["Rent arrears", "Low mood"]
    assert r["desired_outcomes"] == [
        {"outcome": "Rent arrears are cleared", "success_criteria": "No notice of eviction"}
    ]


def test_referrer_synonyms() -> None:
    for label in ("CAF author", "Assessor", "Lead practitioner", "Person completing"):
        assert rec(row(label, "Jo Bloggs"))["referrer"]["full_name"] == "Jo Bloggs"


def test_support_plan_tables_run_child_by_child() -> None:
    r = rec(
        row("Support plan for Amy"),
        row("Strengths", "Needs", "Desired outcome", table=1),
        row("A1", "N1", "O1", table=1),
        row("", "N2", "", table=1),
        row("Support plan for Ben"),
        row("Strengths", "Needs", "Desired outcome", table=2),
        row("B1", "N3", "", table=2),
    )
    assert r["strengths"] == ["A1", "B1"] and r["needs"] == ["N1", "N2", "N3"]
    assert r["desired_outcomes"] == [{"outcome": "O1", "success_criteria": None}]


def test_action_plan_gives_outcomes_without_success_criteria() -> None:
    r = rec(
        row("Desired outcome", "Agreed action", "By whom", "By when", table=4),
        row("Family income is maximised", "Benefits check", "Housing", "3 Apr 2024", table=4),
    )
    assert r["desired_outcomes"] == [{"outcome": "Family income is maximised", "success_criteria": None}]


def test_narrative_is_not_needs() -> None:
    r = rec(
        row("Reason for referral"),
        row("Mum asked for help with the children's sleep."),
        row("Needs"),
        row("Sleep routine"),
    )
    assert r["needs"] == ["Sleep routine"]


def test_tier_words_and_tick_one() -> None:
    r = rec(
        row("Level of need"), row("Tick one:", ticks(("Universal", False), ("Targeted early help", True)))
    )
    assert r["level_of_need"] == {"tier": 2, "as_written": "Targeted early help"}
    assert rec(row("Threshold of need", "Child in need"))["level_of_need"] == {
        "tier": 3,
        "as_written": "Child in need",
    }


def test_significant_harm_question_in_other_words() -> None:
    r = rec(
        row("Do you think any child is at risk of significant harm?", ticks(("Yes", True), ("No", False)))
    )
    assert r["safeguarding"]["significant_harm_concern"] is True


# ---------------------------------------------------------------- consent is never guessed
def consent_rows(*extra: Row) -> tuple[Row, ...]:
    return (row("Consent"), *extra)


def test_consent_nothing_marked_nothing_signed_is_null() -> None:
    r = rec(
        *consent_rows(
            row("I agree to information being shared:", ticks(("Yes", False), ("No", False))),
            row("Name", ""),
            row("Date", ""),
        )
    )
    assert r["consent"]["information_sharing"] is None


def test_consent_ticked_yes_and_given_by() -> None:
    r = rec(
        *consent_rows(
            row("Consent to share information", ticks(("I agree", True), ("I do not agree", False))),
            row("Consent given by", ticks(("Parent / carer", False), ("Young person", True))),
        )
    )
    assert r["consent"]["information_sharing"] is True
    assert r["consent"]["given_by"] == "young_person"


def test_refusal_is_false_even_when_signed() -> None:
    r = rec(
        *consent_rows(
            row("Consent to share information", ticks(("I agree", False), ("I do not agree", True))),
            row("Name", "Ann Stone"),
            row("Date", "1/2/2024"),
        )
    )
    assert r["consent"]["information_sharing"] is False
    assert r["consent"]["name"] == "Ann Stone" and r["consent"]["date"] == "2024-02-01"


def test_signed_and_dated_statement_counts_as_consent() -> None:
    r = rec(
        *consent_rows(
            row("I agree that this information can be shared with the agencies named."),
            row("Signature", "A. Stone"),
            row("Date", "1 Feb 2024"),
        )
    )
    assert r["consent"]["information_sharing"] is True


def test_name_without_date_is_not_consent() -> None:
    r = rec(*consent_rows(row("Name", "Ann Stone"), row("Date", "")))
    assert r["consent"]["information_sharing"] is None


def test_both_options_ticked_is_null_and_flagged() -> None:
    result = read(
        *consent_rows(
            row("Consent to share information", ticks(("Yes", True), ("No", True))),
            row("Name", "Ann Stone"),
            row("Date", "1/2/2024"),
        )
    )
    assert result.record is not None
    assert result.record["consent"]["information_sharing"] is None
    assert result.confidence["consent.information_sharing"] < REVIEW_THRESHOLD
    assert any(i.path == "consent.information_sharing" and i.code == "low-confidence" for i in result.issues)


def test_unreadable_tick_is_not_consent() -> None:
    r = rec(
        *consent_rows(
            row("Consent to share information", ticks(("Yes", None), ("No", False))),
            row("Name", "Ann Stone"),
            row("Date", "1/2/2024"),
        )
    )
    assert r["consent"]["information_sharing"] is None


def test_panel_discussion_and_excluded_agencies() -> None:
    r = rec(
        *consent_rows(
            row(
                "The family consent to their case being discussed at panel:",
                ticks(("Yes", True), ("No", False)),
            ),
            row("Agencies the family do not want information shared with"),
            row("• Police\n• Housing"),
        )
    )
    assert r["consent"]["panel_discussion"] is True
    assert r["consent"]["excluded_agencies"] == ["Police", "Housing"]


# ---------------------------------------------------------------- the record as a whole
@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Common Assessment Framework", "CAF"),
        ("Common Support Framework (CSF)", "CSF"),
        ("Early Help Assessment", "EHA"),
    ],
)
def test_form_type_from_title(title: str, expected: str) -> None:
    result = read_layout(
        Layout(rows=[row(title, kind="heading"), *[row(*r) for r in FRAME]]), extractor="t", version="0"
    )
    assert result.record is not None and result.record["form_type"] == expected


def test_too_few_sections_is_not_a_form() -> None:
    with pytest.raises(NotAnAssessmentForm):
        read(
            row("Dear Sir or Madam,"),
            row("I write about the bins. Please call me."),
            row("Yours faithfully"),
            frame=False,
        )


def test_blank_form_is_nulls_plus_an_empty_form_warning() -> None:
    result = read(row("Name", "", "Date of birth", ""), row("Strengths"), row(""))
    assert result.record is not None
    assert result.record["children"] == [] and result.record["strengths"] == []
    assert result.record["consent"]["information_sharing"] is None
    assert [i.code for i in result.issues if i.code == "empty-form"] == ["empty-form"]


def test_a_date_that_does_not_parse_is_kept_and_flagged() -> None:
    result = read(row("Lead practitioner"), row("Date of assessment", "sometime in spring"))
    assert result.record is not None and result.record["assessment_date"] == "sometime in spring"
    assert result.confidence["assessment_date"] < REVIEW_THRESHOLD


def test_fuzzy_label_lowers_confidence_and_ocr_confidence_propagates() -> None:
    result = read(
        row("Lead practitioner"),
        row("Job titel", "Nurse"),
        row("Email", Cell(lines=["jo@nhs.net"], confidence=0.5)),
    )
    assert result.record is not None and result.record["referrer"]["role"] == "Nurse"
    assert result.confidence["referrer.role"] < 1.0
    assert result.confidence["referrer.email"] == 0.5


def test_pdf_cells_align_to_header_columns_by_overlap() -> None:
    def at(text: str, x0: float, x1: float) -> Cell:
        return Cell(lines=[text], location=PdfLocation(1, x0, 100, x1, 110))

    r = rec(
        Row([at("Agency", 50, 150), at("Worker", 200, 300), at("Role", 350, 450)], kind="table"),
        Row([at("Jobcentre Plus", 50, 140), at("Work Coach", 355, 420)], kind="table"),
    )
    assert r["agencies_involved"] == [{"agency": "Jobcentre Plus", "worker": None, "role": "Work Coach"}]


def test_row_of_labels_over_a_row_of_values_in_a_fields_section() -> None:
    r = rec(
        row("Referrer details"),
        row("Name", "Role", "Organisation", table=5),
        row("Jo Bloggs", "School Nurse", "NHS", table=5),
    )
    assert (r["referrer"]["full_name"], r["referrer"]["role"], r["referrer"]["agency"]) == (
        "Jo Bloggs",
        "School Nurse",
        "NHS",
    )
    assert r["agencies_involved"] == []


def test_box_of_label_colon_value_lines() -> None:
    r = rec(
        row("Person completing this form"), row("Name: Jo Bloggs\nJob title: Nurse\nTelephone: 01234 567890")
    )
    assert r["referrer"]["full_name"] == "Jo Bloggs" and r["referrer"]["role"] == "Nurse"
    assert r["referrer"]["phone"] == "01234567890"


def test_options_each_in_their_own_cell() -> None:
    r = rec(row("Is an interpreter required?", ticks(("Yes", False)), ticks(("No", True))))
    assert r["family"]["interpreter_required"] is False


def test_children_side_by_side_one_column_per_child() -> None:
    r = rec(
        row("Details of the children"),
        row("Name", "Amy Stone", "Ben Stone"),
        row("Date of birth", "1/2/2015", "2/3/2017"),
        row("School", "Hill Primary", ""),
    )
    assert [(c["full_name"], c["date_of_birth"], c["school_or_setting"]) for c in r["children"]] == [
        ("Amy Stone", "2015-02-01", "Hill Primary"),
        ("Ben Stone", "2017-03-02", None),
    ]


def test_views_as_a_row_label() -> None:
    r = rec(row("Child's views", "I like school."), row("Parents' views", "We want help."))
    assert r["child_views"] == "I like school." and r["parent_views"] == "We want help."


def test_printed_heading_run_into_its_answer_lines() -> None:
    r = rec(row("What is working well? Amy is kind\nWorries\nRent arrears", kind="text"))
    assert r["strengths"] == ["Amy is kind"] and r["needs"] == ["Rent arrears"]


def test_numbered_parent_blocks() -> None:
    r = rec(
        row("Parent / carer 1"),
        row("Name", "Ann Stone", "Relationship", "Mother"),
        row("Parent / carer 2"),
        row("Name", "Tom Stone", "Relationship", "Father"),
    )
    assert [(p["full_name"], p["relationship"]) for p in r["family"]["parents_carers"]] == [
        ("Ann Stone", "Mother"),
        ("Tom Stone", "Father"),
    ]


# ---------------------------------------------------------------- councils' layouts never seen


def test_numbered_part_headings_start_their_sections() -> None:
    r = rec(
        row("PART E – WORRIES", kind="heading"),
        row("• Rent arrears\n• Dad works nights", kind="text"),
        row("Part F: Things that are going well", kind="heading"),
        row("1. Amy loves school", kind="text"),
    )
    assert r["needs"] == ["Rent arrears", "Dad works nights"]
    assert r["strengths"] == ["Amy loves school"]


def test_an_unknown_styled_heading_ends_a_list() -> None:
    r = rec(
        row("Worries", kind="heading"),
        row("Rent arrears", kind="text"),
        row("PART H – IN THEIR OWN WORDS", kind="heading"),
        row("Nothing we know", kind="text"),
    )
    assert r["needs"] == ["Rent arrears"]


def test_outcomes_pair_with_their_success_criteria_and_are_always_objects() -> None:
    r = rec(
        row("Changes the family want to achieve", kind="heading"),
        row("1. Kai is in school every day", kind="text"),
        row("We'll know this has worked when: attendance is above 95%", kind="text"),
        row("2. Mum has help at home", kind="text"),
        row("How will we know?", kind="text"),
        row("A support worker visits twice a week", kind="text"),
        row("3. The debt is under control", kind="text"),
    )
    assert r["desired_outcomes"] == [
        {"outcome": "Kai is in school every day", "success_criteria": "attendance is above 95%"},
        {"outcome": "Mum has help at home", "success_criteria": "A support worker visits twice a week"},
        {"outcome": "The debt is under control", "success_criteria": None},
    ]


def test_table_found_by_key_nouns_of_its_header() -> None:
    r = rec(
        row("Household", kind="heading"),
        row("Adult's name", "Relationship to the children", "Mobile", table=7),
        row("Mariam Haddad", "Mother", "07700 900812", table=7),
        row("Other services supporting the family", kind="heading"),
        row("Service", "Worker's name", "Their role", "Phone", table=8),
        row("Midwifery", "Jo Pennant", "Community Midwife", "01632 960333", table=8),
    )
    assert r["family"]["parents_carers"] == [
        {"full_name": "Mariam Haddad", "relationship": "Mother", "phone": "07700900812"}
    ]
    assert r["agencies_involved"] == [
        {"agency": "Midwifery", "worker": "Jo Pennant", "role": "Community Midwife"}
    ]


def test_a_label_value_pair_is_not_a_table_header() -> None:
    r = rec(
        row("Assessor", kind="heading"), row("Job title", "Pastoral Lead"), row("Organisation", "Eastmere")
    )
    assert r["referrer"]["role"] == "Pastoral Lead"
    assert r["agencies_involved"] == []


def test_key_noun_labels_are_read_and_flagged() -> None:
    result = read(
        row("Agreement to share information", kind="heading"),
        row(
            "Does the family agree to information being shared?",
            ticks(("Agreed", True), ("Not agreed", False)),
        ),
        row("Who gave agreement", ticks(("Parent or carer", True), ("Young person", False))),
        row("Name of person agreeing", "Mariam Haddad"),
        row("Date agreed", "03.06.24"),
    )
    assert result.record is not None
    consent = result.record["consent"]
    assert consent["name"] == "Mariam Haddad"
    assert (consent["date"], consent["given_by"]) == ("2024-06-03", "parent_carer")
    assert result.confidence["consent.name"] < REVIEW_THRESHOLD
    assert result.confidence["consent.information_sharing"] >= REVIEW_THRESHOLD  # a ticked box


def test_consent_is_never_inferred_from_a_key_noun_signature_block() -> None:
    r = rec(
        row("Consent", kind="heading"),
        row("Person agreeing: full name", "Mariam Haddad"),
        row("Date agreed", "03.06.24"),
    )
    assert r["consent"]["information_sharing"] is None


def test_a_box_of_label_lines_ends_the_records_table_above_it() -> None:
    r = rec(
        row("Parents / carers", kind="heading"),
        row("Name", "Relationship", "Telephone", table=4),
        row("Dawn Wells", "Mother", "07700 900154", table=4),
        row("Home address: 7 Weaver Street\nPostcode: HF3 2LN\nFirst language: English", table=4),
    )
    assert [p["full_name"] for p in r["family"]["parents_carers"]] == ["Dawn Wells"]
    assert (r["family"]["address"], r["family"]["postcode"]) == ("7 Weaver Street", "HF3 2LN")


def test_typed_yes_no_answers() -> None:
    r = rec(row("Household", kind="heading"), row("Interpreter needed?", "N"),
            row("Safeguarding", kind="heading"), row("Are there any child protection concerns?", "Yes"))
    assert r["family"]["interpreter_required"] is False
    assert r["safeguarding"]["significant_harm_concern"] is True


def test_children_table_with_dotted_abbreviations_and_an_unborn_row() -> None:
    r = rec(
        row("Family composition", kind="heading"),
        row("First name", "Surname", "D.O.B. / EDD", "M/F", "School / Nursery", table=2),
        row("Tyler", "Wells", "21/11/2012", "Male", "Brookfield High", table=2),
        row("Unborn", "", "EDD 30/07/2024", "", "", table=2),
    )
    assert [(c["full_name"], c["date_of_birth"], c["expected_date_of_delivery"], c["gender"])
            for c in r["children"]] == [("Tyler Wells", "2012-11-21", None, "Male"),
                                        ("Unborn", None, "2024-07-30", None)]


def test_option_words_in_their_own_cells_are_not_typed_answers() -> None:
    result = read(
        row("Safeguarding", kind="heading"),
        row(
            "Is any child at risk of significant harm?",
            "Y",
            Cell(lines=["N"], marks=[Mark("N", False), Mark("N", True)]),
        ),
    )
    assert result.record is not None
    assert result.record["safeguarding"]["significant_harm_concern"] is None  # ticks paired wrongly: unread
    assert result.confidence["safeguarding.significant_harm_concern"] < REVIEW_THRESHOLD


def test_signature_label_says_who_consented_but_not_whether() -> None:
    r = rec(
        row("Parent / carer agreement", kind="heading"),
        row("Signature of parent/carer", "S Clarke"),
        row("Print name", "Shanice Clarke"),
        row("Date", "02/10/2023"),
    )
    assert r["consent"]["given_by"] == "parent_carer"
    assert r["consent"]["information_sharing"] is True  # a completed signed block under the statement
    r = rec(row("Parent / carer agreement", kind="heading"), row("Signature of parent/carer", "S Clarke"))
    assert r["consent"]["information_sharing"] is None


def test_a_box_under_a_list_label_is_its_content_even_if_it_reads_like_a_heading() -> None:
    r = rec(row("I do not want my information shared with:", kind="heading"), row("Housing", table=9))
    assert r["consent"]["excluded_agencies"] == ["Housing"]


def test_x_typed_beside_options_in_a_printed_row_is_a_tick() -> None:
    r = rec(
        row("Level of need", kind="heading"),
        row("Early Help", "", "Child in Need", "X", "Child Protection", "", table=4),
    )
    assert r["level_of_need"] == {"tier": 3, "as_written": "Child in Need"}


def test_one_letter_answers_are_not_tick_boxes() -> None:
    r = rec(row("Child 1", kind="heading"), row("Name", "Amy", "Gender", "F", table=2))
    assert r["children"][0]["gender"] == "F"


def test_key_nouns_beat_a_loose_wording_and_numbering_does_not_hide_a_styled_heading() -> None:
    r = rec(
        row("STEP 7. VOICE OF THE CHILD", kind="heading"),
        row("Leo misses his dad.", kind="text"),
        row("STEP 8. PARENT'S VOICE", kind="heading"),
        row("Kerry feels alone.", kind="text"),
    )
    assert (r["child_views"], r["parent_views"]) == ("Leo misses his dad.", "Kerry feels alone.")


def test_success_looks_like_completes_its_outcome() -> None:
    r = rec(
        row("What do we want to change?", kind="heading"),
        row("• Leo sleeps better", kind="text"),
        row("Success looks like: Leo sleeps through most nights", kind="text"),
    )
    assert r["desired_outcomes"] == [
        {"outcome": "Leo sleeps better", "success_criteria": "Leo sleeps through most nights"}
    ]


def test_question_labels_with_values_that_name_a_column_are_pairs() -> None:
    r = rec(row("Named worker", kind="heading"), row("Your role?", "Named Worker", table=1),
            row("Which team / service are you from?", "Marton Family Support", table=1))
    assert (r["referrer"]["role"], r["referrer"]["agency"]) == ("Named Worker", "Marton Family Support")
    assert r["agencies_involved"] == []


def test_a_labelled_box_under_a_label_is_not_taken_as_its_answer() -> None:
    r = rec(
        row("Consent", kind="heading"),
        row("Consent to information being stored and shared: ticks unreadable", table=3),
        row("Consent given by: Parent carer Child / young person", table=4),
        row("Name", "Agnieszka Okafor", table=4),
        row("Date", "26/05/2024", table=4),
    )
    assert r["consent"]["name"] == "Agnieszka Okafor"


@pytest.mark.parametrize("heading", ["Child / young person", "Child details", "About the child"])
def test_an_unnumbered_child_heading_over_name_and_birth_date_rows_is_one_child(heading: str) -> None:
    r = rec(
        row("Family details", kind="heading"),
        row("Postcode", "E8 1AA"),
        row(heading, kind="heading"),
        row("Name", "Amy Stone"),
        row("Date of birth", "1/2/2015"),
    )
    assert [(c["full_name"], c["date_of_birth"]) for c in r["children"]] == [("Amy Stone", "2015-02-01")]
    assert r["family"]["postcode"] == "E8 1AA"


def test_an_unnumbered_child_block_after_a_children_table_is_the_next_child() -> None:
    r = rec(
        row("Child details", kind="heading"),
        row("Child's name", "Date of birth"),
        row("Amy Stone", "1/2/2015"),
        row("Child / young person"),
        row("Name", "Ben Stone"),
        row("Date of birth", "2/3/2017"),
    )
    assert [c["full_name"] for c in r["children"]] == ["Amy Stone", "Ben Stone"]


def test_ocr_corrected_postcode_and_upn_are_flagged_for_review() -> None:
    result = read(
        row("Family details", kind="heading"),
        row("Postcode", "E8 SFL"),
        row("Child details", kind="heading"),
        row("Name", "Amy Stone"),
        row("UPN", "7682318722269"),
    )
    assert result.record is not None
    assert result.record["family"]["postcode"] == "E8 5FL"
    assert result.record["children"][0]["upn"] == "T682318722269"
    assert result.confidence["family.postcode"] < REVIEW_THRESHOLD
    assert result.confidence["children[0].upn"] < REVIEW_THRESHOLD


def test_a_clean_postcode_keeps_full_confidence() -> None:
    result = read(row("Family details", kind="heading"), row("Postcode", "E8 5FL"))
    assert result.confidence["family.postcode"] == 1.0


def test_form_signals_count_the_core_sections_without_raising() -> None:
    assert form_signals(Layout(rows=[row("Annual report"), row("Income", "£3m")])) == 0
    assert form_signals(Layout(rows=[row("Safeguarding"), row("Consent")])) == 2
    assert form_signals(Layout(rows=[row(*r) for r in FRAME])) >= 4
