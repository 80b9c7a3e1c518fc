"""The label vocabulary (``vocabulary.json``): loading, validation and tolerant matching.

Councils word the same question differently and number their sections in their own
way, so labels are data, not ``if`` chains, and matching forgives case, punctuation,
numbering ("1.", "Section 3:", "a)"), bracketed asides and small wording changes.
A match carries a score (1.0 exact) that the reader turns into field confidence.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from extractors.errors import ExtractionError

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.json")

#: a fuzzy ratio at or above this counts as the same label (small wording changes)
FUZZY_ACCEPT = 0.84
#: score given to a keyword match (all word stems present): accepted but below "exact"
KEYWORD_SCORE = 0.86
#: score penalty when only the text without its bracketed aside matches
BRACKET_PENALTY = 0.03
#: texts longer than this many words are never labels or headings
MAX_LABEL_WORDS = 30

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

_NUMBERING = re.compile(
    r"^\s*(?:(?:section|part|question|q|step|stage)\s*)?"
    r"(?:\d{1,2}(?:\.\d{1,2})*[a-z]?\s*[.):\-–]|\d{1,2}\s+(?=[a-z])|[a-z][.)]|\([a-z0-9]{1,3}\)|[ivx]{1,4}[.)])\s*",
    re.IGNORECASE,
)
_SECTION_WORD = re.compile(r"^\s*(?:section|part)\s+\d{1,2}[a-z]?\s*", re.IGNORECASE)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
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


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """The comparable form of a label: lower case words, numbering and punctuation gone."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("&", " and ")
    text = _SECTION_WORD.sub("", text)
    text = _NUMBERING.sub("", text, count=1)
    text = text.replace("'", "")
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _variants(text: str) -> list[tuple[str, float]]:
    full = label_key(text)
    out = [(full, 0.0)]
    stripped = label_key(_BRACKETS.sub(" ", text))
    if stripped and stripped != full:
        out.append((stripped, BRACKET_PENALTY))
    return out


@dataclass(frozen=True)
class Match:
    key: str
    score: float


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


@dataclass(frozen=True)
class TableSpec:
    key: str
    section: str
    columns: dict[str, tuple[str, ...]]
    distinctive: tuple[str, ...]


class _Phrases:
    """A set of phrases (by key) searchable exactly, then fuzzily."""

    def __init__(self) -> None:
        self.exact: dict[str, list[str]] = {}
        self.items: list[tuple[str, str]] = []  # (phrase key, owner)
        self._cache: dict[str, list[Match]] = {}
        self._prefix_sources: list[tuple[int, str, str]] = []
        self._prefixes: list[tuple[int, re.Pattern[str], str]] | None = None
        #: word-prefix → indexes into ``items``: fuzzy matching only compares phrases sharing a word
        self._index: dict[str, list[int]] = {}

    def add(self, phrase: str, owner: str) -> None:
        key = label_key(phrase)
        if not key:
            return
        owners = self.exact.setdefault(key, [])
        if owner not in owners:
            owners.append(owner)
            self.items.append((key, owner))
            stems = {_stem(word) for word in key.split()} - {""}
            for stem in stems or {key[:4]}:
                self._index.setdefault(stem, []).append(len(self.items) - 1)
            words = key.split()
            pattern = (
                r"^\W*(?:section\s+\d+\W*|\d{1,2}[.)]\s*)?"
                + r"\W+".join(map(re.escape, words))
                + r"(?![a-z0-9])"
            )
            self._prefix_sources.append((len(words), pattern, owner))

    @property
    def prefixes(self) -> list[tuple[int, re.Pattern[str], str]]:
        """Compiled label-at-start patterns, built on first use (start-up stays cheap)."""
        if self._prefixes is None:
            self._prefixes = [
                (n, re.compile(src, re.IGNORECASE), owner) for n, src, owner in self._prefix_sources
            ]
        return self._prefixes

    def best(self, text: str) -> list[Match]:
        """All owners with their best score for ``text`` (scores ≥ FUZZY_ACCEPT)."""
        cached = self._cache.get(text)
        if cached is None:
            cached = self._best(text)
            if len(self._cache) < 50_000:
                self._cache[text] = cached
        return cached

    def _best(self, text: str) -> list[Match]:
        scores: dict[str, float] = {}
        for key, penalty in _variants(text):
            if not key or len(key.split()) > MAX_LABEL_WORDS:
                continue
            for owner in self.exact.get(key, []):
                scores[owner] = max(scores.get(owner, 0.0), 1.0 - penalty)
            if scores and max(scores.values()) >= 1.0 - penalty:
                continue
            candidates: set[int] = set()
            for stem in {_stem(word) for word in key.split()} - {""}:
                candidates.update(self._index.get(stem, ()))
            for index in sorted(candidates):
                phrase, owner = self.items[index]
                ratio = _ratio(key, phrase)
                if ratio - penalty >= FUZZY_ACCEPT:
                    scores[owner] = max(scores.get(owner, 0.0), min(ratio - penalty, 0.99))
        return sorted((Match(k, v) for k, v in scores.items()), key=lambda m: -m.score)


_STOPWORDS = frozenset(
    {
        "the",
        "of",
        "and",
        "to",
        "a",
        "an",
        "in",
        "for",
        "is",
        "are",
        "with",
        "or",
        "you",
        "your",
        "this",
        "that",
        "what",
        "how",
        "do",
        "does",
        "be",
        "we",
        "our",
        "any",
        "has",
        "have",
        "will",
        "on",
        "at",
        "by",
        "from",
        "it",
        "its",
        "they",
        "their",
        "there",
        "was",
        "were",
        "if",
        "as",
        "he",
        "she",
        "his",
        "her",
        "who",
        "not",
        "no",
        "yes",
        "all",
        "can",
    }
)


def _stem(word: str) -> str:
    return "" if word in _STOPWORDS else word[:4]


@lru_cache(maxsize=65536)
def _ratio(a: str, b: str) -> float:
    la, lb = len(a), len(b)
    if not la or not lb or 2 * min(la, lb) / (la + lb) < FUZZY_ACCEPT:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < FUZZY_ACCEPT or matcher.quick_ratio() < FUZZY_ACCEPT:
        return 0.0
    return matcher.ratio()


def _keywords_match(text_key: str, groups: tuple[tuple[str, ...], ...]) -> bool:
    tokens = text_key.split()
    if not tokens or len(tokens) > MAX_LABEL_WORDS:
        return False
    return any(all(any(tok.startswith(stem) for tok in tokens) for stem in group) for group in groups)


@dataclass
class Vocabulary:
    """The validated vocabulary with matching helpers (build with :func:`load`)."""

    sections: dict[str, SectionSpec]
    fields: dict[str, FieldSpec]
    tables: dict[str, TableSpec]
    options: dict[str, tuple[str, ...]]
    tiers: dict[int, tuple[str, ...]]
    form_types: dict[str, tuple[str, ...]]
    _headings: _Phrases = field(default_factory=_Phrases)
    _section_labels: dict[str, _Phrases] = field(default_factory=dict)
    _anywhere: _Phrases = field(default_factory=_Phrases)
    _columns: dict[str, _Phrases] = field(default_factory=dict)
    _options: _Phrases = field(default_factory=_Phrases)
    #: matching is a pure function of (text, section): remembered across documents
    _memo: dict[tuple[str, str, str | None], Match | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for spec in self.sections.values():
            for heading in spec.headings:
                self._headings.add(heading, spec.key)
        for fspec in self.fields.values():
            if fspec.section:
                phrases = self._section_labels.setdefault(fspec.section, _Phrases())
                for label in fspec.labels:
                    phrases.add(label, fspec.key)
            for label in fspec.anywhere:
                self._anywhere.add(label, fspec.key)
        for tspec in self.tables.values():
            cols = self._columns.setdefault(tspec.key, _Phrases())
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
        if best is None:
            for spec in self.sections.values():
                if (
                    spec.keywords
                    and _keywords_match(key, spec.keywords)
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

    # ------------------------------------------------------------------ field labels
    def match_field(self, text: str, section: str | None) -> Match | None:
        """The field a label names, in the current section or from anywhere."""
        key = ("f", text, section)
        if key not in self._memo:
            self._remember(key, self._match_field(text, section))
        return self._memo[key]

    def _match_field(self, text: str, section: str | None) -> Match | None:
        candidates: list[Match] = []
        if section and section in self._section_labels:
            candidates += self._section_labels[section].best(text)
        candidates += self._anywhere.best(text)
        if candidates:
            return max(candidates, key=lambda m: (m.score, self._in_section(m.key, section)))
        key = label_key(text)
        if len(key.split()) > 20:
            return None
        hits = [
            spec
            for spec in self.fields.values()
            if spec.keywords
            and (spec.section == section or spec.anywhere)
            and _keywords_match(key, spec.keywords)
        ]
        if hits:
            hits.sort(key=lambda s: (s.section != section, -len(max(s.keywords, key=len))))
            return Match(hits[0].key, KEYWORD_SCORE)
        return None

    def _in_section(self, field_key: str, section: str | None) -> bool:
        return self.fields[field_key].section == section

    def match_field_prefix(self, text: str, section: str | None) -> tuple[Match, str] | None:
        """A label at the start of a cell that also holds the value ("Name Nasreen Mensah")."""
        pools: list[_Phrases] = [self._anywhere]
        if section and section in self._section_labels:
            pools.insert(0, self._section_labels[section])
        best: tuple[Match, str] | None = None
        best_len = 0
        plain = _plain(text)
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
        plain = _plain(text)
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
        matches = self._columns[table].best(text)
        return matches[0] if matches else None

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


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("&", " and ")
    return text.replace("'", "")


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
            )
            for key, spec in data["fields"].items()
        }
        tables = {
            key: TableSpec(
                key=key,
                section=spec["section"],
                columns={col: _strs(labels, f"{key}.{col}") for col, labels in spec["columns"].items()},
                distinctive=_strs(spec.get("distinctive"), key),
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
        if spec.records_of and spec.records_of not in sections:
            raise VocabularyError(f"vocabulary: section {spec.key} names unknown records section")
    for fspec in fields.values():
        if fspec.type not in FIELD_TYPES:
            raise VocabularyError(f"vocabulary: field {fspec.key} has unknown type {fspec.type!r}")
        if fspec.section is not None and fspec.section not in sections:
            raise VocabularyError(f"vocabulary: field {fspec.key} names unknown section {fspec.section!r}")
        if not (fspec.labels or fspec.anywhere or fspec.keywords):
            raise VocabularyError(f"vocabulary: field {fspec.key} has no label")
    for tspec in tables.values():
        if tspec.section not in sections:
            raise VocabularyError(f"vocabulary: table {tspec.key} names unknown section")
        unknown = set(tspec.distinctive) - set(tspec.columns)
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
