"""Generate held-out layout E: a panel request form in the style of an area family support panel.

Run ``python tests/layouts/make_layout_e.py`` to rewrite ``layout_e.docx``,
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

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
DOCX, PDF, TRUTH = HERE / "layout_e.docx", HERE / "layout_e.pdf", HERE / "layout_e.truth.json"
ON, OFF = "\u2612", "\u2610"

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


def _table(doc: Any, rows: list[list[str]], bold_first_row: bool = False,
           bold_columns: tuple[int, ...] = ()) -> Any:
    """A ruled table; each value line becomes its own paragraph."""
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, (row, values) in enumerate(zip(table.rows, rows, strict=True)):
        for c, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            lines = text.split("\n")
            cell.paragraphs[0].add_run(lines[0]).bold = (bold_first_row and r == 0) or c in bold_columns
            for line in lines[1:]:
                cell.add_paragraph(line)
    return table


def _heading(doc: Any, text: str) -> None:
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(13)


def _box(doc: Any, label: str, text: str) -> None:
    """A bold label over a one-cell free-text box."""
    doc.add_paragraph().add_run(label).bold = True
    _table(doc, [[text]])


def build_docx(path: Path) -> None:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    section.footer.paragraphs[0].add_run("Harrowfield AFSP request form (fictional) – page 1")

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("Harrowfield Children's Services\nRequest for Area Family Support Panel")
    run.bold = True
    run.font.size = Pt(15)
    doc.add_paragraph("Families must not be referred to the panel without being informed and giving "
                      "their agreement. Return this form to the panel co-ordinator.")

    _heading(doc, "1. Referrer details")
    _table(doc, [
        ["Referred by", "Priya Natarajan", "Designation", "Health Visitor"],
        ["Agency / Team", "Harrowfield Community Health", "Tel", "01632 960777"],
        ["E-mail", "Priya.Natarajan@hch.example", "Date of referral", "3rd of March 2024"],
    ], bold_columns=(0, 2))

    _heading(doc, "2. Family composition")
    _table(doc, [
        ["First name", "Surname", "D.O.B. / EDD", "M/F", "School / Nursery", "NHS number"],
        ["Tyler", "Okafor-Wells", "21/11/2012", "Male", "Brookfield High School", "485 720 1936"],
        ["Ava", "Okafor-Wells", "2nd May 2019", "Female", "Little Acorns Nursery", ""],
        ["Unborn", "", "EDD 30/07/2024", "", "", ""],
    ], bold_first_row=True)
    doc.add_paragraph().add_run("Parents / carers with parental responsibility").bold = True
    _table(doc, [
        ["Name", "Relationship to child", "Telephone"],
        ["Dawn Wells", "Mother", "07700 900154"],
        ["Chidi Okafor", "Father", "N/A"],
    ], bold_first_row=True)
    _table(doc, [
        ["Home address", "7 Weaver Street\nHarrowfield", "Postcode", "hf3 2ln"],
        ["First language", "English", "Interpreter needed?", "N"],
    ], bold_columns=(0, 2))

    _heading(doc, "3. Reason for request")
    _table(doc, [["Tyler's behaviour at school has deteriorated since the autumn and mum is "
                  "expecting a baby in the summer."]])

    _heading(doc, "4. Assessment summary")
    _table(doc, [
        ["What is going well?", "What are we worried about?", "What needs to happen?"],
        ["\n".join(TRUTH_RECORD["strengths"]), "\n".join(TRUTH_RECORD["needs"]),
         "\n".join(goal["outcome"] for goal in TRUTH_RECORD["desired_outcomes"])],
    ], bold_first_row=True)

    _heading(doc, "5. Voice of the child and family")
    _box(doc, "What the child says", TRUTH_RECORD["child_views"])
    _box(doc, "What mum and dad say", TRUTH_RECORD["parent_views"])

    _heading(doc, "6. Agencies currently involved")
    _table(doc, [
        ["Organisation", "Contact name", "Role", "Telephone"],
        ["Brookfield High School", "Sam Idowu", "Head of Year 7", "01632 960555"],
        ["Harrowfield Community Health", "Priya Natarajan", "Health Visitor", "01632 960777"],
    ], bold_first_row=True)

    _heading(doc, "7. Level of need")
    _table(doc, [["Level of need:", f"{OFF} Universal   {ON} Targeted   {OFF} Statutory-Specialist"]],
           bold_columns=(0,))

    _heading(doc, "8. Safeguarding")
    _table(doc, [["Are there any child protection concerns?", "No"],
                 ["If so, give details", ""]], bold_columns=(0,))

    _heading(doc, "9. Agreement to share information")
    doc.add_paragraph("I agree to information about my family being shared with the members of the "
                      "Area Family Support Panel so that they can offer support.")
    _table(doc, [
        ["Permission for the family to be discussed at panel?", "Yes"],
        ["Agreement given by", "Parent/carer"],
        ["Signed", "D Wells"],
        ["Print name", "Dawn Wells"],
        ["Date", "03/03/2024"],
        ["Agencies the family do not want information shared with", "None"],
    ], bold_columns=(0,))

    _heading(doc, "10. Team leader authorisation")
    _table(doc, [["Team leader", "Grace Adeyemi", "Date", "5/3/2024"]], bold_columns=(0, 2))
    doc.save(str(path))


def build_pdf(docx: Path, pdf: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        sys.exit("LibreOffice (soffice) is needed to print layout E to PDF")
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
