"""Page words → layout rows: the row reconstruction shared by printed PDFs, AcroForms and OCR.

A form page is mostly ruled cells. Cells are found from the ruling (rectangle edges
and lines, joined and intersected as in pdfplumber's table finder), words go to the
smallest cell holding their centre, touching cells make a table and cells sharing a
top edge make a row — the same table/row/cell shape a Word file gives, so one reader
serves both. Words outside any cell become text rows, split into cells at large gaps.

Inside a cell, visual wraps are joined into one logical line (the reader makes one
list item per line): a line continues the previous one unless it starts with a list
marker or the previous line ended well short of the cell's right edge.

Checkboxes come from small drawn squares (state from a glyph or ink inside), from
box glyphs in the text (☐ ☒ ✓ …) and from :class:`~extractors.words.InputBox`
entries (AcroForm widgets, OCR pixel decisions); each becomes a
:class:`~extractors.layout.Mark` labelled with the words after it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from extractors.layout import Cell, Layout, Mark, PdfLocation, Row, RowKind
from extractors.ruled_cells import (
    dedupe_boxes,
    find_cells,
    group_tables,
    is_checkbox_square,
    overlaps,
    table_rows,
)
from extractors.words import Box, InputBox, PageWords, Word

#: glyphs that are a checkbox by themselves
CHECKED_GLYPHS = frozenset("☒☑✓✔✗✘■⊠⊗●◉▣◼✅❎")
UNCHECKED_GLYPHS = frozenset("☐□❏❐❑❒○◯▢◻⬜")
#: characters that mean "ticked" when they sit inside a drawn square
_TICK_CHARS = CHECKED_GLYPHS | frozenset("Xx×✕✖•*/\\Vv")

_BULLETS = "-–—•●▪◦‣⁃∙*·➢❖"
#: a list item's start: a bullet ("o" only before a space: Word's second-level bullet), "1.", "(a)"
_LIST_MARKER = re.compile(rf"^\s*(?:o(?=\s)|[{_BULLETS}]|\(?\d{{1,2}}[.)]|\(?[a-z][.)](?=\s))\s*")
_PAGE_NUMBER = re.compile(r"\bpage\s*\d+(\s*(of|/)\s*\d+)?\s*$", re.IGNORECASE)
_PROTECTIVE_MARKING = re.compile(r"^\s*(official|confidential|restricted|protect)\b", re.IGNORECASE)
#: a form's version in a running footer ("v4", "v2.1", "version 3", "Rev. 2"); digits already "#"
_FORM_VERSION = re.compile(r"\b(?:v\s?#(?:\.#)*|ver(?:sion)?\.?\s*#(?:\.#)*|rev(?:ision)?\b\.?)",
                           re.IGNORECASE)
#: share of the page height at the top and bottom searched for running headers and footers
_MARGIN_BAND = 0.05
#: a wider band for lines that say they are a running footer (a page number, marking or version)
_MARKED_BAND = 0.08


# ----------------------------------------------------------------- tokens and lines


@dataclass
class _Token:
    """A word, a checkbox or an input widget placed on a page."""

    box: Box
    text: str = ""
    kind: Literal["word", "mark", "input"] = "word"
    checked: bool | None = None
    confidence: float = 1.0
    size: float = 0.0
    bold: bool = False
    input: InputBox | None = None


@dataclass
class _Line:
    tokens: list[_Token] = field(default_factory=list)
    box: Box = field(default_factory=lambda: Box(0, 0, 0, 0))

    def add(self, token: _Token) -> None:
        self.box = token.box if not self.tokens else self.box.union(token.box)
        self.tokens.append(token)

    @property
    def words(self) -> list[_Token]:
        return [t for t in self.tokens if t.kind == "word"]

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens if t.kind == "word")


def group_lines(tokens: Iterable[_Token]) -> list[_Line]:
    """Group tokens into printed lines, tolerant of baseline jitter and mixed font sizes."""
    lines: list[_Line] = []
    for token in sorted(tokens, key=lambda t: (t.box.top, t.box.x0)):
        height = max(token.box.height, 1.0)
        best: _Line | None = None
        for line in reversed(lines[-6:]):
            overlap = line.box.overlap_y(token.box)
            if overlap >= 0.5 * min(height, max(line.box.height, 1.0)):
                best = line
                break
        if best is None:
            best = _Line()
            lines.append(best)
        best.add(token)
    for line in lines:
        line.tokens.sort(key=lambda t: t.box.x0)
    lines.sort(key=lambda ln: (ln.box.top, ln.box.x0))
    return lines


# ----------------------------------------------------------------- checkboxes


def _page_tokens(page: PageWords, squares: list[Box]) -> list[_Token]:
    """Words, checkbox marks and input widgets of a page as tokens (ticks consumed)."""
    tokens: list[_Token] = []
    widget_boxes = [i.box for i in page.inputs if i.kind == "checkbox"]
    consumed: set[int] = set()
    dark_fills = [r.box for r in page.rects if r.filled_dark and r.box.width < 16 and r.box.height < 16]
    for square in squares:
        if any(overlaps(square, wb, 0.3) for wb in widget_boxes):
            continue
        checked = False
        for index, word in enumerate(page.words):
            if index in consumed:
                continue
            if square.contains_point(word.box.cx, word.box.cy, 1.0) and word.box.width <= square.width + 4:
                consumed.add(index)
                if word.text.strip() and (set(word.text) & _TICK_CHARS or word.text not in UNCHECKED_GLYPHS):
                    checked = True
        if not checked:
            checked = any(square.contains(ink, 3.0) for ink in page.ink) or any(
                square.contains(fill, 1.0) and fill.width < square.width - 0.5 for fill in dark_fills)
        tokens.append(_Token(box=square, kind="mark", checked=checked))
    words = [w for index, w in enumerate(page.words) if index not in consumed]
    for word in _typed_boxes(words):
        tokens.extend(_word_tokens(word))
    for widget in page.inputs:
        if widget.kind == "checkbox":
            tokens.append(_Token(box=widget.box, kind="mark", checked=widget.checked,
                                 confidence=widget.confidence, input=widget))
        else:
            tokens.append(_Token(box=widget.box, kind="input", confidence=widget.confidence, input=widget))
    return tokens


_TYPED_BOX = re.compile(r"^[\[(]\s*([xX✓✔✗✘*/]?)\s*[\])]$")


def _typed_boxes(words: list[Word]) -> list[Word]:
    """Boxes typed as text, "[X] Yes [ ] No" or "( ) No", turned into box glyphs."""
    out: list[Word] = []
    i = 0
    while i < len(words):
        word = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else None
        if word.text in ("[", "(") and nxt is not None and nxt.text in ("]", ")") \
                and 0 <= nxt.box.x0 - word.box.x1 < word.size * 1.5 and word.box.overlap_y(nxt.box) > 0:
            out.append(Word("☐", word.box.union(nxt.box), word.confidence, word.size, word.bold))
            i += 2
            continue
        match = _TYPED_BOX.match(word.text)
        if match and word.text not in ("()", "[]") or word.text in ("[]", "[ ]"):
            glyph = "☒" if match and match.group(1) else "☐"
            out.append(Word(glyph, word.box, word.confidence, word.size, word.bold))
        else:
            out.append(word)
        i += 1
    return out


def _word_tokens(word: Word) -> list[_Token]:
    """A word, split into a mark and a word when it starts with a box glyph ("☒Yes")."""
    text = word.text
    first = text[0]
    if first in CHECKED_GLYPHS or first in UNCHECKED_GLYPHS:
        glyph_width = min(word.box.width, max(word.size, 4.0))
        mark_box = Box(word.box.x0, word.box.top, word.box.x0 + glyph_width, word.box.bottom)
        mark = _Token(box=mark_box, kind="mark", checked=first in CHECKED_GLYPHS,
                      confidence=word.confidence)
        rest = text[1:].strip()
        if not rest:
            return [mark]
        rest_box = Box(mark_box.x1 + 0.1, word.box.top, max(word.box.x1, mark_box.x1 + 0.2), word.box.bottom)
        return [mark, _Token(box=rest_box, text=rest, confidence=word.confidence, size=word.size,
                             bold=word.bold)]
    return [_Token(box=word.box, text=text, confidence=word.confidence, size=word.size, bold=word.bold)]


# ----------------------------------------------------------------- cell content


def _marks(lines: list[_Line], page: int) -> list[Mark]:
    """Label each checkbox with the words after it on its line (before it when none follow).

    An option label that wraps ("☒ Complex" / "needs ☐ Acute") continues with the
    words that start the next line, before its first checkbox.
    """
    marks: list[Mark] = []
    carry: Mark | None = None  # the previous line's last option, when its label ran to the line end
    for line in lines:
        toks = line.tokens
        first = next((i for i, t in enumerate(toks) if t.kind == "mark"), len(toks))
        lead = [t for t in toks[:first] if t.kind == "word"]
        label_after = first == len(toks) or (first + 1 < len(toks) and toks[first + 1].kind == "word")
        used = 0
        if carry is not None and lead and label_after:
            carry.label = f"{carry.label} {' '.join(t.text for t in lead)}".strip()
            used = first
        carry = None
        for i, tok in enumerate(toks):
            if tok.kind != "mark":
                continue
            label: list[str] = []
            for nxt in toks[i + 1:]:
                if nxt.kind != "word":
                    break
                label.append(nxt.text)
            after = bool(label)
            if not label:
                for j in range(i - 1, used - 1, -1):
                    if toks[j].kind != "word":
                        break
                    label.insert(0, toks[j].text)
                    if len(label) >= 4:
                        break
            mark = Mark(label=" ".join(label).rstrip(":").strip(), checked=tok.checked,
                        confidence=tok.confidence, location=_loc(page, tok.box))
            marks.append(mark)
            runs_to_end = all(t.kind == "word" for t in toks[i + 1:])
            carry = mark if after and runs_to_end else None
    return marks


def logical_lines(lines: list[_Line], right: float) -> list[str]:
    """Join visual wraps into logical lines (one per paragraph, bullet or hard break)."""
    out: list[str] = []
    prev: _Line | None = None
    prev_marker_x: float | None = None
    for line in lines:
        words = line.words
        if not words:
            continue
        text = " ".join(w.text for w in words)
        starts_item = bool(_LIST_MARKER.match(text))
        if prev is not None and out and not starts_item:
            prev_words = prev.words
            first = words[0]
            space = max(first.size * 0.3, 2.0)
            gap_below = line.box.top - prev.box.bottom
            close = gap_below < max(prev.box.height, line.box.height) * 1.2
            slack = max((right - line.box.x0) * 0.12, first.size * 2)
            full = prev_words[-1].box.x1 + space + first.box.width >= right - slack
            hanging = prev_marker_x is not None and first.box.x0 > prev_marker_x + 2
            if close and (full or hanging):
                out[-1] = out[-1] + " " + text
                prev = line
                continue
        out.append(text)
        prev_marker_x = words[0].box.x0 if starts_item else None
        prev = line
    return out


def _loc(page: int, box: Box) -> PdfLocation:
    return PdfLocation(page, box.x0, box.top, box.x1, box.bottom)


def _split_question(tokens: list[_Token]) -> tuple[list[_Token], list[_Token]]:
    """Words left of a cell's first checkbox are its question; the rest are the options."""
    marks = [t for t in tokens if t.kind == "mark"]
    if not marks:
        return [], tokens
    first_x = min(m.box.x0 for m in marks)
    question = [t for t in tokens if t.kind == "word" and t.box.x1 <= first_x - 2.0]
    if not question or len(question) == len([t for t in tokens if t.kind == "word"]):
        return [], tokens
    return question, [t for t in tokens if not (t.kind == "word" and t.box.x1 <= first_x - 2.0)]


def _span(boxes: list[Box]) -> Box:
    area = boxes[0] if boxes else Box(0, 0, 0, 0)
    for b in boxes[1:]:
        area = area.union(b)
    return area


def _cell(tokens: list[_Token], box: Box | None, page: int) -> list[Cell]:
    """One ruled cell's content; a cell holding printed words and a text widget gives two cells."""
    inputs = [t for t in tokens if t.kind == "input" and t.input is not None]
    others = [t for t in tokens if t.kind != "input"]
    cells: list[Cell] = []
    question, others = _split_question(others)
    if question:
        cells.extend(_cell(question, None, page))
    if others or not inputs:
        lines = group_lines(others)
        area = box or _span([ln.box for ln in lines])
        left_pad = min((ln.box.x0 for ln in lines), default=area.x0) - area.x0
        right = area.x1 - max(min(left_pad, 6.0), 1.5) - 0.5
        text_lines = logical_lines(lines, right)
        conf = min((t.confidence for t in others), default=1.0)
        cells.append(Cell(lines=text_lines, marks=_marks(lines, page), location=_loc(page, area),
                          confidence=conf))
        if not others and box is not None:
            cells[-1].lines = []
    for tok in sorted(inputs, key=lambda t: (t.box.top, t.box.x0)):
        assert tok.input is not None
        widget = tok.input
        value_lines = [ln.rstrip() for ln in widget.lines if ln.strip()]
        cells.append(Cell(lines=value_lines, location=_loc(page, widget.box), confidence=widget.confidence,
                          is_input=True, field_name=widget.field_name))
    if len(cells) > 1 and not cells[0].lines and not cells[0].marks:
        cells.pop(0)  # a ruled cell holding only a widget: the widget is the cell
    return cells


# ------------------------------------------------------------------ free text


def _split_segments(line: _Line) -> list[list[_Token]]:
    """Split a printed line at large gaps; inputs are always their own segment."""
    segments: list[list[_Token]] = []
    current: list[_Token] = []
    for tok in line.tokens:
        if tok.kind == "input":
            if current:
                segments.append(current)
            segments.append([tok])
            current = []
            continue
        if current:
            prev = current[-1]
            size = max(prev.size, tok.size, prev.box.height * 0.8, 6.0)
            gap = tok.box.x0 - prev.box.x1
            has_mark = any(t.kind == "mark" for t in current)
            if tok.kind == "mark" and not has_mark and gap > size * 0.8:
                segments.append(current)
                current = []
            elif tok.kind == "word" and gap > max(size * 2.2, 14.0) and not has_mark:
                # options after checkboxes stay together; a big gap after a label splits
                segments.append(current)
                current = []
        current.append(tok)
    if current:
        segments.append(current)
    return segments


def _free_rows(lines: list[_Line], page: int) -> list[tuple[float, Row]]:
    """Rows for text outside ruled cells; consecutive lines of one paragraph become one row."""
    rows: list[tuple[float, Row]] = []
    para: list[_Line] = []

    def flush() -> None:
        if not para:
            return
        tokens = [t for ln in para for t in ln.tokens]
        cell = _cell(tokens, None, page)[0]
        right = max(ln.box.x1 for ln in para) - 0.5
        cell.lines = logical_lines(para, right) if len(para) > 1 else cell.lines
        bold = all(t.bold for t in tokens if t.kind == "word")
        kind: RowKind = "heading" if bold and len(para) == 1 and len(cell.text) < 90 else "text"
        rows.append((para[0].box.top, Row(cells=[cell], kind=kind)))
        para.clear()

    for line in lines:
        segments = _split_segments(line)
        if len(segments) == 1 and not any(t.kind != "word" for t in line.tokens):
            if para:
                last = para[-1]
                same_style = all(t.bold for t in line.words) == all(t.bold for t in last.words)
                close = line.box.top - last.box.bottom < max(last.box.height, line.box.height) * 0.8
                aligned = abs(line.box.x0 - para[0].box.x0) < 6 or (
                    line.box.x0 > para[0].box.x0 and bool(_LIST_MARKER.match(para[-1].text)))
                if not (same_style and close and aligned):
                    flush()
            para.append(line)
            continue
        flush()
        cells: list[Cell] = []
        for seg in segments:
            cells.extend(_cell(seg, None, page))
        rows.append((line.box.top, Row(cells=cells, kind="text")))
    flush()
    return rows


# ------------------------------------------------------------------ pages → layout


@dataclass
class _TableInfo:
    index: int
    columns: tuple[int, ...]


def page_rows(page: PageWords, drop: set[int] | None = None, table_base: int = 0,
              continue_from: _TableInfo | None = None) -> tuple[list[Row], list[_TableInfo]]:
    """Rows of one page in reading order, tables numbered from ``table_base``."""
    if drop:
        page = PageWords(page.number, page.width, page.height,
                         [w for i, w in enumerate(page.words) if i not in drop],
                         page.rects, page.ink, page.inputs)
    squares = [r.box for r in page.rects if is_checkbox_square(r.box) and not r.filled_dark]
    squares = dedupe_boxes(squares)
    ruling = [r for r in page.rects if not is_checkbox_square(r.box) and not
              (r.filled_dark and r.box.width < 16 and r.box.height < 16)]
    cells = find_cells(ruling)
    tokens = _page_tokens(page, squares)
    cell_tokens: dict[int, list[_Token]] = {i: [] for i in range(len(cells))}
    free: list[_Token] = []
    by_area = sorted(range(len(cells)), key=lambda i: cells[i].width * cells[i].height)
    bands: dict[int, list[int]] = {}  # 10-pt horizontal bands → cells crossing them, smallest first
    for i in by_area:
        for band in range(int(cells[i].top // 10), int(cells[i].bottom // 10) + 1):
            bands.setdefault(band, []).append(i)
    for tok in tokens:
        cx, cy = tok.box.cx, tok.box.cy
        home = next((i for i in bands.get(int(cy // 10), ()) if cells[i].contains_point(cx, cy)), None)
        if home is None:
            free.append(tok)
        else:
            cell_tokens[home].append(tok)
    placed: list[tuple[float, int, Row]] = []
    infos: list[_TableInfo] = []
    next_index = table_base
    index_of = {id(c): i for i, c in enumerate(cells)}
    for table_no, table in enumerate(group_tables(cells)):
        columns = tuple(sorted({round(c.x0 / 4) for c in table}))
        if table_no == 0 and continue_from is not None and continue_from.columns == columns \
                and not any(t.box.bottom <= min(c.top for c in table) for t in free if t.kind == "word"):
            index = continue_from.index
        else:
            index = next_index
            next_index += 1
        infos.append(_TableInfo(index, columns))
        for row_cells in table_rows(table):
            if len(row_cells) == 1 and _is_text_box(cell_tokens[index_of[id(row_cells[0])]]):
                free.extend(cell_tokens[index_of[id(row_cells[0])]])
                continue
            row = Row(cells=[], kind="table", table=index)
            for cbox in row_cells:
                row.cells.extend(_cell(cell_tokens[index_of[id(cbox)]], cbox, page.number))
            placed.append((row_cells[0].top, 0, row))
    for top, row in _free_rows(group_lines(free), page.number):
        placed.append((top, 1, row))
    placed.sort(key=lambda item: (item[0], item[1]))
    return [row for _, _, row in placed], infos


def _is_text_box(tokens: list[_Token]) -> bool:
    """A framed block of label/value lines (a page border, a boxed section) rather than one answer.

    Such a box is read like unruled text: three or more printed lines, at least two
    of them split by large gaps into label and value.
    """
    if len(tokens) < 6 or any(t.kind == "input" for t in tokens):
        return False
    lines = group_lines(tokens)
    if len(lines) < 3:
        return False
    return sum(1 for line in lines if len(_split_segments(line)) > 1) >= 2


def margin_words(pages: Sequence[PageWords]) -> list[set[int]]:
    """Indexes of each page's running headers and footers.

    Those are margin lines repeated on several pages (digits ignored), and margin lines
    that mark themselves as running text: a page number, a protective marking
    ("OFFICIAL – SENSITIVE") or a form version ("Hackney CSF v4"). A marked line goes
    whole, with the form name beside the page number, so a one-page scan's footer does
    not become an answer.
    """
    per_page: list[list[tuple[list[tuple[str, list[int]]], bool]]] = []
    counts: Counter[str] = Counter()
    for page in pages:
        entries = [_margin_line(line, line.box.top > page.height / 2)
                   for line in group_lines(_band_tokens(page, _MARKED_BAND))]
        per_page.append(entries)
        counts.update({key for segments, _ in entries for key, _ in segments})
    drop: list[set[int]] = []
    for page, entries in zip(pages, per_page, strict=True):
        dropped: set[int] = set()
        in_band = {int(t.confidence) for t in _band_tokens(page, _MARGIN_BAND)}
        for segments, marked in entries:
            for key, indexes in segments:
                repeated = len(pages) > 1 and counts[key] >= 2 and set(indexes) <= in_band
                if marked or repeated:
                    dropped.update(indexes)
        drop.append(dropped)
    return drop


def _band_tokens(page: PageWords, share: float) -> list[_Token]:
    """The page's words in its top and bottom ``share`` of height, each carrying its index."""
    band = page.height * share
    return [_Token(box=w.box, text=w.text, confidence=float(i))
            for i, w in enumerate(page.words) if w.box.top < band or w.box.bottom > page.height - band]


def _margin_line(line: _Line, footer: bool) -> tuple[list[tuple[str, list[int]]], bool]:
    """A margin line's segments (text with digits as "#", word indexes) and whether it is marked.

    Marked means it says it is running text: a page number or a protective marking
    anywhere on the line, or in a footer a form version (a title at the top of page one
    may carry its version too, and names the form type).
    """
    segments = [(re.sub(r"\d+", "#", " ".join(t.text for t in seg).lower()).strip(),
                 [int(t.confidence) for t in seg]) for seg in _split_segments(line)]
    whole = re.sub(r"\d+", "#", line.text.lower())
    marked = any(_PAGE_NUMBER.search(key.replace("#", "1")) or _PROTECTIVE_MARKING.match(key)
                 for key, _ in segments)
    marked = marked or bool(_PAGE_NUMBER.search(whole.replace("#", "1")))
    marked = marked or (footer and bool(_FORM_VERSION.search(whole)))
    return segments, marked


_SENTENCE_END = (".", "!", "?", ":", ";")


def _row_continues(prev: Row, nxt: Row) -> bool:
    """Whether a table row was split by a page break.

    That is: the same table and cells, and every cell that goes on carries on a
    sentence (a lower-case start after no full stop).
    """
    if prev.kind != "table" or nxt.kind != "table" or prev.table is None or prev.table != nxt.table:
        return False
    if len(prev.cells) != len(nxt.cells):
        return False
    carried = 0
    for before, after in zip(prev.cells, nxt.cells, strict=True):
        if not after.lines:
            continue
        if not before.lines or after.marks:
            return False
        first = after.lines[0].lstrip()
        if not first[:1].islower() or before.lines[-1].rstrip().endswith(_SENTENCE_END):
            return False
        carried += 1
    return carried > 0


def _merge_rows(prev: Row, nxt: Row) -> None:
    for before, after in zip(prev.cells, nxt.cells, strict=True):
        if not after.lines:
            continue
        before.lines[-1] = f"{before.lines[-1].rstrip()} {after.lines[0].strip()}"
        before.lines.extend(after.lines[1:])
        before.confidence = min(before.confidence, after.confidence)


def build_layout(pages: Sequence[PageWords], source_format: str) -> Layout:
    """The whole document's rows in reading order, running headers/footers dropped."""
    drops = margin_words(pages)
    rows: list[Row] = []
    table_base = 0
    last: _TableInfo | None = None
    for page, drop in zip(pages, drops, strict=True):
        page_rows_, infos = page_rows(page, drop, table_base, last)
        if rows and page_rows_ and _row_continues(rows[-1], page_rows_[0]):
            _merge_rows(rows[-1], page_rows_.pop(0))
        rows.extend(page_rows_)
        if infos:
            table_base = max(i.index for i in infos) + 1
        ends_with_table = bool(page_rows_) and page_rows_[-1].kind == "table"
        last = infos[-1] if infos and ends_with_table else None
    return Layout(rows=rows, page_count=len(pages), source_format=source_format)
