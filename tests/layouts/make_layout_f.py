"""Generate held-out layout F: a Calderdale-style Early Help Assessment and plan.

Run ``python -m tests.layouts.make_layout_f`` from the repository root to rewrite
``layout_f.docx``, ``layout_f.pdf`` (LibreOffice's print of the Word file) and
``layout_f.truth.json``.

Modelled on local-authority EHA-and-plan forms: Word heading styles for numbered
sections, a children table whose date column also carries the due date, the family
address as "Label: value" lines inside one cell, strengths and needs as square-bullet
lists under bold labels, a plan table (outcome | how we'll know | who | by when),
professionals listed name-first, the threshold typed as text, "Y/N" answers and consent
as ticked statements. The family is fictional. The readers must not special-case this layout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.layouts.builder import LayoutFiles, bold_line, new_document, table, write_layout

FILES = LayoutFiles("f")
DOCX, PDF, TRUTH = FILES.docx, FILES.pdf, FILES.truth
TICKED, UNTICKED = "\u2611", "\u2610"
BULLET = "\u25aa"

TRUTH_RECORD: dict[str, Any] = {
    "schema_version": "1",
    "form_type": "EHA",
    "assessment_date": "2025-01-12",
    "children": [
        {"full_name": "Zofia Nowak", "date_of_birth": "2014-04-09", "expected_date_of_delivery": None,
         "gender": "Girl", "school_or_setting": "Todley Junior School", "nhs_number": "9434765919",
         "upn": None},
        {"full_name": "Unborn baby", "date_of_birth": None, "expected_date_of_delivery": "2025-05-20",
         "gender": None, "school_or_setting": None, "nhs_number": None, "upn": None},
    ],
    "family": {
        "address": "4 Mill Lane, Todley",
        "postcode": "TD1 4RR",
        "home_language": "Polish",
        "interpreter_required": True,
        "parents_carers": [
            {"full_name": "Agata Nowak", "relationship": "Mum", "phone": "07700900999"},
            {"full_name": "Piotr Nowak", "relationship": "Dad", "phone": "07700900998"},
        ],
    },
    "referrer": {"full_name": "Helen Marsh", "role": "Family Support Worker", "agency": "Todley Family Hub",
                 "email": "helen.marsh@todley.example", "phone": "01632960001"},
    "agencies_involved": [
        {"agency": "Todley Junior School", "worker": "Mr Ian Black", "role": "SENCo"},
        {"agency": "Midwifery Service", "worker": "Rosa King", "role": "Midwife"},
    ],
    "strengths": ["Zofia loves reading and is doing well in English",
                  "Both parents want the best for Zofia"],
    "needs": ["Dad has lost his job and money is tight", "Zofia is anxious about the new baby",
              "Mum speaks little English and finds appointments hard"],
    "desired_outcomes": [
        {"outcome": "The family can pay their bills each month",
         "success_criteria": "No missed rent payments for three months"},
        {"outcome": "Zofia feels less anxious",
         "success_criteria": "Zofia tells her teacher she feels calmer"},
    ],
    "child_views": "Zofia said she is excited about the baby but scared mum will be too busy for her.",
    "parent_views": "Agata and Piotr said they want help with money and with speaking to the school.",
    "level_of_need": {"tier": 2, "as_written": "Early Help"},
    "safeguarding": {"significant_harm_concern": False, "details": None},
    "consent": {"information_sharing": True, "panel_discussion": True, "given_by": None,
                "name": "Agata Nowak", "date": "2025-01-10", "excluded_agencies": []},
    "manager_signoff": {"full_name": "David Orme", "date": "2025-01-14"},
}


def build_docx(path: Path) -> None:
    doc = new_document()
    doc.add_heading("Early Help Assessment and Plan", level=1)
    doc.add_heading("Section 1 – About the child(ren)", level=2)
    table(doc, [["Child's full name", "Date of birth (or due date)", "Boy/Girl", "School, college or nursery",
                 "NHS No."],
                ["Zofia Nowak", "09/04/2014", "Girl", "Todley Junior School", "943 476 5919"],
                ["Unborn baby", "Due 20/05/2025", "", "", ""]], bold_first_row=True)
    doc.add_heading("Section 2 – Parents and carers", level=2)
    table(doc, [["Full name", "Relationship to child(ren)", "Contact tel."],
                ["Agata Nowak", "Mum", "07700 900999"], ["Piotr Nowak", "Dad", "07700 900998"]],
          bold_first_row=True)
    table(doc, [["Address: 4 Mill Lane, Todley\nPostcode: TD1 4RR\nMain language: Polish\nInterpreter: Yes"]])
    doc.add_heading("Section 3 – Practitioner completing this assessment", level=2)
    table(doc, [["Name", "Helen Marsh", "Agency", "Todley Family Hub"],
                ["Job role", "Family Support Worker", "Telephone", "01632 960001"],
                ["Email", "helen.marsh@todley.example", "Date of assessment", "12.01.25"]])
    doc.add_heading("Section 4 – What's happening for the family", level=2)
    bold_line(doc, "Strengths / what's going well:")
    for item in TRUTH_RECORD["strengths"]:
        doc.add_paragraph(f"{BULLET} {item}")
    bold_line(doc, "Needs / what we're worried about:")
    for item in TRUTH_RECORD["needs"]:
        doc.add_paragraph(f"{BULLET} {item}")
    doc.add_heading("Section 5 – The plan", level=2)
    table(doc, [["Outcome we want", "How we'll know", "Who", "By when"]]
          + [[goal["outcome"], goal["success_criteria"], "HM", "April"]
             for goal in TRUTH_RECORD["desired_outcomes"]], bold_first_row=True)
    doc.add_heading("Section 6 – Wishes and feelings", level=2)
    bold_line(doc, "Child's wishes and feelings")
    doc.add_paragraph(TRUTH_RECORD["child_views"])
    bold_line(doc, "Parent/carer's wishes and feelings")
    doc.add_paragraph(TRUTH_RECORD["parent_views"])
    doc.add_heading("Section 7 – Professionals working with the family", level=2)
    table(doc, [["Name", "Agency", "Job title", "Email"],
                ["Mr Ian Black", "Todley Junior School", "SENCo", "ib@tjs.example"],
                ["Rosa King", "Midwifery Service", "Midwife", "rk@nhs.example"]], bold_first_row=True)
    doc.add_heading("Section 8 – Threshold", level=2)
    table(doc, [["Level of need (Early Help / Child in Need / Child Protection)", "Early Help"]])
    doc.add_heading("Section 9 – Safeguarding", level=2)
    table(doc, [["Do you have any concerns that a child is at risk of significant harm? Y/N", "N"]])
    doc.add_heading("Section 10 – Consent", level=2)
    doc.add_paragraph(f"{TICKED} I consent to this information being shared with the agencies named "
                      "in this plan")
    doc.add_paragraph(f"{UNTICKED} I do not consent")
    table(doc, [["Consent to discuss at Early Help panel", f"{TICKED} Yes  {UNTICKED} No"],
                ["Name", "Agata Nowak"], ["Date", "10/01/2025"]])
    doc.add_heading("Section 11 – Manager", level=2)
    table(doc, [["Supervisor's name", "David Orme", "Date", "14 January 2025"]])
    doc.save(str(path))


def main() -> None:
    write_layout(FILES, build_docx, TRUTH_RECORD)


if __name__ == "__main__":
    main()
