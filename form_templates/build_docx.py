"""Build the blank Word form from the field definition, with content controls named after it.

Headed sections hold label/value tables whose value cells are content controls
(``w:sdt``) with ``w:tag`` and ``w:alias`` set to the field names.

One-line answers are plain-text controls, answers of several lines (lists, address,
free text) rich-text controls with a line break per line; tick boxes are
``w14:checkbox`` controls showing ☐ / ☒, as Word itself writes them. python-docx has
no API for content controls, so they are written as raw OOXML.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from form_templates.definition import Block, Definition, FieldDef, pair_rows

UNCHECKED, CHECKED = "\u2610", "\u2612"
_FIXED_TIME = datetime(2024, 1, 1, tzinfo=UTC)
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
CONTENT_W = 17.0  # cm between A4 margins of 2 cm


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class _Ids:
    """Content-control ids: unique within the document and stable between builds."""

    def __init__(self) -> None:
        self.next = 1000

    def __call__(self) -> int:
        self.next += 1
        return self.next


def text_control(name: str, *, multiline: bool, sdt_id: int, text: str = "") -> str:
    """A plain-text control for one-line answers; a rich-text one for answers of several lines.

    LibreOffice drops the line breaks of a multi-line *plain-text* control when it prints
    the document, which would merge list items; rich-text controls keep them.
    """
    kind = "" if multiline else "<w:text/>"
    return (f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="{name}"/><w:tag w:val="{name}"/>'
            f'<w:id w:val="{sdt_id}"/>{kind}</w:sdtPr><w:sdtContent>'
            f'<w:r><w:t xml:space="preserve">{_escape(text)}</w:t></w:r></w:sdtContent></w:sdt>')


def checkbox_control(name: str, *, sdt_id: int, checked: bool = False) -> str:
    return (f'<w:sdt {nsdecls("w", "w14")}><w:sdtPr><w:alias w:val="{name}"/><w:tag w:val="{name}"/>'
            f'<w:id w:val="{sdt_id}"/><w14:checkbox><w14:checked w14:val="{int(checked)}"/>'
            '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
            '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr>'
            '<w:sdtContent><w:r><w:rPr><w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" '
            'w:hAnsi="MS Gothic" w:hint="eastAsia"/></w:rPr>'
            f'<w:t>{CHECKED if checked else UNCHECKED}</w:t></w:r></w:sdtContent></w:sdt>')


def _shade(cell: _Cell, fill: str = "E6E6E6") -> None:
    cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:fill="{fill}"/>'))


def _table(doc: DocxDocument, rows: int, widths: list[float]) -> Table:
    table: Table = doc.add_table(rows=rows, cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)  # the grid LibreOffice lays out by
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)  # the cell widths Word lays out by
    return table


def _label(cell: _Cell, text: str, *, bold: bool = False) -> None:
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold


def _control(cell: _Cell | Paragraph, field: FieldDef, ids: _Ids) -> None:
    paragraph = cell.paragraphs[0] if isinstance(cell, _Cell) else cell
    paragraph._p.append(parse_xml(text_control(field.name, multiline=field.multiline, sdt_id=ids())))


def _pairs(doc: DocxDocument, block: Block, form: str, ids: _Ids) -> None:
    for n, fields in enumerate(block.instances, start=1):
        if block.heading:
            doc.add_paragraph().add_run(block.heading.replace("{n}", str(n))).bold = True
        rows = pair_rows(fields)
        table = _table(doc, len(rows), [4.3, 4.2, 3.4, 5.1])
        for row, pair in zip(table.rows, rows, strict=True):
            if pair[0].wide:
                row.cells[1].merge(row.cells[3])  # one value cell across the page
            for k, field in enumerate(pair):
                _label(row.cells[2 * k], field.label_for(form))
                _shade(row.cells[2 * k])
                _control(row.cells[2 * k + 1], field, ids)


def _grid(doc: DocxDocument, block: Block, form: str, ids: _Ids) -> None:
    columns = block.columns()
    if block.title:
        doc.add_paragraph().add_run(block.title).bold = True
    table = _table(doc, len(block.instances) + 1, [CONTENT_W / len(columns)] * len(columns))
    for cell, field in zip(table.rows[0].cells, columns, strict=True):
        _label(cell, field.label_for(form), bold=True)
        _shade(cell)
    for row, fields in zip(table.rows[1:], block.instances, strict=True):
        for cell, field in zip(row.cells, fields, strict=True):
            _control(cell, field, ids)


def _box(doc: DocxDocument, block: Block, form: str, ids: _Ids) -> None:
    for field in block.fields():
        doc.add_paragraph().add_run(field.label_for(form)).bold = True
        table = _table(doc, 1, [CONTENT_W])
        table.rows[0].height = Cm(0.5 * field.lines)  # room to write, as on the PDF
        _control(table.cell(0, 0), field, ids)


def _choice(doc: DocxDocument, block: Block, form: str, ids: _Ids) -> None:
    fields = block.fields()
    table = _table(doc, 1, [9.5, 7.5])
    question, options = table.cell(0, 0), table.cell(0, 1)
    _label(question, (block.question or "").replace("{form}", form))
    _shade(question)
    stacked = len(fields) > 2
    paragraph = options.paragraphs[0]
    for k, field in enumerate(fields):
        if stacked and k:
            paragraph = options.add_paragraph()
        paragraph._p.append(parse_xml(checkbox_control(field.name, sdt_id=ids())))
        paragraph.add_run(f" {field.label_for(form)}" + ("" if stacked else "    "))


def _paragraph(doc: DocxDocument, block: Block, form: str, ids: _Ids) -> None:
    doc.add_paragraph((block.text or "").replace("{form}", form))


_DRAW = {"pairs": _pairs, "table": _grid, "box": _box, "choice": _choice, "text": _paragraph}


def _furniture(doc: DocxDocument, definition: Definition, form: str) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    header.add_run(definition.marking).bold = True
    footer = section.footer.paragraphs[0]
    footer.add_run(definition.forms[form].footer).font.size = Pt(8)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(2)
    props = doc.core_properties
    props.title = definition.forms[form].title
    props.author = props.last_modified_by = "mapdocs"
    props.created = props.modified = _FIXED_TIME
    props.revision = 1


def _title(doc: DocxDocument, definition: Definition, form: str, ids: _Ids) -> None:
    """The title carries the hidden-in-plain-sight form marker: "(CAF)" is a locked control."""
    spec = definition.forms[form]
    prefix, _, rest = spec.title.partition(f"({form})")
    heading = doc.add_heading(level=1)
    heading.add_run(prefix + "(")
    marker = parse_xml(text_control(definition.marker_field, multiline=False, sdt_id=ids(), text=form))
    lock = OxmlElement("w:lock")
    lock.set(qn("w:val"), "sdtContentLocked")
    marker.find(qn("w:sdtPr")).find(qn("w:id")).addnext(lock)  # w:lock follows w:id
    heading._p.append(marker)
    heading.add_run(")" + rest)
    doc.add_paragraph(spec.subtitle)


def _deterministic_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed member times so a rebuild is byte-identical."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()


def build_docx(definition: Definition, form: str) -> bytes:
    """The shipped Word form for ``form`` ("CAF" / "CSF")."""
    doc = Document()
    ids = _Ids()
    _furniture(doc, definition, form)
    _title(doc, definition, form, ids)
    for section, blocks in definition.sections_for(form):
        doc.add_heading(section.title_for(form), level=2)
        for block in blocks:
            _DRAW[block.kind](doc, block, form, ids)
    out = io.BytesIO()
    doc.save(out)
    return _deterministic_zip(out.getvalue())
