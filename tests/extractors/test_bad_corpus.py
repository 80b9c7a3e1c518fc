"""Every file of ``corpus/bad`` through ``pipeline.inspect`` and ``pipeline.extract``.

The outcomes are the foundation issue's bad-input table; the API and CLI tests check the
same files through HTTP and ``mapdocs extract``. Each file also runs once in the
isolated worker to measure its peak memory (≤ 512 MB).
"""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

from extractors import pipeline, sniff
from extractors.base import ExtractionContext
from extractors.errors import (
    DamagedDocument,
    EmptyFile,
    EncryptedDocument,
    NotAnAssessmentForm,
    UnsafeDocument,
)
from extractors.isolated import run_worker

pytestmark = pytest.mark.corpus
CTX = ExtractionContext()
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def bad(shared_dir: Path) -> Path:
    return shared_dir / "corpus" / "bad"


def leaves(node: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in leaves(value, f"{path}.{key}".lstrip("."))]
    if isinstance(node, list) and node:
        return [leaf for index, value in enumerate(node) for leaf in leaves(value, f"{path}[{index}]")]
    return [(path, node)]


def test_encrypted_pdf_is_accepted_then_needs_its_password(bad: Path) -> None:
    data = (bad / "encrypted.pdf").read_bytes()
    inspection = pipeline.inspect(data, CTX)
    assert (inspection.media_type, inspection.encrypted) == (sniff.PDF, True)
    with pytest.raises(EncryptedDocument) as raised:
        pipeline.extract(data, CTX)
    assert raised.value.slug == "encrypted-document"
    with pytest.raises(EncryptedDocument):
        pipeline.extract(data, ExtractionContext(password="not-the-password"))


def test_encrypted_form_is_read_in_memory_with_its_password(bad: Path) -> None:
    """The corpus does not publish encrypted.pdf's password, so a form is encrypted here."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO((bad / "acroform_no_values.pdf").read_bytes())))
    writer.encrypt("open-sesame", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    assert pipeline.inspect(data, CTX).encrypted
    with pytest.raises(EncryptedDocument):
        pipeline.extract(data, CTX)
    result = pipeline.extract(data, ExtractionContext(password="open-sesame"))
    assert result.record is not None


def test_truncated_pdf_is_refused_as_damaged(bad: Path) -> None:
    data = (bad / "truncated.pdf").read_bytes()
    try:
        inspection = pipeline.inspect(data, CTX)
    except DamagedDocument as refused:
        assert refused.slug == "damaged-document"
    else:  # the other outcome the table allows: repaired, and said so
        assert "repaired-document" in [issue.code for issue in inspection.issues]


def test_empty_file_is_refused(bad: Path) -> None:
    with pytest.raises(EmptyFile):
        pipeline.inspect((bad / "empty.pdf").read_bytes(), CTX)


def test_renamed_image_is_accepted_as_png_and_is_not_a_form(bad: Path) -> None:
    data = (bad / "image_renamed.pdf").read_bytes()
    assert pipeline.inspect(data, CTX).media_type == sniff.PNG
    with pytest.raises(NotAnAssessmentForm):
        pipeline.extract(data, CTX)


def test_javascript_is_noted_and_extraction_proceeds(bad: Path) -> None:
    data = (bad / "javascript.pdf").read_bytes()
    inspection = pipeline.inspect(data, CTX)
    [issue] = [issue for issue in inspection.issues if issue.code == "active-content"]
    assert issue.severity == "warning" and "never runs" in issue.message
    result = pipeline.extract(data, CTX)
    assert result.record is not None
    assert "active-content" in [issue.code for issue in result.issues]


def test_zip_bomb_is_refused_after_a_bounded_amount_of_work(bad: Path) -> None:
    data = (bad / "zipbomb.docx").read_bytes()
    tracemalloc.start()
    try:
        with pytest.raises(UnsafeDocument):
            pipeline.inspect(data, CTX)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * MIB  # the part inflates to 1 GiB


def test_external_entity_is_refused_and_never_resolved(bad: Path) -> None:
    data = (bad / "xxe.docx").read_bytes()
    with pytest.raises(UnsafeDocument) as raised:
        pipeline.inspect(data, CTX)
    assert "root:" not in raised.value.detail
    with pytest.raises(UnsafeDocument):
        pipeline.extract(data, CTX)


@pytest.mark.parametrize(("name", "media_type"), [("long_report.pdf", sniff.PDF),
                                                   ("letter.docx", sniff.DOCX)])
def test_documents_that_are_not_forms(bad: Path, name: str, media_type: str) -> None:
    data = (bad / name).read_bytes()
    assert pipeline.inspect(data, CTX).media_type == media_type
    with pytest.raises(NotAnAssessmentForm):
        pipeline.extract(data, CTX)


def test_form_without_values_is_a_record_of_nulls(bad: Path) -> None:
    result = pipeline.extract((bad / "acroform_no_values.pdf").read_bytes(), CTX)
    assert result.record is not None
    invented = [path for path, value in leaves(result.record)
                if path not in ("schema_version", "form_type") and value not in (None, [])]
    assert invented == []
    assert "empty-form" in [issue.code for issue in result.issues]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["encrypted.pdf", "truncated.pdf", "empty.pdf", "image_renamed.pdf",
                                  "javascript.pdf", "zipbomb.docx", "xxe.docx", "long_report.pdf",
                                  "letter.docx", "acroform_no_values.pdf"])
def test_each_file_in_a_worker_within_512_mb(bad: Path, name: str) -> None:
    outcome = run_worker(bad / name)
    assert outcome.slug != "extraction-failed" and outcome.line is not None
    assert "Traceback" not in outcome.stderr
    assert outcome.peak_rss_kb <= 512 * 1024
