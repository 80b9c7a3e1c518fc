"""Values: label → field, text → normalised value with its confidence.

Every value the reader keeps goes through ``_assign``: a record field, a tick group, a
signature or a scalar; ``_convert`` normalises text by field type and lowers the
confidence when the text does not have the field's shape.
"""

from __future__ import annotations

import re
from typing import Any

from extractors import normalise as nz
from extractors.label_text import Match
from extractors.layout import Cell, Location
from extractors.reader.confidence import CORRECTED_CONFIDENCE, UNPARSED_CONFIDENCE
from extractors.reader.state import ReaderBase, Value, label_like, question_text
from extractors.vocabulary import FieldSpec


class ValuesMixin(ReaderBase):
    def _label_of(self, cell: Cell, *, loose: bool = False) -> Match | None:
        """The field ``cell`` labels; ``loose`` (a cell in a label's place) also tries key nouns."""
        text = cell.text
        if cell.marks:
            text = question_text(cell)
            if not text:
                return None
        match = self.vocab.match_field(text, self.state.section, loose=loose and label_like(text))
        if match is not None and self.vocab.fields[match.key].type == "ignore" and not cell.marks:
            return match  # known label of a field we do not keep: still a label, its value is skipped
        return match

    def _strong_label(self, cell: Cell) -> bool:
        if not cell.text:
            return False
        match = self.vocab.match_field(cell.text, self.state.section)
        return match is not None and match.score >= 0.97

    def _switch_for(self, fspec: FieldSpec, match: Match) -> None:
        if fspec.section and fspec.section != self.state.section:
            self.state.section = fspec.section
            self.state.hits.add(fspec.section)

    def _scalar(self, path: str, value: Any, conf: float, loc: Location | None) -> None:
        current = self.scalars.get(path)
        if current is not None and current.value is not None:
            return  # the first answer on the form wins
        self.scalars[path] = Value(value, conf, loc)

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
            value, corrected = nz.read_postcode(text)
            ok = value is not None and nz.looks_like_postcode(value)
            if corrected:
                return value, min(conf, CORRECTED_CONFIDENCE)  # fits only after OCR fixes: flagged
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
            code, corrected = nz.read_upn(text)
            if corrected:
                return code, min(conf, CORRECTED_CONFIDENCE)
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
