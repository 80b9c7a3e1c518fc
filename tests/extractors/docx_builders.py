"""Tiny WordprocessingML builders for tests: real .docx bytes without python-docx.

Each helper returns an XML fragment; :func:`docx` wraps a body into a minimal package
(content types, relationships, ``word/document.xml``).
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def p(*parts: str, style: str | None = None, numbered: bool = False) -> str:
    """A paragraph; plain strings become runs, fragments starting with '<' are inserted as is."""
    ppr = ""
    if style or numbered:
        inner = f'<w:pStyle w:val="{style}"/>' if style else ""
        if numbered:
            inner += '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
        ppr = f"<w:pPr>{inner}</w:pPr>"
    body = "".join(part if part.startswith("<") else run(part) for part in parts)
    return f"<w:p>{ppr}{body}</w:p>"


def w14_box(checked: bool, tag: str | None = None) -> str:
    glyph = "☒" if checked else "☐"
    tag_xml = f'<w:tag w:val="{tag}"/>' if tag else ""
    return (
        f'<w:sdt><w:sdtPr>{tag_xml}<w14:checkbox><w14:checked w14:val="{int(checked)}"/>'
        '<w14:checkedState w14:val="2612"/><w14:uncheckedState w14:val="2610"/></w14:checkbox></w:sdtPr>'
        f"<w:sdtContent>{run(glyph)}</w:sdtContent></w:sdt>"
    )


def legacy_box(checked: bool | None, default: bool = False) -> str:
    """A FORMCHECKBOX field; ``checked=None`` leaves only the default state."""
    state = "" if checked is None else ("<w:checked/>" if checked else '<w:checked w:val="0"/>')
    return (
        '<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check1"/><w:enabled/>'
        f'<w:checkBox><w:sizeAuto/><w:default w:val="{int(default)}"/>{state}</w:checkBox></w:ffData>'
        '</w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def cell(*paragraphs: str, span: int = 1) -> str:
    tcpr = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else ""
    body = "".join(paragraphs) or "<w:p/>"
    return f"<w:tc>{tcpr}{body}</w:tc>"


def tbl(*rows: list[str]) -> str:
    """A table; each row is a list of cell fragments (``cell(...)``) or plain strings."""
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    out = [f"<w:tbl><w:tblPr><w:tblBorders>{borders}</w:tblBorders></w:tblPr>"]
    for row in rows:
        out.append("<w:tr>")
        for c in row:
            out.append(c if c.startswith("<w:tc") else cell(p(c) if c else "<w:p/>"))
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def document_xml(body: str, namespace: str = W_NS) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{namespace}" xmlns:w14="{W14_NS}"><w:body>{body}</w:body></w:document>'
    ).encode()


def docx(body: str, namespace: str = W_NS) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", document_xml(body, namespace))
    return buffer.getvalue()


def small_form(consent: str = "") -> str:
    """A short form in no council's layout: synonyms, label/value tables, tick boxes."""
    return "".join(
        [
            p("Early Help Assessment", style="Heading1"),
            tbl(["Section 1: Children"]),
            tbl(
                ["Child's name", "Date of birth", "Sex", "School"],
                ["Amy Stone", "3rd May 2016", "Female", "Hill Primary"],
            ),
            tbl(["Home address", "1 High Street", "Postcode", "ab1 2cd"]),
            tbl(["Interpreter needed?", cell(p(w14_box(False), " Yes  ", w14_box(True), " No"))]),
            p("CAF author"),
            tbl(["Jo Bloggs"]),
            p("Things that are going well"),
            p("Mum is warm", numbered=True),
            p("Amy loves school", numbered=True),
            p("Worries"),
            tbl([cell(p("1) Rent arrears"), p("2) Low mood"))]),
            consent,
        ]
    )


def other_council_form() -> str:
    """An EHA in wording none of the dev layouts uses: synonyms, an unborn baby, labels above boxes."""
    return "".join(
        [
            p("Early Help Assessment and Plan", style="Title"),
            p("Part A – About the family", style="Heading2"),
            tbl(
                ["Family's address", cell(p("12 Oak Road"), p("Luton"))],
                ["Post code", "lu1 1aa"],
                ["Language(s) spoken at home", "Urdu"],
                ["Is an interpreter required?", "☒ Yes ☐ No"],
            ),
            p("Children and young people", style="Heading2"),
            tbl(
                ["Child's full name", "D.O.B.", "Gender", "School / nursery / college", "NHS No.", "UPN"],
                ["Zara Ali", "03/04/2014", "Female", "Oak Primary", "943 476 5919", "H801200001003"],
                ["Unborn baby of Sara Ali", "EDD 14/02/2026", "", "", "", ""],
            ),
            p("Parents, carers and significant adults", style="Heading2"),
            tbl(
                ["Full name", "Relationship to child(ren)", "Phone number"],
                ["Sara Ali", "Mother", "07700 900 111"],
            ),
            p("Assessor's details", style="Heading2"),
            tbl(
                ["Name of assessor", "Kim Lee", "Agency / service", "Family Hub"],
                ["Position", "Family Worker", "Email address", "Kim.Lee@luton.gov.uk"],
                ["Contact number", "01582 000000", "Date assessment completed", "5 January 2026"],
            ),
            p("Professional network", style="Heading2"),
            tbl(["Service", "Lead contact", "Role"], ["School", "Mr Brown", "SENCo"]),
            p("What's working well?", style="Heading2"),
            p("Zara enjoys school", numbered=True),
            p("Mum is engaged", numbered=True),
            p("What are we worried about?", style="Heading2"),
            p("Damp housing"),
            p("Mum is isolated"),
            p("Goals", style="Heading2"),
            tbl(
                ["Goal", "How will we know things are better?", "Who", "By when"],
                ["Warm dry home", "Repairs completed", "Housing", "March"],
            ),
            p("Child / young person's wishes and feelings", style="Heading2"),
            p("Zara wants her own room."),
            p("What does the family say?", style="Heading2"),
            p("Mum wants help with housing."),
            p("Threshold of need", style="Heading2"),
            tbl(["Level of need agreed", "Targeted early help"]),
            tbl(["Are there any concerns of significant harm?", "☐ Yes ☒ No"]),
            p("Consent and declaration", style="Heading2"),
            p("I understand why information is being collected and who it will be shared with."),
            tbl(
                ["Do you agree to information being shared with the professionals named?", "☒ Yes ☐ No"],
                ["Consent obtained from", "☒ Parent / carer ☐ Young person"],
                ["Parent / carer signature", "S Ali", "Date signed", "5/1/2026"],
                ["Print name", "Sara Ali", "", ""],
            ),
            p("Information must not be shared with:"),
            tbl(["Police"]),
            p("Management oversight", style="Heading2"),
            tbl(["Team manager", "Pat Jones", "Date", "7/1/2026"]),
        ]
    )
