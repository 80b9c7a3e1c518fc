"""Records tables: a header row of known column names, then one record per row."""

from __future__ import annotations

from extractors import normalise as nz
from extractors.layout import Cell, PdfLocation, Row
from extractors.reader.confidence import label_confidence
from extractors.reader.people import PeopleMixin
from extractors.reader.state import TABLE_PREFIX, Table, Value, label_like, records_key
from extractors.vocabulary import FieldSpec


class TablesMixin(PeopleMixin):
    def _header(self, row: Row) -> Table | None:
        """A row of column headings: every cell a known column, or all but one short label-like cell.

        Columns are matched by listed wordings first, then by key nouns ("Adult's name",
        "Their role"). Key-noun matches alone are weak evidence (a value such as "Pastoral
        Lead" holds a key noun too), so a table outside its own section needs one of its
        distinctive columns matched by a listed wording, and at least two known columns.
        """
        cells = row.cells
        if len(cells) < 2 or any(not c.text or c.is_input or c.marks for c in cells):
            return None
        best: tuple[float, Table] | None = None
        for tkey, tspec in self.vocab.tables.items():
            columns: list[str | None] = []
            scores: list[float] = []
            worded: set[str] = set()
            unknown = 0
            for cell in cells:
                match = self.vocab.match_column(tkey, cell.text)
                if match is None:
                    unknown += 1
                    if unknown > 1 or len(cells) < 3 or not label_like(cell.text):
                        break
                    columns.append(None)
                    scores.append(1.0)
                    continue
                key = None if match.key == "_ignore" else match.key
                if key is not None and key in columns:
                    # the same column named twice ("Practitioner | … | Contact"): the closer wording keeps it
                    previous = columns.index(key)
                    unknown += 1  # a column named twice is as doubtful as an unknown one
                    if match.score <= scores[previous]:
                        key = None
                    else:
                        columns[previous] = None
                columns.append(key)
                scores.append(match.score)
                if key and not match.by_keywords:
                    worded.add(key)
            else:
                real = [c for c in columns if c]
                if not real or (unknown and len(real) < 2) or len(set(real)) != len(real):
                    continue
                doubtful = unknown or len(cells) == 2
                if doubtful and tspec.section != self.state.section and self._pair_row(cells):
                    continue  # "Name | Jo | Role | Key Worker" under the referrer: pairs, not a table
                distinct = any(c in tspec.distinctive for c in worded)
                if not distinct and tspec.section != self.state.section and not (
                    len(real) >= 2 and worded and len(cells) >= 3
                ):
                    continue  # outside its section a table needs a distinctive or ≥ 2 known columns
                if not worded and len(real) < 2:
                    continue
                rank = len(real) + len(worded) / 10 + (0.5 if tspec.section == self.state.section else 0.0)
                if best is None or rank > best[0]:
                    best = (rank, Table(tkey, columns, list(cells), row.table, scores))
        return best[1] if best else None

    def _continues_table(self, row: Row, table: Table) -> bool:
        if table.table_id is not None and row.table is not None and row.table != table.table_id:
            if not next_page(row, table) or len(row.cells) != len(table.columns):
                return False  # another table, unless a page break split this one
        elif table.table_id is not None and row.table is not None:
            # the same ruled block, unless the row is shaped otherwise and led by a known label
            # (two tables printed without a gap: "Home address | … | Postcode | …" under parents)
            first = next((c for c in row.cells if c.text), None)
            return not (
                len(row.cells) != len(table.columns)
                and first is not None
                and (self._strong_label(first) or self._labelled_line(first.lines[0]))
                and self._header(row) is None
            )
        elif table.table_id is not None and (row.kind != "table" or self.layout.source_format == "docx"):
            return False  # free text after a ruled table ends it
        first = next((c for c in row.cells if c.text), None)
        if first is None:
            return True
        if self.vocab.match_heading(first.text) or self._strong_label(first):
            return False
        return self._header(row) is None

    def _table_record(self, row: Row, table: Table) -> None:
        values = align(row.cells, table)
        if not any(c.text for c in values.values()):
            return
        if table.kind == "support_plan":
            for col, name in (("strengths", "strengths"), ("needs", "needs")):
                cell = values.get(col)
                if cell is not None:
                    for item in nz.split_items(cell.lines):
                        self.lists[name].append(Value(item, cell.confidence, cell.location))
            cell = values.get("outcome")
            if cell is not None:
                for item in nz.split_items(cell.lines):
                    self.outcomes.append((Value(item, cell.confidence, cell.location), None))
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
                success = Value(stext, scell.confidence if scell else 1.0, scell.location if scell else None)
            self.outcomes.append((Value(text, cell.confidence, cell.location), success))
            return
        section = self.vocab.tables[table.kind].section
        prefix = TABLE_PREFIX[section]
        records = self.records[records_key(section)]
        records.append({})
        for col, cell in values.items():
            fspec = self._field_for_column(prefix, col)
            if fspec is None:
                continue
            conf = cell.confidence * self._column_confidence(table, col)
            value, conf = self._convert(fspec.type, cell.lines, conf)
            records[-1][col] = Value(value, conf, cell.location)

    @staticmethod
    def _column_confidence(table: Table, col: str) -> float:
        """A column recognised by key nouns or close wording carries its match's confidence."""
        if col not in table.columns or len(table.scores) != len(table.columns):
            return 1.0
        return label_confidence(table.scores[table.columns.index(col)])

    def _field_for_column(self, prefix: str, col: str) -> FieldSpec | None:
        path = f"{prefix}.{col}"
        for fspec in self.vocab.fields.values():
            if fspec.path == path:
                return fspec
        return None

    def _pair_row(self, cells: list[Cell]) -> bool:
        """Whether the row reads as label/value pairs of the current section ("Name | Jo | Role | Nurse")."""
        section = self.state.section
        if section is None or self.vocab.sections[section].kind != "fields":
            return False
        first = cells[0]
        if self._strong_label(first):
            return True
        match = self.vocab.match_field(first.text, section, loose=label_like(first.text))
        return match is not None and self.vocab.fields[match.key].section == section

    def _labelled_line(self, line: str) -> bool:
        """A "Label: value" line whose label the vocabulary knows (a box of answers, not a record)."""
        label, found, value = line.partition(":")
        return bool(found and value.strip()) and self.vocab.match_field(label, self.state.section) is not None


def next_page(row: Row, table: Table) -> bool:
    """Whether ``row`` is on a later page than the table's header (a table split by a page break)."""
    here = next((c.location for c in row.cells if isinstance(c.location, PdfLocation)), None)
    head = next((c.location for c in table.header if isinstance(c.location, PdfLocation)), None)
    return isinstance(here, PdfLocation) and isinstance(head, PdfLocation) and here.page > head.page


def align(cells: list[Cell], table: Table) -> dict[str, Cell]:
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
