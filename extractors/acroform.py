"""Fillable PDFs (AcroForm): widget values placed on the printed page, then read by label.

Registered as ``acroform``; it outscores ``pdf-text`` when the PDF has a form.
Each widget becomes an :class:`~extractors.words.InputBox` at its rectangle on the
page words, so the same row reconstruction and label reader handle it: that is how
fields called ``Text1`` or ``Check Box7`` are matched to the printed label beside or
above them. When the field names are our own templates' (``form_templates/``), the
record is built from the names alone (:mod:`extractors.template_fields`).

Values are read with PDFium's form API rather than pypdf: on our 100-field template
pypdf's pure-Python object parser costs ~47 ms of CPU against ~6 ms for PDFium, and
the named-field goal is 40 ms per form. PDFium is built without a JavaScript engine
here and we never trigger form actions, so no document script runs. The document is
opened once for values, words and ruling.

Checkbox and radio states follow each widget's own on-state name (its ``/AP /N`` key
other than ``/Off``: ``/Yes``, ``/On``, ``/1``, ``/Ja``…) compared with its ``/AS``;
a widget without ``/AS`` (forms relying on NeedAppearances) falls back to the field
value against the widget's export value.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors import base
from extractors.base import ExtractionContext, ExtractionResult
from extractors.errors import (
    DamagedDocument,
    ExtractionError,
    NotAnAssessmentForm,
    ResourceLimitExceeded,
)
from extractors.layout import Layout, Location, PdfLocation
from extractors.page_layout import build_layout
from extractors.pdf_text import MIN_TEXT_CHARS, PDF, open_pdf, read_layout_of
from extractors.template_fields import read_template_fields
from extractors.words import Box, InputBox, PageTransform, PageWords, page_transform, page_words_from_pdfium

log = logging.getLogger(__name__)

VERSION = "1"
_BUFFER_CHARS = 32_768  # longest field name / value read (UTF-16 code units)
_OFF = frozenset({"", "off"})
_TEXT_TYPES = frozenset({pdfium_c.FPDF_FORMFIELD_TEXTFIELD, pdfium_c.FPDF_FORMFIELD_COMBOBOX,
                         pdfium_c.FPDF_FORMFIELD_LISTBOX})
_TICK_TYPES = frozenset({pdfium_c.FPDF_FORMFIELD_CHECKBOX, pdfium_c.FPDF_FORMFIELD_RADIOBUTTON})


@dataclass
class FormValues:
    """Every field's value by full name, where its first widget sits, and the pages' words."""

    values: dict[str, str | bool | None] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    pages: list[PageWords] = field(default_factory=list)
    page_count: int = 0

    @property
    def filled(self) -> int:
        return sum(1 for v in self.values.values() if v not in (None, "", False))


class _Strings:
    """One reusable UTF-16 buffer for PDFium's string getters."""

    def __init__(self) -> None:
        self.buffer = (ctypes.c_ushort * _BUFFER_CHARS)()

    def text(self, length: int) -> str:
        if length <= 2:
            return ""
        length = min(length, _BUFFER_CHARS * 2)
        raw = ctypes.string_at(ctypes.addressof(self.buffer), length - 2)
        return raw.decode("utf-16-le", "replace")


def tick_state(appearance_state: str | None, value: str, export_value: str) -> bool:
    """A checkbox/radio widget's state by its own on-state name.

    The widget's ``/AS`` is what a viewer shows and prints, and a widget's states are
    its own names (``/Yes``, ``/On``, ``/1``, ``/Ja``, ``/privacy``…), so anything
    but ``/Off`` is on. (PDFium's ``FPDFAnnot_IsChecked`` misses on-states whose
    appearance dictionary is damaged, and a kid that has ``/AS`` but only ``/XP``.)
    Without ``/AS`` (forms relying on NeedAppearances) the field value decides,
    against the widget's export value when it has one.
    """
    if appearance_state is not None:
        return appearance_state.strip().lstrip("/").lower() not in _OFF
    if value.strip().lstrip("/").lower() in _OFF:
        return False
    return not export_value or value.lstrip("/") == export_value.lstrip("/")


class _WidgetReader:
    """Reads the widgets of each loaded page into input boxes and named values."""

    def __init__(self, document: pdfium.PdfDocument, form: FormValues) -> None:
        self.handle = document.formenv.raw if document.formenv is not None else None
        self.form = form
        self.strings = _Strings()
        self.rect = pdfium_c.FS_RECTF()

    def __call__(self, page: pdfium.PdfPage, index: int, transform: PageTransform) -> list[InputBox]:
        if self.handle is None:
            return []
        inputs: list[InputBox] = []
        for k in range(pdfium_c.FPDFPage_GetAnnotCount(page.raw)):
            annot = pdfium_c.FPDFPage_GetAnnot(page.raw, k)
            if not annot:
                continue
            try:
                box = self._widget(annot, index, transform)
            finally:
                pdfium_c.FPDFPage_CloseAnnot(annot)
            if box is not None:
                inputs.append(box)
        return inputs

    def _widget(self, annot: object, index: int, transform: PageTransform) -> InputBox | None:
        if pdfium_c.FPDFAnnot_GetSubtype(annot) != pdfium_c.FPDF_ANNOT_WIDGET:
            return None
        if pdfium_c.FPDFAnnot_GetFlags(annot) & pdfium_c.FPDF_ANNOT_FLAG_HIDDEN:
            return None
        kind = pdfium_c.FPDFAnnot_GetFormFieldType(self.handle, annot)
        if kind not in _TEXT_TYPES and kind not in _TICK_TYPES:
            return None
        buf = self.strings
        name = buf.text(pdfium_c.FPDFAnnot_GetFormFieldName(self.handle, annot, buf.buffer,
                                                             _BUFFER_CHARS * 2)) or None
        value = buf.text(pdfium_c.FPDFAnnot_GetFormFieldValue(self.handle, annot, buf.buffer,
                                                              _BUFFER_CHARS * 2))
        box = self._box(annot, transform)
        if kind in _TICK_TYPES:
            export = buf.text(pdfium_c.FPDFAnnot_GetFormFieldExportValue(self.handle, annot, buf.buffer,
                                                                         _BUFFER_CHARS * 2))
            state = None
            if pdfium_c.FPDFAnnot_HasKey(annot, b"AS"):
                state = buf.text(pdfium_c.FPDFAnnot_GetStringValue(annot, b"AS", buf.buffer,
                                                                   _BUFFER_CHARS * 2))
            checked = tick_state(state, value, export)
            if name is not None and (checked or name not in self.form.values):
                # a radio group's value says which option is on; a checkbox's is a tick
                on_value = (export or state or True) if kind == pdfium_c.FPDF_FORMFIELD_RADIOBUTTON else True
                self.form.values[name] = on_value if checked else False
            widget = InputBox(box=box, kind="checkbox", checked=checked, field_name=name) if box else None
        else:
            text = value.replace("\r\n", "\n").replace("\r", "\n")
            if name is not None and (text.strip() or name not in self.form.values):
                self.form.values[name] = text if text.strip() else None
            widget = InputBox(box=box, kind="text", lines=tuple(text.split("\n")) if text else (),
                              field_name=name) if box else None
        if widget is not None and name is not None and name not in self.form.locations:
            self.form.locations[name] = PdfLocation(index + 1, widget.box.x0, widget.box.top,
                                                    widget.box.x1, widget.box.bottom)
        return widget

    def _box(self, annot: object, transform: PageTransform) -> Box | None:
        if not pdfium_c.FPDFAnnot_GetRect(annot, self.rect):
            return None
        r = self.rect
        box = transform.box(min(r.left, r.right), min(r.bottom, r.top), max(r.left, r.right),
                            max(r.bottom, r.top))
        return box if box.width >= 1 and box.height >= 1 else None


def read_form(data: bytes, ctx: ExtractionContext, *,
              words: Callable[[FormValues], bool] | bool = True) -> FormValues:
    """Field values and widget boxes, plus the page words, from one PDFium parse.

    Every page is loaded once and its widgets read first; ``words`` (a flag, or a
    test on the values, e.g. "these are not our own template's fields") then says
    whether the same loaded pages are also read for words and ruling.
    """
    form = FormValues()
    try:
        with open_pdf(data, ctx.password) as document:
            document.init_forms()  # must precede loading pages; no JavaScript engine is built in
            form.page_count = len(document)
            if form.page_count > ctx.max_pages:
                raise ResourceLimitExceeded(f"The document has more than {ctx.max_pages} pages")
            _read_loaded_pages(document, form, words)
    except ExtractionError:
        raise
    except (RecursionError, MemoryError):
        raise ResourceLimitExceeded() from None
    except Exception as exc:  # vendor failures must not escape this module
        log.warning("acroform failed: %s", type(exc).__name__)
        raise DamagedDocument() from None
    return form


def _read_loaded_pages(document: pdfium.PdfDocument, form: FormValues,
                       words: Callable[[FormValues], bool] | bool) -> None:
    reader = _WidgetReader(document, form)
    loaded: list[tuple[pdfium.PdfPage | None, PageTransform | None, list[InputBox]]] = []
    try:
        for index in range(form.page_count):
            try:
                page = document[index]
            except pdfium.PdfiumError:
                log.warning("page %d could not be read", index + 1)
                loaded.append((None, None, []))
                continue
            transform = page_transform(page)
            loaded.append((page, transform, reader(page, index, transform)))
        if not (words(form) if callable(words) else words):
            return
        for index, (loaded_page, to_top_left, inputs) in enumerate(loaded):
            if loaded_page is None or to_top_left is None:
                form.pages.append(PageWords(number=index + 1, width=595.0, height=842.0))
                continue
            try:
                page_words = page_words_from_pdfium(loaded_page, index + 1, to_top_left)
            except pdfium.PdfiumError:
                log.warning("page %d text could not be read", index + 1)
                width, height = to_top_left.display_size
                page_words = PageWords(number=index + 1, width=width, height=height)
            page_words.inputs = inputs
            form.pages.append(page_words)
    finally:
        for page, _, _ in loaded:
            if page is not None:
                page.close()


def has_acroform(data: bytes, password: str | None) -> bool:
    """Cheap test: does the document catalog declare an AcroForm."""
    if b"/AcroForm" not in data and b"/ObjStm" not in data:
        return False
    try:
        with open_pdf(data, password) as document:
            form_type = pdfium_c.FPDF_GetFormType(document.raw)
    except ExtractionError:
        return False
    return form_type in (pdfium_c.FORMTYPE_ACRO_FORM, pdfium_c.FORMTYPE_XFA_FOREGROUND)


def acroform_layout(data: bytes, ctx: ExtractionContext, form: FormValues | None = None) -> Layout:
    """The row layout of a fillable PDF: printed words plus each widget at its rectangle."""
    if form is None:
        form = read_form(data, ctx)
    if sum(p.char_count for p in form.pages) < MIN_TEXT_CHARS and not form.filled:
        raise NotAnAssessmentForm("The PDF has neither a text layer nor filled fields")
    layout = build_layout(form.pages, "pdf-acroform")
    layout.named_fields = dict(form.values)
    layout.named_locations = dict(form.locations)
    return layout


@base.register
class AcroFormExtractor:
    """PDFs with AcroForm fields: values from the fields, labels from the printed page."""

    name = "acroform"
    version = VERSION
    media_types: tuple[str, ...] = (PDF,)

    def score(self, media_type: str, data: bytes, ctx: ExtractionContext) -> float:
        if media_type != PDF:
            return 0.0
        return 0.8 if has_acroform(data, ctx.password) else 0.0

    def extract(self, data: bytes, ctx: ExtractionContext) -> ExtractionResult:
        ours: list[ExtractionResult] = []

        def need_words(form: FormValues) -> bool:
            result = read_template_fields(form.values, form.locations)
            if result is not None:  # our own template: the field names say it all
                ours.append(result)
            return result is None

        form = read_form(data, ctx, words=need_words)
        if ours:
            ours[0].page_count = form.page_count
            return ours[0]
        return read_layout_of(acroform_layout(data, ctx, form), self.name, self.version)
