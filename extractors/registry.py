"""Imports the built-in extractors so that each registers itself with :mod:`extractors.base`.

Adding a reader for a new format is adding one module here.
"""

from extractors import acroform, images, pdf_text, scan, word  # noqa: F401
