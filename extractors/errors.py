"""Extraction errors. Each carries the stable ``type`` slug shared by the CLI and HTTP problems.

``status`` is the HTTP status an upload is refused with when the problem is found at
ingestion time (before anything is stored). Messages never contain personal data.
"""

from __future__ import annotations


class ExtractionError(Exception):
    """Base of every extraction failure."""

    slug: str = "extraction-failed"
    status: int = 422
    title: str = "The document could not be read"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title


class EmptyFile(ExtractionError):
    slug = "empty-file"
    title = "The file is empty"


class UnsupportedMediaType(ExtractionError):
    slug = "unsupported-media-type"
    status = 415
    title = "Only PDF, DOCX, PNG, JPEG and TIFF files are accepted"


class DamagedDocument(ExtractionError):
    slug = "damaged-document"
    title = "The document is damaged and cannot be repaired"


class UnsafeDocument(ExtractionError):
    slug = "unsafe-document"
    title = "The document contains content mapdocs refuses to process"


class EncryptedDocument(ExtractionError):
    slug = "encrypted-document"
    title = "The document is password-protected; supply the password to read it"


class WrongPassword(EncryptedDocument):
    slug = "encrypted-document"
    title = "The password supplied does not open the document"


class NotAnAssessmentForm(ExtractionError):
    slug = "not-an-assessment-form"
    title = "The document is not an early help assessment form"


class ExtractionTimeout(ExtractionError):
    slug = "extraction-timeout"
    status = 422
    title = "Reading the document took too long and was stopped"


class ResourceLimitExceeded(ExtractionError):
    slug = "resource-limit-exceeded"
    title = "The document needs more memory or pages than mapdocs allows"
