"""Label/value pairs: label cell then value cell(s), labels over values, "Label: value" lines."""

from __future__ import annotations

from extractors.layout import Cell, Row
from extractors.reader.lists import ListsMixin
from extractors.reader.state import TICK_TYPES, Target, is_record_path, label_like
from extractors.vocabulary import FieldSpec


class PairsMixin(ListsMixin):
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
            if is_record_path(fspec.path):
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

    def _pairs(self, cells: list[Cell]) -> None:
        """Label/value cells along one row: "Name | X | Role | Y", "Q? | ☐ Yes | ☒ No", "Name | Amy | Ben"."""
        i = 0
        self.state.target = None
        while i < len(cells):
            cell = cells[i]
            if not (cell.text or cell.marks):
                i += 1
                continue
            label = None if cell.is_input else self._label_of(cell, loose=i + 1 < len(cells))
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
            if fspec.type == "signature" and any(v.text for v in values):
                self._signed_by(cell.text, label.score)
            if not values:
                if i + 1 >= len(cells):
                    self.state.target = Target("field", label.key, confidence=label.score)
                i += 1
                continue
            if len(values) > 1 and fspec.type not in TICK_TYPES and is_record_path(fspec.path):
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
                if fspec.type in TICK_TYPES:
                    if not (cell.marks and (out[-1].marks or self._option_word(out[-1]))):
                        break
                elif not is_record_path(fspec.path) or self.state.section not in (
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
        if is_record_path(fspec.path) and fspec.type not in TICK_TYPES and len(out) > 1:
            return out  # one column per child: blanks keep their places
        while len(out) > 1 and not (out[-1].text or out[-1].marks):
            out.pop()
        return out

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
        if following is not None and following.text and label_like(cell.text) and self.state.section:
            # a label we do not know, with an answer beside it: what it holds may be missing
            self.unknown_labels.add(self.state.section)

    def _plausible(self, fspec: FieldSpec, rest: str) -> bool:
        """Whether the text after a run-together label fits the field (guards "Date of birth" → "Date")."""
        if fspec.type in ("ignore", "signature") or fspec.path is None:
            return False
        value, conf = self._convert(fspec.type, [rest], 1.0)
        if value is None or conf < 1.0:
            return False
        return fspec.type not in ("text", "name", "address") or rest[:1].isupper() or rest[:1].isdigit()

    def _option_word(self, cell: Cell) -> bool:
        """A bare option word ("Y", "No") in its own cell beside tick boxes: a label, not an answer."""
        if cell.marks or len(cell.text.split()) > 3:
            return False
        return self.vocab.option_kind(cell.text) is not None

