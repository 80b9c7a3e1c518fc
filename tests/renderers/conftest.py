"""Fixtures for renderer tests: one warm LibreOffice converter shared by the whole session."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable, Iterator

import pytest
from docx import Document

from renderers.convert import DocxToPdfConverter


@pytest.fixture(scope="session")
def converter() -> Iterator[DocxToPdfConverter]:
    """Starting LibreOffice costs seconds: every slow test shares this one.

    Skipped where LibreOffice is not installed, except on CI (``CI`` set), where a missing
    install step must fail rather than pass quietly.
    """
    if shutil.which("soffice") is None:
        message = "LibreOffice (soffice) is not installed: set-up installs libreoffice-writer-nogui"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    conv = DocxToPdfConverter(instances=1, timeout=60)
    try:
        yield conv
    finally:
        conv.close()


def _make_docx(paragraphs: list[str], title: str = "", language: str | None = None) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.core_properties.title = title
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture
def make_docx() -> Callable[..., bytes]:
    """A Word file with the given paragraphs (docxtpl placeholders allowed)."""
    return _make_docx
