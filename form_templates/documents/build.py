"""Build the shipped panel-document templates: ``python -m form_templates.documents.build``.

The ``.docx`` files here are ordinary Word documents with docxtpl placeholders
(``{{ panel_name }}``, ``{%tr for case in new_referrals %}``…), so council staff can
restyle them in Word and upload their own; this script only produces our defaults,
deterministically (fixed zip timestamps and document dates), so a test can rebuild them
and compare. Every placeholder must exist in the kind's context (``renderers/``); the
template tests check that.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent
FIXED = dt.datetime(2026, 1, 1, 9, 0, 0)
FONT = "Arial"  # metric-compatible Liberation Sans on the server (fonts-liberation2)
GREY = "D9D9D9"


def _base(title: str) -> DocumentObject:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.header_distance = section.footer_distance = Cm(0.8)
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 20), ("Heading 1", 14), ("Heading 2", 12)):
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(12 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(4)
        fonts = style.element.rPr.find(qn("w:rFonts")) if style.element.rPr is not None else None
        if fonts is not None:  # theme fonts would override the name set above
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
                fonts.attrib.pop(qn(attr), None)
    # Document language en-GB: Word's spelling, and the /Lang LibreOffice writes into the PDF.
    rpr = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-GB")
    lang.set(qn("w:eastAsia"), "en-GB")
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.append(lang)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attr), FONT)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            fonts.attrib.pop(qn(attr), None)
    props = doc.core_properties
    props.title = title
    props.author = "mapdocs"
    props.subject = "{{ marking }}"
    props.language = "en-GB"
    props.created = props.modified = FIXED
    props.last_modified_by = "mapdocs"
    props.revision = 1
    return doc


def _field(paragraph: Paragraph, instruction: str, size: float = 8) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in when laying out."""
    run = paragraph.add_run()
    run.font.size = Pt(size)
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == instruction:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        else:
            value = OxmlElement("w:t")
            value.text = text
            run._r.append(value)


def _marking_header_footer(doc: DocumentObject, footer_note: str) -> None:
    section = doc.sections[0]
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run("{{ marking }}")
    run.bold = True
    run.font.size = Pt(10)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = foot.add_run("{{ marking }}")
    run.bold = True
    run.font.size = Pt(10)
    line = section.footer.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    small = line.add_run(f"{footer_note} · Page ")
    small.font.size = Pt(8)
    _field(line, "PAGE")
    line.add_run(" of ").font.size = Pt(8)
    _field(line, "NUMPAGES")


def _shade(cell_paragraph_owner: object, fill: str) -> None:
    tc_pr = cell_paragraph_owner._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)


def _repeat_header(table: Table) -> None:
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _widths(table: Table, widths: list[float]) -> None:
    """Column widths in the grid and every cell (Word reads one, LibreOffice the other)."""
    table.autofit = False
    for i, width in enumerate(widths):
        table.columns[i].width = Cm(width)
        for cell in table.columns[i].cells:
            cell.width = Cm(width)


def _loop_table(doc: DocumentObject, headings: list[str], widths: list[float], loop: str,
                cells: list[str]) -> Table:
    """A table whose middle row repeats once per item (docxtpl ``{%tr for %}`` rows)."""
    table: Table = doc.add_table(rows=4, cols=len(headings))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(headings):
        cell = table.rows[0].cells[i]
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
        _shade(cell, GREY)
    table.rows[1].cells[0].text = f"{{%tr for {loop} %}}"
    for i, text in enumerate(cells):
        table.rows[2].cells[i].text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    _widths(table, widths)
    _repeat_header(table)
    return table


@contextmanager
def _only_if(doc: DocumentObject, condition: str) -> Iterator[None]:
    """A block of the document that docxtpl keeps only when ``condition`` holds."""
    _p(doc, f"{{%p if {condition} %}}")
    yield
    _p(doc, "{%p endif %}")


def _p(doc: DocumentObject, text: str, style: str | None = None) -> Paragraph:
    return doc.add_paragraph(text, style=style)


def _case_section(doc: DocumentObject, number: int, heading: str, items: str, empty: str,
                  intro: str) -> None:
    doc.add_heading(f"{number}. {heading}", level=1)
    _p(doc, f"{{%p if {items} %}}")
    _p(doc, intro)
    _loop_table(doc, ["Time", "Case reference", "Children (initials)", "Referred by"],
                [2.0, 4.2, 4.8, 6.0], f"case in {items}",
                ["{{ case.slot }}", "{{ case.case_ref }}{% if case.late %} (late papers){% endif %}",
                 "{{ case.initials }}",
                 "{{ case.referred_by }}{% if case.note %} – {{ case.note }}{% endif %}"])
    _p(doc, "{%p else %}")
    _p(doc, empty)
    _p(doc, "{%p endif %}")


def build_agenda() -> DocumentObject:
    """The panel meeting agenda (context: ``renderers.agenda.AgendaContext``)."""
    doc = _base("Agenda: {{ panel_name }}, {{ meeting_date }}")
    _marking_header_footer(doc, "{{ panel_name }} agenda, {{ meeting_date }}")
    _p(doc, "{{ council_name }}").runs[0].font.size = Pt(10)
    doc.add_heading("{{ panel_name }}", level=0)
    doc.add_heading("Agenda", level=1).paragraph_format.space_before = Pt(0)

    details = doc.add_table(rows=4, cols=2)
    details.style = "Table Grid"
    for row, (label, value) in zip(details.rows, [
            ("Date", "{{ meeting_date }}"),
            ("Time", "{{ start_time }} to {{ end_time }}"),
            ("Venue", "{{ venue }}"),
            ("Chair", "{{ chair }}")], strict=True):
        row.cells[0].text = ""
        row.cells[0].paragraphs[0].add_run(label).bold = True
        _shade(row.cells[0], GREY)
        row.cells[1].text = value
    _widths(details, [3.5, 13.5])
    with _only_if(doc, "recipient"):
        _p(doc, "This copy is for {{ recipient }}.")
    note = _p(doc, "Families are referred to by case reference and children's initials only. "
                   "Keep this agenda within your agency's secure systems and do not forward it.")
    note.runs[0].italic = True

    doc.add_heading("1. Welcome and introductions", level=1)
    _p(doc, "The chair welcomes everyone, members introduce themselves and the agency they "
            "represent, and apologies are noted.")
    with _only_if(doc, "members"):
        _loop_table(doc, ["Name", "Role", "Agency"], [5.0, 5.0, 7.0], "member in members",
                    ["{{ member.name }}", "{{ member.role }}", "{{ member.agency }}"])

    doc.add_heading("2. Confidentiality and declarations of interest", level=1)
    _p(doc, "Information shared at this meeting is shared with the family's consent, or on a "
            "recorded safeguarding basis, for the purpose of agreeing support. Members declare any "
            "personal connection with a family listed below before its case is discussed.")

    _case_section(doc, 3, "New referrals", "new_referrals", "There are no new referrals at this meeting.",
                  "Each case has the time slot shown. The referrer presents the family's assessment, "
                  "then the panel agrees a decision, a lead professional and next steps.")
    with _only_if(doc, "withheld"):
        _p(doc, "{{ withheld }} case{% if withheld != 1 %}s{% endif %} listed for this meeting "
                "{% if withheld != 1 %}are{% else %}is{% endif %} not shown in this copy, in line "
                "with what the family agreed to share.")
    _case_section(doc, 4, "Reviews", "reviews", "There are no reviews at this meeting.",
                  "Support plans due for review: progress against each desired outcome, and whether "
                  "support continues, changes or closes.")
    _case_section(doc, 5, "Step-downs from children's social care", "step_downs",
                  "There are no step-downs at this meeting.",
                  "Families stepping down from children's social care to early help: agreeing the "
                  "lead professional and the handover.")

    doc.add_heading("6. Any other business", level=1)
    _p(doc, "{%p if aob %}")
    _p(doc, "{%p for item in aob %}")
    _p(doc, "{{ item }}", style="List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p else %}")
    _p(doc, "None notified in advance. Please tell the chair at the start of the meeting.")
    _p(doc, "{%p endif %}")

    doc.add_heading("7. Date of next meeting", level=1)
    _p(doc, "{%p if next_meeting %}")
    _p(doc, "{{ next_meeting }}")
    _p(doc, "{%p else %}")
    _p(doc, "To be confirmed.")
    _p(doc, "{%p endif %}")
    with _only_if(doc, "contact"):
        _p(doc, "Questions about this agenda: {{ contact }}.")
    return doc


def _sized(doc: DocumentObject, body: float) -> None:
    """Body and heading sizes; the large-print letter passes 16 pt (RNIB: at least 16)."""
    doc.styles["Normal"].font.size = Pt(body)
    for name, extra in (("Title", 8), ("Heading 1", 4), ("Heading 2", 2), ("List Bullet", 0)):
        doc.styles[name].font.size = Pt(body + extra)


def _bullets(doc: DocumentObject, items: str, var: str = "item") -> None:
    _p(doc, f"{{%p for {var} in {items} %}}")
    _p(doc, f"{{{{ {var} }}}}", style="List Bullet")
    _p(doc, "{%p endfor %}")


def _family_letter(body: float) -> DocumentObject:
    """The family letter (context: ``renderers.letters.FamilyLetterContext``).

    Fixed wording is kept short and plain (reading age about 11): families read this
    without a professional beside them. The large print variant is the same text at 16 pt.
    """
    doc = _base("Letter from {{ panel_name }}")
    _sized(doc, body)
    _marking_header_footer(doc, "{{ panel_name }}, {{ letter_date }}")
    _p(doc, "{{ council_name }}")
    _p(doc, "{{ letter_date }}")
    _p(doc, "Our reference: {{ case_ref }}")
    _p(doc, "Dear {{ addressee }},")
    doc.add_heading("What the panel decided", level=0)
    _p(doc, "We met to talk about help for {{ children }}. Thank you for letting us do this.")
    doc.add_heading("{{ decision_title }}", level=1)
    _p(doc, "{{ decision }}")
    with _only_if(doc, "reasons"):
        doc.add_heading("Why we decided this", level=1)
        _bullets(doc, "reasons", "reason")
    _p(doc, "{%p if lead %}")
    doc.add_heading("Who will help you", level=1)
    _p(doc, "{{ lead.name }} will be your main contact. They work for {{ lead.agency }} "
            "as {{ lead.role }}.")
    with _only_if(doc, "lead.phone"):
        _p(doc, "Phone: {{ lead.phone }}")
    with _only_if(doc, "lead.email"):
        _p(doc, "Email: {{ lead.email }}")
    _p(doc, "{%p endif %}")
    doc.add_heading("What happens next", level=1)
    with _only_if(doc, "next_steps"):
        _bullets(doc, "next_steps", "step")
    with _only_if(doc, "review_date"):
        _p(doc, "We will check with you how things are going on {{ review_date }}.")
    doc.add_heading("You can change your mind", level=1)
    _p(doc, "You said we could share what you told us with the people who can help. "
            "You can stop this at any time. Tell your main contact"
            "{% if withdraw_contact %}, or {{ withdraw_contact }}{% endif %}. "
            "We will then stop sharing it. You can still ask us for help later.")
    doc.add_heading("If you are not happy", level=1)
    _p(doc, "Please tell us if you are not happy with what we did. Talk to your main contact "
            "first. You can also make a complaint"
            "{% if complaints_contact %}: {{ complaints_contact }}{% endif %}.")
    _p(doc, "Yours sincerely,")
    _p(doc, "{{ panel_name }}")
    return doc


def build_family_letter() -> DocumentObject:
    """The family letter at 12 pt body text."""
    return _family_letter(12)


def build_family_letter_large_print() -> DocumentObject:
    """The family letter at 16 pt body text (large print)."""
    return _family_letter(16)


def _lead_block(doc: DocumentObject) -> None:
    with _only_if(doc, "lead"):
        doc.add_heading("Lead professional", level=1)
        _p(doc, "{{ lead.name }}, {{ lead.role }}, {{ lead.agency }}"
                "{% if lead.phone %}. Phone: {{ lead.phone }}{% endif %}"
                "{% if lead.email %}. Email: {{ lead.email }}{% endif %}")


def build_referrer_notice() -> DocumentObject:
    """The referrer notice (context: ``renderers.letters.ReferrerNoticeContext``)."""
    doc = _base("Referral outcome: {{ case_ref }}")
    _marking_header_footer(doc, "{{ panel_name }} referral outcome, {{ notice_date }}")
    _p(doc, "{{ council_name }}")
    _p(doc, "{{ notice_date }}")
    _p(doc, "To: {{ referrer_name }}, {{ referrer_agency }}")
    doc.add_heading("Outcome of your referral", level=0)
    _p(doc, "Case reference {{ case_ref }}, children {{ initials }}.")
    _p(doc, "{%p if ended_before_panel %}")
    _p(doc, "This referral was closed before it reached the panel.")
    _p(doc, "{%p else %}")
    _p(doc, "The panel has considered this referral and made the decision below.")
    _p(doc, "{%p endif %}")
    doc.add_heading("{{ outcome_title }}", level=1)
    _p(doc, "{{ outcome }}")
    with _only_if(doc, "reasons"):
        doc.add_heading("Reasons", level=1)
        _bullets(doc, "reasons", "reason")
    _lead_block(doc)
    with _only_if(doc, "next_steps"):
        doc.add_heading("Next steps", level=1)
        _bullets(doc, "next_steps", "step")
    with _only_if(doc, "review_date"):
        _p(doc, "Review date: {{ review_date }}.")
    with _only_if(doc, "contact"):
        _p(doc, "Questions about this notice: {{ contact }}.")
    return doc


def build_professional_summary() -> DocumentObject:
    """The professional summary (context: ``renderers.letters.ProfessionalSummaryContext``)."""
    doc = _base("Panel decision summary: {{ case_ref }}")
    _marking_header_footer(doc, "{{ panel_name }} decision summary, {{ meeting_date }}")
    _p(doc, "{{ council_name }}")
    doc.add_heading("Panel decision summary", level=0)
    _p(doc, "For {{ recipient_name }}, {{ recipient_agency }}. Panel meeting of {{ meeting_date }}.")
    _p(doc, "Case reference {{ case_ref }}, children {{ initials }}. Share only within your "
            "agency's secure systems.")
    doc.add_heading("Decision: {{ outcome_title }}", level=1)
    _p(doc, "{{ outcome }}")
    with _only_if(doc, "reasons"):
        doc.add_heading("Reasons", level=1)
        _bullets(doc, "reasons", "reason")
    _lead_block(doc)
    with _only_if(doc, "actions"):
        doc.add_heading("Agreed actions", level=1)
        _loop_table(doc, ["Agency", "Action", "By when"], [5.0, 8.5, 3.5], "action in actions",
                    ["{{ action.agency }}", "{{ action.action }}", "{{ action.by_when }}"])
    with _only_if(doc, "agencies_involved"):
        doc.add_heading("Agencies involved", level=1)
        _bullets(doc, "agencies_involved", "agency")
    with _only_if(doc, "review_date"):
        _p(doc, "Review date: {{ review_date }}.")
    with _only_if(doc, "contact"):
        _p(doc, "Panel contact: {{ contact }}.")
    return doc


def build_tracking_form() -> DocumentObject:
    """The family's tracking form (context: ``renderers.tracking_form.TrackingFormContext``)."""
    doc = _base("Tracking form: {{ case_ref }}")
    _marking_header_footer(doc, "{{ panel_name }} tracking form, {{ generated_on }}")
    _p(doc, "{{ council_name }}")
    doc.add_heading("Support plan tracking form", level=0)
    _p(doc, "Case reference {{ case_ref }}, children {{ initials }}. Updated {{ generated_on }}; "
            "next review {{ next_review }}.")
    doc.add_heading("Support package", level=1)
    _p(doc, "{{ support_package }}")
    _p(doc, "Lead professional: {{ lead_name }}, {{ lead_agency }} ({{ lead_contact }}).")
    doc.add_heading("Reviews", level=1)
    _loop_table(doc, ["Date", "Decision", "Lead professional", "Next review"], [3.0, 7.0, 4.0, 3.0],
                "review in reviews",
                ["{{ review.date }}", "{{ review.decision }}", "{{ review.lead }}",
                 "{{ review.next_review }}"])
    with _only_if(doc, "actions"):
        doc.add_heading("Actions", level=1)
        _loop_table(doc, ["Action", "Who", "By when", "Status"], [7.5, 4.0, 3.0, 2.5], "action in actions",
                    ["{{ action.what }}", "{{ action.who }}", "{{ action.by_when }}", "{{ action.status }}"])
    with _only_if(doc, "desired_outcomes"):
        doc.add_heading("What the family wants to change", level=1)
        _bullets(doc, "desired_outcomes", "outcome")
    with _only_if(doc, "ratings"):
        doc.add_heading("Progress at each review (0 = not yet, 10 = achieved)", level=1)
        _loop_table(doc, ["Outcome", "Review", "Rating", "What changed"], [6.0, 3.0, 2.0, 6.0],
                    "rating in ratings",
                    ["{{ rating.outcome }}", "{{ rating.review_date }}", "{{ rating.rating }}",
                     "{{ rating.note }}"])
    return doc


BUILDERS: dict[str, Callable[[], DocumentObject]] = {
    "agenda": build_agenda,
    "family_letter": build_family_letter,
    "family_letter_large_print": build_family_letter_large_print,
    "referrer_notice": build_referrer_notice,
    "professional_summary": build_professional_summary,
    "tracking_form": build_tracking_form,
}


def to_bytes(doc: DocumentObject) -> bytes:
    """Save with fixed zip timestamps so the same source always gives the same bytes."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def build_all(out_dir: Path = HERE) -> list[Path]:
    """Write every shipped document template; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, build in BUILDERS.items():
        path = out_dir / f"{kind}.docx"
        path.write_bytes(to_bytes(build()))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Rebuild the shipped panel-document templates.")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write the templates into")
    args = parser.parse_args(argv)
    for path in build_all(args.out):
        print(path)


if __name__ == "__main__":
    main()
