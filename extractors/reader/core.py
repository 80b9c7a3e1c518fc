"""The reader's main loop: each row of the layout in order, then the record."""

from __future__ import annotations

import logging

from extractors import normalise as nz
from extractors.base import ExtractionResult
from extractors.errors import NotAnAssessmentForm
from extractors.layout import Layout, Row
from extractors.reader.checkboxes import typed_box_marks
from extractors.reader.confidence import POSSIBLY_MISSED_CONFIDENCE
from extractors.reader.sections import SectionsMixin
from extractors.reader.state import CORE_SECTIONS, MIN_CORE_HITS, TABLE_PREFIX, is_empty
from extractors.record import RecordBuilder
from extractors.vocabulary import Vocabulary

log = logging.getLogger(__name__)

#: the record's lists of plain strings; desired outcomes are objects and go through ``self.outcomes``
STRING_LISTS = frozenset({"strengths", "needs", "consent.excluded_agencies"})


class LayoutReader(SectionsMixin):
    """Reads one ``Layout``; use :func:`read_layout`."""

    def read(self) -> RecordBuilder:
        self.read_rows()
        if self.signals() < MIN_CORE_HITS:
            raise NotAnAssessmentForm(
                "The document does not carry the sections of an early help assessment form"
            )
        return self._build()

    def read_rows(self) -> None:
        """Read every row of the layout into the reader's state, without building a record."""
        for index, row in enumerate(self.layout.rows):
            self._index = index
            before = self.state.target
            self._row(row)
            if self.state.target is not None and self.state.target is not before:
                self._target_row = index  # the row of the label / heading now waiting for content

    def signals(self) -> int:
        """How many core sections of an assessment form the rows read so far showed."""
        return len(self.state.hits & CORE_SECTIONS)

    def _row(self, row: Row) -> None:
        if row.kind == "table":
            ticked = typed_box_marks(row.cells)  # "Yes | X | No |" printed without glyphs
            if ticked is not None:
                row = Row(ticked, kind=row.kind, table=row.table)
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
            prefix = TABLE_PREFIX.get(self.vocab.tables[header.kind].section)
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
            if name not in STRING_LISTS:
                # only these lists hold plain strings in the schema; anything else routed here
                # by a vocabulary entry is dropped rather than written in the wrong shape
                log.warning("list target %s is not a list of strings; items dropped", name)
                continue
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
        if is_empty(builder.record):
            builder.issue(None, "warning", "The form's fields are all empty", code="empty-form")
        return builder

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


def read_layout(
    layout: Layout, *, extractor: str, version: str, vocab: Vocabulary | None = None
) -> ExtractionResult:
    """Read a referral record from a layout. Raises ``NotAnAssessmentForm`` for other documents."""
    builder = LayoutReader(layout, vocab).read()
    return builder.result(extractor=extractor, version=version, page_count=layout.page_count)


def form_signals(layout: Layout, vocab: Vocabulary | None = None) -> int:
    """How many core sections of an assessment form ``layout`` shows (0 for other documents).

    A cheap test of whether a document is a form at all, made on its first pages before
    the rest is OCR'd; :func:`read_layout` needs ``MIN_CORE_HITS`` of them.
    """
    reader = LayoutReader(layout, vocab)
    reader.read_rows()
    return reader.signals()
