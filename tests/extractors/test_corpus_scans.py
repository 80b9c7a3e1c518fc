"""Every scanned dev form through ``extractors.pipeline.extract``, scored by the shared scorer.

Asserts the scanned-forms bar: overall field accuracy ≥ 0.90, no consent
false-accept, and confidence that means something (≥ 90 % of the fields that come
out wrong are flagged for review, ≤ 30 % of all fields flagged). Each file is OCR'd
once per test session: results are cached in memory, keyed by the document's
SHA-256 and the extractor version, and never kept across runs. Per-file figures are
printed with ``-s`` (file names and numbers only, never form content).
"""

from __future__ import annotations

import hashlib
import statistics
import time
from pathlib import Path

import pytest

from extractors import pipeline, scan
from extractors.base import ExtractionResult
from tests.extractors.corpus_scoring import flag_counts, manifest_files, score_summary

pytestmark = [pytest.mark.corpus, pytest.mark.ocr, pytest.mark.slow]

MIN_FIELD_ACCURACY = 0.90
MIN_WRONG_FLAGGED = 0.90
MAX_FLAGGED = 0.30

#: (sha256, extractor version) → result; lives for one test session only
_SESSION_CACHE: dict[tuple[str, str], ExtractionResult | None] = {}


def extract_once(data: bytes) -> tuple[ExtractionResult | None, float]:
    """The pipeline's result for ``data``, from the session cache when this run already has it."""
    key = (hashlib.sha256(data).hexdigest(), scan.VERSION)
    started = time.perf_counter()
    if key not in _SESSION_CACHE:
        try:
            _SESSION_CACHE[key] = pipeline.extract(data)
        except Exception as exc:  # noqa: BLE001 - reported as a missing record, named in the failure
            print(f"extraction failed: {type(exc).__name__}")
            _SESSION_CACHE[key] = None
    return _SESSION_CACHE[key], time.perf_counter() - started


@pytest.fixture(scope="session")
def scanned(shared_dir: Path) -> dict[str, ExtractionResult | None]:
    corpus = shared_dir / "corpus" / "dev"
    out: dict[str, ExtractionResult | None] = {}
    per_page: list[float] = []
    for name in manifest_files(corpus, lambda fmt: fmt.startswith("scan_")):
        result, seconds = extract_once((corpus / name).read_bytes())
        out[name] = result
        pages = (result.page_count if result is not None else None) or 1
        per_page.append(seconds / pages)
        print(f"{name}: {seconds:.1f} s, {pages} page(s)")
    if per_page:
        print(f"seconds per page: median {statistics.median(per_page):.2f}, max {max(per_page):.2f}")
    return out


def test_scanned_forms_meet_the_bar(
    scanned: dict[str, ExtractionResult | None], shared_dir: Path, tmp_path: Path
) -> None:
    summary = score_summary(scanned, shared_dir, tmp_path)
    assert summary["missing_records"] == 0
    assert summary["consent_false_accepts"] == 0
    assert summary["overall_field_accuracy"] >= MIN_FIELD_ACCURACY


def test_confidence_flags_wrong_fields_and_not_too_many_others(
    scanned: dict[str, ExtractionResult | None], shared_dir: Path
) -> None:
    fields, wrong, wrong_flagged, flagged = flag_counts(scanned, shared_dir)
    assert not wrong or wrong_flagged / wrong >= MIN_WRONG_FLAGGED
    assert flagged / fields <= MAX_FLAGGED


def test_each_scan_is_read_once_per_session(scanned: dict[str, ExtractionResult | None],
                                            shared_dir: Path) -> None:
    name = next(iter(scanned))
    _result, seconds = extract_once((shared_dir / "corpus" / "dev" / name).read_bytes())
    assert seconds < 0.5  # served from the session cache, not OCR'd again
