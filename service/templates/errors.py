"""The templates package's errors (HTTP status and problem slug, as ``service.errors``)."""

from __future__ import annotations

from service.errors import ServiceError


class TemplateUploadError(ServiceError):
    """Base of this package's errors: the uploaded template was refused."""

    slug = "invalid-template"
    status = 422
    title = "The template was refused"


class UnknownVariable(TemplateUploadError):
    slug = "unknown-template-variable"
    title = "The template uses a variable this document does not provide"


class UnknownKind(TemplateUploadError):
    slug = "unknown-document-kind"
    status = 404
    title = "No document kind with this name"
