"""Council-editable Word templates per panel: upload (checked), versions, and choice at render time.

The shipped templates in ``form_templates/documents`` are the defaults; a panel's newest
upload of a kind replaces the default for documents rendered from then on. Documents
already made keep the bytes they were rendered with.
"""
