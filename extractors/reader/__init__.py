"""The label/section reader: a ``Layout`` (any source format) → a referral record.

Written once for every format. It follows what a person filling in the form follows:
section headings, the labels beside or above each box, column headings of tables and
which tick box is marked. It never uses coordinates or a council's field names, so a
layout it has never seen reads the same way as long as its wording is in the
vocabulary (``vocabulary.json``).

Modules, one job each: ``sections`` (headings), ``pairs`` (label/value cells),
``tables`` (records tables), ``people`` (children, parents, agencies), ``lists``
(lists, text, outcomes), ``checkboxes`` (ticks and consent), ``values`` (normalising
a value), ``confidence`` (the confidence scale), ``state`` and ``core`` (the loop).
"""

from extractors.reader.core import LayoutReader, form_signals, read_layout

__all__ = ["LayoutReader", "form_signals", "read_layout"]
