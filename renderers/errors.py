"""The renderers' one exception tree.

Every failure a caller can act on is a subclass of :class:`RenderError`, so the service
turns any of them into one problem response. Messages name template variables and
settings, never personal data from the context being rendered.
"""

from __future__ import annotations


class RenderError(Exception):
    """Base of every renderer failure."""

    http_status = 500


class TemplateNotFound(RenderError):
    """No template of the requested kind is shipped or was uploaded."""

    http_status = 404


class TemplateError(RenderError):
    """The template itself is broken (not a Word file, bad Jinja syntax, unsafe access)."""

    http_status = 422


class TemplateVariableError(TemplateError):
    """The template uses a variable its document kind does not provide.

    Raised at upload time so a misspelt placeholder is refused with its name, instead of
    rendering as an empty gap in a letter to a family.
    """

    def __init__(self, names: list[str], kind: str | None = None) -> None:
        self.names = sorted(set(names))
        where = f" for {kind}" if kind else ""
        listed = ", ".join(repr(name) for name in self.names)
        super().__init__(
            f"the template{where} uses unknown variable(s) {listed}: check the spelling "
            "against the list of variables this document provides"
        )


class PdfError(RenderError):
    """A PDF or image given to a pack could not be read (damaged, or password-protected)."""

    http_status = 422


class ConversionError(RenderError):
    """LibreOffice could not turn the document into a PDF."""


class ConversionTimeout(ConversionError):
    """A conversion took longer than allowed; the converter was restarted."""

    http_status = 504


class ConverterUnavailable(ConversionError):
    """Neither the warm LibreOffice service nor a cold ``soffice`` could be started."""

    http_status = 503
