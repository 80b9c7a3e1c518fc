"""Generate held-out layout D: a made-up council's early help form unlike layouts A, B and C.

Run ``python -m tests.layouts.make_layout_d`` from the repository root to rewrite ``layout_d.docx``,
``layout_d.pdf`` (LibreOffice's print of the Word file) and ``layout_d.truth.json``.

Everything about the form is invented to test generalisation: other words for every
label ("Things that are going well", "Worries", "Changes the family want to achieve",
"Assessor", "Young person's own words", "Agreement to share information"), sections
in another order (practitioner and consent first, worries before strengths), children
as a vertical list of label/value rows per child, a four-column agencies table, and
outcomes as numbered paragraphs each followed by a "We'll know this has worked when:"
line. The family is fictional. The readers must not special-case this layout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm

from tests.layouts.builder import (
    OFF,
    ON,
    LayoutFiles,
    bold_line,
    heading,
    new_document,
    table,
    ticks,
    title,
    write_layout,
)

FILES = LayoutFiles("d")
DOCX, PDF, TRUTH = FILES.docx, FILES.pdf, FILES.truth

TRUTH_RECORD: dict[str, Any] = {
    "schema_version": "1",
    "form_type": "EHA",
    "assessment_date": "2024-06-04",
    "children": [
        {"full_name": "Kai Haddad-Brown", "date_of_birth": "2010-09-17", "expected_date_of_delivery": None,
         "gender": "Male", "school_or_setting": "Eastmere Academy", "nhs_number": "6120394857",
         "upn": "E302118844019"},
        {"full_name": "Lina Haddad-Brown", "date_of_birth": "2016-01-08", "expected_date_of_delivery": None,
         "gender": "Female", "school_or_setting": "Meadowgate Primary School", "nhs_number": "7391045528",
         "upn": None},
        {"full_name": "Unborn baby of Mariam Haddad", "date_of_birth": None,
         "expected_date_of_delivery": "2024-10-12", "gender": None, "school_or_setting": None,
         "nhs_number": None, "upn": None},
    ],
    "family": {
        "address": "29 Larkspur Close, Eastmere",
        "postcode": "EM4 7QL",
        "home_language": "Arabic",
        "interpreter_required": True,
        "parents_carers": [
            {"full_name": "Mariam Haddad", "relationship": "Mother", "phone": "07700900812"},
            {"full_name": "Steven Brown", "relationship": "Stepfather", "phone": "07700900377"},
        ],
    },
    "referrer": {"full_name": "Olu Fashola", "role": "Pastoral Lead", "agency": "Eastmere Academy",
                 "email": "o.fashola@eastmere-academy.example", "phone": "01632960418"},
    "agencies_involved": [
        {"agency": "School Nursing", "worker": "Beth Carrow", "role": "School Nurse"},
        {"agency": "Young Carers Service", "worker": None, "role": "Support Worker"},
        {"agency": "Midwifery", "worker": "Jo Pennant", "role": "Community Midwife"},
    ],
    "strengths": [
        "Kai is caring towards his sister and helps with the school run",
        "Mum is open with professionals and asks for help when she needs it",
        "Lina has settled well into Year 3 and has good friendships",
    ],
    "needs": [
        "Kai is missing school to look after mum during her pregnancy",
        "Mum has high blood pressure and has been told to rest",
        "The family are behind with the electricity bill",
        "Stepdad works nights and is not available in the mornings",
    ],
    "desired_outcomes": [
        {"outcome": "Kai is in school every day",
         "success_criteria": "Kai's attendance is above 95% for the next half term"},
        {"outcome": "Mum has practical help at home before the baby is born",
         "success_criteria": "A family support worker visits twice a week"},
        {"outcome": "The family's energy debt is under control",
         "success_criteria": "A repayment plan is agreed with the supplier"},
    ],
    "child_views": ("Kai said he worries about mum when he is at school and would like someone "
                    "to check on her."),
    "parent_views": "Mariam said she needs help in the mornings so Kai can go to school.",
    "level_of_need": {"tier": 3, "as_written": "Level 3 – Complex needs"},
    "safeguarding": {"significant_harm_concern": False, "details": None},
    "consent": {"information_sharing": True, "panel_discussion": True, "given_by": "parent_carer",
                "name": "Mariam Haddad", "date": "2024-06-03",
                "excluded_agencies": ["Eastmere Housing Association", "Fairview Dental Practice"]},
    "manager_signoff": {"full_name": "Ruth Ellington", "date": "2024-06-07"},
}


def _shade(cell: Any) -> None:
    cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:fill="DCE6F2"/>'))


def _rows(doc: Any, rows: list[tuple[str, str]], widths: tuple[float, float] = (6.0, 11.0)) -> None:
    """A vertical list of label | value rows."""
    grid = doc.add_table(rows=len(rows), cols=2)
    grid.style = "Table Grid"
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Cm(width)
    for row, (label, value) in zip(grid.rows, rows, strict=True):
        row.cells[0].width, row.cells[1].width = Cm(widths[0]), Cm(widths[1])
        row.cells[0].paragraphs[0].add_run(label)
        _shade(row.cells[0])
        row.cells[1].paragraphs[0].add_run(value)


def _shaded_header_table(doc: Any, rows: list[list[str]]) -> None:
    """A table whose bold header row is shaded like the label cells."""
    grid = table(doc, rows, bold_first_row=True)
    for cell in grid.rows[0].cells:
        _shade(cell)


def build_docx(path: Path) -> None:
    doc = new_document(font="Arial", margin_cm=2.0, header="OFFICIAL – SENSITIVE",
                       footer="Eastmere Family Help Request – version 3.2 (fictional)")
    title(doc, "Eastmere Borough Council\nRequest for Family Help")
    doc.add_paragraph("Please complete every part. Send to the Family Help Hub.")

    heading(doc, upper=True, text="Part A – Assessor")
    _rows(doc, [("Assessor", "Olu Fashola"), ("Job title", "Pastoral Lead"),
                ("Organisation", "Eastmere Academy"), ("Contact number", "01632 960418"),
                ("Email address", "O.Fashola@eastmere-academy.example"),
                ("Date request completed", "4th June 2024")])

    heading(doc, upper=True, text="Part B – Agreement to share information")
    doc.add_paragraph("We will only share what is needed to help your family, with the services "
                      "named on this form.")
    _rows(doc, [
        ("Does the family agree to information being shared with the services named?",
         ticks([("Agreed", True), ("Not agreed", False)])),
        ("Does the family agree to be discussed at the Family Help Panel?",
         ticks([("Yes", True), ("No", False)])),
        ("Who gave agreement", ticks([("Parent or carer", True), ("Young person (13+)", False)])),
        ("Name of person agreeing", "Mariam Haddad"),
        ("Date agreed", "03.06.24"),
    ], widths=(9.0, 8.0))
    bold_line(doc, "Services the family have asked us not to share with")
    for name in TRUTH_RECORD["consent"]["excluded_agencies"]:
        doc.add_paragraph(name, style="List Bullet")

    heading(doc, upper=True, text="Part C – The household")
    _rows(doc, [("Where the family live", "29 Larkspur Close\nEastmere"), ("Post code", "em4 7ql"),
                ("Language spoken at home", "Arabic"),
                ("Does the family need an interpreter?", ticks([("Yes", True), ("No", False)]))])
    bold_line(doc, "Adults in the household")
    _shaded_header_table(doc, [["Adult's name", "Relationship to the children", "Mobile"],
                               ["Mariam Haddad", "Mother", "07700 900812"],
                               ["Steven Brown", "Stepfather", "07700-900-377"]])

    heading(doc, upper=True, text="Part D – Children in the household")
    children = [
        ("Child 1", [("Name", "Kai Haddad-Brown"), ("D.O.B.", "17/09/2010"), ("Sex", "Male"),
                     ("Nursery / school attended", "Eastmere Academy"), ("NHS no.", "612 039 4857"),
                     ("Unique pupil number", "E302118844019")]),
        ("Child 2", [("Name", "Lina Haddad-Brown"), ("D.O.B.", "8 Jan 2016"), ("Sex", "Female"),
                     ("Nursery / school attended", "Meadowgate Primary School"),
                     ("NHS no.", "7391045528"), ("Unique pupil number", "Not known")]),
        ("Child 3", [("Name", "Unborn baby of Mariam Haddad"), ("Due date", "12/10/2024")]),
    ]
    for child_heading, rows in children:
        bold_line(doc, child_heading)
        _rows(doc, rows)

    heading(doc, upper=True, text="Part E – Worries")
    for item in TRUTH_RECORD["needs"]:
        doc.add_paragraph(item, style="List Bullet")
    heading(doc, upper=True, text="Part F – Things that are going well")
    for number, item in enumerate(TRUTH_RECORD["strengths"], start=1):
        doc.add_paragraph(f"{number}. {item}")

    heading(doc, upper=True, text="Part G – Changes the family want to achieve")
    for number, goal in enumerate(TRUTH_RECORD["desired_outcomes"], start=1):
        doc.add_paragraph(f"{number}. {goal['outcome']}")
        doc.add_paragraph(f"We'll know this has worked when: {goal['success_criteria']}")

    heading(doc, upper=True, text="Part H – In their own words")
    bold_line(doc, "Young person's own words")
    doc.add_paragraph(TRUTH_RECORD["child_views"])
    bold_line(doc, "What the parents told us")
    doc.add_paragraph(TRUTH_RECORD["parent_views"])

    heading(doc, upper=True, text="Part I – Other services supporting the family")
    _shaded_header_table(doc, [["Service", "Worker's name", "Their role", "Phone"],
                               ["School Nursing", "Beth Carrow", "School Nurse", "01632 960100"],
                               ["Young Carers Service", "", "Support Worker", "01632 960222"],
                               ["Midwifery", "Jo Pennant", "Community Midwife", "01632 960333"]])

    heading(doc, upper=True, text="Part J – Eastmere continuum of need")
    _rows(doc, [("Level of need agreed", "\n".join([
        f"{OFF} Level 1 – Universal", f"{OFF} Level 2 – Early help",
        f"{ON} Level 3 – Complex needs", f"{OFF} Level 4 – Specialist / statutory"]))], widths=(6.0, 11.0))

    heading(doc, upper=True, text="Part K – Risk of harm")
    _rows(doc, [("Is there reason to think any child is at risk of significant harm?",
                 ticks([("Yes", False), ("No", True)])),
                ("If yes, what action has been taken", "")], widths=(9.0, 8.0))

    heading(doc, upper=True, text="Part L – Management oversight")
    _rows(doc, [("Reviewing manager", "Ruth Ellington"), ("Date reviewed", "7 June 2024")])
    doc.save(str(path))


def main() -> None:
    write_layout(FILES, build_docx, TRUTH_RECORD)


if __name__ == "__main__":
    main()
