"""Tick boxes and consent: which option is marked, and consent that is never guessed."""

from __future__ import annotations

from typing import Any

from extractors import normalise as nz
from extractors.layout import Cell, Location, Mark
from extractors.reader.confidence import (
    AMBIGUOUS_CONFIDENCE,
    SIGNED_BLOCK_MIN_CONFIDENCE,
    SIGNED_CONSENT_CONFIDENCE,
    label_confidence,
)
from extractors.reader.state import Value
from extractors.reader.values import ValuesMixin
from extractors.record import RecordBuilder
from extractors.vocabulary import FieldSpec


class CheckboxMixin(ValuesMixin):
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
        states: dict[str, set[bool | None]] = {}
        for mark in marks:
            states.setdefault((nz.clean_text(mark.label) or "").lower(), set()).add(mark.checked)
        if any(len(seen) > 1 for seen in states.values()):
            # the same option both ticked and not: the ticks were paired with the wrong words
            self._scalar(fspec.path, None, AMBIGUOUS_CONFIDENCE, loc)
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

    def _signed_by(self, label: str, label_score: float) -> None:
        """Who consented, from a signed box's label ("Signature of parent/carer"), when no tick says it.

        Only the signer's role is taken from the label; whether consent was given still
        needs a tick or a completed name + date block (see ``_consent``).
        """
        if self.state.section != "consent" or self.scalars.get("consent.given_by") is not None:
            return
        skip = ("signature", "signed", "of", "by")
        words = " ".join(w for w in label.replace("/", " / ").split() if w.lower() not in skip)
        kind = self.vocab.option_kind(words) if words else None
        if kind is not None and kind.key in ("parent_carer", "young_person"):
            conf = min(SIGNED_CONSENT_CONFIDENCE, label_confidence(label_score) * kind.score)
            self.scalars["consent.given_by"] = Value(kind.key, conf, None)

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
        if signer is None or date is None or not (signer.value and date.value):
            return
        signer_path = "consent.signature" if signer is self.signature else "consent.name"
        trust = min(self.label_trust.get(signer_path, 1.0), self.label_trust.get("consent.date", 1.0))
        if trust < SIGNED_BLOCK_MIN_CONFIDENCE:
            # a name/date found only by key nouns or loose wording might belong to another block
            # (a manager's "Supervisor's name | Date" read under consent): never infer consent from it
            return
        builder.set(
            "consent.information_sharing",
            True,
            confidence=min(SIGNED_CONSENT_CONFIDENCE, signer.confidence, date.confidence),
            location=signer.location,
        )


#: what people type into a box cell to tick it
BOX_TICKS = frozenset({"x", "✓", "✔", "☒", "☑", "■", "✗", "yes"})


def typed_box_marks(cells: list[Cell]) -> list[Cell] | None:
    """Options as separate cells with an "X" typed into a box cell beside them, as tick marks.

    ``Early Help | | Child in Need | X | Child Protection |`` → one cell holding the three
    options as marks (the reader then sees one group); None when the row is not such a
    group. Only rows that alternate short option labels with box cells holding nothing
    or a tick character qualify, so "Gender | M" data rows are left alone.
    """
    if len(cells) < 4 or len(cells) % 2 or any(c.marks or c.is_input for c in cells):
        return None
    pairs = [(cells[i], cells[i + 1]) for i in range(0, len(cells), 2)]
    if not all(0 < len(label.text) <= 30 and box.text.lower() in BOX_TICKS | {""} for label, box in pairs):
        return None
    if not any(box.text for _, box in pairs):
        return None
    marks = [
        Mark(label=label.text, checked=bool(box.text), location=box.location)
        for label, box in pairs
    ]
    first = pairs[0][0]
    holder = Cell(lines=first.lines, marks=marks, location=first.location, confidence=first.confidence)
    return [holder] + [Cell(lines=[], location=c.location, confidence=c.confidence) for c in cells[1:]]

