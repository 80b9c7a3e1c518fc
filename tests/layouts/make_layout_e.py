"""Generate held-out layout E: a panel request form in the style of an area family support panel.

Run ``python -m tests.layouts.make_layout_e`` from the repository root to rewrite ``layout_e.docx``,
``layout_e.pdf`` (LibreOffice's print of the Word file) and ``layout_e.truth.json``.

Layout E was written as a blind check, before the reader was generalised for layout D,
and is modelled on how area family support panels (Luton's AFSP, Wolverhampton's MAST)
word their forms rather than on any dev layout: a "Request for Area Family Support
Panel" with a "Family composition" table using first name + surname columns, a
"D.O.B. / EDD" column and an unborn row; referrer details as label | value | label |
value rows; a "Reason for request" box the record does not keep; a three-column
"What is going well? | What are we worried about? | What needs to happen?" table;
views as bold labels over one-cell boxes ("Voice of the child", "What mum and dad say");
yes/no answers typed as text ("Y", "No"); tiers as "Universal / Targeted /
Statutory-Specialist" tick boxes; consent as a signature box (no tick box) under an
agreement statement; a team leader sign-off. The family is fictional. The readers must
not special-case this layout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.layouts.builder import (
    OFF,
    ON,
    LayoutFiles,
    bold_line,
    box,
    heading,
    new_document,
    table,
    title,
    write_layout,
)

FILES = LayoutFiles("e")
DOCX, PDF, TRUTH = FILES.docx, FILES.pdf, FILES.truth

TRUTH_RECORD: dict[str, Any] = {
    "schema_version": "1",
    "form_type": "EHA",
    "assessment_date": "2024-03-03",
    "children": [
        {"full_name": "Tyler Okafor-Wells", "date_of_birth": "2012-11-21", "expected_date_of_delivery": None,
         "gender": "Male", "school_or_setting": "Brookfield High School", "nhs_number": "4857201936",
         "upn": None},
        {"full_name": "Ava Okafor-Wells", "date_of_birth": "2019-05-02", "expected_date_of_delivery": None,
         "gender": "Female", "school_or_setting": "Little Acorns Nursery", "nhs_number": None,
         "upn": None},
        {"full_name": "Unborn", "date_of_birth": None, "expected_date_of_delivery": "2024-07-30",
         "gender": None, "school_or_setting": None, "nhs_number": None, "upn": None},
    ],
    "family": {
        "address": "7 Weaver Street, Harrowfield",
        "postcode": "HF3 2LN",
        "home_language": "English",
        "interpreter_required": False,
        "parents_carers": [
            {"full_name": "Dawn Wells", "relationship": "Mother", "phone": "07700900154"},
            {"full_name": "Chidi Okafor", "relationship": "Father", "phone": None},
        ],
    },
    "referrer": {"full_name": "Priya Natarajan", "role": "Health Visitor",
                 "agency": "Harrowfield Community Health", "email": "priya.natarajan@hch.example",
                 "phone": "01632960777"},
    "agencies_involved": [
        {"agency": "Brookfield High School", "worker": "Sam Idowu", "role": "Head of Year 7"},
        {"agency": "Harrowfield Community Health", "worker": "Priya Natarajan", "role": "Health Visitor"},
    ],
    "strengths": [
        "Dawn is a warm and loving mum",
        "Tyler has a good relationship with his grandmother",
        "Ava attends nursery regularly",
    ],
    "needs": [
        "Tyler has been excluded twice this term",
        "Dawn is feeling low and isolated",
        "The flat is overcrowded",
    ],
    "desired_outcomes": [
        {"outcome": "Tyler stays in school with a support plan", "success_criteria": None},
        {"outcome": "Dawn is linked to a perinatal mental health service", "success_criteria": None},
        {"outcome": "The family apply for a housing transfer", "success_criteria": None},
    ],
    "child_views": ("Tyler says he gets angry at school when other boys wind him up and he wants to stay "
                    "at Brookfield."),
    "parent_views": "Dawn says she is tired and wants help with Tyler before the baby arrives.",
    "level_of_need": {"tier": 2, "as_written": "Targeted"},
    "safeguarding": {"significant_harm_concern": False, "details": None},
    "consent": {"information_sharing": True, "panel_discussion": True, "given_by": "parent_carer",
                "name": "Dawn Wells", "date": "2024-03-03", "excluded_agencies": []},
    "manager_signoff": {"full_name": "Grace Adeyemi", "date": "2024-03-05"},
}


def build_docx(path: Path) -> None:
    doc = new_document(margin_cm=1.8, footer="Harrowfield AFSP request form (fictional) – page 1")
    title(doc, "Harrowfield Children's Services\nRequest for Area Family Support Panel", size=15)
    doc.add_paragraph("Families must not be referred to the panel without being informed and giving "
                      "their agreement. Return this form to the panel co-ordinator.")

    heading(doc, size=13, text="1. Referrer details")
    table(doc, [
        ["Referred by", "Priya Natarajan", "Designation", "Health Visitor"],
        ["Agency / Team", "Harrowfield Community Health", "Tel", "01632 960777"],
        ["E-mail", "Priya.Natarajan@hch.example", "Date of referral", "3rd of March 2024"],
    ], bold_columns=(0, 2))

    heading(doc, size=13, text="2. Family composition")
    table(doc, [
        ["First name", "Surname", "D.O.B. / EDD", "M/F", "School / Nursery", "NHS number"],
        ["Tyler", "Okafor-Wells", "21/11/2012", "Male", "Brookfield High School", "485 720 1936"],
        ["Ava", "Okafor-Wells", "2nd May 2019", "Female", "Little Acorns Nursery", ""],
        ["Unborn", "", "EDD 30/07/2024", "", "", ""],
    ], bold_first_row=True)
    bold_line(doc, "Parents / carers with parental responsibility")
    table(doc, [
        ["Name", "Relationship to child", "Telephone"],
        ["Dawn Wells", "Mother", "07700 900154"],
        ["Chidi Okafor", "Father", "N/A"],
    ], bold_first_row=True)
    table(doc, [
        ["Home address", "7 Weaver Street\nHarrowfield", "Postcode", "hf3 2ln"],
        ["First language", "English", "Interpreter needed?", "N"],
    ], bold_columns=(0, 2))

    heading(doc, size=13, text="3. Reason for request")
    table(doc, [["Tyler's behaviour at school has deteriorated since the autumn and mum is "
                  "expecting a baby in the summer."]])

    heading(doc, size=13, text="4. Assessment summary")
    table(doc, [
        ["What is going well?", "What are we worried about?", "What needs to happen?"],
        ["\n".join(TRUTH_RECORD["strengths"]), "\n".join(TRUTH_RECORD["needs"]),
         "\n".join(goal["outcome"] for goal in TRUTH_RECORD["desired_outcomes"])],
    ], bold_first_row=True)

    heading(doc, size=13, text="5. Voice of the child and family")
    box(doc, "What the child says", TRUTH_RECORD["child_views"])
    box(doc, "What mum and dad say", TRUTH_RECORD["parent_views"])

    heading(doc, size=13, text="6. Agencies currently involved")
    table(doc, [
        ["Organisation", "Contact name", "Role", "Telephone"],
        ["Brookfield High School", "Sam Idowu", "Head of Year 7", "01632 960555"],
        ["Harrowfield Community Health", "Priya Natarajan", "Health Visitor", "01632 960777"],
    ], bold_first_row=True)

    heading(doc, size=13, text="7. Level of need")
    table(doc, [["Level of need:", f"{OFF} Universal   {ON} Targeted   {OFF} Statutory-Specialist"]],
           bold_columns=(0,))

    heading(doc, size=13, text="8. Safeguarding")
    table(doc, [["Are there any child protection concerns?", "No"],
                 ["If so, give details", ""]], bold_columns=(0,))

    heading(doc, size=13, text="9. Agreement to share information")
    doc.add_paragraph("I agree to information about my family being shared with the members of the "
                      "Area Family Support Panel so that they can offer support.")
    table(doc, [
        ["Permission for the family to be discussed at panel?", "Yes"],
        ["Agreement given by", "Parent/carer"],
        ["Signed", "D Wells"],
        ["Print name", "Dawn Wells"],
        ["Date", "03/03/2024"],
        ["Agencies the family do not want information shared with", "None"],
    ], bold_columns=(0,))

    heading(doc, size=13, text="10. Team leader authorisation")
    table(doc, [["Team leader", "Grace Adeyemi", "Date", "5/3/2024"]], bold_columns=(0, 2))
    doc.save(str(path))


def main() -> None:
    write_layout(FILES, build_docx, TRUTH_RECORD)


if __name__ == "__main__":
    main()
