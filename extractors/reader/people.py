"""People: children, parents/carers and agencies as records (rows, blocks or columns)."""

from __future__ import annotations

from extractors import normalise as nz
from extractors.layout import Cell
from extractors.reader.checkboxes import CheckboxMixin
from extractors.reader.confidence import label_confidence
from extractors.reader.state import CHILD_KEYS, Value, records_key_for_path
from extractors.record import RecordBuilder
from extractors.vocabulary import FieldSpec


class PeopleMixin(CheckboxMixin):
    def _assign(self, fspec: FieldSpec, cell: Cell, label_score: float) -> None:
        self.seen_fields.add(fspec.key)
        if fspec.type == "ignore" or fspec.path is None:
            return
        conf = label_confidence(label_score) * cell.confidence
        loc = cell.location
        if fspec.path not in self.label_trust:
            self.label_trust[fspec.path] = label_confidence(label_score)  # how surely the label was read
        if fspec.path.startswith(("children[]", "family.parents_carers[]", "agencies_involved[]")):
            self._record_field(fspec, cell, conf)
            return
        if fspec.type in ("bool", "consent", "given_by", "tier") and cell.marks:
            self._marks(fspec, cell.marks, conf, loc)
            return
        if fspec.type == "signature":
            text = nz.join_lines(cell.lines)
            if text:
                self.signature = Value(text, conf, loc)
            return
        if fspec.type == "text" and fspec.path in ("safeguarding.details",):
            self.texts.setdefault(fspec.path, []).append(Value(cell.lines, conf, loc))
            return
        value, conf = self._convert(fspec.type, cell.lines, conf)
        self._scalar(fspec.path, value, conf, loc)

    def _record_field(self, fspec: FieldSpec, cell: Cell, conf: float) -> None:
        assert fspec.path is not None
        group, key = fspec.path.split("[].")
        records = self.records[records_key_for_path(group)]
        if not records or key in records[-1]:
            records.append({})  # a field seen again starts the next child / parent / agency
        ftype = fspec.type
        value, conf = self._convert(ftype, cell.lines, conf)
        records[-1][key] = Value(value, conf, cell.location)

    def _transposed(self, fspec: FieldSpec, values: list[Cell], label_score: float) -> None:
        assert fspec.path is not None
        self.seen_fields.add(fspec.key)
        group, key = fspec.path.split("[].")
        records = self.records[records_key_for_path(group)]
        base = next((n for n, rec in enumerate(records) if key not in rec), len(records))
        for k, cell in enumerate(values):
            while len(records) <= base + k:
                records.append({})
            value, conf = self._convert(
                fspec.type, cell.lines, label_confidence(label_score) * cell.confidence
            )
            records[base + k][key] = Value(value, conf, cell.location)

    def _build_children(self, builder: RecordBuilder) -> None:
        index = 0
        for rec in self.records["children"]:
            name = joined_name(rec)
            if name is None:
                continue
            base = f"children[{index}]"
            builder.set(f"{base}.full_name", name.value, confidence=name.confidence, location=name.location)
            unborn = "unborn" in str(name.value).lower()
            for key in CHILD_KEYS[1:]:
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


def joined_name(rec: dict[str, Value]) -> Value | None:
    full = rec.get("full_name")
    if full is not None and full.value:
        return full
    given, family = rec.get("given_name"), rec.get("family_name")
    parts = [v for v in (given, family) if v is not None and v.value]
    if not parts:
        return None
    return Value(" ".join(str(p.value) for p in parts), min(p.confidence for p in parts), parts[0].location)
