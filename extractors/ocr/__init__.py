"""Reading scanned forms: image preparation, Tesseract, ruling and checkboxes from pixels.

The package turns a scanned page into the same :class:`extractors.words.PageWords`
a printed PDF gives, so :mod:`extractors.page_layout` and the label reader serve
both paths. :mod:`extractors.scan` is the registered extractor that uses it.
"""
