"""The request class: uploaded files are parsed into memory, not spooled to a temporary file.

Werkzeug writes any multipart file part over 500 KiB to a temporary file, and the upload
view then reads it all back into memory (an original is hashed, inspected and stored as
bytes). For a 1 MB form that was a file created, written, read and closed per upload for
nothing. The body is already bounded before parsing starts (``MAX_CONTENT_LENGTH``, 413
above it; waitress's ``max_request_body_size``), so memory stays bounded too.
"""

from __future__ import annotations

import io
from typing import IO

from flask import Request


class InMemoryUploadsRequest(Request):
    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> IO[bytes]:
        return io.BytesIO()
