"""Comparing label text: the tolerant matching under the vocabulary.

A council's label and a vocabulary phrase are compared as ``label_key``s (case,
punctuation, numbering such as "Part E –" or "3.1", a leading article and dotted
abbreviations forgiven), then exactly, then fuzzily (small wording changes), then by key
nouns (``keywords_match``: word stems that must all occur, each with "a|b"
alternatives). Kept apart from ``vocabulary`` so the data model and its loading read
on their own.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: a fuzzy ratio at or above this counts as the same label (small wording changes)
FUZZY_ACCEPT = 0.84


#: score given to a keyword match (all word stems present): accepted but below "exact"
KEYWORD_SCORE = 0.86


#: score of a section-only key-noun match: accepted, but flagged for review (< 0.86 → 0.7)
SECTION_KEYWORD_SCORE = 0.85


#: score penalty when only the text without its bracketed aside matches
BRACKET_PENALTY = 0.03


#: texts longer than this many words are never labels or headings
MAX_LABEL_WORDS = 30


_NUMBERING = re.compile(
    r"^\s*(?:(?:section|part|question|q|step|stage)\s*)?"
    r"(?:\d{1,2}(?:\.\d{1,2})*\s+(?=[a-z])|\d{1,2}(?:\.\d{1,2})*[a-z]?\s*[.):\-–—]|[a-z][.)]|\([a-z0-9]{1,3}\)|[ivx]{1,4}[.)]"
    r"|[a-z]\s+[–—-]\s+)\s*",
    re.IGNORECASE,
)


#: a numbered section word: "Part E –", "Section 3:", "Step 2.", "Stage iv)", "Appendix B"
_SECTION_WORD = re.compile(
    r"^\s*(?:section|part|step|stage|appendix|question)\s*"
    r"(?:\d{1,2}(?:\.\d{1,2})*[a-z]?|[ivx]{1,4}|[a-z])(?![a-z0-9])\s*[.):\-–—]?\s*",
    re.IGNORECASE,
)


#: dotted abbreviations ("D.O.B.", "N.H.S.") compare as one word ("dob", "nhs")
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}(?:[a-z]\b)?")


#: a leading article is not part of a label ("The household" = "Household")
_ARTICLE = re.compile(r"^(?:the|a|an|our|your)\s+(?=\S)")


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """The comparable form of a label: lower case words, numbering and punctuation gone."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("&", " and ")
    text = _DOTTED.sub(lambda m: m.group(0).replace(".", "") + " ", text)
    text = _SECTION_WORD.sub("", text, count=1)
    text = _NUMBERING.sub("", text, count=1)
    text = text.replace("'", "")
    words = " ".join(re.findall(r"[a-z0-9]+", text))
    return _ARTICLE.sub("", words)


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
    #: found by key nouns, not by a listed wording (weaker evidence, e.g. for a table header)
    by_keywords: bool = False


class Phrases:
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


def keywords_match(text_key: str, groups: tuple[tuple[str, ...], ...]) -> bool:
    tokens = text_key.split()
    if not tokens or len(tokens) > MAX_LABEL_WORDS:
        return False
    return any(
        all(any(tok.startswith(alt) for tok in tokens for alt in stem.split("|")) for stem in group)
        for group in groups
    )


def plain_label(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("&", " and ")
    return text.replace("'", "")


def numbered_heading(text: str) -> bool:
    """Whether ``text`` starts with a numbered section word ("Part H –", "Section 5", "Step 2.")."""
    return bool(_SECTION_WORD.match(text))

