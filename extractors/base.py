"""What every extractor takes and returns, and the registry that picks one by media type.

An extractor turns bytes into a referral record plus, per field path, a confidence
(0..1) and a provenance. It raises an :class:`~extractors.errors.ExtractionError`
only for unusable input; partial reads are reported as ``issues``.

Paths use one syntax everywhere: ``children[0].full_name``, ``consent.information_sharing``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from extractors.layout import Location

Severity = Literal["info", "warning", "error"]

#: confidence below this is flagged for review (an ``issues`` entry with severity "warning")
REVIEW_THRESHOLD = 0.8


@dataclass(frozen=True)
class ExtractionContext:
    """Frozen settings an extraction run needs; built once from configuration."""

    password: str | None = None
    panel: str | None = None
    max_pages: int = 60
    max_inflated_bytes: int = 200 * 1024 * 1024  # per DOCX part / total
    max_image_pixels: int = 60_000_000
    #: OCR settings (scanned-forms issue)
    ocr_dpi: int = 300
    ocr_languages: str = "eng"


@dataclass(frozen=True)
class Issue:
    path: str | None
    severity: Severity
    message: str
    code: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "severity": self.severity, "message": self.message}


@dataclass
class ExtractionResult:
    """A referral record (schema ``referral-record/1``) with per-path confidence and provenance."""

    record: dict[str, Any] | None
    confidence: dict[str, float] = field(default_factory=dict)
    provenance: dict[str, Location] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    extractor: str = ""
    extractor_version: str = ""
    page_count: int | None = None

    def provenance_json(self) -> dict[str, dict[str, object]]:
        return {path: loc.to_json() for path, loc in self.provenance.items()}


class Extractor(Protocol):
    """One source format. ``score`` lets the best reader win (AcroForm > text PDF > OCR)."""

    name: str
    version: str
    media_types: tuple[str, ...]

    def score(self, media_type: str, data: bytes, ctx: ExtractionContext) -> float:
        """0 when this extractor cannot read the input; higher wins."""
        ...

    def extract(self, data: bytes, ctx: ExtractionContext) -> ExtractionResult:
        ...


_REGISTRY: list[Callable[[], Extractor]] = []


def register(factory: Callable[[], Extractor]) -> Callable[[], Extractor]:
    """Class decorator / function registering an extractor factory."""
    _REGISTRY.append(factory)
    return factory


def registered() -> list[Extractor]:
    return [factory() for factory in _REGISTRY]
