"""The label vocabulary (``vocabulary.json``): loading, validation and tolerant matching.

Councils word the same question differently and number their sections in their own
way, so labels are data, not ``if`` chains, and matching forgives case, punctuation,
numbering ("1.", "Section 3:", "a)"), bracketed asides and small wording changes.
A match carries a score (1.0 exact) that the reader turns into field confidence.
The text comparison itself lives in ``label_text``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from extractors.errors import ExtractionError
from extractors.label_text import (
    KEYWORD_SCORE,
    SECTION_KEYWORD_SCORE,
    Match,
    Phrases,
    keywords_match,
    label_key,
    numbered_heading,
    plain_label,
)

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.json")


SECTION_KINDS = frozenset({"records", "fields", "list", "text", "ignore"})
FIELD_TYPES = frozenset(
    {
        "text",
        "name",
        "date",
        "postcode",
        "phone",
        "email",
        "digits",
        "code",
        "bool",
        "address",
        "tier",
        "consent",
        "given_by",
        "signature",
        "ignore",
    }
)
OPTION_KINDS = ("yes", "no", "parent_carer", "young_person")
#: where a list / text section's content may go: the record's list and free-text paths
#: (desired outcomes are objects: the reader pairs each with its success criteria)
LIST_TARGETS = frozenset({"strengths", "needs", "desired_outcomes", "consent.excluded_agencies"})
TEXT_TARGETS = frozenset({"child_views", "parent_views", "safeguarding.details"})

_NEGATION = frozenset(
    {
        "not",
        "don't",
        "dont",
        "no",
        "refuse",
        "refused",
        "decline",
        "declined",
        "withhold",
        "withheld",
        "disagree",
        "without",
        "withdraw",
    }
)


class VocabularyError(ExtractionError):
    """The vocabulary data file is malformed (a packaging bug, caught at start-up)."""

    slug = "vocabulary-invalid"
    status = 500


@dataclass(frozen=True)
class SectionSpec:
    key: str
    kind: str
    headings: tuple[str, ...] = ()
    numbered: tuple[str, ...] = ()
    prefixed: tuple[str, ...] = ()
    keywords: tuple[tuple[str, ...], ...] = ()
    target: str | None = None
    default_field: str | None = None
    records_of: str | None = None


@dataclass(frozen=True)
class FieldSpec:
    key: str
    path: str | None
    type: str
    section: str | None
    labels: tuple[str, ...] = ()
    anywhere: tuple[str, ...] = ()
    keywords: tuple[tuple[str, ...], ...] = ()
    #: key-noun groups valid only inside the field's own section ("Date agreed" under consent)
    section_keywords: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class TableSpec:
    key: str
    section: str
    columns: dict[str, tuple[str, ...]]
    distinctive: tuple[str, ...]
    #: per column, key-noun groups for headers the phrase lists do not hold ("Adult's name")
    keywords: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)


@dataclass
class Vocabulary:
    """The validated vocabulary with matching helpers (build with :func:`load`)."""

    sections: dict[str, SectionSpec]
    fields: dict[str, FieldSpec]
    tables: dict[str, TableSpec]
    options: dict[str, tuple[str, ...]]
    tiers: dict[int, tuple[str, ...]]
    form_types: dict[str, tuple[str, ...]]
    _headings: Phrases = field(default_factory=Phrases)
    _section_labels: dict[str, Phrases] = field(default_factory=dict)
    _anywhere: Phrases = field(default_factory=Phrases)
    _columns: dict[str, Phrases] = field(default_factory=dict)
    _options: Phrases = field(default_factory=Phrases)
    #: matching is a pure function of (text, section): remembered across documents
    _memo: dict[tuple[str, str, str | None], Match | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for spec in self.sections.values():
            for heading in spec.headings:
                self._headings.add(heading, spec.key)
        for fspec in self.fields.values():
            if fspec.section:
                phrases = self._section_labels.setdefault(fspec.section, Phrases())
                for label in fspec.labels:
                    phrases.add(label, fspec.key)
            for label in fspec.anywhere:
                self._anywhere.add(label, fspec.key)
        for tspec in self.tables.values():
            cols = self._columns.setdefault(tspec.key, Phrases())
            for col, labels in tspec.columns.items():
                for label in labels:
                    cols.add(label, col)
        for kind, labels in self.options.items():
            for label in labels:
                self._options.add(label, kind)

    # ------------------------------------------------------------------ headings
    def match_heading(self, text: str) -> Match | None:
        """The section a heading names ("Section 3: Lead practitioner" → referrer)."""
        key = ("h", text, None)
        if key not in self._memo:
            self._remember(key, self._match_heading(text))
        return self._memo[key]

    def _remember(self, key: tuple[str, str, str | None], value: Match | None) -> None:
        if len(self._memo) > 100_000:
            self._memo.clear()
        self._memo[key] = value

    def _match_heading(self, text: str) -> Match | None:
        matches = self._headings.best(text)
        best = matches[0] if matches else None
        key = label_key(text)
        if best is None or best.score < 1.0:
            for spec in self.sections.values():
                special = self._special_heading(spec, key)
                if special and (best is None or special > best.score):
                    best = Match(spec.key, special)
        if best is None or best.score < KEYWORD_SCORE:
            # key nouns beat a loose wording match ("Parent's voice" is not quite "Parents' views")
            for spec in self.sections.values():
                if (
                    spec.keywords
                    and keywords_match(key, spec.keywords)
                    and len(key.split()) <= 10
                    and not text.rstrip().endswith(".")
                ):
                    return Match(spec.key, KEYWORD_SCORE)
        return best

    @staticmethod
    def _special_heading(spec: SectionSpec, key: str) -> float:
        tokens = key.split()
        if spec.numbered and len(tokens) >= 2 and re.fullmatch(r"\d{1,2}|[a-h]", tokens[-1]):
            stem = " ".join(tokens[:-1])
            for phrase in spec.numbered:
                if stem == label_key(phrase):
                    return 1.0
        for phrase in spec.prefixed:
            pkey = label_key(phrase)
            if key.startswith(pkey + " ") and len(tokens) - len(pkey.split()) <= 6:
                return 0.95
        return 0.0

    def match_unnumbered_block(self, text: str) -> str | None:
        """The block section a numbered heading names when its number is left off.

        "Child / young person" over Name / Date of birth rows is the block of "Child /
        young person 1" on a form that has room for one child. The wording alone is
        also a column header or a label, so the reader accepts it only when record
        labels follow.
        """
        key = label_key(text)
        for spec in self.sections.values():
            if spec.records_of and any(key == label_key(phrase) for phrase in spec.numbered):
                return spec.key
        return None

    @staticmethod
    def looks_like_heading(text: str) -> bool:
        """Short text shaped like a section title: numbered ("Part H –", "5."), upper case, or ending ":".

        Used only for lines already styled as headings, to end a list under an unknown heading.
        """
        plain = text.strip()
        words = plain.split()
        if not words or len(words) > 12 or plain.endswith("."):
            return False
        letters = [ch for ch in plain if ch.isalpha()]
        return bool(
            numbered_heading(plain)
            or re.match(r"^\d{1,2}(?:\.\d{1,2})*[.)]?\s+[A-Za-z]", plain)
            or (len(letters) >= 4 and all(ch.isupper() for ch in letters))
            or plain.endswith((":", "?"))
        )

    # ------------------------------------------------------------------ field labels
    def match_field(self, text: str, section: str | None, *, loose: bool = False) -> Match | None:
        """The field a label names, in the current section or from anywhere.

        ``loose`` also accepts a field's section-only key nouns ("Where the family live" →
        address under a household heading). Key nouns occur in answers too ("Early Help
        Service"), so callers ask for it only where the text sits in a label's place: the
        first cell of a label/value row, or a heading-styled line over a box.
        """
        key = ("fl" if loose else "f", text, section)
        if key not in self._memo:
            found = self._match_field(text, section)
            if found is None and loose:
                found = self._match_section_keywords(text, section)
            self._remember(key, found)
        return self._memo[key]

    def _match_field(self, text: str, section: str | None) -> Match | None:
        candidates: list[Match] = []
        if section and section in self._section_labels:
            candidates += self._section_labels[section].best(text)
        candidates += self._anywhere.best(text)
        if candidates:
            # a label of a field we skip (a records table's "Address" column) loses a tie to a kept one
            return max(
                candidates,
                key=lambda m: (
                    m.score,
                    self.fields[m.key].type != "ignore", self._in_section(m.key, section)),
            )
        key = label_key(text)
        if len(key.split()) > 20:
            return None
        # a sentence ("I understand … shared with the practitioners named.") is a statement or a
        # question, never a name/date/text label: only yes/no-type fields may be found in it
        sentence = text.rstrip().endswith(".") and len(key.split()) > 8
        hits = [
            spec
            for spec in self.fields.values()
            if spec.keywords
            and (spec.section == section or spec.anywhere)
            and (not sentence or spec.type in ("bool", "consent", "given_by", "tier"))
            and keywords_match(key, spec.keywords)
        ]
        if hits:
            hits.sort(key=lambda s: (s.section != section, -len(max(s.keywords, key=len))))
            return Match(hits[0].key, KEYWORD_SCORE)
        return None

    def _match_section_keywords(self, text: str, section: str | None) -> Match | None:
        """A field of ``section`` whose key nouns the label holds; the largest matching group wins."""
        key = label_key(text)
        if not key or len(key.split()) > 8 or section is None:
            return None
        best: tuple[int, str] | None = None
        for spec in self.fields.values():
            if spec.section != section or not spec.section_keywords:
                continue
            size = max((len(g) for g in spec.section_keywords if keywords_match(key, (g,))), default=0)
            if size and (best is None or size > best[0]):
                best = (size, spec.key)
        return Match(best[1], SECTION_KEYWORD_SCORE, by_keywords=True) if best else None

    def _in_section(self, field_key: str, section: str | None) -> bool:
        return self.fields[field_key].section == section

    def match_field_prefix(self, text: str, section: str | None) -> tuple[Match, str] | None:
        """A label at the start of a cell that also holds the value ("Name Nasreen Mensah")."""
        pools: list[Phrases] = [self._anywhere]
        if section and section in self._section_labels:
            pools.insert(0, self._section_labels[section])
        best: tuple[Match, str] | None = None
        best_len = 0
        plain = plain_label(text)
        for pool in pools:
            for count, pattern, owner in pool.prefixes:
                if count <= best_len:
                    continue
                found = pattern.match(plain)
                if found:
                    rest = plain[found.end() :].lstrip(" :-–?\t")
                    if rest:
                        best = (Match(owner, 0.85), rest)
                        best_len = count
        return best

    def match_heading_prefix(self, text: str) -> tuple[Match, str] | None:
        """A heading run together with its first answer line ("Strengths Amy is kind")."""
        plain = plain_label(text)
        best: tuple[Match, str] | None = None
        best_len = 0
        for count, pattern, owner in self._headings.prefixes:
            if count <= best_len or count < 2:
                continue
            found = pattern.match(plain)
            if found:
                rest = plain[found.end() :].lstrip(" :-–?\t")
                if rest and (rest[:1].isupper() or rest[:1].isdigit() or rest[:1] in "•-*"):
                    best = (Match(owner, 0.9), rest)
                    best_len = count
        return best

    # ------------------------------------------------------------------ tables
    def match_column(self, table: str, text: str) -> Match | None:
        """The column a header cell names: a listed wording, else the column's key nouns."""
        key = ("c", text, table)
        if key not in self._memo:
            self._remember(key, self._match_column(table, text))
        return self._memo[key]

    def _match_column(self, table: str, text: str) -> Match | None:
        matches = self._columns[table].best(text)
        if matches:
            return matches[0]
        key = label_key(text)
        if not key or len(key.split()) > 8:
            return None
        for column, groups in self.tables[table].keywords.items():
            if keywords_match(key, groups):
                return Match(column, KEYWORD_SCORE, by_keywords=True)
        return None

    # ------------------------------------------------------------------ options, tiers, form type
    def option_kind(self, label: str) -> Match | None:
        """What a checkbox option means: yes / no / parent_carer / young_person."""
        key = label_key(label)
        matches = self._options.best(label)
        if matches and matches[0].score >= 1.0:
            return matches[0]
        tokens = set(key.replace("dont", "don't").split())
        if tokens & _NEGATION:
            return Match("no", 0.9)
        if matches:
            return matches[0]
        if re.search(r"\b(?:young person|child)\b", key):
            return Match("young_person", 0.85)
        if re.search(r"\b(?:parent|carer|mother|father|guardian)\b", key):
            return Match("parent_carer", 0.85)
        if re.search(r"\b(?:agree|consent|yes)\b", key):
            return Match("yes", 0.85)
        return None

    def tier(self, text: str) -> int | None:
        """A council's level wording → tier 1-4 (longest matching wording wins)."""
        key = label_key(text)
        number = re.search(r"\b(?:tier|level|step)\s*([1-4])\b", key)
        if number:
            return int(number.group(1))
        best: tuple[int, int] | None = None
        padded = f" {key} "
        for tier, words in self.tiers.items():
            for word in words:
                wkey = label_key(word)
                if wkey and f" {wkey} " in padded and (best is None or len(wkey) > best[1]):
                    best = (tier, len(wkey))
        return best[0] if best else None

    def form_type(self, text: str, *, abbreviations: bool) -> str | None:
        """CAF / CSF from the title words; None when the text names neither."""
        padded = f" {label_key(text)} "
        for form_type, phrases in self.form_types.items():
            for phrase in phrases:
                pkey = label_key(phrase)
                if len(pkey.split()) == 1 and not abbreviations:
                    continue
                if f" {pkey} " in padded:
                    return form_type
        return None


# ---------------------------------------------------------------------- loading
def _strs(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise VocabularyError(f"vocabulary: {where} must be a list of non-empty strings")
    return tuple(value)


def _groups(value: Any, where: str) -> tuple[tuple[str, ...], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise VocabularyError(f"vocabulary: {where} must be a list of lists")
    return tuple(_strs(group, where) for group in value)


def parse(data: dict[str, Any]) -> Vocabulary:
    """Validate the vocabulary's structure and cross-references."""
    try:
        sections = {
            key: SectionSpec(
                key=key,
                kind=spec["kind"],
                headings=_strs(spec.get("headings"), key),
                numbered=_strs(spec.get("numbered"), key),
                prefixed=_strs(spec.get("prefixed"), key),
                keywords=_groups(spec.get("keywords"), key),
                target=spec.get("target"),
                default_field=spec.get("default_field"),
                records_of=spec.get("records_of"),
            )
            for key, spec in data["sections"].items()
        }
        fields = {
            key: FieldSpec(
                key=key,
                path=spec["path"],
                type=spec["type"],
                section=spec.get("section"),
                labels=_strs(spec.get("labels"), key),
                anywhere=_strs(spec.get("anywhere"), key),
                keywords=_groups(spec.get("keywords"), key),
                section_keywords=_groups(spec.get("section_keywords"), key),
            )
            for key, spec in data["fields"].items()
        }
        tables = {
            key: TableSpec(
                key=key,
                section=spec["section"],
                columns={col: _strs(labels, f"{key}.{col}") for col, labels in spec["columns"].items()},
                distinctive=_strs(spec.get("distinctive"), key),
                keywords={
                    col: _groups(groups, f"{key}.keywords.{col}")
                    for col, groups in (spec.get("keywords") or {}).items()
                },
            )
            for key, spec in data["tables"].items()
        }
        options = {kind: _strs(data["options"][kind], kind) for kind in OPTION_KINDS}
        tiers = {int(tier): _strs(words, f"tier {tier}") for tier, words in data["tiers"].items()}
        form_types = {ft: _strs(words, ft) for ft, words in data["form_types"].items()}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise VocabularyError(
            f"vocabulary: missing or malformed entry ({exc.__class__.__name__}: {exc})"
        ) from None
    for spec in sections.values():
        if spec.kind not in SECTION_KINDS:
            raise VocabularyError(f"vocabulary: section {spec.key} has unknown kind {spec.kind!r}")
        if spec.default_field and spec.default_field not in fields:
            raise VocabularyError(f"vocabulary: section {spec.key} names unknown default field")
        if spec.kind == "list" and spec.target not in LIST_TARGETS:
            raise VocabularyError(f"vocabulary: list section {spec.key} must target a list of the record")
        if spec.kind == "text" and spec.target not in TEXT_TARGETS:
            raise VocabularyError(f"vocabulary: text section {spec.key} must target a free-text field")
        if spec.records_of and spec.records_of not in sections:
            raise VocabularyError(f"vocabulary: section {spec.key} names unknown records section")
    for fspec in fields.values():
        if fspec.type not in FIELD_TYPES:
            raise VocabularyError(f"vocabulary: field {fspec.key} has unknown type {fspec.type!r}")
        if fspec.section is not None and fspec.section not in sections:
            raise VocabularyError(f"vocabulary: field {fspec.key} names unknown section {fspec.section!r}")
        if not (fspec.labels or fspec.anywhere or fspec.keywords or fspec.section_keywords):
            raise VocabularyError(f"vocabulary: field {fspec.key} has no label")
    for tspec in tables.values():
        if tspec.section not in sections:
            raise VocabularyError(f"vocabulary: table {tspec.key} names unknown section")
        unknown = (set(tspec.distinctive) | set(tspec.keywords)) - set(tspec.columns)
        if unknown:
            raise VocabularyError(f"vocabulary: table {tspec.key} has unknown distinctive columns")
    if set(tiers) != {1, 2, 3, 4}:
        raise VocabularyError("vocabulary: tiers must be exactly 1, 2, 3 and 4")
    return Vocabulary(
        sections=sections, fields=fields, tables=tables, options=options, tiers=tiers, form_types=form_types
    )


@cache
def load(path: Path = VOCABULARY_PATH) -> Vocabulary:
    """The vocabulary, parsed and validated once per process."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise VocabularyError(f"vocabulary: cannot read {path.name}") from exc
    if not isinstance(data, dict):
        raise VocabularyError("vocabulary: top level must be an object")
    return parse(data)
