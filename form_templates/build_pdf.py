"""Draw a blank fillable PDF (AcroForm text fields and tick boxes) from the field definition.

Labels are printed beside or above each box as on a paper form, so that a printed
or flattened copy reads through the same label-driven path as any council's form.
Tick boxes get their own appearance (a Helvetica "X") rather than ReportLab's
ZapfDingbats glyph, so a flattened print carries a plain, extractable "X" mark.
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
)
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from form_templates.definition import Block, Definition, FieldDef, pair_rows

PAGE_W, PAGE_H = A4
LEFT, RIGHT, TOP, BOTTOM = 40.0, 40.0, 48.0, 50.0
WIDTH = PAGE_W - LEFT - RIGHT
FONT, BOLD, SIZE = "Helvetica", "Helvetica-Bold", 9.0
LEADING = 11.0
BOX_PAD = 5.0
TICK = 10.0
GREY = Color(0.85, 0.85, 0.85)
SHADE = Color(0.93, 0.93, 0.93)
INSET = 1.5  # a field sits this far inside its ruled cell, so the rule stays visible
HEADER_H = 15.0
MAXLEN = 4000


def box_height(field: FieldDef) -> float:
    return 18.0 if field.lines <= 1 and not field.multiline else field.lines * LEADING + 7.0


class _Sheet:
    """A canvas with a cursor running down the page and page furniture on every page."""

    def __init__(self, definition: Definition, form: str) -> None:
        self.out = io.BytesIO()
        self.canvas = Canvas(self.out, pagesize=A4, invariant=True, pageCompression=0)
        spec = definition.forms[form]
        self.canvas.setTitle(spec.title)
        self.canvas.setAuthor("mapdocs")
        self.marking = definition.marking
        self.footer = spec.footer
        self.page = 1
        self.y = PAGE_H - TOP
        self._furniture()

    def _furniture(self) -> None:
        c = self.canvas
        c.setFont(BOLD, SIZE)
        c.drawCentredString(PAGE_W / 2, PAGE_H - 28, self.marking)
        c.setFont(FONT, 7.5)
        c.drawString(LEFT, 28, self.footer)
        c.drawRightString(PAGE_W - RIGHT, 28, f"Page {self.page}")

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.canvas.showPage()
            self.page += 1
            self.y = PAGE_H - TOP
            self._furniture()

    def text(self, x: float, top: float, text: str, *, font: str = FONT, size: float = SIZE) -> None:
        self.canvas.setFont(font, size)
        self.canvas.drawString(x, top - size, text)

    def wrapped(self, x: float, top: float, text: str, width: float, *, font: str = FONT) -> float:
        lines = simpleSplit(text, font, SIZE, width)
        for k, line in enumerate(lines):
            self.text(x, top - k * LEADING, line, font=font)
        return len(lines) * LEADING

    def cell(self, x: float, top: float, width: float, height: float, *, shade: bool = False) -> None:
        """A ruled cell printed on the page itself, so blank, filled and flattened copies share it."""
        c = self.canvas
        c.setLineWidth(0.5)
        c.setStrokeColor(black)
        c.setFillColor(SHADE if shade else white)
        c.rect(x, top - height, width, height, stroke=1, fill=1)
        c.setFillColor(black)

    def textbox(self, field: FieldDef, form: str, x: float, top: float, width: float,
                height: float | None = None) -> float:
        """A ruled cell with a borderless text field inset in it; returns the cell height."""
        height = height or box_height(field)
        self.cell(x, top, width, height)
        self.canvas.acroForm.textfield(
            name=field.name, tooltip=field.label_for(form), x=x + INSET, y=top - height + INSET,
            width=width - 2 * INSET, height=height - 2 * INSET, fontName=FONT, fontSize=SIZE,
            borderWidth=0, fillColor=None, textColor=black, maxlen=MAXLEN,
            fieldFlags="multiline" if field.multiline else "")
        return height

    def label_cell(self, text: str, x: float, top: float, width: float, height: float,
                   *, font: str = FONT) -> None:
        self.cell(x, top, width, height, shade=True)
        lines = simpleSplit(text, font, SIZE, width - 6)
        for k, line in enumerate(lines):
            self.text(x + 3, top - 3.5 - k * LEADING, line, font=font)

    def tickbox(self, field: FieldDef, form: str, x: float, top: float) -> float:
        """A tick box followed by its printed label; returns the width used."""
        self.canvas.acroForm.checkbox(
            name=field.name, tooltip=field.label_for(form), x=x, y=top - TICK - 1, size=TICK,
            buttonStyle="cross", borderWidth=0.5, borderColor=black, fillColor=white,
            textColor=black, forceBorder=True)
        label = field.label_for(form)
        self.text(x + TICK + 4, top - 1, label)
        return TICK + 4 + float(stringWidth(label, FONT, SIZE)) + 14


def _pairs(sheet: _Sheet, block: Block, form: str) -> None:
    """Label | value | label | value rows ruled as one table per block (per child)."""
    pair_w = WIDTH / 2
    label_w = 118.0
    for n, fields in enumerate(block.instances, start=1):
        rows = pair_rows(fields)
        if block.heading:
            sheet.need(15 + max(box_height(f) for f in rows[0]))
            sheet.text(LEFT, sheet.y, block.heading.replace("{n}", str(n)), font=BOLD, size=10)
            sheet.y -= 15
        for row in rows:
            height = max(box_height(f) for f in row)
            sheet.need(height)
            for k, field in enumerate(row):
                x = LEFT + k * pair_w
                value_w = (WIDTH if field.wide else pair_w) - label_w
                sheet.label_cell(field.label_for(form), x, sheet.y, label_w, height)
                sheet.textbox(field, form, x + label_w, sheet.y, value_w, height)
            sheet.y -= height
        sheet.y -= 8


def _table(sheet: _Sheet, block: Block, form: str) -> None:
    """A header row of column labels over ruled rows of fields, the header repeated after a page break."""
    columns = block.columns()
    col_w = WIDTH / len(columns)
    if block.title:
        sheet.need(14 + 40)
        sheet.text(LEFT, sheet.y, block.title, font=BOLD)
        sheet.y -= 14

    def header() -> None:
        for k, field in enumerate(columns):
            sheet.label_cell(field.label_for(form), LEFT + k * col_w, sheet.y, col_w, HEADER_H, font=BOLD)
        sheet.y -= HEADER_H

    sheet.need(HEADER_H + box_height(columns[0]))
    header()
    for fields in block.instances:
        height = max(box_height(f) for f in fields)
        if sheet.y - height < BOTTOM:
            sheet.need(10_000)
            header()
        for k, field in enumerate(fields):
            sheet.textbox(field, form, LEFT + k * col_w, sheet.y, col_w, height)
        sheet.y -= height
    sheet.y -= 8


def _box(sheet: _Sheet, block: Block, form: str) -> None:
    for field in block.fields():
        sheet.need(14 + box_height(field) + 6)
        sheet.text(LEFT, sheet.y, field.label_for(form), font=BOLD)
        sheet.y -= 13
        sheet.y -= sheet.textbox(field, form, LEFT, sheet.y, WIDTH) + 8


def _choice(sheet: _Sheet, block: Block, form: str) -> None:
    fields = block.fields()
    widths = [TICK + 4 + stringWidth(f.label_for(form), FONT, SIZE) + 14 for f in fields]
    inline = sum(widths) <= 190
    options_x = LEFT + WIDTH - (190 if inline else 215)
    question = (block.question or "").replace("{form}", form)
    q_lines = simpleSplit(question, FONT, SIZE, options_x - LEFT - 12)
    height = max(len(q_lines) * LEADING, LEADING if inline else len(fields) * 15.0) + 6
    sheet.need(height)
    sheet.wrapped(LEFT, sheet.y, question, options_x - LEFT - 12)
    x, top = options_x, sheet.y
    for field, width in zip(fields, widths, strict=True):
        sheet.tickbox(field, form, x, top)
        if inline:
            x += width
        else:
            top -= 15
    sheet.y -= height


def _paragraph(sheet: _Sheet, block: Block, form: str) -> None:
    text = (block.text or "").replace("{form}", form)
    lines = simpleSplit(text, FONT, SIZE, WIDTH)
    sheet.need(len(lines) * LEADING + 6)
    sheet.y -= sheet.wrapped(LEFT, sheet.y, text, WIDTH) + 6


_DRAW = {"pairs": _pairs, "table": _table, "box": _box, "choice": _choice, "text": _paragraph}


def draw_pdf(definition: Definition, form: str) -> bytes:
    """The ReportLab drawing of ``form``: every section, then the hidden form marker."""
    sheet = _Sheet(definition, form)
    spec = definition.forms[form]
    # The form marker: a visible, read-only field (readers skip hidden widgets) showing the
    # form's code top right, so the field names alone say which of our forms this is. It uses
    # the fields' one font: a second font makes ReportLab write /DR with two /Font keys.
    sheet.canvas.acroForm.textfield(
        name=definition.marker_field, value=form, x=PAGE_W - RIGHT - 36, y=PAGE_H - TOP - 16,
        width=36, height=16, fontName=FONT, fontSize=SIZE, borderWidth=0, fieldFlags="readOnly",
        annotationFlags="print", maxlen=16)
    sheet.text(LEFT, sheet.y, spec.title, font=BOLD, size=16)
    sheet.y -= 20
    sheet.text(LEFT, sheet.y, spec.subtitle, size=10)
    sheet.y -= 20
    for section, blocks in definition.sections_for(form):
        sheet.need(18 + 60)
        sheet.canvas.setFillColor(GREY)
        sheet.canvas.rect(LEFT, sheet.y - 16, WIDTH, 16, stroke=0, fill=1)
        sheet.canvas.setFillColor(black)
        sheet.text(LEFT + 4, sheet.y - 3, section.title_for(form), font=BOLD, size=10.5)
        sheet.y -= 22
        for block in blocks:
            _DRAW[block.kind](sheet, block, form)
        sheet.y -= 4
    sheet.canvas.showPage()
    sheet.canvas.save()
    return sheet.out.getvalue()


def _x_appearance(width: float, height: float) -> DecodedStreamObject:
    """The 'on' appearance of a tick box: its border and a Helvetica X, as printed forms show."""
    size = min(width, height) * 0.9
    x = (width - stringWidth("X", FONT, size)) / 2
    y = (height - size * 0.72) / 2
    stream = DecodedStreamObject()
    stream.set_data(
        (f"1 g 0 0 {width:.2f} {height:.2f} re f 0 G 0.5 w 0.25 0.25 {width - 0.5:.2f} "
         f"{height - 0.5:.2f} re S BT /Helv {size:.2f} Tf 0 g {x:.2f} {y:.2f} Td (X) Tj ET").encode())
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica"),
                             NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})
    stream.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(width),
                                          FloatObject(height)]),
        NameObject("/Resources"): DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject("/Helv"): font})}),
    })
    return stream


def build_pdf(definition: Definition, form: str) -> bytes:
    """The shipped fillable PDF: ReportLab's drawing with tick boxes given an 'X' on-state."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(draw_pdf(definition, form))))
    for page in writer.pages:
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            if annot.get("/FT") != "/Btn":
                continue
            rect = [float(v) for v in annot["/Rect"]]
            normal = annot["/AP"]["/N"]
            normal[NameObject("/Yes")] = writer._add_object(
                _x_appearance(rect[2] - rect[0], rect[3] - rect[1]))
            annot.pop("/D", None)  # the pressed-state look is ReportLab's glyph; drop it
            annot["/AP"].pop("/D", None)
            annot[NameObject("/F")] = NumberObject(4)  # printable
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
