"""Building a referral record field by field, keeping confidence and provenance per path.

Every reader (label/section reading, named template fields) writes through a
``RecordBuilder`` so that the shape of ``referral-record/1`` and the path syntax
(``children[0].full_name``) are produced in exactly one place.
"""

from __future__ import annotations

import re
from typing import Any

from extractors.base import REVIEW_THRESHOLD, ExtractionResult, Issue, Severity
from extractors.layout import Location

_PATH_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?")


def empty_record(form_type: str = "EHA") -> dict[str, Any]:
    """A record with every field the schema names, all null or empty."""
    return {
        "schema_version": "1",
        "form_type": form_type,
        "assessment_date": None,
        "children": [],
        "family": {"address": None, "postcode": None, "home_language": None,
                   "interpreter_required": None, "parents_carers": []},
        "referrer": {"full_name": None, "role": None, "agency": None, "email": None, "phone": None},
        "agencies_involved": [],
        "strengths": [],
        "needs": [],
        "desired_outcomes": [],
        "child_views": None,
        "parent_views": None,
        "level_of_need": {"tier": None, "as_written": None},
        "safeguarding": {"significant_harm_concern": None, "details": None},
        "consent": {"information_sharing": None, "panel_discussion": None, "given_by": None,
                    "name": None, "date": None, "excluded_agencies": []},
        "manager_signoff": {"full_name": None, "date": None},
    }


def split_path(path: str) -> list[str | int]:
    """``children[0].full_name`` -> ["children", 0, "full_name"]."""
    parts: list[str | int] = []
    for piece in path.split("."):
        match = _PATH_PART.fullmatch(piece)
        if not match:
            raise ValueError(f"bad record path {path!r}")
        parts.append(match.group(1))
        if match.group(2) is not None:
            parts.append(int(match.group(2)))
    return parts


class RecordBuilder:
    """Accumulates values with their confidence (0..1) and where they were read."""

    def __init__(self, form_type: str = "EHA") -> None:
        self.record = empty_record(form_type)
        self.confidence: dict[str, float] = {}
        self.provenance: dict[str, Location] = {}
        self.issues: list[Issue] = []

    def set(self, path: str, value: Any, *, confidence: float = 1.0,
            location: Location | None = None) -> None:
        """Set one value, creating list items / objects on the way (``children[2].gender``)."""
        parts = split_path(path)
        node: Any = self.record
        for here, nxt in zip(parts, parts[1:], strict=False):
            if isinstance(here, int):
                while len(node) <= here:
                    node.append({} if isinstance(nxt, str) else [])
                node = node[here]
            else:
                if node.get(here) is None:
                    node[here] = [] if isinstance(nxt, int) else {}
                node = node[here]
        last = parts[-1]
        if isinstance(last, int):
            while len(node) <= last:
                node.append(None)
            node[last] = value
        else:
            node[last] = value
        self.confidence[path] = round(max(0.0, min(1.0, confidence)), 3)
        if location is not None:
            self.provenance[path] = location

    def get(self, path: str) -> Any:
        node: Any = self.record
        for part in split_path(path):
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def issue(self, path: str | None, severity: Severity, message: str, code: str = "") -> None:
        self.issues.append(Issue(path=path, severity=severity, message=message, code=code))

    def result(self, *, extractor: str, version: str, page_count: int | None = None) -> ExtractionResult:
        """Finish: flag low-confidence fields for review and return the extraction result."""
        for path, conf in sorted(self.confidence.items()):
            if conf < REVIEW_THRESHOLD and not any(i.path == path for i in self.issues):
                self.issue(path, "warning", "Low confidence: check this value against the form",
                           code="low-confidence")
        return ExtractionResult(record=self.record, confidence=dict(self.confidence),
                                provenance=dict(self.provenance), issues=list(self.issues),
                                extractor=extractor, extractor_version=version, page_count=page_count)
