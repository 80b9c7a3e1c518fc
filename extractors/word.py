"""Word (.docx) → ``Layout``: tables, paragraphs, list items and every kind of tick box.

The package is opened through :mod:`extractors.safezip` (bounded inflation, XML parsed
with entities refused) and ``word/document.xml`` is walked directly: python-docx's own
opener parses without those limits, so it never sees untrusted bytes. Tick boxes come
in three shapes in real forms — ☒/☐ glyphs typed as text, content-control checkboxes
(``w14:checkbox``) and legacy ``FORMCHECKBOX`` fields — and all become ``Mark``s.
Tracked changes read as the document would print with them accepted (insertions
kept, deletions skipped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from extractors.base import ExtractionContext, ExtractionResult, register
from extractors.errors import DamagedDocument
from extractors.layout import Cell, DocxLocation, Layout, Location, Mark, Row
from extractors.reader import read_layout
from extractors.reader.checkboxes import typed_box_marks
from extractors.safezip import DocxPackage, open_docx, parse_xml
from extractors.template_fields import read_template_fields

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PART = "word/document.xml"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
_CHECKED_GLYPHS = frozenset("☒☑✓✔■✗✘⊠")
_UNCHECKED_GLYPHS = frozenset("☐□❑❒○")
_GLYPHS = _CHECKED_GLYPHS | _UNCHECKED_GLYPHS
_SKIPPED = frozenset(
    {
        _W + "del",
        _W + "moveFrom",
        _W + "delText",
        _W + "instrText",
        _W + "rPr",
        _W + "pPr",
        _W + "sdtPr",
        _W + "commentReference",
        _W + "footnoteReference",
        _W + "endnoteReference",
    }
)
_HEADING_STYLE = re.compile(r"(?i)^(heading\s*\d|title|subtitle)")
_TRUE = frozenset({"1", "true", "on", ""})
#: a bold paragraph this short reads as a heading (longer bold text is emphasis)
_BOLD_HEADING_WORDS = 14


@dataclass
class _Para:
    """One paragraph as a token stream: text pieces, tick marks and line breaks."""

    tokens: list[tuple[str, Any]] = field(default_factory=list)

    def text(self, piece: str) -> None:
        if piece:
            self.tokens.append(("text", piece))

    def mark(self, checked: bool) -> None:
        self.tokens.append(("mark", checked))

    def br(self) -> None:
        self.tokens.append(("br", None))


@dataclass
class _FieldState:
    depth: int = 0
    in_result: bool = False
    checkbox: bool | None = None


def _on(element: Any, attr: str) -> bool:
    value = element.get(attr)
    return value is None or value.lower() in _TRUE


class _Walker:
    """Walks the document body, producing rows in reading order."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.named: dict[str, str | bool | None] = {}
        self.named_locations: dict[str, Location] = {}
        #: where the walker is (paragraph or table cell): the provenance of a named control
        self.here: Location | None = None
        self.table_index = 0
        self.paragraph_index = 0

    # -------------------------------------------------------------- body level
    def body(self, body: Any) -> None:
        for child in body:
            self.block(child)

    def block(self, element: Any) -> None:
        tag = element.tag
        if tag == _W + "p":
            loc = DocxLocation(PART, paragraph=self.paragraph_index)
            self.here = loc
            lines, marks, heading = self.paragraph(element)
            self.paragraph_index += 1
            self.rows.append(
                Row([Cell(lines=lines, marks=marks, location=loc)], kind="heading" if heading else "text")
            )
        elif tag == _W + "tbl":
            self.table(element)
        elif tag == _W + "sdt":
            self._named_block(element)
            content = element.find(_W + "sdtContent")
            if content is not None:
                for child in content:
                    self.block(child)
        elif tag in (_W + "customXml", _W + "ins", _W + "moveTo"):
            for child in element:
                self.block(child)

    def table(self, tbl: Any) -> None:
        index = self.table_index
        self.table_index += 1
        for r, tr in enumerate(_children(tbl, "tr")):
            cells: list[Cell] = []
            for c, tc in enumerate(_children(tr, "tc")):
                lines: list[str] = []
                marks: list[Mark] = []
                self.here = DocxLocation(PART, table=index, row=r, cell=c)
                for para in _cell_paragraphs(tc):
                    plines, pmarks, _ = self.paragraph(para)
                    lines += plines
                    marks += pmarks
                tag = _single_tag(tc)
                cells.append(
                    Cell(
                        lines=lines,
                        marks=marks,
                        field_name=tag,
                        location=DocxLocation(PART, table=index, row=r, cell=c),
                    )
                )
            self.rows.append(Row(typed_box_marks(cells) or cells, kind="table", table=index))

    # -------------------------------------------------------------- paragraphs
    def paragraph(self, p: Any) -> tuple[list[str], list[Mark], bool]:
        para = _Para()
        self.inline(p, para, _FieldState())
        lines, marks = _resolve(para)
        style = p.find(f"{_W}pPr/{_W}pStyle")
        heading = style is not None and bool(_HEADING_STYLE.match(style.get(_W + "val", "")))
        if not heading and not marks and lines and len(" ".join(lines).split()) <= _BOLD_HEADING_WORDS:
            heading = _all_bold(p)  # a bold line over a box is how many councils title a section
        return lines, marks, heading

    def inline(self, element: Any, para: _Para, fld: _FieldState) -> None:
        for child in element:
            tag = child.tag
            if tag in _SKIPPED:
                continue
            if tag == _W + "t":
                if fld.depth == 0 or fld.in_result:
                    _glyph_text(child.text or "", para)
            elif tag in (_W + "tab", _W + "ptab"):
                para.text("\t")
            elif tag in (_W + "br", _W + "cr"):
                para.br()
            elif tag == _W + "sym":
                char = _sym_char(child.get(_W + "char", ""))
                if char:
                    _glyph_text(char, para)
            elif tag == _W + "fldChar":
                self._field_char(child, para, fld)
            elif tag == _W + "sdt":
                self._inline_sdt(child, para, fld)
            elif tag == _W + "fldSimple":
                self.inline(child, para, fld)
            elif tag == _W + "tbl" or tag.endswith("}txbxContent"):
                continue
            else:
                self.inline(child, para, fld)

    def _field_char(self, element: Any, para: _Para, fld: _FieldState) -> None:
        kind = element.get(_W + "fldCharType")
        if kind == "begin":
            fld.depth += 1
            fld.in_result = False
            box = element.find(f"{_W}ffData/{_W}checkBox")
            if box is not None:
                checked = box.find(_W + "checked")
                default = box.find(_W + "default")
                if checked is not None:
                    fld.checkbox = _on(checked, _W + "val")
                else:
                    fld.checkbox = default is not None and _on(default, _W + "val")
        elif kind == "separate":
            fld.in_result = True
        elif kind == "end":
            if fld.checkbox is not None:
                para.mark(fld.checkbox)
                fld.checkbox = None
            fld.depth = max(0, fld.depth - 1)
            fld.in_result = False

    def _inline_sdt(self, sdt: Any, para: _Para, fld: _FieldState) -> None:
        props = sdt.find(_W + "sdtPr")
        content = sdt.find(_W + "sdtContent")
        box = props.find(_W14 + "checkbox") if props is not None else None
        if box is not None:
            checked = box.find(_W14 + "checked")
            state = checked is not None and checked.get(_W14 + "val", "0").lower() in ("1", "true")
            para.mark(state)
            self._remember(props, state)
            return  # the glyph inside the control only draws the state
        if content is not None:
            if props is not None:
                self._remember(props, _plain_text(content) or None)
            self.inline(content, para, fld)

    def _named_block(self, sdt: Any) -> None:
        props = sdt.find(_W + "sdtPr")
        content = sdt.find(_W + "sdtContent")
        if props is not None and content is not None:
            self._remember(props, _plain_text(content) or None)

    def _remember(self, props: Any, value: str | bool | None) -> None:
        tag = props.find(_W + "tag")
        name = tag.get(_W + "val") if tag is not None else None
        if name:
            self.named[name] = value
            if self.here is not None:
                self.named_locations.setdefault(name, self.here)


def _all_bold(p: Any) -> bool:
    """Whether every run of the paragraph that holds text is bold."""
    runs = [r for r in p.iter(_W + "r") if any((t.text or "").strip() for t in r.findall(_W + "t"))]
    if not runs:
        return False
    for run in runs:
        bold = run.find(f"{_W}rPr/{_W}b")
        if bold is None or not _on(bold, _W + "val"):
            return False
    return True


def _children(element: Any, name: str) -> list[Any]:
    """Direct children named ``w:name``, looking through content controls and tracked insertions."""
    out: list[Any] = []
    for child in element:
        if child.tag == _W + name:
            out.append(child)
        elif child.tag in (_W + "sdt", _W + "customXml", _W + "ins"):
            inner = child.find(_W + "sdtContent") if child.tag == _W + "sdt" else child
            if inner is not None:
                out += _children(inner, name)
    return out


def _cell_paragraphs(tc: Any) -> list[Any]:
    """Paragraphs of a cell in order, nested tables' paragraphs included."""
    out: list[Any] = []
    for child in tc:
        if child.tag == _W + "p":
            out.append(child)
        elif child.tag in (_W + "tbl", _W + "sdt", _W + "sdtContent", _W + "tr", _W + "tc", _W + "customXml"):
            out += _cell_paragraphs(child)
    return out


def _single_tag(tc: Any) -> str | None:
    tags = tc.findall(f".//{_W}sdtPr/{_W}tag")
    return tags[0].get(_W + "val") if len(tags) == 1 else None


def _plain_text(element: Any) -> str:
    """A control's text with its line breaks and paragraph ends kept as newlines (one list item each)."""
    parts: list[str] = []
    for node in element.iter(_W + "t", _W + "br", _W + "cr", _W + "p"):
        if node.tag == _W + "t":
            parts.append(node.text or "")
        elif parts and not parts[-1].endswith("\n"):
            parts.append("\n")
    return "".join(parts).strip()


def _sym_char(code: str) -> str:
    try:
        char = chr(int(code, 16))
    except ValueError:
        return ""
    # Wingdings ticks / boxes in the private-use area
    return {"\uf0fe": "☒", "\uf078": "☒", "\uf0fc": "✓", "\uf06f": "☐", "\uf0a8": "☐", "\uf071": "☐"}.get(
        char, ""
    )


def _glyph_text(text: str, para: _Para) -> None:
    piece: list[str] = []
    for char in text:
        if char in _GLYPHS:
            para.text("".join(piece))
            piece = []
            para.mark(char in _CHECKED_GLYPHS)
        else:
            piece.append(char)
    para.text("".join(piece))


def _resolve(para: _Para) -> tuple[list[str], list[Mark]]:
    """Token stream → logical lines (marks removed) and marks labelled with their option text."""
    lines: list[str] = []
    marks: list[Mark] = []
    current: list[str] = []
    tokens = para.tokens
    has_marks = any(kind == "mark" for kind, _ in tokens)
    label_after = True
    if has_marks:
        first = next((k for k, v in tokens if k != "text" or str(v).strip()), "mark")
        last = next((k for k, v in reversed(tokens) if k != "text" or str(v).strip()), "mark")
        label_after = not (first == "text" and last == "mark")
    for i, (kind, value) in enumerate(tokens):
        if kind == "text":
            current.append(str(value))
        elif kind == "br":
            lines.append("".join(current))
            current = []
        else:
            label = _neighbour_text(tokens, i, after=label_after)
            marks.append(Mark(label=label, checked=bool(value)))
            current.append(" ")
    lines.append("".join(current))
    cleaned = [re.sub(r"\s+", " ", line).strip() for line in lines]
    return [line for line in cleaned if line], marks


def _neighbour_text(tokens: list[tuple[str, Any]], index: int, *, after: bool) -> str:
    step = 1 if after else -1
    out: list[str] = []
    j = index + step
    while 0 <= j < len(tokens) and tokens[j][0] == "text":
        out.append(str(tokens[j][1]))
        j += step
    if not after:
        out.reverse()
    text = re.sub(r"\s+", " ", "".join(out)).strip()
    if not after and ":" in text:
        text = text.rsplit(":", 1)[-1].strip()  # "Question: Yes ☒" → the option only
    return text




_STRICT_W = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
_TRANSITIONAL_W = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RELS_LIMIT = 1024 * 1024


def _main_part(package: DocxPackage) -> str:
    """The main document part named by the package relationships (usually word/document.xml)."""
    if "_rels/.rels" not in package:
        return PART
    rels = parse_xml(package.read("_rels/.rels", limit=_RELS_LIMIT))
    for rel in rels:
        if str(rel.get("Type", "")).endswith("/officeDocument"):
            target = str(rel.get("Target", "")).lstrip("/")
            if target and target in package:
                return target
    return PART


@register
class WordExtractor:
    """Reads completed forms saved as Word (.docx) files."""

    name = "word"
    version = "1.0"
    media_types: tuple[str, ...] = (DOCX_MEDIA_TYPE,)

    def score(self, media_type: str, data: bytes, ctx: ExtractionContext) -> float:
        return 1.0 if media_type == DOCX_MEDIA_TYPE else 0.0

    def extract(self, data: bytes, ctx: ExtractionContext) -> ExtractionResult:
        layout = docx_layout(data, ctx)
        ours = read_template_fields(layout.named_fields, layout.named_locations)
        if ours is not None:  # our own template: its content-control tags name every field
            return ours
        return read_layout(layout, extractor=self.name, version=self.version)


def docx_layout(data: bytes, ctx: ExtractionContext) -> Layout:
    """The document body as rows of cells (tables) and one-cell rows (paragraphs)."""
    with open_docx(data, ctx) as package:
        part = _main_part(package)
        try:
            xml = package.read(part)
        except KeyError:
            raise DamagedDocument("The Word file has no document body") from None
    # ISO 29500 Strict files use other namespace names for the same elements
    xml = xml.replace(_STRICT_W, _TRANSITIONAL_W)
    root = parse_xml(xml)
    body = root.find(_W + "body")
    if body is None:
        raise DamagedDocument("The Word file has no document body")
    walker = _Walker()
    walker.body(body)
    return Layout(rows=walker.rows, page_count=1, named_fields=walker.named,
                  named_locations=walker.named_locations, source_format="docx")
