"""Generate held-out layout D: a made-up council's early help form unlike layouts A, B and C.

Run ``python tests/layouts/make_layout_d.py`` to rewrite ``layout_d.docx``,
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

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Pt
from docx.table import Table

HERE = Path(__file__).resolve().parent
DOCX, PDF, TRUTH = HERE / "layout_d.docx", HERE / "layout_d.pdf", HERE / "layout_d.truth.json"
ON, OFF = "\u2612", "\u2610"

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


def _rows(doc: Any, rows: list[tuple[str, str]], widths: tuple[float, float] = (6.0, 11.0)) -> Table:
    """A vertical list of label | value rows."""
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row, (label, value) in zip(table.rows, rows, strict=True):
        row.cells[0].width, row.cells[1].width = Cm(widths[0]), Cm(widths[1])
        row.cells[0].paragraphs[0].add_run(label)
        _shade(row.cells[0])
        row.cells[1].paragraphs[0].add_run(value)
    return table


def _ticks(options: list[tuple[str, bool]]) -> str:
    return "   ".join(f"{ON if on else OFF} {label}" for label, on in options)


def _heading(doc: Any, text: str) -> None:
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text.upper())
    run.bold = True
    run.font.size = Pt(12)


def build_docx(path: Path) -> None:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    section.header.paragraphs[0].add_run("OFFICIAL – SENSITIVE").bold = True
    section.footer.paragraphs[0].add_run("Eastmere Family Help Request – version 3.2 (fictional)")

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("Eastmere Borough Council\nRequest for Family Help")
    run.bold = True
    run.font.size = Pt(16)
    doc.add_paragraph("Please complete every part. Send to the Family Help Hub.")

    _heading(doc, "Part A – Assessor")
    _rows(doc, [("Assessor", "Olu Fashola"), ("Job title", "Pastoral Lead"),
                ("Organisation", "Eastmere Academy"), ("Contact number", "01632 960418"),
                ("Email address", "O.Fashola@eastmere-academy.example"),
                ("Date request completed", "4th June 2024")])

    _heading(doc, "Part B – Agreement to share information")
    doc.add_paragraph("We will only share what is needed to help your family, with the services "
                      "named on this form.")
    _rows(doc, [
        ("Does the family agree to information being shared with the services named?",
         _ticks([("Agreed", True), ("Not agreed", False)])),
        ("Does the family agree to be discussed at the Family Help Panel?",
         _ticks([("Yes", True), ("No", False)])),
        ("Who gave agreement", _ticks([("Parent or carer", True), ("Young person (13+)", False)])),
        ("Name of person agreeing", "Mariam Haddad"),
        ("Date agreed", "03.06.24"),
    ], widths=(9.0, 8.0))
    doc.add_paragraph().add_run("Services the family have asked us not to share with").bold = True
    for name in TRUTH_RECORD["consent"]["excluded_agencies"]:
        doc.add_paragraph(name, style="List Bullet")

    _heading(doc, "Part C – The household")
    _rows(doc, [("Where the family live", "29 Larkspur Close\nEastmere"), ("Post code", "em4 7ql"),
                ("Language spoken at home", "Arabic"),
                ("Does the family need an interpreter?", _ticks([("Yes", True), ("No", False)]))])
    doc.add_paragraph().add_run("Adults in the household").bold = True
    adults = doc.add_table(rows=3, cols=3)
    adults.style = "Table Grid"
    for cell, text in zip(adults.rows[0].cells, ("Adult's name", "Relationship to the children",
                                                  "Mobile"), strict=True):
        cell.paragraphs[0].add_run(text).bold = True
        _shade(cell)
    for row, values in zip(adults.rows[1:], (("Mariam Haddad", "Mother", "07700 900812"),
                                            ("Steven Brown", "Stepfather", "07700-900-377")), strict=True):
        for cell, text in zip(row.cells, values, strict=True):
            cell.paragraphs[0].add_run(text)

    _heading(doc, "Part D – Children in the household")
    children = [
        ("Child 1", [("Name", "Kai Haddad-Brown"), ("D.O.B.", "17/09/2010"), ("Sex", "Male"),
                     ("Nursery / school attended", "Eastmere Academy"), ("NHS no.", "612 039 4857"),
                     ("Unique pupil number", "E302118844019")]),
        ("Child 2", [("Name", "Lina Haddad-Brown"), ("D.O.B.", "8 Jan 2016"), ("Sex", "Female"),
                     ("Nursery / school attended", "Meadowgate Primary School"),
                     ("NHS no.", "7391045528"), ("Unique pupil number", "Not known")]),
        ("Child 3", [("Name", "Unborn baby of Mariam Haddad"), ("Due date", "12/10/2024")]),
    ]
    for heading, rows in children:
        doc.add_paragraph().add_run(heading).bold = True
        _rows(doc, rows)

    _heading(doc, "Part E – Worries")
    for item in TRUTH_RECORD["needs"]:
        doc.add_paragraph(item, style="List Bullet")
    _heading(doc, "Part F – Things that are going well")
    for number, item in enumerate(TRUTH_RECORD["strengths"], start=1):
        doc.add_paragraph(f"{number}. {item}")

    _heading(doc, "Part G – Changes the family want to achieve")
    for number, goal in enumerate(TRUTH_RECORD["desired_outcomes"], start=1):
        doc.add_paragraph(f"{number}. {goal['outcome']}")
        doc.add_paragraph(f"We'll know this has worked when: {goal['success_criteria']}")

    _heading(doc, "Part H – In their own words")
    doc.add_paragraph().add_run("Young person's own words").bold = True
    doc.add_paragraph(TRUTH_RECORD["child_views"])
    doc.add_paragraph().add_run("What the parents told us").bold = True
    doc.add_paragraph(TRUTH_RECORD["parent_views"])

    _heading(doc, "Part I – Other services supporting the family")
    services = doc.add_table(rows=4, cols=4)
    services.style = "Table Grid"
    for cell, text in zip(services.rows[0].cells, ("Service", "Worker's name", "Their role",
                                                    "Phone"), strict=True):
        cell.paragraphs[0].add_run(text).bold = True
        _shade(cell)
    for row, values in zip(services.rows[1:], (
            ("School Nursing", "Beth Carrow", "School Nurse", "01632 960100"),
            ("Young Carers Service", "", "Support Worker", "01632 960222"),
            ("Midwifery", "Jo Pennant", "Community Midwife", "01632 960333")), strict=True):
        for cell, text in zip(row.cells, values, strict=True):
            cell.paragraphs[0].add_run(text)

    _heading(doc, "Part J – Eastmere continuum of need")
    _rows(doc, [("Level of need agreed", "\n".join([
        f"{OFF} Level 1 – Universal", f"{OFF} Level 2 – Early help",
        f"{ON} Level 3 – Complex needs", f"{OFF} Level 4 – Specialist / statutory"]))], widths=(6.0, 11.0))

    _heading(doc, "Part K – Risk of harm")
    _rows(doc, [("Is there reason to think any child is at risk of significant harm?",
                 _ticks([("Yes", False), ("No", True)])),
                ("If yes, what action has been taken", "")], widths=(9.0, 8.0))

    _heading(doc, "Part L – Management oversight")
    _rows(doc, [("Reviewing manager", "Ruth Ellington"), ("Date reviewed", "7 June 2024")])
    doc.save(str(path))


def build_pdf(docx: Path, pdf: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        sys.exit("LibreOffice (soffice) is needed to print layout D to PDF")
    with tempfile.TemporaryDirectory() as work:
        profile = Path(work) / "profile"
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", work, str(docx)],
                       check=True, timeout=180, capture_output=True)
        shutil.copyfile(Path(work) / (docx.stem + ".pdf"), pdf)


def main() -> None:
    build_docx(DOCX)
    build_pdf(DOCX, PDF)
    TRUTH.write_text(json.dumps(TRUTH_RECORD, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for path in (DOCX, PDF, TRUTH):
        print(path.name)


if __name__ == "__main__":
    main()
