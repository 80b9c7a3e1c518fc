"""Fill our blank forms from a referral record, as a practitioner would: for tests and demos.

``record_to_values`` is the inverse of :mod:`extractors.template_fields`: field name →
text (dates written the UK way, one list item per line, an address one part per line)
or tick state. ``fill_pdf`` writes the values into the AcroForm fields with pypdf and
gives every widget an appearance (wrapped text; a tick box in its own on-state), so a
print of the filled form shows what was typed; ``fill_docx`` writes the content controls.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)
from reportlab.lib.utils import simpleSplit

from extractors.record import RecordBuilder
from form_templates.build_docx import CHECKED, UNCHECKED
from form_templates.build_pdf import FONT, LEADING, SIZE
from form_templates.definition import Definition, FormTemplateError, load_definition

Values = dict[str, str | bool]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_INDEX = re.compile(r"\[(\d+)\]")


class FillError(FormTemplateError):
    """The record or the blank form cannot be filled (a value the form has no box for)."""


def _get(record: dict[str, Any], path: str) -> Any:
    builder = RecordBuilder()
    builder.record = record
    return builder.get(path)


def _uk_date(iso: str, style: str) -> str:
    return dt.date.fromisoformat(iso).strftime(style)


def record_to_values(record: dict[str, Any], form: str, *, date_style: str = "%d/%m/%Y",
                     definition: Definition | None = None) -> Values:
    """Field name → what a practitioner would type or tick for ``record`` on ``form``."""
    definition = definition or load_definition()
    values: Values = {definition.marker_field: form}
    for field in definition.fields(form):
        value = _get(record, field.path)
        if field.type == "checkbox":
            ticked = value is not None and value == field.value
            if ticked and field.label_path:
                ticked = _get(record, field.label_path) == field.label_for(form)
            values[field.name] = ticked
        elif value is None or value == []:
            values[field.name] = ""
        elif field.type == "list":
            values[field.name] = "\n".join(value)
        elif field.type == "address":
            values[field.name] = "\n".join(part.strip() for part in value.split(","))
        elif field.type == "date":
            values[field.name] = _uk_date(value, date_style)
        else:
            values[field.name] = str(value)
    _check_fits(record, values, definition, form)
    return values


def _check_fits(record: dict[str, Any], values: Values, definition: Definition, form: str) -> None:
    """Refuse records with more children / rows than the form has boxes for."""
    capacity: dict[str, int] = {}
    for field in definition.fields(form):
        match = _INDEX.search(field.path)
        if match:
            key = field.path[:match.start()]
            capacity[key] = max(capacity.get(key, 0), int(match.group(1)) + 1)
    for key, rows in capacity.items():
        have = _get(record, key) or []
        if len(have) > rows:
            raise FillError(f"{key} has {len(have)} rows; the {form} form has room for {rows}")


# ------------------------------------------------------------------ PDF

def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _font() -> DictionaryObject:
    return DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica"),
                             NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})


def text_appearance(text: str, width: float, height: float, *, multiline: bool) -> DecodedStreamObject:
    """A widget appearance showing ``text`` wrapped to the box, as a viewer would draw it."""
    lines: list[str] = []
    for line in text.split("\n") if multiline else [text.replace("\n", " ")]:
        lines.extend(simpleSplit(line, FONT, SIZE, width - 4) or [""])
    ops = [b"/Tx BMC q", f"1 1 {width - 2:.2f} {height - 2:.2f} re W n BT /Helv {SIZE} Tf 0 g".encode()]
    top = height - 2 - SIZE if multiline else (height - SIZE * 0.72) / 2
    ops.append(f"2 {top:.2f} Td {LEADING} TL".encode())
    for k, line in enumerate(lines):
        ops.append((b"T* " if k else b"") + _pdf_string(line) + b" Tj")
    ops.append(b"ET Q EMC")
    stream = DecodedStreamObject()
    stream.set_data(b"\n".join(ops))
    stream.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(width),
                                          FloatObject(height)]),
        NameObject("/Resources"): DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject("/Helv"): _font()})}),
    })
    return stream


def fill_pdf(blank: bytes, values: Values) -> bytes:
    """Write ``values`` into the form's fields; tick boxes take their own on-state name."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blank)))
    for page in writer.pages:
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            name = annot.get("/T")
            if name not in values:
                continue
            value = values[name]
            if annot.get("/FT") == "/Btn":
                states = [k for k in annot["/AP"]["/N"] if k != "/Off"]
                state = NameObject(states[0] if value is True else "/Off")
                annot[NameObject("/V")] = state
                annot[NameObject("/AS")] = state
                continue
            text = str(value)
            annot[NameObject("/V")] = TextStringObject(text)
            rect = [float(v) for v in annot["/Rect"]]
            multiline = bool(int(annot.get("/Ff", 0)) & 4096)
            appearance = text_appearance(text, rect[2] - rect[0], rect[3] - rect[1], multiline=multiline)
            annot[NameObject("/AP")] = DictionaryObject(
                {NameObject("/N"): writer._add_object(appearance)})
    acroform = writer.root_object["/AcroForm"].get_object()
    if not isinstance(acroform, DictionaryObject):
        raise FillError("the blank form has no AcroForm dictionary")
    acroform[NameObject("/NeedAppearances")] = BooleanObject(False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ------------------------------------------------------------------ Word

def _set_text_control(sdt: etree._Element, text: str) -> None:
    content = sdt.find(f"{{{W}}}sdtContent")
    if content is None:
        raise FillError("a content control has no content")
    runs = content.findall(f".//{{{W}}}r")
    run = runs[0] if runs else etree.SubElement(content, f"{{{W}}}r")
    for extra in runs[1:]:
        extra.getparent().remove(extra)
    for child in list(run):
        if child.tag != f"{{{W}}}rPr":
            run.remove(child)
    for k, line in enumerate(text.split("\n")):
        if k:
            etree.SubElement(run, f"{{{W}}}br")
        node = etree.SubElement(run, f"{{{W}}}t")
        node.text = line
        node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _set_checkbox(sdt: etree._Element, ticked: bool) -> None:
    checked = sdt.find(f"{{{W}}}sdtPr/{{{W14}}}checkbox/{{{W14}}}checked")
    if checked is None:
        raise FillError("a tick box content control has no w14:checked")
    checked.set(f"{{{W14}}}val", "1" if ticked else "0")
    glyph = sdt.find(f"{{{W}}}sdtContent//{{{W}}}t")
    if glyph is None:
        raise FillError("a tick box content control has no glyph")
    glyph.text = CHECKED if ticked else UNCHECKED


def fill_docx(blank: bytes, values: Values) -> bytes:
    """Write ``values`` into the content controls tagged with the field names."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blank)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                root = etree.fromstring(data, etree.XMLParser(resolve_entities=False))
                for sdt in root.iter(f"{{{W}}}sdt"):
                    tag = sdt.find(f"{{{W}}}sdtPr/{{{W}}}tag")
                    name = tag.get(f"{{{W}}}val") if tag is not None else None
                    if name not in values:
                        continue
                    value = values[name]
                    if isinstance(value, bool):
                        _set_checkbox(sdt, value)
                    else:
                        _set_text_control(sdt, value)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, data)
    return out.getvalue()

