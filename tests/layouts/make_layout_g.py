"""Generate held-out layout G: a MAST-style Common Assessment Framework with labels above boxes.

Run ``python -m tests.layouts.make_layout_g`` from the repository root to rewrite
``layout_g.docx``, ``layout_g.pdf`` (LibreOffice's print of the Word file) and
``layout_g.truth.json``.

Modelled on multi-agency support team CAF forms: each label is a bold line over a
one-cell box, the practitioner is a "Key worker", children are forename + surname
columns with a UPN, the family address appears both in the parents table and in its
own box, outcomes are "1)" numbered lines, tiers and the harm question are tick marks
(including a heavy check mark), there is no manager sign-off and consent is a
signature under a statement with an exclusions box. The family is fictional. The
readers must not special-case this layout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.layouts.builder import LayoutFiles, box, heading, new_document, table, write_layout

FILES = LayoutFiles("g")
DOCX, PDF, TRUTH = FILES.docx, FILES.pdf, FILES.truth

TRUTH_RECORD: dict[str, Any] = {
    "schema_version": "1",
    "form_type": "CAF",
    "assessment_date": "2023-10-02",
    "children": [
        {"full_name": "Jayden Clarke", "date_of_birth": "2011-02-14", "expected_date_of_delivery": None,
         "gender": "M", "school_or_setting": "Parkfields Academy", "nhs_number": None,
         "upn": "H830123456789"},
        {"full_name": "Mia Clarke", "date_of_birth": "2017-08-30", "expected_date_of_delivery": None,
         "gender": "F", "school_or_setting": "St Luke's C of E Primary", "nhs_number": None, "upn": None},
    ],
    "family": {
        "address": "22 Coppice Road, Bilston",
        "postcode": "WV14 6AB",
        "home_language": "English",
        "interpreter_required": False,
        "parents_carers": [{"full_name": "Shanice Clarke", "relationship": "Mother", "phone": "07700900321"}],
    },
    "referrer": {"full_name": "Tom Bradley", "role": "Key Worker", "agency": "Bilston MAST",
                 "email": "tom.bradley@wolv.example", "phone": "01902555123"},
    "agencies_involved": [{"agency": "CAMHS", "worker": "Dr Leah Fox", "role": "Clinical Psychologist"}],
    "strengths": ["Mum attends every meeting", "Jayden is a talented footballer", "Mia has lots of friends"],
    "needs": ["Jayden is refusing to go to school", "Mum is struggling with her own mental health"],
    "desired_outcomes": [{"outcome": "Jayden attends school full time", "success_criteria": None},
                         {"outcome": "Mum gets support from her GP", "success_criteria": None}],
    "child_views": "Jayden says school is boring and he would rather play football.",
    "parent_views": "Shanice says she wants Jayden back in school and needs someone to talk to.",
    "level_of_need": {"tier": 2, "as_written": "Targeted"},
    "safeguarding": {"significant_harm_concern": False, "details": None},
    "consent": {"information_sharing": True, "panel_discussion": None, "given_by": "parent_carer",
                "name": "Shanice Clarke", "date": "2023-10-02", "excluded_agencies": ["Housing"]},
    "manager_signoff": {"full_name": None, "date": None},
}


def build_docx(path: Path) -> None:
    doc = new_document()
    heading(doc, "Wolvershire Common Assessment Framework (CAF)", size=14)
    heading(doc, "Key worker", size=14)
    for label, value in (("Key worker's name:", "Tom Bradley"), ("Job title:", "Key Worker"),
                         ("Service:", "Bilston MAST"), ("Telephone:", "01902 555123"),
                         ("Email:", "tom.bradley@wolv.example"), ("Date CAF started:", "2nd October 2023")):
        box(doc, label, value)
    heading(doc, "Children and young people", size=14)
    table(doc, [["Forename", "Surname", "D.O.B.", "Gender", "School / setting", "UPN"],
                ["Jayden", "Clarke", "14.02.11", "M", "Parkfields Academy", "H830123456789"],
                ["Mia", "Clarke", "30.08.17", "F", "St Luke's C of E Primary", ""]])
    heading(doc, "Parent / carer details", size=14)
    table(doc, [["Name", "Relationship", "Phone", "Address"],
                ["Shanice Clarke", "Mother", "07700 900321", "22 Coppice Road, Bilston"]])
    for label, value in (("Family home address:", "22 Coppice Road\nBilston"), ("Postcode:", "WV14 6AB"),
                         ("First language:", "English"), ("Is an interpreter required?", "No")):
        box(doc, label, value)
    heading(doc, "Assessment summary", size=14)
    box(doc, "Strengths", "\n".join(TRUTH_RECORD["strengths"]))
    box(doc, "Needs", "\n".join(TRUTH_RECORD["needs"]))
    heading(doc, "Child's wishes and feelings", size=14)
    table(doc, [[TRUTH_RECORD["child_views"]]])
    heading(doc, "Parent / carer's views", size=14)
    table(doc, [[TRUTH_RECORD["parent_views"]]])
    heading(doc, "Action plan – outcomes", size=14)
    for number, goal in enumerate(TRUTH_RECORD["desired_outcomes"], start=1):
        doc.add_paragraph(f"{number}) {goal['outcome']}")
    heading(doc, "Other practitioners involved", size=14)
    table(doc, [["Agency", "Practitioner", "Role", "Contact"],
                ["CAMHS", "Dr Leah Fox", "Clinical Psychologist", "01902 555999"]])
    heading(doc, "Level of need", size=14)
    doc.add_paragraph("\u2610 Universal    \u2714 Targeted    \u2610 Statutory / Specialist")
    heading(doc, "Safeguarding", size=14)
    table(doc, [["Do you think the child is suffering or at risk of suffering significant harm?",
                 "Y \u2610   N \u2611"]])
    heading(doc, "Parent / carer agreement", size=14)
    doc.add_paragraph("I understand the information recorded on this form and that it will be shared "
                      "with the practitioners named.")
    table(doc, [["Signature of parent/carer", "S Clarke"], ["Print name", "Shanice Clarke"],
                ["Date", "02/10/2023"]])
    box(doc, "I do not want my information shared with:", "Housing")
    doc.save(str(path))


def main() -> None:
    write_layout(FILES, build_docx, TRUTH_RECORD)


if __name__ == "__main__":
    main()
