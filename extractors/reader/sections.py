"""Sections: headings that set what the labels below mean, and where content goes."""

from __future__ import annotations

import re

from extractors.label_text import KEYWORD_SCORE, Match
from extractors.layout import Cell, Row
from extractors.reader.pairs import PairsMixin
from extractors.reader.state import TABLE_PREFIX, Target, label_like, records_key


class SectionsMixin(PairsMixin):
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

    def _single(self, cell: Cell, row: Row) -> bool:
        """A one-cell row: a heading, a lone label (value below), or content."""
        text = cell.text
        heading = self.vocab.match_heading(text)
        # key nouns count for a line in a label's place: styled as a heading or ending ":" / "?"
        loose = label_like(text) and (row.kind == "heading" or text.rstrip().endswith((":", "?")))
        label = self.vocab.match_field(text, self.state.section, loose=loose)
        if label and self.vocab.fields[label.key].type == "ignore":
            label = None
        block = self.vocab.match_unnumbered_block(text) if heading is None or heading.score < 1.0 else None
        if block is not None and self._record_labels_follow(block):
            self._enter(Match(block, 1.0), text)
            return True
        target = self.state.target
        if (
            target is not None
            and not target.filled
            and self._target_row == self._index - 1
            and row.kind == "table"
            and len(row.cells) == 1
            and label is None
            and not self._labelled_line(cell.lines[0])
            and not self.vocab.looks_like_heading(text)
        ):
            return False  # the box under a label or heading is its answer ("Housing", "Key worker")
        if target is not None and target.kind in ("list", "text"):
            # inside a list or text box only a confident heading/label ends the content; a line
            # styled as a heading (bold, larger) needs only its key nouns ("Young person's own words")
            styled = row.kind == "heading" and (label_like(text) or self.vocab.looks_like_heading(text))
            if heading is not None and heading.score < (KEYWORD_SCORE if styled else 0.9):
                heading = None
            if label is not None and label.score < 0.9:
                label = None
            if heading is None and label is None:
                if row.kind == "heading" and self.vocab.looks_like_heading(text):
                    # a heading we do not know ("PART H – IN THEIR OWN WORDS") still ends the list
                    self.state.target = None
                    self.state.section = None
                    return True
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
            self.state.target = Target("field", label.key, confidence=label.score)
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

    def _record_labels_follow(self, block: str) -> bool:
        """Whether the next row with text is a label/value row of the block's records ("Name | Amy")."""
        section = self.vocab.sections[block].records_of
        prefix = TABLE_PREFIX.get(section or "")
        if prefix is None:
            return False
        for row in self.layout.rows[self._index + 1 :]:
            filled = [c for c in row.cells if c.text or c.marks]
            if not filled:
                continue
            match = self.vocab.match_field(filled[0].text, section)
            path = self.vocab.fields[match.key].path if match is not None else None
            return len(filled) >= 2 and path is not None and path.startswith(prefix)
        return False

    def _enter(self, heading: Match, text: str) -> None:
        spec = self.vocab.sections[heading.key]
        self.state.hits.add(spec.key)
        self.state.table = None
        self.state.target = None
        section = spec.records_of or spec.key
        if spec.kind == "records" and spec.numbered and re.search(r"\b(?:\d{1,2}|[a-h])\W*$", text):
            self.records[records_key(section)].append({})  # "Child / young person 2": a new record
        elif spec.records_of:
            records = self.records[records_key(section)]
            if records and records[-1]:
                records.append({})  # an unnumbered block after another record: the next one
        self.state.section = section
        if spec.kind == "list" and spec.target:
            self.state.target = Target("list", spec.target, confidence=min(1.0, heading.score + 0.05))
        elif spec.kind == "text" and spec.target:
            self.state.target = Target("text", spec.target, confidence=min(1.0, heading.score + 0.05))
        elif spec.default_field:
            self.state.target = Target("field", spec.default_field, confidence=heading.score)
