"""Read mapdocs's own CAF / CSF templates by field name, straight into a referral record.

Our blank forms (``form_templates/``) name every AcroForm field and Word content
control after one definition, ``form_templates/fields.json``, which also says which
record path each field fills. When a document's named fields are ours, the record
can be built from the names alone; the label-driven reader is not needed. This
module is that mapping. It returns ``None`` for anybody else's field names, so
callers (the AcroForm and Word extractors) fall back to reading labels.

A form is ours when it carries the hidden marker field (``mapdocs_form`` = "CAF" /
"CSF") and at least half of our names, or, without the marker, nearly all of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from extractors.base import ExtractionResult
from extractors.layout import Location
from extractors.normalise import (
    clean_text,
    join_address,
    join_lines,
    normalise_code,
    normalise_digits,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    parse_date,
    split_items,
)
from extractors.record import RecordBuilder
from form_templates.definition import Block, Definition, FieldDef, load_definition

EXTRACTOR = "template-fields"
VERSION = "1"
#: share of our field names a document must carry, with and without the form marker
_WITH_MARKER, _WITHOUT_MARKER = 0.5, 0.9
#: a consent name and date with neither box ticked: consent by signature, worth a look
_SIGNED_CONSENT_CONFIDENCE = 0.75
_OFF_STATES = frozenset({"", "off", "no", "false", "0", "unchecked", "none"})
_LINE_BREAK = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x0b")
_INDEX = re.compile(r"\[\d+\]")

NamedFields = Mapping[str, str | bool | None]


def is_ticked(value: str | bool | None) -> bool:
    """A checkbox value as the PDF / Word readers pass it: a bool, or a state name ("/Yes")."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    return value.strip().lstrip("/").strip().lower() not in _OFF_STATES


def identify_form(named_fields: NamedFields, definition: Definition | None = None) -> str | None:
    """"CAF" / "CSF" (or "EHA" when our names come without the marker); None when not ours."""
    definition = definition or load_definition()
    marker = named_fields.get(definition.marker_field)
    form = marker.strip().upper() if isinstance(marker, str) else None
    if form in definition.forms:
        ours = definition.field_names(form) - {definition.marker_field}
        return form if len(ours & set(named_fields)) >= _WITH_MARKER * len(ours) else None
    best = max(len(definition.field_names(f) & set(named_fields)) / len(definition.field_names(f))
               for f in definition.forms)
    return "EHA" if best >= _WITHOUT_MARKER else None


def _lines(value: str) -> list[str]:
    return _LINE_BREAK.split(value)


def _text_value(field: FieldDef, raw: str) -> Any:
    """The normalised record value of one text-like field (None when blank or null-ish)."""
    if field.type == "list":
        return split_items(_lines(raw))
    if field.type == "address":
        return join_address(_lines(raw))
    if field.type == "multiline":
        return join_lines(_lines(raw))
    if field.type == "date":
        return parse_date(raw)
    formatter = {"phone": normalise_phone, "email": normalise_email, "postcode": normalise_postcode,
                 "nhs_number": normalise_digits, "upn": normalise_code}.get(field.format or "")
    text = clean_text(" ".join(_lines(raw)))
    return formatter(text) if formatter else text


class _Reader:
    """One pass over the definition, writing what the named fields say into a builder."""

    def __init__(self, form: str, named: NamedFields, locations: Mapping[str, Location]) -> None:
        self.form = form
        self.named = named
        self.locations = locations
        self.builder = RecordBuilder("EHA" if form not in ("CAF", "CSF") else form)

    def text_fields(self, fields: tuple[FieldDef, ...], index: int | None) -> None:
        for field in fields:
            raw = self.named.get(field.name)
            path = field.path if index is None else _INDEX.sub(f"[{index}]", field.path, count=1)
            if isinstance(raw, bool):
                self.builder.issue(path, "warning", "A text box holds a tick state; ignored",
                                   code="unexpected-value")
                continue
            value = _text_value(field, raw) if raw is not None else None
            if value is None and raw is not None and field.type == "date" and clean_text(raw):
                self.builder.set(path, None, confidence=0.3, location=self.locations.get(field.name))
                self.builder.issue(path, "warning", "This date could not be read; enter it by hand",
                                   code="unreadable-date")
                continue
            if index is None and value in (None, []):
                continue  # leave the record's null / [] and claim nothing about it
            self.builder.set(path, value, confidence=1.0, location=self.locations.get(field.name))

    def repeated(self, block: Block) -> None:
        """Rows of a repeated block, blank rows dropped and the rest renumbered in order."""
        kept = 0
        for fields in block.instances:
            values = [self.named.get(f.name) for f in fields]
            if all(not isinstance(v, str) or clean_text(v) is None for v in values):
                continue
            self.text_fields(fields, kept)
            kept += 1

    def choice(self, block: Block) -> None:
        """Tick boxes of one question: one ticked sets the value, two ticked is a conflict."""
        fields = block.fields()
        ticked = [f for f in fields if is_ticked(self.named.get(f.name))]
        if len(ticked) == 1:
            field = ticked[0]
            location = self.locations.get(field.name)
            self.builder.set(field.path, field.value, confidence=1.0, location=location)
            if field.label_path:
                label_form = self.form if self.form in ("CAF", "CSF") else "form"
                self.builder.set(field.label_path, field.label_for(label_form), confidence=1.0,
                                 location=location)
        elif len(ticked) > 1:
            self.builder.issue(fields[0].path, "warning",
                               "More than one option is ticked; choose one by hand",
                               code="conflicting-ticks")

    def signed_consent(self) -> None:
        """Consent statement signed (name and date) with neither box ticked counts as consent."""
        builder = self.builder
        if builder.get("consent.information_sharing") is not None:
            return
        if any(i.path == "consent.information_sharing" for i in builder.issues):
            return  # conflicting ticks: never guess
        if builder.get("consent.name") and builder.get("consent.date"):
            builder.set("consent.information_sharing", True, confidence=_SIGNED_CONSENT_CONFIDENCE,
                        location=self.locations.get("consent_name"))


def read_template_fields(named_fields: NamedFields,
                         locations: Mapping[str, Location] | None = None,
                         *, definition: Definition | None = None) -> ExtractionResult | None:
    """Build the referral record from our own field names; None when the names are not ours.

    ``named_fields`` maps field names to text (str), tick state (bool or an on/off state
    name) or None; ``locations`` maps the same names to where each field sits, which
    becomes the provenance of the paths it fills.
    """
    definition = definition or load_definition()
    form = identify_form(named_fields, definition)
    if form is None:
        return None
    reader = _Reader(form, named_fields, locations or {})
    carried = definition.sections_for(form if form in definition.forms else next(iter(definition.forms)))
    for _section, blocks in carried:
        for block in blocks:
            if block.kind == "choice":
                reader.choice(block)
            elif block.kind != "text" and len(block.instances) > 1:
                reader.repeated(block)
            elif block.kind != "text":
                reader.text_fields(block.fields(), None)
    reader.signed_consent()
    if not reader.builder.confidence:
        reader.builder.issue(None, "warning", "The form's fields are all empty", code="empty-form")
    if form == "EHA":
        reader.builder.issue(None, "info", "The form marker is missing; the form type is not known",
                             code="form-marker-missing")
    return reader.builder.result(extractor=EXTRACTOR, version=VERSION)
