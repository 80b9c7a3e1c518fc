"""The page-words model: words with boxes and confidence, plus the page's ruling.

Every page-based source (a PDF text layer, AcroForm widgets, and later Tesseract
output for scans) is turned into one :class:`PageWords` per page, and
:mod:`extractors.page_layout` turns those into layout rows. Keeping one model is
what lets the label/section reading serve digital and scanned forms alike: the OCR
path only has to fill ``words`` (with confidences), ``rects``/``lines`` (found from
pixels) and ``inputs`` (checkbox states decided from ink).

Coordinates are PDF points from the page's top-left corner, as in
:class:`extractors.layout.PdfLocation`.

The builder here reads a page once with PDFium: characters with their loose boxes
(``FPDFText_GetLooseCharBox``, a few ms a page) and vector paths walked segment by
segment, so both words and ruling come from one parse of the content stream.
"""

from __future__ import annotations

import ctypes
import logging
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

log = logging.getLogger(__name__)

#: characters that separate words
_SPACES = frozenset(" \t\r\n\x00\xa0\u2002\u2003\u2009\u200b\ufffe\uffff")

#: symbol fonts without a Unicode map come out in the private use area (U+F0xx = code xx);
#: what matters to a form are their bullets, boxes and ticks
_SYMBOL_FONT_GLYPHS: dict[str, dict[int, str]] = {
    "wingdings2": {0x50: "✓", 0x4F: "✗", 0x52: "☑", 0x53: "☒", 0x54: "☒", 0xA3: "☐", 0x2A: "☐",
                   0x97: "•", 0x98: "•", 0xA2: "☐"},
    "wingdings": {0x6F: "☐", 0x71: "☐", 0x72: "☐", 0xA8: "☐", 0x6E: "■", 0x78: "☒", 0xFD: "☒",
                  0xFE: "☑", 0xFC: "✓", 0xFB: "✗", 0xA7: "▪", 0x9F: "•", 0xA1: "○", 0xA4: "◉",
                  0x76: "❖", 0xD8: "➢"},
    "symbol": {0xB7: "•", 0xD6: "√", 0xB4: "×", 0x2D: "-"},
    "zapfdingbats": {0x34: "✔", 0x33: "✓", 0x38: "✘", 0x37: "✗", 0x6E: "■", 0x6F: "❏", 0x71: "❑",
                     0x6C: "●", 0x75: "◆", 0xA8: "♣"},
}
#: the usual meaning when the font cannot be told
_PUA_DEFAULT = {0xB7: "•", 0xA7: "▪", 0xFC: "✓", 0xFE: "☑", 0xFD: "☒", 0xA8: "☐", 0x6F: "☐", 0x6E: "■"}


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned box in points from the page's top-left."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    def contains_point(self, x: float, y: float, tol: float = 0.0) -> bool:
        return self.x0 - tol <= x <= self.x1 + tol and self.top - tol <= y <= self.bottom + tol

    def contains(self, other: Box, tol: float = 1.0) -> bool:
        return (self.x0 - tol <= other.x0 and other.x1 <= self.x1 + tol
                and self.top - tol <= other.top and other.bottom <= self.bottom + tol)

    def union(self, other: Box) -> Box:
        return Box(min(self.x0, other.x0), min(self.top, other.top),
                   max(self.x1, other.x1), max(self.bottom, other.bottom))

    def overlap_y(self, other: Box) -> float:
        return min(self.bottom, other.bottom) - max(self.top, other.top)


@dataclass(frozen=True, slots=True)
class Word:
    """A run of characters without a space, with its box.

    ``confidence`` is 1.0 for a digital text layer and the OCR engine's word
    confidence (0..1) for scans.
    """

    text: str
    box: Box
    confidence: float = 1.0
    size: float = 0.0  # font size in points (box height when unknown)
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Rect:
    """A drawn rectangle (cell border, shaded bar, checkbox square) or a ruling line.

    A line is a rectangle of (almost) zero width or height. ``filled_dark`` marks a
    fill dark enough to be ink (a filled checkbox) rather than cell shading.
    """

    box: Box
    stroked: bool = True
    filled: bool = False
    filled_dark: bool = False


@dataclass(frozen=True, slots=True)
class InputBox:
    """An answer whose value is known without reading ink.

    That is an AcroForm widget, or a checkbox whose state an image analyser decided.

    ``lines`` keeps a multi-line text field's line breaks. ``checked`` is None for
    text inputs and for a checkbox that cannot be decided.
    """

    box: Box
    kind: Literal["text", "checkbox"]
    lines: tuple[str, ...] = ()
    checked: bool | None = None
    field_name: str | None = None
    confidence: float = 1.0


@dataclass
class PageWords:
    """Everything row reconstruction needs to know about one page."""

    number: int  # 1-based
    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)
    #: boxes of strokes that are neither rectangles nor ruling (drawn ticks and crosses)
    ink: list[Box] = field(default_factory=list)
    inputs: list[InputBox] = field(default_factory=list)

    @property
    def char_count(self) -> int:
        return sum(len(w.text) for w in self.words)


# --------------------------------------------------------------------------- PDFium


def page_transform(page: pdfium.PdfPage) -> PageTransform:
    """The mapping from a page's PDF user space to displayed top-left points."""
    left, bottom, right, top = page.get_cropbox()
    return PageTransform(left, top, right - left, top - bottom, page.get_rotation() % 360)


def page_words_from_pdfium(page: pdfium.PdfPage, number: int,
                           transform: PageTransform | None = None) -> PageWords:
    """Read one PDFium page's words and ruling (a single pass over its content)."""
    to_top_left = transform or page_transform(page)
    width, height = to_top_left.display_size
    result = PageWords(number=number, width=width, height=height)
    textpage = page.get_textpage()
    try:
        result.words = _upright(list(_words(textpage, to_top_left)))
    finally:
        textpage.close()
    rects, ink = _ruling(page, to_top_left)
    result.rects = rects
    result.ink = ink
    return result


class PageTransform:
    """PDF user space (bottom-left origin, page /Rotate) to displayed top-left points."""

    def __init__(self, left: float, top: float, width: float, height: float, rotation: int) -> None:
        self.left, self.top, self.width, self.height, self.rotation = left, top, width, height, rotation

    @property
    def display_size(self) -> tuple[float, float]:
        if self.rotation in (90, 270):
            return self.height, self.width
        return self.width, self.height

    def box(self, x0: float, y0: float, x1: float, y1: float) -> Box:
        ax, ay = self.point(x0, y0)
        bx, by = self.point(x1, y1)
        return Box(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))

    def point(self, x: float, y: float) -> tuple[float, float]:
        dx, dy = x - self.left, self.top - y  # unrotated, top-left origin
        if self.rotation == 90:
            return self.height - dy, dx
        if self.rotation == 180:
            return self.width - dx, self.height - dy
        if self.rotation == 270:
            return dy, self.width - dx
        return dx, dy


def _upright(words: list[tuple[Word, int]]) -> list[Word]:
    """Keep the words that run in the page's main direction (drop sideways margin notes)."""
    if not words:
        return []
    chars: Counter[int] = Counter()
    for word, quadrant in words:
        chars[quadrant] += len(word.text)
    # horizontal text wins unless the page is mostly drawn turned (a rotated scan of a table)
    main = 0 if chars[0] >= 0.3 * sum(chars.values()) else chars.most_common(1)[0][0]
    return [word for word, quadrant in words if quadrant == main]


def _words(textpage: pdfium.PdfTextPage, transform: PageTransform) -> Iterator[tuple[Word, int]]:
    raw_page = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw_page)
    rect = pdfium_c.FS_RECTF()
    chars: list[str] = []
    box: list[float] = []  # x0, y0, x1, y1 in user space
    first_index = 0

    def flush() -> tuple[Word, int] | None:
        if not chars:
            return None
        text = "".join(chars)
        size = pdfium_c.FPDFText_GetFontSize(raw_page, first_index)
        weight = pdfium_c.FPDFText_GetFontWeight(raw_page, first_index)
        word_box = transform.box(box[0], box[1], box[2], box[3])
        bold = weight >= 600 or _font_is_bold(raw_page, first_index)
        angle = pdfium_c.FPDFText_GetCharAngle(raw_page, first_index)
        quadrant = round(math.degrees(angle) / 90) % 4 if angle >= 0 else 0
        return Word(text=text, box=word_box, size=float(size) or word_box.height, bold=bold), quadrant

    text = _page_text(raw_page, count)
    for index in range(count):
        if text is not None:
            char = text[index]
        else:
            code = pdfium_c.FPDFText_GetUnicode(raw_page, index)
            char = chr(code) if 0 < code < 0x110000 else " "
        if "\uf000" <= char <= "\uf0ff":
            char = _symbol_glyph(raw_page, index, ord(char) - 0xF000)
        if char in _SPACES:  # PDFium's generated characters are spaces and line breaks
            word = flush()
            if word is not None:
                yield word
            chars = []
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(raw_page, index, rect):
            continue
        x0, y0, x1, y1 = rect.left, rect.bottom, rect.right, rect.top
        if chars:
            line_height = max(box[3] - box[1], 1.0)
            gap = x0 - box[2]
            same_line = abs((y0 + y1) / 2 - (box[1] + box[3]) / 2) < line_height * 0.5
            if not same_line or gap > line_height * 0.3 or gap < -line_height * 2:
                word = flush()
                if word is not None:
                    yield word
                chars = []
        if not chars:
            first_index = index
            box = [x0, y0, x1, y1]
        else:
            box = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
        chars.append(char)
    word = flush()
    if word is not None:
        yield word


def _page_text(raw_page: Any, count: int) -> str | None:
    """All characters in one call; None when UTF-16 surrogates break the index alignment."""
    if count <= 0:
        return None
    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(raw_page, 0, count, buffer)
    raw = ctypes.string_at(ctypes.addressof(buffer), max(written - 1, 0) * 2)
    text = raw.decode("utf-16-le", "replace")
    return text if len(text) == count else None


def _symbol_glyph(raw_page: Any, index: int, code: int) -> str:
    """The meaning of a symbol-font character PDFium could only map to the private use area."""
    name = _font_name(raw_page, index).lower().replace(" ", "").replace("-", "")
    for family in ("wingdings2", "wingdings", "symbol", "zapfdingbats"):
        if family in name:
            return _SYMBOL_FONT_GLYPHS[family].get(code, chr(0xF000 + code))
    return _PUA_DEFAULT.get(code, chr(0xF000 + code))


def _font_name(raw_page: Any, index: int) -> str:
    buffer = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    length = pdfium_c.FPDFText_GetFontInfo(raw_page, index, buffer, 128, ctypes.byref(flags))
    return buffer.value.decode("latin-1", "replace") if length else ""


def _font_is_bold(raw_page: Any, index: int) -> bool:
    name = _font_name(raw_page, index)
    return "bold" in name.lower() or "black" in name.lower() or "heavy" in name.lower()


# ------------------------------------------------------------------- vector ruling

_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_MAX_PATH_OBJECTS = 20_000  # a page of hatching is not a form; stop collecting
_MAX_FORM_DEPTH = 4


def _ruling(page: pdfium.PdfPage, transform: PageTransform) -> tuple[list[Rect], list[Box]]:
    rects: list[Rect] = []
    ink: list[Box] = []
    budget = [_MAX_PATH_OBJECTS]
    count = pdfium_c.FPDFPage_CountObjects(page.raw)
    for i in range(count):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, i)
        _collect(obj, _IDENTITY, transform, rects, ink, budget, 0)
        if budget[0] <= 0:
            break
    return rects, ink


def _matrix_of(obj: Any) -> _Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: _Matrix, outer: _Matrix) -> _Matrix:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer  # noqa: N806
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def _collect(obj: Any, outer: _Matrix, transform: PageTransform, rects: list[Rect], ink: list[Box],
             budget: list[int], depth: int) -> None:
    kind = pdfium_c.FPDFPageObj_GetType(obj)
    if kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
        matrix = _compose(_matrix_of(obj), outer)
        for j in range(pdfium_c.FPDFFormObj_CountObjects(obj)):
            child = pdfium_c.FPDFFormObj_GetObject(obj, j)
            _collect(child, matrix, transform, rects, ink, budget, depth + 1)
            if budget[0] <= 0:
                return
        return
    if kind != pdfium_c.FPDF_PAGEOBJ_PATH:
        return
    budget[0] -= 1
    fill_mode = ctypes.c_int()
    stroke = ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill_mode), ctypes.byref(stroke))
    filled = fill_mode.value != 0
    stroked = bool(stroke.value)
    if not filled and not stroked:
        return
    dark = filled and _is_dark_fill(obj)
    matrix = _compose(_matrix_of(obj), outer)
    for points, curved in _subpaths(obj):
        mapped = [_apply(matrix, x, y) for x, y in points]
        shape = _shape(mapped, transform, curved)
        if shape is None:
            continue
        box, is_rect = shape
        if is_rect:
            rects.append(Rect(box=box, stroked=stroked, filled=filled, filled_dark=dark))
        else:
            ink.append(box)


def _is_dark_fill(obj: Any) -> bool:
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    if not pdfium_c.FPDFPageObj_GetFillColor(obj, ctypes.byref(r), ctypes.byref(g), ctypes.byref(b),
                                             ctypes.byref(a)):
        return True
    return (r.value + g.value + b.value) / 3 < 100 and a.value > 128


def _apply(m: _Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _subpaths(obj: Any) -> Iterator[tuple[list[tuple[float, float]], bool]]:
    """Yield each subpath's points and whether it has curves."""
    x, y = ctypes.c_float(), ctypes.c_float()
    points: list[tuple[float, float]] = []
    curved = False
    for k in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, k)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO and points:
            yield points, curved
            points, curved = [], False
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            curved = True
        points.append((x.value, y.value))
    if points:
        yield points, curved


def _shape(points: list[tuple[float, float]], transform: PageTransform,
           curved: bool) -> tuple[Box, bool] | None:
    """Classify a subpath: (box, True) for a rectangle or ruling line, (box, False) for ink."""
    if len(points) < 2:
        return None
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    box = transform.box(min(xs), min(ys), max(xs), max(ys))
    if curved:
        return box, False
    axis_aligned = all(abs(a[0] - b[0]) < 0.5 or abs(a[1] - b[1]) < 0.5
                       for a, b in zip(points, points[1:], strict=False))
    if not axis_aligned:
        return box, False
    distinct_x = {round(v) for v in xs}
    distinct_y = {round(v) for v in ys}
    if len(distinct_x) <= 2 and len(distinct_y) <= 2:
        return box, True
    return box, False
