"""Generate held-out layout H: an early help referral with one column per child and typed X marks.

Run ``python -m tests.layouts.make_layout_h`` from the repository root to rewrite
``layout_h.docx``, ``layout_h.pdf`` (LibreOffice's print of the Word file) and
``layout_h.truth.json``.

Modelled on question-style referral forms: labels written as questions ("Your name?",
"Which team / service are you from?"), children as one column each under "Child 1 |
Child 2" with the labels down the first column, strengths and worries as Word bullet
and numbered lists, outcomes each followed by a "Success looks like:" line, the level
of need as a row of options with an "X" typed in the chosen cell, and yes/no answers
typed as words. The family is fictional. The readers must not special-case this layout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.layouts.builder import LayoutFiles, heading, new_document, table, write_layout

FILES = LayoutFiles("h")
DOCX, PDF, TRUTH = FILES.docx, FILES.pdf, FILES.truth

TRUTH_RECORD: dict[str, Any] = {
    "schema_version": "1",
    "form_type": "EHA",
    "assessment_date": "2024-03-03",
    "children": [
        {"full_name": "Leo Grant", "date_of_birth": "2015-06-01", "expected_date_of_delivery": None,
         "gender": "Male", "school_or_setting": "Oakfield Primary", "nhs_number": "4010232137", "upn": None},
        {"full_name": "Baby Grant (unborn)", "date_of_birth": None, "expected_date_of_delivery": "2024-08-15",
         "gender": None, "school_or_setting": None, "nhs_number": None, "upn": None},
    ],
    "family": {
        "address": "Flat 3, 9 Canal Street, Marton",
        "postcode": "MT2 8PQ",
        "home_language": "English",
        "interpreter_required": False,
        "parents_carers": [{"full_name": "Kerry Grant", "relationship": "Mother", "phone": "07700900456"}],
    },
    "referrer": {"full_name": "Amir Shah", "role": "Named Worker", "agency": "Marton Family Support",
                 "email": "amir.shah@marton.example", "phone": "01632960999"},
    "agencies_involved": [{"agency": "Oakfield Primary", "worker": "Mrs J Pike", "role": "Class teacher"},
                          {"agency": "Health Visiting", "worker": None, "role": "Health Visitor"}],
    "strengths": ["Kerry keeps a clean and safe home", "Leo is polite and kind"],
    "needs": ["Leo has nightmares since dad left", "Kerry has no family support nearby",
              "Money is very tight"],
    "desired_outcomes": [
        {"outcome": "Leo sleeps better", "success_criteria": "Leo sleeps through most nights"},
        {"outcome": "Kerry has a support network", "success_criteria": "Kerry attends a weekly group"},
    ],
    "child_views": "Leo says he misses his dad and wants to see him at weekends.",
    "parent_views": "Kerry says she is managing but feels alone.",
    "level_of_need": {"tier": 3, "as_written": "Child in Need"},
    "safeguarding": {"significant_harm_concern": False, "details": None},
    "consent": {"information_sharing": True, "panel_discussion": False, "given_by": "parent_carer",
                "name": "Kerry Grant", "date": "2024-03-03", "excluded_agencies": []},
    "manager_signoff": {"full_name": "Sue Oduya", "date": "2024-03-06"},
}


def build_docx(path: Path) -> None:
    doc = new_document()
    heading(doc, "Marton Council – Early Help Referral", upper=True)
    heading(doc, "Step 1. Named worker", upper=True)
    table(doc, [["Your name?", "Amir Shah"], ["Your role?", "Named Worker"],
                ["Which team / service are you from?", "Marton Family Support"],
                ["Phone number?", "01632 960999"], ["Email address?", "amir.shah@marton.example"],
                ["Date of referral?", "3rd of March 2024"]], bold_columns=(0,))
    heading(doc, "Step 2. Children", upper=True)
    table(doc, [["", "Child 1", "Child 2"], ["Full name", "Leo Grant", "Baby Grant (unborn)"],
                ["Date of birth / EDD", "01/06/2015", "EDD 15/08/2024"], ["Gender", "Male", ""],
                ["School / nursery", "Oakfield Primary", ""], ["NHS number", "401 023 2137", ""]],
          bold_columns=(0,))
    heading(doc, "Step 3. Family", upper=True)
    table(doc, [["Address", "Flat 3\n9 Canal Street\nMarton"], ["Postcode", "MT2 8PQ"],
                ["Language", "English"], ["Interpreter?", "No"]], bold_columns=(0,))
    table(doc, [["Parent / carer name", "Relationship", "Mobile"], ["Kerry Grant", "Mother", "07700 900456"]])
    heading(doc, "Step 4. What is working well?", upper=True)
    for item in TRUTH_RECORD["strengths"]:
        doc.add_paragraph(item, style="List Bullet")
    heading(doc, "Step 5. What are the worries?", upper=True)
    for item in TRUTH_RECORD["needs"]:
        doc.add_paragraph(item, style="List Number")
    heading(doc, "Step 6. What do we want to change?", upper=True)
    for goal in TRUTH_RECORD["desired_outcomes"]:
        doc.add_paragraph(goal["outcome"], style="List Bullet")
        doc.add_paragraph("Success looks like: " + goal["success_criteria"])
    heading(doc, "Step 7. Voice of the child", upper=True)
    doc.add_paragraph(TRUTH_RECORD["child_views"])
    heading(doc, "Step 8. Parent's voice", upper=True)
    doc.add_paragraph(TRUTH_RECORD["parent_views"])
    heading(doc, "Step 9. Who else is involved?", upper=True)
    table(doc, [["Organisation", "Contact", "Job title"], ["Oakfield Primary", "Mrs J Pike", "Class teacher"],
                ["Health Visiting", "Not known", "Health Visitor"]])
    heading(doc, "Step 10. Level of need", upper=True)
    table(doc, [["Early Help", "", "Child in Need", "X", "Child Protection", ""]])
    heading(doc, "Step 11. Safeguarding", upper=True)
    table(doc, [["Is there a risk of significant harm?", "No"]], bold_columns=(0,))
    heading(doc, "Step 12. Permission", upper=True)
    table(doc, [["Has the family given permission to share information?", "Yes"],
                ["Can the family be discussed at panel?", "No"], ["Who gave permission?", "Parent/carer"],
                ["Name", "Kerry Grant"], ["Date", "03/03/2024"]], bold_columns=(0,))
    heading(doc, "Step 13. Supervisor", upper=True)
    table(doc, [["Supervisor", "Sue Oduya"], ["Date", "6 March 2024"]], bold_columns=(0,))
    doc.save(str(path))


def main() -> None:
    write_layout(FILES, build_docx, TRUTH_RECORD)


if __name__ == "__main__":
    main()
