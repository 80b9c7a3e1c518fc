"""The one field definition behind mapdocs's own blank CAF and CSF forms.

``fields.json`` lists the sections of both forms in order, and in each section the
blocks a form is drawn from (label/value pairs, tables of repeated rows, large boxes,
tick-box questions). The PDF and Word builders and the reader of our own field names
(:mod:`extractors.template_fields`) all work from the typed view loaded here, so the
printed forms, their field names and the record paths they fill cannot drift apart.

Repeated blocks (children, parents, agencies, outcomes) are written once in the JSON
with ``{n}`` (1-based, in field names and headings) and ``{i}`` (0-based, in record
paths) and expanded here.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, cast

from extractors.record import empty_record, split_path

FIELDS_JSON = Path(__file__).with_name("fields.json")

FieldType = Literal["text", "multiline", "address", "date", "list", "checkbox"]
BlockKind = Literal["pairs", "table", "box", "choice", "text"]
FIELD_TYPES: tuple[str, ...] = ("text", "multiline", "address", "date", "list", "checkbox")
BLOCK_KINDS: tuple[str, ...] = ("pairs", "table", "box", "choice", "text")
FORMATS: tuple[str, ...] = ("phone", "email", "postcode", "nhs_number", "upn")
#: valid both as a PDF field name (no periods) and as a Word content-control tag (≤ 64)
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


class FormTemplateError(Exception):
    """Base of every error in :mod:`form_templates` (a broken definition, a failed build)."""


class DefinitionError(FormTemplateError):
    """``fields.json`` does not describe a valid form; the message names the offending entry."""


@dataclass(frozen=True)
class FieldDef:
    """One fillable box or tick box, with the record path it fills."""

    name: str
    path: str
    type: FieldType
    label: str  # may contain "{form}"; use :meth:`label_for`
    forms: tuple[str, ...]
    value: Any = None  # checkbox: the value ``path`` takes when ticked
    label_path: str | None = None  # checkbox: path that receives the printed label when ticked
    format: str | None = None
    lines: int = 1
    wide: bool = False  # in a pairs block: a row of its own, the value across the page

    def label_for(self, form: str) -> str:
        return self.label.replace("{form}", form)

    @property
    def multiline(self) -> bool:
        return self.type in ("multiline", "address", "list") or self.lines > 1


@dataclass(frozen=True)
class Block:
    """A group of fields drawn together; ``instances`` holds one tuple per repetition."""

    kind: BlockKind
    instances: tuple[tuple[FieldDef, ...], ...]
    forms: tuple[str, ...]
    heading: str | None = None  # per repetition, with "{n}"
    title: str | None = None
    question: str | None = None
    text: str | None = None

    def fields(self) -> tuple[FieldDef, ...]:
        return tuple(f for inst in self.instances for f in inst)

    def for_form(self, form: str) -> Block:
        """The block as ``form`` prints it: only the fields that form carries."""
        instances = tuple(tuple(f for f in inst if form in f.forms) for inst in self.instances)
        return replace(self, instances=instances)

    def columns(self) -> tuple[FieldDef, ...]:
        """The first repetition: column headers of a table, labels of a pairs block."""
        return self.instances[0] if self.instances else ()


@dataclass(frozen=True)
class Section:
    id: str
    title: str  # may contain "{form}"
    blocks: tuple[Block, ...]

    def title_for(self, form: str) -> str:
        return self.title.replace("{form}", form)


@dataclass(frozen=True)
class FormSpec:
    key: str  # "CAF" / "CSF", also the record's form_type
    title: str
    subtitle: str
    footer: str


@dataclass(frozen=True)
class Definition:
    version: int
    marking: str
    marker_field: str
    forms: dict[str, FormSpec]
    sections: tuple[Section, ...]

    def sections_for(self, form: str) -> list[tuple[Section, list[Block]]]:
        """Sections in order with the blocks ``form`` carries (sections left empty dropped)."""
        out = []
        for section in self.sections:
            blocks = [b.for_form(form) for b in section.blocks if form in b.forms]
            blocks = [b for b in blocks if b.kind == "text" or b.fields()]
            if blocks:
                out.append((section, blocks))
        return out

    def fields(self, form: str | None = None) -> list[FieldDef]:
        """Every field in form order; only those ``form`` carries when it is given."""
        return [f for s in self.sections for b in s.blocks for f in b.fields()
                if form is None or (form in f.forms and form in b.forms)]

    def field_names(self, form: str) -> set[str]:
        """The names a built ``form`` carries, including the hidden form marker."""
        return {f.name for f in self.fields(form)} | {self.marker_field}

    def by_name(self) -> dict[str, FieldDef]:
        return {f.name: f for f in self.fields()}


def pair_rows(fields: tuple[FieldDef, ...]) -> list[list[FieldDef]]:
    """Rows of a label/value block: two fields a row, a wide field alone in its row."""
    rows: list[list[FieldDef]] = []
    for field in fields:
        if field.wide or not rows or len(rows[-1]) == 2 or rows[-1][0].wide:
            rows.append([field])
        else:
            rows[-1].append(field)
    return rows


def _fill(template: str, n: int | None) -> str:
    if n is None:
        return template
    return template.replace("{n}", str(n)).replace("{i}", str(n - 1))


def _field(raw: dict[str, Any], n: int | None, forms: tuple[str, ...], where: str) -> FieldDef:
    for key in ("name", "path", "type", "label"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise DefinitionError(f"{where}: field needs a non-empty string {key!r}")
    ftype = raw["type"]
    if ftype not in FIELD_TYPES:
        raise DefinitionError(f"{where}: unknown field type {ftype!r}")
    field_forms = tuple(raw.get("forms", forms))
    if not set(field_forms) <= set(forms):
        raise DefinitionError(f"{where}: field forms {field_forms} not carried by its block")
    return FieldDef(
        name=_fill(raw["name"], n), path=_fill(raw["path"], n), type=cast(FieldType, ftype),
        label=raw["label"], forms=field_forms, value=raw.get("value"),
        label_path=raw.get("label_path"), format=raw.get("format"), lines=int(raw.get("lines", 1)),
        wide=bool(raw.get("wide", False)),
    )


def _block(raw: dict[str, Any], forms: tuple[str, ...], where: str) -> Block:
    kind = raw.get("kind")
    if kind not in BLOCK_KINDS:
        raise DefinitionError(f"{where}: unknown block kind {kind!r}")
    block_forms = tuple(raw.get("forms", forms))
    repeat = raw.get("repeat")
    numbers: list[int | None] = list(range(1, int(repeat) + 1)) if repeat else [None]
    raw_fields = raw.get("fields", [])
    if kind != "text" and not raw_fields:
        raise DefinitionError(f"{where}: a {kind} block needs fields")
    if repeat and not all("{n}" in f.get("name", "") for f in raw_fields):
        raise DefinitionError(f"{where}: repeated fields need '{{n}}' in their names")
    instances = tuple(
        tuple(_field(f, n, block_forms, f"{where}.fields[{k}]") for k, f in enumerate(raw_fields))
        for n in numbers) if raw_fields else ()
    return Block(kind=cast(BlockKind, kind), instances=instances, forms=block_forms,
                 heading=raw.get("heading"), title=raw.get("title"), question=raw.get("question"),
                 text=raw.get("text"))


def _check_path(field: FieldDef, template: dict[str, Any]) -> None:
    try:
        parts = split_path(field.path)
    except ValueError:
        raise DefinitionError(f"field {field.name}: bad record path {field.path!r}") from None
    if parts[0] not in template:
        raise DefinitionError(f"field {field.name}: {field.path!r} is not a referral-record path")


def _validate(definition: Definition) -> None:
    template = empty_record()
    seen: set[str] = set()
    for field in definition.fields():
        if not _NAME.fullmatch(field.name):
            raise DefinitionError(f"field name {field.name!r} is not a valid PDF field / Word tag name")
        if field.name in seen or field.name == definition.marker_field:
            raise DefinitionError(f"field name {field.name!r} is used twice")
        seen.add(field.name)
        _check_path(field, template)
        if field.type == "checkbox":
            if field.value is None:
                raise DefinitionError(f"checkbox {field.name} needs the value it sets when ticked")
        elif field.value is not None or field.label_path is not None:
            raise DefinitionError(f"field {field.name}: only checkboxes take 'value' / 'label_path'")
        if field.format is not None and field.format not in FORMATS:
            raise DefinitionError(f"field {field.name}: unknown format {field.format!r}")
        if not set(field.forms) <= set(definition.forms):
            raise DefinitionError(f"field {field.name}: unknown form in {field.forms}")
    for section in definition.sections:
        for block in section.blocks:
            if block.kind == "choice":
                paths = {f.path for f in block.fields()}
                values = [f.value for f in block.fields()]
                if len(paths) != 1 or len(values) != len({json.dumps(v) for v in values}):
                    raise DefinitionError(f"section {section.id}: a choice sets one path to distinct values")
            elif block.kind != "text" and any(f.type == "checkbox" for f in block.fields()):
                raise DefinitionError(f"section {section.id}: checkboxes belong in choice blocks")


def parse_definition(raw: dict[str, Any]) -> Definition:
    """Turn the JSON document into a validated :class:`Definition` (raises ``DefinitionError``)."""
    try:
        forms = {key: FormSpec(key=key, title=spec["title"], subtitle=spec["subtitle"],
                               footer=spec["footer"]) for key, spec in raw["forms"].items()}
        all_forms = tuple(forms)
        sections = tuple(
            Section(id=s["id"], title=s["title"],
                    blocks=tuple(_block(b, tuple(s.get("forms", all_forms)), f"{s['id']}.blocks[{k}]")
                                 for k, b in enumerate(s["blocks"])))
            for s in raw["sections"])
        definition = Definition(version=int(raw["version"]), marking=raw["marking"],
                                marker_field=raw["marker_field"], forms=forms, sections=sections)
    except (KeyError, TypeError, ValueError) as exc:
        raise DefinitionError(f"fields.json is malformed: {exc!r}") from None
    if not _NAME.fullmatch(definition.marker_field):
        raise DefinitionError("marker_field is not a valid field name")
    _validate(definition)
    return definition


@functools.cache
def load_definition(path: Path = FIELDS_JSON) -> Definition:
    """The shipped definition, parsed and validated once per process."""
    with path.open(encoding="utf-8") as fh:
        return parse_definition(json.load(fh))
