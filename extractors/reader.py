"""The label/section reader: a ``Layout`` (any source format) → a referral record.

Written once for every format. It follows what a person filling in the form follows:
section headings, the labels beside or above each box, column headings of tables and
which tick box is marked. It never uses coordinates or a council's field names, so a
layout it has never seen reads the same way as long as its wording is in the
vocabulary (``vocabulary.json``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from extractors import normalise as nz
from extractors.base import ExtractionResult
from extractors.errors import NotAnAssessmentForm
from extractors.layout import Cell, Layout, Location, Mark, PdfLocation, Row
from extractors.record import RecordBuilder
from extractors.vocabulary import FieldSpec, Match, Vocabulary, load

#: sections whose recognition shows the document is an assessment form
CORE_SECTIONS = frozenset(
    {
        "children",
        "child_block",
        "family",
        "parents",
        "referrer",
        "agencies",
        "strengths",
        "needs",
        "outcomes",
        "support_plan",
        "child_views",
        "parent_views",
        "level",
        "safeguarding",
        "consent",
        "excluded",
        "manager",
    }
)
MIN_CORE_HITS = 4

#: confidence of a value found by a fallback (label and value run together in one cell)
PREFIX_CONFIDENCE = 0.85
#: confidence of consent inferred from a completed name/signature + date block
SIGNED_CONSENT_CONFIDENCE = 0.9
#: confidence when a value fails its normalisation (kept as written)
UNPARSED_CONFIDENCE = 0.5
#: confidence of an empty field in a section where a label was not recognised
POSSIBLY_MISSED_CONFIDENCE = 0.6
#: confidence when ticks contradict each other or cannot be read
AMBIGUOUS_CONFIDENCE = 0.3

_TABLE_PREFIX = {
    "children": "children[]",
    "parents": "family.parents_carers[]",
    "agencies": "agencies_involved[]",
}
_TICK_TYPES = frozenset({"bool", "consent", "given_by", "tier"})
_CHILD_KEYS = (
    "full_name",
    "date_of_birth",
    "expected_date_of_delivery",
    "gender",
    "school_or_setting",
    "nhs_number",
    "upn",
)


@dataclass
class _Value:
    value: Any
    confidence: float
    location: Location | None


@dataclass
class _Table:
    kind: str
    columns: list[str | None]
    header: list[Cell]
    table_id: int | None


@dataclass
class _Target:
    """Where content rows below a heading or a lone label go."""

    kind: str  # "list", "text", "field"
    name: str  # list/text target path, or field key
    confidence: float = 1.0
    filled: bool = False


@dataclass
class _State:
    section: str | None = None
    table: _Table | None = None
    target: _Target | None = None
    hits: set[str] = field(default_factory=set)


class LayoutReader:
    """Reads one ``Layout``; use :func:`read_layout`."""

    def __init__(self, layout: Layout, vocab: Vocabulary | None = None) -> None:
        self.layout = layout
        self.vocab = vocab or load()
        self.state = _State()
        self.scalars: dict[str, _Value] = {}
        self.records: dict[str, list[dict[str, _Value]]] = {"children": [], "parents": [], "agencies": []}
        self.lists: dict[str, list[_Value]] = {"strengths": [], "needs": [], "consent.excluded_agencies": []}
        self.outcomes: list[tuple[_Value, _Value | None]] = []
        self.texts: dict[str, list[_Value]] = {}
        self.signature: _Value | None = None
        self._index = 0
        self._field_columns: list[str | None] | None = None
        self.unknown_labels: set[str] = set()
        self.seen_fields: set[str] = set()

    # ------------------------------------------------------------------ entry
    def read(self) -> RecordBuilder:
        for index, row in enumerate(self.layout.rows):
            self._index = index
            self._row(row)
        core = self.state.hits & CORE_SECTIONS
        if len(core) < MIN_CORE_HITS:
            raise NotAnAssessmentForm(
                "The document does not carry the sections of an early help assessment form"
            )
        return self._build()

    # ------------------------------------------------------------------ rows
    def _row(self, row: Row) -> None:
        cells = [c for c in row.cells]
        filled = [c for c in cells if c.text or c.marks]
        if not filled:
            target = self.state.target
            if target and target.kind == "field" and row.kind == "table" and len(cells) == 1:
                target.filled = True  # an empty box under its label: answered blank
                self.state.target = None
            return
        pending = self._field_columns
        self._field_columns = None
        if (
            pending is not None
            and len(cells) == len(pending)
            and not any(self._strong_label(c) for c in cells)
        ):
            for key, cell in zip(pending, cells, strict=True):
                if key is not None:
                    self._assign(self.vocab.fields[key], cell, 1.0)
            return
        table = self.state.table
        if table is not None:
            if self._continues_table(row, table):
                self._table_record(row, table)
                return
            self.state.table = None
        single = len(filled) == 1 and not filled[0].marks and not filled[0].is_input
        if single and row.kind != "table" and self._split_heading_lines(filled[0], row):
            return
        if single and self._split_label_lines(filled[0], row):
            return
        if single and self._single(filled[0], row):
            return
        columns = self._field_header(row)
        if columns is not None:
            self._field_columns = columns
            self.state.target = None
            return
        header = self._header(row)
        if header is not None:
            prefix = _TABLE_PREFIX.get(self.vocab.tables[header.kind].section)
            for col in header.columns:
                fspec = self._field_for_column(prefix, col) if prefix and col else None
                if fspec is not None:
                    self.seen_fields.add(fspec.key)
            self.state.table = header
            self.state.target = None
            self.state.hits.add(self.vocab.tables[header.kind].section)
            if header.kind == "outcomes":
                self.state.hits.add("outcomes")
            return
        if len(filled) == 1 and self._content(filled[0]):
            return
        self._pairs(cells)

    def _split_heading_lines(self, cell: Cell, row: Row) -> bool:
        """Free text whose lines run a heading into its answer ("What is working well? Amy is kind").

        Printed PDFs sometimes join a heading line with the lines after it; each line
        that is (or starts with) a section heading then starts a new row of its own.
        """
        pieces: list[list[str]] = [[]]
        split = False
        for line in cell.lines:
            head, rest = self._heading_prefix(line)
            if head is not None and (pieces[-1] or rest or len(cell.lines) > 1):
                split = True
                if pieces[-1]:
                    pieces.append([])
                pieces[-1].append(head)
                pieces.append([rest] if rest else [])
            else:
                pieces[-1].append(line)
        if not split:
            return False
        for lines in pieces:
            if lines:
                self._row(
                    Row(
                        [Cell(lines=lines, location=cell.location, confidence=cell.confidence)],
                        kind=row.kind,
                        table=row.table,
                    )
                )
        return True

    def _heading_prefix(self, line: str) -> tuple[str | None, str]:
        match = self.vocab.match_heading(line)
        if match is not None and match.score >= 0.95:
            return line, ""
        for sep in ("?", ":"):
            head, found, rest = line.partition(sep)
            if found and rest.strip():
                match = self.vocab.match_heading(head + sep)
                if match is not None and match.score >= 0.95:
                    return head + sep, rest.strip()
        prefixed = self.vocab.match_heading_prefix(line)
        if prefixed is not None and self.vocab.sections[prefixed[0].key].kind in ("list", "text"):
            rest = prefixed[1]
            return line[: len(line) - len(rest)].strip(), rest
        return None, line

    def _split_label_lines(self, cell: Cell, row: Row) -> bool:
        """A box of "Label: value" lines ("Name: Jo Bloggs / Role: Nurse") read line by line."""
        if len(cell.lines) < 2 or (self.state.target is not None and self.state.target.kind != "field"):
            return False
        labelled = [
            line
            for line in cell.lines
            if ":" in line and self.vocab.match_field_prefix(line, self.state.section) is not None
        ]
        if len(labelled) < 2:
            return False
        for line in cell.lines:
            part = Cell(lines=[line], location=cell.location, confidence=cell.confidence)
            label, _, value = line.partition(":")
            if value.strip() and self.vocab.match_field(label, self.state.section) is not None:
                self._pairs(
                    [
                        Cell(lines=[label], location=cell.location),
                        Cell(lines=[value.strip()], location=cell.location, confidence=cell.confidence),
                    ]
                )
            else:
                self._row(Row([part], kind=row.kind, table=row.table))
        return True

    def _field_header(self, row: Row) -> list[str | None] | None:
        """A row of labels whose values sit in the row below ("Name | Role | Agency" over "Jo | Nurse | NHS").

        Only in a section of single fields (referrer, consent, manager, family): in a
        children/parents/agencies section such a row heads a records table instead.
        """
        section = self.state.section
        if section is None or self.vocab.sections[section].kind != "fields" or len(row.cells) < 2:
            return None
        keys: list[str | None] = []
        for cell in row.cells:
            if not cell.text or cell.is_input or cell.marks:
                return None
            match = self.vocab.match_field(cell.text, section)
            if match is None or match.score < 0.9:
                return None
            fspec = self.vocab.fields[match.key]
            if _is_record_path(fspec.path):
                return None
            keys.append(None if fspec.type == "ignore" else match.key)
        if len(set(keys)) != len(keys):
            return None
        following = self._next_filled_row()
        if following is None or len(following.cells) != len(row.cells):
            return None
        if any(self._strong_label(c) for c in following.cells):
            return None
        return keys

    def _next_filled_row(self) -> Row | None:
        for row in self.layout.rows[self._index + 1 :]:
            if any(c.text or c.marks for c in row.cells):
                return row
        return None

    def _single(self, cell: Cell, row: Row) -> bool:
        """A one-cell row: a heading, a lone label (value below), or content."""
        text = cell.text
        heading = self.vocab.match_heading(text)
        label = self.vocab.match_field(text, self.state.section)
        if label and self.vocab.fields[label.key].type == "ignore":
            label = None
        target = self.state.target
        if target is not None and target.kind in ("list", "text"):
            # inside a list or text box only a confident heading/label ends the content
            if heading is not None and heading.score < 0.9:
                heading = None
            if label is not None and label.score < 0.9:
                label = None
            if heading is None and label is None:
                return False
        if (
            heading
            and label is not None
            and heading.score <= label.score
            and self._value_follows(heading.key)
        ):
            heading = None  # "CAF author" over a box holding the name: a label, not a section
        if heading and (label is None or heading.score >= label.score):
            self._enter(heading, text)
            return True
        if label:
            fspec = self.vocab.fields[label.key]
            self._switch_for(fspec, label)
            self.state.target = _Target("field", label.key, confidence=label.score)
            self.state.hits.add(fspec.section or "")
            return True
        return False

    def _value_follows(self, section: str) -> bool:
        """Whether the next row with text is a lone plain value (no label, heading or tick boxes)."""
        for row in self.layout.rows[self._index + 1 :]:
            filled = [c for c in row.cells if c.text or c.marks]
            if not filled:
                continue
            if len(filled) != 1 or filled[0].marks:
                return False
            text = filled[0].text
            return (
                self.vocab.match_heading(text) is None
                and self.vocab.match_field(text, section) is None
                and self.vocab.match_field_prefix(text, section) is None
            )
        return False

    def _enter(self, heading: Match, text: str) -> None:
        spec = self.vocab.sections[heading.key]
        self.state.hits.add(spec.key)
        self.state.table = None
        self.state.target = None
        section = spec.records_of or spec.key
        if spec.kind == "records" and spec.numbered and re.search(r"\b(?:\d{1,2}|[a-h])\W*$", text):
            self.records[_records_key(section)].append({})  # "Child / young person 2": a new record
        self.state.section = section
        if spec.kind == "list" and spec.target:
            self.state.target = _Target("list", spec.target, confidence=min(1.0, heading.score + 0.05))
        elif spec.kind == "text" and spec.target:
            self.state.target = _Target("text", spec.target, confidence=min(1.0, heading.score + 0.05))
        elif spec.default_field:
            self.state.target = _Target("field", spec.default_field, confidence=heading.score)

    def _switch_for(self, fspec: FieldSpec, match: Match) -> None:
        if fspec.section and fspec.section != self.state.section:
            self.state.section = fspec.section
            self.state.hits.add(fspec.section)

    # ------------------------------------------------------------------ content under headings
    def _content(self, cell: Cell) -> bool:
        target = self.state.target
        if target is None:
            return False
        conf = target.confidence * cell.confidence
        if target.kind == "list":
            for item in nz.split_items(cell.lines):
                self.lists.setdefault(target.name, []).append(_Value(item, conf, cell.location))
            return True
        if target.kind == "text":
            self.texts.setdefault(target.name, []).append(_Value(cell.lines, conf, cell.location))
            return True
        fspec = self.vocab.fields[target.name]
        if fspec.type == "text" and fspec.path and fspec.path.startswith("safeguarding"):
            self.texts.setdefault(fspec.path, []).append(_Value(cell.lines, conf, cell.location))
            return True
        if target.filled:
            return False
        self._assign(fspec, cell, target.confidence)
        target.filled = True
        self.state.target = None
        return True

    # ------------------------------------------------------------------ label / value pairs
    def _pairs(self, cells: list[Cell]) -> None:
        """Label/value cells along one row: "Name | X | Role | Y", "Q? | ☐ Yes | ☒ No", "Name | Amy | Ben"."""
        i = 0
        self.state.target = None
        while i < len(cells):
            cell = cells[i]
            if not (cell.text or cell.marks):
                i += 1
                continue
            label = None if cell.is_input else self._label_of(cell)
            if label is None:
                section = None if cell.is_input or cell.marks else self._section_label(cell)
                if section is not None and i + 1 < len(cells) and not self._strong_label(cells[i + 1]):
                    self._content_into(section, cells[i + 1])
                    i += 2
                    continue
                self._unlabelled(cell, cells[i + 1] if i + 1 < len(cells) else None)
                i += 1
                continue
            fspec = self.vocab.fields[label.key]
            self._switch_for(fspec, label)
            self.state.hits.add(fspec.section or "")
            if cell.marks:
                self._assign(fspec, cell, label.score)
                i += 1
                continue
            values = self._values_after(cells, i, fspec)
            if not values:
                if i + 1 >= len(cells):
                    self.state.target = _Target("field", label.key, confidence=label.score)
                i += 1
                continue
            if len(values) > 1 and fspec.type not in _TICK_TYPES and _is_record_path(fspec.path):
                self._transposed(fspec, values, label.score)  # "Name | Amy | Ben": one value per child
            elif len(values) > 1:
                merged = Cell(
                    lines=[line for v in values for line in v.lines],
                    marks=[m for v in values for m in v.marks],
                    location=values[0].location,
                    confidence=min(v.confidence for v in values),
                )
                self._assign(fspec, merged, label.score)
            else:
                self._assign(fspec, values[0], label.score)
            i += 1 + len(values)

    def _values_after(self, cells: list[Cell], i: int, fspec: FieldSpec) -> list[Cell]:
        """The value cells of the label at ``i``: one, or a run of tick cells, or one per record."""
        out: list[Cell] = []
        for cell in cells[i + 1 :]:
            if not cell.is_input and not cell.marks and self._strong_label(cell):
                break
            if out:
                if fspec.type in _TICK_TYPES:
                    if not (cell.marks and out[-1].marks):
                        break
                elif not _is_record_path(fspec.path) or self.state.section not in (
                    "children",
                    "parents",
                    "agencies",
                ):
                    break
                elif not cell.text:
                    out.append(cell)
                    continue
                elif self._label_of(cell) is not None:
                    break
            out.append(cell)
        if _is_record_path(fspec.path) and fspec.type not in _TICK_TYPES and len(out) > 1:
            return out  # one column per child: blanks keep their places
        while len(out) > 1 and not (out[-1].text or out[-1].marks):
            out.pop()
        return out

    def _transposed(self, fspec: FieldSpec, values: list[Cell], label_score: float) -> None:
        assert fspec.path is not None
        self.seen_fields.add(fspec.key)
        group, key = fspec.path.split("[].")
        records = self.records[_records_key_for_path(group)]
        base = next((n for n, rec in enumerate(records) if key not in rec), len(records))
        for k, cell in enumerate(values):
            while len(records) <= base + k:
                records.append({})
            value, conf = self._convert(
                fspec.type, cell.lines, _label_confidence(label_score) * cell.confidence
            )
            records[base + k][key] = _Value(value, conf, cell.location)

    def _unlabelled(self, cell: Cell, following: Cell | None) -> None:
        """Not a label: ticks answering the section's own question, or "Label value" run together."""
        if cell.marks and self.state.section:
            default = self.vocab.sections[self.state.section].default_field
            if default:
                self._assign(self.vocab.fields[default], cell, 0.9)
            return
        if cell.is_input:
            return
        prefixed = self.vocab.match_field_prefix(cell.text, self.state.section)
        if prefixed is not None and self._plausible(self.vocab.fields[prefixed[0].key], prefixed[1]):
            match, rest = prefixed
            fspec = self.vocab.fields[match.key]
            self._switch_for(fspec, match)
            self._assign(
                fspec, Cell(lines=[rest], location=cell.location, confidence=cell.confidence), match.score
            )
            return
        if following is not None and following.text and _label_like(cell.text) and self.state.section:
            # a label we do not know, with an answer beside it: what it holds may be missing
            self.unknown_labels.add(self.state.section)

    def _section_label(self, cell: Cell) -> _Target | None:
        """A list/text heading used as a row label ("Child's views | I like school")."""
        heading = self.vocab.match_heading(cell.text)
        if heading is None or heading.score < 0.9:
            return None
        spec = self.vocab.sections[heading.key]
        if spec.kind not in ("list", "text") or not spec.target:
            return None
        self.state.hits.add(spec.key)
        return _Target(spec.kind, spec.target, confidence=heading.score)

    def _content_into(self, target: _Target, cell: Cell) -> None:
        saved = self.state.target
        self.state.target = target
        self._content(cell)
        self.state.target = saved

    def _plausible(self, fspec: FieldSpec, rest: str) -> bool:
        """Whether the text after a run-together label fits the field (guards "Date of birth" → "Date")."""
        if fspec.type in ("ignore", "signature") or fspec.path is None:
            return False
        value, conf = self._convert(fspec.type, [rest], 1.0)
        if value is None or conf < 1.0:
            return False
        return fspec.type not in ("text", "name", "address") or rest[:1].isupper() or rest[:1].isdigit()

    def _label_of(self, cell: Cell) -> Match | None:
        text = cell.text
        if cell.marks:
            text = _question_text(cell)
            if not text:
                return None
        match = self.vocab.match_field(text, self.state.section)
        if match is not None and self.vocab.fields[match.key].type == "ignore" and not cell.marks:
            return match  # known label of a field we do not keep: still a label, its value is skipped
        return match

    def _strong_label(self, cell: Cell) -> bool:
        if not cell.text:
            return False
        match = self.vocab.match_field(cell.text, self.state.section)
        return match is not None and match.score >= 0.97

    # ------------------------------------------------------------------ values
    def _assign(self, fspec: FieldSpec, cell: Cell, label_score: float) -> None:
        self.seen_fields.add(fspec.key)
        if fspec.type == "ignore" or fspec.path is None:
            return
        conf = _label_confidence(label_score) * cell.confidence
        loc = cell.location
        if fspec.path.startswith(("children[]", "family.parents_carers[]", "agencies_involved[]")):
            self._record_field(fspec, cell, conf)
            return
        if fspec.type in ("bool", "consent", "given_by", "tier") and cell.marks:
            self._marks(fspec, cell.marks, conf, loc)
            return
        if fspec.type == "signature":
            text = nz.join_lines(cell.lines)
            if text:
                self.signature = _Value(text, conf, loc)
            return
        if fspec.type == "text" and fspec.path in ("safeguarding.details",):
            self.texts.setdefault(fspec.path, []).append(_Value(cell.lines, conf, loc))
            return
        value, conf = self._convert(fspec.type, cell.lines, conf)
        self._scalar(fspec.path, value, conf, loc)

    def _scalar(self, path: str, value: Any, conf: float, loc: Location | None) -> None:
        current = self.scalars.get(path)
        if current is not None and current.value is not None:
            return  # the first answer on the form wins
        self.scalars[path] = _Value(value, conf, loc)

    def _convert(self, ftype: str, lines: list[str], conf: float) -> tuple[Any, float]:
        text = nz.join_lines(lines)
        if text is None:
            return None, conf
        if ftype == "date":
            iso = nz.parse_date(text)
            if iso is None:
                return text, min(conf, UNPARSED_CONFIDENCE)  # kept as written, flagged
            return iso, conf if "1900" <= iso[:4] <= "2100" else min(conf, UNPARSED_CONFIDENCE)
        if ftype == "postcode":
            value = nz.normalise_postcode(text)
            ok = value is not None and nz.looks_like_postcode(value)
            return value, conf if ok else min(conf, 0.6)
        if ftype == "phone":
            phone = nz.normalise_phone(text)
            ok = phone is not None and 10 <= len(phone.lstrip("+")) <= 13
            return phone, conf if ok else min(conf, 0.6)
        if ftype == "email":
            email = nz.normalise_email(text)
            ok = email is not None and "@" in email and "." in email.split("@")[-1]
            return email, conf if ok else min(conf, 0.6)
        if ftype == "digits":
            digits = nz.normalise_digits(text)
            return digits, conf if digits is None or len(digits) == 10 else min(conf, 0.6)
        if ftype == "code":
            code = nz.normalise_code(text)
            return code, conf if code is None or len(code) == 13 else min(conf, 0.6)
        if ftype == "name":
            return text, conf if not re.search(r"[\d@]", text) else min(conf, 0.6)
        if ftype == "address":
            return nz.join_address(lines), conf
        if ftype in ("bool", "consent"):
            kind = self.vocab.option_kind(text)
            if kind is None or kind.key not in ("yes", "no"):
                return None, min(conf, UNPARSED_CONFIDENCE)
            return kind.key == "yes", conf * kind.score
        if ftype == "given_by":
            kind = self.vocab.option_kind(text)
            if kind is None or kind.key not in ("parent_carer", "young_person"):
                return None, min(conf, UNPARSED_CONFIDENCE)
            return kind.key, conf * kind.score
        if ftype == "tier":
            tier = self.vocab.tier(text)
            return {"tier": tier, "as_written": text}, conf if tier else min(conf, UNPARSED_CONFIDENCE)
        return text, conf

    def _marks(self, fspec: FieldSpec, marks: list[Mark], conf: float, loc: Location | None) -> None:
        assert fspec.path is not None
        ticked = [m for m in marks if m.checked]
        unclear = [m for m in marks if m.checked is None]
        mark_conf = min((m.confidence for m in marks), default=1.0)
        if fspec.type == "tier":
            if len(ticked) == 1:
                label = nz.clean_text(ticked[0].label) or ""
                tier = self.vocab.tier(label)
                self._scalar(
                    fspec.path,
                    {"tier": tier, "as_written": label},
                    conf * mark_conf,
                    ticked[0].location or loc,
                )
            elif ticked or unclear:
                self._scalar(fspec.path, {"tier": None, "as_written": None}, AMBIGUOUS_CONFIDENCE, loc)
            else:
                self._scalar(fspec.path, None, conf, loc)
            return
        wanted = ("yes", "no") if fspec.type in ("bool", "consent") else ("parent_carer", "young_person")
        kinds = set()
        for mark in ticked:
            kind = self.vocab.option_kind(mark.label)
            if kind is not None and kind.key in wanted:
                kinds.add(kind.key)
        if len(kinds) == 1 and not unclear:
            kind_key = kinds.pop()
            value: Any = (kind_key == "yes") if fspec.type in ("bool", "consent") else kind_key
            self._scalar(fspec.path, value, conf * mark_conf, ticked[0].location or loc)
        elif len(kinds) > 1 or unclear:
            self._scalar(fspec.path, None, AMBIGUOUS_CONFIDENCE, loc)
        else:
            self._scalar(fspec.path, None, conf * mark_conf, loc)

    # ------------------------------------------------------------------ records (children, parents, agencies)
    def _record_field(self, fspec: FieldSpec, cell: Cell, conf: float) -> None:
        assert fspec.path is not None
        group, key = fspec.path.split("[].")
        records = self.records[_records_key_for_path(group)]
        if not records or key in records[-1]:
            records.append({})  # a field seen again starts the next child / parent / agency
        ftype = fspec.type
        value, conf = self._convert(ftype, cell.lines, conf)
        records[-1][key] = _Value(value, conf, cell.location)

    # ------------------------------------------------------------------ tables with a header row
    def _header(self, row: Row) -> _Table | None:
        cells = row.cells
        if len(cells) < 2 or any(not c.text or c.is_input or c.marks for c in cells):
            return None
        best: tuple[float, int, _Table] | None = None
        for tkey, tspec in self.vocab.tables.items():
            columns: list[str | None] = []
            total = 0.0
            for cell in cells:
                match = self.vocab.match_column(tkey, cell.text)
                if match is None:
                    break
                columns.append(None if match.key == "_ignore" else match.key)
                total += match.score
            else:
                real = [c for c in columns if c]
                if not real:
                    continue
                distinct = any(c in tspec.distinctive for c in real)
                if not distinct and tspec.section != self.state.section:
                    continue
                if len(set(real)) != len(real):
                    continue
                rank = (len(real) + (0.5 if tspec.section == self.state.section else 0.0), 0)
                candidate = _Table(tkey, columns, list(cells), row.table)
                if best is None or rank[0] > best[0]:
                    best = (rank[0], 0, candidate)
        return best[2] if best else None

    def _continues_table(self, row: Row, table: _Table) -> bool:
        if table.table_id is not None and row.table is not None and row.table != table.table_id:
            if not _next_page(row, table) or len(row.cells) != len(table.columns):
                return False  # another table, unless a page break split this one
        elif table.table_id is not None and row.table is not None:
            return True
        elif table.table_id is not None and (row.kind != "table" or self.layout.source_format == "docx"):
            return False  # free text after a ruled table ends it
        first = next((c for c in row.cells if c.text), None)
        if first is None:
            return True
        if self.vocab.match_heading(first.text) or self._strong_label(first):
            return False
        return self._header(row) is None

    def _table_record(self, row: Row, table: _Table) -> None:
        values = _align(row.cells, table)
        if not any(c.text for c in values.values()):
            return
        if table.kind == "support_plan":
            for col, name in (("strengths", "strengths"), ("needs", "needs")):
                cell = values.get(col)
                if cell is not None:
                    for item in nz.split_items(cell.lines):
                        self.lists[name].append(_Value(item, cell.confidence, cell.location))
            cell = values.get("outcome")
            if cell is not None:
                for item in nz.split_items(cell.lines):
                    self.outcomes.append((_Value(item, cell.confidence, cell.location), None))
            self.state.hits.update({"strengths", "needs"})
            return
        if table.kind == "outcomes":
            cell = values.get("outcome")
            if cell is None:
                return
            text = nz.join_lines([nz.strip_marker(line) for line in cell.lines])
            if text is None:
                return
            success = None
            if "success_criteria" in table.columns:
                scell = values.get("success_criteria")
                stext = nz.join_lines(scell.lines) if scell is not None else None
                success = _Value(stext, scell.confidence if scell else 1.0, scell.location if scell else None)
            self.outcomes.append((_Value(text, cell.confidence, cell.location), success))
            return
        section = self.vocab.tables[table.kind].section
        prefix = _TABLE_PREFIX[section]
        records = self.records[_records_key(section)]
        records.append({})
        for col, cell in values.items():
            fspec = self._field_for_column(prefix, col)
            if fspec is None:
                continue
            value, conf = self._convert(fspec.type, cell.lines, cell.confidence)
            records[-1][col] = _Value(value, conf, cell.location)

    def _field_for_column(self, prefix: str, col: str) -> FieldSpec | None:
        path = f"{prefix}.{col}"
        for fspec in self.vocab.fields.values():
            if fspec.path == path:
                return fspec
        return None

    # ------------------------------------------------------------------ the record
    def _build(self) -> RecordBuilder:
        builder = RecordBuilder(self._form_type())
        builder.confidence["form_type"] = self._form_type_confidence
        for path, val in sorted(self.scalars.items()):
            if path == "level_of_need":
                level = val.value or {"tier": None, "as_written": None}
                builder.set(
                    "level_of_need.tier", level.get("tier"), confidence=val.confidence, location=val.location
                )
                builder.set(
                    "level_of_need.as_written",
                    level.get("as_written"),
                    confidence=val.confidence,
                    location=val.location,
                )
                continue
            builder.set(path, val.value, confidence=val.confidence, location=val.location)
        for path, parts in self.texts.items():
            lines = [line for part in parts for line in part.value]
            text = nz.join_lines(lines)
            builder.set(path, text, confidence=min(p.confidence for p in parts), location=parts[0].location)
        for name, items in self.lists.items():
            for index, item in enumerate(items):
                builder.set(
                    f"{name}[{index}]", item.value, confidence=item.confidence, location=item.location
                )
        for index, (outcome, success) in enumerate(self.outcomes):
            builder.set(
                f"desired_outcomes[{index}].outcome",
                outcome.value,
                confidence=outcome.confidence,
                location=outcome.location,
            )
            builder.set(
                f"desired_outcomes[{index}].success_criteria",
                success.value if success else None,
                confidence=success.confidence if success else outcome.confidence,
                location=success.location if success else None,
            )
        self._build_children(builder)
        self._build_records(
            builder, "parents", "family.parents_carers", ("full_name", "relationship", "phone"), "full_name"
        )
        self._build_records(builder, "agencies", "agencies_involved", ("agency", "worker", "role"), "agency")
        self._consent(builder)
        self._flag_possibly_missed(builder)
        if _is_empty(builder.record):
            builder.issue(None, "warning", "The form's fields are all empty", code="empty-form")
        return builder

    def _build_children(self, builder: RecordBuilder) -> None:
        index = 0
        for rec in self.records["children"]:
            name = _joined_name(rec)
            if name is None:
                continue
            base = f"children[{index}]"
            builder.set(f"{base}.full_name", name.value, confidence=name.confidence, location=name.location)
            unborn = "unborn" in str(name.value).lower()
            for key in _CHILD_KEYS[1:]:
                val = rec.get(key)
                value = val.value if val else None
                if unborn and key == "date_of_birth" and value is not None:
                    if rec.get("expected_date_of_delivery") is None:
                        builder.set(
                            f"{base}.expected_date_of_delivery",
                            value,
                            confidence=val.confidence if val else 1,
                            location=val.location if val else None,
                        )
                    value = None
                if (
                    unborn
                    and key == "expected_date_of_delivery"
                    and value is None
                    and builder.get(f"{base}.expected_date_of_delivery") is not None
                ):
                    continue
                builder.set(
                    f"{base}.{key}",
                    value,
                    confidence=val.confidence if val else 1.0,
                    location=val.location if val else None,
                )
            index += 1

    def _build_records(
        self, builder: RecordBuilder, group: str, path: str, keys: tuple[str, ...], required: str
    ) -> None:
        index = 0
        for rec in self.records[group]:
            head = rec.get(required)
            if head is None or head.value is None:
                continue
            for key in keys:
                val = rec.get(key)
                builder.set(
                    f"{path}[{index}].{key}",
                    val.value if val else None,
                    confidence=val.confidence if val else 1.0,
                    location=val.location if val else None,
                )
            index += 1

    def _flag_possibly_missed(self, builder: RecordBuilder) -> None:
        """Empty fields of a section that also held an unrecognised label get flagged for review."""
        for fspec in self.vocab.fields.values():
            if fspec.section not in self.unknown_labels or fspec.key in self.seen_fields:
                continue
            if fspec.path is None or fspec.type in ("ignore", "signature"):
                continue
            if fspec.type == "tier":
                paths = ["level_of_need.tier"]
            elif "[]" in fspec.path:
                group, key = fspec.path.split("[].")
                if key in ("given_name", "family_name"):
                    continue  # joined into full_name
                count = len(builder.get(group) or [])
                paths = [f"{group}[{n}].{key}" for n in range(count)]
            else:
                paths = [fspec.path]
            for path in paths:
                if builder.get(path) is None:
                    builder.confidence[path] = min(
                        builder.confidence.get(path, 1.0), POSSIBLY_MISSED_CONFIDENCE
                    )

    def _consent(self, builder: RecordBuilder) -> None:
        """Consent is never guessed: only a marked option or a completed signed block counts."""
        if builder.get("consent.information_sharing") is not None:
            return
        refused = self.scalars.get("consent.information_sharing")
        if refused is not None and refused.confidence <= AMBIGUOUS_CONFIDENCE:
            return  # ticks contradict or cannot be read: stays null, flagged
        name = self.scalars.get("consent.name")
        date = self.scalars.get("consent.date")
        signer = self.signature or name
        if signer is not None and signer.value and date is not None and date.value:
            builder.set(
                "consent.information_sharing",
                True,
                confidence=min(SIGNED_CONSENT_CONFIDENCE, signer.confidence, date.confidence),
                location=signer.location,
            )

    _form_type_confidence = 1.0

    def _form_type(self) -> str:
        rows = [r.text for r in self.layout.rows if r.text.strip()]
        for text in rows[:6]:
            found = self.vocab.form_type(text, abbreviations=True)
            if found:
                return found
        for text in rows:
            found = self.vocab.form_type(text, abbreviations=False)
            if found:
                self._form_type_confidence = 0.9
                return found
        return "EHA"


# ---------------------------------------------------------------------- helpers
def _records_key(section: str) -> str:
    return {"children": "children", "parents": "parents", "agencies": "agencies"}.get(section, "children")


def _records_key_for_path(group: str) -> str:
    return {"children": "children", "family.parents_carers": "parents", "agencies_involved": "agencies"}[
        group
    ]


def _next_page(row: Row, table: _Table) -> bool:
    """Whether ``row`` is on a later page than the table's header (a table split by a page break)."""
    here = next((c.location for c in row.cells if isinstance(c.location, PdfLocation)), None)
    head = next((c.location for c in table.header if isinstance(c.location, PdfLocation)), None)
    return isinstance(here, PdfLocation) and isinstance(head, PdfLocation) and here.page > head.page


def _label_like(text: str) -> bool:
    """Short text that reads like a form label, not an answer sentence."""
    words = text.split()
    return (
        0 < len(words) <= 8
        and len(text) <= 60
        and not text.rstrip().endswith(".")
        and not any(ch.isdigit() for ch in text)
    )


def _is_record_path(path: str | None) -> bool:
    return bool(path) and "[]" in str(path)


def _label_confidence(score: float) -> float:
    """Exact label → 1.0; a keyword or close wording match → 0.85; a looser one is worth a review."""
    if score >= 0.97:
        return 1.0
    if score >= 0.86:
        return 0.85
    return 0.7


def _question_text(cell: Cell) -> str:
    text = cell.text
    cut = len(text)
    for mark in cell.marks:
        pos = text.find(mark.label) if mark.label else -1
        if 0 <= pos < cut:
            cut = pos
    return text[:cut].strip()


def _align(cells: list[Cell], table: _Table) -> dict[str, Cell]:
    """Record cells → column keys, by position or (PDF) by horizontal overlap with the header."""
    out: dict[str, Cell] = {}
    columns = table.columns
    if len(cells) == len(columns) or not all(
        isinstance(c.location, PdfLocation) for c in cells + table.header
    ):
        for col, cell in zip(columns, cells, strict=False):
            if col:
                out[col] = cell
        return out
    for cell in cells:
        if not cell.text:
            continue
        assert isinstance(cell.location, PdfLocation)
        best, best_overlap = None, -1.0
        for col, head in zip(columns, table.header, strict=False):
            assert isinstance(head.location, PdfLocation)
            overlap = min(cell.location.x1, head.location.x1) - max(cell.location.x0, head.location.x0)
            if overlap < 0:
                overlap = -abs(cell.location.x0 - head.location.x0) / 1000.0
            if overlap > best_overlap:
                best, best_overlap = col, overlap
        if best:
            if best in out:
                out[best] = Cell(
                    lines=out[best].lines + cell.lines,
                    location=out[best].location,
                    confidence=min(out[best].confidence, cell.confidence),
                )
            else:
                out[best] = cell
    return out


def _joined_name(rec: dict[str, _Value]) -> _Value | None:
    full = rec.get("full_name")
    if full is not None and full.value:
        return full
    given, family = rec.get("given_name"), rec.get("family_name")
    parts = [v for v in (given, family) if v is not None and v.value]
    if not parts:
        return None
    return _Value(" ".join(str(p.value) for p in parts), min(p.confidence for p in parts), parts[0].location)


def _is_empty(record: dict[str, Any]) -> bool:
    def walk(node: Any, key: str = "") -> bool:
        if key in ("schema_version", "form_type"):
            return True
        if isinstance(node, dict):
            return all(walk(v, k) for k, v in node.items())
        if isinstance(node, list):
            return not node
        return node is None

    return walk(record)


def read_layout(
    layout: Layout, *, extractor: str, version: str, vocab: Vocabulary | None = None
) -> ExtractionResult:
    """Read a referral record from a layout. Raises ``NotAnAssessmentForm`` for other documents."""
    builder = LayoutReader(layout, vocab).read()
    return builder.result(extractor=extractor, version=version, page_count=layout.page_count)
