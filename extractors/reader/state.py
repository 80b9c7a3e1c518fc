"""The reader's state and the small shapes it passes around (values, tables, targets).

``ReaderBase`` holds what the reader has collected so far; the mixins in the sibling
modules (values, checkboxes, people, tables, lists, pairs, sections) each add one kind
of reading on top of it, and ``core.LayoutReader`` combines them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from extractors.layout import Cell, Layout, Location, Row
from extractors.vocabulary import Vocabulary, load

#: sections whose recognition shows the document is an assessment form
CORE_SECTIONS = frozenset(
    {
        "children",
        "child_block",
        "family",
        "parents",
        "referrer",
        "agencies",
        "strengths",
        "needs",
        "outcomes",
        "support_plan",
        "child_views",
        "parent_views",
        "level",
        "safeguarding",
        "consent",
        "excluded",
        "manager",
    }
)
MIN_CORE_HITS = 4

TABLE_PREFIX = {
    "children": "children[]",
    "parents": "family.parents_carers[]",
    "agencies": "agencies_involved[]",
}
TICK_TYPES = frozenset({"bool", "consent", "given_by", "tier"})
CHILD_KEYS = (
    "full_name",
    "date_of_birth",
    "expected_date_of_delivery",
    "gender",
    "school_or_setting",
    "nhs_number",
    "upn",
)


@dataclass
class Value:
    value: Any
    confidence: float
    location: Location | None


@dataclass
class Table:
    kind: str
    columns: list[str | None]
    header: list[Cell]
    table_id: int | None
    #: how well each header cell matched its column (key-noun matches lower the values' confidence)
    scores: list[float] = field(default_factory=list)


@dataclass
class Target:
    """Where content rows below a heading or a lone label go."""

    kind: str  # "list", "text", "field", "outcomes"
    name: str  # list/text target path, or field key
    confidence: float = 1.0
    filled: bool = False


@dataclass
class State:
    section: str | None = None
    table: Table | None = None
    target: Target | None = None
    hits: set[str] = field(default_factory=set)


class ReaderBase:
    """What the reader has collected; the mixins add the reading."""

    _form_type_confidence = 1.0

    def __init__(self, layout: Layout, vocab: Vocabulary | None = None) -> None:
        self.layout = layout
        self.vocab = vocab or load()
        self.state = State()
        self.scalars: dict[str, Value] = {}
        self.records: dict[str, list[dict[str, Value]]] = {"children": [], "parents": [], "agencies": []}
        self.lists: dict[str, list[Value]] = {"strengths": [], "needs": [], "consent.excluded_agencies": []}
        self.outcomes: list[tuple[Value, Value | None]] = []
        self.texts: dict[str, list[Value]] = {}
        self.signature: Value | None = None
        #: record path → confidence of the label that named it (apart from OCR / value shape)
        self.label_trust: dict[str, float] = {}
        self._index = 0
        self._field_columns: list[str | None] | None = None
        self.unknown_labels: set[str] = set()
        self.seen_fields: set[str] = set()
        #: a success-criteria cue stood alone on its line: the next line completes the last outcome
        self._awaiting_success = False
        #: index of the row that set the current target (a box right under it is its answer)
        self._target_row = -1

    def _row(self, row: Row) -> None:
        """Read one row (``core.LayoutReader`` implements it; lower layers re-enter through it)."""
        raise NotImplementedError


def records_key(section: str) -> str:
    return {"children": "children", "parents": "parents", "agencies": "agencies"}.get(section, "children")


def records_key_for_path(group: str) -> str:
    return {"children": "children", "family.parents_carers": "parents", "agencies_involved": "agencies"}[
        group
    ]


def is_record_path(path: str | None) -> bool:
    return bool(path) and "[]" in str(path)


@lru_cache(maxsize=16384)
def label_like(text: str) -> bool:
    """Short text that reads like a form label, not an answer sentence."""
    words = text.split()
    return (
        0 < len(words) <= 8
        and len(text) <= 60
        and not text.rstrip().endswith(".")
        and not any(ch.isdigit() for ch in text)
    )


def question_text(cell: Cell) -> str:
    text = cell.text
    cut = len(text)
    for mark in cell.marks:
        pos = text.find(mark.label) if mark.label else -1
        if 0 <= pos < cut:
            cut = pos
    return text[:cut].strip()


def is_empty(record: dict[str, Any]) -> bool:
    def walk(node: Any, key: str = "") -> bool:
        if key in ("schema_version", "form_type"):
            return True
        if isinstance(node, dict):
            return all(walk(v, k) for k, v in node.items())
        if isinstance(node, list):
            return not node
        return node is None

    return walk(record)
