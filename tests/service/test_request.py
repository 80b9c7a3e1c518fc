"""Uploaded files are parsed into memory: a 1 MB form is not spooled to a temporary file."""

from __future__ import annotations

import io

from flask import Flask, request

from tests.service.svc_helpers import make_pdf

BOUNDARY = "mapdocs-test-boundary"


def _multipart(data: bytes) -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"panel\"\r\n\r\ngeneric\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"form.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode() + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def test_a_large_file_part_is_parsed_into_memory(app: Flask) -> None:
    data = make_pdf("in-memory") + b"%" + b"x" * (1024 * 1024)  # well over werkzeug's 500 KiB spool limit
    body = _multipart(data)
    with app.test_request_context("/api/v1/documents", method="POST", input_stream=io.BytesIO(body),
                                  content_type=f"multipart/form-data; boundary={BOUNDARY}",
                                  content_length=len(body)):
        upload = request.files["file"]
        assert isinstance(upload.stream, io.BytesIO)
        assert upload.read() == data
        assert request.form["panel"] == "generic"
